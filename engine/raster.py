"""Skia rasterisation of compiled scenes: one frame is a pure function of (scene, t)."""
from __future__ import annotations

import math

import numpy as np
import skia

from .compile import CompiledScene, NodeEntry
from .errors import SceneError
from .fonts_access import chain_for
from .primitives.base import Shape
from .primitives.text import Text
from .typeset import layout_text

_CAPS = {"butt": skia.Paint.Cap.kButt_Cap, "round": skia.Paint.Cap.kRound_Cap,
         "square": skia.Paint.Cap.kSquare_Cap}
_JOINS = {"miter": skia.Paint.Join.kMiter_Join, "round": skia.Paint.Join.kRound_Join,
          "bevel": skia.Paint.Join.kBevel_Join}


def skia_matrix(m) -> skia.Matrix:
    """2x3 affine (numpy) -> skia.Matrix."""
    return skia.Matrix.MakeAll(float(m[0, 0]), float(m[0, 1]), float(m[0, 2]),
                               float(m[1, 0]), float(m[1, 1]), float(m[1, 2]), 0.0, 0.0, 1.0)


def _colour(rgba, opacity: float) -> skia.Color4f:
    return skia.Color4f(rgba[0], rgba[1], rgba[2], rgba[3] * opacity)


class Renderer:
    """Draws frames of one compiled scene. Holds per-process caches of Skia objects."""

    def __init__(self, compiled: CompiledScene):
        self.c = compiled
        self.canvas_def = compiled.canvas
        self.width, self.height = compiled.canvas.width, compiled.canvas.height
        self._paths: dict = {}
        self._chains: dict = {}
        self._node_cache: dict = {}
        self._paint_cache: dict = {}
        self._stroke_bases: dict = {}
        self._prepare()

    # -- preparation: resolve fonts and lay out static text so errors surface before drawing
    def _prepare(self):
        scene = self.c.scene
        for e in self.c.entries:
            if isinstance(e.node, Text):
                try:
                    self._chains[e.index] = chain_for(e.node.font, scene.fonts, self.c.base_dir)
                    self.layout(e, e.static if not e.animated else self.c.props(e, self.c.sample([0.0])[0][0]))
                except SceneError as exc:
                    raise SceneError(exc.message, e.path + (exc.path or ("font",))) from None
            elif hasattr(e.node, "prepare"):
                # custom nodes validate/resolve resources up front so errors carry the node's path
                p = e.static if not e.animated else self.c.props(e, self.c.sample([0.0])[0][0])
                try:
                    e.node.prepare(DrawContext(self, e, p, 1.0, None, None))
                except SceneError as exc:
                    raise SceneError(exc.message, e.path + exc.path) from None

    def layout(self, e: NodeEntry, p):
        n = e.node
        chain = self._chains[e.index]
        spans = None
        if n.spans is not None:
            cache = self._node_cache.setdefault(e.index, {})
            chains = cache.get("span_chains")
            if chains is None:
                chains = []
                for i, s in enumerate(n.spans):
                    try:
                        chains.append(chain if s.font is None else chain_for(s.font, self.c.scene.fonts,
                                                                              self.c.base_dir))
                    except SceneError as exc:
                        raise SceneError(exc.message, ("spans", i, "font")) from None
                cache["span_chains"] = chains
            size = p["size"]
            spans = tuple((s.text, chains[i], size if s.size is None else s.size) for i, s in enumerate(n.spans))
        return layout_text(n.text, chain, p["size"], p["letter_spacing"], n.line_height, n.align, n.valign,
                           n.coverage, spans=spans, width=n.width, direction=n.direction, base_direction=n.bidi,
                           fit=n.fit, max_height=n.max_height, path=n.path, path_offset=p["path_offset"])

    def local_path(self, e: NodeEntry, p) -> skia.Path:
        if e.geometry_static:
            path = self._paths.get(e.index)
            if path is None:
                path = self._paths[e.index] = e.node.local_path(p)
            return path
        return e.node.local_path(p)

    # -- drawing -------------------------------------------------------------------
    def new_frame(self) -> tuple:
        arr = np.zeros((self.height, self.width, 4), dtype=np.uint8)
        surface = skia.Surface(arr)
        return arr, surface

    def draw(self, canvas: skia.Canvas, t: float, row, world, opacity, clear: bool = True):
        """Draw the scene at time ``t`` given its sampled row / matrices (from CompiledScene.sample)."""
        bg = self.canvas_def.background
        if clear:
            canvas.clear(skia.Color4f(*bg) if bg is not None else skia.Color4f(0, 0, 0, 0))
        for e in self.c.entries:
            if not (e.window[0] <= t < e.window[1]):
                continue
            op = float(opacity[e.index])
            if op <= 0.0 or not isinstance(e.node, Shape):
                continue
            p = self.c.props(e, row)
            canvas.save()
            canvas.concat(skia_matrix(world[e.index]))
            if isinstance(e.node, Text):
                self._draw_text(canvas, e, p, op)
            else:
                self._draw_shape(canvas, e, p, op)
            canvas.restore()

    def _fill_paint(self, rgba, op) -> skia.Paint:
        return skia.Paint(Color4f=_colour(rgba, op), AntiAlias=True, Style=skia.Paint.kFill_Style)

    def _stroke_paint(self, p, op) -> skia.Paint | None:
        if p.get("stroke") is None:
            return None
        width = p["stroke.width"]
        color = p["stroke.color"]
        if width <= 0 or color[3] <= 0:
            return None
        key = (color, op, width, p["stroke.cap"], p["stroke.join"], p["stroke.miter_limit"])
        base = self._stroke_bases.get(key)
        if base is None:
            # keyword construction is slow in skia-python; animated dash offsets reuse a base paint
            base = skia.Paint(Color4f=_colour(color, op), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                              StrokeWidth=width, StrokeCap=_CAPS[p["stroke.cap"]],
                              StrokeJoin=_JOINS[p["stroke.join"]], StrokeMiter=p["stroke.miter_limit"])
            if len(self._stroke_bases) > 256:
                self._stroke_bases.clear()
            self._stroke_bases[key] = base
        effect = None
        t0, t1 = p["stroke.trim"]
        if t0 > 0.0 or t1 < 1.0:
            if t1 <= t0:
                return None
            effect = skia.TrimPathEffect.Make(t0, t1)
        dash = p["stroke.dash"]
        if dash:
            d = skia.DashPathEffect.Make(list(dash), p["stroke.dash_offset"])
            effect = d if effect is None else skia.PathEffect.MakeCompose(d, effect)
        if effect is None:
            return base
        paint = skia.Paint(base)
        paint.setPathEffect(effect)
        return paint

    def _draw_shape(self, canvas, e, p, op):
        if hasattr(e.node, "draw_custom"):
            fill = p.get("fill")
            ctx = DrawContext(self, e, p, op, self._fill_paint(fill, op) if fill is not None and fill[3] > 0 else None,
                              self._stroke_paint(p, op))
            e.node.draw_custom(canvas, ctx)
            return
        path = self.local_path(e, p)
        node = e.node
        fp, sp = self._paints(e, p, op)
        if fp is not None:
            node.draw_geometry(canvas, p, fp, path)
        if sp is not None:
            node.draw_geometry(canvas, p, sp, path)

    def _paints(self, e: NodeEntry, p, op):
        """Fill and stroke paints; reused across frames while the node's style and opacity are unchanged."""
        cached = self._paint_cache.get(e.index)
        if cached is not None and cached[0] == op:
            return cached[1], cached[2]
        fill = p.get("fill")
        fp = self._fill_paint(fill, op) if fill is not None and fill[3] > 0 else None
        sp = self._stroke_paint(p, op)
        if e.style_static:
            self._paint_cache[e.index] = (op, fp, sp)
        return fp, sp

    def _draw_text(self, canvas, e, p, op):
        lay = self.layout(e, p)
        cached = self._paint_cache.get(e.index)
        if cached is not None and cached[0] == op:
            fill_paints, sp = cached[1], cached[2]
        else:
            fill = p.get("fill")
            spans = e.node.spans or ()
            fills = [s.fill if s.fill is not None else fill for s in spans] or [fill]
            fill_paints = [self._fill_paint(f, op) if f is not None and f[3] > 0 else None for f in fills]
            sp = self._stroke_paint(p, op)
            if e.style_static:
                self._paint_cache[e.index] = (op, fill_paints, sp)
        if sp is None and not any(fill_paints):
            return
        shown, partial = reveal_count(len(lay.chars), p["reveal"], e.node.reveal_mode)

        def draw_all(alpha: float = 1.0):
            for stroke in (False, True):
                if stroke and sp is None:
                    continue
                for getter, a in ((lay.styled_blobs_upto, 1.0), (lay.styled_blobs_for_char, partial)):
                    if a <= 0.0:
                        continue
                    for span, blob in getter(shown):
                        paint = sp if stroke else fill_paints[span if span < len(fill_paints) else 0]
                        if paint is None:
                            continue
                        if a * alpha < 1.0:
                            paint = skia.Paint(paint)
                            paint.setAlphaf(paint.getAlphaf() * a * alpha)
                        canvas.drawTextBlob(blob, 0, 0, paint)

        if p.get("shadow") is not None:
            colour = p["shadow.color"]
            if colour[3] > 0:
                dx, dy = p["shadow.offset"]
                sigma = p["shadow.blur"]
                # the layer's glyph alpha already carries the opacity
                flt = skia.ImageFilters.DropShadowOnly(dx, dy, sigma, sigma, _colour(colour, 1.0).toColor())
                canvas.saveLayer(None, skia.Paint(ImageFilter=flt))
                draw_all()
                canvas.restore()
        draw_all()

    # -- convenience
    def render(self, t: float) -> np.ndarray:
        samples, world, opacity = self.c.sample([t])
        arr, surface = self.new_frame()
        with surface as canvas:
            self.draw(canvas, t, samples[0], world[0], opacity[0])
        return arr


