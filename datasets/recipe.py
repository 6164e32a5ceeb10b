"""Dataset recipes: a short YAML file that says what to generate, validated like scene files.

One JSON Schema (:func:`recipe_schema`, also printed by ``symbolreel generate --schema``) drives both
the validation and its error messages, so the schema and the checks cannot drift apart. Errors
name the file, the line, the path inside the recipe and what was expected::

    tiny.yaml:7:12: shards.items: expected a whole number >= 1, found 'ten' (str)

Domain options are checked by the domain itself (``domains.validate_options``), with the same
paths (``domains.text.options.rare_share``).
"""
from __future__ import annotations

import copy
import dataclasses
import json
import os
from dataclasses import dataclass
from importlib import resources

from symbolreel.errors import SceneError, describe, did_you_mean
from symbolreel.yamlio import dump_yaml, load_yaml

__all__ = ["Recipe", "RecipeError", "load_recipe", "loads_recipe", "recipe_from_data", "recipe_schema",
           "preset_names", "load_preset", "MEDIA", "MASK_KINDS", "LANE_FORMATS"]

RECIPE_VERSION = 1
MEDIA = ("still", "clip")
MASK_KINDS = ("char", "instance", "lane")
LANE_FORMATS = ("tusimple", "culane")
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


class RecipeError(SceneError):
    """Invalid recipe. ``str()`` gives ``file:line:col: path: message`` like scene errors."""


def _size(doc):
    return {"type": "integer", "minimum": 16, "maximum": 4096, "description": doc}


_CANVAS_FIELDS = {
    "width": _size("image width in pixels"),
    "height": _size("image height in pixels"),
    "fps": {"type": "number", "exclusiveMinimum": 0, "maximum": 120, "description": "clip frame rate"},
    "duration": {"type": "number", "exclusiveMinimum": 0, "maximum": 60, "description": "clip length in seconds"},
}

_MEDIA_WEIGHTS = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "description": "relative weights of stills (one PNG) and clips (one MP4)",
    "properties": {m: {"type": "number", "minimum": 0, "description": f"weight of {m}s"} for m in MEDIA},
}


