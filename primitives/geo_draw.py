"""Per-frame geometry, drawing and annotation of ``figure`` nodes (local pixel coordinates).

One :class:`FrameGeo` is built per (figure time, reveal) and shared by drawing and annotation, so
the annotation describes exactly what was drawn.
"""
from __future__ import annotations

import math

import numpy as np
import skia

from . import construction as C
from .geo_axes import arrow_head, axes_geometry, clip_line
from .geo_labels import place_labels

_CAPS = {"butt": skia.Paint.Cap.kButt_Cap, "round": skia.Paint.Cap.kRound_Cap,
         "square": skia.Paint.Cap.kSquare_Cap}
_JOINS = {"miter": skia.Paint.Join.kMiter_Join, "round": skia.Paint.Join.kRound_Join,
          "bevel": skia.Paint.Join.kBevel_Join}
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


def _prim(path, stroke=None, fill=None, frac=1.0, item=None, segs=(), closed=False):
    return {"path": path, "stroke": stroke, "fill": fill, "frac": frac, "item": item, "segs": segs}


def _poly_path(pts, closed=False) -> skia.Path:
    path = skia.Path()
    path.addPoly([skia.Point(float(x), float(y)) for x, y in pts], closed)
    return path


def _segs_of(pts, closed=False) -> list:
    ring = list(pts) + ([pts[0]] if closed else [])
    return [(a[0], a[1], b[0], b[1]) for a, b in zip(ring, ring[1:])]


_UNIT: dict = {}


def _circle_pts(c, r, n=32, a0=0.0, sweep=360.0) -> list:
    if a0 == 0.0 and sweep == 360.0:
        tab = _UNIT.get(n)
        if tab is None:
            tab = _UNIT[n] = [(math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n)) for k in range(n + 1)]
        cx, cy = c
        return [(cx + r * u, cy + r * v) for u, v in tab]
    return [(c[0] + r * math.cos(math.radians(a0 + sweep * k / n)), c[1] + r * math.sin(math.radians(a0 + sweep * k / n)))
            for k in range(n + 1)]


