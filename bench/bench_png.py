"""PNG encoding throughput: symbolreel.sinks.encode_png vs skia's built-in PNG encoder, and vs the
same encoder deflating with the standard library's zlib (what it used before libdeflate).

Content (deterministic, seed per frame): 256x256 opaque frames drawn with Skia: a flat background,
a few flat rectangles, word-like rows of anti-aliased stroked curves, and one 48x48 noise patch.
Only encoding is timed (frames are drawn first). Run:

    .venv/bin/python bench/bench_png.py [--frames 1000] [--size 256]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import zlib

import deflate
import numpy as np
import skia

from symbolreel import sinks
from symbolreel.sinks import encode_png


def draw_frame(index: int, n: int) -> np.ndarray:
    rng = np.random.default_rng([20240501, index])
    surface = skia.Surface(n, n)
    canvas = surface.getCanvas()
    canvas.clear(skia.Color(*(int(v) for v in rng.integers(150, 256, 3))))
    paint = skia.Paint(AntiAlias=True)
    for _ in range(6):
        paint.setColor(skia.Color(*(int(v) for v in rng.integers(0, 256, 3))))
        x, y, w, h = (float(v) for v in rng.integers(0, n, 4))
        canvas.drawRect(skia.Rect.MakeXYWH(x, y, w / 2, h / 2), paint)
    paint.setStyle(skia.Paint.kStroke_Style)
    for _ in range(8):                                        # "words": runs of glyph-like strokes
        paint.setColor(skia.Color(*(int(v) for v in rng.integers(0, 120, 3))))
        paint.setStrokeWidth(float(rng.uniform(1, 3)))
        x, y0 = float(rng.uniform(0, n - 80)), float(rng.uniform(10, n - 10))
        path = skia.Path()
        for _ in range(int(rng.integers(3, 8))):
            u = rng.uniform(size=5)
            path.moveTo(x, y0)
            path.cubicTo(x - 4 + 12 * u[0], y0 - 12 * u[1], x + 8 * u[2], y0 - 12 + 16 * u[3], x + 4 + 6 * u[4], y0)
            x += float(rng.uniform(6, 11))
        canvas.drawPath(path, paint)
    frame = surface.toarray(colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    y, x = rng.integers(0, n - 48, 2)
    frame[y:y + 48, x:x + 48, :3] = rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)
    return frame


def skia_encode(frame: np.ndarray) -> bytes:
    image = skia.Image.fromarray(frame, colorType=skia.kRGBA_8888_ColorType,
                                 alphaType=skia.kPremul_AlphaType, copy=False)
    return bytes(image.encodeToData(skia.EncodedImageFormat.kPNG, 100))


class _StdlibZlib:
    """Stands in for the ``deflate`` module inside :mod:`symbolreel.sinks`: the same PNG encoder, with
    its IDAT deflated by the standard library's zlib."""

    @staticmethod
    def zlib_compress(data, level):
        return zlib.compress(data, level)


def with_stdlib_zlib(fn):
    def run(frame):
        saved, sinks.deflate = sinks.deflate, _StdlibZlib
        try:
            return fn(frame)
        finally:
            sinks.deflate = saved
    return run


def timed(label, fn, frames, baseline=None):
    fn(frames[0])                                             # warm up
    t0 = time.perf_counter()
    total = 0
    for f in frames:
        total += len(fn(f))
    dt = time.perf_counter() - t0
    rate = len(frames) / dt
    avg = total / len(frames)
    extra = ""
    if baseline is not None:
        extra = f"  speed x{rate / baseline[0]:.2f}  size x{avg / baseline[1]:.3f} vs skia"
    print(f"{label:<34} {rate:8.0f} img/s  {dt / len(frames) * 1e3:6.2f} ms/img  {avg / 1024:7.1f} KiB{extra}")
    return rate, avg


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args(argv)

    print(f"run: {' '.join([os.path.basename(sys.executable)] + sys.argv)}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, skia-python {skia.__version__}, "
          f"deflate {deflate.__version__}, zlib {zlib.ZLIB_RUNTIME_VERSION}, {platform.machine()}, {os.cpu_count()} cpus, single thread")
    t0 = time.perf_counter()
    frames = [draw_frame(i, args.size) for i in range(args.frames)]
    print(f"drew {args.frames} frames {args.size}x{args.size} in {time.perf_counter() - t0:.1f}s (not timed below)")
    base = timed("skia encodeToData(kPNG) [baseline]", skia_encode, frames)
    for level in (1, 6):
        for filt in ("none", "sub", "paeth"):
            timed(f"encode_png level={level} filter={filt}",
                  lambda f, lv=level, fl=filt: encode_png(f, lv, filter=fl), frames, base)
    for level in (1, 6, 9):
        timed(f"encode_png level={level}, stdlib zlib", with_stdlib_zlib(lambda f, lv=level: encode_png(f, lv)),
              frames, base)
        if level == 9:
            timed("encode_png level=9", lambda f: encode_png(f, 9), frames, base)
    for level in (1, 6):
        timed(f"encode_png level={level} RGBA (no RGB)",
              lambda f, lv=level: encode_png(f, lv, opaque_as_rgb=False), frames, base)


if __name__ == "__main__":
    main()
