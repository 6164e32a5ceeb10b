"""Coordinate axes (lines, ticks, tick labels, grid) shared by ``figure`` and ``plot``, and their
display-list items.

Everything here works in the node's LOCAL pixel coordinates, given a world -> local mapping.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from symbolreel import ir
from symbolreel.fields import field, normalise
from symbolreel.primitives.text.typeset import layout_text


@dataclass(frozen=True, kw_only=True)
class Axes:
    """Coordinate axes with ticks, tick labels and an optional grid (world units)."""

    step: tuple = field((0.0, 0.0), "scale", "tick spacing in world units (in multiples of pi on an axis whose "
                                             "unit is pi), number or [x, y]; 0 = automatic", min=0.0)
    grid: bool = field(True, "bool", "draw grid lines at every tick")
    labels: bool = field(True, "bool", "write the tick values")
    arrows: bool = field(True, "bool", "arrow heads at the positive ends of the axes")
    color: tuple = field("#4A4A4A", "colour", "axis, tick and tick-label colour")
    grid_color: tuple = field("#E4E4E4", "colour", "grid line colour")
    width: float = field(1.25, "number", "axis line width in pixels", min=0.0)
    font_size: float = field(12.0, "number", "tick label size in pixels", min=1.0)
    x_name: str = field("x", "string", "name written at the end of the x axis ('' for none)")
    y_name: str = field("y", "string", "name written at the end of the y axis ('' for none)")
    x_unit: str = field("1", "enum", "tick unit of the x axis: 1, or pi for ticks at fractions of pi labelled "
                                     "\u03c0/2, \u03c0, 3\u03c0/2, ...", choices=("1", "pi"))
    y_unit: str = field("1", "enum", "tick unit of the y axis (as x_unit)", choices=("1", "pi"))

    def __post_init__(self):
        normalise(self)


def nice_step(span: float, target: int = 8) -> float:
    """A 1/2/5 x 10^k step giving about ``target`` ticks over ``span``."""
    if not span > 0:
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag  # pragma: no cover


def nice_pi_step(span: float, target: int = 8) -> float:
    """A tick step in multiples of pi (1/4, 1/2, 1, 2, 5, 10, ...) giving about ``target`` ticks over
    ``span`` (world units)."""
    raw = span / math.pi / target
    for m in (0.25, 0.5, 1.0, 2.0):
        if raw <= m:
            return m
    return nice_step(span / math.pi, target)


def fmt_pi_tick(k: int, step: float) -> str:
    """The label of tick ``k`` of a pi axis whose step is ``step`` pi: 0, \u03c0/2, \u03c0, 3\u03c0/2, \u22122\u03c0."""
    v = Fraction(step).limit_denominator(12) * k
    if v == 0:
        return "0"
    sign = "\u2212" if v < 0 else ""
    p, q = abs(v.numerator), v.denominator
    top = "\u03c0" if p == 1 else f"{p}\u03c0"
    return sign + (top if q == 1 else f"{top}/{q}")


def fmt_tick(v: float, step: float) -> str:
    decimals = max(0, -int(math.floor(math.log10(step) + 1e-9))) if step < 1 else 0
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s.replace("-", "\u2212")


def tick_values(lo: float, hi: float, step: float) -> list:
    k0, k1 = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    if k1 - k0 > 2000:
        return []
    return [k * step for k in range(k0, k1 + 1)]


def axes_geometry(axes: Axes, view, to_local, sx: float, sy: float) -> dict:
    """Local geometry of ``axes`` over the world rectangle ``view`` = (x0, y0, x1, y1).

    ``to_local(x, y)`` maps world to local pixels; ``sx``/``sy`` are pixels per world unit.
    Returns ``{"grid": [seg], "axes": [seg], "ticks": [seg], "arrows": [tri], "labels": [(text, x, y, ax, ay)],
    "x_ticks": [(value, (x, y), label text)], "y_ticks": [...]}`` where seg = (x0, y0, x1, y1) and (ax, ay) is the
    label's anchor side (-1/0/1 per axis: which side of the point the text box lies on).
    """
    x0, y0, x1, y1 = view
    stx, sty = axes.step
    # a pi axis counts its step in multiples of pi, and labels ticks as fractions of pi
    pix, piy = axes.x_unit == "pi", axes.y_unit == "pi"
    kx = (stx if stx > 0 else nice_pi_step(x1 - x0)) if pix else None
    ky = (sty if sty > 0 else nice_pi_step(y1 - y0)) if piy else None
    stx = kx * math.pi if pix else (stx if stx > 0 else nice_step(x1 - x0))
    sty = ky * math.pi if piy else (sty if sty > 0 else nice_step(y1 - y0))

    def label(v, step, k_pi):
        return fmt_pi_tick(round(v / step), k_pi) if k_pi is not None else fmt_tick(v, step)

    ox = min(max(0.0, x0), x1)   # axes cross at the origin, or at the nearest view edge
    oy = min(max(0.0, y0), y1)
    out = {"grid": [], "axes": [], "ticks": [], "arrows": [], "labels": [], "x_ticks": [], "y_ticks": []}
    xs, ys = tick_values(x0, x1, stx), tick_values(y0, y1, sty)
    if axes.grid:
        for x in xs:
            out["grid"].append((*to_local(x, y0), *to_local(x, y1)))
        for y in ys:
            out["grid"].append((*to_local(x0, y), *to_local(x1, y)))
    a = to_local(x0, oy), to_local(x1, oy)
    b = to_local(ox, y0), to_local(ox, y1)
    out["axes"] += [(*a[0], *a[1]), (*b[0], *b[1])]
    tl = 4.0
    fs = axes.font_size
    for x in xs:
        px, py = to_local(x, oy)
        out["ticks"].append((px, py - tl, px, py + tl))
        out["x_ticks"].append((x, (px, py), label(x, stx, kx)))
        if axes.labels and abs(x - ox) > 1e-9 * max(1.0, abs(stx)) and x < x1 - 0.5 * stx:
            out["labels"].append((label(x, stx, kx), px, py + tl + 2 + fs * 0.55, 0, 0))
    for y in ys:
        px, py = to_local(ox, y)
        out["ticks"].append((px - tl, py, px + tl, py))
        out["y_ticks"].append((y, (px, py), label(y, sty, ky)))
        if axes.labels and abs(y - oy) > 1e-9 * max(1.0, abs(sty)) and y < y1 - 0.5 * sty:
            out["labels"].append((label(y, sty, ky), px - tl - 3, py, -1, 0))
    if axes.arrows:
        for (p, q) in (a, b):
            out["arrows"].append(arrow_head(p, q, 9.0, 4.0))
    if axes.x_name:
        px, py = a[1]
        out["labels"].append((axes.x_name, px - 2, py + tl + 2 + fs * 0.55, -1, 0))
    if axes.y_name:
        px, py = b[1]
        out["labels"].append((axes.y_name, px + tl + 4, py + 2, 1, 0))
    return out


def arrow_head(p, q, length: float, half_width: float):
    """Triangle (3 points) of an arrow head at ``q`` pointing from ``p`` to ``q``."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    bx, by = q[0] - ux * length, q[1] - uy * length
    return ((q[0], q[1]), (bx - uy * half_width, by + ux * half_width), (bx + uy * half_width, by - ux * half_width))


