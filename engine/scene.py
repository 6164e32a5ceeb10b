"""The Scene: canvas, seed, font table and node tree; YAML in and out."""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import os
from dataclasses import dataclass

from . import nodes
from .animators.ease_spec import EASE_NAMES
from .errors import LimitError, SceneError, describe, format_path
from .fields import class_schema, export, field, from_data, normalise, specs, struct_classes
from .node import Node
from .yamlio import dump_yaml, load_yaml

FORMAT_VERSION = 1


from .limits import DEFAULT_LIMITS, Limits, check_data  # noqa: F401  (Limits is re-exported here)


@dataclass(frozen=True, kw_only=True)
class Canvas:
    """Output size, frame rate, length and background."""

    width: int = field(512, "int", "pixels", min=1)
    height: int = field(512, "int", "pixels", min=1)
    fps: float = field(30.0, "number", "frames per second", min=0.001, max=1000.0)
    duration: float | None = field(None, "number", "length in seconds (or give 'frames')", nullable=True,
                                   min=0.0)
    frames: int | None = field(None, "int", "length in frames (or give 'duration')", nullable=True, min=1)
    background: tuple | None = field("white", "colour", "background colour; null for transparent",
                                     nullable=True)

    def __post_init__(self):
        normalise(self)
        if self.duration is not None and self.frames is not None:
            raise SceneError("give either 'duration' (seconds) or 'frames', not both", ("frames",))

    @property
    def n_frames(self) -> int:
        if self.frames is not None:
            return self.frames
        if self.duration is not None:
            return max(1, int(round(self.duration * self.fps)))
        return 1

    def time(self, frame: float) -> float:
        """Seconds at frame index ``frame`` (frame i is sampled at i / fps)."""
        return frame / self.fps


@dataclass(frozen=True, kw_only=True)
class Camera:
    """2D camera: the view is centred on ``position``, zoomed and rotated; animatable like any node.

    View matrix applied above every top-level node:
    T(canvas centre) . S(zoom) . R(-rotation) . T(-position).
    """

    position: tuple | None = field(None, "vec2", "world point shown at the canvas centre; "
                                                 "null = the canvas centre (identity view)", anim=True,
                                   nullable=True)
    zoom: float = field(1.0, "number", "magnification (2 = everything twice as large)", anim=True, min=1e-6)
    rotation: float = field(0.0, "number", "degrees; the scene appears turned the opposite way", anim=True)

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class MotionBlur:
    """Average ``samples`` sub-frame renders spread over the shutter interval after each frame time."""

    shutter: float = field(180.0, "number", "shutter angle in degrees (360 = the whole frame interval)",
                           min=0.0, max=360.0)
    samples: int = field(8, "int", "sub-frames averaged per frame", min=1, max=64)

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class Scene:
    """A complete scene. Build it in Python or load it from YAML; both give equal objects."""

    version: int = field(FORMAT_VERSION, "int", "format version", min=1, max=FORMAT_VERSION)
    canvas: Canvas = field(Canvas(), "struct", "output size, fps, length", struct=Canvas)
    seed: int = field(0, "int", "seed of every random choice in the scene (0 is valid)", min=0,
                      max=2**63 - 1)
    fonts: dict = field(None, "mapping", "aliases: name -> list of bundled font names or font file paths "
                                         "(a fallback chain)", nullable=True)
    camera: Camera | None = field(None, "struct", "2D camera over the whole scene, or null", struct=Camera,
                                  nullable=True)
    motion_blur: MotionBlur | None = field(None, "struct", "off (null) by default", struct=MotionBlur,
                                           nullable=True)
    nodes: tuple = field((), "nodes", "top-level nodes; later nodes draw on top", struct=Node)

    def __post_init__(self):
        normalise(self)
        if self.fonts is not None:
            _check_fonts(self.fonts)
        object.__setattr__(self, "nodes", _assign_ids(self.nodes))

    # -- convenience -------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        return self.canvas.n_frames

    def walk(self):
        """Yield ``(node, parent_index, path)`` in drawing order (parents before children)."""
        stack = [(n, -1, ("nodes", i)) for i, n in enumerate(self.nodes)][::-1]
        index = 0
        out = []
        while stack:
            node, parent, path = stack.pop()
            out.append((node, parent, path))
            me = index
            index += 1
            kids = node.children_nodes()
            stack.extend([(c, me, path + ("children", j)) for j, c in enumerate(kids)][::-1])
        return out

    def node(self, node_id: str):
        """The node with this id (KeyError if none)."""
        for n, _, _ in self.walk():
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def to_data(self) -> dict:
        return export(self)

    def dumps(self) -> str:
        """YAML text of the scene; ``loads(scene.dumps()) == scene``."""
        return dump_yaml(self.to_data())

    def replace(self, **changes) -> "Scene":
        """A copy with ``changes``; it keeps the file the scene was loaded from (:attr:`source`)."""
        out = dataclasses.replace(self, **changes)
        if self.source is not None:
            _set_source(out, self.source)
        return out

    @property
    def source(self) -> str | None:
        """The file :func:`load` read this scene from (absolute), or None for a scene built in Python.
        Relative paths in the scene (font files, images, background folders) are resolved from its
        directory when no ``base_dir`` is given; it is not part of the scene's value (``==``, YAML)."""
        return self.__dict__.get("_source")

    @property
    def base_dir(self) -> str | None:
        """The directory relative paths resolve from by default: :attr:`source`'s, or None (the
        current directory)."""
        src = self.source
        return None if src is None else os.path.dirname(src)

    def check_limits(self, limits: Limits = DEFAULT_LIMITS, file: str | None = None) -> None:
        """Raise :class:`LimitError` when the scene exceeds ``limits`` (see docs/limits.md).

        Files are checked while loading, before any object is built; this checks a scene built in
        Python (or loaded with other limits) by the same walk over its exported data."""
        c = self.canvas
        for name in ("width", "height"):
            if getattr(c, name) > limits.max_side:
                raise LimitError(f"{getattr(c, name)} pixels exceeds the limit of {limits.max_side} "
                                 f"(raise it with --max-side / Limits(max_side=...))", ("canvas", name), file)
        if c.n_frames > limits.max_frames:
            raise LimitError(f"{c.n_frames} frames exceeds the limit of {limits.max_frames} "
                             f"(raise it with --max-frames / Limits(max_frames=...))", ("canvas",), file)
        check_data(self.to_data(), limits, file, root=Scene)


