"""The per-frame display list (frame IR) between nodes and backends.

A frame is a :class:`Frame`: canvas size, background, and a tree of items in drawing order. Nodes
never call a drawing library; each node's ``emit(ctx)`` hook returns a list of items in its *local*
coordinates, and the engine wraps them in a :class:`Group` carrying the node's world matrix and
its index (``node``), so masks and annotations can tell which node drew what. A backend
(``symbolreel.backends.skia``) draws a frame and knows no node types, only the classes here.

Items
    :class:`Draw`       one geometry (:class:`Rect`, :class:`Oval`, :class:`Line` or :class:`Path`)
                        with one :class:`Paint` (fill or stroke);
    :class:`Glyphs`     one :class:`GlyphRun` (font file, glyph ids, per-glyph placement, size) with a
                        paint;
    :class:`Group`      children under an affine matrix, an optional clip, an optional layer
                        (group opacity, drop shadow), and the tags ``node`` / ``parts``;
    :class:`Effect`     a named procedural effect (plain params) with ``fallback`` items for backends
                        that do not implement the name;
    :class:`Image`      a raster image (premultiplied RGBA pixels) drawn from a source rectangle into a
                        destination rectangle;
    :class:`MaskRegion` geometry that exists only for masks (e.g. a class id region), never drawn.

How a node emits (see engine/node.py for the hooks)::

    def emit(self, ctx):
        fill, stroke = ctx.fill, ctx.stroke           # resolved Paints (opacity applied) or None
        geom = ir.Rect(-w / 2, -h / 2, w / 2, h / 2)
        return [ir.Draw(geom, p) for p in (fill, stroke) if p is not None]

Conventions
    * Matrices are 2x3 affine ``[[a, b, tx], [c, d, ty]]`` numpy arrays (x' = a x + b y + tx), or None
      for identity. Perspective is applied by the node before emitting: the IR never holds a
      homography.
    * Colours are straight (not premultiplied) RGBA floats 0..1, with the node's opacity already
      multiplied into alpha.
    * Path verbs use the codes below (move, line, quad, conic, cubic, close; the same numbering as
      Skia's path serialisation). Conics carry a weight each (``weights``); a backend without conics
      converts them to quadratics or cubics.
    * Stroke effects apply in this order: ``corner`` rounding, then ``trim`` (fraction of the total
      length of all contours), then ``dash`` (starting at ``dash_offset``).
    * Glyph runs are drawn anti-aliased, unhinted, with subpixel positioning and linear metrics at
      ``size`` pixels per em; ``xforms`` rows are ``[scos, ssin, tx, ty]`` (rotation-scale transform
      of glyph i: x' = scos x - ssin y + tx, y' = ssin x + scos y + ty).
    * Images are premultiplied RGBA uint8 ``(h, w, 4)`` arrays; the source rectangle (in the array's
      pixels, pixel i covering [i, i + 1)) maps linearly onto the destination rectangle and is sampled
      bilinearly (``smooth``) or by nearest pixel, clamped at the array's edges, with no mipmapping (the
      node picks a pre-reduced level, so every backend samples the same pixels).
    * Every item class has a ``native`` slot a backend may use to cache its own compiled form
      (``(backend key, object)``); nodes that reuse IR objects across frames get that cache for free.
      Treat items as immutable once emitted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import SceneError
from .fonts_access import chain_for

# ----------------------------------------------------------------------------- path verbs

MOVE, LINE, QUAD, CONIC, CUBIC, CLOSE = 0, 1, 2, 3, 4, 5
#: points consumed by each verb (after the current point)
VERB_POINTS = (1, 1, 2, 2, 3, 0)

BLEND_MODES = ("src_over", "src", "dst_in", "dst_out", "multiply", "screen", "plus", "clear")


# ----------------------------------------------------------------------------- geometry


@dataclass(slots=True, eq=False)
class Rect:
    """Axis-aligned rectangle (x0, y0)-(x1, y1); with ``rx``/``ry`` > 0 a rounded rectangle."""

    x0: float
    y0: float
    x1: float
    y1: float
    rx: float = 0.0
    ry: float = 0.0
    native: object = None


@dataclass(slots=True, eq=False)
class Oval:
    """Ellipse inscribed in the rectangle (x0, y0)-(x1, y1) (a circle when it is a square)."""

    x0: float
    y0: float
    x1: float
    y1: float
    native: object = None


@dataclass(slots=True, eq=False)
class Line:
    """Segment (x0, y0)-(x1, y1); always stroked, with the paint's width and cap (also for a fill paint)."""

    x0: float
    y0: float
    x1: float
    y1: float
    native: object = None


