"""Shapes: group, rectangle, ellipse, circle, line, polyline, polygon and SVG path nodes."""
from .nodes import Circle, Ellipse, Group, Line, Path, Polygon, Polyline, Rect

__all__ = ["Circle", "Ellipse", "Group", "Line", "Path", "Polygon", "Polyline", "Rect"]