def frame_geometry(fig, ctx) -> FrameGeo:
    p = ctx.p
    t = float(p["time"])
    reveal = p.get("reveal")
    ev = ctx.cache.get("ev")
    if ev is None:
        fig.prepare(ctx)
        ev = ctx.cache["ev"]
    free, params = ev.inputs(np.array([t]))[0]
    # keyed by the inputs, not the time: a still figure is laid out once
    key = (tuple(free.values()), tuple(params.items()), reveal, p.get("stroke.width"), p.get("stroke.color"),
           p.get("fill"))
    cached = ctx.cache.get("frame")
    if cached is not None and cached[0] == key:
        return cached[1]
    cp = fig._cp
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
    g.prims, g.markers, g.labels, g.ops = [], [], [], []
    g.measures = {"lengths": {}, "angles": {}, "radii": {}}
    label_reqs = []
    fs = fig.font_size

    if fig.axes is not None:
        g.axes = axes_geometry(fig.axes, view, lambda x, y: L((x, y)), s, s)
    else:
        g.axes = None

    pts_local = {n: L(v) for n, v in state.items() if C_type(cp, n) == "point"}
    centroid = np.mean(list(pts_local.values()), axis=0) if pts_local else np.zeros(2)

    def frac_of(op):
        if reveal is None:
            return 1.0
        return min(max(reveal - op.reveal, 0.0), 1.0)

    def add_line(op, p0, p1, t_min, style, frac, what):
        d = (p1[0] - p0[0], p1[1] - p0[1])
        iv = clip_line(p0, d, view, t_min, math.inf)
        if iv is None:
            return []
        q0 = L((p0[0] + iv[0] * d[0], p0[1] + iv[0] * d[1]))
        q1 = L((p0[0] + iv[1] * d[0], p0[1] + iv[1] * d[1]))
        g.prims.append(_prim(_poly_path([q0, q1]), style, None, frac, op.item, [(*q0, *q1)]))
        return [[q0, q1]]

    for op in cp.ops:
        frac = frac_of(op)
        it = op.it
        k = op.kind
        polylines: list = []
        info = {"index": op.item, "kind": k, "args": getattr(it, k), "revealed": round(frac, 6)}
        if op.out is not None:
            info["name"] = op.out
        g.ops.append((info, polylines))
        if frac <= 0.0:
            continue
        style = _style(fig, ctx, it)
        names = [n for r in op.refs for n in r.names]
        if k in ("segment", "vector"):
            A, B = state[names[0]], state[names[1]]
            q0, q1 = L(A), L(B)
            g.prims.append(_prim(_poly_path([q0, q1]), style, None, frac, op.item, [(*q0, *q1)]))
            polylines.append([q0, q1])
            length = math.hypot(B[0] - A[0], B[1] - A[1])
            g.measures["lengths"][C.fmt_names(names)] = length
            if k == "vector" and frac >= 1.0:
                hl = 3.0 * style[1] + 6.0
                tri = arrow_head(q0, q1, hl, hl * 0.45)
                g.prims.append(_prim(_poly_path(tri, True), None, style[0], 1.0, op.item, _segs_of(tri, True)))
            text = it.label if it.label is not None else (f"{length:.{it.decimals}f}" if it.value else "")
            if text:
                mid = ((q0[0] + q1[0]) / 2, (q0[1] + q1[1]) / 2)
                nx, ny = -(q1[1] - q0[1]), q1[0] - q0[0]
                if nx * (mid[0] - centroid[0]) + ny * (mid[1] - centroid[1]) < 0:
                    nx, ny = -nx, -ny
                label_reqs.append((text, mid, math.atan2(ny, nx), 3.0, f"item{op.item}", it.color, frac))
        elif k in ("ray", "line") or k in _LINE_RESULTS or k == "tangent":
            if k == "tangent":
                p0, p1 = state[names[0]], state[op.out]
                if abs(p1[0] - p0[0]) + abs(p1[1] - p0[1]) < 1e-12:   # P on the circle: the tangent at P
                    o, _ = state[op.refs[1].obj]
                    p1 = (p0[0] - (p0[1] - o[1]), p0[1] + (p0[0] - o[0]))
                polylines += add_line(op, p0, p1, -math.inf, style, frac, k)
            elif k in _LINE_RESULTS:
                p0, p1 = state[op.out]
                polylines += add_line(op, p0, p1, 0.0 if k == "bisector" else -math.inf, style, frac, k)
            else:
                if op.refs[0].kind == "L":
                    p0, p1 = C.line_points(state, op.refs[0])
                else:
                    p0, p1 = state[names[0]], state[names[1]]
                polylines += add_line(op, p0, p1, 0.0 if k == "ray" else -math.inf, style, frac, k)
        elif k == "foot":
            st = _style(fig, ctx, it, aux_default=True)
            q0, q1 = L(state[names[0]]), L(state[op.out])
            g.prims.append(_prim(_poly_path([q0, q1]), st, None, frac, op.item, [(*q0, *q1)]))
            polylines.append([q0, q1])
        elif k in _CIRCLE_KINDS:
            (o, r) = state[op.out]
            c, rr = L(o), r * s
            path = skia.Path()
            path.addCircle(c[0], c[1], rr)
            ring = _circle_pts(c, rr)
            g.prims.append(_prim(path, style, it.fill, frac, op.item, _segs_of(ring)))
            polylines.append(ring)
            g.measures["radii"][op.out] = r
            if it.label:
                edge = (c[0] + rr * 0.7071, c[1] - rr * 0.7071)
                label_reqs.append((it.label, edge, -math.pi / 4, 3.0, f"item{op.item}", it.color, frac))
        elif k in ("polygon", "regular_polygon"):
            verts = [state[n] for n in names] if k == "polygon" else list(state[op.out])
            q = [L(v) for v in verts]
            g.prims.append(_prim(_poly_path(q, True), style, it.fill, frac, op.item, _segs_of(q, True)))
            polylines.append(q + [q[0]])
            if k == "polygon":
                ring = names + [names[0]]
                for n0, n1 in zip(ring, ring[1:]):
                    A, B = state[n0], state[n1]
                    g.measures["lengths"][C.fmt_names([n0, n1])] = math.hypot(B[0] - A[0], B[1] - A[1])
        elif k in ("arc", "sector"):
            O, A, B = (state[n] for n in names)
            r = math.hypot(A[0] - O[0], A[1] - O[1])
            a0 = math.degrees(math.atan2(A[1] - O[1], A[0] - O[0]))
            sweep = (math.degrees(math.atan2(B[1] - O[1], B[0] - O[0])) - a0) % 360.0
            c, rr = L(O), r * s
            la0, lsweep = (-a0, -sweep) if fig.y_up else (a0, sweep)
            oval = skia.Rect.MakeLTRB(c[0] - rr, c[1] - rr, c[0] + rr, c[1] + rr)
            path = skia.Path()
            if k == "sector":
                path.moveTo(*c)
                path.arcTo(oval, la0, lsweep, False)
                path.close()
            else:
                path.addArc(oval, la0, lsweep)
            ring = _circle_pts(c, rr, 32, la0, lsweep)
            if k == "sector":
                ring = [c] + ring + [c]
            g.prims.append(_prim(path, style, it.fill if k == "sector" else None, frac, op.item, _segs_of(ring)))
            polylines.append(ring)
        elif k in ("angle", "right_angle"):
            P1, V, P2 = (state[n] for n in names)
            u = (P1[0] - V[0], P1[1] - V[1])
            w = (P2[0] - V[0], P2[1] - V[1])
            deg = math.degrees(math.atan2(abs(u[0] * w[1] - u[1] * w[0]), u[0] * w[0] + u[1] * w[1]))
            g.measures["angles"][C.fmt_names(names)] = deg
            v = L(V)
            lu, lw = L(P1), L(P2)
            du = (lu[0] - v[0], lu[1] - v[1])
            dw = (lw[0] - v[0], lw[1] - v[1])
            nu, nw = math.hypot(*du) or 1.0, math.hypot(*dw) or 1.0
            du, dw = (du[0] / nu, du[1] / nu), (dw[0] / nw, dw[1] / nw)
            start = math.degrees(math.atan2(du[1], du[0]))
            sweep = math.degrees(math.atan2(du[0] * dw[1] - du[1] * dw[0], du[0] * dw[0] + du[1] * dw[1]))
            square = k == "right_angle" or abs(deg - 90.0) < 1e-7
            R = it.size if it.size is not None else (12.0 if square else 22.0)
            if square:
                q = [(v[0] + du[0] * R, v[1] + du[1] * R), (v[0] + (du[0] + dw[0]) * R, v[1] + (du[1] + dw[1]) * R),
                     (v[0] + dw[0] * R, v[1] + dw[1] * R)]
                path = _poly_path(q)
                if it.fill is not None:
                    fp = _poly_path([v] + q, True)
                    g.prims.append(_prim(fp, None, it.fill, frac, op.item, ()))
                g.prims.append(_prim(path, (style[0], max(style[1] * 0.6, 1.0), style[2]), None, frac, op.item,
                                     _segs_of(q)))
                polylines.append(q)
            else:
                if it.fill is not None:
                    oval = skia.Rect.MakeLTRB(v[0] - R, v[1] - R, v[0] + R, v[1] + R)
                    fp = skia.Path()
                    fp.moveTo(*v)
                    fp.arcTo(oval, start, sweep, False)
                    fp.close()
                    g.prims.append(_prim(fp, None, it.fill, frac, op.item, ()))
                for j in range(it.count):
                    rj = R + 4.0 * j
                    oval = skia.Rect.MakeLTRB(v[0] - rj, v[1] - rj, v[0] + rj, v[1] + rj)
                    path = skia.Path()
                    path.addArc(oval, start, sweep)
                    ring = _circle_pts(v, rj, 12, start, sweep)
                    g.prims.append(_prim(path, (style[0], max(style[1] * 0.6, 1.0), style[2]), None, frac,
                                         op.item, _segs_of(ring)))
                    polylines.append(ring)
            text = it.label if it.label is not None else (f"{deg:.{it.decimals}f}\u00b0" if it.value else "")
            if text:
                mid = math.radians(start + sweep / 2)
                label_reqs.append((text, v, mid, R + 4.0 * (it.count - 1) + 3.0, f"item{op.item}", it.color, frac))
        elif k in ("equal", "parallel_marks"):
            size = it.size if it.size is not None else 6.0
            for r in op.refs:
                A, B = (L(state[n]) for n in r.names)
                d = (B[0] - A[0], B[1] - A[1])
                n_ = math.hypot(*d) or 1.0
                d = (d[0] / n_, d[1] / n_)
                nn = (-d[1], d[0])
                mid = ((A[0] + B[0]) / 2, (A[1] + B[1]) / 2)
                path = skia.Path()
                segs = []
                for j in range(it.count):
                    off = (j - (it.count - 1) / 2) * 4.5
                    m = (mid[0] + d[0] * off, mid[1] + d[1] * off)
                    if k == "equal":
                        q = [(m[0] - nn[0] * size, m[1] - nn[1] * size), (m[0] + nn[0] * size, m[1] + nn[1] * size)]
                    else:
                        tip = (m[0] + d[0] * size * 0.6, m[1] + d[1] * size * 0.6)
                        q = [(tip[0] - d[0] * size - nn[0] * size * 0.8, tip[1] - d[1] * size - nn[1] * size * 0.8),
                             tip,
                             (tip[0] - d[0] * size + nn[0] * size * 0.8, tip[1] - d[1] * size + nn[1] * size * 0.8)]
                    path.addPoly([skia.Point(*x) for x in q], False)
                    segs += _segs_of(q)
                    polylines.append(q)
                g.prims.append(_prim(path, (style[0], max(style[1] * 0.75, 1.0), None), None, frac, op.item, segs))
        # point-only constructions (midpoint, intersection, ...) draw through their point markers

    # point markers and labels
    fill = ctx.p.get("fill")
    point_reqs = []
    marker_w = []
    for name, st in cp.point_style.items():
        if not st["visible"] or name not in state:
            continue
        if reveal is not None and st["reveal"] is not None and reveal <= st["reveal"]:
            continue
        col = st["color"] if st["color"] is not None else fill
        if col is None:
            continue
        # presence 0..1: a point revealed with an item fades in as an obstacle for later labels
        weight = 1.0 if reveal is None or st["reveal"] is None else min(reveal - st["reveal"], 1.0)
        pos = L(state[name])
        rad = st["size"] if st["size"] is not None else fig.point_size
        g.markers.append((name, pos, rad, col))
        marker_w.append(weight)
        if st["label"]:
            point_reqs.append((st["label"], pos, _prefer_away(cp, name, pos, pts_local, centroid), rad + 2.0,
                               f"point:{name}", st["color"], weight))
    label_reqs = point_reqs + label_reqs

    # obstacles: every drawn segment (weighted by its item's reveal) and the point markers
    segs, sw = [], []
    for pr in g.prims:
        if pr["segs"]:
            segs += pr["segs"]
            sw += [pr["frac"]] * len(pr["segs"])      # fades in while the item is drawn
    for (_, pos, rad, _), w in zip(g.markers, marker_w):
        x0, y0, x1, y1 = pos[0] - rad, pos[1] - rad, pos[0] + rad, pos[1] + rad
        segs += [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]
        sw += [w] * 4
    if g.axes is not None:
        segs += list(g.axes["axes"])
        sw += [1.0] * len(g.axes["axes"])
    g.segs = np.asarray(segs, dtype=np.float64).reshape(-1, 4)
    if label_reqs and fill is not None:
        from symbolreel.typeset import layout_text

        chain = ctx.font_chain(fig.font)
        reqs, lays = [], []
        for text, anchor, prefer, gap, who, col, weight in label_reqs:
            lay = layout_text(text, chain, fs)
            x0, y0, x1, y1 = lay.bounds
            reqs.append({"anchor": anchor, "size": (x1 - x0 + 2.0, y1 - y0), "prefer": prefer, "gap": gap,
                         "weight": weight, "reach": 1.0 if who.startswith("point:") else gap + 1.0})
            lays.append(lay)
        centres = place_labels(reqs, g.segs, g.view_local, np.asarray(sw, dtype=np.float64))
        for (text, anchor, prefer, gap, who, col, weight), lay, c in zip(label_reqs, lays, centres):
            if weight < 1.0 and not who.startswith("point:"):
                continue        # an item's label shows once the item is complete (placed before, as a ghost)
            x0, y0, x1, y1 = lay.bounds
            g.labels.append({"text": text, "for": who, "centre": c, "layout": lay,
                             "offset": (c[0] - (x0 + x1) / 2, c[1] - (y0 + y1) / 2),
                             "box": (c[0] - (x1 - x0) / 2, c[1] - (y1 - y0) / 2, c[0] + (x1 - x0) / 2,
                                     c[1] + (y1 - y0) / 2),
                             "color": col if col is not None else fill})
    ctx.cache["frame"] = (key, g)
    return g


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


