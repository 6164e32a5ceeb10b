"""Typed annotation records (format ``symbolreel-annotations/2``): one frozen dataclass per kind.

Every annotation symbolreel writes is one of the records below. Each field declares its JSON
type once (``_field(spec, doc)``); the JSON Schema (:func:`json_schema`), the writer
(:meth:`Record.to_json`) and the reader (:func:`read_annotations`, :meth:`Record.from_json`)
are all derived from those declarations, so they cannot disagree.

Coordinates: image pixels, x right, y down, origin at the top-left corner of the top-left pixel
(rounded to 1/1000 px). A ``quad`` lists 4 corners in the reading order of the thing it boxes:
top-left, top-right, bottom-right, bottom-left of its own frame (so a rotated box keeps its
rotation). A ``bbox`` is ``[x0, y0, x1, y1]``, the axis-aligned bounds of the quad (or polygon).

This module imports neither Skia nor Numba: loaders and converters read annotations with it.
Values are stored as tuples (JSON lists become tuples when read), so records compare equal after a
round trip through JSON.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import ClassVar

from symbolreel.errors import SymbolreelError, format_path

__all__ = [
    "FORMAT", "FORMAT_V1", "AnnotationError", "Record", "bbox_of",
    "ShapeRecord", "TextChar", "TextWord", "TextLine", "TextRecord", "FormulaSymbol", "FormulaRecord",
    "PlotCurve", "PlotTick", "PlotAxes", "PlotRecord",
    "FigurePoint", "FigureCircle", "FigureLine", "FigureElement", "FigureLabel", "FigureFact",
    "FigureMeasures", "ExactCircle", "ExactFact", "FigureExact", "FigureRecord",
    "RoadCameraState", "LaneBoundary", "TuSimpleRows", "RoadMarking", "RoadSign", "RoadRecord",
    "FrameRecord", "AnnotationFile", "OBJECT_KINDS", "register_object", "object_from_json",
    "read_annotations", "migrate_v1", "json_schema", "json_schema_text", "dumps", "reference_markdown",
]

FORMAT = "symbolreel-annotations/2"
FORMAT_V1 = "symbolreel-annotations/1"


class AnnotationError(SymbolreelError, ValueError):
    """A malformed annotation file. ``str()`` gives ``file: path.inside[3].json: what was expected``."""

    def __init__(self, message: str, path=(), file: str | None = None):
        self.message, self.path, self.file = message, tuple(path), file
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{format_path(self.path)}: {self.message}"


def bbox_of(points) -> tuple:
    """``(x0, y0, x1, y1)``: the axis-aligned bounds of an iterable of ``[x, y]`` points (a quad, a
    polygon, or several chained); the one bbox helper every annotation uses."""
    it = iter(points)
    x0, y0 = next(it)
    x1, y1 = x0, y0
    for x, y in it:
        if x < x0:
            x0 = x
        elif x > x1:
            x1 = x
        if y < y0:
            y0 = y
        elif y > y1:
            y1 = y
    return (x0, y0, x1, y1)


# ----------------------------------------------------------------------------- value specs
# A spec checks/converts one JSON value (read), turns a stored value back into JSON (dump), freezes a
# value handed to a constructor (lists -> tuples), and describes itself as JSON Schema.

def _what(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return (text[:57] + "...") if len(text) > 60 else text


def _jsonable(value) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


class _Spec:
    def read(self, v, path):
        raise NotImplementedError

    def dump(self, v):
        return v

    def freeze(self, v):
        return v

    def schema(self, defs) -> dict:
        raise NotImplementedError

    def text(self) -> str:
        """The type in words, for the Markdown reference."""
        raise NotImplementedError


class _Str(_Spec):
    def read(self, v, path):
        if not isinstance(v, str):
            raise AnnotationError(f"expected a string, got {_what(v)}", path)
        return v

    def schema(self, defs):
        return {"type": "string"}

    def text(self):
        return "string"


class _Enum(_Str):
    def __init__(self, *values):
        self.values = values

    def read(self, v, path):
        if v not in self.values:
            raise AnnotationError(f"expected one of {', '.join(self.values)}, got {_what(v)}", path)
        return v

    def schema(self, defs):
        return {"enum": list(self.values)}

    def text(self):
        return " \\| ".join(f"`{v}`" for v in self.values)


class _Int(_Spec):
    def read(self, v, path):
        if isinstance(v, bool) or not isinstance(v, int):
            raise AnnotationError(f"expected an integer, got {_what(v)}", path)
        return v

    def schema(self, defs):
        return {"type": "integer"}

    def text(self):
        return "integer"


class _Num(_Spec):
    def read(self, v, path):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise AnnotationError(f"expected a finite number, got {_what(v)}", path)
        return float(v)

    def freeze(self, v):
        return float(v)

    def schema(self, defs):
        return {"type": "number"}

    def text(self):
        return "number"


class _Bool(_Spec):
    def read(self, v, path):
        if not isinstance(v, bool):
            raise AnnotationError(f"expected true or false, got {_what(v)}", path)
        return v

    def schema(self, defs):
        return {"type": "boolean"}

    def text(self):
        return "boolean"


class _Null(_Spec):
    """``spec`` or JSON null (None)."""

    def __init__(self, spec):
        self.spec = spec

    def read(self, v, path):
        return None if v is None else self.spec.read(v, path)

    def dump(self, v):
        return None if v is None else self.spec.dump(v)

    def freeze(self, v):
        return None if v is None else self.spec.freeze(v)

    def schema(self, defs):
        return {"anyOf": [self.spec.schema(defs), {"type": "null"}]}

    def text(self):
        return f"{self.spec.text()} or null"


class _List(_Spec):
    """A JSON array of ``item`` (stored as a tuple); ``n``: exact length; ``min``: least length."""

    def __init__(self, item, n=None, min=0, what=None):
        self.item, self.n, self.min, self.what = item, n, min, what
        # items stored as they are written (strings, integers, numbers): a list of them dumps as list(v),
        # without a call per value (annotations hold thousands of coordinates an item)
        self._plain = type(item).dump is _Spec.dump
        self._kept = type(item).freeze is _Spec.freeze     # items frozen as they are (strings, integers)

    def read(self, v, path):
        if not isinstance(v, list) or (self.n is not None and len(v) != self.n) or len(v) < self.min:
            raise AnnotationError(f"expected {self._expected()}, got {_what(v)}", path)
        read = self.item.read
        return tuple(read(x, (*path, i)) for i, x in enumerate(v))

    def _expected(self):
        if self.what:
            return self.what
        if self.n is not None:
            return f"a list of {self.n} values"
        return f"a list of at least {self.min} values" if self.min else "a list"

    def dump(self, v):
        if self._plain:
            return list(v)
        dump = self.item.dump
        return [dump(x) for x in v]

    def freeze(self, v):
        if self._kept:
            return tuple(v)
        return tuple(map(self.item.freeze, v))

    def schema(self, defs):
        out = {"type": "array", "items": self.item.schema(defs)}
        if self.n is not None:
            out["minItems"] = out["maxItems"] = self.n
        elif self.min:
            out["minItems"] = self.min
        return out

    def text(self):
        return self.what.split(" (")[0] if self.what else f"list of {self.item.text()}"


class _Map(_Spec):
    """A JSON object with free string keys and ``value`` values (stored as a dict)."""

    def __init__(self, value):
        self.value = value

    def read(self, v, path):
        if not isinstance(v, dict):
            raise AnnotationError(f"expected an object (name -> value), got {_what(v)}", path)
        return {k: self.value.read(x, (*path, k)) for k, x in v.items()}

    def dump(self, v):
        return {k: self.value.dump(x) for k, x in v.items()}

    def freeze(self, v):
        return {k: self.value.freeze(x) for k, x in v.items()}

    def schema(self, defs):
        return {"type": "object", "additionalProperties": self.value.schema(defs)}

    def text(self):
        return f"{{name: {self.value.text()}}}"


class _Rec(_Spec):
    """A nested record (or, with several classes, the one a ``pick(json) -> class`` chooses)."""

    def __init__(self, *classes, pick=None):
        self.classes, self.pick = classes, pick

    def read(self, v, path):
        cls = self.classes[0] if self.pick is None else self.pick(v, path)
        return cls._read(v, path)

    def dump(self, v):
        return v.to_json()

    def freeze(self, v):
        if not isinstance(v, self.classes):
            raise TypeError(f"expected {' or '.join(c.__name__ for c in self.classes)}, got {type(v).__name__}")
        return v

    def schema(self, defs):
        refs = [c._schema_ref(defs) for c in self.classes]
        return refs[0] if len(refs) == 1 else {"oneOf": refs}

    def text(self):
        return " or ".join(f"[{c.__name__}](#{c.__name__.lower()})" for c in self.classes)


STR, INT, NUM, BOOL = _Str(), _Int(), _Num(), _Bool()
POINT = _List(NUM, n=2, what="a point [x, y]")
QUAD = _List(POINT, n=4, what="4 points [[x, y], ...] (a quad)")
BBOX = _List(NUM, n=4, what="a box [x0, y0, x1, y1]")
POLYLINE = _List(POINT, what="a list of points [[x, y], ...]")


def _field(spec: _Spec, doc: str, *, key: str | None = None, optional: bool = False):
    """A record field: its JSON type, its description, its JSON key (default: the field name), and
    whether it may be left out (stored as None, omitted from the JSON)."""
    meta = {"spec": spec, "doc": doc, "key": key, "optional": optional}
    if optional:
        return dataclasses.field(default=None, metadata=meta)
    return dataclasses.field(metadata=meta)


# ----------------------------------------------------------------------------- records

class Record:
    """Base of all records: JSON out (``to_json``), JSON in (``from_json``), JSON Schema."""

    __slots__ = ()
    #: The ``kind`` tag of top-level object records (None for nested records).
    KIND: ClassVar[str | None] = None
    #: Field descriptors (name, JSON key, spec, optional), filled in by ``_record``.
    _FIELDS: ClassVar[tuple] = ()

    def __post_init__(self):
        for name, _, spec, optional in self._FIELDS:
            v = getattr(self, name)
            if v is None and optional:
                continue
            object.__setattr__(self, name, spec.freeze(v))

    def to_json(self) -> dict:
        """The record as plain JSON data (dicts, lists, numbers, strings)."""
        out = {}
        for name, key, spec, optional in self._FIELDS:
            v = getattr(self, name)
            if v is None and optional:
                continue
            out[key] = spec.dump(v)
            if name == "type" and self.KIND is not None:
                out["kind"] = self.KIND
        if self.KIND is not None and "kind" not in out:
            out["kind"] = self.KIND
        return out

    @classmethod
    def from_json(cls, obj, path=()):
        """Read a record from JSON data; raises :class:`AnnotationError` naming the path of a bad value."""
        return cls._read(obj, tuple(path))

    @classmethod
    def _read(cls, obj, path):
        if not isinstance(obj, dict):
            raise AnnotationError(f"expected an object ({cls.__name__}), got {_what(obj)}", path)
        known = {key for _, key, _, _ in cls._FIELDS}
        if cls.KIND is not None:
            known.add("kind")
            if obj.get("kind") != cls.KIND:
                raise AnnotationError(f"expected kind {cls.KIND!r}, got {_what(obj.get('kind'))}", path)
        extra = sorted(set(obj) - known)
        if extra:
            raise AnnotationError(f"unknown key {extra[0]!r} in {cls.__name__}; allowed keys: "
                                  f"{', '.join(sorted(known))}", path)
        kw = {}
        for name, key, spec, optional in cls._FIELDS:
            if key not in obj:
                if optional:
                    continue
                raise AnnotationError(f"missing key {key!r} ({cls.__name__})", path)
            kw[name] = spec.read(obj[key], (*path, key))
        rec = object.__new__(cls)      # values are already frozen: skip __post_init__'s second pass
        for name, _, _, optional in cls._FIELDS:
            object.__setattr__(rec, name, kw.get(name))
        return rec

    @classmethod
    def _schema_ref(cls, defs) -> dict:
        if cls.__name__ not in defs:
            defs[cls.__name__] = None       # placeholder: records may nest themselves
            props, required = {}, []
            for f in dataclasses.fields(cls):
                m = f.metadata
                key = m["key"] or f.name
                props[key] = {**m["spec"].schema(defs), "description": m["doc"]}
                if not m["optional"]:
                    required.append(key)
                if f.name == "type" and cls.KIND is not None:
                    props["kind"] = {"const": cls.KIND, "description": "record kind tag"}
                    required.append("kind")
            if cls.KIND is not None and "kind" not in props:
                props["kind"] = {"const": cls.KIND, "description": "record kind tag"}
                required.append("kind")
            defs[cls.__name__] = {"type": "object", "description": (cls.__doc__ or "").strip().split("\n\n")[0],
                                  "properties": props, "required": required, "additionalProperties": False}
        return {"$ref": f"#/$defs/{cls.__name__}"}


def _record(cls):
    """Decorator: a frozen, slotted, keyword-only dataclass whose fields drive JSON and schema."""
    cls = dataclass(frozen=True, slots=True, kw_only=True)(cls)
    cls._FIELDS = tuple((f.name, f.metadata["key"] or f.name, f.metadata["spec"], f.metadata["optional"])
                        for f in dataclasses.fields(cls))
    return cls


_ID = _Null(STR)
_OUTSIDE_DOC = "part of its quad lies outside the image (set on rendered frames; absent in files from before)"
_OCCLUDED_DOC = ("a node drawn later covers part of its quad: a pixel whose centre is inside the quad has "
                 "coverage >= 50% from later nodes (set on rendered frames; absent in files from before)")

# -- shapes and text ----------------------------------------------------------------------------


@_record
class ShapeRecord(Record):
    """A drawn shape (rect, ellipse, circle, line, polygon, polyline, path, arrow, ...): its box.

    ``quad``: the node's local tight bounds (grown by the stroke) under its world matrix; ``bbox``:
    the tight bounds of the transformed outline (not of the quad)."""

    KIND = "shape"
    id: str | None = _field(_ID, "node id")
    type: str = _field(STR, "node type (rect, ellipse, polygon, ...)")
    quad: tuple = _field(QUAD, "local bounds under the world matrix, TL TR BR BL")
    bbox: tuple = _field(BBOX, "image bounds of the drawn outline [x0, y0, x1, y1]")
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

@_record
class TextChar(Record):
    """One visible character of a text node."""

    char: str = _field(STR, "the character")
    codepoint: int = _field(INT, "its Unicode code point")
    index: int = _field(INT, "index of the character in the node's text (spans concatenated)")
    line: int = _field(INT, "line (column for vertical text) it is on, from 0")
    word: int = _field(INT, "word number in the node, from 0")
    quad: tuple = _field(QUAD, "TL TR BR BL in the character's reading frame")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    span: int | None = _field(INT, "index of its span (only for nodes given by spans)", optional=True)
    cluster: int | None = _field(INT, "index of the first character of its shaping cluster (a ligature or "
                                      "syllable shares one glyph run; its characters split the cluster's "
                                      "advance); absent in files migrated from /1", optional=True)
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

@_record
class TextWord(Record):
    """One visible word."""

    text: str = _field(STR, "the word's visible characters")
    line: int = _field(INT, "line of its first character")
    quad: tuple = _field(QUAD, "union of its characters' boxes (min-area rectangle on a path)")
    bbox: tuple = _field(BBOX, "bounds of the quad")


@_record
class TextLine(Record):
    """One visible line (column for vertical text)."""

    text: str = _field(STR, "visible characters, a space between words")
    quad: tuple = _field(QUAD, "union of its characters' boxes (min-area rectangle on a path)")
    bbox: tuple = _field(BBOX, "bounds of the quad")


@_record
class TextRecord(Record):
    """A text instance: the visible text, its box, and every line, word and character."""

    KIND = "text"
    id: str | None = _field(_ID, "node id")
    type: str = _field(STR, "node type (text)")
    text: str = _field(STR, "visible characters: a space between words, a newline between lines")
    orientation: str = _field(_Enum("horizontal", "vertical", "curved"), "layout direction (curved: on a path)")
    quad: tuple = _field(QUAD, "box of all visible characters")
    bbox: tuple = _field(BBOX, "bounds of the characters' boxes")
    chars: tuple = _field(_List(_Rec(TextChar)), "visible characters, in logical order")
    words: tuple = _field(_List(_Rec(TextWord)), "visible words, in order")
    lines: tuple = _field(_List(_Rec(TextLine)), "visible lines, in order")
    fit_scale: float | None = _field(NUM, "size factor applied by fit (absent when 1)", optional=True)
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

# -- formulas -----------------------------------------------------------------------------------


@_record
class FormulaSymbol(Record):
    """One drawn glyph or rule of a formula."""

    char: str = _field(STR, "the character it stands for, or a rule label (frac_bar, sqrt_bar, overline, "
                            "underline)")
    quad: tuple = _field(QUAD, "exact ink bounds (grown by half the stroke) under the world matrix")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

@_record
class FormulaRecord(Record):
    """A formula node: its LaTeX, its box and every symbol drawn."""

    KIND = "formula"
    id: str | None = _field(_ID, "node id")
    type: str = _field(STR, "node type (formula)")
    tex: str = _field(STR, "the LaTeX that was laid out")
    quad: tuple = _field(QUAD, "union of the symbols and the layout box")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    symbols: tuple = _field(_List(_Rec(FormulaSymbol)), "drawn symbols in layout order")
    sympy: str | None = _field(STR, "the SymPy expression the node was given by", optional=True)
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

# -- plots --------------------------------------------------------------------------------------


@_record
class PlotCurve(Record):
    """One curve of a plot: the pieces drawn (split at singularities and jumps)."""

    pieces: tuple = _field(_List(POLYLINE), "drawn polylines in image pixels")
    singular: tuple = _field(_List(NUM), "x (or t) of the singular points found")
    breaks: tuple = _field(_List(NUM), "x (or t) of the numeric breaks found")
    expr: str | None = _field(STR, "y = f(x) expression (function curves)", optional=True)
    x: str | None = _field(STR, "x(t) expression (parametric curves)", optional=True)
    y: str | None = _field(STR, "y(t) expression (parametric curves)", optional=True)


@_record
class PlotTick(Record):
    """One axis tick."""

    value: float = _field(NUM, "data value")
    label: str = _field(STR, "label text drawn")
    image: tuple = _field(POINT, "tick position in image pixels")


@_record
class PlotAxes(Record):
    """Ticks of the two axes."""

    x_ticks: tuple = _field(_List(_Rec(PlotTick)), "ticks of the x axis")
    y_ticks: tuple = _field(_List(_Rec(PlotTick)), "ticks of the y axis")


@_record
class PlotRecord(Record):
    """A plot node: view, curves, ticks."""

    KIND = "plot"
    id: str | None = _field(_ID, "node id")
    type: str = _field(STR, "node type (plot)")
    quad: tuple = _field(QUAD, "the plot box")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    view: tuple = _field(BBOX, "data rectangle [x0, y0, x1, y1]")
    curves: tuple = _field(_List(_Rec(PlotCurve)), "curves, in order")
    axes: PlotAxes | None = _field(_Rec(PlotAxes), "ticks (absent without axes)", optional=True)
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

# -- figures ------------------------------------------------------------------------------------


@_record
class FigurePoint(Record):
    """A named point of a figure."""

    name: str = _field(STR, "point name")
    world: tuple = _field(POINT, "world coordinates (full precision)")
    image: tuple = _field(POINT, "image pixels")
    free: bool = _field(BOOL, "a free point (given), not constructed")
    visible: bool = _field(BOOL, "its marker is drawn in this frame")


@_record
class FigureCircle(Record):
    """A named circle of a figure."""

    name: str = _field(STR, "circle name")
    centre: tuple = _field(POINT, "world centre")
    radius: float = _field(NUM, "world radius")
    image_centre: tuple = _field(POINT, "centre in image pixels")


@_record
class FigureLine(Record):
    """A named line of a figure."""

    name: str = _field(STR, "line name")
    through: tuple = _field(_List(POINT, n=2, what="2 points [[x, y], [x, y]]"), "two world points on it")


@_record
class FigureElement(Record):
    """One item of a figure (drawn or constructed) as of this frame."""

    index: int = _field(INT, "item index in the figure's items")
    kind: str = _field(STR, "item kind (segment, polygon, incircle, midpoint, ...)")
    args: str = _field(STR, "its arguments as written ('ABC')")
    revealed: float = _field(NUM, "drawn fraction (0..1) under reveal")
    name: str | None = _field(STR, "name of what it defines", optional=True)
    image: tuple | None = _field(_List(POLYLINE), "drawn polylines in image pixels", optional=True)


@_record
class FigureLabel(Record):
    """A drawn label of a figure."""

    text: str = _field(STR, "label text")
    for_: str = _field(STR, "what it labels: point:A, item3, ...", key="for")
    quad: tuple = _field(QUAD, "ink box")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

@_record
class FigureFact(Record):
    """A fact the construction asserts, checked in floating point in this frame."""

    relation: str = _field(STR, "relation (tangent, incircle, parallel, ...)")
    args: tuple = _field(_List(STR), "its arguments")
    holds: bool = _field(BOOL, "residual <= 1e-9")
    residual: float = _field(NUM, "largest relative difference of the equated quantities")


@_record
class FigureMeasures(Record):
    """Measured values by name (world units, degrees)."""

    lengths: dict = _field(_Map(NUM), "segment lengths")
    angles: dict = _field(_Map(NUM), "angles in degrees")
    radii: dict = _field(_Map(NUM), "circle radii")


@_record
class ExactCircle(Record):
    """Exact centre and radius (SymPy text; null when too long)."""

    centre: tuple = _field(_List(_Null(STR), n=2), "exact [x, y]")
    radius: str | None = _field(_Null(STR), "exact radius")


@_record
class ExactFact(Record):
    """An exact verdict on a fact."""

    relation: str = _field(STR, "relation")
    args: tuple = _field(_List(STR), "its arguments")
    exact: bool | None = _field(_Null(BOOL), "true, false, or null when SymPy cannot decide")


@_record
class FigureExact(Record):
    """Exact coordinates at scene time 0 and exact verdicts (``exact: true`` figures)."""

    t: float = _field(NUM, "figure time of the exact configuration")
    points: dict | None = _field(_Map(_List(_Null(STR), n=2)), "exact point coordinates", optional=True)
    circles: dict | None = _field(_Map(_Rec(ExactCircle)), "exact circles", optional=True)
    facts: tuple | None = _field(_List(_Rec(ExactFact)), "exact verdicts", optional=True)
    error: str | None = _field(STR, "why there is no exact result: degenerate, or too complex (an exact value above "
                                "the size bound; the float facts still apply)", optional=True)


@_record
class FigureRecord(Record):
    """A figure node in one frame: points, circles, lines, items, labels, facts, measures."""

    KIND = "figure"
    id: str | None = _field(_ID, "node id")
    type: str = _field(STR, "node type (figure)")
    quad: tuple = _field(QUAD, "the view rectangle")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    time: float = _field(NUM, "figure time of this frame")
    view: tuple = _field(BBOX, "world rectangle [x0, y0, x1, y1]")
    points: tuple = _field(_List(_Rec(FigurePoint)), "named points")
    circles: tuple = _field(_List(_Rec(FigureCircle)), "named circles")
    lines: tuple = _field(_List(_Rec(FigureLine)), "named lines")
    items: tuple = _field(_List(_Rec(FigureElement)), "items in order")
    labels: tuple = _field(_List(_Rec(FigureLabel)), "drawn labels")
    facts: tuple = _field(_List(_Rec(FigureFact)), "asserted facts, checked")
    measures: FigureMeasures = _field(_Rec(FigureMeasures), "measured values")
    exact: FigureExact | None = _field(_Rec(FigureExact), "exact results (exact: true)", optional=True)
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

# -- roads --------------------------------------------------------------------------------------

LANE_TYPES = ("solid", "dashed", "double_solid", "solid_dashed", "dashed_solid", "edge", "none")
MARKING_KINDS = ("arrow", "text", "stop_line", "crosswalk")


@_record
class RoadCameraState(Record):
    """Where the road camera is in this frame."""

    s: float = _field(NUM, "arc length along the road, metres")
    horizon_y: float = _field(NUM, "image row of the horizon")


@_record
class LaneBoundary(Record):
    """A lane boundary's centre line, projected (near to far), dashes' gaps included."""

    boundary: int = _field(INT, "boundary index, left to right")
    type: str = _field(_Enum(*LANE_TYPES), "boundary type")
    color: str = _field(STR, "paint colour name (white, yellow)")
    pieces: tuple = _field(_List(POLYLINE), "image polylines (continuous pixels) after clipping")


@_record
class TuSimpleRows(Record):
    """TuSimple lane rows: x per sampled row (-2 where a lane does not reach it), lanes left to right."""

    h_samples: tuple = _field(_List(INT), "sampled row indices")
    lanes: tuple = _field(_List(_List(INT)), "per lane, x (pixel index) per row")


@_record
class RoadMarking(Record):
    """Non-line paint: an arrow, road text, a stop line or a crosswalk stripe."""

    cls: str = _field(STR, "label class (arrow_left, text, stop_line, crosswalk, ...)", key="class")
    kind: str = _field(_Enum(*MARKING_KINDS), "paint kind")
    text: str = _field(STR, "painted text ('' for other kinds)")
    lane: int = _field(INT, "lane index (-1: not applicable)")
    index: int = _field(INT, "world-anchored index (stripe n)")
    polygon: tuple = _field(_List(POLYLINE), "image polygons after near/far clipping")
    bbox: tuple = _field(BBOX, "bounds of the polygons")
    quad: tuple | None = _field(_Null(QUAD), "oriented box far-left, far-right, near-right, near-left; null "
                                             "when part of it is behind the near plane")
    truncated: bool = _field(BOOL, "clipping removed part of it or it leaves the image")


@_record
class RoadSign(Record):
    """A traffic sign face in view."""

    cls: str = _field(STR, "label class (sign_speed_limit, sign_stop, sign_warning, sign_yield)", key="class")
    kind: str = _field(_Enum("sign"), "always sign")
    text: str = _field(STR, "text on the face")
    lane: int = _field(INT, "always -1")
    index: int = _field(INT, "sign index in the road's signs")
    polygon: tuple = _field(_List(POLYLINE), "the face outline in image pixels")
    bbox: tuple = _field(BBOX, "bounds of the outline")
    quad: tuple = _field(QUAD, "face box TL TR BR BL as the approaching driver reads it")
    truncated: bool = _field(BOOL, "part of it leaves the image")
    distance: float = _field(NUM, "depth of the face centre, metres")
    alpha: float = _field(NUM, "fade-in opacity (0..1) near the far plane")


def _pick_road_object(v, path):
    return RoadSign if isinstance(v, dict) and v.get("kind") == "sign" else RoadMarking


@_record
class RoadRecord(Record):
    """A road node in one frame: camera, lane boundaries, TuSimple rows, markings and signs."""

    KIND = "road"
    id: str | None = _field(_ID, "node id")
    type: str = _field(STR, "node type (road)")
    quad: tuple = _field(QUAD, "the road's view rectangle")
    bbox: tuple = _field(BBOX, "bounds of the quad")
    camera: RoadCameraState = _field(_Rec(RoadCameraState), "camera state")
    lanes: tuple = _field(_List(_Rec(LaneBoundary)), "visible lane boundaries, left to right")
    tusimple: TuSimpleRows = _field(_Rec(TuSimpleRows), "TuSimple rows of the boundaries")
    objects: tuple = _field(_List(_Rec(RoadMarking, RoadSign, pick=_pick_road_object)),
                            "markings, then signs (kind: sign)")
    outside: bool | None = _field(BOOL, _OUTSIDE_DOC, optional=True)
    occluded: bool | None = _field(BOOL, _OCCLUDED_DOC, optional=True)

# -- registry, frames, files --------------------------------------------------------------------

#: ``kind`` tag -> record class of the top-level objects of a frame.
OBJECT_KINDS: dict = {}


def register_object(cls):
    """Register a top-level record class (with a unique ``KIND``) so the reader knows its tag."""
    if not cls.KIND or OBJECT_KINDS.get(cls.KIND, cls) is not cls:
        raise ValueError(f"{cls.__name__}: KIND {cls.KIND!r} is missing or taken")
    OBJECT_KINDS[cls.KIND] = cls
    return cls


for _cls in (ShapeRecord, TextRecord, FormulaRecord, PlotRecord, FigureRecord, RoadRecord):
    register_object(_cls)


def object_from_json(obj, path=()):
    """A top-level object record from JSON, chosen by its ``kind`` tag."""
    if not isinstance(obj, dict):
        raise AnnotationError(f"expected an object, got {_what(obj)}", path)
    cls = OBJECT_KINDS.get(obj.get("kind"))
    if cls is None:
        raise AnnotationError(f"kind: expected one of {', '.join(sorted(OBJECT_KINDS))}, got "
                              f"{_what(obj.get('kind'))}", path)
    return cls._read(obj, tuple(path))


class _Object(_Spec):
    def read(self, v, path):
        return object_from_json(v, path)

    def dump(self, v):
        return v.to_json()

    def freeze(self, v):
        if not isinstance(v, Record) or v.KIND is None:
            raise TypeError(f"expected a top-level annotation record, got {type(v).__name__}")
        return v

    def schema(self, defs):
        return {"oneOf": [c._schema_ref(defs) for c in OBJECT_KINDS.values()]}

    def text(self):
        return "object record (by `kind`)"


@_record
class FrameRecord(Record):
    """One frame's annotations."""

    frame: int = _field(INT, "frame index")
    t: float = _field(NUM, "scene time of the frame, seconds")
    objects: tuple = _field(_List(_Object()), "visible drawable nodes, in drawing order")