def _check_fonts(table):
    for alias, chain in table.items():
        if isinstance(chain, str):
            chain = [chain]
        if not isinstance(chain, (list, tuple)) or not chain or not all(isinstance(c, str) for c in chain):
            raise SceneError(f"expected a list of font names or file paths, found {describe(chain)}",
                             ("fonts", alias))


def _assign_ids(nodes: tuple) -> tuple:
    """Give nodes without an id a stable one (``<type>-<n>`` in drawing order); reject duplicates."""
    seen: dict = {}

    def collect(ns, path):
        for i, n in enumerate(ns):
            p = path + (i,)
            if n.id is not None:
                if n.id in seen:
                    raise SceneError(f"duplicate id '{n.id}' (also used at {_fmt(seen[n.id])}); ids must be unique",
                                     p + ("id",))
                seen[n.id] = p
            collect(n.children_nodes(), p + ("children",))

    collect(nodes, ("nodes",))
    counters: dict = {}

    def fill(ns):
        out = []
        for n in ns:
            kids = n.children_nodes()
            if kids:
                n = _with(n, children=fill(kids))
            if n.id is None:
                k = counters.get(n.TYPE, 0)
                while f"{n.TYPE}-{k}" in seen:
                    k += 1
                counters[n.TYPE] = k + 1
                new_id = f"{n.TYPE}-{k}"
                seen[new_id] = ()
                n = _with(n, id=new_id)
            out.append(n)
        return tuple(out)

    return fill(nodes)


def _with(node, **changes):
    """A copy of an already validated node with fields the scene assigned itself (ids, children that
    are validated nodes): no second validation of every field, as ``dataclasses.replace`` would do."""
    out = copy.copy(node)
    for k, v in changes.items():
        object.__setattr__(out, k, v)
    return out


def _fmt(path):
    return format_path(path)


# ---------------------------------------------------------------------- I/O

def from_dict(data, file: str | None = None, marks=None, limits: Limits = DEFAULT_LIMITS) -> Scene:
    """Plain data (e.g. parsed JSON) -> Scene, with located errors; ``limits`` are checked first."""
    try:
        check_data(data, limits, root=Scene)
    except SceneError as exc:
        raise exc.located(file, marks) from None
    if isinstance(data, dict):
        unknown = [k for k in data if k not in {n for n, _, _ in specs(Scene)}]
        if not unknown and "nodes" not in data:
            raise SceneError("missing 'nodes' (the list of things to draw)", (), file)
    try:
        return from_data(Scene, data)
    except SceneError as exc:
        raise exc.located(file, marks) from None


