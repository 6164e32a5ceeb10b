"""One frame of a road as the camera sees it: projected once, then drawn, masked and labelled.

:func:`road_frame` projects every visible piece of paint (one compiled call,
:func:`.camera.project_flat_arrays`) and places the visible signs; :func:`emit_road` turns that
into display-list items (image coordinates of the road's view, affine only: the perspective is
already applied), :func:`mask_regions` into lane-class mask regions, and the road's annotation reads
its object polygons from the same arrays. Nothing is projected twice.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from symbolreel import ir
from symbolreel.primitives.text.typeset import layout_text

from .labels import mask_polygons
from .camera import project_flat_arrays, project_many
from .centreline import Centreline
from .markings import (PAINT_COLOURS, RoadLayout, arrow, crosswalk, road_paint, stop_line, strip_polygon,
                            text_anchor)
from .projective import Outline, homography, layout_outline, map_outline
from .signs import place_sign, sign_items, visible_signs

TEXTURE_RANGE = 60.0  # metres over which the asphalt texture fades out
ALPHA_STEPS = 16      # worn-paint alpha levels that share one path
TEXTURE_STRIP = 10.0  # metres: the texture's fallback is flat per strip of this length

#: Named procedural effect of the asphalt texture (see docs/architecture.md and the Skia backend).
ASPHALT_NOISE = "asphalt_noise"


@dataclass(eq=False)
class RoadFrame:
    """The projected road of one frame.

    ``pts`` (M, 2) image points of the selected contours in paint-record order, ``sizes`` points per
    contour (0: clipped away), ``owner`` the paint record of each contour, ``group`` its draw group
    (-1 for painted text, which is drawn from glyph outlines); ``visible`` which records overlap
    the visible stretch; ``signs`` ``(sign, image quad, alpha)`` farthest first.
    """

    posed: object
    s: float
    paints: list
    visible: np.ndarray
    pts: np.ndarray
    sizes: np.ndarray
    owner: np.ndarray
    group: np.ndarray
    groups: list
    signs: list

    @property
    def width(self) -> int:
        return self.posed.width

    @property
    def height(self) -> int:
        return self.posed.height

    def polygons(self) -> dict:
        """Record index -> its image polygons, one per contour (k, 2), k = 0 when clipped away; for the
        visible records."""
        out: dict = {}
        ends = np.cumsum(self.sizes)
        for i, a, b in zip(self.owner.tolist(), (ends - self.sizes).tolist(), ends.tolist()):
            out.setdefault(i, []).append(self.pts[a:b])
        return out


@functools.lru_cache(maxsize=32)
def road_world(segments, lanes, boundaries):
    cl = Centreline.from_segments([seg.as_spec() for seg in segments])
    layout = RoadLayout(tuple(lanes), tuple(b.spec() for b in boundaries))
    return cl, layout


@functools.lru_cache(maxsize=16)
def placed_signs(segments, lanes, boundaries, signs) -> tuple:
    """The signs of a road in world coordinates (``signs.PlacedSign``), built once."""
    cl, layout = road_world(segments, lanes, boundaries)
    return tuple(place_sign(cl, layout, g.kind, g.s, g.side, g.offset, g.height, g.size, g.text, index=i,
                                reverse=g.reverse, style=g.style)
                 for i, g in enumerate(signs))


@functools.lru_cache(maxsize=16)
def world_paint(segments, lanes, boundaries, markings, seed):
    """All paint of the road in world coordinates, with arrays of each record's arc-length range."""
    cl, layout = road_world(segments, lanes, boundaries)
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
def surface_pieces(segments, lanes, boundaries, shoulder, piece=10.0):
    """The asphalt as strips of ``piece`` metres: (s0, s1, world polygon)."""
    cl, layout = road_world(segments, lanes, boundaries)
    left, right = layout.lane_span()
    edges = np.append(np.arange(0.0, cl.length, piece), cl.length)
    return [(a, b, strip_polygon(cl, a, b, left + shoulder, right - shoulder, 0.05))
            for a, b in zip(edges[:-1], edges[1:]) if b > a]


