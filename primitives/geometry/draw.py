"""Per-frame geometry, display-list items and annotation of ``figure`` nodes (local pixel coordinates).

One :class:`FrameGeo` is built per (figure time, reveal) and shared by the display list and the
annotation, so the annotation describes exactly what was drawn.
"""
from __future__ import annotations

import math

import numpy as np

from symbolreel import ir
from symbolreel.annotate import points_of, quad_of
from symbolreel.primitives.text.typeset import hb_font, layout_text

from symbolreel.records import (ExactCircle, ExactFact, FigureCircle, FigureElement, FigureExact, FigureFact,
                                FigureLabel, FigureLine, FigureMeasures, FigurePoint, FigureRecord, bbox_of)

from . import construction as C
from . import labels as _GL
from .axes import arrow_head, axes_geometry, axes_items, clip_line
from .labels import place_label_rows
_LINE_RESULTS = ("parallel", "perpendicular", "perpendicular_bisector", "bisector")
_CIRCLE_KINDS = ("circle", "circumcircle", "incircle")


class FrameGeo:
    __slots__ = ("t", "state", "prims", "markers", "labels", "axes", "ops", "measures", "view_local",
                 "to_local", "segs", "reveal")


def _style(fig, ctx, it, aux_default=False):
    p = ctx.p
    base_col = p.get("stroke.color", (0, 0, 0, 1)) if p.get("stroke") is not None else (0, 0, 0, 1)
    base_w = p.get("stroke.width", 2.0) if p.get("stroke") is not None else 0.0
    col = it.color if it.color is not None else base_col
    w = it.width if it.width is not None else base_w
    dash = it.dash
    if it.aux or aux_default:
        if it.color is None:
            col = (col[0], col[1], col[2], col[3] * 0.6)
        if it.width is None:
            w = max(base_w * 0.6, 0.75)
        if dash is None:
            dash = (6.0, 4.0)
    return col, w, dash


def _prim(path, stroke=None, fill=None, frac=1.0, item=None, segs=(), closed=False, circle=None):
    return {"path": path, "stroke": stroke, "fill": fill, "frac": frac, "item": item, "segs": segs, "circle": circle}


_VERBS: dict = {}


def _poly_path(pts, closed=False) -> ir.Path:
    """IR path of one polyline (closed: a polygon); verbs shared between paths of one size."""
    n = len(pts)
    verbs = _VERBS.get((n, closed))
    if verbs is None:
        verbs = _VERBS[n, closed] = ir.polygon_verbs([n], closed)
    return ir.Path(np.array(pts, dtype=np.float64), verbs)


def _seg_path(q0, q1) -> ir.Line:
    """A segment (the backend draws it without building a path; trims and dashes apply the same)."""
    return ir.Line(q0[0], q0[1], q1[0], q1[1])


def _arc_path(c, r, start, sweep, sector=False) -> ir.Path:
    """Circular arc about ``c`` of radius ``r`` from ``start`` over ``sweep`` degrees (y down: positive
    sweeps clockwise on screen) as conics of at most 90 degrees each (exact circles); ``sector``
    starts at the centre, joins it to the arc and closes."""
    n = max(1, int(math.ceil(abs(sweep) / 90.0 - 1e-9)))
    a0, da = math.radians(start), math.radians(sweep) / n
    h = da / 2
    k = r / math.cos(h)
    pts = [(c[0] + r * math.cos(a0), c[1] + r * math.sin(a0))]
    verbs = [ir.MOVE]
    if sector:
        pts.insert(0, (c[0], c[1]))
        verbs.append(ir.LINE)
    for j in range(n if sweep else 0):
        m, e = a0 + (2 * j + 1) * h, a0 + (j + 1) * da
        pts += [(c[0] + k * math.cos(m), c[1] + k * math.sin(m)), (c[0] + r * math.cos(e), c[1] + r * math.sin(e))]
        verbs.append(ir.CONIC)
    if sector:
        verbs.append(ir.CLOSE)
    n_conic = n if sweep else 0
    return ir.Path(np.array(pts, dtype=np.float64), np.array(verbs, np.uint8),
                   np.full(n_conic, math.cos(h)) if n_conic else None)


def _segs_of(pts, closed=False) -> list:
    ring = list(pts) + ([pts[0]] if closed else [])
    return [(a[0], a[1], b[0], b[1]) for a, b in zip(ring, ring[1:])]


def _ring_segs(ring) -> np.ndarray:
    """Segments (n-1, 4) of a polyline given as an (n, 2) array."""
    return np.concatenate((ring[:-1], ring[1:]), axis=1)


_UNIT: dict = {}


def _circle_pts(c, r, n=32, a0=0.0, sweep=360.0) -> np.ndarray:
    """(n + 1, 2) points of a circle (or an arc from ``a0`` over ``sweep`` degrees)."""
    if a0 == 0.0 and sweep == 360.0:
        tab = _UNIT.get(n)
        if tab is None:
            tab = _UNIT[n] = np.array([(math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n))
                                       for k in range(n + 1)])
        out = tab * r
        out[:, 0] += c[0]
        out[:, 1] += c[1]
        return out
    cx, cy = c
    cos, sin, rad = math.cos, math.sin, math.radians
    return np.array([(cx + r * cos(a), cy + r * sin(a)) for a in [rad(a0 + sweep * k / n) for k in range(n + 1)]])