@dataclass(slots=True, eq=False)
class Path:
    """Points + verbs (+ conic weights), with a fill rule ('nonzero' or 'evenodd')."""

    points: np.ndarray                 # (N, 2) float
    verbs: np.ndarray                  # (V,) uint8, codes MOVE..CLOSE
    weights: np.ndarray | None = None  # one per CONIC verb
    fill_rule: str = "nonzero"
    native: object = None

    @staticmethod
    def polygons(polys, closed: bool = True, fill_rule: str = "nonzero") -> "Path":
        """One path of several polylines / polygons (a list of (k, 2) arrays); empty ones are skipped."""
        polys = [np.asarray(q, dtype=np.float64).reshape(-1, 2) for q in polys]
        polys = [q for q in polys if len(q)]
        if not polys:
            return Path(np.zeros((0, 2)), np.zeros(0, np.uint8), None, fill_rule)
        sizes = np.array([len(q) for q in polys], dtype=np.int64)
        return Path(np.concatenate(polys), polygon_verbs(sizes, closed), None, fill_rule)

    @staticmethod
    def polyline(points, closed: bool = False) -> "Path":
        """A single open (or closed) polyline through ``points``."""
        return Path.polygons([points], closed)

    def is_empty(self) -> bool:
        return len(self.verbs) == 0


def polygon_verbs(sizes, closed: bool = True) -> np.ndarray:
    """Verbs of consecutive polylines of ``sizes`` points: move, line..., (close) each."""
    sizes = np.asarray(sizes, dtype=np.int64)
    extra = 1 if closed else 0
    first = np.concatenate(([0], np.cumsum(sizes + extra)[:-1])).astype(np.int64)
    verbs = np.full(int(sizes.sum()) + extra * len(sizes), LINE, np.uint8)
    verbs[first] = MOVE
    if closed:
        verbs[first + sizes] = CLOSE
    return verbs


# ----------------------------------------------------------------------------- paint


@dataclass(slots=True, eq=False)
class Paint:
    """A resolved paint: fill or stroke, with every style choice made.

    ``color`` is straight RGBA (opacity already in alpha). Stroke fields are ignored for fills,
    except that ``corner`` (rounding radius of sharp corners) applies to both.
    """

    color: tuple
    stroke: bool = False
    width: float = 1.0
    cap: str = "butt"        # butt | round | square
    join: str = "miter"      # miter | round | bevel
    miter: float = 4.0
    dash: tuple | None = None
    dash_offset: float = 0.0
    trim: tuple | None = None   # (start, end) fractions, None = whole outline
    corner: float = 0.0
    antialias: bool = True
    blend: str = "src_over"
    native: object = None

    def with_alpha(self, factor: float) -> "Paint":
        """Copy with alpha multiplied by ``factor`` (a new object: its backend cache starts empty)."""
        c = self.color
        return Paint((c[0], c[1], c[2], c[3] * factor), self.stroke, self.width, self.cap, self.join, self.miter,
                     self.dash, self.dash_offset, self.trim, self.corner, self.antialias, self.blend)

    def opaque(self) -> "Paint":
        """Copy with alpha 1 (masks take coverage with the paint's own colour: glyph coverage depends a
        little on the colour's luminance)."""
        p = self.with_alpha(1.0)
        p.color = (self.color[0], self.color[1], self.color[2], 1.0)
        return p


def fill_paint(rgba, opacity: float = 1.0) -> Paint | None:
    """Fill paint of colour ``rgba`` times ``opacity``; None when nothing would be drawn."""
    if rgba is None or rgba[3] <= 0:
        return None
    return Paint((rgba[0], rgba[1], rgba[2], rgba[3] * opacity))