@functools.lru_cache(maxsize=16)
def paint_tables(segments, lanes, boundaries, markings, seed):
    """Per-contour lookup tables of a road's paint (``paints`` in record order).

    Returns ``(points, starts, sizes, owner, group, groups)``: every contour's world points
    concatenated in record order, each contour's start and size, its record, its draw group rank
    (-1 for text) and the groups as ``(is_marking, rgba)`` with lines before markings.
    """
    paints, _, _ = world_paint(segments, lanes, boundaries, markings, seed)
    keys, rows = {}, []
    for i, paint in enumerate(paints):
        gid = -1
        if paint.kind != "text":
            # worn paint: alpha quantised to 1/16 steps (wear is random fading anyway), so dashes share paths
            alpha = round(paint.alpha * ALPHA_STEPS) / ALPHA_STEPS
            colour = tuple(c / 255.0 for c in PAINT_COLOURS[paint.colour]) + (alpha,)
            gid = keys.setdefault((paint.kind != "line", colour), len(keys))
        rows += [(gid, i, np.ascontiguousarray(c, dtype=np.float64)) for c in paint.contours]
    key_list = list(keys)
    order = sorted(range(len(key_list)), key=lambda g: key_list[g][0])     # lines first, stable
    rank = {g: r for r, g in enumerate(order)}
    sizes = np.array([len(c) for _, _, c in rows], np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    points = np.concatenate([c for _, _, c in rows]) if rows else np.empty((0, 3))
    owner = np.array([i for _, i, _ in rows], np.int64)
    group = np.array([rank[g] if g >= 0 else -1 for g, _, _ in rows], np.int64)
    return points, starts, sizes, owner, group, [key_list[g] for g in order]


def node_world(road, ctx) -> tuple:
    """``(world_paint, paint_tables, surface_pieces, placed_signs, text record indices, asphalt table)`` of
    a road node, looked up once per renderer (the node and the seed never change; hashing the node's
    fields every frame would cost); the asphalt table is the pieces' (starts, ends, points, sizes)."""
    hit = ctx.cache.get("road_world")
    if hit is None:
        key = (road.segments, road.lanes, road.boundaries)
        paints = world_paint(*key, road.markings, ctx.scene.seed)
        pieces = surface_pieces(*key, road.shoulder)
        hit = ctx.cache["road_world"] = (
            paints, paint_tables(*key, road.markings, ctx.scene.seed), pieces, placed_signs(*key, road.signs),
            np.array([i for i, p in enumerate(paints[0]) if p.kind == "text"], np.int64),
            (np.array([a for a, _, _ in pieces]), np.array([b for _, b, _ in pieces]),
             np.concatenate([q for _, _, q in pieces]), np.array([len(q) for _, _, q in pieces], np.int64)))
    return hit


def road_frame(road, ctx) -> RoadFrame:
    """The projected road of the frame described by ``ctx.p`` (cached for the current pose)."""
    p = ctx.p
    key = (p["camera.s"], p["camera.lateral"], p["camera.pitch"], p["camera.yaw"], p["camera.roll"],
           ctx.scene.seed)
    hit = ctx.cache.get("road_frame")
    if hit is not None and hit[0] == key:
        return hit[1]
    posed, s = road.posed_camera(ctx)
    (paints, lo, hi), (points, starts, sizes, owner, group, groups), _, signs_world, _, _ = node_world(road, ctx)
    s0, s1 = posed.visible_stretch(s)
    visible = (hi >= s0) & (lo <= s1)
    sel = np.nonzero(visible[owner])[0] if len(owner) else owner
    n_sel = sizes[sel]
    # gather the selected contours' points without a Python loop
    offs = np.arange(int(n_sel.sum())) - np.repeat(np.cumsum(n_sel) - n_sel, n_sel)
    pts, out_sizes = project_flat_arrays(posed, points[np.repeat(starts[sel], n_sel) + offs], n_sel)
    signs = visible_signs(posed, [g for g in signs_world if s0 <= g.s <= s1]) if signs_world else []
    frame = RoadFrame(posed, s, paints, visible, pts, out_sizes, owner[sel], group[sel], groups, signs)
    ctx.cache["road_frame"] = (key, frame)
    return frame


def _paint(ctx, rgba, op) -> ir.Paint:
    """A fill paint reused across frames (so the backend's compiled paint is reused too)."""
    cache = ctx.cache.setdefault("road_paints", {})
    key = (rgba, op)
    paint = cache.get(key)
    if paint is None:
        if len(cache) > 512:
            cache.clear()
        paint = cache[key] = ir.Paint((rgba[0], rgba[1], rgba[2], rgba[3] * op))
    return paint


def _gather(pts, sizes, idx):
    """Points and sizes of contours ``idx`` (in that order) of a flat contour array."""
    sz = sizes[idx]
    start = (np.cumsum(sizes) - sizes)[idx]
    offs = np.arange(int(sz.sum())) - np.repeat(np.cumsum(sz) - sz, sz)
    return pts[np.repeat(start, sz) + offs], sz


def emit_road(road, ctx, f: RoadFrame) -> list:
    """Display-list items of the road frame ``f``, clipped to its view."""
    w, h = f.width, f.height
    op = ctx.opacity
    posed, s = f.posed, f.s
    items = []
    if road.ground is not None:
        items.append(ir.Draw(ir.Rect(0.0, 0.0, float(w), float(h)), _paint(ctx, road.ground, op)))
    if road.sky is not None:
        sky = sky_polygon(posed.horizon_line(), w, h)
        if len(sky) >= 3:
            items.append(ir.Draw(ir.Path(sky, ir.polygon_verbs([len(sky)])), _paint(ctx, road.sky, op)))
    s0, s1 = posed.visible_stretch(s)
    if road.asphalt is not None:
        world = node_world(road, ctx)
        pieces = world[2]
        a_lo, a_hi, a_pts, a_sizes = world[5]
        # the pieces are consecutive strips: the chosen ones are one contiguous run of the table
        chosen = np.nonzero((a_hi >= s0) & (a_lo <= s1))[0]
        if len(chosen):
            i0, i1 = int(chosen[0]), int(chosen[-1]) + 1
            p0 = int(a_sizes[:i0].sum())
            pts, sz = project_flat_arrays(posed, a_pts[p0:p0 + int(a_sizes[i0:i1].sum())], a_sizes[i0:i1])
            keep = sz >= 3
            if keep.any():
                if not keep.all():
                    pts, sz = pts[np.repeat(keep, sz)], sz[keep]
                items.append(ir.Draw(ir.Path(pts, ir.polygon_verbs(sz)), _paint(ctx, road.asphalt, op)))
        if road.texture > 0:
            effect = _texture(road, ctx, posed, s, [(a, b, poly) for a, b, poly in pieces
                                                    if b >= s - 1.0 and a <= s + TEXTURE_RANGE], op)
            if effect is not None:
                items.append(effect)
    # paint: one path per (lines | markings, colour, wear alpha), lines first; one path per group is
    # faster than one per dash, and adjacent strips filled as one path show no antialiasing seams
    keep = np.nonzero((f.sizes >= 3) & (f.group >= 0))[0]
    if len(keep):
        order = keep[np.argsort(f.group[keep], kind="stable")]
        pts, sz = _gather(f.pts, f.sizes, order)
        g = f.group[order]
        cuts = np.flatnonzero(np.diff(g)) + 1
        c_lo = np.concatenate(([0], cuts)).tolist()
        c_hi = np.concatenate((cuts, [len(g)])).tolist()
        p_end = np.cumsum(sz)
        p_start = (p_end - sz).tolist()
        p_end = p_end.tolist()
        verbs = ir.polygon_verbs(sz)
        v_end = np.cumsum(sz + 1).tolist()
        v_start = [e - n - 1 for e, n in zip(v_end, sz.tolist())]
        for a, b in zip(c_lo, c_hi):
            path = ir.Path(pts[p_start[a]:p_end[b - 1]], verbs[v_start[a]:v_end[b - 1]])
            items.append(ir.Draw(path, _paint(ctx, f.groups[g[a]][1], op)))
    texts = node_world(road, ctx)[4]
    for i in texts[f.visible[texts]].tolist():
        paint = f.paints[i]
        path = road_text_path(posed, paint, ctx.font_chain("sans-bold"))
        if path is not None:
            rgba = tuple(c / 255.0 for c in PAINT_COLOURS[paint.colour]) + (paint.alpha,)
            items.append(ir.Draw(path, _paint(ctx, rgba, op)))
    if f.signs:
        chain = ctx.font_chain("sans-bold")
        poles = project_many(posed, [sign.pole for sign, _, _ in f.signs])     # one call for all poles
        for (sign, uv, alpha), pole in zip(f.signs, poles):
            items += sign_items(sign, uv, alpha * op, [pole], lambda text: text_outline(text, chain))
    return [ir.Group(items, clip=ir.Clip(ir.Rect(0.0, 0.0, float(w), float(h))))]


def mask_regions(f: RoadFrame, class_ids=None) -> list:
    """Lane-class mask regions of the frame (``labels.mask_polygons`` of the drawn projection):
    each record's paint filled with its class id in record order (later paint wins), then the sign
    faces; consecutive entries of one class share a region."""
    polygons = f.polygons()
    idx = np.nonzero(f.visible)[0].tolist()
    entries = mask_polygons(f.posed, [f.paints[i] for i in idx], [polygons.get(i, []) for i in idx], f.signs,
                            class_ids)
    out = []
    for cid, polys in entries:
        if out and out[-1][0] == cid:
            out[-1][1].extend(polys)
        else:
            out.append((cid, list(polys)))
    return [ir.MaskRegion(ir.Path.polygons(polys), cls=cid) for cid, polys in out]


@functools.lru_cache(maxsize=64)
def text_layout(text, chain):
    """Centred layout of painted/sign text at 100 px (shared by drawing and preparation)."""
    return layout_text(text, chain, 100.0, 0.0, 1.0, "center", "middle", "strict")


@functools.lru_cache(maxsize=64)
def text_outline(text, chain) -> tuple:
    """``(bounds, Outline)``: the glyph outline of :func:`text_layout`, ready to be mapped."""
    lay = text_layout(text, chain)
    return lay.bounds, Outline(*layout_outline(lay))


def road_text_path(posed, paint, chain):
    """Painted text mapped onto its world quad (image coordinates), or None when not drawn."""
    if not paint.text or paint.quad is None:
        return None
    uv, z = posed.project(paint.quad)
    if not np.all(z >= posed.camera.near):
        return None  # partly behind the near plane: skip rather than draw a distorted mapping
    (x0, y0, x1, y1), outline = text_outline(paint.text, chain)
    if not len(outline.verbs):
        return None
    try:
        hm = homography([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], uv)
        return map_outline(outline, hm)
    except ValueError:
        return None


def _texture(road, ctx, posed, s, pieces, op):
    """Seeded fractal noise darkening the asphalt, fixed to the ground (noise in ground metres,
    mapped to the image by the ground homography) and faded to nothing at TEXTURE_RANGE metres
    from the camera: far texture would be finer than a pixel and flicker. The region is the
    near asphalt, projected; backends without the effect fill it flat, strip by strip, with the
    mean darkening at the strip's distance."""
    far = TEXTURE_RANGE + 20.0
    projected = project_many(posed, [poly for _, _, poly in pieces], far=far)
    keep = [(a, b, q) for (a, b, _), q in zip(pieces, projected) if len(q) >= 3]
    if not keep:
        return None
    hg = posed.ground_homography()
    # scale by a positive number only: w must stay positive for ground points in front
    hg = hg / np.abs(hg).max()
    strength = float(road.texture) * 0.35 * op
    cx, cy = float(posed.C[0]), float(posed.C[1])
    fallback = []
    for a, b, q in keep:
        d = abs(0.5 * (a + b) - s)
        fade = float(np.clip((1.0 - d / TEXTURE_RANGE) / 0.7, 0.0, 1.0))   # 1 up to 0.3 R, 0 at R
        if fade > 0:
            fallback.append(ir.Draw(ir.Path.polygons([q]), ir.Paint((0.0, 0.0, 0.0, strength * 0.5 * fade))))
    params = {"seed": int(ctx.scene.seed % 65536), "strength": strength, "base_frequency": (0.6, 0.6),
              "octaves": 3, "ground_to_local": tuple(float(v) for v in hg.ravel()), "centre": (cx, cy),
              "radius": TEXTURE_RANGE, "stops": (0.3, 1.0)}
    return ir.Effect(ASPHALT_NOISE, ir.Path.polygons([q for _, _, q in keep]), params, fallback)


def sky_polygon(line, w, h) -> np.ndarray:
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
