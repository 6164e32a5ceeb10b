"""Per-frame lane labels from the same projection that draws the paint.

Coordinates: internal polylines are in continuous image coordinates (Skia's: pixel (i, j)
covers [i, i+1) x [j, j+1)).  TuSimple and CULane store pixel INDICES, so the writers sample
row index ``h`` at continuous y = h + 0.5 and report x - 0.5 (``half_pixel=True``).

Dashed boundaries are labelled along their whole continuous path, gaps included (as TuSimple
and CULane do): a label follows the boundary's centre (the middle of the painted line, or of
the pair for double lines), not just the dashes.

Lanes are listed left to right (boundary order); polylines run from near (bottom of the image)
to far.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symbolreel.lane_formats import (ABSENT, culane_lines, culane_points, parse_culane_lines,  # noqa: F401
                                     read_tusimple_jsonl, tusimple_record, tusimple_row, write_culane_lines,
                                     write_tusimple_jsonl)
from symbolreel.records import RoadMarking, bbox_of

from .camera import PosedCamera, clip_polyline_values, project_flat
from .markings import ARROW_CLASSES, Paint, RoadLayout
from .signs import SIGN_CLASSES, visible_signs

__all__ = ["LaneLabel", "DEFAULT_CLASS_IDS", "boundary_polylines", "clip_to_image",
           "tusimple_row", "tusimple_record", "write_tusimple_jsonl", "read_tusimple_jsonl",
           "culane_points", "culane_lines", "parse_culane_lines", "write_culane_lines",
           "object_labels", "project_paints", "mask_polygons", "segmentation_mask"]

#: Class ids for :func:`segmentation_mask` (0 = background).
DEFAULT_CLASS_IDS = {
    "solid": 1, "dashed": 2, "double_solid": 3, "solid_dashed": 4, "dashed_solid": 5, "edge": 6,
    "stop_line": 7, "crosswalk": 8, "text": 9,
    **{c: 10 + i for i, c in enumerate(ARROW_CLASSES)},
    **{c: 10 + len(ARROW_CLASSES) + i for i, c in enumerate(SIGN_CLASSES)},
}


@dataclass(frozen=True, eq=False)
class LaneLabel:
    """One lane boundary in one frame: image polylines (continuous px, near to far)."""

    boundary: int
    type: str
    colour: str
    pieces: tuple

    @property
    def points(self) -> np.ndarray:
        """All pieces concatenated, (N, 2)."""
        return np.concatenate(self.pieces) if self.pieces else np.empty((0, 2))


def clip_to_image(line, width, height) -> list[np.ndarray]:
    """Clip an image polyline (N, 2) to the rectangle [0, width] x [0, height]; pieces."""
    p = np.asarray(line, dtype=np.float64)
    vals = np.stack([p[:, 0], width - p[:, 0], p[:, 1], height - p[:, 1]], axis=1)
    return clip_polyline_values(p, vals)


def boundary_polylines(camera: PosedCamera, centreline, layout: RoadLayout, s_range=None,
                       max_chord_error=0.01, max_step=2.0, clip_image=True,
                       include_none=False) -> list[LaneLabel]:
    """Project every lane boundary's centre line: sampled in world arc length over ``s_range``
    (default the camera's visible stretch, clamped to the road), clipped to the near/far planes
    before projection, then to the image.  Boundaries with nothing visible are left out."""
    if s_range is None:
        s_cam = camera.s if camera.s is not None else _camera_s(camera, centreline)
        s_range = camera.visible_stretch(s_cam)
    s0, s1 = max(s_range[0], 0.0), min(s_range[1], centreline.length)
    out = []
    if s1 <= s0:
        return out
    for i, (spec, off) in enumerate(zip(layout.boundaries, layout.boundary_offsets())):
        if spec.type == "none" and not include_none:
            continue
        s = centreline.sample_s(s0, s1, max_chord_error, max_step, lateral=off)
        pieces = []
        for world in camera.clip_polyline_near(centreline.to_world(s, off)):
            img = camera.project(world)[0]
            pieces += clip_to_image(img, camera.width, camera.height) if clip_image else [img]
        if pieces:
            out.append(LaneLabel(i, spec.type, spec.colour, tuple(pieces)))
    return out


def _camera_s(camera, centreline):
    """Arc length nearest the camera (coarse search then refinement on the centreline)."""
    s = np.linspace(0.0, centreline.length, max(2, int(centreline.length) + 1))
    for _ in range(3):
        p = centreline.to_world(s)[:, :2]
        k = int(np.argmin(np.sum((p - camera.C[:2]) ** 2, axis=1)))
        lo, hi = s[max(k - 1, 0)], s[min(k + 1, len(s) - 1)]
        s = np.linspace(lo, hi, 21)
    return float(s[10])


def project_paints(camera: PosedCamera, paints: list[Paint]) -> list[list[np.ndarray]]:
    """Every contour of every paint record near/far clipped and projected (one compiled call, the
    projection a road frame draws with): per record, one (k, 2) image polygon per contour (k may be
    0 when the contour is clipped away)."""
    contours = [c for p in paints for c in p.contours]
    pts, sizes = project_flat(camera, contours)
    polys = np.split(pts, np.cumsum(sizes)[:-1]) if len(sizes) else []
    out, k = [], 0
    for p in paints:
        out.append(polys[k:k + len(p.contours)])
        k += len(p.contours)
    return out


def object_labels(camera: PosedCamera, paints: list[Paint], polygons=None) -> list[RoadMarking]:
    """Labels (:class:`symbolreel.records.RoadMarking`) for non-line paint (arrows, text, stop lines,
    crosswalk stripes) in one frame, in the camera's image coordinates.

    Each: ``cls``, ``kind``, ``text``, ``lane``, ``index``; ``polygon`` (image polygons after
    near/far clipping) and their ``bbox``; ``quad`` (4 image points far-left, far-right, near-right,
    near-left) when the paint has a quad entirely in front of the near plane, else None;
    ``truncated`` when clipping removed anything or a point falls outside the image.
    Paint that is entirely clipped away is left out. ``polygons``: the records' projected
    contours as drawn (from the road frame; default :func:`project_paints`).
    """
    if polygons is None:
        polygons = project_paints(camera, paints)
    out = []
    for p, projected in zip(paints, polygons):
        if p.kind == "line":
            continue
        polys = [q for q in projected if len(q) >= 3]
        if not polys:
            continue
        quad, truncated = None, False
        if p.quad is not None:
            uv, z = camera.project(p.quad)
            if np.all(z >= camera.camera.near) and np.all(z <= camera.camera.far):
                quad = uv.tolist()
            else:
                truncated = True
        allpts = np.concatenate(polys)
        inside = ((allpts >= 0) & (allpts <= (camera.width, camera.height))).all()
        clipped = any(len(q) != len(c) or not np.all(
            (camera.depth(c) >= camera.camera.near) & (camera.depth(c) <= camera.camera.far))
            for q, c in zip(projected, p.contours))
        polygon = [q.tolist() for q in polys]
        out.append(RoadMarking(cls=p.cls, kind=p.kind, text=p.text, lane=p.lane, index=p.index, polygon=polygon,
                               bbox=bbox_of(pt for q in polygon for pt in q), quad=quad,
                               truncated=bool(truncated or clipped or not inside)))
    return out


def mask_polygons(camera: PosedCamera, paints: list[Paint], polygons=None, signs=(), class_ids=None) -> list:
    """What a lane-class mask fills, in order (later wins): ``[(class id, [image polygon, ...])]``, one
    entry per paint record with a class (its projected contours: ``polygons`` as drawn, default
    :func:`project_paints`), then the faces of ``signs`` (``(sign, image quad, alpha)`` from
    ``signs.visible_signs``, farthest first; poles are not labelled)."""
    ids = DEFAULT_CLASS_IDS if class_ids is None else class_ids
    if polygons is None:
        polygons = project_paints(camera, paints)
    out = []
    for p, projected in zip(paints, polygons):
        cid = ids.get(p.cls, 0)
        polys = [q for q in projected if len(q) >= 3]
        if cid and polys:
            out.append((cid, polys))
    for sign, _, _ in signs:
        cid = ids.get(sign.cls, 0)
        if cid:
            out.append((cid, [camera.project(sign.outline)[0]]))
    return out


def segmentation_mask(camera: PosedCamera, paints: list[Paint], class_ids=None, signs=()) -> np.ndarray:
    """Per-class mask (height, width) uint8: each paint's clipped, projected contours filled
    (no antialiasing, non-zero winding) with its class id; later paint wins; 0 = background.
    ``signs`` (``signs.PlacedSign``): the faces drawn, as they are, over the paint and
    farthest first (their poles are not labelled). The polygons are :func:`mask_polygons`, the
    ones a road node puts in its display list as mask regions (a standalone helper: rendering
    scenes gets its lane masks from the display list)."""
    import skia  # deferred: only this raster helper needs Skia (light imports)

    buf = np.zeros((camera.height, camera.width, 4), dtype=np.uint8)
    surface = skia.Surface(buf)
    with surface as canvas:
        for cid, polys in mask_polygons(camera, paints, None, visible_signs(camera, signs), class_ids):
            path = skia.Path()
            for q in polys:
                path.addPoly([skia.Point(float(x), float(y)) for x, y in q], True)
            canvas.drawPath(path, skia.Paint(Color=skia.Color(cid, 0, 0, 255), AntiAlias=False,
                                             BlendMode=skia.BlendMode.kSrc))
    return buf[:, :, 0].copy()
