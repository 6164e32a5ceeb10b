"""The benchmark suite: a fixed, versioned table of cases rendered into prompts, references, labels, specs.

Each case is one row of ``CASES`` (plain data: domain, still or clip, the exact text or figure, colours,
motion, prompts). ``case_scene(case)`` turns a row into a symbolreel scene; the suite builder renders it
through the public API (``symbolreel.render``, annotations included) into::

    SUITE/manifest.json                  suite_version, preset, cases (id, domain, kind, files)
    SUITE/cases/<id>/prompt.json         {"en": ..., "zh": ..., "quoted": [...]}
    SUITE/cases/<id>/reference.png|.mp4  the reference render (stills PNG, clips H.264 MP4)
    SUITE/cases/<id>/labels.json         the engine's per-frame annotations (symbolreel-annotations/2)
    SUITE/cases/<id>/spec.json           the case row (and scene.yaml, the scene it made)

Bump ``SUITE_VERSION`` whenever a case, a prompt or a scene changes: scores are comparable only
within one version. The manifest is written last (to a temporary name, then renamed), so a suite
folder with a manifest is complete.
"""
from __future__ import annotations

import copy
import json
import math
import os
import shutil

from .errors import EvalError

SUITE_VERSION = "1"
SUITE_FORMAT = "symbolreel-eval-suite/1"
PRESETS = ("text-en", "text-zh", "formula", "geometry", "plot", "road")
W, H, FPS, CLIP_SECONDS = 512, 288, 12, 2.0


def _text(id, domain, kind, lines, prompt_en, prompt_zh, *, bg="#F4F1E8", fg="#1D3557", font="sans-bold",
          board=None, motion=None, fixed_layout=False):
    """A text case: ``lines`` = [(text, (x, y), size)], optional ``board`` colour rectangle behind them,
    ``motion`` = {"dx": px per frame} (pan) or {"scale": [from, to]} (zoom) for clips."""
    return {"id": id, "domain": domain, "kind": kind, "seed": 0, "bg": bg, "fg": fg, "font": font,
            "board": board, "motion": motion, "fixed_layout": fixed_layout,
            "lines": [{"text": t, "at": list(at), "size": s} for t, at, s in lines],
            "prompt_en": prompt_en, "prompt_zh": prompt_zh}


