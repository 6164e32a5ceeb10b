"""TuSimple and CULane lane label formats: rows and key points of lane polylines, and their files.

Pure functions of image-space polylines (a road's annotation records hold them), so the engine's
lane export (lane_export.py) and the road's own labels (symbolreel.primitives.road.labels) share
them. TuSimple and CULane store pixel INDICES: row index ``h`` is sampled at continuous y = h + 0.5
and x is reported as x - 0.5 (``half_pixel=True``).
"""
from __future__ import annotations

import json

import numpy as np

ABSENT = -2


def _pieces_of(lane):
    """LaneLabel (anything with .pieces) | (N, 2) array | list of arrays -> list of (N, 2) arrays."""
    if hasattr(lane, "pieces"):  # a road's LaneLabel
        return list(lane.pieces)
    if isinstance(lane, np.ndarray) and lane.ndim == 2:
        return [lane]
    return [np.asarray(p, dtype=np.float64) for p in lane]


def _x_at_rows(pieces, ys):
    """x where the polyline first (from its near end) crosses each continuous row y; nan if never."""
    x = np.full(len(ys), np.nan)
    for p in pieces:
        if len(p) < 2:
            continue
        y0, y1 = p[:-1, 1:2], p[1:, 1:2]                       # (S, 1)
        lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
        hit = (ys >= lo) & (ys <= hi)                            # (S, H)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(y1 != y0, (ys - y0) / (y1 - y0), 0.0)
        xs = p[:-1, 0:1] + t * (p[1:, 0:1] - p[:-1, 0:1])
        first = np.argmax(hit, axis=0)
        found = hit.any(axis=0) & np.isnan(x)
        x[found] = xs[first[found], np.nonzero(found)[0]]
    return x


def tusimple_row(lanes_polylines, h_samples, as_int=True, half_pixel=True, width=None,
                 drop_empty=False):
    """TuSimple x lists: for each lane (given left to right) the x at each row in ``h_samples``,
    ``-2`` where the lane does not reach the row (or falls outside [0, width) when given).

    ``as_int`` rounds like TuSimple's integer labels; ``half_pixel`` samples row h at continuous
    y = h + 0.5 and returns the column index x - 0.5 (see module doc).
    """
    off = 0.5 if half_pixel else 0.0
    ys = np.asarray(h_samples, dtype=np.float64) + off
    out = []
    for lane in lanes_polylines:
        x = _x_at_rows(_pieces_of(lane), ys) - off
        absent = np.isnan(x)
        if width is not None:
            absent |= (x < 0) | (x >= width)
        if drop_empty and absent.all():
            continue
        if as_int:
            out.append([ABSENT if a else int(np.floor(v + 0.5)) for v, a in zip(x, absent)])
        else:
            out.append([float(ABSENT) if a else float(v) for v, a in zip(x, absent)])
    return out


def tusimple_record(lanes_polylines, h_samples, raw_file, width=None) -> dict:
    """One TuSimple label line: {'lanes', 'h_samples', 'raw_file'}; empty lanes dropped."""
    lanes = tusimple_row(lanes_polylines, h_samples, width=width, drop_empty=True)
    return {"lanes": lanes, "h_samples": [int(h) for h in h_samples], "raw_file": str(raw_file)}


def write_tusimple_jsonl(path, records) -> None:
    """Write TuSimple records, one JSON object per line (keys lanes, h_samples, raw_file)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i, r in enumerate(records):
            hs = list(r["h_samples"])
            for j, lane in enumerate(r["lanes"]):
                if len(lane) != len(hs):
                    raise ValueError(f"records[{i}].lanes[{j}]: {len(lane)} values for "
                                     f"{len(hs)} h_samples")
            rec = {"lanes": [[int(v) for v in lane] for lane in r["lanes"]],
                   "h_samples": [int(h) for h in hs], "raw_file": str(r["raw_file"])}
            f.write(json.dumps(rec) + "\n")


def read_tusimple_jsonl(path) -> list[dict]:
    """Read a TuSimple label file back (one dict per line)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def culane_points(lane, height, step=10, half_pixel=True) -> np.ndarray:
    """CULane key points (N, 2) of one lane: x at rows height, height - step, ... (bottom up,
    as CULane does), only rows the lane reaches; float x in pixel-index coordinates."""
    rows = np.arange(height, -1, -step)
    x = np.asarray(tusimple_row([lane], rows, as_int=False, half_pixel=half_pixel)[0])
    keep = x != ABSENT
    return np.stack([x[keep], rows[keep].astype(np.float64)], axis=1)


def _fmt(v, precision):
    """Number -> text: integers bare, others with up to ``precision`` decimals."""
    r = round(float(v), precision)
    if r == int(r):
        return str(int(r))
    return f"{r:.{precision}f}".rstrip("0")


def culane_lines(lanes, precision=3) -> str:
    """CULane ``.lines.txt`` text: one lane per line, space-separated ``x y`` pairs (each line
    ends with a space, as in the dataset).  ``lanes``: list of (N, 2) point arrays, left to
    right; lanes with fewer than 2 points are skipped."""
    rows = []
    for lane in lanes:
        pts = np.asarray(lane, dtype=np.float64).reshape(-1, 2)
        if len(pts) < 2:
            continue
        rows.append("".join(f"{_fmt(x, precision)} {_fmt(y, precision)} " for x, y in pts))
    return "".join(r + "\n" for r in rows)


def parse_culane_lines(text) -> list[np.ndarray]:
    """Inverse of :func:`culane_lines`: list of (N, 2) arrays."""
    out = []
    for i, line in enumerate(text.splitlines()):
        vals = line.split()
        if not vals:
            continue
        if len(vals) % 2:
            raise ValueError(f"line {i + 1}: odd number of values ({len(vals)})")
        out.append(np.array([float(v) for v in vals]).reshape(-1, 2))
    return out


def write_culane_lines(path, lanes, precision=3) -> None:
    """Write a CULane ``.lines.txt`` file."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(culane_lines(lanes, precision))
