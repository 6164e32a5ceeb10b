"""Function plots: the plot node and its curves (node.py)."""
from .node import Curve, Plot

__all__ = ["Curve", "Plot"]
