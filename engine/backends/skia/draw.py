"""Drawing IR items on a skia.Canvas.

Native objects (skia.Paint, skia.Path, skia.TextBlob) are cached on the IR objects' ``native`` slot,
so IR objects a node reuses across frames are converted once. Rect / Oval / Line geometry uses
Skia's direct calls (drawRect, drawRRect, drawOval, drawLine), which are faster than paths.
"""
from __future__ import annotations

import numpy as np
import skia

from ... import ir
from .fonts import skia_font
from .paths import native_path

_KEY = "skia"
_CAPS = {"butt": skia.Paint.Cap.kButt_Cap, "round": skia.Paint.Cap.kRound_Cap,
         "square": skia.Paint.Cap.kSquare_Cap}
_JOINS = {"miter": skia.Paint.Join.kMiter_Join, "round": skia.Paint.Join.kRound_Join,
          "bevel": skia.Paint.Join.kBevel_Join}
_BLEND = {"src_over": skia.BlendMode.kSrcOver, "src": skia.BlendMode.kSrc, "dst_in": skia.BlendMode.kDstIn,
          "dst_out": skia.BlendMode.kDstOut, "multiply": skia.BlendMode.kMultiply,
          "screen": skia.BlendMode.kScreen, "plus": skia.BlendMode.kPlus, "clear": skia.BlendMode.kClear}

#: name -> function(backend, canvas, effect) drawing a named procedural effect
EFFECTS: dict = {}


def register_effect(name: str):
    """Decorator: implement the IR effect ``name`` for this backend."""
    def deco(fn):
        EFFECTS[name] = fn
        return fn
    return deco


def skia_matrix(m) -> skia.Matrix:
    """2x3 affine (numpy) -> skia.Matrix."""
    (a, b, c), (d, e, f) = m.tolist()
    return skia.Matrix.MakeAll(a, b, c, d, e, f, 0.0, 0.0, 1.0)


# base paints without path effects, shared between IR paints of the same style
# (keyword construction is slow in skia-python)
_BASES: dict = {}


def native_paint(p: ir.Paint) -> skia.Paint:
    nat = p.native
    if nat is not None and nat[0] == _KEY:
        return nat[1]
    c = p.color
    key = (c, p.stroke, p.width, p.cap, p.join, p.miter, p.antialias, p.blend) if p.stroke else \
        (c, p.antialias, p.blend)
    base = _BASES.get(key)
    if base is None:
        if p.stroke:
            base = skia.Paint(Color4f=skia.Color4f(*c), AntiAlias=p.antialias, Style=skia.Paint.kStroke_Style,
                              StrokeWidth=p.width, StrokeCap=_CAPS[p.cap], StrokeJoin=_JOINS[p.join],
                              StrokeMiter=p.miter)
        else:
            base = skia.Paint(Color4f=skia.Color4f(*c), AntiAlias=p.antialias, Style=skia.Paint.kFill_Style)
        if p.blend != "src_over":
            base.setBlendMode(_BLEND[p.blend])
        if len(_BASES) > 1024:
            _BASES.clear()
        _BASES[key] = base
    effect = None
    if p.corner > 0:
        effect = skia.CornerPathEffect.Make(p.corner)
    if p.stroke:
        if p.trim is not None:
            t = skia.TrimPathEffect.Make(p.trim[0], p.trim[1])
            effect = t if effect is None else skia.PathEffect.MakeCompose(t, effect)
        if p.dash:
            d = skia.DashPathEffect.Make(list(p.dash), p.dash_offset)
            effect = d if effect is None else skia.PathEffect.MakeCompose(d, effect)
    if effect is None:
        paint = base
    else:
        paint = skia.Paint(base)
        paint.setPathEffect(effect)
    p.native = (_KEY, paint)
    return paint