def stroke_paint(p: dict, opacity: float = 1.0, prefix: str = "stroke") -> Paint | None:
    """Stroke paint from a node's sampled ``stroke.*`` properties; None when the stroke draws nothing."""
    if p.get(prefix) is None:
        return None
    width = p[f"{prefix}.width"]
    color = p[f"{prefix}.color"]
    if width <= 0 or color[3] <= 0:
        return None
    t0, t1 = p[f"{prefix}.trim"]
    trim = None
    if t0 > 0.0 or t1 < 1.0:
        if t1 <= t0:
            return None
        trim = (t0, t1)
    dash = p[f"{prefix}.dash"]
    return Paint((color[0], color[1], color[2], color[3] * opacity), True, width, p[f"{prefix}.cap"],
                 p[f"{prefix}.join"], p[f"{prefix}.miter_limit"], tuple(dash) if dash else None,
                 p[f"{prefix}.dash_offset"] if dash else 0.0, trim)


# ----------------------------------------------------------------------------- glyphs


@dataclass(slots=True, eq=False)
class GlyphRun:
    """Glyphs of one font file at one size.

    ``xforms`` (N, 4) rows ``[scos, ssin, tx, ty]``; ``rotated`` False promises every row is
    ``[1, 0, x, y]`` (a backend may use plain positions). ``parts`` (N,) ints tag each glyph with the
    part (visible character number) it draws, or None.
    """

    font: str
    size: float
    glyphs: np.ndarray
    xforms: np.ndarray
    rotated: bool = False
    parts: np.ndarray | None = None
    native: object = None
    _subs: dict | None = None

    def select(self, keep: np.ndarray) -> "GlyphRun":
        """The run restricted to the glyphs where boolean ``keep`` is True."""
        return GlyphRun(self.font, self.size, self.glyphs[keep], self.xforms[keep], self.rotated,
                        None if self.parts is None else self.parts[keep])

    def part(self, k: int) -> "GlyphRun | None":
        """The glyphs tagged with part ``k`` (cached), or None when there are none."""
        if self._subs is None:
            # every part at once, from one stable sort (a mask asks for each part in turn: comparing
            # the whole run per part was quadratic in its length); indices stay in run order, so a
            # part is the run ``select(parts == k)`` gives
            self._subs = {}
            if self.parts is not None and len(self.parts):
                order = np.argsort(self.parts, kind="stable")
                tags = self.parts[order]
                starts = np.flatnonzero(np.r_[True, tags[1:] != tags[:-1]])
                for tag, idx in zip(tags[starts].tolist(), np.split(order, starts[1:])):
                    self._subs[tag] = GlyphRun(self.font, self.size, self.glyphs[idx], self.xforms[idx],
                                               self.rotated, self.parts[idx])
        return self._subs.get(k)


# ----------------------------------------------------------------------------- items


@dataclass(slots=True, eq=False)
class Draw:
    """Draw ``geom`` with ``paint``; ``part``/``cls`` tag it for masks (-1 / 0 = untagged)."""

    geom: object
    paint: Paint
    part: int = -1
    cls: int = 0


@dataclass(slots=True, eq=False)
class Glyphs:
    """Draw a glyph run with ``paint`` (fill or stroke) at offset (dx, dy)."""

    run: GlyphRun
    paint: Paint
    dx: float = 0.0
    dy: float = 0.0
    cls: int = 0


@dataclass(slots=True, eq=False)
class DropShadow:
    """Layer filter: the layer's alpha, offset by (dx, dy), blurred by ``sigma`` (Gaussian, local units),
    tinted ``color``; ``only`` draws the shadow without the layer's own content."""

    dx: float
    dy: float
    sigma: float
    color: tuple
    only: bool = True


@dataclass(slots=True, eq=False)
class Clip:
    """Clip to the inside of ``geom`` (a Rect or Path, in the group's coordinates)."""

    geom: object
    antialias: bool = False


@dataclass(slots=True, eq=False)
class Group:
    """Children drawn under ``matrix`` and ``clip``; ``opacity`` < 1 or a ``shadow`` draws them into a
    layer first. ``node`` is the compiled node index the children belong to (-1: inherit);
    ``parts`` optional per-part data (see :class:`Part`) for character masks."""

    items: list
    matrix: np.ndarray | None = None
    clip: Clip | None = None
    opacity: float = 1.0
    shadow: DropShadow | None = None
    node: int = -1
    parts: tuple | None = None


