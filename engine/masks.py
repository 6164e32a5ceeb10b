"""Character-index masks: which visible character covers each pixel.

``char_mask(scene, frame)`` returns ``(mask, mapping)``: ``mask`` is uint16 (H, W) where each pixel holds
``1 + k`` for the k-th entry of ``mapping`` (0 = background), and ``mapping`` is a JSON-ready list of
``{"id": 1 + k, "node": node id, "index": character index in the node's text, "char": the character}``.

Rule (exact, stated): every visible character's glyphs (fill, plus the outline when the node has a stroke;
never the shadow) are rasterised alone with the node's world matrix and Skia's antialiasing into an 8-bit
coverage buffer; a pixel belongs to the character when its coverage is >= ``threshold`` (default 128/255,
i.e. 50%). Characters are visited in drawing order (nodes in scene order, characters in logical order), so
where glyphs overlap the pixel holds the character drawn last. By default occlusion by other nodes drawn on
top is not applied (the mask describes the glyphs, not what remains visible of them); with
``visible_only=True`` a pixel is cleared wherever a node drawn later (shape, text, figure, road: anything)
covers it with drawn coverage >= ``threshold`` at its opacity, so the mask holds what remains visible.
Partially faded characters (``reveal_mode: fade``) count with their full geometry, like in the annotations.
"""
from __future__ import annotations

import math

import numpy as np
import skia

from .compile import CompiledScene
from .primitives.text import Text
from .raster import Renderer, reveal_count, skia_matrix

DEFAULT_THRESHOLD = 128


def char_mask(scene, frame: int = 0, *, t: float | None = None, threshold: int = DEFAULT_THRESHOLD,
              base_dir: str | None = None, renderer: Renderer | None = None, visible_only: bool = False):
    """Character-index mask of ``frame`` (or time ``t`` in seconds) of ``scene``; see the module doc."""
    from .api import _as_scene

    if renderer is None:
        scene, base_dir = _as_scene(scene, base_dir)
        renderer = Renderer(CompiledScene(scene, base_dir))
    c = renderer.c
    if t is None:
        t = float(c.times([frame])[0])
    samples, world, opacity = c.sample([t])
    return frame_char_mask(renderer, t, samples[0], world[0], opacity[0], threshold, visible_only)


def _coverage(r: Renderer, e, p, m, op: float) -> np.ndarray:
    """The alpha one node draws alone (uint8, H x W), as ``Renderer.draw`` would draw it."""
    buf = np.zeros((r.height, r.width), dtype=np.uint8)
    info = skia.ImageInfo.Make(r.width, r.height, skia.kAlpha_8_ColorType, skia.kPremul_AlphaType)
    canvas = skia.Surface.MakeRasterDirect(info, buf, r.width).getCanvas()
    canvas.concat(skia_matrix(m))
    if isinstance(e.node, Text):
        r._draw_text(canvas, e, p, op)
    else:
        r._draw_shape(canvas, e, p, op)
    return buf