CASES = [
    _text("en-sign", "text-en", "still", [("OPEN 24 HOURS", (256, 144), 52)],
          'A photo of a red shop sign with the words "OPEN 24 HOURS" in bold white capital letters.',
          '一张红色店铺招牌的照片，上面用白色粗体大写字母写着"OPEN 24 HOURS"。', bg="#2B2D42", fg="#FFFFFF",
          board="#B22222"),
    _text("en-menu", "text-en", "still", [("Fresh Bread", (256, 100), 48), ("Daily Special", (256, 190), 40)],
          'A bakery chalkboard: the top line reads "Fresh Bread" and the line below reads "Daily Special".',
          '一块面包店的黑板：上面一行写着"Fresh Bread"，下面一行写着"Daily Special"。', bg="#2F3E46", fg="#F1FAEE",
          fixed_layout=True),
    _text("en-exit-pan", "text-en", "clip", [("EXIT 12", (200, 144), 64)],
          'A video of a green highway sign reading "EXIT 12", the camera panning slowly to the left.',
          '一段视频：绿色高速公路标志上写着"EXIT 12"，镜头缓慢向左平移。', bg="#D8E2DC", fg="#FFFFFF",
          board="#1B7F3A", motion={"dx": 2.0}),
    _text("zh-banner", "text-zh", "still", [("欢迎光临", (256, 144), 64)],
          'A photo of a red banner with the Chinese characters "欢迎光临" written in gold.',
          '一张红色横幅的照片，上面用金色写着"欢迎光临"四个汉字。', bg="#F4F1E8", fg="#FFD166", board="#C1121F"),
    _text("zh-notice", "text-zh", "still", [("前方施工", (256, 100), 56), ("注意安全", (256, 196), 48)],
          'A road-works notice board: the upper line says "前方施工" and the lower line says "注意安全".',
          '一块道路施工告示牌：上面一行写着"前方施工"，下面一行写着"注意安全"。', bg="#FFB703", fg="#111111",
          fixed_layout=True),
    _text("zh-exit-zoom", "text-zh", "clip", [("出口", (256, 144), 72)],
          'A video slowly zooming in on a blue sign that reads "出口".',
          '一段视频：镜头慢慢推近一块写着"出口"的蓝色指示牌。', bg="#E9ECEF", fg="#FFFFFF", board="#1D4E89",
          motion={"scale": [0.8, 1.15]}),
    {"id": "formula-emc2", "domain": "formula", "kind": "still", "seed": 0, "tex": "E = mc^2", "read": "E=mc2",
     "size": 72, "bg": "#FFFFFF", "fg": "#111111",
     "prompt_en": 'A clean whiteboard with the equation "E = mc²" written in the middle.',
     "prompt_zh": '一块干净的白板，中间写着方程"E = mc²"。'},
    {"id": "formula-pythagoras", "domain": "formula", "kind": "still", "seed": 0, "tex": "a^2 + b^2 = c^2",
     "read": "a2+b2=c2", "size": 64, "bg": "#FFFFFF", "fg": "#111111",
     "prompt_en": 'A math textbook page showing the formula "a² + b² = c²" in large type.',
     "prompt_zh": '一页数学课本，用大号字体印着公式"a² + b² = c²"。'},
    {"id": "geometry-inscribed", "domain": "geometry", "kind": "still", "seed": 0, "circle": [0.0, 0.0, 2.0],
     "angles": {"A": 100.0, "B": 215.0, "C": 330.0}, "scale": 55, "bg": "#FFFFFF", "fg": "#1D3557",
     "prompt_en": 'A geometry diagram: triangle ABC inscribed in a circle, all three vertices on the circle.',
     "prompt_zh": '一幅几何图：三角形ABC内接于圆，三个顶点都在圆上。'},
    {"id": "geometry-rotating", "domain": "geometry", "kind": "clip", "seed": 0, "circle": [0.0, 0.0, 2.0],
     "angles": {"A": 90.0, "B": 210.0, "C": 330.0}, "spin": 30.0, "scale": 55, "bg": "#FFFFFF",
     "fg": "#1D3557",
     "prompt_en": 'An animation of triangle ABC inscribed in a circle, the triangle turning slowly inside the circle.',
     "prompt_zh": '一段动画：三角形ABC内接于圆，三角形在圆内缓慢转动。'},
    {"id": "plot-sine", "domain": "plot", "kind": "still", "seed": 0, "expr": "sin(x)", "view": [-6.5, -1.6, 6.5, 1.6],
     "color": "#D62828", "bg": "#FFFFFF",
     "prompt_en": 'A plot of the function "y = sin(x)" from -6.5 to 6.5 with labelled axes and a red curve.',
     "prompt_zh": '函数"y = sin(x)"在-6.5到6.5之间的图像，带刻度坐标轴，曲线为红色。'},
    {"id": "plot-parabola", "domain": "plot", "kind": "still", "seed": 0, "expr": "x**2/4 - 1",
     "view": [-3.0, -1.5, 3.0, 1.5], "color": "#1565C0", "bg": "#FFFFFF",
     "prompt_en": 'A graph of "y = x²/4 − 1" for x from -3 to 3, drawn as a blue curve on a grid.',
     "prompt_zh": '在网格上用蓝色曲线画出"y = x²/4 − 1"的图像，x从-3到3。'},
    {"id": "road-drive", "domain": "road", "kind": "clip", "seed": 7, "lanes": 3, "speed": 12.0,
     "prompt_en": 'Dashcam video driving straight on a three-lane road: white dashed lane lines between the lanes '
                  'and solid edge lines, camera fixed at the car\'s centre.',
     "prompt_zh": '行车记录仪视频：在三车道直路上直行，车道之间是白色虚线，两侧为实线边线，相机固定在车辆中央。'},
    {"id": "road-still", "domain": "road", "kind": "still", "seed": 7, "lanes": 2, "speed": 0.0,
     "prompt_en": 'A photo from the driver\'s seat of a straight two-lane road with a white dashed centre line '
                  'and solid white edge lines.',
     "prompt_zh": '从驾驶座拍摄的照片：笔直的双车道公路，中间是白色虚线，两侧是白色实线边线。'},
]


def cases_for(preset: str) -> list[dict]:
    if preset == "all":
        return [copy.deepcopy(c) for c in CASES]
    if preset not in PRESETS:
        raise EvalError(f"--preset {preset!r}: expected one of {', '.join(PRESETS + ('all',))}")
    return [copy.deepcopy(c) for c in CASES if c["domain"] == preset]


def case_by_id(case_id: str) -> dict:
    for c in CASES:
        if c["id"] == case_id:
            return copy.deepcopy(c)
    raise EvalError(f"no suite case {case_id!r}")


def quoted(case: dict) -> list[str]:
    """The strings a prediction must show, one per line (what OCR is compared with)."""
    if case["domain"] in ("text-en", "text-zh"):
        return [ln["text"] for ln in case["lines"]]
    if case["domain"] == "formula":
        return [case["read"]]
    return []


