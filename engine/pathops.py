"""Geometry on IR paths that nodes and annotations need: tight bounds, trimming, length, point and
tangent at a length, glyph outlines.

One module so that nodes never touch a drawing library for geometry; today the kernel is Skia's
path code (``PathMeasure``, ``computeTightBounds``: the same maths the raster backend strokes and
trims with, so annotations match the pixels).
"""
from __future__ import annotations

import sys

import numpy as np

from . import ir


class _Skia:
    """Skia and the Skia backend's converters, imported on first use (light imports: loading scenes
    and reading annotations never loads Skia); after that, plain attribute look-ups."""

    def __getattr__(self, name):
        import skia  # deferred: see the class docstring (light imports)

        from .backends.skia import draw, fonts, paths  # deferred with it

        self.__dict__.update(skia=skia, skia_matrix=draw.skia_matrix, skia_font=fonts.skia_font,
                             from_skia_path=paths.from_skia_path, native_path=paths.native_path)
        return self.__dict__[name]


_sk = _Skia()


def tight_bounds(geom, matrix=None) -> tuple:
    """(x0, y0, x1, y1) of the geometry's outline (curve extrema, not control points), after ``matrix``."""
    # through the float32 path even for rectangles: annotations keep the values the drawn outline has
    path = _sk.native_path(geom)
    if matrix is not None:
        path = _sk.skia.Path(path)
        path.transform(_sk.skia_matrix(matrix))
    b = path.computeTightBounds()
    return (b.left(), b.top(), b.right(), b.bottom())


def is_empty(geom) -> bool:
    if isinstance(geom, ir.Path):
        return geom.is_empty()
    return False


def trimmed(geom, start: float, end: float) -> ir.Path:
    """The part of the outline between fractions start..end of its total length (as a trimmed stroke
    draws it: contours in order, each keeping its share)."""
    path = _sk.native_path(geom)
    lengths = []
    m = _sk.skia.PathMeasure(path, False)
    while True:
        lengths.append(m.getLength())
        if not m.nextContour():
            break
    total = sum(lengths)
    out = _sk.skia.Path()
    if total > 0 and end > start:
        a, b = start * total, end * total
        m = _sk.skia.PathMeasure(path, False)
        offset = 0.0
        for length in lengths:
            lo, hi = max(a - offset, 0.0), min(b - offset, length)
            if hi > lo:
                m.getSegment(lo, hi, out, True)
            offset += length
            if not m.nextContour():
                break
    return _sk.from_skia_path(out)


class Measure:
    """Length and point/tangent along the first contour of a geometry."""

    def __init__(self, geom):
        self._m = _sk.skia.PathMeasure(_sk.native_path(geom), False)
        self.length = self._m.getLength()
        self.closed = self._m.isClosed()

    def pos_tan(self, s: float) -> tuple:
        """(x, y, tx, ty) at arc length ``s`` (clamped to the contour)."""
        pos, tan = self._m.getPosTan(s)
        return float(pos.x()), float(pos.y()), float(tan.x()), float(tan.y())


def glyph_outlines(run: ir.GlyphRun, dx: float = 0.0, dy: float = 0.0) -> ir.Path:
    """All glyphs of a run as one path in the run's coordinates (for backends without fonts, for
    projecting text through a perspective before emitting it)."""
    font = _sk.skia_font(run.font, run.size)
    out = _sk.skia.Path()
    for gid, (c, s, tx, ty) in zip(run.glyphs.tolist(), run.xforms.tolist()):
        g = font.getPath(gid)
        if g is None:
            continue
        out.addPath(g, _sk.skia.Matrix.MakeAll(c, -s, tx + dx, s, c, ty + dy, 0.0, 0.0, 1.0))
    return _sk.from_skia_path(out)


def as_path(geom) -> ir.Path:
    """Any IR geometry as an IR Path."""
    if isinstance(geom, ir.Path):
        return geom
    return _sk.from_skia_path(_sk.native_path(geom))


