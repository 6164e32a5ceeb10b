"""The ``plot`` node: axes and curves y = f(x) or (x(t), y(t)) from expressions in a restricted grammar.

Sampling (once per node, cached): uniform samples, plus samples crowding towards every singular
point SymPy finds on the domain (1/x, tan x, ...), then adaptive bisection wherever consecutive
samples are more than 3 px apart.  The polyline is broken

* at every singular point SymPy reports (the curve never crosses it),
* where the function is undefined (NaN, e.g. sqrt of a negative number),
* at numeric jumps: a segment still steep after refinement whose halves do not share the rise
  (one half carries > 90 % of it: a discontinuity such as floor x or an asymptote SymPy missed),
* where a segment runs from beyond one edge of the view to beyond the opposite edge,

then clipped to the view (grown by one view height above and below).  See docs/geometry.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from symbolreel import ir
from symbolreel.annotate import points_of, quad_of
from symbolreel.errors import SceneError
from symbolreel.fields import field, normalise
from symbolreel.records import PlotAxes, PlotCurve, PlotRecord, PlotTick, bbox_of

from symbolreel.node import Shape, Stroke, register
from symbolreel.pathops import clipped_pieces
from symbolreel.primitives.math.expr import ExprError, compile_numpy, parse_function, singular_points
from symbolreel.primitives.geometry.axes import Axes, axes_geometry, axes_items, clip_line

MAX_POINTS = 40_000
REFINE_PX = 3.0


@dataclass(frozen=True, kw_only=True)
class Curve:
    """One curve: y = f(x) ('expr') or a parametric curve ('x' and 'y' in t)."""

    expr: str | None = field(None, "string", "y as an expression in x, e.g. 'tan(x)', '1/x', 'sqrt(4 - x^2)'",
                             nullable=True)
    x: str | None = field(None, "string", "parametric: x as an expression in t", nullable=True)
    y: str | None = field(None, "string", "parametric: y as an expression in t", nullable=True)
    domain: tuple | None = field(None, "reals", "x range of 'expr' (default: the view's), or t range of a "
                                 "parametric curve (default [0, 2*pi]); numbers or constants like -2*pi",
                                 nullable=True)
    color: tuple | None = field(None, "colour", "line colour (default: the plot's stroke colour)", nullable=True)
    width: float | None = field(None, "number", "line width in pixels", nullable=True, min=0.0)
    dash: tuple | None = field(None, "numbers", "dash pattern [on, off, ...] in pixels", nullable=True, min=0.0,
                               min_items=2)
    samples: int | None = field(None, "int", "initial uniform samples (default: the plot's)", nullable=True,
                                min=8, max=20000)

    def __post_init__(self):
        normalise(self)
        if (self.expr is None) == (self.x is None and self.y is None):
            raise SceneError("a curve needs either 'expr' (y in x) or both 'x' and 'y' (in t)",
                             ("expr",) if self.expr is None else ("x",))
        if self.expr is None and (self.x is None or self.y is None):
            raise SceneError("a parametric curve needs both 'x' and 'y'", ("y" if self.y is None else "x",))
        if self.domain is not None and (len(self.domain) != 2 or not self.domain[1] > self.domain[0]):
            raise SceneError("expected [start, end] with end > start", ("domain",))
        for key in ("expr", "x", "y"):
            src = getattr(self, key)
            if src is not None:
                _parse(src, ("x",) if key == "expr" else ("t",), (key,))


def _parse(src, variables, path):
    try:
        return parse_function(src, variables)
    except ExprError as exc:
        raise SceneError(exc.message, path) from None


@register
@dataclass(frozen=True, kw_only=True)
class Plot(Shape):
    """Function plot: axes and curves of expressions (restricted grammar), centred on the local origin."""

    TYPE = "plot"
    expr: str | None = field(None, "string", "shorthand for one curve y = f(x), e.g. 'tan(x)'", nullable=True)
    curves: tuple = field((), "structs", "curves: {expr} or {x, y} (parametric), each with its own style",
                          struct=Curve)
    view: tuple = field((-5.0, -5.0, 5.0, 5.0), "reals", "world rectangle shown [x0, y0, x1, y1]; numbers or "
                                                         "constants like -2*pi", min_items=4)
    size: tuple = field((400.0, 300.0), "vec2", "[width, height] of the plot box in pixels", min=1.0, max=8192.0)
    axes: Axes | None = field(Axes(), "struct", "axes, ticks and grid, or null", struct=Axes, nullable=True)
    samples: int = field(400, "int", "initial uniform samples per curve (refined adaptively)", min=8,
                         max=20000)
    reveal: float = field(1.0, "number", "fraction of every curve drawn (0..1), for drawing it over time",
                          anim=True, min=0.0, max=1.0)
    clip: bool = field(True, "bool", "clip curves to the plot box")
    font: str = field("sans", "string", "font of tick labels")
    fill: tuple | None = field(None, "colour", "background of the plot box, or null", anim=True, nullable=True)
    stroke: Stroke | None = field(Stroke(color="#E63946", width=2.5, cap="round", join="round"), "struct",
                                  "default curve style", struct=Stroke, nullable=True)

    def __post_init__(self):
        super().__post_init__()
        v = self.view
        if len(v) != 4 or not (v[2] > v[0] and v[3] > v[1]):
            raise SceneError("expected [x0, y0, x1, y1] with x1 > x0 and y1 > y0", ("view",))
        if self.expr is not None:
            _parse(self.expr, ("x",), ("expr",))
        if self.expr is None and not self.curves:
            raise SceneError("a plot needs 'expr' or 'curves'", ("expr",))

    def all_curves(self) -> tuple:
        return ((Curve(expr=self.expr),) if self.expr is not None else ()) + tuple(self.curves)

    def mapping(self):
        """(sx, sy, world -> local function): pixels per unit and the map of the plot box."""
        x0, y0, x1, y1 = self.view
        w, h = self.size
        sx, sy = w / (x1 - x0), h / (y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return sx, sy, (lambda x, y: ((x - cx) * sx, -(y - cy) * sy))

    def sampled(self) -> list:
        """Per curve: {"pieces": [(N, 2) world arrays], "singular": [x], "breaks": [x or t]} (cached)."""
        cached = self.__dict__.get("_sampled")
        if cached is None:
            cached = [sample_curve(c, self) for c in self.all_curves()]
            object.__setattr__(self, "_sampled", cached)
        return cached

    # -- engine hooks
    def prepare(self, ctx):
        try:
            ctx.font_chain(self.font)
        except SceneError as exc:
            raise SceneError(exc.message, ("font",)) from None
        self.sampled()

    def emit(self, ctx) -> list:
        op = ctx.opacity
        p = ctx.p
        w, h = self.size
        box = ir.Rect(-w / 2, -h / 2, w / 2, h / 2)
        items = []
        if p.get("fill") is not None:
            f = p["fill"]
            items.append(ir.Draw(box, ir.Paint((f[0], f[1], f[2], f[3] * op), antialias=False)))
        sx, sy, L = self.mapping()
        if self.axes is not None:
            g = axes_geometry(self.axes, self.view, L, sx, sy)
            items += axes_items(ctx, self.axes, g, self.font, op)
        if p.get("stroke") is None:
            return items
        curves = []
        reveal = p["reveal"]
        for curve, data in zip(self.all_curves(), self.sampled()):
            col = curve.color if curve.color is not None else p["stroke.color"]
            width = curve.width if curve.width is not None else p["stroke.width"]
            if width <= 0 or col[3] <= 0 or reveal <= 0:
                continue
            dash = curve.dash if curve.dash is not None else p["stroke.dash"]
            paint = ir.Paint((col[0], col[1], col[2], col[3] * op), True, width, p["stroke.cap"], p["stroke.join"],
                             dash=tuple(dash) if dash else None)
            path = ir.Path.polygons(_local_pieces(data["pieces"], L, reveal), closed=False)
            curves.append(ir.Draw(path, paint))
        items.append(ir.Group(curves, clip=ir.Clip(box, antialias=True) if self.clip else None))
        return items

    def annotate(self, ctx):
        m = ctx.matrix
        w, h = self.size
        q = quad_of(m, (-w / 2, -h / 2, w / 2, h / 2))
        sx, sy, L = self.mapping()
        curves = []
        reveal = ctx.p["reveal"]
        x0, y0, x1, y1 = self.view
        for curve, data in zip(self.all_curves(), self.sampled()):
            pieces = _local_pieces(data["pieces"], L, reveal)
            if self.clip:
                pieces = [pc for pc in (_clip_piece(pc, (-w / 2, -h / 2, w / 2, h / 2)) for pc in pieces)
                          for pc in pc]
            curves.append(PlotCurve(
                pieces=[points_of(m, pc) for pc in pieces if len(pc) >= 2],
                singular=[float(s) for s in data["singular"]], breaks=[float(b) for b in data["breaks"]],
                expr=curve.expr, x=curve.x if curve.expr is None else None, y=curve.y if curve.expr is None else None))
        axes = None
        if self.axes is not None:
            g = axes_geometry(self.axes, self.view, L, sx, sy)
            axes = PlotAxes(**{key: [PlotTick(value=v, label=text, image=points_of(m, [pt])[0])
                                     for v, pt, text in g[key]] for key in ("x_ticks", "y_ticks")})
        return PlotRecord(id=self.id, type=self.TYPE, quad=q, bbox=bbox_of(q), view=self.view, curves=curves,
                          axes=axes)


# ----------------------------------------------------------------------------- sampling

def sample_curve(curve: Curve, plot: Plot) -> dict:
    x0, y0, x1, y1 = plot.view
    w, h = plot.size
    ppx, ppy = w / (x1 - x0), h / (y1 - y0)
    n = curve.samples or plot.samples
    if curve.expr is not None:
        expr = parse_function(curve.expr, ("x",))
        f = compile_numpy(expr, ("x",))
        a, b = curve.domain if curve.domain is not None else (x0, x1)
        sing = singular_points(expr, "x", a, b)
        ts = _initial(a, b, n, sing)

        def xy(t):
            return t, f(t)
    else:
        ex, ey = parse_function(curve.x, ("t",)), parse_function(curve.y, ("t",))
        fx, fy = compile_numpy(ex, ("t",)), compile_numpy(ey, ("t",))
        a, b = curve.domain if curve.domain is not None else (0.0, 2 * math.pi)
        sing = sorted(set(singular_points(ex, "t", a, b)) | set(singular_points(ey, "t", a, b)))
        ts = _initial(a, b, n, sing)

        def xy(t):
            return fx(t), fy(t)
    min_dt = (b - a) * 1e-10
    X, Y = xy(ts)
    for _ in range(16):
        gap = _gap_px(X, Y, ppx, ppy)
        fin = np.isfinite(X) & np.isfinite(Y)
        both = fin[:-1] & fin[1:]
        far = _same_side_outside(X, Y, plot.view)
        need = ((both & (gap > REFINE_PX) & ~far) | (fin[:-1] ^ fin[1:])) & (np.diff(ts) > min_dt)
        if not need.any() or len(ts) + need.sum() > MAX_POINTS:
            break
        mids = (ts[:-1][need] + ts[1:][need]) / 2
        mx, my = xy(mids)
        ts, X, Y = _merge(ts, X, Y, mids, mx, my)
    # where to break
    fin = np.isfinite(X) & np.isfinite(Y)
    cut = ~(fin[:-1] & fin[1:])
    for s in sing:
        k = np.searchsorted(ts, s)
        if 0 < k < len(ts):
            cut[k - 1] = True
    gap = _gap_px(X, Y, ppx, ppy)
    steep = np.nonzero(~cut & (gap > REFINE_PX))[0]
    breaks = []
    if len(steep):
        mids = (ts[steep] + ts[steep + 1]) / 2
        mx, my = xy(mids)
        g1 = np.hypot((mx - X[steep]) * ppx, (my - Y[steep]) * ppy)
        g2 = np.hypot((X[steep + 1] - mx) * ppx, (Y[steep + 1] - my) * ppy)
        with np.errstate(invalid="ignore"):
            jump = ~np.isfinite(g1) | ~np.isfinite(g2) | (np.maximum(g1, g2) > 0.9 * gap[steep])
        jump |= _opposite_outside(Y[steep], Y[steep + 1], plot.view[1], plot.view[3])
        for k, j in zip(steep, jump):
            if j:
                cut[k] = True
                breaks.append((ts[k] + ts[k + 1]) / 2)
    pieces = []
    start = 0
    for k in np.nonzero(cut)[0].tolist() + [len(ts) - 1]:
        seg = slice(start, k + 1)
        pts = np.stack([X[seg], Y[seg]], axis=1)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) >= 2:
            pieces.extend(_clip_piece(pts, (x0 - (x1 - x0), y0 - (y1 - y0), x1 + (x1 - x0), y1 + (y1 - y0))))
        start = k + 1
    return {"pieces": [p for p in pieces if len(p) >= 2], "singular": sing, "breaks": breaks}


def _initial(a, b, n, sing) -> np.ndarray:
    ts = [np.linspace(a, b, n)]
    step = (b - a) / (n - 1)
    for s in sing:
        d = step * 0.5 ** np.arange(1, 48)
        d = d[d > 1e-12 * max(1.0, abs(s))]
        ts.append(s - d)
        ts.append(s + d)
    ts = np.unique(np.concatenate(ts))
    ts = ts[(ts >= a) & (ts <= b)]
    for s in sing:
        ts = ts[np.abs(ts - s) > 1e-13 * max(1.0, abs(s))]
    return ts


def _merge(ts, X, Y, mt, mx, my):
    t = np.concatenate([ts, mt])
    order = np.argsort(t, kind="stable")
    X = np.broadcast_to(X, ts.shape)
    mx = np.broadcast_to(mx, mt.shape)
    Y = np.broadcast_to(Y, ts.shape)
    my = np.broadcast_to(my, mt.shape)
    return t[order], np.concatenate([X, mx])[order], np.concatenate([Y, my])[order]


def _gap_px(X, Y, ppx, ppy):
    X = np.broadcast_to(X, np.shape(Y)) if np.ndim(X) == 0 else X
    with np.errstate(invalid="ignore"):
        return np.hypot(np.diff(X) * ppx, np.diff(Y) * ppy)


def _same_side_outside(X, Y, view):
    x0, y0, x1, y1 = view
    with np.errstate(invalid="ignore"):
        above, below = Y > y1, Y < y0
        left, right = X < x0, X > x1
        return (above[:-1] & above[1:]) | (below[:-1] & below[1:]) | (left[:-1] & left[1:]) | \
            (right[:-1] & right[1:])


def _opposite_outside(ya, yb, y0, y1):
    with np.errstate(invalid="ignore"):
        return ((ya > y1) & (yb < y0)) | ((ya < y0) & (yb > y1))


def _clip_piece(pts, box) -> list:
    """Split a polyline into the parts inside ``box`` (x0, y0, x1, y1), cutting segments at its edges."""
    pts = np.asarray(pts, dtype=np.float64)
    bx0, by0, bx1, by1 = box
    inside = (pts[:, 0] >= bx0) & (pts[:, 0] <= bx1) & (pts[:, 1] >= by0) & (pts[:, 1] <= by1)
    if inside.all():
        return [pts]
    # a segment with both ends inside clips to exactly [0, 1] (the quotients clip_line takes are then
    # <= 0 and >= 1 after rounding too): only the others go through clip_line
    n = len(pts) - 1
    t_lo, t_hi, dead = np.zeros(n), np.ones(n), np.zeros(n, bool)
    for k in np.flatnonzero(~(inside[:-1] & inside[1:])).tolist():
        iv = clip_line(pts[k], pts[k + 1] - pts[k], box, 0.0, 1.0)
        if iv is None:
            dead[k] = True
        else:
            t_lo[k], t_hi[k] = iv
    return clipped_pieces(pts, t_lo, t_hi, dead)


def _local_pieces(pieces, L, reveal: float) -> list:
    """World pieces -> local pixel pieces, keeping the first ``reveal`` fraction of the total length."""
    loc = []
    for pc in pieces:
        x, y = L(pc[:, 0], pc[:, 1])
        loc.append(np.stack([x, y], axis=1))
    if reveal >= 1.0:
        return loc
    lengths = [float(np.hypot(*np.diff(p, axis=0).T).sum()) for p in loc]
    budget = reveal * sum(lengths)
    out = []
    for p, ln in zip(loc, lengths):
        if budget <= 0:
            break
        if ln <= budget:
            out.append(p)
            budget -= ln
            continue
        seg = np.hypot(*np.diff(p, axis=0).T)
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        k = int(np.searchsorted(cum, budget)) - 1
        frac = (budget - cum[k]) / seg[k] if seg[k] > 0 else 0.0
        end = p[k] + frac * (p[k + 1] - p[k])
        out.append(np.vstack([p[:k + 1], end]))
        break
    return out
