"""symbolreel.primitives: the node types of the scene graph."""
from .base import NODE_TYPES, Node, Shape, Stroke, Transform, node_from_data, register
from .shapes import Circle, Ellipse, Group, Line, Path, Polygon, Polyline, Rect
from .road import Boundary, Road, RoadCamera, RoadMarking, RoadSegment, RoadSign
from .text import Text
from .formula import Formula

__all__ = ["NODE_TYPES", "Node", "Shape", "Stroke", "Transform", "node_from_data", "register",
           "Circle", "Ellipse", "Group", "Line", "Path", "Polygon", "Polyline", "Rect", "Text", "Formula"]

from .geometry import Axes, Figure, FigureItem, reveal_steps  # noqa: E402  (geometry figures and constructions)

__all__ += ["Axes", "Figure", "FigureItem", "reveal_steps"]

from .plot import Curve, Plot  # noqa: E402  (function plots)

__all__ += ["Curve", "Plot", "Road", "RoadSegment", "Boundary", "RoadMarking", "RoadCamera", "RoadSign"]

from .image import Image  # noqa: E402  (raster image files)

__all__ += ["Image"]
