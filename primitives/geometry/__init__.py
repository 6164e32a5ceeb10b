"""Geometry figures and constructions: the figure node (figure.py), construction maths
(construction.py), drawing and annotation (draw.py), label placement (labels.py), axes (axes.py)."""
from .axes import Axes
from .figure import Figure, FigureItem, reveal_steps

__all__ = ["Axes", "Figure", "FigureItem", "reveal_steps"]
