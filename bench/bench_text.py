"""Text throughput: text-card frames/s with layout caches warm vs cold, and first-layout cost of new strings.

    .venv/bin/python bench/bench_text.py            # full table (~1 minute)
    .venv/bin/python bench/bench_text.py --quick    # fewer frames

Cold = every layout cache (paragraph analysis, HarfBuzz shaping, layouts, Skia blobs) cleared before each
frame, so each frame re-shapes and re-lays-out all of its text; warm = the caches of a running render.
First layout = one ``layout_text`` call for a string never seen before (median of distinct strings).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import symbolreel as sr  # noqa: E402
from symbolreel.primitives.text import typeset  # noqa: E402
from symbolreel.compile import CompiledScene  # noqa: E402
from symbolreel.fonts_access import chain_for  # noqa: E402
from symbolreel.raster import Renderer  # noqa: E402

FPS = 30


def text_card(n, kind):
    nodes = [sr.Rect(size=(560, 280), radius=24, fill="white", stroke=sr.Stroke(color="#D0C8B0", width=3),
                     transform=sr.Transform(position=(320, 180)))]
    if kind == "card":
        nodes += [
            sr.Text(text="Symbols matter", font="sans-bold", size=52, fill="#1D3557",
                    transform=sr.Transform(position=(320, 120))),
            sr.Text(text="符号很重要", size=48, fill="#E63946", transform=sr.Transform(position=(320, 195))),
            sr.Text(text="Exact captions, exact boxes, every frame.", size=22, fill="#457B9D",
                    transform=sr.Transform(position=(320, 265))).animate("reveal", (0, 0.0), (n / FPS, 1.0)),
        ]
    elif kind == "paragraph":
        nodes.append(sr.Text(text=("The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。"
                                   "Hello שלום مرحبا नमस्ते. ") * 2, size=20, width=520, align="justify",
                             transform=sr.Transform(position=(320, 180))))
    elif kind == "vertical":
        nodes.append(sr.Text(text="竖排文字，测试。ABC文字「引号」\n第二列的文字", size=26, direction="vertical",
                             transform=sr.Transform(position=(320, 180))))
    elif kind == "path":
        nodes.append(sr.Text(text="Text that follows a curved path", size=24, valign="baseline",
                             path="M 60 250 Q 320 0 580 250", transform=sr.Transform())
                     .animate("path_offset", (0, 0.0), (n / FPS, 60.0)))
    return sr.Scene(canvas=sr.Canvas(width=640, height=360, fps=FPS, frames=n, background="#FFF8E7"), nodes=nodes)


def clear_caches(renderer=None):
    for fn in (typeset._layout, typeset._itemise, typeset._shape, typeset._measured_path):
        fn.cache_clear()
    if renderer is not None:
        for cache in renderer._node_cache.values():
            cache.clear()


def frames_per_second(scene, n, cold):
    r = Renderer(CompiledScene(scene))
    arr, surface = r.new_frame()
    samples, world, opacity = r.c.sample(r.c.times(range(n)))
    t0 = time.perf_counter()
    with surface as canvas:
        for i in range(n):
            if cold:
                clear_caches(r)
            r.draw(canvas, i / FPS, samples[i], world[i], opacity[i])
    return n / (time.perf_counter() - t0)


def first_layout_us(texts, **kw):
    chain = chain_for("sans", None, None)
    out = []
    for text in texts:
        t0 = time.perf_counter()
        typeset.layout_text(text, chain, 32, **kw)
        out.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 30 if args.quick else 150
    print(f"text frames/s, 640x360, {n} frames (cold = layout caches cleared every frame)")
    print(f"{'scene':<12}{'warm fps':>10}{'cold fps':>10}{'cold/warm':>11}")
    for kind in ("card", "paragraph", "vertical", "path"):
        scene = text_card(n, kind)
        frames_per_second(scene, 3, False)  # JIT and font loading out of the timing
        warm = frames_per_second(scene, n, False)
        cold = frames_per_second(scene, n, True)
        print(f"{kind:<12}{warm:>10.1f}{cold:>10.1f}{cold / warm:>11.2f}")
    k = 40 if args.quick else 200
    cases = {
        "latin word": ([f"Word{i}" for i in range(k)], {}),
        "latin sentence": ([f"The quick brown fox {i} jumps over the lazy dog" for i in range(k)], {}),
        "chinese line": ([f"敏捷的棕色狐狸{i}跳过了懒狗" for i in range(k)], {}),
        "mixed bidi": ([f"Hello {i} שלום مرحبا नमस्ते" for i in range(k)], {}),
        "wrapped para": ([f"The quick brown fox {i} jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。" * 3
                          for i in range(k)], {"width": 300.0, "align": "justify"}),
        "vertical": ([f"竖排文字{i}，测试。ABC" for i in range(k)], {"direction": "vertical"}),
    }
    first_layout_us(["warm up fonts 你好 שלום مرحبا नमस्ते"])
    print()
    print(f"first layout of a new string (median of {k}), microseconds")
    for name, (texts, kw) in cases.items():
        print(f"{name:<16}{first_layout_us(texts, **kw):>10.0f}")


if __name__ == "__main__":
    main()
