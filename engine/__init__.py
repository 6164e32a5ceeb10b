"""symbolreel: deterministic scene graphs of text, math, geometry and lane markings, rendered by Skia.

Quick use::

    import symbolreel as sr
    scene = sr.Scene(canvas=sr.Canvas(width=256, height=256),
                     nodes=[sr.Text(text="Hello 你好", size=40)])
    sr.render(scene, "hello.png")
    scene2 = sr.loads(scene.dumps())     # == scene

``symbolreel.load(path)`` / ``loads(text)`` read YAML scenes; ``frames()`` yields numpy frames.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .animators import after, keys, shift, stagger
from .animators.tracks import Key, Track, Wiggle
from .errors import LimitError, RenderError, SceneError, SymbolreelError
from .primitives import (Circle, Ellipse, Formula, Group, Line, Node, Path, Polygon, Polyline, Rect, Shape, Stroke, Text,
                         Transform)
from .primitives.text import Shadow, Span
from .scene import Camera, Canvas, Limits, MotionBlur, Scene, dumps, from_dict, json_schema, load, loads
from .api import RenderResult, frames, iter_frames, render, render_frame
from .stills import StillWriter, render_stills

__all__ = [
    "__version__", "after", "keys", "shift", "stagger", "Key", "Track", "Wiggle", "LimitError", "RenderError", "SceneError", "SymbolreelError",
    "Circle", "Ellipse", "Formula", "Group", "Line", "Node", "Path", "Polygon", "Polyline", "Rect", "Shape", "Stroke", "Text",
    "Transform", "Shadow", "Span", "Camera", "MotionBlur", "Canvas", "Limits", "Scene", "dumps", "from_dict", "json_schema", "load", "loads",
    "RenderResult", "render_stills", "StillWriter", "frames", "iter_frames", "render", "render_frame",
]

from .primitives import Axes, Figure, FigureItem, reveal_steps  # noqa: E402  (geometry figures and constructions)

__all__ += ["Axes", "Figure", "FigureItem", "reveal_steps"]

from .primitives import Curve, Plot  # noqa: E402  (function plots)

__all__ += ["Curve", "Plot"]

from .primitives import Boundary, Road, RoadCamera, RoadMarking, RoadSegment, RoadSign  # noqa: E402  (roads)

__all__ += ["Boundary", "Road", "RoadCamera", "RoadMarking", "RoadSegment", "RoadSign"]