def frame_char_mask(r: Renderer, t: float, row, world, opacity, threshold: int = DEFAULT_THRESHOLD,
                    visible_only: bool = False):
    """Mask and mapping from already sampled properties (same inputs as ``Renderer.draw``)."""
    from .primitives import Shape

    h, w = r.height, r.width
    mask = np.zeros((h, w), dtype=np.uint16)
    mapping = []
    for e in r.c.entries:
        if not (e.window[0] <= t < e.window[1]) or opacity[e.index] <= 0:
            continue
        covers = visible_only and mapping and isinstance(e.node, Shape)
        if not (covers or isinstance(e.node, Text)):
            continue
        p = r.c.props(e, row)
        if covers:
            # whatever this node draws hides the characters drawn before it
            mask[_coverage(r, e, p, world[e.index], float(opacity[e.index])) >= threshold] = 0
        if not isinstance(e.node, Text):
            continue
        lay = r.layout(e, p)
        shown, partial = reveal_count(len(lay.chars), p["reveal"], e.node.reveal_mode)
        n_vis = shown + (1 if partial > 0 else 0)
        if not n_vis:
            continue
        m = world[e.index]
        mat = skia_matrix(m)
        # coverage is taken with each span's own opaque colour: Skia's glyph masks depend a little on the
        # luminance of the paint (text contrast), so this reproduces the drawn coverage exactly
        fill = p.get("fill")
        spans = e.node.spans or ()
        fills = [s.fill if s.fill is not None else fill for s in spans] or [fill]
        fill_paints = [None if f is None or f[3] <= 0 else
                       skia.Paint(AntiAlias=True, Color4f=skia.Color4f(f[0], f[1], f[2], 1.0)) for f in fills]
        sp = r._stroke_paint(p, 1.0)
        if sp is not None:
            sp = skia.Paint(sp)
            sp.setAlphaf(1.0)
        if sp is None and not any(fill_paints):
            continue
        pad = 2.0 + (p["stroke.width"] if sp is not None else 0.0) * _max_scale(m)
        visible = lay.chars[:n_vis]
        members: dict = {}
        for k, cb in enumerate(visible):
            members.setdefault(cb.cluster, []).append(k)
        base_id = len(mapping)
        mapping.extend(_entry(base_id + k, e, cb) for k, cb in enumerate(visible))
        for k, cb in enumerate(visible):
            group = members[cb.cluster]
            if group[0] != k:
                continue  # the cluster's glyphs are drawn with its first character
            quads = [np.asarray(visible[j].quad, dtype=np.float64) @ m[:, :2].T + m[:, 2] for j in group]
            pts = np.concatenate(quads)
            # glyph ink may leave the typographic box a little (italics, marks): grow the window by the em
            em = max(abs(cb.box[2] - cb.box[0]), abs(cb.box[3] - cb.box[1])) * _max_scale(m)
            x0 = max(int(math.floor(pts[:, 0].min() - pad - em)), 0)
            y0 = max(int(math.floor(pts[:, 1].min() - pad - em)), 0)
            x1 = min(int(math.ceil(pts[:, 0].max() + pad + em)), w)
            y1 = min(int(math.ceil(pts[:, 1].max() + pad + em)), h)
            if x1 <= x0 or y1 <= y0:
                continue
            buf = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
            info = skia.ImageInfo.Make(x1 - x0, y1 - y0, skia.kAlpha_8_ColorType, skia.kPremul_AlphaType)
            surface = skia.Surface.MakeRasterDirect(info, buf, x1 - x0)
            canvas = surface.getCanvas()
            canvas.translate(-x0, -y0)
            canvas.concat(mat)
            for span, blob in lay.styled_blobs_for_char(k):
                paint = fill_paints[span if span < len(fill_paints) else 0]
                if paint is not None:
                    canvas.drawTextBlob(blob, 0, 0, paint)
            if sp is not None:
                for blob in lay.blobs_for_char(k):
                    canvas.drawTextBlob(blob, 0, 0, sp)
            ys, xs = np.nonzero(buf >= threshold)
            if len(group) == 1:
                mask[ys + y0, xs + x0] = base_id + k + 1
            else:
                owner = _split_cluster(quads, xs + x0 + 0.5, ys + y0 + 0.5)
                mask[ys + y0, xs + x0] = np.asarray([base_id + group[o] + 1 for o in range(len(group))],
                                                    dtype=np.uint16)[owner]
    return mask, mapping


def _split_cluster(quads, px, py):
    """Index of the piece (character quad of one cluster) each pixel centre falls in, along the line axis."""
    q0 = quads[0]
    d = q0[1] - q0[0]
    d = d / (np.hypot(*d) or 1.0)
    centres = np.array([((q - q0[0]) @ d).mean() for q in quads])
    order = np.argsort(centres)
    cuts = [(((quads[order[i]] - q0[0]) @ d).max() + ((quads[order[i + 1]] - q0[0]) @ d).min()) / 2
            for i in range(len(order) - 1)]
    u = (px - q0[0][0]) * d[0] + (py - q0[0][1]) * d[1]
    return order[np.searchsorted(np.asarray(cuts), u)]


def _entry(k, e, cb) -> dict:
    return {"id": k + 1, "node": e.node.id, "index": cb.index, "char": cb.char}


def _max_scale(m) -> float:
    return float(np.sqrt(max(np.linalg.eigvalsh(m[:, :2] @ m[:, :2].T).max(), 0.0)))


def lane_mask(scene, frame: int = 0, *, base_dir: str | None = None, renderer: Renderer | None = None):
    """Per-class lane-marking mask (uint8, 0 = background) of ``frame``: every road node's paint,
    projected exactly as drawn, filled with its class id (``lane_labels.DEFAULT_CLASS_IDS``:
    1 solid, 2 dashed, ... 7 stop line, 8 crosswalk, 9 text, 10+ arrows, then sign faces). No
    antialiasing; later paint wins, sign faces over paint. Road nodes must be drawn untransformed
    (their view is the image)."""
    from .api import _as_scene
    from .primitives.lane_labels import segmentation_mask
    from .primitives.road import Road
    from .raster import DrawContext

    if renderer is None:
        scene, base_dir = _as_scene(scene, base_dir)
        renderer = Renderer(CompiledScene(scene, base_dir))
    c = renderer.c
    t = float(c.times([frame])[0])
    samples, world, opacity = c.sample([t])
    mask = np.zeros((renderer.height, renderer.width), np.uint8)
    for e in c.entries:
        if not isinstance(e.node, Road) or not (e.window[0] <= t < e.window[1]) or opacity[0][e.index] <= 0:
            continue
        ctx = DrawContext(renderer, e, c.props(e, samples[0]), 1.0, None, None)
        posed, s = e.node.posed_camera(ctx)
        part = segmentation_mask(posed, e.node.paints(ctx, posed, s), signs=e.node.placed_signs(posed, s))
        h, w = min(part.shape[0], mask.shape[0]), min(part.shape[1], mask.shape[1])
        np.copyto(mask[:h, :w], part[:h, :w], where=part[:h, :w] > 0)
    return mask
