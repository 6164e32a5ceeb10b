"""The ``road`` node: a perspective road scene with lane markings and exact lane labels.

World units are metres (see docs/roads.md for the conventions). The node draws into its own
``view`` (default: the canvas) as seen by a pinhole camera that drives along the road; every
marking is anchored in world arc length and projected exactly, and the per-frame labels (lane
boundary polylines, TuSimple rows, arrows/text/stop lines/crosswalks) come from the same
projection that draws them.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import skia
from numba import njit

from symbolreel.errors import SceneError
from symbolreel.fields import field, normalise
from symbolreel.records import LaneBoundary, RoadCameraState, RoadRecord, TuSimpleRows, bbox_of

from .base import Shape, register
from .lane_labels import boundary_polylines, object_labels, tusimple_row
from .road_arrows import ARROW_SHAPES
from .road_camera import PinholeCamera
from .road_centreline import Centreline
from .road_signs import SIGN_KINDS, SIGN_STYLES, default_text, draw_sign, place_sign, sign_labels, visible_signs
from .road_markings import (DASH_PRESETS, MARKING_TYPES, PAINT_COLOURS, MarkingSpec, RoadLayout, arrow,
                            crosswalk, road_paint, stop_line, strip_polygon, text_anchor)


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


TEXTURE_RANGE = 60.0  # metres over which the asphalt texture fades out
ALPHA_STEPS = 16      # worn-paint alpha levels that share one path



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
        from symbolreel.animators.tracks import Track

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
        return _world(self.segments, self.lanes, self.boundaries)

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
        paints, lo, hi = _world_paint(self.segments, self.lanes, self.boundaries, self.markings, ctx.scene.seed)
        s0, s1 = posed.visible_stretch(s)
        idx = np.nonzero((hi >= s0) & (lo <= s1))[0]
        return [paints[i] for i in idx]

    def placed_signs(self, posed, s) -> list:
        """The signs (world geometry, built once per road) that may be visible from arc length ``s``."""
        signs = _placed_signs(self.segments, self.lanes, self.boundaries, self.signs)
        s0, s1 = posed.visible_stretch(s)
        return [sign for sign in signs if s0 <= sign.s <= s1]

    def prepare(self, ctx):
        texts = [(("markings", i, "text"), m.text) for i, m in enumerate(self.markings) if m.kind == "text"]
        texts += [(("signs", i, "text"), default_text(sign.kind, sign.style) if sign.text is None else sign.text)
                  for i, sign in enumerate(self.signs)]
        for where, text in texts:
            if text:
                try:
                    _text_layout(text, ctx.font_chain("sans-bold"))
                except SceneError as exc:
                    raise SceneError(exc.message, where) from None

    # -- drawing -------------------------------------------------------------------------------
    def draw_custom(self, canvas, ctx):
        posed, s = self.posed_camera(ctx)
        w, h = posed.width, posed.height
        op = ctx.opacity
        canvas.save()
        canvas.clipRect(skia.Rect.MakeWH(w, h))
        if self.ground is not None:
            canvas.drawRect(skia.Rect.MakeWH(w, h), _paint(self.ground, op))
        if self.sky is not None:
            sky = _sky_polygon(posed.horizon_line(), w, h)
            if len(sky) >= 3:
                canvas.drawPath(_poly_path([sky]), _paint(self.sky, op))
        s0, s1 = posed.visible_stretch(s)
        if self.asphalt is not None:
            pieces = _surface_pieces(self.segments, self.lanes, self.boundaries, self.shoulder)
            chosen = [poly for a, b, poly in pieces if b >= s0 and a <= s1]
            polys = [q for q in project_many(posed, chosen) if len(q) >= 3]
            if polys:
                canvas.drawPath(_poly_path(polys), _paint(self.asphalt, op))
            if self.texture > 0:
                self._draw_texture(canvas, ctx, posed, s, [poly for a, b, poly in pieces
                                                           if b >= s - 1.0 and a <= s + TEXTURE_RANGE], op)
        for colour, flat, paint in self.paint_groups(ctx, posed, s):
            if paint is not None:
                self._draw_text(canvas, ctx, posed, paint, colour, op)
            elif len(flat[1]):
                canvas.drawPath(_flat_path(*flat), _paint(colour, op))
        if self.signs:
            chain = ctx.font_chain("sans-bold")
            for sign, uv, alpha in visible_signs(posed, self.placed_signs(posed, s)):
                draw_sign(canvas, sign, uv, alpha * op, project_many(posed, [sign.pole]),
                          lambda text: _text_layout(text, chain))
        canvas.restore()

    def paint_groups(self, ctx, posed, s):
        """Projected paint grouped into one path per (lines or markings, colour, wear alpha).

        One path per group is faster than one per dash, and filling adjacent strips as one path
        avoids faint antialiasing seams where they meet. Yields ``(rgba, (points, sizes), None)``,
        or ``(rgba, None, paint)`` for painted text; lines before markings.
        """
        key = (self.segments, self.lanes, self.boundaries, self.markings, ctx.scene.seed)
        paints, lo, hi = _world_paint(*key)
        points, starts, sizes, owner, group, groups = _paint_tables(*key)
        s0, s1 = posed.visible_stretch(s)
        visible = (hi >= s0) & (lo <= s1)
        sel = np.nonzero(visible[owner])[0] if len(owner) else owner
        n_sel = sizes[sel]
        # gather the selected contours' points without a Python loop
        offs = np.arange(int(n_sel.sum())) - np.repeat(np.cumsum(n_sel) - n_sel, n_sel)
        sel_pts = points[np.repeat(starts[sel], n_sel) + offs]
        pts, out_sizes = project_flat_arrays(posed, sel_pts, n_sel)
        keep = out_sizes >= 3
        pts, out_sizes, gsel = pts[np.repeat(keep, out_sizes)], out_sizes[keep], group[sel][keep]
        if len(gsel):
            cuts = np.flatnonzero(np.diff(gsel)) + 1          # groups are contiguous runs
            c_lo = np.concatenate(([0], cuts))
            c_hi = np.concatenate((cuts, [len(gsel)]))
            p_end = np.cumsum(out_sizes)
            p_start = p_end - out_sizes
            verbs = _verbs(out_sizes)                       # move, lines, close per polygon
            v_end = p_end + np.arange(1, len(out_sizes) + 1)
            v_start = v_end - out_sizes - 1
            pts32 = pts.astype(np.float32)
            for a_, b_ in zip(c_lo.tolist(), c_hi.tolist()):
                yield groups[gsel[a_]][1], (pts32[p_start[a_]:p_end[b_ - 1]], out_sizes[a_:b_],
                                            verbs[v_start[a_]:v_end[b_ - 1]]), None
        for i in _text_paints(*key):
            if visible[i]:
                colour = tuple(c / 255.0 for c in PAINT_COLOURS[paints[i].colour]) + (paints[i].alpha,)
                yield colour, None, paints[i]

    def _draw_texture(self, canvas, ctx, posed, s, pieces, op):
        """Seeded fractal noise darkening the asphalt, drawn in ground coordinates through the ground
        homography (so it is fixed to the road), faded to nothing at TEXTURE_RANGE metres from the
        camera: far texture would be finer than a pixel and flicker."""
        ground = [posed.clip_polygon_near(poly, far=TEXTURE_RANGE + 20.0) for poly in pieces]
        ground = [g[:, :2] for g in ground if len(g) >= 3]
        if not ground:
            return
        h = posed.ground_homography()
        # scale by a positive number only: w must stay positive for ground points in front
        m = skia.Matrix.MakeAll(*(float(v) for v in (h / np.abs(h).max()).ravel()))
        cx, cy = float(posed.C[0]), float(posed.C[1])
        noise = skia.PerlinNoiseShader.MakeFractalNoise(0.6, 0.6, 3, float(ctx.scene.seed % 65536))
        # noise red channel -> alpha of black (darkening), scaled by the strength
        k = float(self.texture) * 0.35 * op
        dark = noise.makeWithColorFilter(skia.ColorFilters.Matrix(
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, k, 0, 0, 0, 0]))
        fade = skia.GradientShader.MakeRadial(skia.Point(cx, cy), TEXTURE_RANGE,
                                              [skia.ColorBLACK, skia.ColorTRANSPARENT], [0.3, 1.0])
        paint = skia.Paint(AntiAlias=True, Shader=skia.Shaders.Blend(skia.BlendMode.kDstIn, dark, fade))
        canvas.save()
        canvas.concat(m)
        canvas.drawPath(_poly_path(ground), paint)
        canvas.restore()

    def _draw_text(self, canvas, ctx, posed, paint, colour, op):
        if not paint.text or paint.quad is None:
            return
        uv, z = posed.project(paint.quad)
        if not np.all(z >= posed.camera.near):
            return  # partly behind the near plane: skip rather than draw a distorted mapping
        lay = _text_layout(paint.text, ctx.font_chain("sans-bold"))
        x0, y0, x1, y1 = lay.bounds
        src = [skia.Point(x0, y0), skia.Point(x1, y0), skia.Point(x1, y1), skia.Point(x0, y1)]
        dst = [skia.Point(float(x), float(y)) for x, y in uv]
        m = skia.Matrix()
        if not m.setPolyToPoly(src, dst):
            return
        canvas.save()
        canvas.concat(m)
        for blob in lay.blobs_upto(1 << 30):
            canvas.drawTextBlob(blob, 0, 0, _paint(colour, op))
        canvas.restore()

    # -- annotations -----------------------------------------------------------------------------
    def annotate_custom(self, ctx, m):
        from symbolreel.annotate import points_of, quad_of

        posed, s = self.posed_camera(ctx)
        cl, layout = self.world()
        w, h = posed.width, posed.height
        lanes = boundary_polylines(posed, cl, layout)
        h_samples = self.h_samples if self.h_samples is not None else tuple(
            float(y) for y in range(int(np.ceil(h * 4 / 9 / 10) * 10), h, 10))
        xs = tusimple_row(lanes, [int(v) for v in h_samples], width=w)
        objects = object_labels(posed, [p for p in self.paints(ctx, posed, s) if p.kind != "line"])
        objects += sign_labels(posed, self.placed_signs(posed, s))
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


@functools.lru_cache(maxsize=32)
def _world(segments, lanes, boundaries):
    cl = Centreline.from_segments([seg.as_spec() for seg in segments])
    layout = RoadLayout(tuple(lanes), tuple(b.spec() for b in boundaries))
    return cl, layout


@functools.lru_cache(maxsize=16)
def _placed_signs(segments, lanes, boundaries, signs) -> tuple:
    cl, layout = _world(segments, lanes, boundaries)
    return tuple(place_sign(cl, layout, g.kind, g.s, g.side, g.offset, g.height, g.size, g.text, index=i,
                                reverse=g.reverse, style=g.style)
                 for i, g in enumerate(signs))


@functools.lru_cache(maxsize=16)
def _world_paint(segments, lanes, boundaries, markings, seed):
    """All paint of the road in world coordinates, with arrays of each record's arc-length range."""
    cl, layout = _world(segments, lanes, boundaries)
    # built in 20 m chunks so solid lines become short strips (cheap to clip at the near/far
    # planes); a dash overlapping two chunks comes back from both and is kept once
    out, seen = [], set()
    edges = np.append(np.arange(0.0, cl.length, 20.0), cl.length)
    for a, b in zip(edges[:-1], edges[1:]):
        for paint in road_paint(cl, layout, a, b, seed=seed):
            key = (paint.boundary, paint.s_range, tuple(np.round(paint.contours[0][0], 6)))
            if key not in seen:
                seen.add(key)
                out.append(paint)
    for m in markings:
        if m.kind == "stop_line":
            out.append(stop_line(cl, layout, m.s, lanes=m.lane))
        elif m.kind == "crosswalk":
            out += crosswalk(cl, layout, m.s, length=m.length or 4.0, lanes=m.lane, seed=seed, wear=m.wear)
        elif m.kind == "arrow":
            out.append(arrow(cl, layout, m.lane, m.s, shape=m.shape, length=m.length or 6.0, seed=seed,
                             wear=m.wear))
        else:
            out.append(text_anchor(cl, layout, m.lane, m.s, length=m.length or 5.0, text=m.text))
    lo = np.array([p.s_range[0] for p in out])
    hi = np.array([p.s_range[1] for p in out])
    return out, lo, hi


