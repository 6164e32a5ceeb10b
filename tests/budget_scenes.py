"""Scenes that sit just inside each default limit (docs/limits.md), and a runner that renders frame 0
of each with annotations and reports its time and peak RSS (used by tests/test_budget.py).

    .venv/bin/python tests/budget_scenes.py            # prints one JSON line per scene
"""
from __future__ import annotations

import json
import sys
import time

W, H = 3840, 2160  # max_pixels


def scenes() -> dict:
    from symbolreel.limits import DEFAULT_LIMITS as L

    rect = {"type": "rect", "size": [4, 4], "fill": "#336699"}
    n_side = 99  # 99 x 99 = 9,801 nodes < max_nodes
    out = {
        "max_pixels+motion_blur": {
            "canvas": {"width": W, "height": H, "frames": 1},
            "motion_blur": {"samples": L.max_blur_pixels // (W * H)},
            "nodes": [{"type": "text", "text": "x" * 200, "size": 64, "width": 3800,
                       "transform": {"position": [1920, 1080]}}]},
        "max_nodes": {
            "canvas": {"width": 1024, "height": 1024, "frames": 1},
            "nodes": [{**rect, "transform": {"position": [(i % n_side) * 4.5, (i // n_side) * 4.5]}}
                      for i in range(n_side * n_side)]},
        "max_text": {
            "canvas": {"width": 2048, "height": 2048, "frames": 1},
            "nodes": [{"type": "text", "text": ("symbol 字 " * 1000)[:L.max_text], "size": 14, "width": 2000,
                       "transform": {"position": [1024, 1024]}}]},
        "max_text_spans_fit": {
            "canvas": {"width": 1024, "height": 1024, "frames": 1},
            "nodes": [{"type": "text", "spans": [{"text": "y" * 199}] * 50, "size": 400, "width": 1000,
                       "max_height": 1000, "fit": True, "transform": {"position": [512, 512]}}]},
        "max_points": {
            "canvas": {"width": 2048, "height": 1024, "frames": 1},
            "nodes": [{"type": "polyline", "points": [[20 + i * 0.02, 500 + 3 * ((i * 7919) % 10)]
                                                      for i in range(L.max_points - 10)],
                       "stroke": {"width": 1.5, "dash": [3, 2]}}]},
        "max_dashes": {  # 49 strokes of 400 px, 0.1 px period, 2.5 px round caps: 196,000 dashes x 2.5 px wide
            "canvas": {"width": 512, "height": 512, "frames": 1},
            "nodes": [{"type": "polyline", "points": [[(i % 2) * 400, (i * 7) % 400] for i in range(50)],
                       "stroke": {"width": 2.5, "cap": "round", "join": "round", "dash": [0.05, 0.05]}}]},
        "max_path": {
            "canvas": {"width": 2048, "height": 1024, "frames": 1},
            "nodes": [{"type": "path", "d": "M 0 0 " + "L 900 500 Q 1000 20 30 800 " * ((L.max_path - 10) // 27),
                       "fill": None, "stroke": {"width": 1}}]},
        "max_keys": {
            "canvas": {"width": 512, "height": 512, "frames": 1},
            "nodes": [{**rect, "transform": {"position": {"keys": [[k * 0.01, [k % 500, k % 300]]
                                                                  for k in range(L.max_track_keys)]}}}
                      for _ in range(L.max_keys // L.max_track_keys)]},
        "max_items_figure": {
            "canvas": {"width": 1024, "height": 1024, "frames": 1},
            "nodes": [{"type": "figure", "label_points": False,
                       "points": {f"P{i}": [i % 40, i // 40] for i in range(400)},
                       "items": [{"segment": f"P{i} P{i + 1}".replace(" ", "")} for i in range(399)]
                       + [{"circle": f"P{i % 400}", "radius": 0.5} for i in range(L.max_items - 399)]}]},
        "max_expressions": {
            "canvas": {"width": 1000, "height": 1000, "frames": 1},
            "nodes": [{"type": "plot", "expr": f"tan(x) + sin({i} * x) / (x - {i % 7})", "view": [-5, -3, 5, 3],
                       "size": [90, 90], "transform": {"position": [(i % 10) * 100, (i // 10) * 100]}}
                      for i in range(L.max_expressions)]},
        "road_longest_densest": {
            "canvas": {"width": 1280, "height": 720, "frames": 1},
            "nodes": [{"type": "road", "segments": [{"kind": "arc", "length": 1500, "curvature": 0.2},
                                                    {"kind": "clothoid", "length": 1500, "curvature": 0.2,
                                                     "curvature_to": -0.2}],
                       "lanes": [3.5] * 12,
                       "boundaries": [{"type": "dashed_solid", "dash": 3.0, "gap": 3.6}] * 13,  # 5,909 dashes
                       "texture": 1.0,
                       "markings": [{"kind": "text", "s": s * 1.5, "lane": s % 12, "text": "SLOW"}
                                    for s in range(1990)],
                       "camera": {"s": 1000, "far": 2000, "lane": 3}}]},
    }
    return out


def _vm_hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_hwm():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets the peak RSS (VmHWM) so each scene is measured on its own
    except OSError:
        pass


def main(names=None) -> int:
    import resource

    import symbolreel as sr
    from symbolreel.api import render_frame

    # the budget is per frame: kernels compile once per install (`make` does it), not per scene
    render_frame(sr.loads("canvas: {width: 8, height: 8}\nnodes: [{type: rect}]"), 0, annotations=True)
    render_frame(sr.from_dict({"canvas": {"width": 32, "height": 32},
                               "nodes": [{"type": "road", "segments": [{"kind": "straight", "length": 50}],
                                          "lanes": [3.5], "camera": {"s": 0, "lane": 0}}]}), 0, annotations=True)
    for name, data in scenes().items():
        if names and name not in names:
            continue
        _reset_hwm()
        t0, c0 = time.perf_counter(), time.process_time()
        scene = sr.from_dict(data)
        scene.check_limits()
        t1 = time.perf_counter()
        render_frame(scene, 0, annotations=True)
        t2, c2 = time.perf_counter(), time.process_time()
        print(json.dumps({"scene": name, "build_s": round(t1 - t0, 2), "render_s": round(t2 - t1, 2),
                          "cpu_s": round(c2 - c0, 2),
                          "peak_rss_mb": round(_vm_hwm_mb(), 1),
                          "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
