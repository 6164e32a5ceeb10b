"""Masks computed from a frame's display list (:mod:`symbolreel.ir`): character, instance and class masks.

A worker that drew a frame passes the same :class:`~symbolreel.ir.Frame` to :func:`char_mask_of`,
:func:`instance_mask_of` or :func:`class_mask_of`: no second render pass. ``char_mask`` /
``lane_mask`` are the convenience forms taking a scene and a frame number.

Character masks: ``(mask, mapping)``; ``mask`` is uint16 (H, W) where each pixel holds ``1 + k`` for the
k-th entry of ``mapping`` (0 = background), and ``mapping`` is a JSON-ready list of
``{"id": 1 + k, "node": node id, "index": character index in the node's text, "char": the character}``.

Rule (exact, stated): every visible character's glyphs (fill, plus the outline when the node has a stroke;
never the shadow) are rasterised alone with the node's world matrix and the backend's antialiasing into an
8-bit coverage buffer; a pixel belongs to the character when its coverage is >= ``threshold`` (default
128/255, i.e. 50%). Characters are visited in drawing order (nodes in scene order, characters in logical
order), so where glyphs overlap the pixel holds the character drawn last. By default occlusion by other
nodes drawn on top is not applied (the mask describes the glyphs, not what remains visible of them); with
``visible_only=True`` a pixel is cleared wherever a node drawn later (shape, text, figure, road: anything)
covers it with drawn coverage >= ``threshold`` at its opacity, so the mask holds what remains visible.
Partially faded characters (``reveal_mode: fade``) count with their full geometry, like in the annotations.
Characters are the ``parts`` of a display-list group; glyphs carry the part of their cluster's first
character, and a cluster's pixels are split between its characters along the line.

Instance masks: uint16 (H, W), ``1 + k`` for the k-th drawn node (drawn coverage >= threshold, later
nodes over earlier), with a mapping ``{"id": 1 + k, "node": node id}``.

Class masks: uint8 (H, W) of class ids: every item tagged with ``cls > 0`` (Draw, MaskRegion) filled
with its class id, no antialiasing, later items over earlier ones (the road's lane classes:
``road.labels.DEFAULT_CLASS_IDS``).
"""
from __future__ import annotations

import math

import numpy as np

from . import ir
from .compile import CompiledScene
from .raster import Renderer
from .scene import scene_and_dir

DEFAULT_THRESHOLD = 128


def _renderer(scene, base_dir, renderer):
    if renderer is not None:
        return renderer
    scene, base_dir = scene_and_dir(scene, base_dir)
    return Renderer(CompiledScene(scene, base_dir))


def _frame(renderer: Renderer, frame: int, t: float | None, masks=frozenset()):
    c = renderer.c
    if t is None:
        t = float(c.times([frame])[0])
    samples, world, opacity = c.sample([t])
    return renderer.emit(t, samples[0], world[0], opacity[0], frozenset(masks))


def char_mask(scene, frame: int = 0, *, t: float | None = None, threshold: int = DEFAULT_THRESHOLD,
              base_dir: str | None = None, renderer: Renderer | None = None, visible_only: bool = False):
    """Character-index mask of ``frame`` (or time ``t`` in seconds) of ``scene``; see the module doc."""
    r = _renderer(scene, base_dir, renderer)
    return char_mask_of(_frame(r, frame, t, {"char"}), r.backend, threshold, visible_only)


def frame_char_mask(r: Renderer, t: float, row, world, opacity, threshold: int = DEFAULT_THRESHOLD,
                    visible_only: bool = False):
    """Mask and mapping from already sampled properties (same inputs as ``Renderer.draw``)."""
    return char_mask_of(r.emit(t, row, world, opacity, frozenset({"char"})), r.backend, threshold, visible_only)


def _leaves(items, matrix=None, parts=None):
    """(item, matrix, parts) of drawn leaves; shadow-only layers are left out (masks never hold shadows)."""
    for it in items:
        if type(it) is ir.Group:
            if it.shadow is not None and it.shadow.only:
                continue
            yield from _leaves(it.items, ir.concat(matrix, it.matrix), it.parts if it.parts is not None else parts)
        else:
            yield it, matrix, parts


