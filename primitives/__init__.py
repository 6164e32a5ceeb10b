"""symbolreel.primitives: the built-in node types, one subpackage per domain.

shapes/ (basic shapes, SVG paths), text/ (text node, typesetter), math/ (formulas), geometry/
(figures and constructions), road/ (roads, lane markings, signs), plot/ (function plots);
image.py (raster image files).

Each builds on the engine's model and display list only (symbolreel.node, fields, errors, ir,
records, ...); the engine reaches the primitives through one module, :mod:`symbolreel.nodes`.
Importing this package registers every built-in node type.
"""
from .shapes import Circle, Ellipse, Group, Line, Path, Polygon, Polyline, Rect
from .text import Shadow, Span, Text
from .math import Formula
from .geometry import Axes, Figure, FigureItem, reveal_steps
from .plot import Curve, Plot
from .road import Boundary, Road, RoadCamera, RoadMarking, RoadSegment, RoadSign

from .image import Image

__all__ = ["Circle", "Ellipse", "Group", "Line", "Path", "Polygon", "Polyline", "Rect",
           "Shadow", "Span", "Text", "Formula", "Axes", "Figure", "FigureItem", "reveal_steps", "Curve", "Plot",
           "Boundary", "Road", "RoadCamera", "RoadMarking", "RoadSegment", "RoadSign", "Image"]
