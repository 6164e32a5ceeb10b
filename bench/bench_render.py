"""Engine throughput vs a hand-written skia-python loop drawing the same content, in the same run.

    .venv/bin/python bench/bench_render.py            # full table (a few minutes)
    .venv/bin/python bench/bench_render.py --quick    # fewer frames, for a smoke run

Prints frames/s for (a) render to numpy and (b) render + H.264 encode, for three standard scenes
at three sizes, and images/s for 1,000 PNG stills; ratios are engine / hand-written (higher is better).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np
import skia

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import symbolreel as sr  # noqa: E402
from symbolreel import fonts  # noqa: E402
from symbolreel.sinks import Mp4Writer, write_png  # noqa: E402

SIZES = [(256, 256), (512, 512), (1280, 720)]
FPS = 30


# ----------------------------------------------------------------- standard scenes (engine side)

def text_card(w, h, n):
    k = min(w, h) / 512
    return sr.Scene(canvas=sr.Canvas(width=w, height=h, fps=FPS, frames=n, background="#FFF8E7"), nodes=[
        sr.Rect(size=(w * 0.85, h * 0.7), radius=24 * k, fill="white", stroke=sr.Stroke(color="#D0C8B0", width=3),
                transform=sr.Transform(position=(w / 2, h / 2))),
        sr.Text(text="Symbols matter", size=52 * k, fill="#1D3557", font="sans",
                transform=sr.Transform(position=(w / 2, h * 0.38), opacity=sr.Track(
                    keys=(sr.Key(0, (0.2,)), sr.Key(n / FPS, (1.0,)))))),
        sr.Text(text="符号很重要", size=48 * k, fill="#E63946", transform=sr.Transform(position=(w / 2, h * 0.55))),
        sr.Text(text="Exact captions, every frame.", size=22 * k, fill="#457B9D",
                transform=sr.Transform(position=(w / 2, h * 0.72))),
    ])


def geometry(w, h, n):
    k = min(w, h) / 512
    r = 150 * k
    pts = [(r * math.sin(a), -r * math.cos(a)) for a in (0, 2 * math.pi / 3, 4 * math.pi / 3)]
    return sr.Scene(canvas=sr.Canvas(width=w, height=h, fps=FPS, frames=n), nodes=[
        sr.Group(transform=sr.Transform(position=(w / 2, h / 2), rotation=sr.Track(
            keys=(sr.Key(0, (0.0,)), sr.Key(n / FPS, (120.0,))))), children=[
            sr.Circle(radius=r, fill=None, stroke=sr.Stroke(color="#2A9D8F", width=3)),
            sr.Polygon(points=pts, fill="rgba(233, 196, 106, 0.6)", stroke=sr.Stroke(color="#264653", width=3)),
            sr.Line(start=pts[0], end=(0, r / 2), stroke=sr.Stroke(color="#E76F51", width=2, dash=(8, 6))),
        ]),
        sr.Text(text="a + b + c = 180°", size=24 * k, fill="#264653", transform=sr.Transform(position=(w / 2, h * 0.92))),
    ])


def lanes(w, h, n):
    xs = [w * f for f in (0.2, 0.4, 0.6, 0.8)]
    nodes = [sr.Rect(size=(w * 0.7, h), fill="#505050", transform=sr.Transform(position=(w / 2, h / 2)))]
    for i, x in enumerate(xs):
        dashed = 0 < i < 3
        nodes.append(sr.Line(start=(x, 0), end=(x, h), stroke=sr.Stroke(
            color="white", width=4, dash=(30, 45) if dashed else None,
            dash_offset=sr.Track(keys=(sr.Key(0, (0.0,)),), speed=(-90.0,)) if dashed else 0.0)))
    return sr.Scene(canvas=sr.Canvas(width=w, height=h, fps=FPS, frames=n, background="#3A7D44"), nodes=nodes)


# ----------------------------------------------------------------- the same content, hand-written

def _font(name, size):
    from symbolreel.typeset import typeface

    f = skia.Font(typeface(str(fonts.font_path(fonts.resolve(name)[0]))), size)
    f.setEdging(skia.Font.Edging.kAntiAlias)
    f.setSubpixel(True)
    return f


def hand_text_card(w, h, n):
    k = min(w, h) / 512
    latin, cjk = _font("sans", 52 * k), _font("sans-sc", 48 * k)
    small = _font("sans", 22 * k)
    blobs = [(skia.TextBlob.MakeFromString("Symbols matter", latin), latin),
             (skia.TextBlob.MakeFromString("符号很重要", cjk), cjk),
             (skia.TextBlob.MakeFromString("Exact captions, every frame.", small), small)]
    widths = [f.measureText(t) for t, f in zip(["Symbols matter", "符号很重要", "Exact captions, every frame."],
                                              [latin, cjk, small])]
    card = skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(w * 0.075, h * 0.15, w * 0.85, h * 0.7), 24 * k, 24 * k)

    def draw(c, i):
        c.clear(0xFFFFF8E7)
        c.drawRRect(card, skia.Paint(Color=0xFFFFFFFF, AntiAlias=True))
        c.drawRRect(card, skia.Paint(Color=0xFFD0C8B0, AntiAlias=True, Style=skia.Paint.kStroke_Style,
                                     StrokeWidth=3))
        a = 0.2 + 0.8 * i / n
        for (blob, _), wd, y, col in zip(blobs, widths, (0.38, 0.55, 0.72), (0xFF1D3557, 0xFFE63946, 0xFF457B9D)):
            p = skia.Paint(Color=col, AntiAlias=True)
            if y == 0.38:
                p.setAlphaf(a)
            c.drawTextBlob(blob, w / 2 - wd / 2, h * y, p)
    return draw


def hand_geometry(w, h, n):
    k = min(w, h) / 512
    r = 150 * k
    pts = [(r * math.sin(a), -r * math.cos(a)) for a in (0, 2 * math.pi / 3, 4 * math.pi / 3)]
    tri = skia.Path()
    tri.addPoly([skia.Point(*p) for p in pts], True)
    font = _font("sans", 24 * k)
    blob = skia.TextBlob.MakeFromString("a + b + c = 180°", font)
    tw = font.measureText("a + b + c = 180°")

    def draw(c, i):
        c.clear(0xFFFFFFFF)
        c.save()
        c.translate(w / 2, h / 2)
        c.rotate(120.0 * i / n)
        c.drawCircle(0, 0, r, skia.Paint(Color=0xFF2A9D8F, AntiAlias=True, Style=skia.Paint.kStroke_Style,
                                          StrokeWidth=3))
        c.drawPath(tri, skia.Paint(Color4f=skia.Color4f(233 / 255, 196 / 255, 106 / 255, 0.6), AntiAlias=True))
        c.drawPath(tri, skia.Paint(Color=0xFF264653, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=3))
        c.drawLine(pts[0][0], pts[0][1], 0, r / 2, skia.Paint(
            Color=0xFFE76F51, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=2,
            PathEffect=skia.DashPathEffect.Make([8, 6], 0)))
        c.restore()
        c.drawTextBlob(blob, w / 2 - tw / 2, h * 0.92, skia.Paint(Color=0xFF264653, AntiAlias=True))
    return draw


def hand_lanes(w, h, n):
    xs = [w * f for f in (0.2, 0.4, 0.6, 0.8)]

    def draw(c, i):
        c.clear(0xFF3A7D44)
        c.drawRect(skia.Rect.MakeXYWH(w * 0.15, 0, w * 0.7, h), skia.Paint(Color=0xFF505050, AntiAlias=True))
        for j, x in enumerate(xs):
            p = skia.Paint(Color=0xFFFFFFFF, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=4)
            if 0 < j < 3:
                p.setPathEffect(skia.DashPathEffect.Make([30, 45], -90.0 * i / FPS))
            c.drawLine(x, 0, x, h, p)
    return draw


SCENES = [("text card", text_card, hand_text_card), ("geometry", geometry, hand_geometry),
          ("lanes", lanes, hand_lanes)]


def freeze(obj, t):
    """The same scene with every track replaced by its value at time ``t`` (animation off).

    Freezing mid-clip (not at the first key) keeps the content comparable: e.g. a figure frozen
    at 0 degrees has axis-aligned edges that Skia fills faster than the rotated ones it animates
    through, which would charge the content, not the animation, to the animated run.
    """
    import dataclasses

    from symbolreel.animators import Track, pack_tracks, sample_tracks
    from symbolreel.fields import _unflat, specs

    changes = {}
    for name, spec, _ in specs(type(obj)):
        v = getattr(obj, name)
        if isinstance(v, Track):
            value = sample_tracks(pack_tracks([v], [spec.kind == "colour"]), [t])[0]
            changes[name] = _unflat(spec, tuple(float(x) for x in value))
        elif spec.kind == "struct" and v is not None:
            changes[name] = freeze(v, t)
        elif spec.kind == "nodes":
            changes[name] = tuple(freeze(n, t) for n in v)
    return dataclasses.replace(obj, **changes)


def animation_overhead(n, repeats):
    """End-to-end frames/s of the standard scenes with and without their animation."""
    print(f"{'scene':<10} {'size':>9} | {'animated':>9} {'static':>9} {'ratio':>6}")
    for name, make, _ in SCENES:
        for w, h in SIZES:
            animated = make(w, h, n)
            static = freeze(animated, 0.5 * n / FPS)
            run_engine(make(w, h, 2))
            ta = best_of(lambda: run_engine(animated), repeats)
            ts = best_of(lambda: run_engine(static), repeats)
            print(f"{name:<10} {w}x{h:>4} | {n / ta:>9.1f} {n / ts:>9.1f} {ts / ta:>6.2f}", flush=True)


def run_hand(draw, w, h, n, sink=None):
    for i in range(n):
        arr = np.zeros((h, w, 4), np.uint8)
        surf = skia.Surface(arr)
        with surf as c:
            draw(c, i)
        if sink is not None:
            sink.write(arr)


def run_engine(scene, sink=None):
    for _, arr, _ in sr.iter_frames(scene):
        if sink is not None:
            sink.write(arr)


def best_of(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def frames_table(n, repeats):
    print(f"{'scene':<10} {'size':>9} | {'numpy: engine':>13} {'hand':>8} {'ratio':>6} | "
          f"{'+mp4: engine':>12} {'hand':>8} {'ratio':>6}")
    rows = []
    tmp = tempfile.mkdtemp()
    for name, make, hand in SCENES:
        for w, h in SIZES:
            scene, draw = make(w, h, n), hand(w, h, n)
            run_engine(make(w, h, 2))  # warm caches (fonts, kernels)
            te = best_of(lambda: run_engine(scene), repeats)
            th = best_of(lambda: run_hand(draw, w, h, n), repeats)

            def eng_mp4():
                with Mp4Writer(os.path.join(tmp, "e.mp4"), w, h, FPS, crf=18, preset="ultrafast") as s:
                    run_engine(scene, s)

            def hand_mp4():
                with Mp4Writer(os.path.join(tmp, "h.mp4"), w, h, FPS, crf=18, preset="ultrafast") as s:
                    run_hand(draw, w, h, n, s)
            tem = best_of(eng_mp4, repeats)
            thm = best_of(hand_mp4, repeats)
            row = (name, f"{w}x{h}", n / te, n / th, th / te, n / tem, n / thm, thm / tem)
            rows.append(row)
            print(f"{row[0]:<10} {row[1]:>9} | {row[2]:>13.1f} {row[3]:>8.1f} {row[4]:>6.2f} | "
                  f"{row[5]:>12.1f} {row[6]:>8.1f} {row[7]:>6.2f}", flush=True)
    return rows


def stills(count, level):
    words = ["road", "lane", "sign", "数学", "几何", "text", "video", "frame", "glyph", "车道"]
    tmp = tempfile.mkdtemp()
    font = _font("sans", 40)
    cjk = _font("sans-sc", 40)

    def hand():
        for i in range(count):
            word = words[i % len(words)]
            f = cjk if ord(word[0]) > 0x2E80 else font
            arr = np.zeros((256, 256, 4), np.uint8)
            with skia.Surface(arr) as c:
                c.clear(0xFFFFFFFF)
                c.drawString(word, 128 - f.measureText(word) / 2, 140, f, skia.Paint(Color=0xFF000000, AntiAlias=True))
            write_png(os.path.join(tmp, f"h{i}.png"), arr, compress_level=level)

    scenes = [sr.Scene(canvas=sr.Canvas(width=256, height=256), nodes=[sr.Text(text=w, size=40)]) for w in words]

    def engine():
        with sr.StillWriter(compress_level=level) as writer:
            for i in range(count):
                writer.render(scenes[i % len(scenes)], os.path.join(tmp, f"e{i}.png"))
    engine()  # warm
    te, th = best_of(engine, 2), best_of(hand, 2)
    print(f"stills 256x256, {count} PNGs, zlib level {level}: engine (StillWriter) {count / te:.0f}/s, "
          f"hand-written {count / th:.0f}/s, ratio {th / te:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer frames and repeats")
    args = ap.parse_args()
    n, repeats = (15, 1) if args.quick else (60, 3)
    print(f"symbolreel {sr.__version__}; {n} frames per scene, best of {repeats}; ratio = engine / hand-written")
    frames_table(n, repeats)
    print()
    print("animation on vs off (ratio = animated / static frames per second, static = frozen mid-clip; "
          "target >= 0.9)")
    animation_overhead(n, repeats)
    print()
    for level in (1, 6):
        stills(200 if args.quick else 1000, level)


if __name__ == "__main__":
    main()
