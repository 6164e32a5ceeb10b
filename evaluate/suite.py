"""The benchmark suite: cases drawn by the dataset samplers from fixed seeds, rendered into prompts,
references, labels and specs.

Each preset names a dataset domain, a master seed, the sampler options and the media of its cases
(:data:`PLANS`). Case ``k`` of a preset is the ``k``-th *scoreable* item of that seed: item ``i`` is
drawn exactly as the dataset generator draws it (``symbolreel.datasets.seeding``: item seed = a stable
hash of (master seed, i), one named random stream per stage), ``spec = domain.sample(rng, options,
media)``, ``scene = domain.build(spec)``; items the scorer cannot judge are skipped (:func:`_scoreable`:
e.g. Chinese text with fewer than four characters that have a look-alike, a road without a dashed
lane line). Prompts are the sampler's prompt-style captions (EN and ZH; clips add the motion caption),
which quote the drawn text exactly; ``quoted`` = the lines of the rendered text node, read from the
scene, never guessed.

Plots are drawn with a curve stroke of 3 px at 512x288 (the sampler's default, short side / 150, is
1.9 px, and the scorer's colour threshold finds too little of a stroke that thin and antialiased: a
sampled reference scored coverage 0.53 against itself); draws whose curve colour is close to the axes
or background colour are skipped.

Formulas are equations and relations whose symbols stay on one line (powers, subscripts, function names,
parentheses: an OCR engine reads them as a string, not fractions or roots); ``quoted`` is that reading
(:func:`.degrade.formula_reading`).

Geometry: triangles with one to three constructions (circles, centres, feet, midpoints, tangents;
circles weighted up, as most facts a scorer can check on found geometry involve them), drawn with 3 px strokes (markers, 7 px wide, are told from strokes by shape); clips move a vertex with
everything constructed from it following. A draw is kept when at least two of its facts can be checked
on found geometry (:func:`.metrics.structure.checkable_facts`) and its visible points lie at least
16 px apart (each marker is matched to one point).

Files written per case::

    SUITE/manifest.json                  suite_version, preset, cases (id, domain, kind, files, source)
    SUITE/cases/<id>/prompt.json         {"en": ..., "zh": ..., "quoted": [...]}
    SUITE/cases/<id>/reference.png|.mp4  the reference render (stills PNG, clips H.264 MP4)
    SUITE/cases/<id>/labels.json         the engine's per-frame annotations (symbolreel-annotations/2)
    SUITE/cases/<id>/spec.json           the sampler's spec, and scene.yaml

Bump ``SUITE_VERSION`` whenever a case, a prompt or a scene changes: scores are comparable only
within one version. The manifest is written last (to a temporary name, then renamed), so a suite
folder with a manifest is complete.
"""
from __future__ import annotations

import copy
import functools
import json
import os
import shutil

import numpy as np

from .errors import EvalError

SUITE_VERSION = "4"
SUITE_FORMAT = "symbolreel-eval-suite/1"
PRESETS = ("text-en", "text-zh", "formula", "geometry", "plot", "road")
W, H, FPS, CLIP_SECONDS = 512, 288, 12, 2.0
_CANVAS = {"width": W, "height": H, "fps": float(FPS), "duration": CLIP_SECONDS}

# Sampler options per preset. Text: one horizontal line (words and short phrases) at least ~40 px
# high, upright, on solid or gradient backgrounds, faces without italics, so that the OCR engine reads
# the references; clips move the text by scroll, zoom or a camera pan (typewriter and fade leave the
# text unreadable in part of the clip). Roads: straight, no painted markings or signs (their paint and
# letters would be scored as lane paint), little wear. Formulas: equations and relations, upright, at
# least ~40 px em (the OCR engine reads a line of them; :func:`_scoreable` keeps those without 2-D layout).
_TEXT = {**_CANVAS, "kinds": {"word": 1.0, "phrase": 1.0}, "layouts": {"horizontal": 1.0},
         "scenes": {"plain": 1.0, "sign": 1.0}, "backgrounds": {"solid": 1.0, "gradient": 0.5},
         "max_rotation": 0.0, "motions": {"scroll": 1.0, "zoom": 1.0, "camera_pan": 1.0}}
