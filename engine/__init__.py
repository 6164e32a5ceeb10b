"""symbolreel: deterministic scene graphs of text, math, geometry and lane markings, rendered by Skia.

Quick use::

    import symbolreel as sr
    scene = sr.Scene(canvas=sr.Canvas(width=256, height=256),
                     nodes=[sr.Text(text="Hello 你好", size=40)])
    sr.render(scene, "hello.png")
    scene2 = sr.loads(scene.dumps())     # == scene

``symbolreel.load(path)`` / ``loads(text)`` read YAML scenes; ``frames()`` yields numpy frames.

Every public name is loaded on first use (PEP 562): ``import symbolreel`` is cheap, and code that
only reads scenes or annotations never imports the rasteriser or the Numba kernels.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS = {
    "animators": ("after", "keys", "shift", "stagger"),
    "animators.tracks": ("Key", "Track", "Wiggle"),
    "errors": ("LimitError", "RenderError", "SceneError", "SymbolreelError"),
    # the built-in node types, through the registry (the one engine module that imports the primitives)
    "nodes": ("Circle", "Ellipse", "Formula", "Group", "Line", "Node", "Path", "Polygon", "Polyline", "Rect",
              "Shape", "Stroke", "Text", "Transform", "Shadow", "Span",
              "Axes", "Figure", "FigureItem", "reveal_steps",                   # geometry figures, constructions
              "Curve", "Plot",                                                  # function plots
              "Boundary", "Road", "RoadCamera", "RoadMarking", "RoadSegment", "RoadSign",  # roads
              "Image"),                                                         # raster image files
    "scene": ("Camera", "Canvas", "Limits", "MotionBlur", "Scene", "dumps", "from_dict", "json_schema", "load",
              "loads"),
    "api": ("RenderResult", "frames", "iter_frames", "render", "render_frame"),
    "stills": ("StillWriter", "render_stills"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *_WHERE]


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
