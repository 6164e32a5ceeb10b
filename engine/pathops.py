"""Geometry on IR paths that nodes and annotations need: tight bounds, trimming, length, point and
tangent at a length, glyph outlines.

One module so that nodes never touch a drawing library for geometry; today the kernel is Skia's
path code (``PathMeasure``, ``computeTightBounds``: the same maths the raster backend strokes and
trims with, so annotations match the pixels).
"""
from __future__ import annotations

import numpy as np
import skia

from . import ir
from .backends.skia.draw import skia_matrix
from .backends.skia.fonts import skia_font
from .backends.skia.paths import from_skia_path, native_path


def tight_bounds(geom, matrix=None) -> tuple:
    """(x0, y0, x1, y1) of the geometry's outline (curve extrema, not control points), after ``matrix``."""
    # through the float32 path even for rectangles: annotations keep the values the drawn outline has
    path = native_path(geom)
    if matrix is not None:
        path = skia.Path(path)
        path.transform(skia_matrix(matrix))
    b = path.computeTightBounds()
    return (b.left(), b.top(), b.right(), b.bottom())


def is_empty(geom) -> bool:
    if isinstance(geom, ir.Path):
        return geom.is_empty()
    return False


def trimmed(geom, start: float, end: float) -> ir.Path:
    """The part of the outline between fractions start..end of its total length (as a trimmed stroke
    draws it: contours in order, each keeping its share)."""
    path = native_path(geom)
    lengths = []
    m = skia.PathMeasure(path, False)
    while True:
        lengths.append(m.getLength())
        if not m.nextContour():
            break
    total = sum(lengths)
    out = skia.Path()
    if total > 0 and end > start:
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
    return from_skia_path(out)


class Measure:
    """Length and point/tangent along the first contour of a geometry."""

    def __init__(self, geom):
        self._m = skia.PathMeasure(native_path(geom), False)
        self.length = self._m.getLength()
        self.closed = self._m.isClosed()

    def pos_tan(self, s: float) -> tuple:
        """(x, y, tx, ty) at arc length ``s`` (clamped to the contour)."""
        pos, tan = self._m.getPosTan(s)
        return float(pos.x()), float(pos.y()), float(tan.x()), float(tan.y())


def glyph_outlines(run: ir.GlyphRun, dx: float = 0.0, dy: float = 0.0) -> ir.Path:
    """All glyphs of a run as one path in the run's coordinates (for backends without fonts, for
    projecting text through a perspective before emitting it)."""
    font = skia_font(run.font, run.size)
    out = skia.Path()
    for gid, (c, s, tx, ty) in zip(run.glyphs.tolist(), run.xforms.tolist()):
        g = font.getPath(gid)
        if g is None:
            continue
        out.addPath(g, skia.Matrix.MakeAll(c, -s, tx + dx, s, c, ty + dy, 0.0, 0.0, 1.0))
    return from_skia_path(out)


def as_path(geom) -> ir.Path:
    """Any IR geometry as an IR Path."""
    if isinstance(geom, ir.Path):
        return geom
    return from_skia_path(native_path(geom))


def transform_points(m, pts) -> np.ndarray:
    """(N, 2) points under a 2x3 matrix (None = identity)."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    if m is None:
        return pts
    return pts @ m[:, :2].T + m[:, 2]


def svg_arc(cur, rx: float, ry: float, rotation: float, large: bool, sweep: bool, end) -> tuple:
    """An SVG elliptical arc from ``cur`` to ``end`` as IR path pieces ``(points, verbs, conic weights)``
    (without the leading move): the conics Skia's ``arcTo`` builds, so a drawn arc matches Skia's."""
    p = skia.Path()
    p.moveTo(*cur)
    p.arcTo(rx, ry, rotation, skia.Path.ArcSize.kLarge_ArcSize if large else skia.Path.ArcSize.kSmall_ArcSize,
            skia.PathDirection.kCW if sweep else skia.PathDirection.kCCW, *end)
    q = from_skia_path(p)
    pts = [tuple(x) for x in q.points[1:].tolist()]
    weights = [] if q.weights is None else q.weights.tolist()
    return pts, q.verbs[1:].tolist(), weights