def glyph_blob(run: ir.GlyphRun) -> skia.TextBlob | None:
    """Text blob of a glyph run (cached on the run)."""
    nat = run.native
    if nat is not None and nat[0] == _KEY:
        return nat[1]
    blob = None
    if len(run.glyphs):
        builder = skia.TextBlobBuilder()
        font = skia_font(run.font, run.size)
        gids = run.glyphs.tolist()
        xf = run.xforms
        if run.rotated:
            builder.allocRunRSXform(font, gids, [skia.RSXform(*r) for r in xf.tolist()])
        else:
            builder.allocRunPos(font, gids, [skia.Point(r[2], r[3]) for r in xf.tolist()])
        blob = builder.make()
    run.native = (_KEY, blob)
    return blob


_LINEAR = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kNone)
_NEAREST = skia.SamplingOptions(skia.FilterMode.kNearest, skia.MipmapMode.kNone)


def _draw_image(canvas, it: ir.Image):
    nat = it.native
    if nat is not None and nat[0] == _KEY:
        image, paint = nat[1]
    else:
        # wraps the (read-only) array without copying; the IR item keeps it alive
        image = skia.Image.fromarray(it.pixels, colorType=skia.ColorType.kRGBA_8888_ColorType,
                                     alphaType=skia.AlphaType.kPremul_AlphaType, copy=False)
        paint = skia.Paint(AntiAlias=True)
        if it.opacity < 1.0:
            paint.setAlphaf(max(0.0, float(it.opacity)))
        it.native = (_KEY, (image, paint))
    canvas.drawImageRect(image, skia.Rect.MakeLTRB(*it.src), skia.Rect.MakeLTRB(*it.dst),
                         _LINEAR if it.smooth else _NEAREST, paint, skia.Canvas.kFast_SrcRectConstraint)


