"""Skia typefaces and fonts of the bundled font files (never the system's fonts).

Text layout measures glyphs with these (ink bounds, ascent/descent) and the backend draws with
them, so measured and drawn glyphs are the same: anti-aliased, unhinted, subpixel positioned,
linear metrics (the glyph-run convention of :mod:`symbolreel.ir`).
"""
from __future__ import annotations

import functools

import skia

from ...errors import SceneError


@functools.lru_cache(maxsize=1)
def _font_manager() -> skia.FontMgr:
    # an empty custom manager: fonts come only from files we name, never from the system
    # (this also keeps the system's fontconfig, and its warnings, out of the process)
    return skia.FontMgr.New_Custom_Empty()


@functools.lru_cache(maxsize=64)
def typeface(path: str) -> skia.Typeface:
    """Skia typeface of a font file, loaded through a font manager that never looks at system fonts."""
    tf = _font_manager().makeFromFile(path, 0)
    if tf is None:
        raise SceneError(f"Skia could not load the font file {path}")
    return tf


@functools.lru_cache(maxsize=1024)
def skia_font(path: str, size: float) -> skia.Font:
    """skia.Font of a font file at ``size`` pixels per em, with the IR's glyph-run settings."""
    font = skia.Font(typeface(path), size)
    font.setEdging(skia.Font.Edging.kAntiAlias)
    font.setSubpixel(True)
    font.setHinting(skia.FontHinting.kNone)
    font.setLinearMetrics(True)
    return font
