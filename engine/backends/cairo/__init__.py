"""Cairo backend (cairocffi): draws :class:`symbolreel.ir.Frame` display lists to pixels, SVG and PDF.

    backend = CairoBackend()
    rgba = backend.render(frame)            # (H, W, 4) uint8, premultiplied, like the Skia backend

Text is drawn as glyph outlines that FreeType reads from the same font files as Skia; what Cairo
lacks is listed in :mod:`.draw`. Needs the system Cairo library (Debian: ``libcairo2``).
"""
from .draw import EFFECTS, CairoBackend, cairo_matrix

__all__ = ["CairoBackend", "EFFECTS", "cairo_matrix"]
