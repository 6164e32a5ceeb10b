"""Typed fields shared by the Python DSL and the YAML format.

Every scene dataclass declares its fields with :func:`field`; the same spec drives
validation/coercion (:func:`coerce`), YAML-ready output (:func:`export`), reading
from plain data (:func:`from_data`) and the JSON Schema (:func:`json_schema`).
So the Python API and the file format cannot drift apart.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .animators.tracks import EXTRAPOLATIONS, Key, Track, Wiggle  # noqa: F401  (re-exported for users)
from .animators.ease_spec import parse_ease
from .colors import EXPECTED as COLOUR_EXPECTED
from .colors import format_colour, parse_colour
from .errors import SceneError, describe, did_you_mean

KINDS = ("number", "int", "vec2", "scale", "colour", "string", "enum", "bool", "points",
         "numbers", "reals", "nodes", "struct", "structs", "interval", "mapping")


@dataclass(frozen=True)
class Spec:
    kind: str
    anim: bool = False
    choices: tuple = ()
    min: float | None = None
    max: float | None = None
    nullable: bool = False
    struct: type | None = None
    min_items: int = 0
    doc: str = ""


def field(default, kind: str, doc: str = "", **kw):
    """Declare a scene field: its default, kind (see KINDS) and documentation. "struct"/"structs" fields
    name their dataclass in ``struct``; "nodes" fields name the node base class (``struct=Node``)."""
    spec = Spec(kind, doc=doc, **kw)
    if kind in ("struct", "structs", "nodes") and spec.struct is None:
        raise TypeError(f"a {kind!r} field needs struct=<class>")
    return dataclasses.field(default=default, metadata={"spec": spec})


_SPECS: dict = {}


def specs(cls):
    """``[(name, Spec, default)]`` of a scene dataclass, in declaration order (computed once per class:
    a dataset builds thousands of scenes)."""
    out = _SPECS.get(cls)
    if out is None:
        out = _SPECS[cls] = tuple((f.name, f.metadata["spec"], f.default) for f in dataclasses.fields(cls)
                                  if "spec" in f.metadata)
    return out


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# Magnitude bound of any number or whole number whose field declares no range of its own: far beyond
# any pixel, second or metre a scene needs, far below where float32 geometry and int64 arrays break.
MAX_MAGNITUDE = 1e9


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 24 else f"{text[:10]}...({len(text)} digits)"


def _number(v, path, spec: Spec) -> float:
    if not _is_num(v):
        raise SceneError(f"expected a number, found {describe(v)}", path)
    try:
        x = float(v)
    except OverflowError:
        raise SceneError(f"number out of range, found {_short(v)}; expected at most {MAX_MAGNITUDE:g} in "
                         f"magnitude", path) from None
    if not math.isfinite(x):
        raise SceneError(f"expected a finite number, found {v!r}", path)
    if abs(x) > MAX_MAGNITUDE and (spec.min is None or spec.max is None):
        raise SceneError(f"number out of range, found {_short(v)}; numbers in scenes are at most "
                         f"{MAX_MAGNITUDE:g} in magnitude", path)
    if spec.min is not None and x < spec.min:
        raise SceneError(f"must be >= {spec.min:g}, found {v!r}", path)
    if spec.max is not None and x > spec.max:
        raise SceneError(f"must be <= {spec.max:g}, found {v!r}", path)
    return x


def _real(v, path, spec: Spec) -> float:
    """A number, or a constant expression in the plotting grammar ('2*pi', '-pi/2', 'sqrt(2)')."""
    if isinstance(v, str):
        if _CONSTANT_EXPRESSION is None:
            raise SceneError(f"expected a number, found {describe(v)} (constant expressions need "
                             "symbolreel.primitives loaded)", path)
        try:
            v = _CONSTANT_EXPRESSION(v)
        except ValueError as exc:
            raise SceneError(f"{exc}", path) from None
    return _number(v, path, spec)


# The grammar of constant expressions lives with the maths (symbolreel.primitives.math.expr), which
# registers its evaluator here when imported; the model does not import the primitives.
_CONSTANT_EXPRESSION = None


def set_constant_expression(evaluate) -> None:
    """Install ``evaluate(text) -> float`` (raising ValueError with a message) for 'reals' fields."""
    global _CONSTANT_EXPRESSION
    _CONSTANT_EXPRESSION = evaluate


def _vec2(v, path, spec: Spec, what="a pair of numbers [x, y]") -> tuple:
    if spec.kind == "scale" and _is_num(v):
        x = _number(v, path, spec)
        return (x, x)
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise SceneError(f"expected {what}, found {describe(v)}", path)
    return (_number(v[0], path + (0,), spec), _number(v[1], path + (1,), spec))


def _points(v, path, spec: Spec) -> tuple:
    if not isinstance(v, (list, tuple)) or len(v) < max(spec.min_items, 1):
        raise SceneError(f"expected a list of at least {max(spec.min_items, 1)} points [[x, y], ...], "
                         f"found {describe(v)}", path)
    return tuple(_vec2(p, path + (i,), spec, "a point [x, y]") for i, p in enumerate(v))


def _literal(spec: Spec, v, path):
    """Coerce a non-animated value of a field to its canonical Python form."""
    k = spec.kind
    if v is None or (k == "colour" and isinstance(v, str) and v.strip().lower() == "none"):
        if spec.nullable:
            return None
        raise SceneError(f"a value is required here, found nothing (null); expected {_expected(spec)}", path)
    if k == "number":
        return _number(v, path, spec)
    if k == "int":
        if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, float) and v.is_integer())):
            raise SceneError(f"expected a whole number, found {describe(v)}", path)
        x = int(v)
        if spec.min is not None and x < spec.min:
            raise SceneError(f"must be >= {spec.min:g}, found {_short(v)}", path)
        if spec.max is not None and x > spec.max:
            raise SceneError(f"must be <= {spec.max:g}, found {_short(v)}", path)
        if abs(x) > MAX_MAGNITUDE and spec.max is None:
            raise SceneError(f"number out of range, found {_short(v)}; numbers in scenes are at most "
                             f"{MAX_MAGNITUDE:g} in magnitude", path)
        return x
    if k in ("vec2", "scale"):
        return _vec2(v, path, spec)
    if k == "colour":
        try:
            return parse_colour(v)
        except ValueError as exc:
            raise SceneError(str(exc), path) from None
        except OverflowError:
            raise SceneError(f"number out of range in a colour; expected {COLOUR_EXPECTED}", path) from None
    if k == "string":
        if not isinstance(v, str):
            raise SceneError(f"expected text (a string), found {describe(v)}; quote it in YAML", path)
        return v
    if k == "enum":
        if v not in spec.choices:
            hint = did_you_mean(v, spec.choices) if isinstance(v, str) else ""
            raise SceneError(f"expected one of {', '.join(map(str, spec.choices))}, found {describe(v)}{hint}", path)
        return v
    if k == "bool":
        if not isinstance(v, bool):
            extra = ""
            if isinstance(v, str) and v.lower() in ("yes", "no", "on", "off", "y", "n"):
                extra = f"; '{v}' is not a boolean in symbolreel scenes, write true or false"
            raise SceneError(f"expected true or false, found {describe(v)}{extra}", path)
        return v
    if k == "points":
        return _points(v, path, spec)
    if k == "numbers":
        if not isinstance(v, (list, tuple)) or len(v) < spec.min_items:
            raise SceneError(f"expected a list of numbers, found {describe(v)}", path)
        return tuple(_number(x, path + (i,), spec) for i, x in enumerate(v))
    if k == "reals":
        if not isinstance(v, (list, tuple)) or len(v) < spec.min_items:
            raise SceneError(f"expected a list of numbers or constant expressions such as 2*pi, found "
                             f"{describe(v)}", path)
        return tuple(_real(x, path + (i,), spec) for i, x in enumerate(v))
    if k == "interval":
        if not isinstance(v, (list, tuple)) or len(v) != 2:
            raise SceneError(f"expected [start, end] in seconds (end may be null), found {describe(v)}", path)
        a = _number(v[0], path + (0,), spec)
        b = None if v[1] is None else _number(v[1], path + (1,), spec)
        if b is not None and b < a:
            raise SceneError(f"end {b:g} is before start {a:g}", path)
        return (a, b)
    if k == "struct":
        if isinstance(v, spec.struct):
            return v
        return from_data(spec.struct, v, path)
    if k == "structs":
        if not isinstance(v, (list, tuple)) or len(v) < spec.min_items:
            raise SceneError(f"expected a list of mappings ({spec.struct.__name__}), found {describe(v)}", path)
        return tuple(x if isinstance(x, spec.struct) else from_data(spec.struct, x, path + (i,))
                     for i, x in enumerate(v))
    if k == "nodes":
        base = spec.struct  # symbolreel.node.Node: declared on the field, so this module never imports it
        if not isinstance(v, (list, tuple)):
            raise SceneError(f"expected a list of nodes, found {describe(v)}", path)
        return tuple(n if isinstance(n, base) else base.from_data(n, path + (i,)) for i, n in enumerate(v))
    if k == "mapping":
        if not isinstance(v, dict):
            raise SceneError(f"expected a mapping, found {describe(v)}", path)
        return dict(v)
    raise AssertionError(k)


def _expected(spec: Spec) -> str:
    return {
        "number": "a number", "int": "a whole number", "vec2": "[x, y]", "scale": "a number or [sx, sy]",
        "colour": COLOUR_EXPECTED, "string": "text", "enum": "one of " + ", ".join(map(str, spec.choices)),
        "bool": "true or false", "points": "[[x, y], ...]", "numbers": "[n, ...]",
        "reals": "[n, ...] (numbers or expressions like 2*pi)", "interval": "[start, end]", "struct": "a mapping", "nodes": "a list of nodes", "mapping": "a mapping",
        "structs": "a list of mappings",
    }[spec.kind]


def _flat(spec: Spec, value) -> tuple:
    """Canonical literal -> flat float tuple (the value stored in a Key)."""
    if spec.kind in ("number",):
        return (value,)
    if spec.kind == "points":
        return tuple(c for p in value for c in p)
    return tuple(value)


def _unflat(spec: Spec, flat: tuple):
    if spec.kind == "number":
        return flat[0]
    if spec.kind == "points":
        return tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
    return tuple(flat)


def _track(spec: Spec, v, path) -> Track:
    if isinstance(v, Track):
        data = export_track(spec, v)
    else:
        data = v
    allowed = ("keys", "value", "before", "after", "speed", "wiggle")
    for key in data:
        if key not in allowed:
            raise SceneError(f"unknown key '{key}' in an animated value{did_you_mean(key, allowed)}; "
                             f"allowed: {', '.join(allowed)}", path + (key,))
    if ("keys" in data) == ("value" in data):
        raise SceneError("an animated value needs either 'keys: [[t, value, ease], ...]' or 'value' "
                         "(with 'speed' or 'wiggle')", path)
    keys = []
    if "keys" in data:
        raw = data["keys"]
        if not isinstance(raw, (list, tuple)) or not raw:
            raise SceneError(f"expected a non-empty list of keys [[t, value, ease], ...], found {describe(raw)}",
                             path + ("keys",))
        for i, item in enumerate(raw):
            kp = path + ("keys", i)
            if isinstance(item, dict):
                extra = set(item) - {"t", "value", "ease"}
                if extra:
                    bad = sorted(extra)[0]
                    raise SceneError(f"unknown key '{bad}' in a keyframe; allowed: t, value, ease", kp + (bad,))
                t, val, ease = item.get("t"), item.get("value"), item.get("ease", "linear")
            elif isinstance(item, (list, tuple)) and len(item) in (2, 3):
                t, val = item[0], item[1]
                ease = item[2] if len(item) == 3 else "linear"
            else:
                raise SceneError(f"expected a keyframe [t, value] or [t, value, ease], found {describe(item)}", kp)
            if not _is_num(t):
                raise SceneError(f"keyframe time must be a number of seconds, found {describe(t)}", kp + (0,))
            t = _number(t, kp + (0,), Spec("number"))
            if keys and t <= keys[-1].t:
                raise SceneError(f"keyframe times must increase; {t:g} follows {keys[-1].t:g}", kp + (0,))
            lit = _literal(spec, val, kp + (1,))
            if lit is None:   # a nullable field (null: "not set") can't be animated through null
                raise SceneError(f"a keyframe needs a value, found nothing (null); expected {_expected(spec)}",
                                 kp + (1,))
            ease = _ease(ease, kp + (2,))
            keys.append(Key(t, _flat(spec, lit), ease))
        dims = {len(k.value) for k in keys}
        if len(dims) != 1:
            raise SceneError("all keyframes of a property need the same number of values "
                             "(e.g. the same number of points)", path + ("keys",))
    else:
        lit = _literal(spec, data["value"], path + ("value",))
        keys.append(Key(0.0, _flat(spec, lit), "linear"))
    before = data.get("before", "hold")
    after = data.get("after", "hold")
    for name, val in (("before", before), ("after", after)):
        if val not in EXTRAPOLATIONS:
            raise SceneError(f"expected one of {', '.join(EXTRAPOLATIONS)}, found {describe(val)}"
                             f"{did_you_mean(val, EXTRAPOLATIONS) if isinstance(val, str) else ''}", path + (name,))
    dim = len(keys[0].value)
    speed = None
    if data.get("speed") is not None:
        speed = _per_dim(data["speed"], dim, path + ("speed",))
    wiggle = None
    if data.get("wiggle") is not None:
        w = data["wiggle"]
        if isinstance(w, Wiggle):
            wiggle = w
        else:
            if not isinstance(w, dict) or "amplitude" not in w:
                raise SceneError("expected {amplitude: a, frequency: hz, octaves: n}", path + ("wiggle",))
            extra = set(w) - {"amplitude", "frequency", "octaves"}
            if extra:
                bad = sorted(extra)[0]
                raise SceneError(f"unknown key '{bad}'; allowed: amplitude, frequency, octaves",
                                 path + ("wiggle", bad))
            amp = _per_dim(w["amplitude"], dim, path + ("wiggle", "amplitude"))
            freq = _number(w.get("frequency", 1.0), path + ("wiggle", "frequency"), Spec("number", min=0.0))
            octv = _literal(Spec("int", min=1, max=8), w.get("octaves", 1), path + ("wiggle", "octaves"))
            wiggle = Wiggle(amp, freq, octv)
    if spec.kind == "colour" and (speed or wiggle):
        raise SceneError("colours cannot have speed or wiggle", path)
    return Track(tuple(keys), before, after, speed, wiggle)


def _per_dim(v, dim, path) -> tuple:
    if _is_num(v):
        return (_number(v, path, Spec("number")),) * dim
    if isinstance(v, (list, tuple)) and len(v) == dim and all(_is_num(x) for x in v):
        return tuple(_number(x, path + (i,), Spec("number")) for i, x in enumerate(v))
    raise SceneError(f"expected a number or a list of {dim} numbers, found {describe(v)}", path)


def _ease(v, path):
    if isinstance(v, list):
        v = tuple(v)
    try:
        parse_ease(v)
    except (ValueError, TypeError, OverflowError) as exc:
        raise SceneError(str(exc), path) from None
    return v


def coerce(spec: Spec, v, path=()):
    """Validate a field value and return its canonical form (literal or Track)."""
    if spec.anim and (isinstance(v, Track) or (isinstance(v, dict) and ("keys" in v or "value" in v))):
        tr = _track(spec, v, path)
        return tr
    return _literal(spec, v, path)


def export_track(spec: Spec, tr: Track) -> dict:
    out: dict = {}
    if len(tr.keys) == 1 and tr.keys[0].t == 0.0 and (tr.speed or tr.wiggle):
        out["value"] = _export_literal(spec, _unflat(spec, tr.keys[0].value))
    else:
        keys = []
        for k in tr.keys:
            item = [k.t, _export_literal(spec, _unflat(spec, k.value))]
            if k.ease != "linear":
                item.append(list(k.ease) if isinstance(k.ease, tuple) else k.ease)
            keys.append(item)
        out["keys"] = keys
    if tr.before != "hold":
        out["before"] = tr.before
    if tr.after != "hold":
        out["after"] = tr.after
    if tr.speed is not None:
        out["speed"] = tr.speed[0] if len(set(tr.speed)) == 1 else list(tr.speed)
    if tr.wiggle is not None:
        w = tr.wiggle
        out["wiggle"] = {"amplitude": w.amplitude[0] if len(set(w.amplitude)) == 1 else list(w.amplitude),
                         "frequency": w.frequency, "octaves": w.octaves}
    return out


def _export_literal(spec: Spec, v):
    if v is None:
        return None
    k = spec.kind
    if k == "colour":
        return format_colour(v)
    if k in ("vec2", "scale"):
        return [v[0], v[1]]
    if k == "points":
        return [[p[0], p[1]] for p in v]
    if k in ("numbers", "reals", "interval"):
        return list(v)
    if k == "struct":
        return export(v)
    if k in ("nodes", "structs"):
        return [export(n) for n in v]
    return v


def export_value(spec: Spec, v):
    if isinstance(v, Track):
        return export_track(spec, v)
    return _export_literal(spec, v)


def export(obj) -> dict:
    """Dataclass -> plain YAML-ready data; fields equal to their default are left out."""
    out: dict = {}
    type_name = getattr(type(obj), "TYPE", None)
    if type_name:
        out["type"] = type_name
    canon = _canonical_defaults(type(obj))
    for name, spec, default in specs(type(obj)):
        v = getattr(obj, name)
        if name != "id":
            d = canon.get(name)      # the default coerced once per class, not once per export
            if d is not None:
                if v is d[1] or v == d[1]:
                    continue
            elif _equal_default(spec, v, default):
                continue
        if name == "id" and v is None:
            continue
        ev = export_value(spec, v)
        if spec.kind == "struct" and ev == {} and default is not None:
            continue
        out[name] = ev
    return out


def _equal_default(spec, v, default):
    if default is dataclasses.MISSING:
        return False
    try:
        return v == coerce(spec, default) if default is not None else v is None
    except SceneError:
        return False


def from_data(cls, data, path=()):
    """Build a scene dataclass from plain data, with path-precise errors."""
    if not isinstance(data, dict):
        raise SceneError(f"expected a mapping with keys {', '.join(n for n, _, _ in specs(cls))}, "
                         f"found {describe(data)}", path)
    names = [n for n, _, _ in specs(cls)]
    for key in data:
        if key == "type" and getattr(cls, "TYPE", None):
            continue
        if key not in names:
            raise SceneError(f"unknown key '{key}'{did_you_mean(key, names)}; "
                             f"allowed keys here: {', '.join(names)}", path + (key,))
    kwargs = {}
    for name, spec, default in specs(cls):
        if name in data:
            kwargs[name] = coerce(spec, data[name], path + (name,))
        elif default is dataclasses.MISSING:
            raise SceneError(f"missing required key '{name}' ({_expected(spec)})", path)
    try:
        return cls(**kwargs)
    except SceneError as exc:
        raise SceneError(exc.message, path + exc.path) from None


def normalise(obj, path=()):
    """Coerce every field of a frozen dataclass in place (used by ``__post_init__``)."""
    canon = _canonical_defaults(type(obj))
    for name, spec, default in specs(type(obj)):
        v = getattr(obj, name)
        d = canon.get(name)
        if d is not None and (v is d[0] or v is d[1]):   # a default left alone: coerced once per class
            object.__setattr__(obj, name, d[1])
            continue
        if v is dataclasses.MISSING:
            raise SceneError(f"missing required field '{name}'", path)
        object.__setattr__(obj, name, coerce(spec, v, path + (name,)))


_CANON: dict = {}


def _canonical_defaults(cls) -> dict:
    """name -> (default as declared, its coerced form) for the immutable defaults of ``cls``."""
    out = _CANON.get(cls)
    if out is None:
        out = {}
        for name, spec, default in specs(cls):
            if default is dataclasses.MISSING or spec.kind == "mapping":
                continue
            try:
                value = coerce(spec, default)
            except SceneError:
                continue
            out[name] = (default, value)
        _CANON[cls] = out
    return out


# ---------------------------------------------------------------- JSON Schema

def _schema_literal(spec: Spec) -> dict:
    k = spec.kind
    num: dict = {"type": "number"}
    if spec.min is not None:
        num["minimum"] = spec.min
    if spec.max is not None:
        num["maximum"] = spec.max
    if k == "number":
        s = num
    elif k == "int":
        s = {"type": "integer", **{key: v for key, v in num.items() if key != "type"}}
    elif k == "vec2":
        s = {"type": "array", "items": num, "minItems": 2, "maxItems": 2}
    elif k == "scale":
        s = {"oneOf": [num, {"type": "array", "items": num, "minItems": 2, "maxItems": 2}]}
    elif k == "colour":
        s = {"$ref": "#/$defs/colour"}
    elif k == "string":
        s = {"type": "string"}
    elif k == "enum":
        s = {"enum": list(spec.choices)}
    elif k == "bool":
        s = {"type": "boolean"}
    elif k == "points":
        s = {"type": "array", "minItems": max(1, spec.min_items),
             "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}}
    elif k == "numbers":
        s = {"type": "array", "items": num, "minItems": spec.min_items}
    elif k == "reals":
        s = {"type": "array", "items": {"oneOf": [num, {"type": "string"}]}, "minItems": spec.min_items}
    elif k == "interval":
        s = {"type": "array", "minItems": 2, "maxItems": 2,
             "prefixItems": [{"type": "number"}, {"type": ["number", "null"]}]}
    elif k == "struct":
        s = {"$ref": f"#/$defs/{spec.struct.__name__}"}
    elif k == "nodes":
        s = {"type": "array", "items": {"$ref": "#/$defs/node"}}
    elif k == "structs":
        s = {"type": "array", "items": {"$ref": f"#/$defs/{spec.struct.__name__}"}, "minItems": spec.min_items}
    elif k == "mapping":
        s = {"type": "object"}
    else:
        raise AssertionError(k)
    if spec.nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    return s


def field_schema(spec: Spec) -> dict:
    s = _schema_literal(spec)
    if spec.doc:
        s = {**s, "description": spec.doc}
    if spec.anim:
        s = {"anyOf": [s, {"$ref": "#/$defs/track"}], **({"description": spec.doc} if spec.doc else {})}
    return s


def struct_classes(classes) -> list:
    """Every struct dataclass reachable from the fields of ``classes`` (for schemas and docs)."""
    seen: list = []
    todo = list(classes)
    while todo:
        cls = todo.pop(0)
        for _, spec, _ in specs(cls):
            if spec.kind in ("struct", "structs") and spec.struct not in seen:
                seen.append(spec.struct)
                todo.append(spec.struct)
    return seen


def class_schema(cls) -> dict:
    props = {}
    required = []
    if getattr(cls, "TYPE", None):
        props["type"] = {"const": cls.TYPE}
        required.append("type")
    for name, spec, default in specs(cls):
        props[name] = field_schema(spec)
        if default is dataclasses.MISSING:
            required.append(name)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    one_kind = getattr(cls, "ONE_KIND_OF", None)
    if one_kind:
        # tagged union: exactly one of these keys holds a string (a null one counts as absent)
        out["oneOf"] = [{"required": [k], "properties": {k: {"type": "string"}}} for k in one_kind]
    if cls.__doc__:
        out["description"] = cls.__doc__.strip().splitlines()[0]
    if required:
        out["required"] = required
    return out
