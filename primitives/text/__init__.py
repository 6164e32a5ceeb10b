"""Text: the text node (node.py) and the typesetter it lays out with (typeset.py: shaping, bidi,
line breaking, fallback fonts, text on a path)."""
from .node import Shadow, Span, Text

__all__ = ["Shadow", "Span", "Text"]