PLANS = {
    "text-en": {"domain": "text", "seed": 1301, "media": ["still", "still", "clip"],
                "options": {**_TEXT, "languages": {"en": 1.0}, "size": [0.15, 0.22],
                            "fonts_en": ["sans", "sans-bold", "serif", "serif-bold"]},
                "clip_options": {"scenes": {"plain": 1.0}}},
    "text-zh": {"domain": "text", "seed": 1302, "media": ["still", "still", "clip"],
                "options": {**_TEXT, "languages": {"zh": 1.0}, "size": [0.17, 0.24],
                            "fonts_zh": ["sans", "sans-bold", "serif", "serif-bold"]},
                "clip_options": {"scenes": {"plain": 1.0}}},
    "formula": {"domain": "formula", "seed": 1303, "media": ["still", "still"],
                "options": {**_CANVAS, "kinds": {"equation": 1.0}, "depth": 2, "size": [0.14, 0.2],
                            "max_rotation": 0.0, "backgrounds": {"solid": 1.0, "gradient": 0.5}}},
    "road": {"domain": "road", "seed": 1306, "media": ["clip", "still"],
             "options": {**_CANVAS, "lanes": [2, 3], "curves": 0.0, "markings": 0.0, "signs": 0.0,
                         "wear": [0.0, 0.2], "texture": [0.0, 0.3], "speed": [10.0, 14.0],
                         "camera_height": [1.3, 1.6]}},
    "geometry": {"domain": "geometry", "seed": 1304, "media": ["still", "still", "clip"],
                 "options": {**_CANVAS, "backgrounds": {"solid": 1.0, "gradient": 0.5}, "line_width": 3 / 288,
                             "constructions": {"incircle": 2.0, "circumcircle": 2.0, "tangent": 1.0, "centroid": 1.0,
                                               "orthocentre": 1.0, "altitude": 1.0, "perpendicular_bisector": 1.0,
                                               "bisector": 0.5, "angles": 0.5},
                             "motions": {"move_vertex": 1.0}}},
    "plot": {"domain": "plot", "seed": 1305, "media": ["still", "still"],
             "options": {**_CANVAS, "backgrounds": {"solid": 1.0, "gradient": 0.5}, "line_width": 3 / 288}},
}
MAX_SKIPS = 200
# formula constructs that keep a formula on one line of symbols an OCR engine reads
FORMULA_CONSTRUCTS = {"power", "subscript", "function", "parentheses"}
# RGB distance (0..441) a plot's curve colour keeps from its axes and background colours: twice the
# scorer's colour threshold (structure.colour_mask), so antialiased edges of neither are taken for curve
CURVE_COLOUR_GAP = 180.0

def plan_options(preset: str, media: str) -> dict:
    """The sampler options of ``preset`` for ``media`` (the plan's, checked like a recipe's)."""
    from symbolreel.datasets import domains
    plan = PLANS[preset]
    opts = dict(plan["options"])
    if media == "clip":
        opts.update(plan.get("clip_options", {}))
    return domains.validate_options(plan["domain"], opts, ("eval", "suite", preset, "options"))


def _text_lines(scene) -> list[str]:
    node = next(n for n in scene.nodes if n.id == "text")
    return list(node.describe()["lines"])