_UNIT_SEGS: dict = {}


def _circle_ring(c, r, n=32):
    """:func:`_circle_pts` of a full circle and its segments (``_ring_segs``), from cached unit tables."""
    tab = _UNIT_SEGS.get(n)
    if tab is None:
        _circle_pts((0.0, 0.0), 1.0, n)     # fills _UNIT[n]
        unit = _UNIT[n]
        tab = _UNIT_SEGS[n] = (unit, _ring_segs(unit))
    cx, cy = c
    ring = tab[0] * r
    ring += (cx, cy)
    segs = tab[1] * r
    segs += (cx, cy, cx, cy)
    return ring, segs


def _kind_cat(k) -> str:
    if k in ("segment", "vector"):
        return "segment"
    if k in ("ray", "line", "tangent") or k in _LINE_RESULTS:
        return "line"
    if k in _CIRCLE_KINDS:
        return "circle"
    if k in ("polygon", "regular_polygon"):
        return "polygon"
    if k in ("arc", "sector", "foot"):
        return k if k != "sector" else "arc"
    if k in ("angle", "right_angle"):
        return "angle"
    if k in ("equal", "parallel_marks"):
        return "marks"
    return "none"


def _arc_pts(cx, cy, r, a0, sweep, n=12) -> list:
    """:func:`_circle_pts` of an arc, as a list of tuples (cheaper than arrays for a dozen points): the first
    point turned by sweep / n at a time (two sines instead of 2 (n + 1))."""
    t0, dt = math.radians(a0), math.radians(sweep) / n
    c, s = math.cos(dt), math.sin(dt)
    x, y = r * math.cos(t0), r * math.sin(t0)
    out = [(cx + x, cy + y)]
    for _ in range(n):
        x, y = x * c - y * s, x * s + y * c
        out.append((cx + x, cy + y))
    return out


class _OpPlan:
    """What of an op does not depend on the frame's positions: styles, names, dispatch, texts."""
    __slots__ = ("op", "cat", "k", "it", "names", "style", "style2", "info", "length_name", "edge_names",
                 "who", "ref_names")


def _plan(fig, ctx):
    """Per-node drawing plan (cached in ``ctx.cache``, keyed by the base stroke)."""
    p = ctx.p
    key = (p.get("stroke") is not None, p.get("stroke.color"), p.get("stroke.width"))
    hit = ctx.cache.get("geo_plan")
    if hit is not None and hit[0] == key:
        return hit[1]
    cp = fig._cp
    plans = []
    for op in cp.ops:
        it, k = op.it, op.kind
        q = _OpPlan()
        q.op, q.k, q.it, q.cat = op, k, it, _kind_cat(k)
        q.names = [n for r in op.refs for n in r.names]
        q.ref_names = [list(r.names) for r in op.refs]
        q.style = _style(fig, ctx, it)
        q.style2 = None
        if q.cat == "foot":
            q.style2 = _style(fig, ctx, it, aux_default=True)
        elif q.cat == "angle":
            q.style2 = (q.style[0], max(q.style[1] * 0.6, 1.0), q.style[2])
        elif q.cat == "marks":
            q.style2 = (q.style[0], max(q.style[1] * 0.75, 1.0), None)
        info = {"index": op.item, "kind": k, "args": getattr(it, k), "revealed": 1.0}
        if op.out is not None:
            info["name"] = op.out
        q.info = info
        q.length_name = C.fmt_names(q.names) if q.cat in ("segment", "angle") else None
        q.edge_names = None
        if k == "polygon":
            ring = q.names + [q.names[0]]
            q.edge_names = [(n0, n1, C.fmt_names([n0, n1])) for n0, n1 in zip(ring, ring[1:])]
        q.who = f"item{op.item}"
        plans.append(q)
    points = []
    for name, st in cp.point_style.items():
        if st["visible"]:
            points.append((name, st, tuple(cp.neighbours.get(name, ())), f"point:{name}"))
    point_names = [n for n, typ in cp.prog.types.items() if typ == "point"]
    plan = {"ops": plans, "points": points, "point_names": point_names, "layouts": {}}
    ctx.cache["geo_plan"] = (key, plan)
    return plan


