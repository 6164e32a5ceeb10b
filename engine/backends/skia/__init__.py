"""Skia raster backend: draws :class:`symbolreel.ir.Frame` display lists with skia-python.

    backend = SkiaBackend()
    rgba = backend.render(frame)            # (H, W, 4) uint8, premultiplied
    backend.draw(canvas, frame)             # onto any skia.Canvas
    backend.draw_items(canvas, items)       # a sub-list (masks use this)

Named procedural effects are looked up in :data:`EFFECTS` (``register_effect``); an unknown name
draws the effect's ``fallback`` items.
"""
from . import asphalt  # noqa: F401  (registers the asphalt_noise effect)
from .draw import EFFECTS, SkiaBackend, register_effect, skia_matrix
from .paths import from_skia_path, to_skia_path

__all__ = ["SkiaBackend", "EFFECTS", "register_effect", "skia_matrix", "to_skia_path", "from_skia_path"]
