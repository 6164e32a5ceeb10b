"""Exact per-frame annotations from the same geometry and matrices used to draw.

Coordinates are image pixels (x right, y down, origin at the top-left corner of
the top-left pixel).  Quads list corners in local order: top-left, top-right,
bottom-right, bottom-left of the node's local box.
"""
from __future__ import annotations

import numpy as np
import skia

from .primitives.base import Shape
from .primitives.text import Text
from .raster import Renderer, reveal_count, skia_matrix


def quad_of(m, box) -> list:
    """Image-space quad of a local box (x0, y0, x1, y1) under the 2x3 world matrix ``m``."""
    return _quad(m, box)


def points_of(m, pts) -> list:
    """Image-space points of local points (N, 2) under ``m``, rounded like all annotations."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    out = pts @ m[:, :2].T + m[:, 2]
    return [[round(float(x), 3), round(float(y), 3)] for x, y in out]


def _quad(m, box) -> list:
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    out = pts @ m[:, :2].T + m[:, 2]
    return [[round(float(x), 3), round(float(y), 3)] for x, y in out]


def _bbox(quad) -> list:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return [min(xs), min(ys), max(xs), max(ys)]


def _stroke_outset(p) -> float:
    if p.get("stroke") is None or p["stroke.width"] <= 0:
        return 0.0
    w = p["stroke.width"] / 2
    if p["stroke.join"] == "miter":
        w *= max(1.0, min(p["stroke.miter_limit"], 1.5))
    if p["stroke.cap"] == "square":
        w *= 2 ** 0.5
    return w


def frame_annotations(r: Renderer, t: float, row, world, opacity) -> list:
    """Annotations of every visible drawable node at time ``t``."""
    out = []
    for e in r.c.entries:
        if not (e.window[0] <= t < e.window[1]) or opacity[e.index] <= 0 or not isinstance(e.node, Shape):
            continue
        p = r.c.props(e, row)
        m = world[e.index]
        item = {"id": e.node.id, "type": e.node.TYPE}
        if isinstance(e.node, Text):
            lay = r.layout(e, p)
            shown, partial = reveal_count(len(lay.chars), p["reveal"], e.node.reveal_mode)
            n_vis = shown + (1 if partial > 0 else 0)
            visible = lay.chars[:n_vis]
            if not visible:
                continue
            chars = []
            for cb in visible:
                q = _quad(m, cb.box)
                chars.append({"char": cb.char, "codepoint": ord(cb.char), "index": cb.index, "line": cb.line,
                              "word": cb.word, "quad": q, "bbox": _bbox(q)})
            item["text"] = visible_text(visible)
            item["quad"] = _quad(m, _union(cb.box for cb in visible))
            item["bbox"] = _bbox_of_many(c["bbox"] for c in chars)
            item["chars"] = chars
            item["words"] = [{"text": "".join(cb.char for cb in group), "line": group[0].line,
                              "quad": _quad(m, _union(cb.box for cb in group))}
                             for group in _group(visible, "word")]
            item["lines"] = [{"text": visible_text(group), "quad": _quad(m, _union(cb.box for cb in group))}
                             for group in _group(visible, "line")]
        elif hasattr(e.node, "annotate_custom"):
            from .raster import DrawContext

            extra = e.node.annotate_custom(DrawContext(r, e, p, float(opacity[e.index]), None, None), m)
            if extra is None:
                continue
            item.update(extra)
        else:
            path = r.local_path(e, p)
            if p.get("stroke") is not None and tuple(p["stroke.trim"]) != (0.0, 1.0):
                fill = p.get("fill")
                if fill is None or fill[3] <= 0:  # only the trimmed stroke is visible
                    path = trimmed_path(path, *p["stroke.trim"])
                    if path.isEmpty():
                        continue
            lb = path.computeTightBounds()
            o = _stroke_outset(p)
            local = (lb.left() - o, lb.top() - o, lb.right() + o, lb.bottom() + o)
            item["quad"] = _quad(m, local)
            world_path = skia.Path(path)
            world_path.transform(skia_matrix(m))
            wb = world_path.computeTightBounds()
            # stroke outset grows with the transform's largest scale
            so = o * float(np.sqrt(max(np.linalg.eigvalsh(m[:, :2] @ m[:, :2].T).max(), 0.0)))
            item["bbox"] = [round(wb.left() - so, 3), round(wb.top() - so, 3),
                            round(wb.right() + so, 3), round(wb.bottom() + so, 3)]
        out.append(item)
    return out


def trimmed_path(path: skia.Path, start: float, end: float) -> skia.Path:
    """The part of ``path`` between fractions start..end of its total length (as Skia's trim draws it)."""
    lengths = []
    m = skia.PathMeasure(path, False)
    while True:
        lengths.append(m.getLength())
        if not m.nextContour():
            break
    total = sum(lengths)
    out = skia.Path()
    if total <= 0 or end <= start:
        return out
    a, b = start * total, end * total
    m = skia.PathMeasure(path, False)
    offset = 0.0
    for length in lengths:
        lo, hi = max(a - offset, 0.0), min(b - offset, length)
        if hi > lo:
            m.getSegment(lo, hi, out, True)
        offset += length
        if not m.nextContour():
            break
    return out


def _union(boxes) -> tuple:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _bbox_of_many(bboxes) -> list:
    return list(_union(bboxes))


def _group(chars, attr: str) -> list:
    groups: dict = {}
    for cb in chars:
        groups.setdefault(getattr(cb, attr), []).append(cb)
    return [groups[k] for k in sorted(groups)]


def visible_text(chars) -> str:
    """Visible characters with a space between words and a newline between lines."""
    out = []
    for i, cb in enumerate(chars):
        if i:
            prev = chars[i - 1]
            if cb.line != prev.line:
                out.append("\n")
            elif cb.word != prev.word:
                out.append(" ")
        out.append(cb.char)
    return "".join(out)