def frame_geometry(fig, ctx) -> FrameGeo:
    p = ctx.p
    t = float(p["time"])
    reveal = p.get("reveal")
    ev = ctx.cache.get("ev")
    if ev is None:
        fig.prepare(ctx)
        ev = ctx.cache["ev"]
    free, params = ev.inputs_of(p)
    # keyed by the inputs, not the time: a still figure is laid out once
    key = (tuple(free.values()), tuple(params.items()), reveal, p.get("stroke.width"), p.get("stroke.color"),
           p.get("fill"))
    cached = ctx.cache.get("frame")
    if cached is not None and cached[0] == key:
        return cached[1]
    cp = fig._cp
    plan = _plan(fig, ctx)
    state = ev.run(free, params, t, ctx.entry.path)
    view = ctx.cache["view"]
    cx, cy = fig.center if fig.center is not None else ((view[0] + view[2]) / 2, (view[1] + view[3]) / 2)
    s = fig.scale
    ys = -1.0 if fig.y_up else 1.0

    def L(pt):
        return ((pt[0] - cx) * s, (pt[1] - cy) * s * ys)

    g = FrameGeo()
    g.t, g.state, g.reveal, g.to_local = t, state, reveal, L
    a, b = L((view[0], view[1])), L((view[2], view[3]))
    g.view_local = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
    prims = g.prims = []
    g.markers, g.labels, g.ops = [], [], []
    lengths, angles, radii = {}, {}, {}
    g.measures = {"lengths": lengths, "angles": angles, "radii": radii}
    label_reqs = []
    fs = fig.font_size

    if fig.axes is not None:
        g.axes = axes_geometry(fig.axes, view, lambda x, y: L((x, y)), s, s)
    else:
        g.axes = None

    types = cp.prog.types
    pts_local = {n: ((v[0] - cx) * s, (v[1] - cy) * s * ys) for n, v in state.items() if types.get(n) == "point"}
    if pts_local:     # the mean, summed in order like np.mean over axis 0
        sx_ = sy_ = 0.0
        for x_, y_ in pts_local.values():
            sx_ += x_
            sy_ += y_
        centroid = (sx_ / len(pts_local), sy_ / len(pts_local))
    else:
        centroid = (0.0, 0.0)
    PL = pts_local
    ops_out = g.ops
    hypot, atan2, degrees = math.hypot, math.atan2, math.degrees

    def add_line(item, p0, p1, t_min, style, frac):
        d = (p1[0] - p0[0], p1[1] - p0[1])
        iv = clip_line(p0, d, view, t_min, math.inf)
        if iv is None:
            return None
        q0 = L((p0[0] + iv[0] * d[0], p0[1] + iv[0] * d[1]))
        q1 = L((p0[0] + iv[1] * d[0], p0[1] + iv[1] * d[1]))
        prims.append(_prim(_seg_path(q0, q1), style, None, frac, item, [(*q0, *q1)]))
        return [q0, q1]

    for q in plan["ops"]:
        op = q.op
        if reveal is None:
            frac = 1.0
        else:
            frac = min(max(reveal - op.reveal, 0.0), 1.0)
        it = q.it
        k = q.k
        cat = q.cat
        polylines: list = []
        if frac == 1.0:
            info = q.info          # shared between frames (annotate_figure copies it)
        else:
            info = dict(q.info)
            info["revealed"] = round(frac, 6)
        ops_out.append((info, polylines))
        if frac <= 0.0:
            continue
        style = q.style
        names = q.names
        item = op.item
        if cat == "segment":
            A, B = state[names[0]], state[names[1]]
            q0, q1 = PL[names[0]], PL[names[1]]
            prims.append(_prim(_seg_path(q0, q1), style, None, frac, item, [(*q0, *q1)]))
            polylines.append([q0, q1])
            length = hypot(B[0] - A[0], B[1] - A[1])
            lengths[q.length_name] = length
            if k == "vector" and frac >= 1.0:
                hl = 3.0 * style[1] + 6.0
                tri = arrow_head(q0, q1, hl, hl * 0.45)
                prims.append(_prim(_poly_path(tri, True), None, style[0], 1.0, item, _segs_of(tri, True)))
            text = it.label if it.label is not None else (f"{length:.{it.decimals}f}" if it.value else "")
            if text:
                mid = ((q0[0] + q1[0]) / 2, (q0[1] + q1[1]) / 2)
                nx, ny = -(q1[1] - q0[1]), q1[0] - q0[0]
                if nx * (mid[0] - centroid[0]) + ny * (mid[1] - centroid[1]) < 0:
                    nx, ny = -nx, -ny
                label_reqs.append((text, mid, atan2(ny, nx), 3.0, q.who, it.color, frac, 0.0, 0.0))
        elif cat == "line":
            if k == "tangent":
                p0, p1 = state[names[0]], state[op.out]
                if abs(p1[0] - p0[0]) + abs(p1[1] - p0[1]) < 1e-12:   # P on the circle: the tangent at P
                    o, _ = state[op.refs[1].obj]
                    p1 = (p0[0] - (p0[1] - o[1]), p0[1] + (p0[0] - o[0]))
                pl = add_line(item, p0, p1, -math.inf, style, frac)
            elif k in _LINE_RESULTS:
                p0, p1 = state[op.out]
                pl = add_line(item, p0, p1, 0.0 if k == "bisector" else -math.inf, style, frac)
            else:
                if op.refs[0].kind == "L":
                    p0, p1 = C.line_points(state, op.refs[0])
                else:
                    p0, p1 = state[names[0]], state[names[1]]
                pl = add_line(item, p0, p1, 0.0 if k == "ray" else -math.inf, style, frac)
            if pl is not None:
                polylines.append(pl)
        elif cat == "foot":
            q0, q1 = PL[names[0]], PL[op.out]
            prims.append(_prim(_seg_path(q0, q1), q.style2, None, frac, item, [(*q0, *q1)]))
            polylines.append([q0, q1])
        elif cat == "circle":
            (o, r) = state[op.out]
            c, rr = L(o), r * s
            path = ir.Oval(c[0] - rr, c[1] - rr, c[0] + rr, c[1] + rr)
            ring, segs = _circle_ring(c, rr)
            prims.append(_prim(path, style, it.fill, frac, item, segs, circle=(c[0], c[1], rr)))
            polylines.append(ring)
            radii[op.out] = r
            if it.label:
                edge = (c[0] + rr * 0.7071, c[1] - rr * 0.7071)
                label_reqs.append((it.label, edge, -math.pi / 4, 3.0, q.who, it.color, frac, 0.0, 0.0))
        elif cat == "polygon":
            if k == "polygon":
                qs = [PL[n] for n in names]
            else:
                qs = [L(v) for v in state[op.out]]
            prims.append(_prim(_poly_path(qs, True), style, it.fill, frac, item, _segs_of(qs, True)))
            polylines.append(qs + [qs[0]])
            if q.edge_names is not None:
                for n0, n1, nm in q.edge_names:
                    A, B = state[n0], state[n1]
                    lengths[nm] = hypot(B[0] - A[0], B[1] - A[1])
        elif cat == "arc":
            O, A, B = (state[n] for n in names)
            r = hypot(A[0] - O[0], A[1] - O[1])
            a0 = degrees(atan2(A[1] - O[1], A[0] - O[0]))
            sweep = (degrees(atan2(B[1] - O[1], B[0] - O[0])) - a0) % 360.0
            c, rr = L(O), r * s
            la0, lsweep = (-a0, -sweep) if fig.y_up else (a0, sweep)
            path = _arc_path(c, rr, la0, lsweep, sector=k == "sector")
            ring = _circle_pts(c, rr, 32, la0, lsweep)
            if k == "sector":
                ring = np.concatenate(([c], ring, [c]))
            prims.append(_prim(path, style, it.fill if k == "sector" else None, frac, item, _ring_segs(ring)))
            polylines.append(ring)
        elif cat == "angle":
            P1, V, P2 = state[names[0]], state[names[1]], state[names[2]]
            u = (P1[0] - V[0], P1[1] - V[1])
            w = (P2[0] - V[0], P2[1] - V[1])
            deg = degrees(atan2(abs(u[0] * w[1] - u[1] * w[0]), u[0] * w[0] + u[1] * w[1]))
            angles[q.length_name] = deg
            v, lu, lw = PL[names[1]], PL[names[0]], PL[names[2]]
            du = (lu[0] - v[0], lu[1] - v[1])
            dw = (lw[0] - v[0], lw[1] - v[1])
            nu, nw = hypot(*du) or 1.0, hypot(*dw) or 1.0
            du, dw = (du[0] / nu, du[1] / nu), (dw[0] / nw, dw[1] / nw)
            start = degrees(atan2(du[1], du[0]))
            sweep = degrees(atan2(du[0] * dw[1] - du[1] * dw[0], du[0] * dw[0] + du[1] * dw[1]))
            square = k == "right_angle" or abs(deg - 90.0) < 1e-7
            R = it.size if it.size is not None else (12.0 if square else 22.0)
            st2 = q.style2
            if square:
                qs = [(v[0] + du[0] * R, v[1] + du[1] * R), (v[0] + (du[0] + dw[0]) * R, v[1] + (du[1] + dw[1]) * R),
                      (v[0] + dw[0] * R, v[1] + dw[1] * R)]
                path = _poly_path(qs)
                if it.fill is not None:
                    fp = _poly_path([v] + qs, True)
                    prims.append(_prim(fp, None, it.fill, frac, item, ()))
                prims.append(_prim(path, st2, None, frac, item, _segs_of(qs)))
                polylines.append(qs)
            else:
                if it.fill is not None:
                    prims.append(_prim(_arc_path(v, R, start, sweep, sector=True), None, it.fill, frac, item, ()))
                for j in range(it.count):
                    rj = R + 4.0 * j
                    path = _arc_path(v, rj, start, sweep)
                    ring = _arc_pts(v[0], v[1], rj, start, sweep)
                    prims.append(_prim(path, st2, None, frac, item, [(a[0], a[1], b[0], b[1])
                                                                     for a, b in zip(ring, ring[1:])]))
                    polylines.append(ring)
            text = it.label if it.label is not None else (f"{deg:.{it.decimals}f}\u00b0" if it.value else "")
            if text:
                # inside the angle, beyond the outer arc's stroke (or the square)
                mid = math.radians(start + sweep / 2)
                mark = (R * math.sqrt(2.0) if square else R + 4.0 * (it.count - 1)) + st2[1] / 2
                label_reqs.append((text, v, mid, R + 4.0 * (it.count - 1) + 3.0, q.who, it.color, frac,
                                   math.radians(sweep), mark))
        elif cat == "marks":
            size = it.size if it.size is not None else 6.0
            for rn in q.ref_names:
                A, B = PL[rn[0]], PL[rn[1]]
                d = (B[0] - A[0], B[1] - A[1])
                n_ = hypot(*d) or 1.0
                d = (d[0] / n_, d[1] / n_)
                nn = (-d[1], d[0])
                mid = ((A[0] + B[0]) / 2, (A[1] + B[1]) / 2)
                polys = []
                segs = []
                for j in range(it.count):
                    off = (j - (it.count - 1) / 2) * 4.5
                    m = (mid[0] + d[0] * off, mid[1] + d[1] * off)
                    if k == "equal":
                        qs = [(m[0] - nn[0] * size, m[1] - nn[1] * size), (m[0] + nn[0] * size, m[1] + nn[1] * size)]
                    else:
                        tip = (m[0] + d[0] * size * 0.6, m[1] + d[1] * size * 0.6)
                        qs = [(tip[0] - d[0] * size - nn[0] * size * 0.8, tip[1] - d[1] * size - nn[1] * size * 0.8),
                              tip,
                              (tip[0] - d[0] * size + nn[0] * size * 0.8, tip[1] - d[1] * size + nn[1] * size * 0.8)]
                    polys.append(qs)
                    segs += _segs_of(qs)
                    polylines.append(qs)
                prims.append(_prim(ir.Path.polygons(polys, closed=False), q.style2, None, frac, item, segs))
        # point-only constructions (midpoint, intersection, ...) draw through their point markers

    # point markers and labels
    fill = ctx.p.get("fill")
    point_reqs = []
    marker_w = []
    for name, st, nbrs, who in plan["points"]:
        if name not in state:
            continue
        if reveal is not None and st["reveal"] is not None and reveal <= st["reveal"]:
            continue
        col = st["color"] if st["color"] is not None else fill
        if col is None:
            continue
        # presence 0..1: a point revealed with an item fades in as an obstacle for later labels
        weight = 1.0 if reveal is None or st["reveal"] is None else min(reveal - st["reveal"], 1.0)
        pos = PL[name] if name in PL else L(state[name])
        rad = st["size"] if st["size"] is not None else fig.point_size
        g.markers.append((name, pos, rad, col))
        marker_w.append(weight)
        if st["label"]:
            point_reqs.append((st["label"], pos, _prefer_away(nbrs, pos, PL, centroid), rad + 2.0,
                               who, st["color"], weight, 0.0, rad))
    label_reqs = point_reqs + label_reqs

    # obstacles: every drawn segment (weighted by its item's reveal) and the point markers; the circles
    # once more whole: centre, radius, weight and the range of their segments (angle values measure them so)
    blocks, pend, counts, fracs, circles = [], [], [], [], []
    n_segs = 0
    for pr in prims:
        sg = pr["segs"]
        n_ = len(sg)
        if n_:
            if isinstance(sg, np.ndarray):
                if pend:
                    blocks.append(np.array(pend, dtype=np.float64))
                    pend = []
                blocks.append(sg)
            else:
                pend += sg
            counts.append(n_)
            fracs.append(pr["frac"])      # fades in while the item is drawn
            circle = pr["circle"]
            if circle is not None:
                circles.append((*circle, pr["frac"], n_segs, n_segs + n_))
            n_segs += n_
    for (_, pos, rad, _), w in zip(g.markers, marker_w):
        x0, y0, x1, y1 = pos[0] - rad, pos[1] - rad, pos[0] + rad, pos[1] + rad
        pend += [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]
        counts.append(4)
        fracs.append(w)
    if g.axes is not None and g.axes["axes"]:
        pend += list(g.axes["axes"])
        counts.append(len(g.axes["axes"]))
        fracs.append(1.0)
    if pend:
        blocks.append(np.array(pend, dtype=np.float64).reshape(-1, 4))
    g.segs = np.concatenate(blocks) if blocks else np.zeros((0, 4))
    sw = np.repeat(np.array(fracs, dtype=np.float64), counts)
    if label_reqs and fill is not None:
        layouts = plan["layouts"]
        point_reach = _GL.POINT_REACH
        rows, lays = [], []
        for text, anchor, pref, gap, who, col, weight, sweep, mark in label_reqs:
            hit = layouts.get(text)
            if hit is None:
                lay = layout_text(text, ctx.font_chain(fig.font), fs)
                if "digit ink" not in plan:
                    plan["digit ink"] = _ink_rows(layout_text("0123456789", ctx.font_chain(fig.font), fs))
                hit = layouts[text] = (lay, _ink_box(lay, plan["digit ink"]))
                if len(layouts) > 256:
                    layouts.clear()
                    layouts[text] = hit
            lay, ink = hit
            x0, y0, x1, y1 = lay.bounds
            reach = point_reach if who[0] == "p" else (_GL.ANGLE_REACH if sweep else gap + 1.0)
            if not sweep and who[0] != "p":
                mark = -1.0         # an item's label: not held clear of every stroke, only of those near it
            rows.append((anchor[0], anchor[1], x1 - x0 + 2.0, y1 - y0, pref, gap, weight, reach, sweep, mark, *ink))
            lays.append(lay)
        centres = place_label_rows(np.array(rows, dtype=np.float64), g.segs, sw, g.view_local,
                                   np.array(circles, dtype=np.float64).reshape(-1, 6))
        for (text, anchor, pref, gap, who, col, weight, _, _), lay, c in zip(label_reqs, lays, centres):
            if weight < 1.0 and who[0] != "p":
                continue        # an item's label shows once the item is complete (placed before, as a ghost)
            x0, y0, x1, y1 = lay.bounds
            g.labels.append({"text": text, "for": who, "centre": c, "layout": lay,
                             "offset": (c[0] - (x0 + x1) / 2, c[1] - (y0 + y1) / 2),
                             "box": (c[0] - (x1 - x0) / 2, c[1] - (y1 - y0) / 2, c[0] + (x1 - x0) / 2,
                                     c[1] + (y1 - y0) / 2),
                             "color": col if col is not None else fill})
    ctx.cache["frame"] = (key, g)
    return g


