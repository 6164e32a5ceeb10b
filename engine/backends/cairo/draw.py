"""Drawing IR items with Cairo (cairocffi): raster frames, and SVG / PDF pages.

Cairo has affine matrices, paths of lines and cubics, dashes, caps, joins, groups and operators;
what it lacks is made here from the IR's own data, so both backends draw the same shapes:

* quads become cubics exactly; conics become cubics with the standard weight fit
  (k = 4w / 3(1 + w): exact for w = 1, the usual 0.5523 circle constant for quarter arcs);
* trims are cut from the flattened outline (fraction of the total length of all contours);
* text is drawn as glyph outlines read by FreeType from the same font files (no system fonts);
* drop shadows are blurred in NumPy (separable Gaussian of the layer's alpha);
* named effects Cairo has no drawer for (e.g. ``asphalt_noise``) draw their documented ``fallback``.
Corner rounding (``Paint.corner``) is not implemented: such paints draw sharp corners.
"""
from __future__ import annotations

import math

import cairocffi as cairo
import numpy as np

from ... import ir
from .glyphs import glyph_path

_CAPS = {"butt": cairo.LINE_CAP_BUTT, "round": cairo.LINE_CAP_ROUND, "square": cairo.LINE_CAP_SQUARE}
_JOINS = {"miter": cairo.LINE_JOIN_MITER, "round": cairo.LINE_JOIN_ROUND, "bevel": cairo.LINE_JOIN_BEVEL}
_OPS = {"src_over": cairo.OPERATOR_OVER, "src": cairo.OPERATOR_SOURCE, "dst_in": cairo.OPERATOR_DEST_IN,
        "dst_out": cairo.OPERATOR_DEST_OUT, "multiply": cairo.OPERATOR_MULTIPLY, "screen": cairo.OPERATOR_SCREEN,
        "plus": cairo.OPERATOR_ADD, "clear": cairo.OPERATOR_CLEAR}
_RULES = {"nonzero": cairo.FILL_RULE_WINDING, "evenodd": cairo.FILL_RULE_EVEN_ODD}

#: name -> function(backend, ctx, effect) for the named effects this backend implements (none yet)
EFFECTS: dict = {}


def cairo_matrix(m) -> cairo.Matrix:
    """2x3 affine (numpy) -> cairo.Matrix (xx, yx, xy, yy, x0, y0)."""
    return cairo.Matrix(float(m[0, 0]), float(m[1, 0]), float(m[0, 1]), float(m[1, 1]), float(m[0, 2]),
                        float(m[1, 2]))


def _append_path(ctx, path: ir.Path):
    """Add an IR path's contours to the context's current path (in the current user space)."""
    pts = path.points.tolist()
    weights = path.weights.tolist() if path.weights is not None else ()
    k = w = 0
    cur = start = (0.0, 0.0)
    for v in path.verbs.tolist():
        if v == ir.MOVE:
            cur = start = pts[k]
            ctx.move_to(*cur)
            k += 1
        elif v == ir.LINE:
            cur = pts[k]
            ctx.line_to(*cur)
            k += 1
        elif v == ir.QUAD or v == ir.CONIC:
            (cx, cy), end = pts[k], pts[k + 1]
            f = 2.0 / 3.0
            if v == ir.CONIC:
                wt = weights[w]
                w += 1
                f = 4.0 * wt / (3.0 * (1.0 + wt))
            ctx.curve_to(cur[0] + f * (cx - cur[0]), cur[1] + f * (cy - cur[1]),
                         end[0] + f * (cx - end[0]), end[1] + f * (cy - end[1]), end[0], end[1])
            cur = end
            k += 2
        elif v == ir.CUBIC:
            a, b, c = pts[k], pts[k + 1], pts[k + 2]
            ctx.curve_to(a[0], a[1], b[0], b[1], c[0], c[1])
            cur = c
            k += 3
        elif v == ir.CLOSE:
            ctx.close_path()
            cur = start


def _rounded_rect(ctx, g: ir.Rect):
    rx = min(g.rx, (g.x1 - g.x0) / 2)
    ry = min(g.ry, (g.y1 - g.y0) / 2)
    if rx <= 0 or ry <= 0:
        ctx.rectangle(g.x0, g.y0, g.x1 - g.x0, g.y1 - g.y0)
        return
    k = 0.5522847498307936  # cubic fit of a quarter ellipse, as Skia builds rounded rects
    x0, y0, x1, y1 = g.x0, g.y0, g.x1, g.y1
    ctx.move_to(x0 + rx, y0)
    ctx.line_to(x1 - rx, y0)
    ctx.curve_to(x1 - rx + k * rx, y0, x1, y0 + ry - k * ry, x1, y0 + ry)
    ctx.line_to(x1, y1 - ry)
    ctx.curve_to(x1, y1 - ry + k * ry, x1 - rx + k * rx, y1, x1 - rx, y1)
    ctx.line_to(x0 + rx, y1)
    ctx.curve_to(x0 + rx - k * rx, y1, x0, y1 - ry + k * ry, x0, y1 - ry)
    ctx.line_to(x0, y0 + ry)
    ctx.curve_to(x0, y0 + ry - k * ry, x0 + rx - k * rx, y0, x0 + rx, y0)
    ctx.close_path()


