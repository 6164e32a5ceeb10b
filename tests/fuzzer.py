"""Mutation fuzzer of the scene loader and renderer (used by tests/test_fuzz.py and scripts/fuzz.py).

Case ``i`` of a run with seed ``s`` is a pure function of ``(s, i)``: an example scene (or one of
the small seed scenes below) mutated by a few operations on its data (keys, types, numbers,
strings, nesting, list lengths, resource sizes) or on its YAML text (syntax noise, aliases, deep
nesting, control characters). :func:`run_case` loads it, compiles it like ``symbolreel validate``
and, for a sample, renders frame 0 with annotations. The only acceptable outcomes are success and
the project's own errors (:class:`symbolreel.SymbolreelError`) whose message names the file.
"""
from __future__ import annotations

import copy
import hashlib
import random
import resource
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILE = "fuzz.yaml"
MAX_TEXT = 3_000_000  # characters of one case (above max_bytes: big files are cases too)

SEED_SCENES = [
    """canvas: {width: 160, height: 120, frames: 3}
nodes:
  - type: text
    text: "Hello 世界"
    spans: null
    size: 20
    transform: {position: [80, 40]}
  - type: text
    spans: [{text: "a", size: 12}, {text: "bc", fill: red}]
    transform: {position: [80, 90]}
  - type: path
    d: "M 0 0 L 50 0 Q 60 30 10 40 Z"
    fill: "#336699"
""",
    """canvas: {width: 200, height: 120, frames: 2}
nodes:
  - type: formula
    tex: "\\\\frac{a}{b} + \\\\sqrt{x^2+1}"
    size: 20
    transform: {position: [60, 40]}
  - type: formula
    sympy: "sqrt(2)**3 + Matrix(((1, x), (0, 1)))**2"
    size: 14
    transform: {position: [140, 90]}
""",
    """canvas: {width: 200, height: 160, frames: 2}
nodes:
  - type: plot
    expr: "tan(x)"
    view: [-pi, -3, pi, 3]
    size: [180, 140]
    samples: 64
    transform: {position: [10, 10]}
""",
    """canvas: {width: 200, height: 160, frames: 2}
nodes:
  - type: figure
    points: {A: [0, 0], B: [3, 0], C: {keys: [[0, [1, 2]], [1, [1.5, 2.5]]]}}
    items:
      - {polygon: ABC}
      - {circumcircle: ABC, name: c}
      - {angle: BAC, value: true}
      - {midpoint: AB, name: M}
      - {segment: CM, aux: true}
    transform: {position: [40, 120]}
""",
    """canvas: {width: 160, height: 90, frames: 2}
nodes:
  - type: image
    src: images/dusk.png
    size: {keys: [[0, [80, 50]], [1, [120, 75]]]}
    fit: cover
    align: [0.2, 0.8]
    transform: {position: [80, 45], rotation: 10}
  - type: image
    src: images/dusk.png
    size: [40, 40]
    fit: contain
    sampling: nearest
""",
    """canvas: {width: 160, height: 90, frames: 2}
nodes:
  - type: polyline
    points: [[0, 0], [50, 10], [100, 0]]
    stroke: {width: 2, dash: [4, 2]}
    transform: {position: {keys: [[0, [10, 10]], [1, [20, 30], ease-in]]}}
  - type: group
    children:
      - {type: rect, size: [20, 20], radius: 3}
      - {type: ellipse, radius: [10, 5], fill: blue}
""",
]

HUGE_NUMBERS = [10 ** 30, -(10 ** 30), 10 ** 400, 1e308, -1e308, 1e-9, 65536, 65536.5, 1e9, 4096, 1e6, -1, 0,
                0.0, 2 ** 63, 2 ** 64, 1e15]
ODD_STRINGS = ["", " ", "\x7f", "\ufffe", "\x00", "\u200b", "\ud7ff", "#FF0000", "on", "no", "null", "~", "1e5",
               "x" * 9999, "中" * 3000, "\\frac{", "{{}}", "sqrt(2)**(10**30)", "root(3, 3)**(10**30)",
               "Matrix(((1, 1), (1, 0)))**(10**30)", "2**2**2**2**2", "factorial(10000)", "x**x**x**x",
               "M 0 0 " + "L 1 1 " * 2000, "A B C D E F G H", "AB", "ABC", "O A", "P AB", "__import__('os')",
               "sin(x", "1/0", "oo", "tan(x)**1000", "\n" * 50, "images/dusk.png", "images", "../../../../etc/passwd",
               "images/missing.png", "cover", "contain"]