def _glyph_rows(path: str, size: float, gid: int):
    """``(top, bottom)`` of a glyph's ink box at ``size`` (y down), or None without ink: the outline's
    box from the font, in 1/64 px, rounded out to whole pixels (the box the raster backend reports)."""
    font, upem = hb_font(path)
    e = font.get_glyph_extents(gid)
    if e is None or e.width == 0 or e.height == 0:
        return None
    k = size / upem
    return (math.floor(round(-e.y_bearing * k * 64) / 64), math.ceil(round((-e.y_bearing - e.height) * k * 64) / 64))


def _ink_rows(lay):
    """``(top, bottom)`` of a layout's glyph ink relative to the middle of its line box, or None (rotated
    runs, no ink)."""
    mid = (lay.bounds[1] + lay.bounds[3]) / 2
    top, bottom = math.inf, -math.inf
    for run in lay.glyph_runs:
        if run.rotated:
            return None
        for gid, xf in zip(run.gids.tolist(), run.xform.tolist()):
            rows = _glyph_rows(run.path, run.size, gid)
            if rows is not None:
                top, bottom = min(top, xf[3] + rows[0]), max(bottom, xf[3] + rows[1])
    return (top - mid, bottom - mid) if top < bottom else None


def _ink_box(lay, digits) -> tuple:
    """``(dx, dy, width, height)``: the box an angle's value keeps clear of the lines, centred (dx, dy) from
    the centre of ``lay.bounds`` (the line box, which has the font's ascent and descent around the ink):
    across, the line box; down, the glyphs' ink joined with the ink of all ten digits (``digits``: its
    rows), so the box does not change, and the label not jump, as a value's digits change.  The line box
    for rotated or ink-less text."""
    x0, y0, x1, y1 = lay.bounds
    rows = _ink_rows(lay)
    if rows is None:
        return (0.0, 0.0, x1 - x0, y1 - y0)
    top, bottom = rows
    if digits is not None:
        top, bottom = min(top, digits[0]), max(bottom, digits[1])
    return (0.0, (top + bottom) / 2, x1 - x0, bottom - top)


