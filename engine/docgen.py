"""Generate docs/scene-format.md from the field specs (so the reference cannot drift from the code).

    .venv/bin/python -m symbolreel.docgen > docs/scene-format.md
"""
from __future__ import annotations

import dataclasses

from .fields import Spec, specs, struct_classes
from .nodes import node_types
from .scene import Scene

_KIND_TEXT = {
    "number": "number", "int": "integer", "vec2": "[x, y]", "scale": "number or [sx, sy]", "colour": "colour",
    "string": "text", "enum": "one of", "bool": "true/false", "points": "[[x, y], ...]", "numbers": "[n, ...]",
    "reals": "[n, ...] (numbers or expressions like 2*pi)", "nodes": "list of nodes", "struct": "mapping", "structs": "list of mappings", "interval": "[start, end]", "mapping": "mapping",
}


def _type_text(spec: Spec) -> str:
    if spec.kind == "enum":
        text = " \\| ".join(f"`{c}`" for c in spec.choices)
    elif spec.kind == "struct":
        text = f"[{spec.struct.__name__}](#{spec.struct.__name__.lower()})"
    elif spec.kind == "structs":
        text = f"list of [{spec.struct.__name__}](#{spec.struct.__name__.lower()})"
    else:
        text = _KIND_TEXT[spec.kind]
    if spec.nullable:
        text += " or null"
    if spec.anim:
        text += " (animatable)"
    return text


def _default_text(default) -> str:
    if default is dataclasses.MISSING:
        return "required"
    if default is None:
        return "null"
    if dataclasses.is_dataclass(default):
        return "defaults"
    if isinstance(default, tuple) and default and isinstance(default[0], tuple):
        return "`" + str([list(p) for p in default]) + "`"
    if isinstance(default, tuple):
        return "`" + str(list(default)) + "`"
    return f"`{default}`"


def _table(cls) -> list:
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, spec, default in specs(cls):
        lines.append(f"| `{name}` | {_type_text(spec)} | {_default_text(default)} | {spec.doc} |")
    return lines


def scene_format_markdown() -> str:
    NODE_TYPES = node_types()
    out = ["# Scene format reference", "",
           "Generated from the field specs by `python -m symbolreel.docgen`; the tests check it is current.",
           "The same specs drive the parser, `Scene.dumps()` and `symbolreel schema`.", "",
           "Times are seconds; frame i is sampled at t = i / fps. Lengths are pixels unless a node says",
           "otherwise. Any field marked *animatable* takes a literal or a track",
           "`{keys: [[t, value, ease], ...], before, after, speed, wiggle}` (see animation.md).", ""]
    for cls in [Scene, *struct_classes([Scene, *[NODE_TYPES[n] for n in sorted(NODE_TYPES)]])]:
        out += [f"## {cls.__name__}", "", (cls.__doc__ or "").strip().splitlines()[0], ""] + _table(cls) + [""]
    out += ["## Node types", "", "Every node has `type` plus the keys below. Later nodes draw on top.", ""]
    for name in sorted(NODE_TYPES):
        cls = NODE_TYPES[name]
        out += [f"### `{name}`", "", (cls.__doc__ or "").strip().splitlines()[0], ""] + _table(cls) + [""]
        notes = getattr(cls, "DOC_NOTES", "")   # a node type's own prose below its table
        if notes:
            out += notes.strip().splitlines() + [""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(scene_format_markdown(), end="")