@_record
class AnnotationFile(Record):
    """A whole annotations file: the canvas, the seed and every rendered frame."""

    format: str = _field(_Enum(FORMAT), "format name and version")
    width: int = _field(INT, "canvas width, pixels")
    height: int = _field(INT, "canvas height, pixels")
    fps: float = _field(NUM, "frames per second")
    seed: int = _field(INT, "scene seed")
    frames: tuple = _field(_List(_Rec(FrameRecord)), "rendered frames, in index order")

    def header(self) -> dict:
        """The JSON fields before ``frames`` (what the streaming writer writes first)."""
        out = self.to_json()
        del out["frames"]
        return out


def dumps(obj) -> str:
    """Compact JSON text of a record (or JSON data), as the writer writes it."""
    data = obj.to_json() if isinstance(obj, Record) else obj
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ----------------------------------------------------------------------------- reading

def read_annotations(source) -> AnnotationFile:
    """Load an annotations file (a path, or already-parsed JSON data) into records.

    Files in ``symbolreel-annotations/1`` are migrated (:func:`migrate_v1`) first. A malformed file
    raises :class:`AnnotationError` naming the file and the path inside it, e.g.
    ``ann.json: frames[3].objects[1].quad: expected 4 points ...``."""
    file = None
    if isinstance(source, (str, os.PathLike)):
        file = os.fspath(source)
        try:
            with open(file, encoding="utf-8") as fh:
                obj = json.load(fh)
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                                  file=file) from None
    else:
        obj = source
    try:
        if isinstance(obj, dict) and obj.get("format") == FORMAT_V1:
            obj = migrate_v1(obj)
        if isinstance(obj, dict) and "format" in obj and obj["format"] != FORMAT:
            raise AnnotationError(f"expected {FORMAT} (or {FORMAT_V1}), got {_what(obj['format'])}",
                                  ("format",))
        return AnnotationFile._read(obj, ())
    except AnnotationError as exc:
        if file is None:
            raise
        raise AnnotationError(exc.message, exc.path, file) from None


