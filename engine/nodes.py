"""The built-in node types: the one engine module that imports the primitives.

The loader (scene.py), the JSON Schema, the limits and the docs look node types up here. Node types
register themselves with :func:`symbolreel.node.register` when their module is imported; importing
this module imports every built-in one (``symbolreel.primitives``). A node type of your own is one
module that registers itself: import it before loading scenes that use it.

Layering (tests/test_layering.py): primitives import the engine's model and display list, never the
registry; no other engine module imports a primitive.
"""
from __future__ import annotations

from .node import NODE_TYPES, Node, Shape, Stroke, Transform, node_from_data, register
from .primitives import (Axes, Boundary, Circle, Curve, Ellipse, Figure, FigureItem, Formula, Group, Image, Line, Path,
                         Plot, Polygon, Polyline, Rect, Road, RoadCamera, RoadMarking, RoadSegment, RoadSign, Shadow,
                         Span, Text, reveal_steps)

BUILT_IN = (Group, Rect, Ellipse, Circle, Line, Polyline, Polygon, Path, Text, Formula, Figure, Plot, Road, Image)

__all__ = ["NODE_TYPES", "Node", "Shape", "Stroke", "Transform", "node_from_data", "register", "node_types",
           "BUILT_IN", "Axes", "Boundary", "Circle", "Curve", "Ellipse", "Figure", "FigureItem", "Formula", "Group", "Image",
           "Line", "Path", "Plot", "Polygon", "Polyline", "Rect", "Road", "RoadCamera", "RoadMarking", "RoadSegment",
           "RoadSign", "Shadow", "Span", "Text", "reveal_steps"]


def node_types() -> dict:
    """``{type name: class}`` of every registered node type (built-in and imported custom ones)."""
    return NODE_TYPES