def _oval(ctx, g: ir.Oval):
    cx, cy = (g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2
    rx, ry = (g.x1 - g.x0) / 2, (g.y1 - g.y0) / 2
    if rx <= 0 or ry <= 0:
        return
    ctx.save()
    ctx.translate(cx, cy)
    ctx.scale(rx, ry)
    # start at the right-most point, clockwise on screen: the contour Skia builds for circles
    ctx.move_to(1.0, 0.0)
    ctx.arc(0.0, 0.0, 1.0, 0.0, 2 * math.pi)
    ctx.close_path()
    ctx.restore()


def set_geom(ctx, g):
    """Make ``g`` (any IR geometry) the current path."""
    ctx.new_path()
    t = type(g)
    if t is ir.Path:
        _append_path(ctx, g)
    elif t is ir.Rect:
        _rounded_rect(ctx, g)
    elif t is ir.Oval:
        _oval(ctx, g)
    elif t is ir.Line:
        ctx.move_to(g.x0, g.y0)
        ctx.line_to(g.x1, g.y1)
    else:
        raise TypeError(f"not an IR geometry: {t.__name__}")


def _trim_current_path(ctx, t0: float, t1: float):
    """Replace the current path by the part between fractions t0..t1 of its total (flattened) length."""
    flat = ctx.copy_path_flat()
    contours, cur, start = [], None, None
    for kind, pts in flat:
        if kind == cairo.PATH_MOVE_TO:
            cur = [pts]
            start = pts
            contours.append(cur)
        elif kind == cairo.PATH_LINE_TO and cur is not None:
            cur.append(pts)
        elif kind == cairo.PATH_CLOSE_PATH and cur is not None:
            cur.append(start)
    lengths = [np.hypot(*np.diff(np.asarray(c, dtype=np.float64), axis=0).T) if len(c) > 1 else np.zeros(0)
               for c in contours]
    total = float(sum(seg.sum() for seg in lengths))
    ctx.new_path()
    if total <= 0:
        return
    a, b = t0 * total, t1 * total
    offset = 0.0
    for c, seg in zip(contours, lengths):
        cum = np.concatenate(([0.0], np.cumsum(seg))) + offset
        offset = cum[-1]
        lo, hi = max(a, cum[0]), min(b, cum[-1])
        if hi <= lo:
            continue
        pts = np.asarray(c, dtype=np.float64)
        inside = (cum > lo) & (cum < hi)
        p_lo = np.array([np.interp(lo, cum, pts[:, 0]), np.interp(lo, cum, pts[:, 1])])
        p_hi = np.array([np.interp(hi, cum, pts[:, 0]), np.interp(hi, cum, pts[:, 1])])
        ctx.move_to(*p_lo)
        for q in pts[inside]:
            ctx.line_to(*q)
        ctx.line_to(*p_hi)


def _apply_paint(ctx, p: ir.Paint):
    c = p.color
    ctx.set_source_rgba(c[0], c[1], c[2], c[3])
    ctx.set_operator(_OPS[p.blend])
    ctx.set_antialias(cairo.ANTIALIAS_DEFAULT if p.antialias else cairo.ANTIALIAS_NONE)
    if p.stroke:
        ctx.set_line_width(p.width)
        ctx.set_line_cap(_CAPS[p.cap])
        ctx.set_line_join(_JOINS[p.join])
        ctx.set_miter_limit(p.miter)
        if p.dash:
            ctx.set_dash(list(p.dash), p.dash_offset)
        else:
            ctx.set_dash([])


def _paint_current_path(ctx, p: ir.Paint, fill_rule: str = "nonzero"):
    _apply_paint(ctx, p)
    if p.stroke:
        if p.width <= 0:
            ctx.new_path()
            return
        if p.trim is not None:
            _trim_current_path(ctx, *p.trim)
        ctx.stroke()
    else:
        ctx.set_fill_rule(_RULES[fill_rule])
        ctx.fill()


def _glyph_run_path(ctx, run: ir.GlyphRun, dx: float, dy: float):
    """Current path = every glyph outline of ``run`` placed by its xform, in the current user space."""
    ctx.new_path()
    base = ctx.get_matrix()
    s = float(run.size)
    for gid, (sc, ss, tx, ty) in zip(run.glyphs.tolist(), run.xforms.tolist()):
        outline = glyph_path(run.font, gid)
        if outline.is_empty():
            continue
        # glyph space (em units, y down) -> run space: rotation-scale row times the em size
        ctx.set_matrix(base)
        ctx.transform(cairo.Matrix(sc * s, ss * s, -ss * s, sc * s, tx + dx, ty + dy))
        _append_path(ctx, outline)
    ctx.set_matrix(base)  # the path stays in device space; strokes use the run's own matrix


def _gaussian_alpha(alpha: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a float (H, W) alpha image (edges padded with zeros)."""
    if sigma <= 0:
        return alpha
    r = max(1, int(math.ceil(3 * sigma)))
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    k /= k.sum()
    pad = np.pad(alpha, r)
    rows = np.apply_along_axis(lambda v: np.convolve(v, k, mode="valid"), 1, pad)
    return np.apply_along_axis(lambda v: np.convolve(v, k, mode="valid"), 0, rows)


class CairoBackend:
    """Draws display lists with Cairo into an image, or onto any cairo context (SVG and PDF pages)."""

    name = "cairo"

    def new_frame(self, width: int, height: int):
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        return surface, cairo.Context(surface)

    def render(self, frame: ir.Frame) -> np.ndarray:
        """The frame as premultiplied RGBA uint8 (H, W, 4), like the Skia backend."""
        surface, ctx = self.new_frame(frame.width, frame.height)
        self.draw(ctx, frame)
        return _rgba(surface)

    def render_into(self, frame: ir.Frame, out: np.ndarray) -> None:
        """Draw the frame into ``out`` ((H, W, 4) uint8, premultiplied RGBA)."""
        np.copyto(out, self.render(frame))

    def draw(self, ctx, frame: ir.Frame, clear: bool = True):
        if clear and frame.background is not None:
            ctx.save()
            ctx.set_operator(cairo.OPERATOR_SOURCE)
            ctx.set_source_rgba(*frame.background)
            ctx.paint()
            ctx.restore()
        self.draw_items(ctx, frame.items)

    def draw_items(self, ctx, items):
        for it in items:
            t = type(it)
            if t is ir.Draw:
                g = it.geom
                if type(g) is ir.Line and not it.paint.stroke:
                    continue  # a line has no inside
                set_geom(ctx, g)
                _paint_current_path(ctx, it.paint, getattr(g, "fill_rule", "nonzero"))
            elif t is ir.Glyphs:
                if len(it.run.glyphs):
                    _glyph_run_path(ctx, it.run, it.dx, it.dy)
                    _paint_current_path(ctx, it.paint)
            elif t is ir.Group:
                self._group(ctx, it)
            elif t is ir.Effect:
                fn = EFFECTS.get(it.name)
                if fn is not None:
                    fn(self, ctx, it)
                else:
                    self.draw_items(ctx, it.fallback)
            elif t is ir.Image:
                if it.opacity > 0:
                    _draw_image(ctx, it)
            elif t is ir.MaskRegion:
                continue
            else:
                raise TypeError(f"not an IR item: {t.__name__}")

    def _group(self, ctx, g: ir.Group):
        ctx.save()
        if g.matrix is not None:
            ctx.transform(cairo_matrix(g.matrix))
        if g.clip is not None:
            set_geom(ctx, g.clip.geom)
            ctx.set_antialias(cairo.ANTIALIAS_DEFAULT if g.clip.antialias else cairo.ANTIALIAS_NONE)
            ctx.set_fill_rule(_RULES[getattr(g.clip.geom, "fill_rule", "nonzero")])
            ctx.clip()
        if g.shadow is not None:
            self._shadowed(ctx, g)
        elif g.opacity < 1.0:
            ctx.push_group()
            self.draw_items(ctx, g.items)
            ctx.pop_group_to_source()
            ctx.paint_with_alpha(g.opacity)
        else:
            self.draw_items(ctx, g.items)
        ctx.restore()

    def _shadowed(self, ctx, g: ir.Group):
        """A layer with a drop shadow: the layer's alpha, offset, blurred and tinted, under (or instead
        of) the layer. The blur runs on a device-space image, so vector outputs embed the shadow as an
        image while the content stays vector."""
        s = g.shadow
        target = ctx.get_target()
        dev = ctx.get_matrix()
        x0, y0, x1, y1 = ctx.clip_extents()
        # device-space box of the clip extents
        corners = [dev.transform_point(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        bx0 = int(math.floor(min(c[0] for c in corners)))
        by0 = int(math.floor(min(c[1] for c in corners)))
        bx1 = int(math.ceil(max(c[0] for c in corners)))
        by1 = int(math.ceil(max(c[1] for c in corners)))
        w, h = max(bx1 - bx0, 1), max(by1 - by0, 1)
        layer = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
        lctx = cairo.Context(layer)
        lctx.translate(-bx0, -by0)
        lctx.transform(dev)
        self.draw_items(lctx, g.items)
        layer.flush()
        alpha = _rgba(layer)[:, :, 3].astype(np.float64) / 255.0
        scale = math.sqrt(abs(dev.xx * dev.yy - dev.xy * dev.yx)) or 1.0
        blurred = _gaussian_alpha(alpha, s.sigma * scale)
        ox, oy = dev.transform_distance(s.dx, s.dy)
        shadow = _surface_from_alpha(blurred * s.color[3], s.color)
        ctx.save()
        ctx.identity_matrix()
        ctx.push_group()
        ctx.set_source_surface(shadow, bx0 + ox, by0 + oy)
        ctx.paint()
        if not s.only:
            ctx.set_source_surface(layer, bx0, by0)
            ctx.paint()
        ctx.pop_group_to_source()
        ctx.paint_with_alpha(g.opacity) if g.opacity < 1.0 else ctx.paint()
        ctx.restore()
        del target


def _image_surface(it: ir.Image) -> cairo.ImageSurface:
    """ARGB32 surface of an IR image (premultiplied RGBA -> Cairo's native-endian premultiplied ARGB),
    cached on the item."""
    nat = it.native
    if nat is not None and nat[0] == "cairo":
        return nat[1]
    px = it.pixels
    h, w = px.shape[:2]
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
    stride = surface.get_stride()
    data = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(h, stride)[:, :4 * w].reshape(h, w, 4)
    data[...] = px[:, :, [2, 1, 0, 3]] if np.little_endian else px[:, :, [3, 0, 1, 2]]
    surface.mark_dirty()
    it.native = ("cairo", surface)
    return surface


def _draw_image(ctx, it: ir.Image):
    """The source rectangle mapped onto the destination rectangle, edges clamped (EXTEND_PAD), bilinear or
    nearest like the Skia backend; the destination's edges antialiased."""
    sx0, sy0, sx1, sy1 = it.src
    dx0, dy0, dx1, dy1 = it.dst
    if dx1 <= dx0 or dy1 <= dy0 or sx1 <= sx0 or sy1 <= sy0:
        return
    pattern = cairo.SurfacePattern(_image_surface(it))
    pattern.set_extend(cairo.EXTEND_PAD)
    pattern.set_filter(cairo.FILTER_BILINEAR if it.smooth else cairo.FILTER_NEAREST)
    kx, ky = (sx1 - sx0) / (dx1 - dx0), (sy1 - sy0) / (dy1 - dy0)
    # pattern matrix: user space -> pattern (image) space
    pattern.set_matrix(cairo.Matrix(kx, 0.0, 0.0, ky, sx0 - kx * dx0, sy0 - ky * dy0))
    ctx.save()
    ctx.set_operator(cairo.OPERATOR_OVER)
    ctx.set_antialias(cairo.ANTIALIAS_DEFAULT)
    ctx.new_path()
    ctx.rectangle(dx0, dy0, dx1 - dx0, dy1 - dy0)
    ctx.clip()
    ctx.set_source(pattern)
    if it.opacity < 1.0:
        ctx.paint_with_alpha(float(it.opacity))
    else:
        ctx.paint()
    ctx.restore()


def _rgba(surface) -> np.ndarray:
    """Premultiplied RGBA uint8 copy of an ARGB32 image surface (Cairo stores native-endian ARGB)."""
    surface.flush()
    w, h, stride = surface.get_width(), surface.get_height(), surface.get_stride()
    buf = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(h, stride)[:, :4 * w].reshape(h, w, 4)
    if np.little_endian:
        return buf[:, :, [2, 1, 0, 3]].copy()
    return buf[:, :, [1, 2, 3, 0]].copy()


def _surface_from_alpha(alpha: np.ndarray, color) -> cairo.ImageSurface:
    """An ARGB32 surface filled with ``color`` (straight RGB) at per-pixel ``alpha`` (0..1 floats)."""
    h, w = alpha.shape
    a = np.clip(alpha, 0.0, 1.0)
    px = np.empty((h, w, 4), dtype=np.uint8)
    rgb = np.asarray(color[:3], dtype=np.float64)
    premul = a[..., None] * rgb[None, None, :]
    order = [2, 1, 0] if np.little_endian else [1, 2, 3]
    for dst, src in zip(order, range(3)):
        px[:, :, dst] = np.round(premul[:, :, src] * 255.0)
    px[:, :, 3 if np.little_endian else 0] = np.round(a * 255.0)
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
    stride = surface.get_stride()
    data = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(h, stride)
    data[:, :4 * w] = px.reshape(h, 4 * w)
    surface.mark_dirty()
    return surface