@functools.lru_cache(maxsize=16)
def _paint_tables(segments, lanes, boundaries, markings, seed):
    """Per-contour lookup tables for fast per-frame grouping.

    Returns ``(points, starts, sizes, owner, group, groups)``: every non-text contour's world
    points concatenated (contours ordered by group, so a group is a contiguous run), each contour's
    start and size in ``points``, the paint record it belongs to, its group id, and the groups as
    ``(is_marking, rgba)`` with lines before markings.
    """
    paints, _, _ = _world_paint(segments, lanes, boundaries, markings, seed)
    keys, rows = {}, []
    for i, paint in enumerate(paints):
        if paint.kind == "text":
            continue
        # worn paint: alpha quantised to 1/16 steps (wear is random fading anyway), so dashes share paths
        alpha = round(paint.alpha * ALPHA_STEPS) / ALPHA_STEPS
        colour = tuple(c / 255.0 for c in PAINT_COLOURS[paint.colour]) + (alpha,)
        gid = keys.setdefault((paint.kind != "line", colour), len(keys))
        rows += [(gid, i, np.ascontiguousarray(c, dtype=np.float64)) for c in paint.contours]
    key_list = list(keys)
    order = sorted(range(len(key_list)), key=lambda g: key_list[g][0])     # lines first, stable
    rank = {g: r for r, g in enumerate(order)}
    rows.sort(key=lambda row: rank[row[0]])                                  # stable within a group
    sizes = np.array([len(c) for _, _, c in rows], np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    points = np.concatenate([c for _, _, c in rows]) if rows else np.empty((0, 3))
    owner = np.array([i for _, i, _ in rows], np.int64)
    group = np.array([rank[g] for g, _, _ in rows], np.int64)
    return points, starts, sizes, owner, group, [key_list[g] for g in order]


@functools.lru_cache(maxsize=16)
def _text_paints(segments, lanes, boundaries, markings, seed) -> tuple:
    """Indices of the painted-text records (drawn with glyphs, not polygons)."""
    paints, _, _ = _world_paint(segments, lanes, boundaries, markings, seed)
    return tuple(i for i, p in enumerate(paints) if p.kind == "text")


@functools.lru_cache(maxsize=16)
def _surface_pieces(segments, lanes, boundaries, shoulder, piece=10.0):
    """The asphalt as strips of ``piece`` metres: (s0, s1, world polygon)."""
    cl, layout = _world(segments, lanes, boundaries)
    left, right = layout.lane_span()
    edges = np.append(np.arange(0.0, cl.length, piece), cl.length)
    return [(a, b, strip_polygon(cl, a, b, left + shoulder, right - shoulder, 0.05))
            for a, b in zip(edges[:-1], edges[1:]) if b > a]


def project_flat_arrays(posed, pts, sizes):
    """:func:`project_flat` for polygons already concatenated: ``pts`` (N, 3), ``sizes``."""
    if not len(sizes):
        return np.empty((0, 2)), np.zeros(0, np.int64)
    cam = posed.camera
    return _project_clip_all(np.ascontiguousarray(pts, dtype=np.float64), np.asarray(sizes, np.int64),
                             np.ascontiguousarray(posed.R), np.ascontiguousarray(posed.C), cam.focal,
                             0.5 * posed.width, 0.5 * posed.height, cam.near, cam.far)


def project_flat(posed, polys):
    """Project world polygons, clipped to the near and far planes (the same Sutherland-Hodgman
    construction as ``posed.project_polygon``), in one compiled call.

    Returns ``(points (M, 2), sizes (len(polys),))``; a polygon wholly out of range has size 0.
    """
    if not len(polys):
        return np.empty((0, 2)), np.zeros(0, np.int64)
    sizes = np.array([len(p) for p in polys], dtype=np.int64)
    pts = np.ascontiguousarray(np.concatenate(polys), dtype=np.float64)
    cam = posed.camera
    return _project_clip_all(pts, sizes, np.ascontiguousarray(posed.R), np.ascontiguousarray(posed.C),
                             cam.focal, 0.5 * posed.width, 0.5 * posed.height, cam.near, cam.far)


def project_many(posed, polys) -> list:
    """Like :func:`project_flat`, as a list of (k, 2) arrays."""
    out, sizes = project_flat(posed, polys)
    return np.split(out, np.cumsum(sizes)[:-1]) if len(sizes) else []


@njit(cache=True)
def _project_clip_all(pts, sizes, R, C, focal, cx, cy, near, far):
    n_total = 0
    for n in sizes:
        n_total += 4 * n + 8
    out = np.empty((n_total, 2))
    out_sizes = np.zeros(sizes.shape[0], np.int64)
    start = 0
    m = 0
    for i in range(sizes.shape[0]):
        n = sizes[i]
        poly = pts[start:start + n]
        cam = np.empty((n, 3))
        for j in range(n):
            for r in range(3):
                cam[j, r] = (R[r, 0] * (poly[j, 0] - C[0]) + R[r, 1] * (poly[j, 1] - C[1])
                             + R[r, 2] * (poly[j, 2] - C[2]))
        lo = cam[:, 2].min()
        hi = cam[:, 2].max()
        start += n
        if hi < near or lo > far:
            continue
        if lo >= near and hi <= far:
            clipped = cam
        else:
            vals = np.empty((n, 2))
            for j in range(n):
                vals[j, 0] = cam[j, 2] - near
                vals[j, 1] = far - cam[j, 2]
            clipped = _clip_planes(cam, vals)
        k = clipped.shape[0]
        for j in range(k):
            z = clipped[j, 2]
            out[m + j, 0] = focal * clipped[j, 0] / z + cx
            out[m + j, 1] = focal * clipped[j, 1] / z + cy
        out_sizes[i] = k
        m += k
    return out[:m], out_sizes


@njit(cache=True)
def _clip_planes(p, v):
    """Sutherland-Hodgman against the half-spaces v[:, k] >= 0 (values affine along edges).

    Same construction as road_camera.clip_polygon_planes (t = d / (d - d_next) on crossing
    edges), compiled: the per-polygon NumPy version costs ~0.2 ms, this a few microseconds.
    """
    for k in range(v.shape[1]):
        n = p.shape[0]
        if n == 0:
            break
        out_p = np.empty((2 * n, p.shape[1]))
        out_v = np.empty((2 * n, v.shape[1]))
        m = 0
        for i in range(n):
            j = (i + 1) % n
            di, dj = v[i, k], v[j, k]
            if di >= 0:
                out_p[m] = p[i]
                out_v[m] = v[i]
                m += 1
            if (di >= 0) != (dj >= 0):
                t = di / (di - dj)
                out_p[m] = p[i] + t * (p[j] - p[i])
                out_v[m] = v[i] + t * (v[j] - v[i])
                out_v[m, k] = 0.0
                m += 1
        p = out_p[:m].copy()
        v = out_v[:m].copy()
    return p


@functools.lru_cache(maxsize=64)
def _text_layout(text, chain):
    from symbolreel.typeset import layout_text

    return layout_text(text, chain, 100.0, 0.0, 1.0, "center", "middle", "strict")


def _paint(rgba, op) -> skia.Paint:
    return skia.Paint(Color4f=skia.Color4f(rgba[0], rgba[1], rgba[2], rgba[3] * op), AntiAlias=True)


def _poly_path(polys) -> skia.Path:
    """One skia.Path of closed polygons (list of (k, 2) arrays), non-zero winding."""
    polys = [np.asarray(q, dtype=np.float64) for q in polys if len(q)]
    if not polys:
        return skia.Path()
    return _flat_path(np.concatenate(polys), np.array([len(q) for q in polys]))


def _verbs(sizes) -> np.ndarray:
    """Skia path verbs for closed polygons of ``sizes`` points: move, line..., close each."""
    sizes = np.asarray(sizes, dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(sizes + 1)[:-1]))
    verbs = np.ones(int(sizes.sum()) + len(sizes), np.uint8)   # line
    verbs[first] = 0                                            # move
    verbs[first + sizes] = 5                                    # close
    return verbs