def _trim_segs(segs, frac) -> list:
    """The first ``frac`` of a polyline's length (what the trim path effect draws), as segments."""
    lens = [math.hypot(x1 - x0, y1 - y0) for x0, y0, x1, y1 in segs]
    left = frac * sum(lens)
    out = []
    for (x0, y0, x1, y1), ln in zip(segs, lens):
        if left <= 0.0:
            break
        if ln <= left:
            out.append((x0, y0, x1, y1))
        else:
            f = left / ln
            out.append((x0, y0, x0 + f * (x1 - x0), y0 + f * (y1 - y0)))
        left -= ln
    return out


_DEFAULT_AWAY = (-math.sqrt(0.5), math.sqrt(0.5))   # a lone point's label goes up-right (local y down)


def _prefer_away(neighbours, pos, pts_local, centroid) -> float:
    """Preferred label direction of a point: away from its neighbours along drawn lines; a point without
    them (or whose neighbours cancel out) leans up-right and a little away from the figure's centroid.
    A continuous function of the positions (no switch between cases), so labels do not jump."""
    vx = vy = 0.0
    for other in neighbours:
        q = pts_local.get(other)
        if q is not None:
            dx, dy = q[0] - pos[0], q[1] - pos[1]
            dn = math.hypot(dx, dy)
            if dn > 1e-9:
                vx, vy = vx + dx / dn, vy + dy / dn
    lone = max(0.0, 1.0 - math.hypot(vx, vy))
    dx, dy = float(centroid[0]) - pos[0], float(centroid[1]) - pos[1]
    dn = max(math.hypot(dx, dy), 150.0)
    vx += lone * (_DEFAULT_AWAY[0] + 0.4 * dx / dn)
    vy += lone * (_DEFAULT_AWAY[1] + 0.4 * dy / dn)
    return math.atan2(-vy, -vx)


