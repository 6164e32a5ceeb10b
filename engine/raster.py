"""Frames of compiled scenes: nodes emit a display list (:mod:`symbolreel.ir`), a backend draws it.

One frame is a pure function of (scene, t). The renderer talks to nodes only through the node
protocol of :class:`symbolreel.node.Node` (prepare, emit, annotate) and to pixels only
through a backend (Skia by default).
"""
from __future__ import annotations

import numpy as np

from . import ir
from .backends.skia import SkiaBackend, skia_matrix  # noqa: F401  (skia_matrix: re-exported)
from .compile import CompiledScene, NodeEntry
from .errors import LimitError, SceneError
from .limits import DEFAULT_LIMITS, Limits
from .node import Node
from .visibility import flag_records


def _count(x: float) -> str:
    return f"about {x:.3g}" if x < 1e15 else "more than 1e15"  # NaN reads as more


def _overrides(node, hook: str) -> bool:
    return getattr(type(node), hook) is not getattr(Node, hook)


def _has_dash(items) -> bool:
    """Whether a leaf that :func:`ir.walk` yields from ``items`` is a dashed Draw or Glyphs item."""
    for it in items:
        if isinstance(it, ir.Group):
            if _has_dash(it.items):
                return True
        elif isinstance(it, (ir.Draw, ir.Glyphs)) and it.paint.dash:
            return True
    return False


class Renderer:
    """Builds and draws frames of one compiled scene. Holds per-node caches (layouts, paints, paths)."""

    def __init__(self, compiled: CompiledScene, backend=None, limits: Limits = DEFAULT_LIMITS):
        self.c = compiled
        self.limits = limits
        self.backend = backend if backend is not None else SkiaBackend()
        self.canvas_def = compiled.canvas
        self.width, self.height = compiled.canvas.width, compiled.canvas.height
        self._node_cache: dict = {e.index: {} for e in compiled.entries}
        # nodes whose hooks do something (a group emits nothing): skip the others per frame
        self._emitting = [e for e in compiled.entries if _overrides(e.node, "emit")]
        self._annotating = [e for e in compiled.entries if _overrides(e.node, "annotate")]
        self._ids = tuple(e.node.id for e in compiled.entries)
        self._prepare()

    def context(self, e: NodeEntry, p: dict, opacity: float, t: float, matrix,
                masks: frozenset = frozenset()) -> ir.EmitContext:
        """The context a node's hooks get for entry ``e`` with properties ``p``."""
        return ir.EmitContext(e, p, opacity, t, matrix, self.c.scene, self.c.base_dir, self._node_cache[e.index],
                              masks, self.c)

    # -- preparation: resolve fonts, lay out, validate, so errors surface before drawing
    def _prepare(self):
        row = world = None
        for e in self.c.entries:
            if not _overrides(e.node, "prepare"):
                continue
            if e.animated and row is None:
                samples, world, _ = self.c.sample([0.0])
                row = samples[0]
            p = self.c.props(e, row) if e.animated else e.static
            try:
                e.node.prepare(self.context(e, p, 1.0, 0.0, None if world is None else world[0][e.index]))
            except SceneError as exc:
                raise SceneError(exc.message, e.path + tuple(exc.path or ())) from None

    # -- frames --------------------------------------------------------------------------------
    def emit(self, t: float, row, world, opacity, masks: frozenset = frozenset()) -> ir.Frame:
        """The display list of the frame at ``t`` from its sampled row / matrices (CompiledScene.sample);
        ``masks``: the mask kinds that will be computed from it (nodes add mask-only items for them)."""
        items = []
        dashes = 0.0
        c = self.c
        scene, base_dir, caches, context, group = c.scene, c.base_dir, self._node_cache, ir.EmitContext, ir.Group
        for e in self._emitting:
            if not (e.window[0] <= t < e.window[1]):
                continue
            i = e.index
            op = float(opacity[i])
            if op <= 0.0:
                continue
            m = world[i]
            out = e.node.emit(context(e, c.props(e, row), op, t, m, scene, base_dir, caches[i], masks, c))
            if out:
                g = group(out, m, node=i)
                dashes = self._dashes(g, dashes, e, t)
                items.append(g)
        return ir.Frame(self.width, self.height, self.canvas_def.background, items, t, self._ids)

    def _dashes(self, g, total: float, e: NodeEntry, t: float) -> float:
        """``total`` plus the dashes the dashed strokes of node group ``g`` draw; past ``max_dashes`` a
        :class:`LimitError` naming the node (a tiny dash period on a long outline costs time and memory
        in proportion to the number of dashes: 5e7 of them took 11 s and 2.5 GB in Cairo)."""
        if _has_dash(g.items):   # the walk composes every group's matrix: only where a dash needs it
            for item, matrix, _, _ in ir.walk([g]):
                if isinstance(item, (ir.Draw, ir.Glyphs)) and item.paint.dash:
                    total += ir.dash_count(item, matrix)
        limit = self.limits.max_dashes
        if not total <= limit:  # NaN too
            raise LimitError(f"the dashed strokes of this frame (t={t:g}s) would draw {_count(total)} dashes "
                             f"(weighted by stroke width in pixels), more than {limit} (max_dashes): a longer dash "
                             f"period draws fewer "
                             f"(raise it with Limits(max_dashes=...) or --limit max_dashes=N)", e.path)
        return total

    def new_frame(self) -> tuple:
        return self.backend.new_frame(self.width, self.height)

    def draw(self, canvas, t: float, row, world, opacity, clear: bool = True,
             masks: frozenset = frozenset()) -> ir.Frame:
        """Draw the scene at time ``t`` on a backend canvas; returns the frame's display list (emitted with
        ``masks``, so :func:`symbolreel.masks.masks_of` can take the masks from it without redrawing)."""
        frame = self.emit(t, row, world, opacity, masks)
        self.backend.draw(canvas, frame, clear)
        return frame

    def render(self, t: float) -> np.ndarray:
        samples, world, opacity = self.c.sample([t])
        return self.backend.render(self.emit(t, samples[0], world[0], opacity[0]))

    def annotations(self, t: float, row, world, opacity, frame: ir.Frame | None = None) -> list:
        """Annotation records of every visible node at ``t`` (what their annotate hooks return), with
        the visibility flags ``outside`` / ``occluded`` set from the frame's display list
        (:mod:`symbolreel.visibility`; ``frame``: the display list already emitted for ``t``, else it
        is emitted here)."""
        pairs = []
        c = self.c
        for e in self._annotating:
            if not (e.window[0] <= t < e.window[1]) or opacity[e.index] <= 0:
                continue
            m = world[e.index]
            rec = e.node.annotate(self.context(e, c.props(e, row), float(opacity[e.index]), t, m))
            if rec is not None:
                pairs.append((e.index, rec))
        if not pairs:
            return []
        if frame is None:
            frame = self.emit(t, row, world, opacity)
        return flag_records(pairs, frame, self.backend)
