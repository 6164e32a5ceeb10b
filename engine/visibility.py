"""Visibility flags of annotation records: ``outside`` (part of the quad leaves the image) and
``occluded`` (a node drawn later covers part of it), from the frame's own display list.

Rules (exact, stated):

* ``outside``: a corner of the record's quad lies more than 0.001 px outside ``[0, W] x [0, H]``;
* ``occluded``: some pixel whose centre lies inside the quad (and inside the image) gets coverage
  >= :data:`THRESHOLD` (128/255, 50%) from the items of the nodes drawn after the record's node,
  rasterised alone by Skia (whichever backend drew the frame) with their paints and opacities.
  Only nodes whose record bounds (grown by 2 px) meet the quad's window are drawn for the test; a
  node without a record is always drawn for it.

Top-level records get both flags; so do the characters of a text (``chars``), the symbols of a
formula (``symbols``) and the labels of a figure (``labels``), each against the nodes drawn after
its node (what its own node draws over it does not count).
"""
from __future__ import annotations

import math

import numpy as np

from . import ir
from .backends.skia import SkiaBackend

# coverage always comes from Skia, whichever backend drew the frame: annotations do not depend on the backend
_COVERAGE = SkiaBackend()

THRESHOLD = 128
NESTED = ("chars", "symbols", "labels")
_EPS = 1e-3
_GROW = 2.0


def _outside(quad, w: int, h: int) -> bool:
    return any(x < -_EPS or y < -_EPS or x > w + _EPS or y > h + _EPS for x, y in quad)


def _inside(a, b) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def _window(bbox, w: int, h: int):
    x0, y0 = max(int(math.floor(bbox[0])), 0), max(int(math.floor(bbox[1])), 0)
    x1, y1 = min(int(math.ceil(bbox[2])), w), min(int(math.ceil(bbox[3])), h)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def quad_pixels(quad, window) -> np.ndarray:
    """Boolean (h, w) mask of the window's pixels whose centre lies inside the (convex) quad."""
    x0, y0, x1, y1 = window
    ys, xs = np.mgrid[y0:y1, x0:x1]
    px, py = xs + 0.5, ys + 0.5
    q = np.asarray(quad, dtype=np.float64)
    inside_pos = np.ones(px.shape, bool)
    inside_neg = np.ones(px.shape, bool)
    for i in range(4):
        (ax, ay), (bx, by) = q[i], q[(i + 1) % 4]
        cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
        inside_pos &= cross >= -1e-9
        inside_neg &= cross <= 1e-9
    return inside_pos | inside_neg


def _with(rec, changes: dict):
    """A copy of a (frozen, slotted) record with ``changes``; its values are already frozen."""
    new = object.__new__(type(rec))
    for name in rec.__dataclass_fields__:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(rec, name))
    return new


def _axis_box(quad):
    """(x0, y0, x1, y1) when the quad is an axis-aligned rectangle (corners in either winding), else None."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad
    if (ay == by and cy == dy and ax == dx and bx == cx) or (ax == bx and cx == dx and ay == dy and by == cy):
        return min(ax, cx), min(ay, cy), max(ax, cx), max(ay, cy)
    return None


def _occluded(quad, bbox, cover, w: int, h: int) -> bool:
    win = _window(bbox, w, h)
    if win is None or cover is None:
        return False
    cx0, cy0, cov = cover
    ch, cw = cov.shape
    x0, y0 = max(win[0], cx0), max(win[1], cy0)
    x1, y1 = min(win[2], cx0 + cw), min(win[3], cy0 + ch)
    if x1 <= x0 or y1 <= y0:
        return False
    win = (x0, y0, x1, y1)
    sub = cov[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0]
    if sub.size == 0 or not (sub >= THRESHOLD).any():
        return False
    box = _axis_box(quad)
    if box is not None:
        # pixel centres x + 0.5 within [x0, x1]: columns ceil(x0 - 0.5) .. floor(x1 - 0.5)
        i0, i1 = max(math.ceil(box[0] - 0.5), x0), min(math.floor(box[2] - 0.5) + 1, x1)
        j0, j1 = max(math.ceil(box[1] - 0.5), y0), min(math.floor(box[3] - 0.5) + 1, y1)
        return i1 > i0 and j1 > j0 and bool((sub[j0 - y0:j1 - y0, i0 - x0:i1 - x0] >= THRESHOLD).any())
    return bool((sub[quad_pixels(quad, win)] >= THRESHOLD).any())


def flag_records(pairs, frame: ir.Frame, backend=None) -> list:
    """``pairs``: ``[(node index, record)]`` of one frame (in any order); returns the records with
    ``outside`` and ``occluded`` set (new records; nested characters, symbols and labels too).
    Coverage is rasterised by Skia (``backend`` is accepted for callers that pass theirs, and ignored)."""
    backend = _COVERAGE
    w, h = frame.width, frame.height
    groups = list(frame.items)         # in drawing order, which is node index order
    bounds = {}
    for node, rec in pairs:
        bb = getattr(rec, "bbox", None)
        if bb is not None:
            bounds[node] = bb
    # the groups' nodes and bounds as arrays: "which groups are drawn later and near this record" is
    # asked once per record, and a Python scan of every group made 10,000 rects cost 40 s
    g_node = np.fromiter((g.node for g in groups), np.int64, len(groups))
    g_free = np.fromiter((g.node not in bounds for g in groups), bool, len(groups))
    g_box = np.array([bounds.get(g.node, (0.0, 0.0, 0.0, 0.0)) for g in groups], np.float64).reshape(-1, 4)
    out = []
    for node, rec in pairs:
        quad = getattr(rec, "quad", None)
        bbox = getattr(rec, "bbox", None)
        if quad is None or bbox is None or not hasattr(rec, "outside"):
            out.append(rec)
            continue
        # nodes drawn after this one (also when this one emitted nothing in this frame), in drawing
        # order, whose bounds come within _GROW px of this record's (or that have none)
        near = ((g_box[:, 0] <= bbox[2] + _GROW) & (bbox[0] - _GROW <= g_box[:, 2])
                & (g_box[:, 1] <= bbox[3] + _GROW) & (bbox[1] - _GROW <= g_box[:, 3]))
        later = [groups[i] for i in np.flatnonzero((g_node > node) & (g_free | near))]
        cover = None
        win = _window(bbox, w, h)
        if later and win is not None:
            cover = (win[0], win[1], backend.coverage(later, w, h, window=win))
        occluded = _occluded(quad, bbox, cover, w, h)
        changes = {"outside": _outside(quad, w, h), "occluded": occluded}
        for name in NESTED:
            subs = getattr(rec, name, None)
            if subs and hasattr(subs[0], "outside"):
                # nothing later covers the record's quad: nothing covers a part inside it either
                changes[name] = tuple(_with(s, {"outside": _outside(s.quad, w, h),
                                                "occluded": _occluded(s.quad, s.bbox, cover, w, h)
                                                if occluded or not _inside(s.bbox, bbox) else False})
                                      for s in subs)
        out.append(_with(rec, changes))
    return out