def C_type(cp, name):
    return cp.prog.types.get(name)


def _fill(ctx, rgba, op) -> ir.Paint:
    """Fill paint of ``rgba`` times ``op``, reused across frames (and with it the backend's paint)."""
    key = ("fill", rgba, op)
    cache = ctx.cache.setdefault("geo_paints", {})
    paint = cache.get(key)
    if paint is None:
        if len(cache) > 512:
            cache.clear()
        paint = cache[key] = ir.Paint((rgba[0], rgba[1], rgba[2], rgba[3] * op))
    return paint


def _stroke(ctx, col, w, cap, join, dash, frac, op) -> ir.Paint:
    """Stroke paint (trimmed to the first ``frac`` of the outline while an item is revealed), reused."""
    key = ("stroke", col, w, cap, join, dash, frac, op)
    cache = ctx.cache.setdefault("geo_paints", {})
    paint = cache.get(key)
    if paint is None:
        if len(cache) > 512:
            cache.clear()
        paint = cache[key] = ir.Paint((col[0], col[1], col[2], col[3] * op), True, w, cap, join,
                                      dash=tuple(dash) if dash else None,
                                      trim=(0.0, frac) if frac < 1.0 else None)
    return paint


def emit_figure(fig, ctx) -> list:
    """Display-list items of the figure at this frame, in drawing order: axes, items (fill, then
    stroke), point markers, labels."""
    g = frame_geometry(fig, ctx)
    op = ctx.opacity
    p = ctx.p
    has_stroke = p.get("stroke") is not None
    cap = p.get("stroke.cap", "round") if has_stroke else "round"
    join = p.get("stroke.join", "round") if has_stroke else "round"
    items = []
    if g.axes is not None:
        items += axes_items(ctx, fig.axes, g.axes, fig.font, op)
    for pr in g.prims:
        frac = pr["frac"]
        if pr["fill"] is not None:
            items.append(ir.Draw(pr["path"], _fill(ctx, pr["fill"], op * frac)))
        if pr["stroke"] is not None:
            col, w, dash = pr["stroke"]
            if w <= 0 or col[3] <= 0:
                continue
            items.append(ir.Draw(pr["path"], _stroke(ctx, col, w, cap, join, dash, frac, op)))
    for _, pos, rad, col in g.markers:
        if rad > 0:
            items.append(ir.Draw(ir.Oval(pos[0] - rad, pos[1] - rad, pos[0] + rad, pos[1] + rad), _fill(ctx, col, op)))
    for lab in g.labels:
        dx, dy = lab["offset"]
        items += lab["layout"].glyph_items(_fill(ctx, lab["color"], op), dx=dx, dy=dy)
    return items