def _draw_geom(canvas, g, paint):
    t = type(g)
    if t is ir.Rect:
        r = skia.Rect.MakeLTRB(g.x0, g.y0, g.x1, g.y1)
        if g.rx > 0 or g.ry > 0:
            canvas.drawRRect(skia.RRect.MakeRectXY(r, g.rx, g.ry), paint)
        else:
            canvas.drawRect(r, paint)
    elif t is ir.Oval:
        if g.x1 - g.x0 == g.y1 - g.y0:
            canvas.drawCircle((g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2, (g.x1 - g.x0) / 2, paint)
        else:
            canvas.drawOval(skia.Rect.MakeLTRB(g.x0, g.y0, g.x1, g.y1), paint)
    elif t is ir.Line:
        canvas.drawLine(g.x0, g.y0, g.x1, g.y1, paint)
    else:
        canvas.drawPath(native_path(g), paint)


def _clip(canvas, clip: ir.Clip):
    g = clip.geom
    if type(g) is ir.Rect and g.rx == 0 and g.ry == 0:
        canvas.clipRect(skia.Rect.MakeLTRB(g.x0, g.y0, g.x1, g.y1), clip.antialias)
    else:
        canvas.clipPath(native_path(g), skia.ClipOp.kIntersect, clip.antialias)


class SkiaBackend:
    """Draws display lists with Skia; stateless apart from the caches on the IR objects."""

    name = _KEY

    def new_frame(self, width: int, height: int):
        """``(array (H, W, 4) uint8, skia.Surface drawing into it)``."""
        arr = np.zeros((height, width, 4), dtype=np.uint8)
        return arr, skia.Surface(arr)

    def render(self, frame: ir.Frame) -> np.ndarray:
        """The frame as premultiplied RGBA uint8 (H, W, 4)."""
        arr, surface = self.new_frame(frame.width, frame.height)
        with surface as canvas:
            self.draw(canvas, frame)
        return arr

    def render_into(self, frame: ir.Frame, out: np.ndarray) -> None:
        """Draw the frame into ``out``, a C-contiguous (H, W, 4) uint8 array (e.g. a shared-memory slot)."""
        with skia.Surface(out) as canvas:
            self.draw(canvas, frame)

    def draw(self, canvas: skia.Canvas, frame: ir.Frame, clear: bool = True):
        if clear:
            bg = frame.background
            canvas.clear(skia.Color4f(*bg) if bg is not None else skia.Color4f(0, 0, 0, 0))
        self.draw_items(canvas, frame.items)

    def draw_items(self, canvas: skia.Canvas, items):
        for it in items:
            t = type(it)
            if t is ir.Draw:
                _draw_geom(canvas, it.geom, native_paint(it.paint))
            elif t is ir.Glyphs:
                blob = glyph_blob(it.run)
                if blob is not None:
                    canvas.drawTextBlob(blob, it.dx, it.dy, native_paint(it.paint))
            elif t is ir.Group:
                self._group(canvas, it)
            elif t is ir.Effect:
                fn = EFFECTS.get(it.name)
                if fn is not None:
                    fn(self, canvas, it)
                else:
                    self.draw_items(canvas, it.fallback)
            elif t is ir.Image:
                if it.opacity > 0:
                    _draw_image(canvas, it)
            elif t is ir.MaskRegion:
                continue
            else:
                raise TypeError(f"not an IR item: {t.__name__}")

    def _group(self, canvas, g: ir.Group):
        canvas.save()
        if g.matrix is not None:
            canvas.concat(skia_matrix(g.matrix))
        if g.clip is not None:
            _clip(canvas, g.clip)
        if g.shadow is not None:
            s = g.shadow
            c = skia.Color4f(*s.color).toColor()
            flt = skia.ImageFilters.DropShadowOnly(s.dx, s.dy, s.sigma, s.sigma, c) if s.only else \
                skia.ImageFilters.DropShadow(s.dx, s.dy, s.sigma, s.sigma, c)
            paint = skia.Paint(ImageFilter=flt)
            if g.opacity < 1.0:
                paint.setAlphaf(g.opacity)
            canvas.saveLayer(None, paint)
            self.draw_items(canvas, g.items)
            canvas.restore()
        elif g.opacity < 1.0:
            canvas.saveLayerAlpha(None, int(round(g.opacity * 255)))
            self.draw_items(canvas, g.items)
            canvas.restore()
        else:
            self.draw_items(canvas, g.items)
        canvas.restore()

    # -- masks --------------------------------------------------------------------------------
    def coverage(self, items, width: int, height: int, matrix=None, window=None) -> np.ndarray:
        """8-bit alpha (H, W) that ``items`` draw (as drawn: paints' colours and opacity), optionally in a
        ``window`` (x0, y0, x1, y1) of the canvas only (the array is then the window's size)."""
        x0, y0, x1, y1 = window if window is not None else (0, 0, width, height)
        w, h = x1 - x0, y1 - y0
        buf = np.zeros((h, w), dtype=np.uint8)
        info = skia.ImageInfo.Make(w, h, skia.kAlpha_8_ColorType, skia.kPremul_AlphaType)
        surface = skia.Surface.MakeRasterDirect(info, buf, w)
        canvas = surface.getCanvas()
        if x0 or y0:
            canvas.translate(-x0, -y0)
        if matrix is not None:
            canvas.concat(skia_matrix(matrix))
        self.draw_items(canvas, items)
        del canvas, surface
        return buf

    def class_fill(self, shapes, width: int, height: int) -> np.ndarray:
        """uint8 (H, W) label image: ``shapes`` = [(geom, matrix or None, class id, stroke Paint or None)]
        filled (or stroked) without antialiasing, later shapes over earlier ones."""
        buf = np.zeros((height, width, 4), np.uint8)
        surface = skia.Surface(buf)
        with surface as canvas:
            for geom, m, cid, stroke in shapes:
                paint = skia.Paint(Color=skia.Color(cid, 0, 0, 255), AntiAlias=False, BlendMode=skia.BlendMode.kSrc)
                if stroke is not None:
                    paint.setStyle(skia.Paint.kStroke_Style)
                    paint.setStrokeWidth(stroke.width)
                    paint.setStrokeCap(_CAPS[stroke.cap])
                    paint.setStrokeJoin(_JOINS[stroke.join])
                canvas.save()
                if m is not None:
                    canvas.concat(skia_matrix(m))
                _draw_geom(canvas, geom, paint)
                canvas.restore()
        return buf[:, :, 0].copy()