def n_frames(case: dict) -> int:
    return 1 if case["kind"] == "still" else int(round(FPS * CLIP_SECONDS))


# --- scenes -----------------------------------------------------------------------------------------------

def case_scene(case: dict):
    """The symbolreel scene of a case row (stills are one-frame scenes)."""
    import symbolreel as sr
    build = {"text-en": _text_nodes, "text-zh": _text_nodes, "formula": _formula_nodes,
             "geometry": _geometry_nodes, "plot": _plot_nodes, "road": _road_nodes}[case["domain"]]
    frames = n_frames(case)
    canvas = {"width": W, "height": H, "fps": FPS, "frames": frames, "background": case.get("bg", "#FFFFFF")}
    return sr.from_dict({"canvas": canvas, "seed": case.get("seed", 0), "nodes": build(case, frames)})


def _text_nodes(case, frames):
    seconds = frames / FPS
    group = {"type": "group", "id": "sign", "transform": {"position": [0, 0]}, "children": []}
    if case.get("board"):
        ys = [ln["at"][1] for ln in case["lines"]]
        cx = sum(ln["at"][0] for ln in case["lines"]) / len(case["lines"])
        width = max(len(ln["text"]) * ln["size"] * (1.0 if case["domain"] == "text-zh" else 0.62)
                    for ln in case["lines"]) + 60
        height = max(ys) - min(ys) + max(ln["size"] for ln in case["lines"]) * 1.6
        group["children"].append({"type": "rect", "id": "board", "size": [width, height], "radius": 10,
                                  "fill": case["board"],
                                  "transform": {"position": [cx, (max(ys) + min(ys)) / 2]}})
    for i, ln in enumerate(case["lines"]):
        group["children"].append({"type": "text", "id": f"line-{i}", "text": ln["text"], "size": ln["size"],
                                  "font": case["font"], "fill": case["fg"],
                                  "transform": {"position": list(ln["at"])}})
    m = case.get("motion") or {}
    if "dx" in m:      # a pan: the sign moves dx px per frame
        group["transform"]["position"] = {"keys": [[0, [0, 0]], [seconds, [m["dx"] * frames, 0]]]}
    if "scale" in m:   # a zoom about the canvas centre
        group["transform"] = {"position": [W / 2, H / 2], "anchor": [W / 2, H / 2],
                              "scale": {"keys": [[0, [m["scale"][0]] * 2], [seconds, [m["scale"][1]] * 2]]}}
    return [group]


def _formula_nodes(case, frames):
    return [{"type": "formula", "id": "formula", "tex": case["tex"], "size": case["size"], "fill": case["fg"],
             "transform": {"position": [W / 2, H / 2]}}]


def circle_points(case, t: float = 0.0) -> dict:
    """World positions of the vertices at time ``t`` (seconds): on the circle at the case's angles."""
    cx, cy, r = case["circle"]
    spin = case.get("spin", 0.0) * t
    off = case.get("offsets", {})      # radial displacements (degraded variants only)
    return {k: [cx + (r + off.get(k, 0.0)) * math.cos(math.radians(a + spin)),
                cy + (r + off.get(k, 0.0)) * math.sin(math.radians(a + spin))]
            for k, a in case["angles"].items()}


def _geometry_nodes(case, frames):
    cx, cy, r = case["circle"]
    points = {"O": [cx, cy]}
    if case["kind"] == "clip":
        seconds = frames / FPS
        steps = 8
        for k in case["angles"]:
            keys = [[seconds * j / steps, circle_points(case, seconds * j / steps)[k]] for j in range(steps + 1)]
            points[k] = {"keys": keys}
    else:
        points.update(circle_points(case))
    # the circle is drawn from its centre and radius, not through the vertices, so moving a vertex
    # (a perturbed figure) breaks the fact "A lies on the circle" visibly
    items = [{"circle": "O", "radius": r, "name": "c", "color": "#2A9D8F", "width": 3},
             {"polygon": "ABC", "color": case["fg"], "width": 3},
             {"point": "A B C", "color": case["fg"]},
             {"point": "O", "color": "#2A9D8F"}]
    return [{"type": "figure", "id": "figure", "scale": case["scale"], "points": points, "items": items,
             "view": [cx - r - 0.8, cy - r - 0.5, cx + r + 0.8, cy + r + 0.5],
             "transform": {"position": [W / 2, H / 2]}}]


def _plot_nodes(case, frames):
    return [{"type": "plot", "id": "plot", "view": case["view"], "size": [W - 60, H - 50],
             "curves": [{"expr": case["expr"], "color": case["color"], "width": 3}],
             "axes": {"step": 1, "grid": True}, "transform": {"position": [W / 2, H / 2]}}]