def _r(v) -> float:
    return float(v)


def annotate_figure(fig, ctx):
    m = ctx.matrix
    g = frame_geometry(fig, ctx)
    cp = fig._cp
    types = cp.prog.types
    state = g.state
    quad = quad_of(m, g.view_local)
    marker_names = {name for name, *_ in g.markers}
    points = []
    for name, typ in types.items():
        if typ != "point" or name not in state:
            continue
        x, y = state[name]
        points.append(FigurePoint(name=name, world=(_r(x), _r(y)), image=points_of(m, [g.to_local((x, y))])[0],
                                  free=name in cp.prog.free, visible=name in marker_names))
    circles, lines = [], []
    for name, typ in types.items():
        if typ == "circle" and name in state:
            (cx, cy), r = state[name]
            circles.append(FigureCircle(name=name, centre=(_r(cx), _r(cy)), radius=_r(r),
                                        image_centre=points_of(m, [g.to_local((cx, cy))])[0]))
        elif typ == "line" and name in state:
            p0, p1 = state[name]
            lines.append(FigureLine(name=name, through=((_r(p0[0]), _r(p0[1])), (_r(p1[0]), _r(p1[1])))))
    items = []
    for info, polylines in g.ops:
        items.append(FigureElement(**info, image=[points_of(m, pl) for pl in polylines] if polylines else None))
    labels = []
    for lab in g.labels:
        q = quad_of(m, lab["box"])
        labels.append(FigureLabel(text=lab["text"], for_=lab["for"], quad=q, bbox=bbox_of(q)))
    facts = []
    for rel, args, extra in cp.facts:
        holds, res = C.check_fact(rel, args, extra, state, types)
        facts.append(FigureFact(relation=rel, args=args, holds=bool(holds), residual=float(res)))
    exact = None
    if fig.exact:
        exact = ctx.cache.get("exact")
        if exact is None:
            ex = exact_facts(fig, ctx)
            exact = ctx.cache["exact"] = FigureExact(
                t=ex["t"], error=ex.get("error"), points=ex.get("points"),
                circles=None if "circles" not in ex else {n: ExactCircle(**c) for n, c in ex["circles"].items()},
                facts=None if "facts" not in ex else [ExactFact(**f) for f in ex["facts"]])
    return FigureRecord(id=fig.id, type=fig.TYPE, quad=quad, bbox=bbox_of(quad), time=float(ctx.p["time"]),
                        view=ctx.cache["view"], points=points, circles=circles, lines=lines, items=items,
                        labels=labels, facts=facts, exact=exact,
                        measures=FigureMeasures(**{k: {n: _r(v) for n, v in d.items()} for k, d in g.measures.items()}))