def _scoreable(preset: str, spec: dict, scene) -> bool:
    """Can the scorer judge this draw? (see the module docstring)"""
    from .degrade import LOOKALIKE, MATH_LOOKALIKE, _letters, formula_reading
    if preset in ("text-en", "text-zh"):
        lines = _text_lines(scene)
        chars = "".join(lines)
        if len(lines) != 1 or len(chars) > (10 if preset == "text-zh" else 22):
            return False
        # glyph swaps grade by the share of look-alike characters: enough of them to swap
        return sum(ch in LOOKALIKE for ch in chars) >= (4 if preset == "text-zh" else 5)
    if preset == "formula":
        # OCR reads a formula as one line: no fractions, roots or limits above and below; no Greek
        # (read as Latin look-alikes); enough look-alike symbols for the glyph-swap ladder
        if not set(spec["constructs"]) <= FORMULA_CONSTRUCTS:
            return False
        tex = spec["tex"]
        return (len(formula_reading(tex)) >= 8
                and sum(tex[i] in MATH_LOOKALIKE for i in _letters(tex)) >= 5)
    if preset == "plot":
        # the scorer finds the curve by its colour: it must stand apart from the axes and the background
        from symbolreel.datasets import styles
        def rgb255(c):
            return np.asarray(styles.rgb(c) if isinstance(c, str) else c, np.float64) * 255.0
        ink = rgb255(spec["color"])
        others = [spec["axes_color"], *styles.background_colors(spec["background"])]
        return all(np.linalg.norm(ink - rgb255(c)) >= CURVE_COLOUR_GAP for c in others)
    if preset == "geometry":
        return _figure_scoreable(scene)
    if preset == "road":
        # dash breaks and dash agreement need a plain dashed line between two lanes
        return any(b["type"] == "dashed" for b in spec["boundaries"][1:-1])
    return True


# visible points of a suite figure stay this far apart (px): each found marker is matched to one point
MARKER_GAP = 16.0