def _road_nodes(case, frames):
    n = case["lanes"]
    boundaries = [{"type": "edge"}] + [{"type": "dashed"} for _ in range(n - 1)] + [{"type": "edge"}]
    return [{"type": "road", "id": "road", "segments": [{"kind": "straight", "length": 400}],
             "lanes": [3.5] * n, "boundaries": boundaries,
             "camera": {"s": {"value": 5, "speed": case["speed"]}, "lane": n // 2, "height": 1.4,
                        "pitch": 3, "fov": 60}}]


# --- writing ----------------------------------------------------------------------------------------------

def reference_name(case: dict) -> str:
    return "reference.png" if case["kind"] == "still" else "reference.mp4"


def prompt_of(case: dict) -> dict:
    return {"en": case["prompt_en"], "zh": case["prompt_zh"], "quoted": quoted(case)}


def _write_json(path, obj):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def render_case(case: dict, folder: str, scene=None) -> None:
    """Render one case (or ``scene``, a variant of it) into ``folder``: reference, labels, spec, prompt."""
    import symbolreel as sr
    os.makedirs(folder, exist_ok=True)
    scene = case_scene(case) if scene is None else scene
    ref = os.path.join(folder, reference_name(case))
    tmp_ref = os.path.join(folder, ".tmp-" + reference_name(case))
    tmp_lab = os.path.join(folder, ".tmp-labels.json")
    sr.render(scene, tmp_ref, annotations=tmp_lab, crf=12)
    os.replace(tmp_ref, ref)
    os.replace(tmp_lab, os.path.join(folder, "labels.json"))
    with open(os.path.join(folder, "scene.yaml.tmp"), "w", encoding="utf-8") as fh:
        fh.write(scene.dumps())
    os.replace(os.path.join(folder, "scene.yaml.tmp"), os.path.join(folder, "scene.yaml"))
    _write_json(os.path.join(folder, "spec.json"), case)
    _write_json(os.path.join(folder, "prompt.json"), prompt_of(case))


def build_suite(preset: str, out: str, *, calibrate: bool = True, progress=None) -> dict:
    """Render every case of ``preset`` into ``out`` and write its manifest; returns the manifest.

    ``calibrate``: also score the references and the floor inputs (blank, noise) once, so that scoring
    predictions later only reads them (see :mod:`.calibrate`)."""
    cases = cases_for(preset)
    os.makedirs(out, exist_ok=True)
    manifest_path = os.path.join(out, "manifest.json")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)       # the folder is incomplete until the new manifest lands
    entries = []
    for k, case in enumerate(cases):
        folder = os.path.join(out, "cases", case["id"])
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        render_case(case, folder)
        entries.append({"id": case["id"], "domain": case["domain"], "kind": case["kind"],
                        "frames": n_frames(case), "width": W, "height": H, "fps": FPS,
                        "reference": f"cases/{case['id']}/{reference_name(case)}",
                        "labels": f"cases/{case['id']}/labels.json", "spec": f"cases/{case['id']}/spec.json",
                        "prompt": f"cases/{case['id']}/prompt.json", "quoted": quoted(case),
                        "prompt_en": case["prompt_en"], "prompt_zh": case["prompt_zh"]})
        if progress:
            progress(k + 1, len(cases))
    import symbolreel
    manifest = {"format": SUITE_FORMAT, "suite_version": SUITE_VERSION, "preset": preset,
                "symbolreel": symbolreel.__version__, "cases": entries}
    if calibrate:
        from .calibrate import calibrate_suite
        calibrate_suite(out, manifest)
    _write_json(manifest_path, manifest)
    return manifest


def read_manifest(suite: str) -> dict:
    path = os.path.join(suite, "manifest.json")
    try:
        with open(path, encoding="utf-8") as fh:
            m = json.load(fh)
    except FileNotFoundError:
        raise EvalError(f"{path}: not found; a suite folder is made by `symbolreel eval suite --out {suite}` "
                        f"(a folder without manifest.json is incomplete)") from None
    except (OSError, ValueError) as exc:
        raise EvalError(f"{path}: unreadable suite manifest ({exc})") from None
    if m.get("format") != SUITE_FORMAT:
        raise EvalError(f"{path}: format: expected {SUITE_FORMAT!r}, found {m.get('format')!r}")
    for i, c in enumerate(m.get("cases", [])):
        for key in ("id", "domain", "kind", "reference", "labels", "spec"):
            if key not in c:
                raise EvalError(f"{path}: cases[{i}].{key}: missing")
    return m