def exact_facts(fig, ctx) -> dict:
    """Exact coordinates (SymPy) of the configuration at scene time 0 and an exact check of each fact."""
    ev = ctx.cache["ev"]
    q = ctx.props_at([0.0])[0]
    free, params = ev.inputs_of(q)
    return _exact(fig._cp, tuple(free.items()), tuple(sorted(params.items())), float(q["time"]))


_EXACT_CACHE: dict = {}
MAX_EXPR_CHARS = 240
# Bound of the exact pass: nodes of the expression tree of any one exact coordinate or radius. Chained
# constructions grow it geometrically (each nested incentre multiplies it by about 7: 30, 253, 1814,
# 12741, 89230 nodes, the last taking a minute to build and far longer to check); a step whose result
# is larger stops the exact pass, and the annotation says "too complex" (the float facts still hold).
# 1,000 keeps the costliest single step (a circle through a point of ~1,000 nodes) well under a second.
MAX_EXACT_NODES = 1000


class _TooComplex(Exception):
    pass


def _tree_nodes(values, cap: int) -> int:
    """Nodes of the expression trees in ``values`` (nested tuples of SymPy expressions), counted as a
    tree (what evalf and printing walk) in time linear in the shared DAG; stops early past ``cap``."""
    memo: dict = {}

    def size(e):
        k = id(e)
        n = memo.get(k)
        if n is None:
            n = 1
            todo = list(getattr(e, "args", ()))
            for a in todo:
                n += size(a)
                if n > cap:
                    break
            memo[k] = n
        return n

    total = 0
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, (tuple, list)):
            stack.extend(v)
        else:
            total = max(total, size(v))
            if total > cap:
                break
    return total


def _check_size(st, state):
    if st.out is not None and _tree_nodes(state.get(st.out), MAX_EXACT_NODES) > MAX_EXACT_NODES:
        raise _TooComplex(st)


def _exact(cp, free, params, t) -> dict:
    key = (id(cp), free, params)
    hit = _EXACT_CACHE.get(key)
    if hit is not None and hit[0] is cp:
        return hit[1]
    import sympy  # deferred: SymPy loads only when an expression needs it

    B = C.EXACT
    try:
        state = C.evaluate(cp.prog, dict(free), dict(params), B, check=_check_size)
    except (C.Degenerate, ZeroDivisionError, ValueError):  # pragma: no cover - the float pass caught these
        return {"t": t, "error": "degenerate"}
    except _TooComplex:
        return {"t": t, "error": "too complex"}
    pts, circles = {}, {}

    def text(e):
        e = sympy.nsimplify(e) if isinstance(e, sympy.Float) else e
        s = sympy.sstr(sympy.radsimp(e) if e.count_ops() < 60 else e)
        return s if len(s) <= MAX_EXPR_CHARS else None

    for name, typ in cp.prog.types.items():
        if name not in state:
            continue
        if typ == "point":
            pts[name] = [text(state[name][0]), text(state[name][1])]
        elif typ == "circle":
            (cx, cy), r = state[name]
            circles[name] = {"centre": [text(cx), text(cy)], "radius": text(r)}
    facts = []
    for rel, args, extra in cp.facts:
        verdict = True
        for a, b in C.fact_pairs(B, rel, args, extra, state, cp.prog.types):
            v = _is_zero(sympy.sympify(a) - sympy.sympify(b))
            if v is False:
                verdict = False
                break
            if v is None:
                verdict = None
        facts.append({"relation": rel, "args": list(args), "exact": verdict})
    out = {"t": t, "points": pts, "circles": circles, "facts": facts}
    if len(_EXACT_CACHE) > 64:
        _EXACT_CACHE.clear()
    _EXACT_CACHE[key] = (cp, out)
    return out


def _is_zero(e):
    """True / False, or None when SymPy cannot decide within its simplification rules."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    if e == 0:
        return True
    try:
        n = complex(e.evalf(40))
    except (TypeError, ValueError):
        return None
    if abs(n) > 1e-25:
        return False
    if e.count_ops() > 400:
        return None
    try:
        z = sympy.simplify(sympy.radsimp(e))
        if z == 0:
            return True
        return z.equals(0)
    except Exception:  # pragma: no cover - SymPy internals
        return None