# ----------------------------------------------------------------------------- migration

_V1_KINDS = {"text": "text", "formula": "formula", "plot": "plot", "figure": "figure", "road": "road"}


def migrate_v1(obj) -> dict:
    """``symbolreel-annotations/1`` JSON data -> ``/2`` JSON data (a new dict; the input is untouched).

    /2 adds a ``kind`` tag to every object (text, formula, plot, figure, road; shape for every other
    node type), a ``bbox`` to text words and lines and to road markings and signs (from their quads
    and polygons). Character ``cluster`` indices did not exist in /1 and stay absent. Everything else
    is unchanged. Raises :class:`AnnotationError` naming the path when the input is not /1."""
    if not isinstance(obj, dict) or obj.get("format") != FORMAT_V1:
        got = obj.get("format") if isinstance(obj, dict) else obj
        raise AnnotationError(f"expected format {FORMAT_V1}, got {_what(got)}", ("format",))
    out = dict(obj, format=FORMAT)
    frames = obj.get("frames")
    if not isinstance(frames, list):
        raise AnnotationError(f"expected a list of frames, got {_what(frames)}", ("frames",))
    out["frames"] = [_migrate_frame(f, ("frames", i)) for i, f in enumerate(frames)]
    return out


def _migrate_frame(frame, path):
    if not isinstance(frame, dict) or not isinstance(frame.get("objects"), list):
        raise AnnotationError("expected an object with a list of objects", path)
    return dict(frame, objects=[_migrate_object(o, (*path, "objects", i)) for i, o in enumerate(frame["objects"])])


