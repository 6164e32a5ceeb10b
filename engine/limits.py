"""Safety limits: bounds on what a scene may ask for, checked before any work is done.

Scenes come from samplers, other programs and language models, so a typo or a hostile file must
end in a clear error within seconds, never in minutes of work or gigabytes of memory. Every
quantity that can grow has a limit here; each is checked on the plain parsed data (after YAML,
before any node object is built) by :func:`check_data`, and again on a built scene by
``Scene.check_limits`` (the same walk over its exported data). See docs/limits.md.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .errors import LimitError
from .fields import specs
from .node import NODE_TYPES


@dataclass(frozen=True)
class Limits:
    """Safety limits so a typo cannot exhaust memory or time. Override per call when you need more,
    e.g. ``Limits(max_text=50_000)``; the CLI takes ``--limit max_text=50000``."""

    max_side: int = 8192            # canvas width or height, pixels
    max_pixels: int = 8_294_400     # canvas width x height (3840 x 2160, or 8192 x 1012)
    max_blur_pixels: int = 66_355_200  # canvas pixels x motion-blur samples (3840 x 2160 x 8): drawn per frame
    max_frames: int = 100_000       # frames of the scene
    max_nodes: int = 10_000         # nodes, nested children included
    max_text: int = 10_000          # characters of text in the whole scene (see NOT_TEXT_FIELDS)
    max_bytes: int = 1_000_000      # size of the scene file (YAML or JSON text), bytes
    max_depth: int = 48             # nesting of lists and mappings in the file
    max_elements: int = 500_000     # values in the file after expanding YAML aliases
    max_points: int = 100_000       # [x, y] points in the whole scene (every keyframe's copy counted)
    max_path: int = 200_000         # characters of SVG path data ('d', text 'path') in the whole scene
    max_track_keys: int = 10_000    # keyframes of one animated value
    max_keys: int = 100_000         # keyframes in the whole scene
    max_items: int = 2_000          # entries of one list of mappings (road segments, figure items, spans...)
    max_expressions: int = 50       # expression strings (plot expr / x / y, formula sympy): each is parsed,
    #                                 analysed with SymPy and sampled
    max_dashes: int = 500_000       # dashes drawn per frame by all dashed strokes together, each weighted by its
    #                                 stroke width in pixels (at least 1); checked per frame on the display list

    def describe(self) -> dict:
        return dataclasses.asdict(self)


DEFAULT_LIMITS = Limits()

# string fields that are not drawn text; every other string field (text, spans, tex, sympy, labels,
# point names, marking and sign text, expressions) counts towards ``max_text``
NOT_TEXT_FIELDS = frozenset({"id", "font", "src"})
# string fields holding SVG path data, counted towards ``max_path``
PATH_FIELDS = frozenset({"d", "path"})
# string fields holding an expression in the restricted grammar, counted towards ``max_expressions``
EXPRESSION_FIELDS = frozenset({"expr", "x", "y", "sympy"})


def _num(v) -> str:
    """A number for a message, whatever its size (``f'{10**400:g}'`` would raise)."""
    if isinstance(v, float):
        return f"{v:g}"
    text = str(v) if abs(v) < 10 ** 30 else f"{str(v)[:6]}...({len(str(abs(v)))} digits)"
    return text


def _hint(name: str) -> str:
    return f"(raise it with Limits({name}=...) or --limit {name}=N)"


class _Walk:
    """One pass over plain scene data, adding up every limited quantity as it goes."""

    def __init__(self, limits: Limits, file):
        self.limits, self.file = limits, file
        self.nodes = self.text = self.points = self.path = self.keys = self.exprs = 0

    def fail(self, message, path):
        raise LimitError(message, path, self.file)

    def add(self, what: str, amount: int, path, label: str):
        total = getattr(self, what) + amount
        setattr(self, what, total)
        name = {"nodes": "max_nodes", "text": "max_text", "points": "max_points", "path": "max_path",
                "keys": "max_keys", "exprs": "max_expressions"}[what]
        limit = getattr(self.limits, name)
        if total > limit:
            self.fail(f"the scene has more than {limit} {label} ({name}) {_hint(name)}", path)

    def scene(self, data, root):
        if not isinstance(data, dict):
            return
        self.data = data
        canvas = data.get("canvas")
        if isinstance(canvas, dict):
            self.canvas(canvas)
        self.fields(root, data, ())

    def canvas(self, c):
        lim = self.limits
        sides = {}
        for name in ("width", "height"):
            v = c.get(name, 512)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if v > lim.max_side:
                    self.fail(f"{_num(v)} pixels exceeds the limit of {lim.max_side} (max_side) "
                              f"(raise it with --max-side / Limits(max_side=...))", ("canvas", name))
                sides[name] = v
        if len(sides) == 2 and sides["width"] * sides["height"] > lim.max_pixels:
            self.fail(f"{_num(sides['width'])} x {_num(sides['height'])} = {_num(sides['width'] * sides['height'])} pixels "
                      f"exceeds the limit of {lim.max_pixels} pixels per frame (max_pixels) {_hint('max_pixels')}",
                      ("canvas",))
        blur = self.data.get("motion_blur") if isinstance(self.data, dict) else None
        if len(sides) == 2 and isinstance(blur, dict):
            n = blur.get("samples", 8)
            if isinstance(n, int) and not isinstance(n, bool) and sides["width"] * sides["height"] * n > lim.max_blur_pixels:
                self.fail(f"{_num(sides['width'] * sides['height'])} pixels x {n} motion-blur samples exceeds the "
                          f"limit of {lim.max_blur_pixels} pixels drawn per frame (max_blur_pixels) "
                          f"{_hint('max_blur_pixels')}", ("motion_blur", "samples"))
        frames = c.get("frames")
        if isinstance(frames, (int, float)) and not isinstance(frames, bool) and frames > lim.max_frames:
            self.fail(f"{_num(frames)} frames exceeds the limit of {lim.max_frames} "
                      f"(raise it with --max-frames / Limits(max_frames=...))", ("canvas", "frames"))
        duration, fps = c.get("duration"), c.get("fps", 30.0)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (duration, fps)):
            n = duration * fps
            if n > lim.max_frames:
                self.fail(f"{_num(n)} frames ({_num(duration)} s at {_num(fps)} fps) exceeds the limit of {lim.max_frames} "
                          f"(raise it with --max-frames / Limits(max_frames=...))", ("canvas", "duration"))

    def fields(self, cls, data: dict, path):
        for name, spec, _ in specs(cls):
            if name in data:
                self.value(name, spec, data[name], path + (name,))

    def value(self, name, spec, v, path):
        if spec.anim and isinstance(v, dict) and ("keys" in v or "value" in v):
            self.track(spec, v, path)
            return
        self.literal(name, spec, v, path)

    def literal(self, name, spec, v, path):
        k = spec.kind
        if k == "string" and isinstance(v, str):
            if name in EXPRESSION_FIELDS:
                self.add("exprs", 1, path, "expressions (plot expr, x and y, formula sympy)")
            if name in PATH_FIELDS:
                self.add("path", len(v), path, "characters of path data")
            elif name not in NOT_TEXT_FIELDS:
                self.add("text", len(v), path, "characters of text (text, spans, tex, labels, names, marking "
                                               "and sign text together)")
        elif k == "points" and isinstance(v, (list, tuple)):
            self.add("points", len(v), path, "points")
        elif k == "nodes" and isinstance(v, (list, tuple)):
            for i, n in enumerate(v):
                self.node(n, path + (i,))
        elif k == "struct" and isinstance(v, dict):
            self.fields(spec.struct, v, path)
        elif k == "structs" and isinstance(v, (list, tuple)):
            if len(v) > self.limits.max_items:
                self.fail(f"{len(v)} entries exceeds the limit of {self.limits.max_items} per list (max_items) "
                          f"{_hint('max_items')}", path)
            for i, item in enumerate(v):
                if isinstance(item, dict):
                    self.fields(spec.struct, item, path + (i,))
        elif k == "mapping" and isinstance(v, dict):
            # named points of a figure: name -> [x, y] or a track of [x, y]
            for key, item in v.items():
                if isinstance(item, dict) and "keys" in item:
                    self.track(None, item, path + (key,))
                else:
                    self.add("points", 1, path + (key,), "points")
        elif k in ("numbers", "reals") and isinstance(v, (list, tuple)) and len(v) > self.limits.max_points:
            self.fail(f"{len(v)} numbers exceeds the limit of {self.limits.max_points} per list (max_points) "
                      f"{_hint('max_points')}", path)

    def track(self, spec, v, path):
        keys = v.get("keys")
        if isinstance(keys, (list, tuple)):
            if len(keys) > self.limits.max_track_keys:
                self.fail(f"{len(keys)} keyframes exceeds the limit of {self.limits.max_track_keys} per animated "
                          f"value (max_track_keys) {_hint('max_track_keys')}", path + ("keys",))
            self.add("keys", len(keys), path + ("keys",), "keyframes")
            for i, key in enumerate(keys):
                val = key.get("value") if isinstance(key, dict) else (
                    key[1] if isinstance(key, (list, tuple)) and len(key) > 1 else None)
                self.key_value(spec, val, path + ("keys", i))
        elif "value" in v:
            self.key_value(spec, v["value"], path + ("value",))

    def key_value(self, spec, val, path):
        if spec is None:
            self.add("points", 1, path, "points")
        elif spec.kind == "points" and isinstance(val, (list, tuple)):
            self.add("points", len(val), path, "points")

    def node(self, n, path):
        self.add("nodes", 1, path, "nodes")
        if not isinstance(n, dict):
            return
        t = n.get("type")
        cls = NODE_TYPES.get(t) if isinstance(t, str) else None
        if cls is not None:
            self.fields(cls, n, path)


def check_data(data, limits: Limits = DEFAULT_LIMITS, file: str | None = None, *, root) -> None:
    """Raise :class:`LimitError` (naming the path) when plain scene data exceeds ``limits``; ``root`` is
    the dataclass of the data's top level (:class:`symbolreel.scene.Scene`).

    Cheap (one pass, no objects built), so it runs before validation and rendering.
    """
    _Walk(limits, file).scene(data, root)


def parse_limit(text: str) -> tuple:
    """``'max_text=50000'`` -> ``('max_text', 50000)`` (for ``--limit``)."""
    name, sep, value = text.partition("=")
    names = [f.name for f in dataclasses.fields(Limits)]
    name = name.strip()
    if not sep or name not in names:
        raise ValueError(f"expected NAME=N with NAME one of {', '.join(names)}, got {text!r}")
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ValueError(f"{name}: expected a whole number, got {value!r}") from None
    if number < 1:
        raise ValueError(f"{name}: must be at least 1, got {number}")
    return name, number