NODE_TYPES = ["group", "text", "rect", "ellipse", "circle", "line", "polyline", "polygon", "path", "formula",
              "plot", "figure", "road", "image"]
KEY_NAMES = ["type", "id", "transform", "position", "keys", "value", "speed", "wiggle", "points", "text",
             "spans", "fill", "stroke", "dash", "children", "segments", "lanes", "items", "size", "radius",
             "curvature", "length", "camera", "view", "samples", "fit", "width", "frames", "fps", "duration",
             "src", "align", "sampling"]


def _seed_texts() -> list:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
    return texts + SEED_SCENES


def _paths(data, limit: int = 5000, max_depth: int = 30):
    """(path, value) pairs of the data tree, breadth first, at most ``limit`` of them."""
    out, todo = [], [((), data)]
    while todo and len(out) < limit:
        prefix, v = todo.pop(0)
        out.append((prefix, v))
        if len(prefix) >= max_depth:
            continue
        if isinstance(v, dict):
            todo.extend((prefix + (k,), x) for k, x in v.items())
        elif isinstance(v, list):
            todo.extend((prefix + (i,), x) for i, x in enumerate(v[:200]))
    return out


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _set(data, path, value):
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


def _random_value(rng: random.Random, depth=0):
    r = rng.random()
    if r < 0.3:
        return rng.choice(HUGE_NUMBERS)
    if r < 0.55:
        return rng.choice(ODD_STRINGS)
    if r < 0.65:
        return rng.choice([None, True, False])
    if r < 0.8 or depth > 2:
        return [rng.choice(HUGE_NUMBERS) for _ in range(rng.randint(0, 4))]
    return {rng.choice(KEY_NAMES): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


GENTLE_OPS = (3, 4, 7, 8, 9, 10, 12, 13, 14, 16, 17)  # keep types: scenes that load, then stress the renderer
N_OPS = 18
STROKED = ("rect", "ellipse", "circle", "line", "polyline", "polygon", "path", "text")
TINY_DASHES = [[0.01, 0.01], [1e-6, 1e-6], [0, 1e-9], [0.001, 0.002, 0.003, 0.004], [0.05, 0.05], [1e-300, 1e-300]]


def _applies(op, value) -> bool:
    num = isinstance(value, (int, float)) and not isinstance(value, bool)
    return {3: num, 4: isinstance(value, list) and bool(value), 7: isinstance(value, str),
            8: num or (isinstance(value, list) and all(isinstance(x, (int, float)) for x in value)),
            9: isinstance(value, dict) and isinstance(value.get("nodes"), list),
            10: num, 12: isinstance(value, dict) and value.get("type") in ("text", "formula", "path"),
            13: isinstance(value, dict) and value.get("type") == "road",
            14: isinstance(value, dict) and value.get("type") == "figure",
            16: isinstance(value, dict) and (value.get("type") == "figure" or isinstance(value.get("nodes"), list)),
            17: isinstance(value, dict) and value.get("type") in STROKED + ("figure", "plot", "road")}.get(op, True)


def _mutate_data(rng: random.Random, data, gentle: bool = False):
    """One structural mutation of the data tree (returns the new tree)."""
    paths = _paths(data)
    for _ in range(30):
        path, value = rng.choice(paths)
        op = rng.choice(GENTLE_OPS) if gentle else rng.randrange(N_OPS)
        if _applies(op, value):
            break
    if op == 0:                                    # replace by an odd value
        return _set(data, path, _random_value(rng))
    if op == 1 and path:                           # delete
        parent = _get(data, path[:-1])
        del parent[path[-1]]
        return data
    if op == 2 and isinstance(value, dict):        # add an unknown or misplaced key
        value[rng.choice(KEY_NAMES + ["colour", "typ", "<<"])] = _random_value(rng)
        return data
    if op == 3 and isinstance(value, (int, float)) and not isinstance(value, bool):  # scale a number
        f = rng.choice([1e3, 1e6, 1e9, 1e12, -1, 0, 1e-9, 1e-6, 65536])
        try:
            scaled = value * f
        except OverflowError:  # an int too large for a float (10**400): scale it as an int
            scaled = value * (int(f) if abs(f) >= 1 else -1)
        return _set(data, path, scaled)
    if op == 4 and isinstance(value, list) and value:  # grow a list (resource mutation)
        n = rng.choice([2, 10, 100, 1000, 20000])
        item = rng.choice(value)
        value.extend([item] * n)  # shared references: cheap here, a long list in the YAML
        return data
    if op == 5:                                    # wrap in a list or mapping
        return _set(data, path, [value] if rng.random() < 0.5 else {"value": value})
    if op == 6 and isinstance(value, dict) and "type" in value:  # change or break the node type
        value["type"] = rng.choice(NODE_TYPES + [["rect"], {"a": 1}, 3, None, "Rect"])
        return data
    if op == 7 and isinstance(value, str):        # grow or poison a string
        return _set(data, path, rng.choice([value * rng.choice([2, 50, 5000]), value + rng.choice(ODD_STRINGS)]))
    if op == 8 and isinstance(value, (int, float, list)) and not isinstance(value, bool):  # animate it
        keys = [[t * 0.5, copy.deepcopy(value)] for t in range(rng.choice([2, 3, 50, 20000]))]
        return _set(data, path, {"keys": keys} if rng.random() < 0.8 else {"value": value, "speed": 1e12})
    if op == 9 and isinstance(value, dict) and "nodes" in value and isinstance(value["nodes"], list):
        value["nodes"] = value["nodes"] * rng.choice([2, 50, 1000, 60000])  # many nodes
        return data
    if op == 10 and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _set(data, path, rng.choice(HUGE_NUMBERS))
    if op == 11:                                    # deep nesting
        nested = value
        for _ in range(rng.choice([10, 60, 3000])):
            nested = [nested]
        return _set(data, path, nested)
    if op == 12 and isinstance(value, dict):       # spans / labels / long text on anything text-like
        key = {"text": rng.choice(["text", "spans", "path"]), "formula": rng.choice(["tex", "sympy"]),
               "path": "d"}.get(value.get("type"), rng.choice(["text", "spans", "label", "expr", "d"]))
        value[key] = ([{"text": "y" * rng.choice([10, 999, 9999])}] * rng.choice([2, 50]) if key == "spans" else
                      rng.choice(["z" * rng.choice([100, 9000, 20000]), rng.choice(ODD_STRINGS)]))
        if key == "spans":
            value.pop("text", None)
        return data
    if op == 13 and isinstance(value, dict) and value.get("type") == "road":  # plausible absurd road numbers
        seg = {"kind": rng.choice(["straight", "arc", "clothoid"]), "length": rng.choice([1e9, 1e5, 10, 1e-6]),
               "curvature": rng.choice([3000, -3000, 1e5, 0.01, 1e-12]),
               "curvature_to": rng.choice([1e5, 0, -0.5])}
        value["segments"] = [seg] * rng.choice([1, 3, 100000])
        if rng.random() < 0.5:
            value["lanes"] = [rng.choice([1e9, 3.5, 0.5, 100])] * rng.choice([1, 3, 200])
        return data
    if op == 14 and isinstance(value, dict) and value.get("type") == "figure":  # absurd figure coordinates
        pts = value.get("points") if isinstance(value.get("points"), dict) else {}
        for k in list(pts)[:2]:
            pts[k] = [rng.choice([1e-9, 65536, 1e9, -1e9, 0]), rng.choice([1e-9, 65536, 0, 1])]
        value["points"] = pts or {"A": [1e-9, 0]}
        return data
    if op == 16 and _applies(16, value):            # chained exact constructions (SymPy expressions grow)
        fig = value if value.get("type") == "figure" else None
        if fig is None:
            fig = {"type": "figure", "points": {"A": [0, 0], "B": [5.1, 0.3], "C": [1.7, 3.3]},
                   "items": [{"polygon": "ABC"}], "transform": {"position": [40, 100]}, "scale": 15}
            value["nodes"].append(fig)
        if not isinstance(fig.get("points"), dict) or len(fig["points"]) < 3:
            fig["points"] = {"A": [0, 0], "B": [5.1, 0.3], "C": [1.7, 3.3]}
        a, b, prev = list(fig["points"])[:3]
        items = fig["items"] if isinstance(fig.get("items"), list) else []
        for i in range(rng.choice([2, 4, 8, 20])):
            kind = rng.choice(["incentre", "circumcentre", "orthocentre", "centroid", "circle", "midpoint"])
            name = f"Q{i}"
            if kind == "circle":                     # a circle through the last point, met by a line
                items += [{"circle": f"{prev} {a}", "name": f"k{i}"},
                          {"intersection": f"k{i} {prev}{b}", "name": name, "pick": 0}]
            elif kind == "midpoint":
                items.append({"midpoint": f"{prev}{b}", "name": name})
            else:
                items.append({kind: f"{a} {b} {prev}" if i % 2 else f"{b} {prev} {a}", "name": name})
            prev = name
        fig["items"] = items
        fig["exact"] = rng.random() < 0.9
        return data
    if op == 17 and isinstance(value, dict):        # tiny dash patterns on long outlines
        dash = rng.choice(TINY_DASHES)
        t = value.get("type")
        if t == "road":
            value["boundaries"] = [{"type": rng.choice(["dashed", "solid_dashed"]), "dash": rng.choice([1e-6, 0.3, 0.01]),
                                    "gap": rng.choice([1e-6, 0.0, 0.3])}] * rng.choice([1, 13])
        elif t == "figure":
            items = value.get("items") if isinstance(value.get("items"), list) else []
            value["items"] = [dict(it, dash=dash) if isinstance(it, dict) else it for it in items] or \
                [{"segment": "AB", "dash": dash}]
        elif t == "plot":
            for k in ("expr", "x", "y"):
                value.pop(k, None)
            value["curves"] = [{"expr": "sin(50 * x)", "dash": dash}]
        else:
            value["stroke"] = {"width": 1, "dash": dash}
            if t in ("polyline", "polygon") and rng.random() < 0.7:
                value["points"] = [[(i % 2) * 400, (i * 7) % 400] for i in range(rng.choice([50, 300, 3000]))]
            if rng.random() < 0.3:
                value["transform"] = {"scale": rng.choice([10, 1000])}
        return data
    # fallback: replace a random leaf by an odd value
    return _set(data, path, _random_value(rng))


_TEXT_ATTACKS = [
    lambda rng: "a: &a [*a]\n",
    lambda rng: "x: &x0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"x{i + 1}: &x{i + 1} [{', '.join([f'*x{i}'] * 9)}]\n" for i in range(9)),
    lambda rng: "deep: " + "[" * rng.choice([100, 5000, 100000]) + "]" * 5,
    lambda rng: "deep: " + "{a: " * rng.choice([100, 3000]) + "1" + "}" * 10,
    lambda rng: f"txt: \"{rng.choice(['a', 'b'])}\x7f\ufffe\"\n",
    lambda rng: "t: !!python/object/apply:os.system [echo hi]\n",
    lambda rng: "d: 2020-01-01\nb: !!binary aGk=\n",
    lambda rng: "m: &m {x: 1}\nn: {<<: *m}\n",
    lambda rng: "---\na: 1\n---\nb: 2\n",
    lambda rng: "n: " + "9" * rng.choice([40, 400, 5000]) + "\n",
]


def _mutate_text(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.5:                                 # character noise
        chars = list(text)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(chars) + 1)
            op = rng.random()
            if op < 0.35 and chars:
                del chars[min(i, len(chars) - 1)]
            elif op < 0.8:
                chars.insert(i, rng.choice(list(":-[]{}#,'\"\n 0123abc!&*|>%@`\t") + ["\x7f", "\ufffe", "\x1b"]))
            elif chars:
                chars[min(i, len(chars) - 1)] = rng.choice(list("xyz9-.:&*"))
        return "".join(chars)
    attack = rng.choice(_TEXT_ATTACKS)(rng)
    lines = text.splitlines(True)
    at = rng.randrange(len(lines) + 1)
    if rng.random() < 0.5:
        return "".join(lines[:at]) + attack + "".join(lines[at:])
    return text + attack


def make_case(seed: int, index: int) -> str:
    """The YAML text of case ``index`` of the run with ``seed`` (deterministic)."""
    from symbolreel.yamlio import dump_yaml, load_yaml

    rng = random.Random(int.from_bytes(hashlib.sha256(f"{seed}:{index}".encode()).digest()[:8], "little"))
    texts = _seed_texts()
    text = rng.choice(texts)
    if rng.random() < 0.2:
        return _mutate_text(rng, text)
    data, _ = load_yaml(text)
    gentle = rng.random() < 0.5
    for _ in range(rng.choice([1, 1, 2, 3, 5])):
        data = _mutate_data(rng, data, gentle)
    try:
        out = dump_yaml(data)[:MAX_TEXT]
    except RecursionError:  # the dumper cannot write very deep data: write it as flow YAML by hand
        out = _flow(data)
    if rng.random() < 0.1:
        out = _mutate_text(rng, out)
    return out


def _flow(v) -> str:
    import json

    parts = []
    size = 0
    stack = [v]
    # iterative JSON writer (JSON is YAML): json.dumps recurses too; stops past MAX_TEXT (shared
    # references can stand for far more text than memory holds: the truncated file is still a case)
    while stack and size < MAX_TEXT:
        x = stack.pop()
        if isinstance(x, str) and x in ("\0[", "\0]", "\0{", "\0}", "\0,", "\0:"):
            parts.append(x[1])
            size += 1
        elif isinstance(x, list):
            items = ["\0["]
            for i, e in enumerate(x):
                items += (["\0,"] if i else []) + [e]
            stack.extend(reversed(items + ["\0]"]))
        elif isinstance(x, dict):
            items = ["\0{"]
            for i, (k, e) in enumerate(x.items()):
                items += (["\0,"] if i else []) + [str(k), "\0:", e]
            stack.extend(reversed(items + ["\0}"]))
        else:
            parts.append(json.dumps(x, ensure_ascii=False) if not isinstance(x, float) or x == x else ".nan")
            size += len(parts[-1])
    return "".join(parts) + "\n"


def rss_peak_mb() -> float:
    """Peak resident memory of this process so far, MiB: VmHWM, the high-water mark of this process's
    own memory. (ru_maxrss is not that on Linux: exec keeps the parent's peak, so a child started
    from a large test runner reports the runner's memory.)"""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_case(text: str, render: bool) -> tuple:
    """``(outcome, detail)``: outcome is 'ok', 'clean' (a project error naming the file) or 'bad'."""
    import symbolreel as sr
    from symbolreel.session import Session as _Session

    stage = "load"
    try:
        scene = sr.loads(text, FILE)
        stage = "limits"
        scene.check_limits(file=FILE)
        stage = "compile"          # what `symbolreel validate` does: compile, resolve fonts, prepare nodes
        try:
            session = _Session(scene, str(EXAMPLES))
            if render:
                stage = "render"
                for _ in session.iter_render([0], True):
                    pass
        except sr.SceneError as exc:
            if exc.file is None:
                exc = exc.located(FILE)
            raise exc from None
        return "ok", stage
    except sr.SymbolreelError as exc:
        msg = str(exc)
        if isinstance(exc, sr.SceneError) and not msg.startswith(FILE):
            return "bad", f"{stage}: SceneError without the file name: {msg[:300]}"
        return "clean", msg[:200]
    except Exception as exc:  # noqa: BLE001 - everything else is a finding
        import traceback

        return "bad", f"{stage}: {type(exc).__name__}: {str(exc)[:300]}\n{traceback.format_exc()[-2000:]}"


def timed_case(text: str, render: bool) -> dict:
    t0 = time.perf_counter()
    outcome, detail = run_case(text, render)
    return {"outcome": outcome, "detail": detail, "seconds": time.perf_counter() - t0, "rss_mb": rss_peak_mb()}