def _bbox_list(points, path):
    try:
        return list(bbox_of(points))
    except (TypeError, ValueError, StopIteration):
        raise AnnotationError("expected a non-empty list of points [x, y]", path) from None


def _migrate_object(o, path):
    if not isinstance(o, dict):
        raise AnnotationError(f"expected an object, got {_what(o)}", path)
    kind = _V1_KINDS.get(o.get("type"), "shape")
    o = dict(o, kind=kind)
    if kind == "text":
        for key in ("words", "lines"):
            o[key] = [dict(w, bbox=_bbox_list(w.get("quad") if isinstance(w, dict) else None,
                                              (*path, key, i, "quad")))
                      for i, w in enumerate(o.get(key) or [])]
    elif kind == "road":
        objs = []
        for i, m in enumerate(o.get("objects") or []):
            polys = m.get("polygon") if isinstance(m, dict) else None
            pts = [p for poly in polys for p in poly] if isinstance(polys, list) else None
            objs.append(dict(m, bbox=_bbox_list(pts, (*path, "objects", i, "polygon"))))
        o["objects"] = objs
    return o


# ----------------------------------------------------------------------------- schema

def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of ``symbolreel-annotations/2`` files, derived from the records."""
    defs: dict = {}
    AnnotationFile._schema_ref(defs)
    body = defs.pop("AnnotationFile")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"symbolreel annotations ({FORMAT})",
            **body, "$defs": dict(sorted(defs.items()))}


def json_schema_text() -> str:
    """The annotation JSON Schema as indented JSON text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False)