def recipe_schema() -> dict:
    """JSON Schema (draft 2020-12) of recipe files."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "symbolreel dataset recipe",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "domains"],
        "properties": {
            "version": {"const": RECIPE_VERSION, "description": "recipe format version"},
            "name": {"type": "string", "description": "dataset name, shown in the dataset card"},
            "description": {"type": "string", "description": "free text for the dataset card"},
            "seed": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1,
                     "description": "master seed; item i's seed is a stable hash of (seed, i)"},
            "count": {"type": "integer", "minimum": 1, "maximum": 100_000_000, "description": "number of items"},
            "media": _MEDIA_WEIGHTS,
            "canvas": {
                "type": "object", "additionalProperties": False,
                "description": "size, and for clips fps and duration, of every domain (a domain's own "
                               "options win)",
                "properties": dict(_CANVAS_FIELDS),
            },
            "shards": {
                "type": "object", "additionalProperties": False,
                "description": "how items are cut into WebDataset tar shards",
                "properties": {
                    "items": {"type": "integer", "minimum": 1, "maximum": 1_000_000,
                              "description": "items per work unit (one shard unless max_bytes cuts it)"},
                    "max_bytes": {"type": "integer", "minimum": 65536,
                                  "description": "a shard is closed before it grows past this size"},
                    "prefix": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$",
                               "description": "shard file name prefix (letters, digits, _ and -)"},
                },
            },
            "domains": {
                "type": "object", "minProperties": 1,
                "description": "domain name -> {weight, media, options}",
                "additionalProperties": {
                    "type": "object", "additionalProperties": False,
                    "properties": {
                        "weight": {"type": "number", "minimum": 0, "description": "relative share of items"},
                        "media": _MEDIA_WEIGHTS,
                        "options": {"type": "object", "description": "options of the domain's sampler"},
                    },
                },
            },
            "outputs": {
                "type": "object", "additionalProperties": False,
                "description": "extra members and encoder settings",
                "properties": {
                    "masks": {"type": "array", "uniqueItems": True, "items": {"enum": list(MASK_KINDS)},
                              "description": "label masks stored as PNG members (per frame for clips)"},
                    "lanes": {"type": "array", "uniqueItems": True, "items": {"enum": list(LANE_FORMATS)},
                              "description": "lane label formats of road items, inside the .json member"},
                    "png_compress": {"type": "integer", "minimum": 0, "maximum": 9,
                                     "description": "deflate level (0-9) of PNG members"},
                    "video_crf": {"type": "integer", "minimum": 0, "maximum": 51,
                                  "description": "H.264 quality of MP4 members"},
                    "video_preset": {"enum": list(X264_PRESETS), "description": "x264 speed preset"},
                },
            },
        },
    }


@dataclass(frozen=True)
class DomainEntry:
    name: str
    weight: float
    media: dict            # media -> weight, only media the domain can make
    options: dict


@dataclass(frozen=True)
class Recipe:
    """A validated recipe with every default filled in (:meth:`to_data` gives it back as plain data)."""

    version: int
    name: str
    description: str
    seed: int
    count: int
    media: dict
    canvas: dict           # the recipe's canvas keys (width, height, fps, duration), merged into domain options
    shard_items: int
    shard_max_bytes: int
    shard_prefix: str
    domains: tuple         # DomainEntry, in recipe order
    masks: tuple
    lanes: tuple
    png_compress: int
    video_crf: int
    video_preset: str
    file: str | None = dataclasses.field(default=None, compare=False)

    def replace(self, **changes) -> "Recipe":
        return dataclasses.replace(self, **changes)

    def domain(self, name: str) -> DomainEntry:
        for d in self.domains:
            if d.name == name:
                return d
        raise KeyError(name)

    def to_data(self) -> dict:
        """Canonical plain data: reading it back gives an equal recipe."""
        return {
            "version": self.version, "name": self.name, "description": self.description, "seed": self.seed,
            "count": self.count, "media": dict(self.media),
            "canvas": dict(self.canvas),
            "shards": {"items": self.shard_items, "max_bytes": self.shard_max_bytes, "prefix": self.shard_prefix},
            "domains": {d.name: {"weight": d.weight, "media": dict(d.media), "options": copy.deepcopy(d.options)}
                        for d in self.domains},
            "outputs": {"masks": list(self.masks), "lanes": list(self.lanes), "png_compress": self.png_compress,
                        "video_crf": self.video_crf, "video_preset": self.video_preset},
        }

    def dumps(self) -> str:
        return dump_yaml(self.to_data())

    def fingerprint(self) -> str:
        """Stable text identifying what the recipe generates (used to refuse resuming another recipe)."""
        return json.dumps(self.to_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


DEFAULTS = {
    "seed": 0, "count": 100, "media": {"still": 1.0},
    "shards": {"items": 100, "max_bytes": 256 * 1024 * 1024, "prefix": "shard"},
    "outputs": {"masks": [], "lanes": [], "png_compress": 6, "video_crf": 23, "video_preset": "veryfast"},
}


# ---------------------------------------------------------------------------------------------- checking

def _expected(schema: dict) -> str:
    """What a schema accepts, in words."""
    if "const" in schema:
        return f"{schema['const']!r}"
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    kind = schema.get("type")
    words = {"integer": "a whole number", "number": "a number", "string": "text (a string)",
             "object": "a mapping", "array": "a list", "boolean": "true or false"}.get(kind, "a value")
    bounds = []
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        bounds.append(f"from {lo:_} to {hi:_}".replace("_", ","))
    elif lo is not None:
        bounds.append(f">= {lo}")
    elif hi is not None:
        bounds.append(f"<= {hi}")
    if "exclusiveMinimum" in schema:
        bounds.append(f"> {schema['exclusiveMinimum']}")
    if "pattern" in schema:
        bounds.append(f"matching {schema['pattern']}")
    text = words + (" " + " and ".join(bounds) if bounds else "")
    if kind == "array" and "items" in schema:
        text += f" of {_expected(schema['items'])}"
    return text


def _error_message(err) -> tuple:
    """(path, message) of one jsonschema error, worded like scene errors."""
    path = tuple(err.absolute_path)
    schema, value = err.schema, err.instance
    v = err.validator
    if v == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        extra = sorted(k for k in value if k not in allowed)
        key = extra[0] if extra else "?"
        return path + (key,), (f"unknown key '{key}'{did_you_mean(key, allowed)}; expected one of "
                               f"{', '.join(allowed)}")
    if v == "required":
        missing = [k for k in schema["required"] if k not in value]
        key = missing[0] if missing else "?"
        sub = schema.get("properties", {}).get(key, {})
        return path, f"missing required key '{key}' ({sub.get('description') or _expected(sub)})"
    if v == "minProperties":
        return path, f"expected at least {schema['minProperties']} entry, found an empty mapping"
    if v == "uniqueItems":
        return path, f"expected each entry once, found {describe(value)}"
    if v == "const":
        return path, f"expected {schema['const']!r}, found {describe(value)}"
    return path, f"expected {_expected(schema)}, found {describe(value)}"


def _check_schema(data, file, marks) -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(recipe_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]))
    if errors:
        # the shallowest error first: a missing 'domains' matters more than a bad weight inside it
        path, message = _error_message(errors[0])
        raise RecipeError(message, path).located(file, marks) from None


def _located(exc: SceneError, file, marks) -> RecipeError:
    located = exc.located(file, marks)
    return RecipeError(located.message, located.path, located.file, located.line, located.column)


def recipe_from_data(data, file: str | None = None, marks=None) -> Recipe:
    """Plain data -> :class:`Recipe`, or a :class:`RecipeError` naming the path."""
    from . import domains as domain_registry

    if not isinstance(data, dict):
        raise RecipeError(f"expected a recipe mapping with 'version' and 'domains', found {describe(data)}", (), file)
    try:
        _check_schema(data, file, marks)
    except SceneError as exc:
        raise _located(exc, file, marks) from None
    media = dict(data.get("media", DEFAULTS["media"]))
    if sum(media.values()) <= 0:
        raise _located(SceneError("expected at least one media weight > 0", ("media",)), file, marks)
    canvas = dict(data.get("canvas", {}))
    entries = []
    known = list(domain_registry.DOMAINS)
    for name, spec in data["domains"].items():
        path = ("domains", name)
        if name not in domain_registry.DOMAINS:
            raise _located(SceneError(f"unknown domain '{name}'{did_you_mean(name, known)}; expected one of "
                                      f"{', '.join(known)}", path), file, marks)
        weight = float(spec.get("weight", 1.0))
        allowed = _media_of(domain_registry.get(name))
        wanted = spec.get("media", media)     # a domain's own media weights replace the recipe's
        dmedia = {m: float(w) for m, w in wanted.items() if m in allowed and float(w) > 0}
        if weight > 0 and not dmedia:
            raise _located(SceneError(f"domain '{name}' makes {' and '.join(allowed)} items, but its media "
                                      f"weights allow none of them", path + ("media",) if "media" in spec
                                      else ("media",)), file, marks)
        given = dict(spec.get("options", {}))
        dom = domain_registry.get(name)
        # the recipe's canvas applies to every domain that has the option, unless the domain sets it
        options = {**{k: v for k, v in canvas.items() if k in dom.options and k not in given}, **given}
        try:
            checked = domain_registry.validate_options(name, options, path + ("options",))
        except SceneError as exc:
            if exc.path[len(path) + 1:len(path) + 2] and exc.path[len(path) + 1] in canvas \
                    and exc.path[len(path) + 1] not in given:
                exc = SceneError(exc.message, ("canvas", exc.path[len(path) + 1]))
            raise _located(exc, file, marks) from None
        options = options if checked is None else checked
        if "clip" in dmedia:
            for side in ("width", "height"):
                if int(options.get(side, 0)) % 2:
                    where = path + ("options", side) if side in given else ("canvas", side)
                    raise _located(SceneError(f"clips are H.264 yuv420p, which needs an even size; found "
                                              f"{options[side]}", where), file, marks)
        entries.append(DomainEntry(name, weight, dmedia, options))
    if sum(d.weight for d in entries) <= 0:
        raise _located(SceneError("expected at least one domain with weight > 0", ("domains",)), file, marks)
    shards = {**DEFAULTS["shards"], **data.get("shards", {})}
    outputs = {**DEFAULTS["outputs"], **data.get("outputs", {})}
    return Recipe(
        version=data["version"], name=str(data.get("name", "")), description=str(data.get("description", "")),
        seed=int(data.get("seed", DEFAULTS["seed"])), count=int(data.get("count", DEFAULTS["count"])),
        media={m: float(media[m]) for m in MEDIA if m in media},
        canvas={k: canvas[k] for k in _CANVAS_FIELDS if k in canvas},
        shard_items=int(shards["items"]), shard_max_bytes=int(shards["max_bytes"]), shard_prefix=shards["prefix"],
        domains=tuple(entries), masks=tuple(outputs["masks"]), lanes=tuple(outputs["lanes"]),
        png_compress=int(outputs["png_compress"]), video_crf=int(outputs["video_crf"]),
        video_preset=outputs["video_preset"], file=file)


def _media_of(domain) -> tuple:
    """Media a domain can make (all of them unless it says otherwise)."""
    return tuple(getattr(domain, "media", None) or MEDIA)


def loads_recipe(text: str, file: str | None = None) -> Recipe:
    """Parse a recipe from YAML (or JSON) text."""
    try:
        data, marks = load_yaml(text, file)
    except SceneError as exc:
        raise _located(exc, file, None) from None
    return recipe_from_data(data, file, marks)


def load_recipe(path) -> Recipe:
    """Read and validate a recipe file."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise RecipeError("no such file", (), path) from None
    except UnicodeDecodeError as exc:
        raise RecipeError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", (), path) from None
    return loads_recipe(text, path)


def _presets_dir():
    return resources.files("symbolreel.datasets") / "presets"


def preset_names() -> list:
    """Names of the recipes shipped with the package (``--preset NAME``)."""
    return sorted(p.name[:-5] for p in _presets_dir().iterdir() if p.name.endswith(".yaml"))


def load_preset(name: str) -> Recipe:
    """The shipped recipe ``name`` (see :func:`preset_names`)."""
    names = preset_names()
    if name not in names:
        raise RecipeError(f"unknown preset '{name}'{did_you_mean(name, names)}; expected one of {', '.join(names)}",
                          ("preset",))
    entry = _presets_dir() / f"{name}.yaml"
    return loads_recipe(entry.read_text(encoding="utf-8"), f"preset {name} ({name}.yaml)")