@dataclass(slots=True, frozen=True)
class Part:
    """One maskable part of a node (a visible character): its index in the node's text, the
    character, its local quad (4 points), and the part number of its shaping cluster's first
    character (glyphs of a cluster are tagged with that part; masks split them between members)."""

    index: int
    char: str
    quad: tuple
    cluster: int


@dataclass(slots=True, eq=False)
class Effect:
    """A named procedural effect covering ``geom`` (e.g. "asphalt_noise"), with plain ``params``
    (numbers, tuples, nested lists: whatever the effect documents). A backend that does not
    implement ``name`` draws ``fallback`` instead (a list of items; empty = draw nothing)."""

    name: str
    geom: object
    params: dict
    fallback: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Image:
    """A raster image: ``pixels`` premultiplied RGBA uint8 (h, w, 4), its rectangle ``src``
    (x0, y0, x1, y1, in pixels of the array) drawn into the local rectangle ``dst`` (x0, y0, x1, y1),
    at ``opacity``; ``smooth`` bilinear sampling, else nearest pixel. Treat ``pixels`` as read-only
    (backends wrap the array without copying and cache the wrapper in ``native``)."""

    pixels: np.ndarray
    src: tuple
    dst: tuple
    opacity: float = 1.0
    smooth: bool = True
    native: object = None


@dataclass(slots=True, eq=False)
class MaskRegion:
    """Geometry that only masks see (never drawn): class id ``cls`` and/or part ``part``."""

    geom: object
    cls: int = 0
    part: int = -1


@dataclass(slots=True, eq=False)
class Frame:
    """One frame's display list: canvas size, background RGBA (None = transparent), items."""

    width: int
    height: int
    background: tuple | None
    items: list
    t: float = 0.0
    node_ids: tuple = ()   # node index -> node id (for masks' mappings)


# ----------------------------------------------------------------------------- matrices

IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def translate(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])


