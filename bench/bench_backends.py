"""Cairo vs Skia on the bundled example scenes, and SVG / PDF export cost per frame.

    .venv/bin/python bench/bench_backends.py            # 30 frames per scene
    .venv/bin/python bench/bench_backends.py --frames 10

Both backends draw the same display lists (emitted once per frame, outside the timing), so the
columns compare the rasterisers alone: frames/s of Skia, of Cairo, and their ratio (Cairo / Skia).
Then the vector sinks: milliseconds and bytes per frame for SVG (one file per frame) and PDF (one
page per frame), including emitting the display list.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import symbolreel as sr  # noqa: E402
from symbolreel.backends.cairo import CairoBackend  # noqa: E402
from symbolreel.backends.skia import SkiaBackend  # noqa: E402
from symbolreel.compile import CompiledScene  # noqa: E402
from symbolreel.raster import Renderer  # noqa: E402
from symbolreel.vector import pdf_bytes, svg_bytes  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
SCENES = ("text_card", "geometry", "construction", "road", "lanes_perspective", "road_signs")


def display_lists(name: str, n: int):
    scene = sr.load(os.path.join(EXAMPLES, f"{name}.yaml"))
    r = Renderer(CompiledScene(scene, EXAMPLES))
    idx = [round(k * (scene.n_frames - 1) / max(n - 1, 1)) for k in range(n)]
    times = r.c.times(idx)
    samples, world, opacity = r.c.sample(times)
    return [r.emit(float(times[k]), samples[k], world[k], opacity[k]) for k in range(n)]


def best_rate(fn, frames, repeats=3) -> float:
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        for f in frames:
            fn(f)
        best = max(best, len(frames) / (time.perf_counter() - t0))
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30)
    args = ap.parse_args()
    skia_b, cairo_b = SkiaBackend(), CairoBackend()
    print(f"{'scene':<18} {'skia f/s':>9} {'cairo f/s':>9} {'cairo/skia':>10} {'svg ms':>7} {'svg KB':>7} "
          f"{'pdf ms/pg':>9} {'pdf KB/pg':>9}")
    for name in SCENES:
        frames = display_lists(name, args.frames)
        skia_b.render(frames[0])  # warm caches on both sides
        cairo_b.render(frames[0])
        s = best_rate(skia_b.render, frames)
        c = best_rate(cairo_b.render, frames)
        t0 = time.perf_counter()
        sizes = [len(svg_bytes(f)) for f in frames]
        svg_ms = (time.perf_counter() - t0) * 1000 / len(frames)
        t0 = time.perf_counter()
        pdf = pdf_bytes(frames)
        pdf_ms = (time.perf_counter() - t0) * 1000 / len(frames)
        print(f"{name:<18} {s:9.0f} {c:9.0f} {c / s:10.2f} {svg_ms:7.1f} {sum(sizes) / len(sizes) / 1024:7.1f} "
              f"{pdf_ms:9.1f} {len(pdf) / len(frames) / 1024:9.1f}")


if __name__ == "__main__":
    main()
