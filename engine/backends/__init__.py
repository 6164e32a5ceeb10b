"""Backends: draw a frame display list (:mod:`symbolreel.ir`) into pixels. They know no node types.

``skia`` is the raster backend used by the renderer today.
"""