def clip_line(p, d, box, t_min=-math.inf, t_max=math.inf):
    """Parameter interval [t0, t1] of the points p + t d inside ``box`` (x0, y0, x1, y1), or None."""
    t0, t1 = t_min, t_max
    for pc, dc, lo, hi in ((p[0], d[0], box[0], box[2]), (p[1], d[1], box[1], box[3])):
        if abs(dc) < 1e-300:
            if pc < lo or pc > hi:
                return None
            continue
        a, b = (lo - pc) / dc, (hi - pc) / dc
        if a > b:
            a, b = b, a
        t0, t1 = max(t0, a), min(t1, b)
    if t0 > t1 or not (math.isfinite(t0) and math.isfinite(t1)):
        return None
    return t0, t1


def _paint(ctx, rgba, op, width=None) -> ir.Paint:
    """Fill paint, or a butt-capped stroke of ``width``, of ``rgba`` times ``op`` (reused across frames)."""
    key = ("axes", rgba, op, width)
    cache = ctx.cache.setdefault("axes_paints", {})
    paint = cache.get(key)
    if paint is None:
        if len(cache) > 64:
            cache.clear()
        c = (rgba[0], rgba[1], rgba[2], rgba[3] * op)
        paint = cache[key] = ir.Paint(c) if width is None else ir.Paint(c, True, width)
    return paint


def axes_items(ctx, axes: Axes, g: dict, font: str, op: float) -> list:
    """Display-list items of :func:`axes_geometry` ``g``: grid lines, axis lines and ticks, arrow heads,
    then the tick labels in ``font``; colours times ``op``."""
    items = []
    if axes.grid and g["grid"]:
        paint = _paint(ctx, axes.grid_color, op, 1.0)
        items += [ir.Draw(ir.Line(*sg), paint) for sg in g["grid"]]
    if axes.width > 0:
        paint = _paint(ctx, axes.color, op, axes.width)
        items += [ir.Draw(ir.Line(*sg), paint) for sg in g["axes"] + g["ticks"]]
        fp = _paint(ctx, axes.color, op)
        items += [ir.Draw(ir.Path.polyline(tri, closed=True), fp) for tri in g["arrows"]]
    return items + tick_label_items(ctx, font, axes, g["labels"], op)


def tick_label_items(ctx, font: str, axes: Axes, labels, op: float) -> list:
    """Glyph items of tick labels ``(text, x, y, side_x, side_y)``: side -1 puts the text left of x, 0
    centres it."""
    if not labels:
        return []
    chain = ctx.font_chain(font)
    paint = _paint(ctx, axes.color, op)
    items = []
    for text, x, y, sx, _ in labels:
        lay = layout_text(text, chain, axes.font_size)
        x0, y0, x1, y1 = lay.bounds
        cx = x + sx * (x1 - x0) / 2
        items += lay.glyph_items(paint, dx=cx - (x0 + x1) / 2, dy=y - (y0 + y1) / 2)
    return items