def _figure_scoreable(scene) -> bool:
    import symbolreel as sr
    from .metrics.structure import checkable_facts
    n = scene.canvas.n_frames
    for i in sorted({0, n // 2, n - 1}):
        _, ann = sr.render_frame(scene, i, annotations=True)
        fig = next(o for o in ann if o.get("type") == "figure")
        res = checkable_facts(fig)
        if len(res) < 2 or max(res) > 1.0:
            return False
        pts = np.asarray([p["image"] for p in fig["points"] if p.get("visible")], np.float64)
        gaps = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
        if (gaps + np.eye(len(pts)) * 1e9).min() < MARKER_GAP:
            return False
    return True


def _prompts(caps: dict) -> tuple[str, str]:
    en, zh = caps["en"]["prompt"], caps["zh"]["prompt"]
    if "motion" in caps["en"]:
        en = f"{en}. {caps['en']['motion']}"
        zh = f"{zh}。{caps['zh']['motion']}"
    return en, zh


def _sampled(preset: str) -> list[dict]:
    from symbolreel.datasets import domains
    from symbolreel.datasets import captions as C
    from symbolreel.datasets.seeding import item_rng, item_seed
    from .degrade import formula_reading
    plan = PLANS[preset]
    dom = domains.get(plan["domain"])
    out, index = [], 0
    for k, media in enumerate(plan["media"]):
        opts = plan_options(preset, media)
        for _skip in range(MAX_SKIPS):
            seed = item_seed(plan["seed"], index)
            index += 1
            spec = dom.sample(item_rng(seed, "sample"), opts, media)
            scene = dom.build(spec)
            if _scoreable(preset, spec, scene):
                break
        else:
            raise EvalError(f"suite preset {preset}: no scoreable {media} draw in {MAX_SKIPS} items of seed "
                            f"{plan['seed']}")
        caps = dom.captions(spec, scene, item_rng(seed, "captions"))
        en, zh = _prompts(caps)
        case = {"id": f"{preset}-{k:03d}", "domain": preset, "kind": media, "source": "sampler",
                "sampler": {"domain": plan["domain"], "seed": plan["seed"], "index": index - 1, "item_seed": seed},
                "spec": spec, "prompt_en": en, "prompt_zh": zh, "scoring": {}}
        if plan["domain"] == "text":
            case["quoted"] = _text_lines(scene)
            # crops at the labelled line positions only where the prompt says where the text is
            case["scoring"]["fixed_layout"] = C.where_en(tuple(spec["region"])) in caps["en"]["prompt"]
        elif plan["domain"] == "formula":
            case["quoted"] = [formula_reading(spec["tex"])]
        else:
            case["quoted"] = []
        out.append(case)
    return out


@functools.lru_cache(maxsize=None)
def _preset_cases(preset: str) -> tuple:
    return tuple(_sampled(preset))


def cases_for(preset: str) -> list[dict]:
    if preset == "all":
        return [copy.deepcopy(c) for p in PRESETS for c in _preset_cases(p)]
    if preset not in PRESETS:
        raise EvalError(f"--preset {preset!r}: expected one of {', '.join(PRESETS + ('all',))}")
    return [copy.deepcopy(c) for c in _preset_cases(preset)]


def case_by_id(case_id: str) -> dict:
    for p in PRESETS:
        if case_id.startswith(p + "-"):
            for c in _preset_cases(p):
                if c["id"] == case_id:
                    return copy.deepcopy(c)
    raise EvalError(f"no suite case {case_id!r}")


def quoted(case: dict) -> list[str]:
    """The strings a prediction must show, one per line (what OCR is compared with)."""
    return list(case.get("quoted", []))


def text_lines(case: dict) -> list[str]:
    """The editable text lines of a text case (sampler spec text split at its line breaks)."""
    return case["spec"]["text"].split("\n")


def n_frames(case: dict) -> int:
    return 1 if case["kind"] == "still" else int(round(FPS * CLIP_SECONDS))


# --- scenes -----------------------------------------------------------------------------------------------

def case_scene(case: dict):
    """The symbolreel scene of a case: the sampler domain's build of its spec."""
    from symbolreel.datasets import domains
    return domains.get(case["sampler"]["domain"]).build(case["spec"])


# --- writing ----------------------------------------------------------------------------------------------

def reference_name(case: dict) -> str:
    return "reference.png" if case["kind"] == "still" else "reference.mp4"


def prompt_of(case: dict) -> dict:
    return {"en": case["prompt_en"], "zh": case["prompt_zh"], "quoted": quoted(case)}


def spec_of(case: dict) -> dict:
    """What spec.json holds: the sampler's spec."""
    return case["spec"]


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
    _write_json(os.path.join(folder, "spec.json"), spec_of(case))
    _write_json(os.path.join(folder, "prompt.json"), prompt_of(case))


def manifest_entry(case: dict) -> dict:
    """The manifest row of a case: files, size, prompts, quoted strings, where it came from and the few
    facts the scorer reads besides the labels (``scoring``: fixed_layout; the ink colour is the spec's)."""
    cid = case["id"]
    scoring = dict(case.get("scoring", {}))
    entry = {"id": cid, "domain": case["domain"], "kind": case["kind"], "frames": n_frames(case),
             "width": W, "height": H, "fps": FPS, "reference": f"cases/{cid}/{reference_name(case)}",
             "labels": f"cases/{cid}/labels.json", "spec": f"cases/{cid}/spec.json",
             "prompt": f"cases/{cid}/prompt.json", "quoted": quoted(case), "prompt_en": case["prompt_en"],
             "prompt_zh": case["prompt_zh"], "scoring": scoring,
             "source": case["source"], "sampler": dict(case["sampler"])}
    return entry


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
        entries.append(manifest_entry(case))
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


def is_current(suite: str, preset: str) -> bool:
    """Does the folder hold this version's suite of ``preset``: same version, cases, prompts and specs?
    (A suite built by older code keeps its version number while a case's options change in development.)"""
    try:
        m = read_manifest(suite)
    except EvalError:
        return False
    cases = cases_for(preset)
    def same(a, b):
        return json.loads(json.dumps(a)) == json.loads(json.dumps(b))
    if m["suite_version"] != SUITE_VERSION or m.get("preset") != preset or not same(
            m["cases"], [manifest_entry(c) for c in cases]):
        return False
    for c in cases:
        try:
            with open(os.path.join(suite, "cases", c["id"], "spec.json"), encoding="utf-8") as fh:
                if not same(json.load(fh), spec_of(c)):
                    return False
        except (OSError, ValueError):
            return False
    return True


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
