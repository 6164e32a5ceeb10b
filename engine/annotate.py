"""Exact per-frame annotations from the same geometry and matrices used to draw, as typed records
(``symbolreel.records``; the format is described in docs/annotations.md).

Coordinates are image pixels (x right, y down, origin at the top-left corner of
the top-left pixel).  Quads list corners in local order: top-left, top-right,
bottom-right, bottom-left of the node's local box.
"""
from __future__ import annotations

import numpy as np

from . import pathops
from .records import ShapeRecord


def quad_of(m, box) -> list:
    """Image-space quad of a local box (x0, y0, x1, y1) under the 2x3 world matrix ``m``."""
    return _quad(m, box)


def points_of(m, pts) -> list:
    """Image-space points of local points (N, 2) under ``m``, rounded like all annotations."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    out = pts @ m[:, :2].T + m[:, 2]
    return [[round(x, 3), round(y, 3)] for x, y in out.tolist()]


def _quad(m, box) -> list:
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    out = pts @ m[:, :2].T + m[:, 2]
    return [[round(x, 3), round(y, 3)] for x, y in out.tolist()]


def _local_quad(m, quad) -> list:
    """Image-space quad of a character's local quad (4 points) under ``m``."""
    return points_of(m, quad)


def _text_quad(m, chars) -> list:
    """Quad of a group of characters: the union of their local boxes when they share one orientation frame
    (horizontal lines, vertical columns), else the minimum-area rectangle around their quads (text on a path)."""
    if all(cb.orientation != "path" for cb in chars):
        return _quad(m, _union(cb.box for cb in chars))
    pts = np.array([p for cb in chars for p in cb.quad], dtype=np.float64)
    return points_of(m, _min_area_rect(pts))


def _min_area_rect(pts) -> list:
    """Corners of the smallest rectangle containing ``pts`` (rotating calipers over the hull edges)."""
    pts = np.unique(np.round(pts, 9), axis=0)
    if len(pts) < 3:
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    hull = _hull(pts)
    best = None
    for i in range(len(hull)):
        d = hull[(i + 1) % len(hull)] - hull[i]
        norm = np.hypot(*d)
        if norm == 0:
            continue
        u = d / norm
        v = np.array([-u[1], u[0]])
        a, b = hull @ u, hull @ v
        area = (a.max() - a.min()) * (b.max() - b.min())
        if best is None or area < best[0] - 1e-9:
            best = (area, u, v, a.min(), a.max(), b.min(), b.max())
    _, u, v, a0, a1, b0, b1 = best
    corners = [a0 * u + b0 * v, a1 * u + b0 * v, a1 * u + b1 * v, a0 * u + b1 * v]
    return [list(c) for c in corners]


def _hull(pts):
    pts = sorted(map(tuple, pts))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1], dtype=np.float64)


def _stroke_outset(p) -> float:
    if p.get("stroke") is None or p["stroke.width"] <= 0:
        return 0.0
    w = p["stroke.width"] / 2
    if p["stroke.join"] == "miter":
        w *= max(1.0, min(p["stroke.miter_limit"], 1.5))
    if p["stroke.cap"] == "square":
        w *= 2 ** 0.5
    return w


def frame_annotations(r, t: float, row, world, opacity, frame=None) -> list:
    """Annotation records (``symbolreel.records``) of every visible node at time ``t`` (each node's
    ``annotate`` hook, with the visibility flags; see Renderer.annotations). ``frame``: the display
    list already emitted for ``t``, if any."""
    return r.annotations(t, row, world, opacity, frame)


def shape_annotation(node, geom, p, m) -> ShapeRecord | None:
    """Record of a shape: quad and bbox of its outline ``geom`` (IR geometry) grown by its stroke, under
    world matrix ``m``; of the trimmed part when only a trimmed stroke is drawn; None when nothing is left."""
    path = geom
    if p.get("stroke") is not None and tuple(p["stroke.trim"]) != (0.0, 1.0):
        fill = p.get("fill")
        if fill is None or fill[3] <= 0:  # only the trimmed stroke is visible
            path = pathops.trimmed(path, *p["stroke.trim"])
            if pathops.is_empty(path):
                return None
    lb = pathops.tight_bounds(path)
    o = _stroke_outset(p)
    local = (lb[0] - o, lb[1] - o, lb[2] + o, lb[3] + o)
    wb = pathops.tight_bounds(path, m)
    # stroke outset grows with the transform's largest scale
    so = o * float(np.sqrt(max(np.linalg.eigvalsh(m[:, :2] @ m[:, :2].T).max(), 0.0)))
    return ShapeRecord(id=node.id, type=node.TYPE, quad=_quad(m, local),
                       bbox=(round(wb[0] - so, 3), round(wb[1] - so, 3), round(wb[2] + so, 3), round(wb[3] + so, 3)))


def _union(boxes) -> tuple:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


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
