"""Road scene throughput and the share of frame time spent outside Skia drawing.

    .venv/bin/python bench/bench_road.py

A 4-lane road (curve, clothoid), arrows, a crosswalk, stop line and painted text, the camera
driving at 20 m/s; then the same road with four traffic signs (frames/s as a ratio to the road
without them, measured in the same run). "geometry" = the road's per-frame work in Python/NumPy,
i.e. its ``emit`` hook (camera pose, paint selection, near-plane clipping and projection, the
display-list paths), measured by running exactly that work alone in the same run; turning the
display list into Skia paths and drawing it is the backend's share. Target: geometry below 20% of
frame time.
"""
from __future__ import annotations

import os
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import symbolreel as sr  # noqa: E402
from symbolreel.compile import CompiledScene  # noqa: E402
from symbolreel.raster import Renderer  # noqa: E402

N = 90


SIGNS = """
    signs:
      - {kind: speed_limit, s: 30, text: "80"}
      - {kind: warning, s: 60}
      - {kind: stop, s: 90, text: 停}
      - {kind: yield, s: 75, side: left}"""


def scene(w, h, signs=False):
    return sr.loads(f"""
canvas: {{width: {w}, height: {h}, fps: 30, frames: {N}}}
seed: 3
nodes:
  - type: road
    id: road
    segments:
      - {{kind: straight, length: 80}}
      - {{kind: clothoid, length: 50, curvature: 0, curvature_to: 0.005}}
      - {{kind: arc, length: 400, curvature: 0.005}}
    lanes: [3.5, 3.5, 3.5, 3.5]
    boundaries: [{{type: edge}}, {{type: dashed, preset: cn_expressway, wear: 0.3}}, {{type: double_solid}},
                 {{type: dashed}}, {{type: edge}}]
    markings:
      - {{kind: arrow, s: 40, lane: 0, shape: left}}
      - {{kind: arrow, s: 40, lane: 1, shape: straight}}
      - {{kind: arrow, s: 60, lane: 3, shape: straight_right}}
      - {{kind: text, s: 70, lane: 2, text: "公交专用"}}
      - {{kind: stop_line, s: 95}}
      - {{kind: crosswalk, s: 97}}
    camera: {{s: {{value: 0, speed: 20}}, lane: 1, pitch: 4, fov: 50}}
""" + (SIGNS if signs else ""))


def geometry_only(sc):
    """The per-frame Python/NumPy work of the road node, without Skia drawing."""
    c = CompiledScene(sc)
    r = Renderer(c)
    e = c.entries[0]
    samples, world, opacity = c.sample(c.times(range(N)))
    times = c.times(range(N))
    t0 = time.perf_counter()
    for k in range(N):
        p = c.props(e, samples[k])
        e.node.emit(r.context(e, p, 1.0, float(times[k]), world[k][e.index]))
    return time.perf_counter() - t0


def main():
    print(f"{'size':>9} | {'frames/s':>8} | {'geometry share':>14} | {'+4 signs frames/s':>17} | {'ratio':>5}")
    for w, h in [(512, 512), (1280, 720)]:
        sc, sc_signs = scene(w, h), scene(w, h, signs=True)
        list(sr.frames(sc, 0, 3))
        list(sr.frames(sc_signs, 0, 3))
        best = min(_timed(lambda: list(sr.frames(sc))) for _ in range(3))
        best_signs = min(_timed(lambda: list(sr.frames(sc_signs))) for _ in range(3))
        geo = min(geometry_only(sc) for _ in range(3))
        print(f"{w}x{h:>4} | {N / best:>8.1f} | {geo / best:>13.1%} | {N / best_signs:>17.1f} | "
              f"{best / best_signs:>5.2f}")


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