class DrawContext:
    """What a node with its own drawing code (``draw_custom``/``annotate_custom``) gets.

    ``p``: current property values; ``fill``/``stroke``: ready Skia paints (None when not drawn),
    already multiplied by the world ``opacity``; ``font_chain(name)``: resolve a font name/alias to
    ``((font name, file path), ...)``; ``cache``: per-node dict that lives as long as the renderer.
    """

    def __init__(self, renderer: "Renderer", entry: NodeEntry, p: dict, opacity: float, fill, stroke):
        self.renderer, self.entry, self.p, self.opacity = renderer, entry, p, opacity
        self.fill, self.stroke = fill, stroke
        self.scene = renderer.c.scene
        self.cache = renderer._node_cache.setdefault(entry.index, {})

    def font_chain(self, name: str) -> tuple:
        key = ("chain", name)
        if key not in self.cache:
            self.cache[key] = chain_for(name, self.scene.fonts, self.renderer.c.base_dir)
        return self.cache[key]


def reveal_count(n_chars: int, reveal: float, mode: str) -> tuple:
    """How many characters are fully shown, and the opacity of the next one (fade mode)."""
    if reveal >= 1.0:
        return n_chars, 0.0
    x = reveal * n_chars
    shown = int(math.floor(x + 1e-9))
    partial = (x - shown) if mode == "fade" else 0.0
    return shown, partial
