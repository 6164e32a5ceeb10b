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

import numpy as np
from symbolreel.jit import kernel

from symbolreel.ir import CLOSE, CONIC, CUBIC, LINE, MOVE, QUAD, VERB_POINTS, Path, polygon_verbs
from symbolreel.pathops import glyph_outlines

__all__ = ["homography", "Outline", "map_outline", "map_path", "layout_outline", "rounded_polygon"]

CUBIC_PIECES = 4


def homography(src, dst) -> np.ndarray:
    """3x3 matrix H mapping the 4 points ``src`` onto ``dst`` (rows (x, y)): dst ~ H @ (x, y, 1)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = (tuple(map(float, q)) for q in src)
    if y0 == y1 and y2 == y3 and x0 == x3 and x1 == x2 and x1 != x0 and y3 != y0:
        # an axis-aligned box (every use here): box -> unit square -> quad, in closed form
        a, b, c, d, e, f, g, h = _square_to_quad(np.asarray(dst, dtype=np.float64).tolist())
        sx, sy = 1.0 / (x1 - x0), 1.0 / (y3 - y0)
        return np.array([[a * sx, b * sy, c - a * sx * x0 - b * sy * y0],
                         [d * sx, e * sy, f - d * sx * x0 - e * sy * y0],
                         [g * sx, h * sy, 1.0 - g * sx * x0 - h * sy * y0]])
    m = np.zeros((8, 8))
    v = np.zeros(8)
    for i, ((x, y), (u, w)) in enumerate(zip(np.asarray(src, dtype=np.float64), np.asarray(dst, dtype=np.float64))):
        m[2 * i] = (x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y)
        m[2 * i + 1] = (0.0, 0.0, 0.0, x, y, 1.0, -w * x, -w * y)
        v[2 * i], v[2 * i + 1] = u, w
    try:
        sol = np.linalg.solve(m, v)
    except np.linalg.LinAlgError:
        raise ValueError("degenerate quad: no homography maps the box onto it") from None
    return np.append(sol, 1.0).reshape(3, 3)


def _square_to_quad(q) -> tuple:
    """``(a, b, c, d, e, f, g, h)`` of the homography [[a, b, c], [d, e, f], [g, h, 1]] mapping the unit
    square's corners (0,0), (1,0), (1,1), (0,1) onto the quad ``q`` (Heckbert's closed form)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q
    sx, sy = x0 - x1 + x2 - x3, y0 - y1 + y2 - y3
    if sx == 0.0 and sy == 0.0:          # a parallelogram: affine
        return (x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0.0, 0.0)
    dx1, dx2, dy1, dy2 = x1 - x2, x3 - x2, y1 - y2, y3 - y2
    den = dx1 * dy2 - dx2 * dy1
    if den == 0.0:
        raise ValueError("degenerate quad: no homography maps the box onto it")
    g = (sx * dy2 - dx2 * sy) / den
    h = (dx1 * sy - sx * dy1) / den
    return (x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h)


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


class _Prepared:
    """Points and verbs with, for every conic (quads are conics of weight 1), the indices of its
    start, control and end points and its weight."""

    __slots__ = ("points", "verbs", "conic_idx", "conic_w")

    def __init__(self, points, verbs, weights):
        first = np.concatenate(([0], np.cumsum(np.asarray(VERB_POINTS, np.int64)[verbs])[:-1]))
        curved = (verbs == QUAD) | (verbs == CONIC)
        ctrl = first[curved]
        self.conic_idx = np.ascontiguousarray(np.stack([ctrl - 1, ctrl, ctrl + 1], axis=1), dtype=np.int64)
        base = np.ones(len(ctrl))
        if weights is not None and len(weights):
            base[verbs[curved] == CONIC] = np.asarray(weights, dtype=np.float64)
        self.conic_w = base
        self.points = np.ascontiguousarray(points, dtype=np.float64)
        self.verbs = np.where(curved, CONIC, verbs).astype(np.uint8)


