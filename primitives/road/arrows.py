"""Outlines of painted lane arrows in a local lane frame.

Local frame: ``u`` metres forward along the lane (the driver reads the arrow from u = 0, the
tail, towards the head), ``v`` metres to the left.  Outlines are drawn for a nominal 6 m arrow
and centred laterally (their v-extent is symmetric about 0).  An arrow is a tuple of contours;
draw them together as one path with non-zero winding (they share one orientation, so
overlapping parts unite instead of cancelling).
"""
from __future__ import annotations

import numpy as np

__all__ = ["ARROW_SHAPES", "NOMINAL_ARROW_LENGTH", "arrow_outline", "stroke_with_head"]

NOMINAL_ARROW_LENGTH = 6.0
_HALF = 0.15          # half width of the shaft (m)


def stroke_with_head(path, half_width, head_length, head_half_width):
    """Outline (N, 2) of a polyline shaft of constant width with mitred joins and a triangular
    head continuing the last segment.  ``path`` is (M, 2) with M >= 2."""
    p = np.asarray(path, dtype=np.float64)
    d = np.diff(p, axis=0)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    n = np.stack([-d[:, 1], d[:, 0]], axis=1)            # left normals per segment
    vn = np.empty_like(p)                                  # per-vertex offset directions
    vn[0], vn[-1] = n[0], n[-1]
    if len(p) > 2:
        m = n[:-1] + n[1:]
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        vn[1:-1] = m / np.sum(m * n[1:], axis=1, keepdims=True)   # mitre length 1/cos
    left = p + half_width * vn
    right = p - half_width * vn
    end, dl, nl = p[-1], d[-1], n[-1]
    head = np.array([end + head_half_width * nl, end + head_length * dl, end - head_half_width * nl])
    return np.concatenate([left, head, right[::-1]])


def _mirror(contours):
    """Reflect v -> -v (left arrow -> right arrow)."""
    return tuple(c * (1.0, -1.0) for c in contours)


def _straight():
    return (stroke_with_head([(0, 0), (4.2, 0)], _HALF, 1.8, 0.45),)


def _left():
    return (stroke_with_head([(0, 0), (3.2, 0), (4.0, 0.6)], _HALF, 1.2, 0.4),)


def _straight_left():
    return _straight() + (stroke_with_head([(2.0, 0), (2.8, 0.6)], _HALF, 1.0, 0.35),)


def _uturn():
    a = np.radians(np.linspace(-90.0, 90.0, 13))
    r, cu = 0.6, 3.4
    bend = np.stack([cu + r * np.cos(a), r + r * np.sin(a)], axis=1)
    path = np.concatenate([[(0.0, 0.0)], bend, [(2.6, 2 * r)]])
    return (stroke_with_head(path, _HALF, 1.2, 0.35),)


ARROW_SHAPES = {
    "straight": _straight,
    "left": _left,
    "right": lambda: _mirror(_left()),
    "straight_left": _straight_left,
    "straight_right": lambda: _mirror(_straight_left()),
    "uturn": _uturn,
}


def arrow_outline(shape, length=NOMINAL_ARROW_LENGTH, width_scale=1.0):
    """Contours (tuple of (N, 2) arrays in the local (u, v) frame) of an arrow ``shape``.

    ``length`` stretches the nominal 6 m outline along u only (painted arrows are elongated so
    they read well in perspective); ``width_scale`` scales v.  The result spans u in
    [0, length] and is centred in v.
    """
    if shape not in ARROW_SHAPES:
        raise ValueError(f"arrow shape {shape!r}: expected one of {', '.join(ARROW_SHAPES)}")
    contours = ARROW_SHAPES[shape]()
    allpts = np.concatenate(contours)
    u0, u1 = allpts[:, 0].min(), allpts[:, 0].max()
    vmid = 0.5 * (allpts[:, 1].min() + allpts[:, 1].max())
    su = length / (u1 - u0)
    return tuple(np.stack([(c[:, 0] - u0) * su, (c[:, 1] - vmid) * width_scale], axis=1)
                 for c in contours)