def loads(text: str, file: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Scene:
    """Parse a scene from YAML (or JSON) text, within ``limits``."""
    data, marks = load_yaml(text, file, limits)
    return from_dict(data, file, marks, limits)


def load(path, limits: Limits = DEFAULT_LIMITS) -> Scene:
    """Read a scene file (YAML or JSON), within ``limits``."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > 4 * limits.max_bytes:  # refuse to read a huge file at all (the exact check is in load_yaml)
            raise SceneError(f"the file has {size} bytes, above the limit of {limits.max_bytes} (max_bytes) "
                             f"(raise it with Limits(max_bytes=...) or --limit max_bytes=N)", (), path)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise SceneError("no such file", (), path) from None
    except UnicodeDecodeError as exc:
        raise SceneError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", (), path) from None
    except IsADirectoryError:
        raise SceneError("is a directory, not a scene file", (), path) from None
    except PermissionError:
        raise SceneError("cannot be read (permission denied)", (), path) from None
    return _set_source(loads(text, file=path, limits=limits), os.path.abspath(path))


def _set_source(scene: Scene, path: str) -> Scene:
    object.__setattr__(scene, "_source", path)   # frozen dataclass: not a field, kept by pickle
    return scene


def locate(exc: SceneError, path) -> SceneError:
    """Attach a scene file's name and the YAML line of ``exc.path`` to an error raised after loading
    (e.g. a font or glyph problem found while preparing to render)."""
    if exc.file is not None:
        return exc
    marks = None
    try:
        with open(path, encoding="utf-8") as fh:
            _, marks = load_yaml(fh.read(), os.fspath(path))
    except (OSError, SceneError):
        pass
    return exc.located(os.fspath(path), marks)


def locate_in_source(exc: SceneError, scene) -> SceneError:
    """``exc`` located in the file a :func:`load`-ed ``scene`` came from (name and YAML line), as the
    CLI reports it; ``exc`` itself when the scene has no file or no longer equals what the file holds
    (a line of the file would then point at something else)."""
    src = scene.source
    if exc.file is not None or src is None:
        return exc
    try:
        same = load(src) == scene
    except SceneError:          # the file is gone, unreadable or no longer a valid scene
        return exc
    return locate(exc, src) if same else exc


@contextlib.contextmanager
def errors_located(scene):
    """Re-raise a :class:`SceneError` from the block located in ``scene``'s file (:func:`locate_in_source`)."""
    try:
        yield
    except SceneError as exc:
        located = locate_in_source(exc, scene)
        if located is exc:
            raise
        raise located from None


def dumps(scene: Scene) -> str:
    return scene.dumps()


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of the scene format, generated from the dataclasses."""
    NODE_TYPES = nodes.node_types()
    defs = {
        "colour": {"description": "'#RRGGBB', '#RRGGBBAA', 'rgb(...)', 'rgba(...)', a CSS name, or [r, g, b, a]",
                   "anyOf": [{"type": "string"},
                             {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
                              "minItems": 3, "maxItems": 4}]},
        "ease": {"anyOf": [{"enum": list(EASE_NAMES)},
                           {"type": "string", "pattern": r"^(steps\(.*\)|cubic-bezier\(.*\))$"},
                           {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4}]},
        "track": {
            "type": "object", "additionalProperties": False,
            "description": "an animated value: keyframes [t seconds, value, ease] and/or procedural terms",
            "properties": {
                "keys": {"type": "array", "minItems": 1, "items": {"anyOf": [
                    {"type": "array", "minItems": 2, "maxItems": 3},
                    {"type": "object", "required": ["t", "value"],
                     "properties": {"t": {"type": "number"}, "value": {}, "ease": {"$ref": "#/$defs/ease"}},
                     "additionalProperties": False}]}},
                "value": {},
                "before": {"enum": ["hold", "loop", "pingpong", "continue"]},
                "after": {"enum": ["hold", "loop", "pingpong", "continue"]},
                "speed": {"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}}]},
                "wiggle": {"type": "object", "additionalProperties": False, "required": ["amplitude"],
                           "properties": {"amplitude": {}, "frequency": {"type": "number", "minimum": 0},
                                          "octaves": {"type": "integer", "minimum": 1, "maximum": 8}}},
            },
        },
        "node": {"oneOf": [{"$ref": f"#/$defs/{name}"} for name in sorted(NODE_TYPES)]},
    }
    for name, cls in NODE_TYPES.items():
        defs[name] = class_schema(cls)
    for cls in struct_classes([Scene, *NODE_TYPES.values()]):
        defs[cls.__name__] = class_schema(cls)
    root = class_schema(Scene)
    root["properties"]["fonts"] = {
        "anyOf": [{"type": "null"}, {"type": "object", "additionalProperties": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "symbolreel scene",
            **root, "$defs": defs}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False)


def scene_and_dir(scene, base_dir: str | None = None, limits: Limits = DEFAULT_LIMITS) -> tuple:
    """Accept a Scene or a path; return (scene, directory that relative paths are resolved from):
    ``base_dir`` if given, else the scene file's directory (also for a Scene that :func:`load` read)."""
    if isinstance(scene, Scene):
        return scene, base_dir if base_dir is not None else scene.base_dir
    path = os.fspath(scene)
    return load(path, limits), base_dir or os.path.dirname(os.path.abspath(path))