# ----------------------------------------------------------------------------- reference

def _records_in_order() -> list:
    """Every record class, top-level kinds first, each followed by the records it nests."""
    seen: list = []

    def visit(cls):
        if cls in seen:
            return
        seen.append(cls)
        for _, _, spec, _ in cls._FIELDS:
            for c in _nested(spec):
                visit(c)

    for cls in [AnnotationFile, FrameRecord, *OBJECT_KINDS.values()]:
        visit(cls)
    return seen


def _nested(spec) -> list:
    if isinstance(spec, _Rec):
        return list(spec.classes)
    for attr in ("spec", "item", "value"):
        if hasattr(spec, attr):
            return _nested(getattr(spec, attr))
    return []


def reference_markdown() -> str:
    """The field reference of every record (the generated part of docs/annotations.md)."""
    out = []
    for cls in _records_in_order():
        tag = f" — `kind: {cls.KIND}`" if cls.KIND else ""
        out += [f"### {cls.__name__}{tag}", "", " ".join((cls.__doc__ or "").split()).replace("``", "`"), "",
                "| key | type | meaning |", "|---|---|---|"]
        if cls.KIND:
            out.append(f"| `kind` | `{cls.KIND}` | record kind tag |")
        for f in dataclasses.fields(cls):
            m = f.metadata
            opt = " *(optional: may be absent)*" if m["optional"] else ""
            out.append(f"| `{m['key'] or f.name}`{opt} | {m['spec'].text()} | {m['doc']} |")
        out.append("")
    return "\n".join(out)

