"""symbolreel.primitives: the node types of the scene graph."""
from .base import NODE_TYPES, Node, Shape, Stroke, Transform, node_from_data, register
from .shapes import Circle, Ellipse, Group, Line, Path, Polygon, Polyline, Rect
from .text import Text
from .formula import Formula

__all__ = ["NODE_TYPES", "Node", "Shape", "Stroke", "Transform", "node_from_data", "register",
           "Circle", "Ellipse", "Group", "Line", "Path", "Polygon", "Polyline", "Rect", "Text", "Formula"]