def _prefer_away(cp, name, pos, pts_local, centroid) -> float:
    """Preferred label direction of a point: away from its neighbours along drawn lines; a point without
    them (or whose neighbours cancel out) leans up-right and a little away from the figure's centroid.
    A continuous function of the positions (no switch between cases), so labels do not jump."""
    vx = vy = 0.0
    for other in cp.neighbours.get(name, ()):
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


def _colour(rgba, op):
    return skia.Color4f(rgba[0], rgba[1], rgba[2], rgba[3] * op)


def draw_figure(fig, canvas, ctx):
    g = frame_geometry(fig, ctx)
    op = ctx.opacity
    p = ctx.p
    cap = _CAPS[p.get("stroke.cap", "round")] if p.get("stroke") is not None else _CAPS["round"]
    join = _JOINS[p.get("stroke.join", "round")] if p.get("stroke") is not None else _JOINS["round"]
    if g.axes is not None:
        ax = fig.axes
        if ax.grid and g.axes["grid"]:
            paint = skia.Paint(Color4f=_colour(ax.grid_color, op), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                               StrokeWidth=1.0)
            for sg in g.axes["grid"]:
                canvas.drawLine(*sg, paint)
        if ax.width > 0:
            paint = skia.Paint(Color4f=_colour(ax.color, op), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                               StrokeWidth=ax.width)
            for sg in g.axes["axes"] + g.axes["ticks"]:
                canvas.drawLine(*sg, paint)
            fp = skia.Paint(Color4f=_colour(ax.color, op), AntiAlias=True)
            for tri in g.axes["arrows"]:
                canvas.drawPath(_poly_path(tri, True), fp)
        draw_tick_labels(canvas, ctx, fig.font, ax, g.axes["labels"], op)
    for pr in g.prims:
        frac = pr["frac"]
        if pr["fill"] is not None:
            paint = skia.Paint(Color4f=_colour(pr["fill"], op * frac), AntiAlias=True)
            canvas.drawPath(pr["path"], paint)
        if pr["stroke"] is not None:
            col, w, dash = pr["stroke"]
            if w <= 0 or col[3] <= 0:
                continue
            paint = skia.Paint(Color4f=_colour(col, op), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                               StrokeWidth=w, StrokeCap=cap, StrokeJoin=join)
            effect = skia.TrimPathEffect.Make(0.0, frac) if frac < 1.0 else None
            if dash:
                d = skia.DashPathEffect.Make(list(dash), 0.0)
                effect = d if effect is None else skia.PathEffect.MakeCompose(d, effect)
            if effect is not None:
                paint.setPathEffect(effect)
            canvas.drawPath(pr["path"], paint)
    for _, pos, rad, col in g.markers:
        if rad > 0:
            canvas.drawCircle(pos[0], pos[1], rad, skia.Paint(Color4f=_colour(col, op), AntiAlias=True))
    for lab in g.labels:
        paint = skia.Paint(Color4f=_colour(lab["color"], op), AntiAlias=True)
        dx, dy = lab["offset"]
        for blob in lab["layout"].blobs_upto(1 << 30):
            canvas.drawTextBlob(blob, dx, dy, paint)


