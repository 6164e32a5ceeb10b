"""Glyph outlines of font files through FreeType (freetype-py), for backends that draw text as paths.

Outlines are read unscaled and unhinted (``FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING``) in font units
and cached per (font file, glyph id), so one outline serves every size; :func:`glyph_path` returns it
in em units with y pointing down (the IR's glyph-run space is ``size`` pixels per em, y down).
TrueType quadratic segments are kept as quads; a backend without quads converts them exactly.
"""
from __future__ import annotations

import functools
import threading

import freetype
import numpy as np

from ... import ir
from ...errors import SceneError

_LOAD = freetype.FT_LOAD_NO_SCALE | freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_NO_BITMAP
_LOCK = threading.Lock()  # an FT_Face is not safe to use from two threads at once


@functools.lru_cache(maxsize=64)
def _face(path: str) -> freetype.Face:
    try:
        return freetype.Face(path)
    except freetype.FT_Exception as exc:
        raise SceneError(f"FreeType could not load the font file {path}: {exc}") from None


def units_per_em(path: str) -> int:
    return int(_face(path).units_per_EM)


@functools.lru_cache(maxsize=65536)
def glyph_path(path: str, gid: int) -> ir.Path:
    """Outline of glyph ``gid`` of the font file ``path`` in em units (1.0 = one em), y down."""
    face = _face(path)
    with _LOCK:
        face.load_glyph(int(gid), _LOAD)
        outline = face.glyph.outline
        pts: list = []
        verbs: list = []
        scale = 1.0 / face.units_per_EM

        def move_to(a, _):
            if verbs:
                verbs.append(ir.CLOSE)
            verbs.append(ir.MOVE)
            pts.append((a.x * scale, -a.y * scale))

        def line_to(a, _):
            verbs.append(ir.LINE)
            pts.append((a.x * scale, -a.y * scale))

        def conic_to(a, b, _):  # FreeType's "conic" is a quadratic Bézier
            verbs.append(ir.QUAD)
            pts.extend(((a.x * scale, -a.y * scale), (b.x * scale, -b.y * scale)))

        def cubic_to(a, b, c, _):
            verbs.append(ir.CUBIC)
            pts.extend(((a.x * scale, -a.y * scale), (b.x * scale, -b.y * scale), (c.x * scale, -c.y * scale)))

        if outline.n_contours:
            outline.decompose(None, move_to=move_to, line_to=line_to, conic_to=conic_to, cubic_to=cubic_to)
            verbs.append(ir.CLOSE)
    return ir.Path(np.array(pts, dtype=np.float64).reshape(-1, 2), np.array(verbs, dtype=np.uint8))