def char_mask_of(frame: ir.Frame, backend, threshold: int = DEFAULT_THRESHOLD, visible_only: bool = False):
    """Character mask and mapping of a frame's display list (see the module doc)."""
    h, w = frame.height, frame.width
    mask = np.zeros((h, w), dtype=np.uint16)
    mapping = []
    for g in frame.items:
        if visible_only and mapping:
            # whatever this node draws hides the characters drawn before it
            mask[backend.coverage([g], w, h) >= threshold] = 0
        # glyph items of each part-tagged group, with their accumulated matrix
        groups: dict = {}
        for it, m, parts in _leaves([g]):
            if parts and type(it) is ir.Glyphs and it.run.parts is not None:
                entry = groups.setdefault(id(parts), (parts, m, [], []))
                (entry[3] if it.paint.stroke else entry[2]).append(it)
        node_id = frame.node_ids[g.node] if 0 <= g.node < len(frame.node_ids) else None
        for parts, m, fills, strokes in groups.values():
            mapping = _char_parts(mask, mapping, node_id, parts, m, fills, strokes, backend, threshold)
    return mask, mapping


def _char_parts(mask, mapping, node_id, parts, m, fills, strokes, backend, threshold):
    h, w = mask.shape
    m = ir.IDENTITY if m is None else m
    scale = _max_scale(m)
    width = max((it.paint.width for it in strokes), default=0.0)
    pad = 2.0 + width * scale
    members: dict = {}
    for k, part in enumerate(parts):
        members.setdefault(part.cluster, []).append(k)
    base_id = len(mapping)
    mapping = mapping + [{"id": base_id + k + 1, "node": node_id, "index": part.index, "char": part.char}
                         for k, part in enumerate(parts)]
    # coverage is taken with each paint's own opaque colour: glyph coverage depends a little on the
    # luminance of the paint (text contrast), so this reproduces the drawn coverage exactly
    for k, part in enumerate(parts):
        group = members[part.cluster]
        if group[0] != k:
            continue  # the cluster's glyphs are drawn with its first character
        items = []
        for it in fills + strokes:
            sub = it.run.part(k)
            if sub is not None:
                items.append(ir.Glyphs(sub, _opaque(it.paint), it.dx, it.dy))
        if not items:
            continue
        quads = [np.asarray(parts[j].quad, dtype=np.float64) @ m[:, :2].T + m[:, 2] for j in group]
        pts = np.concatenate(quads)
        # glyph ink may leave the typographic box a little (italics, marks): grow the window by the em
        qx, qy = [float(p[0]) for p in part.quad], [float(p[1]) for p in part.quad]
        em = max(max(qx) - min(qx), max(qy) - min(qy)) * scale
        x0 = max(int(math.floor(pts[:, 0].min() - pad - em)), 0)
        y0 = max(int(math.floor(pts[:, 1].min() - pad - em)), 0)
        x1 = min(int(math.ceil(pts[:, 0].max() + pad + em)), w)
        y1 = min(int(math.ceil(pts[:, 1].max() + pad + em)), h)
        if x1 <= x0 or y1 <= y0:
            continue
        buf = backend.coverage(items, w, h, m, (x0, y0, x1, y1))
        ys, xs = np.nonzero(buf >= threshold)
        if len(group) == 1:
            mask[ys + y0, xs + x0] = base_id + k + 1
        else:
            owner = _split_cluster(quads, xs + x0 + 0.5, ys + y0 + 0.5)
            mask[ys + y0, xs + x0] = np.asarray([base_id + group[o] + 1 for o in range(len(group))],
                                                dtype=np.uint16)[owner]
    return mapping


def _opaque(paint: ir.Paint) -> ir.Paint:
    # one opaque copy per paint object, so the backend's paint (and its cache) is reused across frames
    cached = _OPAQUE.get(id(paint))
    if cached is not None and cached[0] is paint:
        return cached[1]
    op = paint.opaque()
    if len(_OPAQUE) > 4096:
        _OPAQUE.clear()
    _OPAQUE[id(paint)] = (paint, op)
    return op


