"""Perspective applied before the display list: outlines mapped through a plane homography.

The road camera sees flat things (painted text on the ground, sign faces) through a 3x3
homography. The display list holds affine matrices only, so outlines are mapped here, point by
point, into image coordinates:

* lines stay lines (a homography maps lines to lines);
* a quadratic Bezier (or conic) becomes a conic exactly: control points mapped, and the weight
  multiplied by ``w1 / sqrt(w0 * w2)`` where ``w_i`` are the homogeneous depths of the three points;
* a cubic is split into :data:`CUBIC_PIECES` cubics (de Casteljau) whose mapped control points
  approximate the projected curve (Skia does the same when it draws a cubic under perspective).

Also here: the glyph outline of a text layout, and the corner rounding of polygons (sign faces).
"""
from __future__ import annotations

import math

import numpy as np

from symbolreel.ir import CLOSE, CONIC, CUBIC, LINE, MOVE, QUAD, VERB_POINTS, Path, polygon_verbs
from symbolreel.pathops import glyph_outlines

__all__ = ["homography", "map_path", "layout_outline", "rounded_polygon"]

CUBIC_PIECES = 4


def homography(src, dst) -> np.ndarray:
    """3x3 matrix H mapping the 4 points ``src`` onto ``dst`` (rows (x, y)): dst ~ H @ (x, y, 1)."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    a = np.zeros((8, 8))
    b = np.zeros(8)
    for i, ((x, y), (u, v)) in enumerate(zip(src, dst)):
        a[2 * i] = (x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y)
        a[2 * i + 1] = (0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y)
        b[2 * i], b[2 * i + 1] = u, v
    try:
        h = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise ValueError("degenerate quad: no homography maps the box onto it") from None
    return np.append(h, 1.0).reshape(3, 3)


def _split_cubic(p0, p1, p2, p3, n):
    """``n`` cubics (list of 4-point tuples) covering equal parameter spans of one cubic."""
    out = []
    for k in range(n):
        t0, t1 = k / n, (k + 1) / n
        q = [_cubic_at(p0, p1, p2, p3, t) for t in (t0, t1)]
        d = [_cubic_d(p0, p1, p2, p3, t) * ((t1 - t0) / 3.0) for t in (t0, t1)]
        out.append((q[0], q[0] + d[0], q[1] - d[1], q[1]))
    return out


def _cubic_at(p0, p1, p2, p3, t):
    s = 1.0 - t
    return s * s * s * p0 + 3 * s * s * t * p1 + 3 * s * t * t * p2 + t * t * t * p3


def _cubic_d(p0, p1, p2, p3, t):
    s = 1.0 - t
    return 3 * s * s * (p1 - p0) + 6 * s * t * (p2 - p1) + 3 * t * t * (p3 - p2)


def map_path(points, verbs, weights, h) -> Path:
    """The path (``points`` (N, 2), ``verbs``, conic ``weights`` or None) mapped through the
    homography ``h`` (every point must lie where ``h`` gives a positive depth)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    verbs = np.asarray(verbs, dtype=np.uint8)
    if CUBIC in verbs:
        points, verbs, weights = _split_cubics(points, verbs, weights)
    hom = points @ h[:, :2].T + h[:, 2]
    w = hom[:, 2]
    if len(w) and not (w > 0).all():
        raise ValueError("outline reaches behind the camera")
    out = hom[:, :2] / w[:, None]
    n_conic = int(np.count_nonzero((verbs == QUAD) | (verbs == CONIC)))
    if not n_conic:
        return Path(out, verbs)
    new_w = np.empty(n_conic)
    src_w = iter(() if weights is None else np.asarray(weights, dtype=np.float64).tolist())
    verbs = verbs.copy()
    k = j = 0
    for v in verbs.tolist():
        if v in (QUAD, CONIC):
            base = next(src_w) if v == CONIC else 1.0
            new_w[k] = base * w[j] / math.sqrt(w[j - 1] * w[j + 1])    # start, control, end
            k += 1
        j += VERB_POINTS[v]
    verbs[verbs == QUAD] = CONIC
    return Path(out, verbs, new_w)


def _split_cubics(points, verbs, weights):
    """Replace every cubic by :data:`CUBIC_PIECES` cubics (other verbs unchanged)."""
    pts, vs = [], []
    j = 0
    last = None
    for v in verbs.tolist():
        n = VERB_POINTS[v]
        seg = points[j:j + n]
        if v == CUBIC:
            for piece in _split_cubic(last, seg[0], seg[1], seg[2], CUBIC_PIECES):
                pts += piece[1:]
                vs.append(CUBIC)
        else:
            pts += list(seg)
            vs.append(v)
        if n:
            last = seg[-1]
        j += n
    return np.array(pts, dtype=np.float64).reshape(-1, 2), np.array(vs, np.uint8), weights


# -- glyph outlines ------------------------------------------------------------------------------


def layout_outline(layout) -> tuple:
    """All glyphs of a text layout (``typeset.TextLayout``) as one outline ``(points, verbs, weights)``
    in the layout's coordinates (the glyph outlines the backend draws text with); callers cache it
    with the layout."""
    pts, verbs, weights = [], [], []
    for _, run in layout.runs_upto(1 << 30):
        path = glyph_outlines(run)
        if len(path.verbs):
            pts.append(path.points)
            verbs.append(path.verbs)
            if path.weights is not None:
                weights.append(path.weights)
    if not pts:
        return np.zeros((0, 2)), np.zeros(0, np.uint8), None
    return np.concatenate(pts), np.concatenate(verbs), np.concatenate(weights) if weights else None


# -- rounded polygons ----------------------------------------------------------------------------


def rounded_polygon(pts, radius: float) -> tuple:
    """A closed polygon with its corners rounded: each corner is cut back along both edges by
    ``radius`` (at most half of the edge) and the cut ends are joined by a quadratic whose control
    point is the corner (the same rounding as a corner path effect). ``(points, verbs)``."""
    p = np.asarray(pts, dtype=np.float64)
    n = len(p)
    if radius <= 0 or n < 3:
        return p, polygon_verbs([n])
    nxt = np.roll(p, -1, axis=0)
    d = nxt - p
    ln = np.hypot(d[:, 0], d[:, 1])
    step = d * (np.minimum(radius, ln / 2) / np.where(ln > 0, ln, 1.0))[:, None]
    out, verbs = [], []
    # start on edge 0 just after corner 0, run each edge, then round the next corner
    for i in range(n):
        j = (i + 1) % n
        a, b = p[i] + step[i], nxt[i] - step[i]
        if i == 0:
            out.append(a)
            verbs.append(MOVE)
        out.append(b)
        verbs.append(LINE)
        out += [p[j], p[j] + step[j]]
        verbs.append(QUAD)
    verbs.append(CLOSE)
    return np.array(out), np.array(verbs, np.uint8)
