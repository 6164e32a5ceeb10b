"""The ``asphalt_noise`` effect: seeded fractal noise darkening a road surface, fixed to the ground.

Params (see ``primitives/road/frame.py``, which emits it): ``seed``, ``strength`` (alpha of black
where the noise is 1), ``base_frequency`` and ``octaves`` of the fractal noise (in ground metres),
``ground_to_local`` (3x3 row-major projective map from ground metres to the item's coordinates: a
texture-coordinate map; the region itself is already projected), ``centre`` / ``radius`` / ``stops``
of the radial fade (in ground metres). The noise's red channel becomes the alpha of black.
"""
from __future__ import annotations

import skia

from .draw import register_effect
from .paths import native_path


@register_effect("asphalt_noise")
def draw_asphalt_noise(backend, canvas, effect) -> None:
    p = effect.params
    fx, fy = p["base_frequency"]
    noise = skia.PerlinNoiseShader.MakeFractalNoise(float(fx), float(fy), int(p["octaves"]), float(p["seed"]))
    k = float(p["strength"])
    dark = noise.makeWithColorFilter(skia.ColorFilters.Matrix(
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, k, 0, 0, 0, 0]))
    cx, cy = p["centre"]
    fade = skia.GradientShader.MakeRadial(skia.Point(float(cx), float(cy)), float(p["radius"]),
                                          [skia.ColorBLACK, skia.ColorTRANSPARENT], list(p["stops"]))
    local = skia.Matrix.MakeAll(*(float(v) for v in p["ground_to_local"]))
    shader = skia.Shaders.Blend(skia.BlendMode.kDstIn, dark, fade).makeWithLocalMatrix(local)
    canvas.drawPath(native_path(effect.geom), skia.Paint(AntiAlias=True, Shader=shader))