class Outline:
    """A path prepared for repeated mapping through homographies. Cubics are split into up to
    :data:`CUBIC_PIECES` pieces, as many as the mapping's perspective needs (see :func:`map_outline`);
    each variant is built once."""

    __slots__ = ("points", "verbs", "weights", "corners", "_variants")

    def __init__(self, points, verbs, weights=None):
        self.points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self.verbs = np.asarray(verbs, dtype=np.uint8)
        self.weights = weights
        if len(self.points):
            (x0, y0), (x1, y1) = self.points.min(axis=0), self.points.max(axis=0)
            self.corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x1, y1, 1.0], [x0, y1, 1.0]])
        else:
            self.corners = np.zeros((0, 3))
        self._variants: dict = {}

    def prepared(self, pieces: int) -> _Prepared:
        """The outline with every cubic split into ``pieces`` (1: as it is)."""
        if CUBIC not in self.verbs:
            pieces = 1
        hit = self._variants.get(pieces)
        if hit is None:
            pts, verbs = (self.points, self.verbs) if pieces == 1 else _split_cubics(self.points, self.verbs, pieces)
            hit = self._variants[pieces] = _Prepared(pts, verbs, self.weights)
        return hit


def map_outline(outline: Outline, h) -> Path:
    """The prepared outline mapped through the homography ``h`` (every point must lie where ``h``
    gives a positive depth). Conics map exactly; a cubic's mapped control points approximate the
    mapped curve, so cubics are split by how much the depth ``w`` varies over the outline's box:
    whole when it varies by under 2 % (nearly affine there), in 2 under 10 %, else in 4."""
    if not len(outline.points):
        return Path(outline.points, outline.verbs)
    wc = outline.corners @ h[2]
    if not (wc > 0).all():
        raise ValueError("outline reaches behind the camera")
    ratio = wc.max() / wc.min()
    pr = outline.prepared(1 if ratio < 1.02 else 2 if ratio < 1.1 else CUBIC_PIECES)
    out, weights = _map_points(pr.points, np.ascontiguousarray(h, dtype=np.float64), pr.conic_idx, pr.conic_w)
    return Path(out, pr.verbs, weights if len(weights) else None)


@kernel(cache=True)
def _map_points(pts, h, conic_idx, conic_w):
    """Points through the homography, and each conic's weight times w1 / sqrt(w0 * w2) (its start,
    control and end point's depths): one compiled pass instead of a dozen NumPy calls per outline."""
    n = pts.shape[0]
    out = np.empty((n, 2))
    w = np.empty(n)
    for i in range(n):
        x, y = pts[i, 0], pts[i, 1]
        wi = h[2, 0] * x + h[2, 1] * y + h[2, 2]
        out[i, 0] = (h[0, 0] * x + h[0, 1] * y + h[0, 2]) / wi
        out[i, 1] = (h[1, 0] * x + h[1, 1] * y + h[1, 2]) / wi
        w[i] = wi
    m = conic_idx.shape[0]
    weights = np.empty(m)
    for k in range(m):
        weights[k] = conic_w[k] * w[conic_idx[k, 1]] / np.sqrt(w[conic_idx[k, 0]] * w[conic_idx[k, 2]])
    return out, weights


def map_path(points, verbs, weights, h) -> Path:
    """The path (``points`` (N, 2), ``verbs``, conic ``weights`` or None) mapped through the
    homography ``h``; for a path mapped every frame, build its :class:`Outline` once."""
    return map_outline(Outline(points, verbs, weights), h)


def _split_cubics(points, verbs, pieces=CUBIC_PIECES):
    """Replace every cubic by ``pieces`` cubics (other verbs unchanged)."""
    pts, vs = [], []
    j = 0
    last = None
    for v in verbs.tolist():
        n = VERB_POINTS[v]
        seg = points[j:j + n]
        if v == CUBIC:
            for piece in _split_cubic(last, seg[0], seg[1], seg[2], pieces):
                pts += piece[1:]
                vs.append(CUBIC)
        else:
            pts += list(seg)
            vs.append(v)
        if n:
            last = seg[-1]
        j += n
    return np.array(pts, dtype=np.float64).reshape(-1, 2), np.array(vs, np.uint8)


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