def _flat_path(pts, sizes, verbs=None) -> skia.Path:
    """skia.Path of closed polygons given as concatenated points and per-polygon sizes (all > 0).

    Writes Skia's own path serialisation (format version 5: header, point/weight/verb counts,
    float32 points, uint8 verbs move/line.../close, padded to 4 bytes) and reads it back, so no
    Python runs per point; falls back to addPoly if Skia rejects the buffer (another format
    version). tests/test_road_node.py checks both give the same path.
    """
    path = skia.Path()
    sizes = np.asarray(sizes, dtype=np.int64)
    pts32 = np.ascontiguousarray(pts, dtype=np.float32)
    if verbs is None:
        verbs = _verbs(sizes)
    pad = (-len(verbs)) % 4
    buf = b"".join((np.array([5, len(pts32), 0, len(verbs)], np.int32).tobytes(), pts32.tobytes(),
                    verbs.tobytes(), b"\0" * pad))
    if path.readFromMemory(buf) == len(buf):
        return path
    path = skia.Path()
    start = 0
    for n in sizes.tolist():
        path.addPoly([skia.Point(x, y) for x, y in pts32[start:start + n].tolist()], True)
        start += n
    return path


def _sky_polygon(line, w, h) -> np.ndarray:
    """The part of the view rectangle on the sky side of the horizon line (a*x + b*y + c < 0)."""
    a, b, c = line
    rect = np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]])
    vals = -(rect @ np.array([a, b]) + c)
    out = []
    for i in range(4):
        p, q = rect[i], rect[(i + 1) % 4]
        vp, vq = vals[i], vals[(i + 1) % 4]
        if vp >= 0:
            out.append(p)
        if (vp >= 0) != (vq >= 0):
            t = vp / (vp - vq)
            out.append(p + t * (q - p))
    return np.array(out)
