"""Pure geometry of road scenes: the public entry point (data in, NumPy arrays out).

Re-exports the pieces, which live in:

* :mod:`.centreline` -- :class:`Centreline` (straight / arc / clothoid, arc-length pose),
* :mod:`.markings` -- :class:`RoadLayout`, :class:`MarkingSpec`, :data:`DASH_PRESETS`,
  world paint polygons (:func:`road_paint`, :func:`stop_line`, :func:`crosswalk`,
  :func:`arrow`, :func:`text_anchor`),
* :mod:`.arrows` -- arrow outlines in a lane-local frame,
* :mod:`.camera` -- :class:`PinholeCamera` / :class:`PosedCamera`, projection and
  near/far clipping.

Typical frame::

    cl = Centreline.from_segments([{"straight": 50}, {"clothoid": 40, "curvature_from": 0,
                                   "curvature_to": 1 / 300}, {"arc": 200, "curvature": 1 / 300}])
    layout = RoadLayout([3.75] * 3, ["edge", "dashed", "dashed", "edge"])
    cam = PinholeCamera(1280, 720, 40.0, 1.5, 3.0).at(cl, s=v * t, lateral=layout.lane_centre(1))
    for paint in road_paint(cl, layout, *cam.visible_stretch(v * t), seed=seed):
        for contour in paint.contours:
            image_poly = cam.project_polygon(contour)    # (M, 2) pixels, near/far clipped

See docs/roads.md for every convention.
"""
from .arrows import ARROW_SHAPES, arrow_outline
from .camera import PinholeCamera, PosedCamera, clip_polygon_planes, clip_polyline_values
from .centreline import Centreline, Segment
from .markings import (DASH_PRESETS, MARKING_TYPES, PAINT_COLOURS, MarkingSpec, Paint,
                            RoadLayout, arrow, boundary_paint, crosswalk, dash_intervals,
                            road_paint, stop_line, strip_polygon, text_anchor, wear_value)

__all__ = ["ARROW_SHAPES", "arrow_outline", "PinholeCamera", "PosedCamera", "clip_polygon_planes",
           "clip_polyline_values", "Centreline", "Segment", "DASH_PRESETS", "MARKING_TYPES",
           "PAINT_COLOURS", "MarkingSpec", "Paint", "RoadLayout", "arrow", "boundary_paint",
           "crosswalk", "dash_intervals", "road_paint", "stop_line", "strip_polygon",
           "text_anchor", "wear_value"]