def draw_tick_labels(canvas, ctx, font, ax, labels, op):
    """Tick labels ``(text, x, y, side_x, side_y)``: side -1 puts the text left of x, 0 centres it."""
    if not labels:
        return
    from symbolreel.typeset import layout_text

    chain = ctx.font_chain(font)
    paint = skia.Paint(Color4f=_colour(ax.color, op), AntiAlias=True)
    for text, x, y, sx, _ in labels:
        lay = layout_text(text, chain, ax.font_size)
        x0, y0, x1, y1 = lay.bounds
        w = x1 - x0
        cx = x + sx * w / 2
        for blob in lay.blobs_upto(1 << 30):
            canvas.drawTextBlob(blob, cx - (x0 + x1) / 2, y - (y0 + y1) / 2, paint)


def _r(v) -> float:
    return float(v)


def annotate_figure(fig, ctx, m):
    from symbolreel.annotate import points_of, quad_of

    g = frame_geometry(fig, ctx)
    cp = fig._cp
    types = cp.prog.types
    state = g.state
    quad = quad_of(m, g.view_local)
    xs, ys = [q[0] for q in quad], [q[1] for q in quad]
    marker_names = {name for name, *_ in g.markers}
    points = []
    for name, typ in types.items():
        if typ != "point" or name not in state:
            continue
        x, y = state[name]
        points.append({"name": name, "world": [_r(x), _r(y)], "image": points_of(m, [g.to_local((x, y))])[0],
                       "free": name in cp.prog.free, "visible": name in marker_names})
    circles, lines = [], []
    for name, typ in types.items():
        if typ == "circle" and name in state:
            (cx, cy), r = state[name]
            circles.append({"name": name, "centre": [_r(cx), _r(cy)], "radius": _r(r),
                            "image_centre": points_of(m, [g.to_local((cx, cy))])[0]})
        elif typ == "line" and name in state:
            p0, p1 = state[name]
            lines.append({"name": name, "through": [[_r(p0[0]), _r(p0[1])], [_r(p1[0]), _r(p1[1])]]})
    items = []
    for info, polylines in g.ops:
        item = dict(info)
        if polylines:
            item["image"] = [points_of(m, pl) for pl in polylines]
        items.append(item)
    labels = []
    for lab in g.labels:
        q = quad_of(m, lab["box"])
        labels.append({"text": lab["text"], "for": lab["for"], "quad": q,
                       "bbox": [min(a[0] for a in q), min(a[1] for a in q), max(a[0] for a in q),
                                max(a[1] for a in q)]})
    facts = []
    for rel, args, extra in cp.facts:
        holds, res = C.check_fact(rel, args, extra, state, types)
        facts.append({"relation": rel, "args": list(args), "holds": bool(holds), "residual": float(res)})
    out = {"quad": quad, "bbox": [min(xs), min(ys), max(xs), max(ys)], "time": float(ctx.p["time"]),
           "view": list(ctx.cache["view"]), "points": points, "circles": circles, "lines": lines,
           "items": items, "labels": labels, "facts": facts,
           "measures": {k: {n: _r(v) for n, v in d.items()} for k, d in g.measures.items()}}
    if fig.exact:
        ex = ctx.cache.get("exact")
        if ex is None:
            ex = ctx.cache["exact"] = exact_facts(fig, ctx)
        out["exact"] = ex
    return out


def exact_facts(fig, ctx) -> dict:
    """Exact coordinates (SymPy) of the configuration at scene time 0 and an exact check of each fact."""
    ev = ctx.cache["ev"]
    clock = ev.clock([0.0])
    free, params = ev.inputs(clock)[0]
    return _exact(fig._cp, tuple(free.items()), tuple(sorted(params.items())), float(clock[0]))


_EXACT_CACHE: dict = {}
MAX_EXPR_CHARS = 240


def _exact(cp, free, params, t) -> dict:
    key = (id(cp), free, params)
    hit = _EXACT_CACHE.get(key)
    if hit is not None and hit[0] is cp:
        return hit[1]
    import sympy

    B = C.EXACT
    try:
        state = C.evaluate(cp.prog, dict(free), dict(params), B)
    except (C.Degenerate, ZeroDivisionError, ValueError):  # pragma: no cover - the float pass caught these
        return {"t": t, "error": "degenerate"}
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
    import sympy

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
