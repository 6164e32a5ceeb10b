"""Animated construction throughput, and the share of frame time spent on geometry (not Skia drawing).

    .venv/bin/python bench/bench_geometry.py            # 120 frames per size
    .venv/bin/python bench/bench_geometry.py --quick    # 30 frames per size

Scene: a triangle whose vertex C moves, with its incircle, circumcircle, the three angle bisectors,
angle marks with values, equal-length ticks and automatic labels (examples/construction.yaml-like).
Columns: frames/s of the whole frame (track sampling + construction + label placement + Skia
drawing into a numpy array), milliseconds per frame, and the share of that time spent in

* ``construct``: evaluating the construction (the float steps; the figure's points and parameters are
  sampled with every other track, at the figure's clock),
* ``geometry``: everything of the figure that is not Skia drawing (construction, local paths,
  label layout and placement) -- the target is < 20 % of the frame.
"""
from __future__ import annotations

import argparse
import os
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import symbolreel as sr  # noqa: E402
from symbolreel.compile import CompiledScene  # noqa: E402
from symbolreel.raster import Renderer  # noqa: E402

SIZES = [(512, 512), (1280, 720)]
FPS = 30


def construction_scene(w, h, n) -> sr.Scene:
    k = min(w, h) / 512
    fig = sr.Figure(
        id="triangle", scale=62 * k, view=(-1.6, -3.2, 6.6, 4.6), exact=False, font_size=18 * k,
        transform=sr.Transform(position=(w / 2, h / 2 + 14 * k)),
        points={"A": (0, 0), "B": (5, 0),
                "C": sr.keys((0, (1, 3.2)), (n / FPS / 2, (3.6, 3.4), "ease-in-out"), (n / FPS, (1, 3.2)))},
        items=[{"polygon": "ABC", "fill": "#E9C46A40"},
               {"incircle": "ABC", "name": "c", "centre": "I", "color": "#2A9D8F"},
               {"circumcircle": "ABC", "name": "k", "centre": "O", "color": "#E76F51"},
               {"bisector": "BAC", "aux": True}, {"bisector": "CBA", "aux": True}, {"bisector": "ACB", "aux": True},
               {"angle": "BAC", "value": True}, {"angle": "CBA", "count": 2}, {"angle": "ACB", "value": True},
               {"midpoint": "AB", "name": "M", "show": False}, {"equal": "AM MB"}])
    return sr.Scene(canvas=sr.Canvas(width=w, height=h, fps=FPS, frames=n), nodes=[fig])


def run(w, h, n) -> dict:
    scene = construction_scene(w, h, n)
    c = CompiledScene(scene)
    r = Renderer(c)
    entry = c.entries[0]
    times = c.times(range(n))
    samples, world, opacity = c.sample(times)
    r.render(0.0)                                          # warm caches / JIT
    t0 = time.perf_counter()
    for i, t in enumerate(times):
        s, wd, op = c.sample([t])
        arr, surface = r.new_frame()
        with surface as canvas:
            r.draw(canvas, t, s[0], wd[0], op[0])
    total = time.perf_counter() - t0
    # geometry alone: the same per-frame work of the figure without drawing
    fig = entry.node
    from symbolreel.primitives.geometry.draw import frame_geometry

    t_geo = t_con = 0.0
    for i, t in enumerate(times):
        p = c.props(entry, samples[i])
        ctx = r.context(entry, p, 1.0, float(t), world[i][entry.index])
        ctx.cache.pop("frame", None)
        a = time.perf_counter()
        ev = ctx.cache["ev"]
        ev.run(*ev.inputs_of(p), p["time"])
        b = time.perf_counter()
        frame_geometry(fig, ctx)
        e = time.perf_counter()
        t_con += b - a
        t_geo += e - b
    return {"fps": n / total, "ms": 1000 * total / n, "construct": t_con / total, "geometry": t_geo / total}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 30 if args.quick else 120
    print(f"$ .venv/bin/python bench/bench_geometry.py{' --quick' if args.quick else ''}   ({n} frames per size)")
    print()
    print("| size | frames/s | ms/frame | construction share | geometry share (target < 20 %) |")
    print("|---|---|---|---|---|")
    for w, h in SIZES:
        res = run(w, h, n)
        print(f"| {w}x{h} | {res['fps']:.0f} | {res['ms']:.2f} | {100 * res['construct']:.1f} % | "
              f"{100 * res['geometry']:.1f} % |")


if __name__ == "__main__":
    main()
