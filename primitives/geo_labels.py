"""Deterministic label placement: a candidate-position search that avoids lines and other labels.

Each label has an anchor (a point, an angle vertex, a segment midpoint), a box size and a preferred
direction.  Candidates are 16 directions (starting at the preferred one, alternating to either side)
at three distances; each gets a cost

    10 * (figure segments crossing the box) + 10 * (overlap with placed labels / own area)
    + 10 * (overlaps a placed label at all) + 4 * (box leaves the view)
    + 0.5 * (angle from the preferred direction / pi) + 0.3 * ring

and the cheapest wins (the first candidate on ties, so the result is a pure function of the input).
Placed labels become obstacles for the next ones.  Labels are placed in a fixed order: points in
definition order, then item labels in item order.  The search runs in one Numba kernel (a few
microseconds per label).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

N_DIRECTIONS = 16
N_RINGS = 3
_OFFSETS = np.array(([0] + [s * k for k in range(1, N_DIRECTIONS // 2 + 1) for s in (1, -1)])[:N_DIRECTIONS],
                    dtype=np.float64)


@njit(cache=True)
def _seg_hits_box(px, py, qx, qy, x0, y0, x1, y1) -> bool:
    dx, dy = qx - px, qy - py
    t0, t1 = 0.0, 1.0
    for k in range(4):
        if k == 0:
            p, q = -dx, px - x0
        elif k == 1:
            p, q = dx, x1 - px
        elif k == 2:
            p, q = -dy, py - y0
        else:
            p, q = dy, y1 - py
        if p == 0.0:
            if q < 0.0:
                return False
        else:
            r = q / p
            if p < 0.0:
                if r > t0:
                    t0 = r
            else:
                if r < t1:
                    t1 = r
    return t0 <= t1


@njit(cache=True)
def _place(anchors, sizes, prefer, gaps, segs, view, has_view, offsets, n_rings):
    n = anchors.shape[0]
    out = np.zeros((n, 2))
    placed = np.zeros((n, 4))
    step = 2.0 * math.pi / offsets.shape[0]
    for i in range(n):
        ax, ay = anchors[i, 0], anchors[i, 1]
        w, h = sizes[i, 0], sizes[i, 1]
        best = 1e300
        bx, by = ax, ay
        for ring in range(n_rings):
            for j in range(offsets.shape[0]):
                ang = prefer[i] + offsets[j] * step
                ux, uy = math.cos(ang), math.sin(ang)
                dist = gaps[i] + abs(ux) * w / 2 + abs(uy) * h / 2 + ring * (0.5 * min(w, h) + 4.0)
                cx, cy = ax + ux * dist, ay + uy * dist
                x0, y0, x1, y1 = cx - w / 2 + 0.5, cy - h / 2 + 0.5, cx + w / 2 - 0.5, cy + h / 2 - 0.5
                cost = 0.5 * abs(offsets[j]) * step / math.pi + 0.3 * ring
                for k in range(segs.shape[0]):
                    s = segs[k]
                    if max(s[0], s[2]) < x0 or min(s[0], s[2]) > x1 or max(s[1], s[3]) < y0 or \
                            min(s[1], s[3]) > y1:
                        continue
                    if _seg_hits_box(s[0], s[1], s[2], s[3], x0, y0, x1, y1):
                        cost += 10.0
                for k in range(i):
                    ox = min(x1, placed[k, 2]) - max(x0, placed[k, 0])
                    oy = min(y1, placed[k, 3]) - max(y0, placed[k, 1])
                    if ox > 0.0 and oy > 0.0:
                        cost += 10.0 + 10.0 * ox * oy / max(w * h, 1e-9)
                if has_view and (x0 < view[0] or y0 < view[1] or x1 > view[2] or y1 > view[3]):
                    cost += 4.0
                if cost < best:
                    best = cost
                    bx, by = cx, cy
        out[i, 0], out[i, 1] = bx, by
        placed[i, 0], placed[i, 1] = bx - w / 2, by - h / 2
        placed[i, 2], placed[i, 3] = bx + w / 2, by + h / 2
    return out


def place_labels(requests: list, segments, view_box=None) -> list:
    """Centres ``[(x, y)]`` for ``requests`` = ``[{"anchor": (x, y), "size": (w, h), "prefer": radians,
    "gap": px}]`` in local pixels (y down); ``segments``: (N, 4) obstacles; ``view_box``: (x0, y0, x1, y1)."""
    if not requests:
        return []
    segs = np.ascontiguousarray(np.asarray(segments, dtype=np.float64).reshape(-1, 4))
    anchors = np.array([r["anchor"] for r in requests], dtype=np.float64).reshape(-1, 2)
    sizes = np.array([r["size"] for r in requests], dtype=np.float64).reshape(-1, 2)
    prefer = np.array([r.get("prefer", -math.pi / 4) for r in requests], dtype=np.float64)
    gaps = np.array([r.get("gap", 4.0) for r in requests], dtype=np.float64)
    view = np.array(view_box if view_box is not None else (0.0, 0.0, 0.0, 0.0), dtype=np.float64)
    out = _place(anchors, sizes, prefer, gaps, segs, view, view_box is not None, _OFFSETS, N_RINGS)
    return [(float(x), float(y)) for x, y in out]