_OPAQUE: dict = {}


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


def _max_scale(m) -> float:
    return float(np.sqrt(max(np.linalg.eigvalsh(m[:, :2] @ m[:, :2].T).max(), 0.0)))


# ----------------------------------------------------------------------------- instances


def instance_mask_of(frame: ir.Frame, backend, threshold: int = DEFAULT_THRESHOLD):
    """Per-node instance mask of a frame's display list and its mapping (see the module doc)."""
    mask = np.zeros((frame.height, frame.width), dtype=np.uint16)
    mapping = []
    for g in frame.items:
        cov = backend.coverage([g], frame.width, frame.height)
        hit = cov >= threshold
        if not hit.any():
            continue
        mapping.append({"id": len(mapping) + 1,
                        "node": frame.node_ids[g.node] if 0 <= g.node < len(frame.node_ids) else None})
        mask[hit] = len(mapping)
    return mask, mapping


def instance_mask(scene, frame: int = 0, *, t: float | None = None, threshold: int = DEFAULT_THRESHOLD,
                  base_dir: str | None = None, renderer: Renderer | None = None):
    """Instance mask and mapping of ``frame`` (or time ``t``) of ``scene``; see the module doc."""
    r = _renderer(scene, base_dir, renderer)
    return instance_mask_of(_frame(r, frame, t, {"instance"}), r.backend, threshold)


# ----------------------------------------------------------------------------- classes


def class_mask_of(frame: ir.Frame, backend) -> np.ndarray:
    """Class-id mask (uint8) of a frame's display list: items with ``cls > 0``, no antialiasing, later wins.
    Emit the frame with ``masks={"lane"}`` so nodes include their mask-only regions."""
    shapes = []
    for it, m, _ in _leaves(frame.items):
        t = type(it)
        if t is ir.MaskRegion and it.cls > 0:
            shapes.append((it.geom, m, it.cls, None))
        elif t is ir.Draw and it.cls > 0:
            shapes.append((it.geom, m, it.cls, it.paint if it.paint.stroke else None))
    return backend.class_fill(shapes, frame.width, frame.height)


def lane_mask(scene, frame: int = 0, *, base_dir: str | None = None, renderer: Renderer | None = None):
    """Per-class lane-marking mask (uint8, 0 = background) of ``frame``: every road node's paint,
    projected exactly as drawn, filled with its class id (``road.labels.DEFAULT_CLASS_IDS``:
    1 solid, 2 dashed, ... 7 stop line, 8 crosswalk, 9 text, 10+ arrows, then sign faces). No
    antialiasing; later paint wins, sign faces over paint."""
    r = _renderer(scene, base_dir, renderer)
    return class_mask_of(_frame(r, frame, None, {"lane"}), r.backend)


# ----------------------------------------------------------------------------- all at once

MASK_KINDS = ("char", "instance", "lane")


def masks_of(frame: ir.Frame, backend, kinds, threshold: int = DEFAULT_THRESHOLD, visible_only: bool = False) -> dict:
    """The requested masks of one drawn frame, for a worker that has its display list: ``{"char": (mask,
    mapping), "instance": (mask, mapping), "lane": mask}`` for the kinds asked. Emit the frame with
    ``Renderer.emit(..., masks=frozenset(kinds))`` or take the frame ``Renderer.draw(..., masks=...)``
    returns, so nodes include their mask-only items."""
    unknown = set(kinds) - set(MASK_KINDS)
    if unknown:
        raise ValueError(f"unknown mask kind {sorted(unknown)[0]!r}; expected one of {', '.join(MASK_KINDS)}")
    out = {}
    if "char" in kinds:
        out["char"] = char_mask_of(frame, backend, threshold, visible_only)
    if "instance" in kinds:
        out["instance"] = instance_mask_of(frame, backend, threshold)
    if "lane" in kinds:
        out["lane"] = class_mask_of(frame, backend)
    return out