def concat(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Matrix of applying ``b`` first, then ``a`` (a . b); None stands for identity."""
    if a is None:
        return b
    if b is None:
        return a
    return np.array([[a[0, 0] * b[0, 0] + a[0, 1] * b[1, 0], a[0, 0] * b[0, 1] + a[0, 1] * b[1, 1],
                      a[0, 0] * b[0, 2] + a[0, 1] * b[1, 2] + a[0, 2]],
                     [a[1, 0] * b[0, 0] + a[1, 1] * b[1, 0], a[1, 0] * b[0, 1] + a[1, 1] * b[1, 1],
                      a[1, 0] * b[0, 2] + a[1, 1] * b[1, 2] + a[1, 2]]])


def walk(items, matrix=None, node: int = -1, parts=None):
    """Yield ``(item, matrix, node, parts)`` for every leaf item (Draw, Glyphs, Effect, Image, MaskRegion),
    with the accumulated matrix (None = identity) and the innermost node tag and parts. Clips and
    layers are not applied: this is for masks and analysis, not for drawing."""
    for it in items:
        if isinstance(it, Group):
            yield from walk(it.items, concat(matrix, it.matrix), it.node if it.node >= 0 else node,
                            it.parts if it.parts is not None else parts)
        else:
            yield it, matrix, node, parts


def _outline_length(geom) -> float:
    """An upper bound of the length of ``geom``'s outline in its own coordinates: exact for lines,
    the bounding rectangle's perimeter for rectangles and ovals, the control polygon (which is never
    shorter than the curves it controls) for paths, jumps between contours left out."""
    if isinstance(geom, Line):
        return math.hypot(geom.x1 - geom.x0, geom.y1 - geom.y0)
    if isinstance(geom, (Rect, Oval)):
        return 2.0 * (abs(geom.x1 - geom.x0) + abs(geom.y1 - geom.y0))
    if isinstance(geom, Path):
        pts = np.asarray(geom.points, dtype=np.float64).reshape(-1, 2)
        if len(pts) < 2:
            return 0.0
        verbs = np.asarray(geom.verbs)
        step = np.sqrt(np.square(np.diff(pts, axis=0)).sum(axis=1))
        counts = np.asarray(VERB_POINTS, dtype=np.int64)[verbs]
        starts = np.cumsum(counts) - counts           # index of each verb's first point
        moves = starts[(verbs == MOVE) & (starts > 0)]
        step[moves[moves <= len(step)] - 1] = 0.0     # the jump onto a new contour is not drawn
        total = float(step.sum())
        return total if math.isfinite(total) else math.inf
    return 0.0


def dash_count(item, matrix) -> float:
    """The dash work of a dashed stroke ``item`` (a :class:`Draw` or :class:`Glyphs`) under ``matrix``
    (0 when it is not dashed): the dashes it draws at most (outline length x largest scale of the
    matrix / pattern period x dashes per period; glyph outlines count 10 em per glyph), each weighted by
    the stroke's width in device pixels, at least 1 (a dash costs about its width in scanlines, and
    its caps about the square of it: 240,000 tiny round-capped dashes 20 px wide took 10 s in Skia)."""
    paint = getattr(item, "paint", None)
    if paint is None or not paint.stroke or not paint.dash:
        return 0.0
    period = float(sum(paint.dash))
    if not period > 0:
        return 0.0
    if isinstance(item, Glyphs):
        length = 10.0 * item.run.size * len(item.run.glyphs)
    else:
        length = _outline_length(item.geom)
    scale = 1.0 if matrix is None else float(np.linalg.norm(np.asarray(matrix, dtype=np.float64)[:, :2], 2))
    return length * scale / period * (len(paint.dash) // 2) * max(1.0, paint.width * scale)


# ----------------------------------------------------------------------------- emit context


class EmitContext:
    """What a node's hooks get: ``p`` current property values (sampled at ``t``), ``opacity`` the
    world opacity, ``matrix`` the node's world 2x3 matrix (annotation hooks map local geometry with
    it), ``scene``, ``entry`` (the compiled node entry: index, path, window...), ``cache`` a per-node
    dict living as long as the renderer, ``fill`` / ``stroke`` the node's standard paints, resolved
    (None when not drawn), ``font_chain(name)`` -> ``((font name, file path), ...)``, ``masks`` the
    mask kinds this pass computes (e.g. ``{"lane"}``; empty for plain renders: a node may then leave
    out its :class:`MaskRegion` items), ``props_at(times)`` the properties at other times.
    """

    __slots__ = ("entry", "p", "opacity", "t", "matrix", "scene", "base_dir", "cache", "masks", "source",
                 "_fill", "_stroke", "_resolved")

    def __init__(self, entry, p: dict, opacity: float, t: float, matrix, scene, base_dir, cache: dict,
                 masks: frozenset = frozenset(), source=None):
        self.entry, self.p, self.opacity, self.t, self.matrix = entry, p, opacity, t, matrix
        self.scene, self.base_dir, self.cache, self.masks = scene, base_dir, cache, masks
        self.source = source
        self._resolved = False

    def props_at(self, times) -> list:
        """This node's property values at several scene times (one batch sample), e.g. in ``prepare``
        to see every frame (tracks on the node's own clock included)."""
        if self.source is None:
            raise RuntimeError("props_at needs a context made by a renderer")
        return self.source.props_at(self.entry, times)

    def _resolve(self):
        # paints reused across frames while style and opacity are unchanged (their backend cache too)
        hit = self.cache.get("_paints")
        if hit is not None and hit[0] == self.opacity and self.entry.style_static:
            self._fill, self._stroke = hit[1], hit[2]
        else:
            self._fill = fill_paint(self.p.get("fill"), self.opacity)
            self._stroke = stroke_paint(self.p, self.opacity)
            if self.entry.style_static:
                self.cache["_paints"] = (self.opacity, self._fill, self._stroke)
        self._resolved = True

    @property
    def fill(self) -> Paint | None:
        if not self._resolved:
            self._resolve()
        return self._fill

    @property
    def stroke(self) -> Paint | None:
        if not self._resolved:
            self._resolve()
        return self._stroke

    def font_chain(self, name: str) -> tuple:
        key = ("chain", name)
        if key not in self.cache:
            self.cache[key] = chain_for(name, self.scene.fonts, self.base_dir)
        return self.cache[key]

    def error(self, message: str, *path) -> SceneError:
        """A SceneError at ``path`` inside this node (the engine prefixes the node's own path)."""
        return SceneError(message, tuple(path))
