"""Node base classes, transform and stroke styles, the node protocol, and the node-type table.

Part of the engine's model: the primitives (``symbolreel.primitives``) build on it and register
their types here; :mod:`symbolreel.nodes` is the one engine module that imports them.

Each node type is one frozen dataclass whose fields are exactly its YAML keys;
``TYPE`` is the value of the ``type:`` key.  Register new types with
:func:`register` so YAML loading, dumping and the JSON Schema pick them up.

The node protocol (declared on :class:`Node`, with defaults; the engine calls nothing else):

* ``prepare(ctx)``   once per renderer, before any frame: resolve fonts, lay out, validate; raise
  SceneError with a path inside the node (the engine prefixes the node's own path);
* ``emit(ctx)``      per frame: a list of display-list items (:mod:`symbolreel.ir`) in local coordinates;
* ``annotate(ctx)``  per frame: the node's annotation record (:mod:`symbolreel.records`), or None;
* ``describe()``     caption data from the scene (no prose).

``ctx`` is an :class:`symbolreel.ir.EmitContext` (sampled properties ``p``, ``opacity``, world
``matrix``, resolved ``fill``/``stroke`` paints, ``font_chain``, a per-node ``cache``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import ir
from .animators import Track
from .annotate import shape_annotation
from .errors import SceneError, describe, did_you_mean
from .fields import coerce, field, from_data, normalise, specs

NODE_TYPES: dict = {}


def register(cls):
    """Class decorator: make a node type available under ``cls.TYPE``."""
    NODE_TYPES[cls.TYPE] = cls
    return cls


def node_from_data(data, path=()):
    """Plain data (from YAML) -> node instance, dispatching on ``type``."""
    if not isinstance(data, dict):
        raise SceneError(f"expected a node (a mapping with 'type'), found {describe(data)}", path)
    if "type" not in data:
        raise SceneError(f"missing 'type'; expected one of {', '.join(sorted(NODE_TYPES))}", path)
    t = data["type"]
    if not isinstance(t, str):
        raise SceneError(f"'type' must be a string naming a node type ({', '.join(sorted(NODE_TYPES))}), "
                         f"found {describe(t)}", path + ("type",))
    if t not in NODE_TYPES:
        hint = did_you_mean(t, NODE_TYPES) if isinstance(t, str) else ""
        raise SceneError(f"unknown node type {describe(t)}{hint}; expected one of "
                         f"{', '.join(sorted(NODE_TYPES))}", path + ("type",))
    return from_data(NODE_TYPES[t], data, path)


@dataclass(frozen=True, kw_only=True)
class Transform:
    """Placement of a node: M = T(position) . R(rotation) . K(skew) . S(scale) . T(-anchor)."""

    anchor: tuple = field((0.0, 0.0), "vec2", "local point that position/rotation/scale act around", anim=True)
    position: tuple = field((0.0, 0.0), "vec2", "where the anchor lands in the parent's space (pixels)", anim=True)
    scale: tuple = field((1.0, 1.0), "scale", "scale factor, number or [sx, sy]", anim=True)
    rotation: float = field(0.0, "number", "degrees, clockwise on screen", anim=True)
    skew: tuple = field((0.0, 0.0), "vec2", "skew angles [x, y] in degrees", anim=True)
    opacity: float = field(1.0, "number", "0..1, multiplies through parents", anim=True, min=0.0, max=1.0)

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class Stroke:
    """Outline style."""

    color: tuple = field("black", "colour", "stroke colour", anim=True)
    width: float = field(1.0, "number", "stroke width in pixels", anim=True, min=0.0)
    cap: str = field("butt", "enum", "line ends", choices=("butt", "round", "square"))
    join: str = field("miter", "enum", "corners", choices=("miter", "round", "bevel"))
    miter_limit: float = field(4.0, "number", "miter length limit", min=1.0)
    dash: tuple | None = field(None, "numbers", "dash pattern [on, off, ...] in pixels", nullable=True,
                               min=0.0, min_items=2)
    dash_offset: float = field(0.0, "number", "shift of the dash pattern along the line", anim=True)
    trim: tuple = field((0.0, 1.0), "vec2", "[start, end] fraction of the outline's length that is drawn",
                        anim=True, min=0.0, max=1.0)

    def __post_init__(self):
        normalise(self)
        if self.dash is not None and (len(self.dash) % 2 or sum(self.dash) <= 0):
            raise SceneError("a dash pattern needs an even number of lengths [on, off, ...] with a positive sum",
                             ("dash",))


@dataclass(frozen=True, kw_only=True)
class Node:
    """Fields every node has."""

    TYPE = ""
    id: str | None = field(None, "string", "unique name (auto-assigned when left out)", nullable=True)
    transform: Transform = field(Transform(), "struct", "placement", struct=Transform)
    visible: tuple = field((0.0, None), "interval", "[start, end] seconds the node is shown; end null = forever")

    def __post_init__(self):
        normalise(self)

    # plain data -> a node of any registered type; a "nodes" field declares struct=Node so the field
    # machinery (symbolreel.fields) loads children through it without importing this module
    from_data = staticmethod(node_from_data)

    def replace(self, **changes):
        """Copy with some fields changed (nodes are immutable)."""
        return dataclasses.replace(self, **changes)

    def children_nodes(self) -> tuple:
        return ()

    # -- the node protocol (see the module docstring) ------------------------------------------
    def prepare(self, ctx) -> None:
        """Resolve and validate what drawing needs, before the first frame (default: nothing)."""

    def emit(self, ctx) -> list:
        """Display-list items of this node at ``ctx.t``, in local coordinates (default: none)."""
        return []

    def annotate(self, ctx):
        """Annotation record of this node at ``ctx.t`` (``symbolreel.records``), or None (default)."""
        return None

    def describe(self) -> dict:
        """Caption data (no prose) exact from the scene (default: the type)."""
        return {"type": self.TYPE}

    def animate(self, prop: str, *items, **options):
        """Copy with ``prop`` animated, e.g. ``node.animate("transform.position", (0, (0, 0)), (1, (100, 0)))``.

        ``items`` are ``(t, value[, ease])`` keyframes in the property's own form (colours may be
        "#RRGGBB", points lists...), or one ready Track; ``options`` are before, after, speed and
        wiggle as in YAML. Nested properties use dots. Validated exactly like the YAML form.
        """
        head, _, rest = prop.partition(".")
        owner = self if not rest else getattr(self, head, None)
        name = rest or head
        if owner is None:
            raise SceneError(f"cannot animate '{prop}': '{head}' is not set on this node", (head,))
        spec = {n: sp for n, sp, _ in specs(type(owner))}.get(name)
        if spec is None or not spec.anim:
            raise SceneError(f"'{prop}' is not an animatable property of a {self.TYPE or type(self).__name__}",
                             tuple(prop.split(".")))
        if len(items) == 1 and isinstance(items[0], Track) and not options:
            track = coerce(spec, items[0], tuple(prop.split(".")))
        else:
            data = {"keys": [list(it) for it in items], **options} if items else dict(options)
            track = coerce(spec, data, tuple(prop.split(".")))
        if not rest:
            return dataclasses.replace(self, **{head: track})
        return dataclasses.replace(self, **{head: dataclasses.replace(owner, **{rest: track})})


@dataclass(frozen=True, kw_only=True)
class Shape(Node):
    """A node drawn from one outline (:meth:`geometry`) with fill and stroke."""

    fill: tuple | None = field("black", "colour", "fill colour or null for none", anim=True, nullable=True)
    stroke: Stroke | None = field(None, "struct", "outline, or null for none", struct=Stroke, nullable=True)

    def geometry(self, p):  # pragma: no cover - abstract
        """IR geometry (ir.Rect / Oval / Line / Path) of the node in local coordinates, given properties ``p``."""
        raise NotImplementedError

    def local_geometry(self, ctx):
        """:meth:`geometry`, built once when the entry's outline never changes."""
        if ctx.entry.geometry_static:
            g = ctx.cache.get("_geometry")
            if g is None:
                g = ctx.cache["_geometry"] = self.geometry(ctx.p)
            return g
        return self.geometry(ctx.p)

    def emit(self, ctx) -> list:
        e = ctx.entry
        frozen = e.geometry_static and e.style_static
        if frozen:
            # outline and paints never change: the same items every frame at the same opacity
            hit = ctx.cache.get("_items")
            if hit is not None and hit[0] == ctx.opacity:
                return hit[1]
        fill, stroke = ctx.fill, ctx.stroke
        if fill is None and stroke is None:
            items = []
        else:
            g = self.local_geometry(ctx)
            items = [ir.Draw(g, paint) for paint in (fill, stroke) if paint is not None]
        if frozen:
            ctx.cache["_items"] = (ctx.opacity, items)
        return items

    def annotate(self, ctx):
        """Quad and bbox of the outline (grown by the stroke), of the trimmed part when only a trimmed
        stroke is drawn."""
        return shape_annotation(self, self.local_geometry(ctx), ctx.p, ctx.matrix)
