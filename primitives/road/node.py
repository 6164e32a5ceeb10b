"""The ``road`` node: a perspective road scene with lane markings and exact lane labels.

World units are metres (see docs/roads.md for the conventions). The node draws into its own
``view`` (default: the canvas) as seen by a pinhole camera that drives along the road; every
marking is anchored in world arc length and projected exactly, and the per-frame labels (lane
boundary polylines, TuSimple rows, arrows/text/stop lines/crosswalks) come from the same
projection that draws them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from symbolreel.animators.tracks import Track
from symbolreel.annotate import points_of, quad_of
from symbolreel.errors import SceneError
from symbolreel.fields import field, normalise
from symbolreel.records import LaneBoundary, RoadCameraState, RoadRecord, TuSimpleRows, bbox_of

from symbolreel.node import Shape, register
from .labels import boundary_polylines, object_labels, tusimple_row
from .arrows import ARROW_SHAPES
from .camera import PinholeCamera
from .frame import emit_road, mask_regions, placed_signs, road_frame, road_world, text_layout, world_paint
from .signs import SIGN_KINDS, SIGN_STYLES, default_text, sign_labels
from .markings import (DASH_PRESETS, MARKING_TYPES, PAINT_COLOURS, MarkingSpec)


# Physical ranges (docs/limits.md): real roads stay far inside them, and they keep the paint of a
# road (built once for its whole length) and every frame's sampling finite and fast.
MAX_ROAD_LENGTH = 3000.0   # metres of centreline in one road node
MAX_CURVATURE = 0.2        # 1/m: radius >= 5 m (tighter than any hairpin)
MAX_LANE_WIDTH = 10.0      # metres
MAX_LANES = 12
MAX_FAR = 2000.0           # metres: the camera's far clip
MAX_DASHES = 6_000        # dashes of all dashed boundaries together, over the whole road


@dataclass(frozen=True, kw_only=True)
class RoadSegment:
    """A piece of the centreline: straight, constant-curvature arc, or clothoid (linear curvature)."""

    kind: str = field("straight", "enum", "segment shape", choices=("straight", "arc", "clothoid"))
    length: float = field(100.0, "number", "arc length in metres", min=1e-6, max=MAX_ROAD_LENGTH)
    curvature: float = field(0.0, "number", "1/radius (1/m), positive turns left; for a clothoid, the "
                                            "curvature at its start", min=-MAX_CURVATURE, max=MAX_CURVATURE)
    curvature_to: float = field(0.0, "number", "clothoid only: curvature at its end", min=-MAX_CURVATURE,
                                max=MAX_CURVATURE)

    def __post_init__(self):
        normalise(self)

    def as_spec(self) -> dict:
        if self.kind == "straight":
            return {"straight": self.length}
        if self.kind == "arc":
            return {"arc": self.length, "curvature": self.curvature}
        return {"clothoid": self.length, "curvature_from": self.curvature, "curvature_to": self.curvature_to}


@dataclass(frozen=True, kw_only=True)
class Boundary:
    """How one lane boundary is painted (boundaries are listed left to right)."""

    type: str = field("dashed", "enum", "marking type", choices=MARKING_TYPES)
    color: str | None = field(None, "enum", "paint colour (null: yellow for double_solid, else white)",
                              choices=tuple(PAINT_COLOURS), nullable=True)
    width: float = field(0.15, "number", "width of each painted line, metres", min=0.01, max=2.0)
    preset: str | None = field(None, "enum", "dash/gap standard", choices=tuple(DASH_PRESETS), nullable=True)
    dash: float | None = field(None, "number", "dash length in metres (overrides the preset)", nullable=True,
                               min=0.3, max=MAX_ROAD_LENGTH)
    gap: float | None = field(None, "number", "gap length in metres (overrides the preset)", nullable=True,
                              min=0.3, max=MAX_ROAD_LENGTH)
    phase: float = field(0.0, "number", "arc length where dash 0 starts, metres")
    wear: float = field(0.0, "number", "seeded per-dash fading, 0 (fresh) .. 1", min=0.0, max=1.0)

    def __post_init__(self):
        normalise(self)

    def spec(self) -> MarkingSpec:
        return MarkingSpec(type=self.type, colour=self.color, width=self.width, dash=self.dash, gap=self.gap,
                           preset=self.preset, phase=self.phase, wear=self.wear)


@dataclass(frozen=True, kw_only=True)
class RoadMarking:
    """A painted object on the road: stop line, crosswalk, arrow or text."""

    kind: str = field("arrow", "enum", "what is painted", choices=("stop_line", "crosswalk", "arrow", "text"))
    s: float = field(50.0, "number", "arc length of its near edge, metres", min=0.0)
    lane: int | None = field(None, "int", "lane index from the left (arrows/text; stop lines and crosswalks "
                                          "span all lanes when null)", nullable=True, min=0)
    shape: str = field("straight", "enum", "arrow shape", choices=tuple(ARROW_SHAPES))
    text: str = field("", "string", "painted text (kind: text), e.g. SLOW or 公交专用")
    length: float | None = field(None, "number", "extent along the road, metres (defaults per kind)",
                                 nullable=True, min=0.1, max=100.0)
    wear: float = field(0.0, "number", "seeded fading 0..1 (arrows, crosswalks)", min=0.0, max=1.0)

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class RoadSign:
    """A vector traffic sign on a pole beside the road, facing the oncoming traffic."""

    kind: str = field("speed_limit", "enum", "sign", choices=SIGN_KINDS)
    s: float = field(50.0, "number", "arc length where it stands, metres", min=0.0)
    side: str = field("right", "enum", "side of the road", choices=("right", "left"))
    offset: float = field(1.5, "number", "distance beyond the outer lane boundary, metres", min=0.0, max=100.0)
    height: float = field(2.0, "number", "height of the face's bottom edge above the ground, metres", min=0.0,
                          max=50.0)
    size: float = field(0.9, "number", "width of the face, metres", min=0.1, max=10.0)
    text: str | None = field(None, "string", "text on the face (null: the style's default: 60 on a speed "
                                             "limit (us: 55), STOP on a stop sign (cn: 停), ! on a warning, "
                                             "none on yield (cn: 让, us: YIELD)), e.g. 120 or 停", nullable=True)
    style: str = field("vienna", "enum", "design family: vienna (red-ringed disc, red-bordered triangles), cn "
                                         "(yellow warning triangles), us (SPEED LIMIT rectangle, yellow "
                                         "warning diamonds)", choices=SIGN_STYLES)
    reverse: bool = field(False, "bool", "faces the traffic driving the other way (the camera sees its back)")

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class RoadCamera:
    """Pinhole camera driving along the road (angles in degrees, lengths in metres)."""

    s: float = field(0.0, "number", "arc length of the camera; animate it, e.g. {value: 0, speed: 15}; held "
                                    "within [0, the road's length] (the camera stops at the end)", anim=True)
    lane: int | None = field(1, "int", "lane the camera drives in (null: use 'lateral')", nullable=True, min=0)
    lateral: float = field(0.0, "number", "offset left of the centreline when lane is null, or of the lane "
                                          "centre otherwise", anim=True)
    height: float = field(1.5, "number", "above the ground", min=0.05, max=500.0)
    pitch: float = field(3.0, "number", "downward tilt", anim=True)
    yaw: float = field(0.0, "number", "turn left of the road heading", anim=True)
    roll: float = field(0.0, "number", "roll", anim=True)
    fov: float = field(45.0, "number", "vertical field of view", min=1.0, max=170.0)
    near: float = field(0.5, "number", "near clip depth", min=0.01, max=100.0)
    far: float = field(200.0, "number", "far clip depth (the road ends there)", min=1.0, max=MAX_FAR)

    def __post_init__(self):
        normalise(self)





@register
@dataclass(frozen=True, kw_only=True)
class Road(Shape):
    """Perspective road with lane markings, seen from a camera driving along it; labels per frame."""

    TYPE = "road"
    segments: tuple = field((RoadSegment(kind="straight", length=400.0),), "structs", "the centreline, in order",
                            struct=RoadSegment, min_items=1)
    lanes: tuple = field((3.75, 3.75, 3.75), "numbers", "lane widths in metres, left to right", min=0.5,
                         max=MAX_LANE_WIDTH, min_items=1)
    boundaries: tuple | None = field(None, "structs", "one per lane edge (lanes + 1), left to right (null: edge "
                                                      "lines outside, dashed lines between lanes)",
                                     struct=Boundary, nullable=True)
    markings: tuple = field((), "structs", "stop lines, crosswalks, arrows and text", struct=RoadMarking)
    signs: tuple = field((), "structs", "traffic signs beside the road", struct=RoadSign)
    camera: RoadCamera = field(RoadCamera(), "struct", "the driving camera", struct=RoadCamera)
    view: tuple | None = field(None, "vec2", "[width, height] of the image in pixels; null = the canvas",
                               nullable=True, min=1.0, max=8192.0)
    sky: tuple | None = field("#A9C8E8", "colour", "above the horizon", nullable=True)
    ground: tuple | None = field("#6B8E4E", "colour", "beside the road", nullable=True)
    asphalt: tuple | None = field("#4A4A4A", "colour", "road surface", nullable=True)
    shoulder: float = field(0.5, "number", "asphalt beyond the edge lines, metres", min=0.0, max=50.0)
    texture: float = field(0.0, "number", "strength of the seeded asphalt texture, 0 (flat) .. 1; anchored to "
                                          "the ground and faded out with distance so it never shimmers",
                           min=0.0, max=1.0)
    h_samples: tuple | None = field(None, "numbers", "image rows for TuSimple lane labels (null: every 10 px "
                                                     "from 4/9 of the height down)", nullable=True)
    fill: tuple | None = field(None, "colour", "unused by roads", anim=True, nullable=True)

    def __post_init__(self):
        super().__post_init__()
        # bounds that keep building the road's paint (done once, for its whole length) in seconds
        total = sum(seg.length for seg in self.segments)
        if total > MAX_ROAD_LENGTH:
            raise SceneError(f"the road is {total:g} m long; at most {MAX_ROAD_LENGTH:g} m (split longer drives "
                             f"into several scenes)", ("segments",))
        if len(self.lanes) > MAX_LANES:
            raise SceneError(f"{len(self.lanes)} lanes; at most {MAX_LANES}", ("lanes",))
        if self.boundaries is None:
            inner = (Boundary(type="dashed"),) * (len(self.lanes) - 1)
            object.__setattr__(self, "boundaries", (Boundary(type="edge"),) + inner + (Boundary(type="edge"),))
        if len(self.boundaries) != len(self.lanes) + 1:
            raise SceneError(f"{len(self.lanes)} lanes need {len(self.lanes) + 1} boundaries, found "
                             f"{len(self.boundaries)}", ("boundaries",))
        dashes = 0.0
        for i, b in enumerate(self.boundaries):
            try:
                spec = b.spec()
                if "dashed" in b.type:
                    dashes += total / sum(spec.dash_gap())
            except ValueError as exc:
                raise SceneError(str(exc), ("boundaries", i)) from None
            if dashes > MAX_DASHES:
                raise SceneError(f"the dashed lines have about {dashes:.0f} dashes over the road's {total:g} m; at "
                                 f"most {MAX_DASHES} (longer dashes and gaps, or a shorter road)", ("boundaries", i))
        for i, m in enumerate(self.markings):
            if m.kind in ("arrow", "text") and m.lane is None:
                raise SceneError(f"a {m.kind} marking needs a 'lane'", ("markings", i, "lane"))
            if m.lane is not None and m.lane >= len(self.lanes):
                raise SceneError(f"lane {m.lane} does not exist (lanes 0..{len(self.lanes) - 1})",
                                 ("markings", i, "lane"))
        length = self.world()[0].length
        for name, items in (("markings", self.markings), ("signs", self.signs)):
            for i, item in enumerate(items):
                if item.s > length:
                    raise SceneError(f"s = {item.s:g} m is beyond the end of the road ({length:g} m long)",
                                     (name, i, "s"))
        if self.camera.lane is not None and self.camera.lane >= len(self.lanes):
            raise SceneError(f"lane {self.camera.lane} does not exist (lanes 0..{len(self.lanes) - 1})",
                             ("camera", "lane"))

    # -- captions ------------------------------------------------------------------------------
    def describe(self) -> dict:
        """Caption data (no prose), exact from the scene: lanes and their markings, the road's bends,
        painted markings, signs and the camera."""
        segments, turns = [], []
        for seg in self.segments:
            k = {"straight": 0.0, "arc": seg.curvature, "clothoid": seg.curvature_to}[seg.kind]
            entry = {"kind": seg.kind, "length_m": seg.length}
            if k:
                entry["turn"] = "left" if k > 0 else "right"
                entry["radius_m" if seg.kind == "arc" else "radius_at_end_m"] = round(1.0 / abs(k), 3)
                turns.append(entry["turn"])
            segments.append(entry)
        shape = "straight" if not turns else (f"curves {turns[0]}" if len(set(turns)) == 1 else "winding")
        boundaries = []
        for b in self.boundaries:
            spec = b.spec()
            entry = {"type": b.type, "color": spec.colour}
            if "dashed" in b.type:
                dash, gap = spec.dash_gap()
                entry.update(dash_m=dash, gap_m=gap)
            boundaries.append(entry)
        camera_s = self.camera.s
        speed = None
        if isinstance(camera_s, Track) and camera_s.speed is not None and len(camera_s.keys) == 1:
            speed = float(camera_s.speed[0])
        return {
            "lanes": len(self.lanes),
            "lane_widths_m": list(self.lanes),
            "shape": shape,
            "segments": segments,
            "boundaries": boundaries,
            "markings": [{k: v for k, v in (("kind", m.kind), ("lane", m.lane),
                                            ("shape", m.shape if m.kind == "arrow" else None),
                                            ("text", m.text if m.kind == "text" else None)) if v is not None}
                         for m in self.markings],
            "signs": [{"kind": g.kind, "style": g.style, "side": g.side,
                       "text": default_text(g.kind, g.style) if g.text is None else g.text} for g in self.signs],
            "camera": {"lane": self.camera.lane, "moving": isinstance(camera_s, Track) and not camera_s.is_constant(),
                       "speed_m_s": speed},
        }

    # -- geometry shared by drawing and annotation ------------------------------------------
    def world(self):
        """(centreline, layout), built once per node."""
        return road_world(self.segments, self.lanes, self.boundaries)

    def view_size(self, ctx) -> tuple:
        if self.view is not None:
            return int(round(self.view[0])), int(round(self.view[1]))
        c = ctx.scene.canvas
        return c.width, c.height

    def posed_camera(self, ctx):
        cl, layout = self.world()
        p = ctx.p
        w, h = self.view_size(ctx)
        cam = PinholeCamera(w, h, self.camera.fov, self.camera.height, p["camera.pitch"], p["camera.yaw"],
                            p["camera.roll"], self.camera.near, self.camera.far)
        lateral = p["camera.lateral"] + (layout.lane_centre(self.camera.lane) if self.camera.lane is not None else 0.0)
        s = min(max(p["camera.s"], 0.0), cl.length)
        return cam.at(cl, s, lateral), s

    def paints(self, ctx, posed, s):
        """World paint records visible from arc length ``s`` (lines first, then markings).

        Paint is anchored in the world, so the whole road's paint is built once (per road and
        seed) and each frame only selects the records overlapping the visible stretch.
        """
        paints, lo, hi = world_paint(self.segments, self.lanes, self.boundaries, self.markings, ctx.scene.seed)
        s0, s1 = posed.visible_stretch(s)
        idx = np.nonzero((hi >= s0) & (lo <= s1))[0]
        return [paints[i] for i in idx]

    def placed_signs(self, posed, s) -> list:
        """The signs (world geometry, built once per road) that may be visible from arc length ``s``."""
        signs = placed_signs(self.segments, self.lanes, self.boundaries, self.signs)
        s0, s1 = posed.visible_stretch(s)
        return [sign for sign in signs if s0 <= sign.s <= s1]

    def prepare(self, ctx):
        texts = [(("markings", i, "text"), m.text) for i, m in enumerate(self.markings) if m.kind == "text"]
        texts += [(("signs", i, "text"), default_text(sign.kind, sign.style) if sign.text is None else sign.text)
                  for i, sign in enumerate(self.signs)]
        for where, text in texts:
            if text:
                try:
                    text_layout(text, ctx.font_chain("sans-bold"))
                except SceneError as exc:
                    raise SceneError(exc.message, where) from None

    # -- display list ----------------------------------------------------------------------------
    def emit(self, ctx) -> list:
        """The frame's items in the view's pixel coordinates (perspective already applied), plus the
        lane-class mask regions when a lane mask is wanted; everything from one projection."""
        f = road_frame(self, ctx)
        items = emit_road(self, ctx, f)
        if "lane" in ctx.masks:
            items += mask_regions(f)
        return items

    def lane_mask_regions(self, ctx) -> list:
        """Lane-class mask regions of the frame (``ir.MaskRegion``, class ids of
        ``road.labels.DEFAULT_CLASS_IDS``), from the same projection as :meth:`emit`."""
        return mask_regions(road_frame(self, ctx))

    # -- annotations -----------------------------------------------------------------------------
    def annotate(self, ctx):
        """Lane boundary polylines, TuSimple rows, painted objects and signs of the frame."""
        m = ctx.matrix
        f = road_frame(self, ctx)
        posed, s = f.posed, f.s
        cl, layout = self.world()
        w, h = posed.width, posed.height
        lanes = boundary_polylines(posed, cl, layout)
        h_samples = self.h_samples if self.h_samples is not None else tuple(
            float(y) for y in range(int(np.ceil(h * 4 / 9 / 10) * 10), h, 10))
        xs = tusimple_row(lanes, [int(v) for v in h_samples], width=w)
        polygons = f.polygons()
        idx = [i for i in np.nonzero(f.visible)[0].tolist() if f.paints[i].kind != "line"]
        objects = object_labels(posed, [f.paints[i] for i in idx], [polygons.get(i, []) for i in idx])
        objects += sign_labels(posed, f.signs)
        objects = [_to_image(o, m, points_of) for o in objects]
        quad = quad_of(m, (0.0, 0.0, float(w), float(h)))
        return RoadRecord(
            id=self.id, type=self.TYPE, quad=quad, bbox=bbox_of(quad),
            camera=RoadCameraState(s=round(s, 6), horizon_y=round(posed.horizon_row(), 3)),
            lanes=[LaneBoundary(boundary=ln.boundary, type=ln.type, color=ln.colour,
                                pieces=[points_of(m, piece) for piece in ln.pieces]) for ln in lanes],
            tusimple=TuSimpleRows(h_samples=[int(v) for v in h_samples], lanes=xs),
            objects=objects,
        )


def _to_image(o, m, points_of):
    """A marking/sign record in the road's own view coordinates, moved into the image by ``m``."""
    polygon = [points_of(m, poly) for poly in o.polygon]
    return dataclasses.replace(o, polygon=polygon, bbox=bbox_of(p for poly in polygon for p in poly),
                               quad=None if o.quad is None else points_of(m, o.quad))