def clipped_pieces(points, t_lo, t_hi, dead) -> list:
    """The pieces of a polyline (N, D) whose segments were clipped to parameter intervals: segment i
    runs from ``p_i + t_lo[i] d_i`` to ``p_i + t_hi[i] d_i`` (``d_i = p_(i+1) - p_i``) unless
    ``dead[i]``; a segment cut at its start (``t_lo > 0``) or after a dead one starts a new piece, one
    cut at its end (``t_hi < 1``) ends its piece; pieces of fewer than 2 points are dropped.

    Every end is computed in one array expression, with the same product and sum per element as one
    segment at a time (so the same bits); only the cutting is a Python loop."""
    points = np.asarray(points, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):   # dead segments may hold inf or NaN
        d = points[1:] - points[:-1]
        t_lo, t_hi = np.asarray(t_lo, np.float64), np.asarray(t_hi, np.float64)
        starts, ends = points[:-1] + t_lo[:, None] * d, points[:-1] + t_hi[:, None] * d
    lo, hi, dead = t_lo.tolist(), t_hi.tolist(), np.asarray(dead, bool).tolist()
    pieces, cur = [], []
    for i in range(len(points) - 1):
        if dead[i]:
            if len(cur) >= 2:
                pieces.append(np.array(cur))
            cur = []
            continue
        if not cur or lo[i] > 0:
            if len(cur) >= 2:
                pieces.append(np.array(cur))
            cur = [starts[i]]
        cur.append(ends[i])
        if hi[i] < 1:
            pieces.append(np.array(cur))
            cur = []
    if len(cur) >= 2:
        pieces.append(np.array(cur))
    return pieces


def transform_points(m, pts) -> np.ndarray:
    """(N, 2) points under a 2x3 matrix (None = identity)."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    if m is None:
        return pts
    return pts @ m[:, :2].T + m[:, 2]


def svg_arc(cur, rx: float, ry: float, rotation: float, large: bool, sweep: bool, end) -> tuple:
    """An SVG elliptical arc from ``cur`` to ``end`` as IR path pieces ``(points, verbs, conic weights)``
    (without the leading move): the conics Skia's ``arcTo`` builds, so a drawn arc matches Skia's."""
    p = _sk.skia.Path()
    p.moveTo(*cur)
    p.arcTo(rx, ry, rotation, _sk.skia.Path.ArcSize.kLarge_ArcSize if large else _sk.skia.Path.ArcSize.kSmall_ArcSize,
            _sk.skia.PathDirection.kCW if sweep else _sk.skia.PathDirection.kCCW, *end)
    q = _sk.from_skia_path(p)
    pts = [tuple(x) for x in q.points[1:].tolist()]
    weights = [] if q.weights is None else q.weights.tolist()
    return pts, q.verbs[1:].tolist(), weights


def font_extents(font_file: str) -> tuple:
    """(ascent, descent) of a font file per pixel of size, both positive (the drawn glyphs' metrics)."""
    m = _sk.skia_font(font_file, 1000.0).getMetrics()
    return -m.fAscent / 1000.0, m.fDescent / 1000.0


def glyph_ink_bounds(font_file: str, size: float, glyphs) -> np.ndarray:
    """(N, 4) ink boxes (x0, y0, x1, y1) of glyph ids at ``size`` pixels per em, relative to each origin."""
    rects = _sk.skia_font(font_file, size).getBounds(np.asarray(glyphs).tolist())
    return np.array([(r.left(), r.top(), r.right(), r.bottom()) for r in rects], dtype=np.float64).reshape(-1, 4)


def forget_font_files() -> None:
    """Drop the cached fonts of the Skia backend (a font file changed on disk); nothing when not loaded."""
    fonts = sys.modules.get(__package__ + ".backends.skia.fonts")
    if fonts is not None:
        fonts.typeface.cache_clear()
        fonts.skia_font.cache_clear()
