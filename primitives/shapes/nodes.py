"""Basic vector shapes: group, rect, ellipse, circle, line, polyline, polygon, path.

Local geometry conventions: rect, ellipse and circle are centred on the local
origin; lines, polylines, polygons and paths use their coordinates as given.
"""
from __future__ import annotations

from dataclasses import dataclass

from symbolreel import ir
from symbolreel.errors import SceneError
from symbolreel.fields import field

from symbolreel.node import Node, Shape, Stroke, register
from .svgpath import parse_svg_path


@register
@dataclass(frozen=True, kw_only=True)
class Group(Node):
    """A transform and visibility window shared by its children (later children draw on top)."""

    TYPE = "group"
    children: tuple = field((), "nodes", "child nodes", struct=Node)

    def children_nodes(self) -> tuple:
        return self.children


@register
@dataclass(frozen=True, kw_only=True)
class Rect(Shape):
    """Rectangle centred on the local origin, optionally with rounded corners."""

    TYPE = "rect"
    size: tuple = field((100.0, 100.0), "vec2", "[width, height] in pixels", anim=True, min=0.0)
    radius: float = field(0.0, "number", "corner radius in pixels", anim=True, min=0.0)

    def geometry(self, p):
        w, h = p["size"]
        r = min(p["radius"], w / 2, h / 2)
        return ir.Rect(-w / 2, -h / 2, w / 2, h / 2, max(r, 0.0), max(r, 0.0))


@register
@dataclass(frozen=True, kw_only=True)
class Ellipse(Shape):
    """Ellipse centred on the local origin."""

    TYPE = "ellipse"
    radius: tuple = field((50.0, 50.0), "vec2", "[rx, ry] in pixels", anim=True, min=0.0)

    def geometry(self, p):
        rx, ry = p["radius"]
        return ir.Oval(-rx, -ry, rx, ry)


@register
@dataclass(frozen=True, kw_only=True)
class Circle(Shape):
    """Circle centred on the local origin."""

    TYPE = "circle"
    radius: float = field(50.0, "number", "radius in pixels", anim=True, min=0.0)

    def geometry(self, p):
        r = p["radius"]
        return ir.Oval(-r, -r, r, r)


@register
@dataclass(frozen=True, kw_only=True)
class Line(Shape):
    """Straight segment from ``start`` to ``end``."""

    TYPE = "line"
    start: tuple = field((0.0, 0.0), "vec2", "first end point", anim=True)
    end: tuple = field((100.0, 0.0), "vec2", "second end point", anim=True)
    fill: tuple | None = field(None, "colour", "unused for lines", anim=True, nullable=True)
    stroke: Stroke | None = field(Stroke(), "struct", "line style", struct=Stroke, nullable=True)

    def geometry(self, p):
        (x0, y0), (x1, y1) = p["start"], p["end"]
        return ir.Line(x0, y0, x1, y1)


@register
@dataclass(frozen=True, kw_only=True)
class Polyline(Shape):
    """Open chain of segments through ``points``."""

    TYPE = "polyline"
    points: tuple = field(((0.0, 0.0), (100.0, 0.0)), "points", "[[x, y], ...]", anim=True, min_items=2)
    fill: tuple | None = field(None, "colour", "fill of the open shape, usually null", anim=True, nullable=True)
    stroke: Stroke | None = field(Stroke(), "struct", "line style", struct=Stroke, nullable=True)

    def geometry(self, p):
        return ir.Path.polyline(p["points"], closed=False)


@register
@dataclass(frozen=True, kw_only=True)
class Polygon(Shape):
    """Closed polygon through ``points``."""

    TYPE = "polygon"
    points: tuple = field(((0.0, 0.0), (100.0, 0.0), (50.0, 80.0)), "points", "[[x, y], ...]",
                          anim=True, min_items=3)

    def geometry(self, p):
        return ir.Path.polyline(p["points"], closed=True)


@register
@dataclass(frozen=True, kw_only=True)
class Path(Shape):
    """Any outline given as SVG path data (M, L, H, V, C, S, Q, T, A, Z; relative forms too)."""

    TYPE = "path"
    d: str = field("M 0 0", "string", "SVG path data, e.g. 'M 0 0 L 100 0 Q 150 50 100 100 Z'")
    fill_rule: str = field("nonzero", "enum", "how overlapping parts fill", choices=("nonzero", "evenodd"))

    def __post_init__(self):
        super().__post_init__()
        try:
            parse_svg_path(self.d)
        except ValueError as exc:
            raise SceneError(str(exc), ("d",)) from None

    def geometry(self, p):
        return parse_svg_path(self.d, self.fill_rule)
