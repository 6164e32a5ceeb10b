"""Lane layout, marking specs and world-space paint polygons.

Conventions (see docs/roads.md):

* Lateral offsets are metres from the centreline, positive to the LEFT of the driving direction.
* Lanes and boundaries are listed left to right: boundary 0 is the road's left edge, lane ``i``
  lies between boundaries ``i`` and ``i + 1``.
* Every dash is anchored in arc length: dash ``n`` of a boundary covers
  ``[phase + n * (dash + gap), phase + n * (dash + gap) + dash]`` whatever the camera does, so
  dashes never slide or pop; ``n`` is a stable world index (also the key of its wear value).
* Paint comes out as :class:`Paint` records whose ``contours`` are world polygons (N, 3), z = 0,
  counter-clockwise seen from above.  Fill all contours of one record as one path with
  non-zero winding.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrows import ARROW_SHAPES, arrow_outline
from .centreline import Centreline

__all__ = ["ARROW_CLASSES", "DASH_PRESETS", "MARKING_TYPES", "PAINT_COLOURS", "MarkingSpec", "RoadLayout", "Paint",
           "dash_intervals", "strip_polygon", "strip_polygons", "boundary_paint", "road_paint", "stop_line",
           "crosswalk", "arrow", "text_anchor", "wear_value"]

#: (dash, gap) lengths in metres for common standards.
DASH_PRESETS = {
    "cn_expressway": (6.0, 9.0),    # Chinese expressway lane lines
    "urban": (2.0, 4.0),            # typical urban lane lines
    "us": (3.048, 9.144),           # US 10 ft dash / 30 ft gap
}
DEFAULT_PRESET = "urban"

MARKING_TYPES = ("solid", "dashed", "double_solid", "solid_dashed", "dashed_solid", "edge", "none")

#: Label classes of painted arrows.
ARROW_CLASSES = tuple(f"arrow_{s}" for s in ARROW_SHAPES)

#: Suggested sRGB paint colours (the engine may vary them).
PAINT_COLOURS = {"white": (238, 238, 232), "yellow": (242, 186, 28)}

# Sub-lines of each type, left to right: (side, pattern); side -1 = left line of a pair,
# +1 = right line, 0 = single line on the boundary.
_LINES = {
    "solid": ((0, "solid"),), "edge": ((0, "solid"),), "dashed": ((0, "dashed"),),
    "double_solid": ((-1, "solid"), (1, "solid")),
    "solid_dashed": ((-1, "solid"), (1, "dashed")),
    "dashed_solid": ((-1, "dashed"), (1, "solid")),
    "none": (),
}


@dataclass(frozen=True)
class MarkingSpec:
    """How one lane boundary is painted.

    ``type``: one of MARKING_TYPES.  Pairs (double_solid, solid_dashed, dashed_solid) name their
    lines left to right.  ``colour``: "white" | "yellow" (default yellow for double_solid, white
    otherwise).  ``width``: width of each painted line (m).  ``dash``/``gap`` (m) or ``preset``
    (a DASH_PRESETS key) set the dash pattern; ``phase`` is the arc length where dash 0 starts.
    ``separation``: clear gap between the two lines of a pair (m).  ``wear`` in [0, 1]: how
    much seeded per-dash fading to apply (0 = fresh paint).
    """

    type: str = "solid"
    colour: str | None = None
    width: float = 0.15
    dash: float | None = None
    gap: float | None = None
    preset: str | None = None
    phase: float = 0.0
    separation: float = 0.10
    wear: float = 0.0

    def __post_init__(self):
        if self.type not in MARKING_TYPES:
            raise ValueError(f"marking type {self.type!r}: expected one of {', '.join(MARKING_TYPES)}")
        if self.colour is None:
            object.__setattr__(self, "colour", "yellow" if self.type == "double_solid" else "white")
        if self.colour not in PAINT_COLOURS:
            raise ValueError(f"marking colour {self.colour!r}: expected one of {', '.join(PAINT_COLOURS)}")
        if self.preset is not None and self.preset not in DASH_PRESETS:
            raise ValueError(f"dash preset {self.preset!r}: expected one of {', '.join(DASH_PRESETS)}")
        if not self.width > 0:
            raise ValueError(f"marking width must be > 0, got {self.width!r}")
        if not 0.0 <= self.wear <= 1.0:
            raise ValueError(f"marking wear must be in [0, 1], got {self.wear!r}")
        dash, gap = self.dash_gap()
        if not (dash > 0 and gap >= 0):
            raise ValueError(f"dash must be > 0 and gap >= 0, got dash={dash!r} gap={gap!r}")

    def dash_gap(self) -> tuple[float, float]:
        """(dash, gap) in metres: explicit values win over ``preset``, else DEFAULT_PRESET."""
        pd, pg = DASH_PRESETS[self.preset or DEFAULT_PRESET]
        return (float(self.dash) if self.dash is not None else pd,
                float(self.gap) if self.gap is not None else pg)

    def lines(self) -> tuple[tuple[float, str], ...]:
        """(lateral offset from the boundary in m, "solid" | "dashed") per painted line,
        left to right."""
        half = 0.5 * (self.width + self.separation)
        return tuple((-side * half, pattern) for side, pattern in _LINES[self.type])


def _as_spec(b, where):
    """MarkingSpec | type string | dict -> MarkingSpec."""
    if isinstance(b, MarkingSpec):
        return b
    if isinstance(b, str):
        return MarkingSpec(type=b)
    if isinstance(b, dict):
        try:
            return MarkingSpec(**b)
        except TypeError as e:
            raise ValueError(f"{where}: {e}") from None
    raise ValueError(f"{where}: expected a MarkingSpec, a type name or a mapping")


@dataclass(frozen=True)
class RoadLayout:
    """Lanes across the road, left to right.

    ``lane_widths``: metres, lane 0 leftmost.  ``boundaries``: len(lane_widths) + 1 marking specs
    (MarkingSpec, a type string or a dict), boundary 0 = left edge.  Default: edge lines outside,
    urban dashed lines between lanes.  ``left_edge``: lateral offset of boundary 0 from the
    centreline (positive = left); None puts the centreline in the middle of the road.
    """

    lane_widths: tuple = (3.75, 3.75, 3.75)
    boundaries: tuple | None = None
    left_edge: float | None = None

    def __post_init__(self):
        widths = tuple(float(w) for w in self.lane_widths)
        if not widths or any(not w > 0 for w in widths):
            raise ValueError(f"lane_widths must be positive numbers, got {self.lane_widths!r}")
        object.__setattr__(self, "lane_widths", widths)
        b = self.boundaries
        if b is None:
            b = ["edge"] + ["dashed"] * (len(widths) - 1) + ["edge"]
        if len(b) != len(widths) + 1:
            raise ValueError(f"boundaries: expected {len(widths) + 1} (lanes + 1), got {len(b)}")
        object.__setattr__(self, "boundaries",
                           tuple(_as_spec(x, f"boundaries[{i}]") for i, x in enumerate(b)))

    @property
    def n_lanes(self) -> int:
        return len(self.lane_widths)

    @property
    def total_width(self) -> float:
        return float(sum(self.lane_widths))

    def boundary_offsets(self) -> np.ndarray:
        """Lateral offsets (m, positive left) of boundaries 0..n, left to right (decreasing)."""
        left = 0.5 * self.total_width if self.left_edge is None else float(self.left_edge)
        return left - np.concatenate([[0.0], np.cumsum(self.lane_widths)])

    def lane_centre(self, lane: int) -> float:
        """Lateral offset of the middle of ``lane``."""
        o = self.boundary_offsets()
        return float(0.5 * (o[lane] + o[lane + 1]))

    def lane_span(self, lanes=None) -> tuple[float, float]:
        """(left, right) lateral offsets covering ``lanes`` (an index, a list, or None = all)."""
        if lanes is None:
            lanes = range(self.n_lanes)
        lanes = [lanes] if isinstance(lanes, (int, np.integer)) else list(lanes)
        for ln in lanes:
            if not 0 <= ln < self.n_lanes:
                raise ValueError(f"lane {ln} out of range 0..{self.n_lanes - 1}")
        o = self.boundary_offsets()
        return float(o[min(lanes)]), float(o[max(lanes) + 1])


@dataclass(frozen=True, eq=False)
class Paint:
    """One piece of paint in world coordinates.

    ``kind``: "line" | "stop_line" | "crosswalk" | "arrow" | "text".  ``cls``: label class
    (the boundary type for lines, e.g. "dashed"; "arrow_left"; "text"...).  ``contours``: world
    polygons (N, 3).  ``quad``: for arrows and text, the oriented box (4, 3) ordered far-left,
    far-right, near-right, near-left (top-left, top-right, bottom-right, bottom-left as the driver
    reads it).  ``index``: world-anchored index (dash n, stripe n).  ``boundary``/``lane``: -1 when
    not applicable.
    """

    kind: str
    cls: str
    colour: str
    contours: tuple
    alpha: float = 1.0
    boundary: int = -1
    lane: int = -1
    index: int = 0
    s_range: tuple = (0.0, 0.0)
    quad: np.ndarray | None = field(default=None, repr=False)
    text: str = ""


# -- seeded wear -------------------------------------------------------------------------------

_M64 = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _unit_hash(*keys: int) -> float:
    """Stateless hash of integer keys -> float in [0, 1) (splitmix64 chain)."""
    h = 0
    for k in keys:
        h = _splitmix64(h ^ (int(k) & _M64))
    return (h >> 11) / float(1 << 53)


def wear_value(seed: int, wear: float, *keys: int) -> float:
    """Paint opacity in [1 - wear, 1] for a piece identified by world-stable integer keys."""
    if wear <= 0:
        return 1.0
    return 1.0 - wear * _unit_hash(seed, *keys)


# -- geometry helpers --------------------------------------------------------------------------

def _ccw(poly):
    """Return ``poly`` (N, >=2) counter-clockwise in the x/y plane (shoelace sign)."""
    x, y = poly[:, 0], poly[:, 1]
    area2 = float(x[:-1] @ y[1:] - y[:-1] @ x[1:]) + float(x[-1] * y[0] - y[-1] * x[0])
    return poly if area2 >= 0 else poly[::-1].copy()


def dash_intervals(dash, gap, phase, s0, s1, clip=False):
    """Dashes overlapping [s0, s1]: (n, starts, ends) with world indices n.

    Dash n spans [phase + n*(dash+gap), ... + dash]; whole dashes are returned unless ``clip``.
    """
    period = dash + gap
    n_lo = int(np.floor((s0 - phase - dash) / period)) + 1
    n_hi = int(np.ceil((s1 - phase) / period)) - 1
    n = np.arange(n_lo, n_hi + 1)
    a = phase + n * period
    b = a + dash
    keep = (b > s0) & (a < s1)
    n, a, b = n[keep], a[keep], b[keep]
    if clip:
        a, b = np.maximum(a, s0), np.minimum(b, s1)
    return n, a, b


def strip_polygon(centreline: Centreline, sa, sb, lat_left, lat_right, max_chord_error=0.01):
    """World polygon (N, 3) of the band between two lateral offsets over arc lengths [sa, sb],
    sampled finely enough to follow the curvature within ``max_chord_error`` metres."""
    return strip_polygons(centreline, [(sa, sb)], lat_left, lat_right, max_chord_error)[0]


def strip_polygons(centreline: Centreline, intervals, lat_left, lat_right, max_chord_error=0.01):
    """:func:`strip_polygon` for many [sa, sb] intervals of one band at once: the centreline is
    evaluated in one call for all of them (a dashed boundary has thousands of dashes, and a
    per-dash evaluation made a dense road frame spend seconds in Python)."""
    if not intervals:
        return []
    ext = max(abs(lat_left), abs(lat_right))
    samples = [centreline.sample_s(sa, sb, max_chord_error, lateral=ext) for sa, sb in intervals]
    s = np.concatenate(samples)
    right = centreline.to_world(s, lat_right)
    left = centreline.to_world(s, lat_left)
    out, start = [], 0
    for piece in samples:
        end = start + len(piece)
        out.append(_ccw(np.concatenate([right[start:end], left[start:end][::-1]])))
        start = end
    return out


def _road_range(centreline, s0, s1):
    """Clamp a stretch to the road [0, length]."""
    return max(float(s0), 0.0), min(float(s1), centreline.length)


def boundary_paint(centreline, layout: RoadLayout, i: int, s0, s1, seed=0, max_chord_error=0.01):
    """Paint records of boundary ``i`` over [s0, s1] (clamped to the road).  Dashes are whole
    world-anchored intervals overlapping the stretch (cut only at the road's ends)."""
    spec = layout.boundaries[i]
    s0, s1 = _road_range(centreline, s0, s1)
    if s1 <= s0:
        return []
    base = layout.boundary_offsets()[i]
    dash, gap = spec.dash_gap()
    out = []
    for j, (off, pattern) in enumerate(spec.lines()):
        c = base + off
        lat = (c + 0.5 * spec.width, c - 0.5 * spec.width)
        if pattern == "solid":
            pieces = [(0, s0, s1)]
        else:
            n, a, b = dash_intervals(dash, gap, spec.phase, s0, s1)
            a, b = np.maximum(a, 0.0), np.minimum(b, centreline.length)
            pieces = [(int(k), float(x), float(y)) for k, x, y in zip(n, a, b) if y > x]
        polys = strip_polygons(centreline, [(a, b) for _, a, b in pieces], *lat, max_chord_error)
        for (k, a, b), poly in zip(pieces, polys):
            alpha = wear_value(seed, spec.wear, 1, i, j, k)
            out.append(Paint("line", spec.type, spec.colour, (poly,), alpha, boundary=i,
                             index=k, s_range=(a, b)))
    return out


def road_paint(centreline, layout: RoadLayout, s0, s1, seed=0, max_chord_error=0.01):
    """Paint records of every boundary over [s0, s1], boundaries left to right."""
    out = []
    for i in range(len(layout.boundaries)):
        out += boundary_paint(centreline, layout, i, s0, s1, seed, max_chord_error)
    return out


def stop_line(centreline, layout: RoadLayout, s, lanes=None, thickness=0.4, colour="white"):
    """Transverse stop line whose near edge is at arc length ``s``, across ``lanes``."""
    left, right = layout.lane_span(lanes)
    poly = strip_polygon(centreline, s, s + thickness, left, right)
    return Paint("stop_line", "stop_line", colour, (poly,), s_range=(s, s + thickness))


def crosswalk(centreline, layout: RoadLayout, s, length=4.0, stripe_width=0.45, stripe_gap=0.6,
              lanes=None, colour="white", seed=0, wear=0.0):
    """Zebra crosswalk: stripes parallel to the road from ``s`` to ``s + length``, spread evenly
    across ``lanes`` (centred, whole stripes only).  Returns one Paint per stripe, index = stripe
    number from the left."""
    left, right = layout.lane_span(lanes)
    span = left - right
    n = int(np.floor((span + stripe_gap) / (stripe_width + stripe_gap)))
    margin = 0.5 * (span - (n * stripe_width + (n - 1) * stripe_gap))
    out = []
    for k in range(n):
        a = left - margin - k * (stripe_width + stripe_gap)
        poly = strip_polygon(centreline, s, s + length, a, a - stripe_width)
        out.append(Paint("crosswalk", "crosswalk", colour, (poly,), wear_value(seed, wear, 2, k),
                         index=k, s_range=(s, s + length)))
    return out


def _local_frame(centreline, s, lateral):
    """Origin (3,), forward (3,), left (3,) unit vectors of the rigid frame at (s, lateral)."""
    _, _, h = centreline.pose(s)
    o = centreline.to_world(s, lateral)
    return o, np.array([np.cos(h), np.sin(h), 0.0]), np.array([-np.sin(h), np.cos(h), 0.0])


def _place(uv, origin, fwd, left):
    """Local (u, v) points -> world (N, 3) in a rigid frame."""
    uv = np.asarray(uv, dtype=np.float64)
    return origin + uv[:, :1] * fwd + uv[:, 1:2] * left


def _box(u0, u1, v0, v1):
    """Local box corners far-left, far-right, near-right, near-left."""
    return np.array([(u1, v1), (u1, v0), (u0, v0), (u0, v1)], dtype=np.float64)


def arrow(centreline, layout: RoadLayout, lane: int, s, shape="straight", length=6.0,
          width_scale=1.0, colour="white", seed=0, wear=0.0):
    """Painted arrow in ``lane``, tail at arc length ``s``, head towards +s.

    The outline is placed rigidly (not bent) in the lane frame at its middle, s + length/2;
    on curves the head deviates from the lane centre by about k*length**2/8.
    """
    contours = arrow_outline(shape, length, width_scale)
    pts = np.concatenate(contours)
    mid = 0.5 * length
    origin, fwd, left = _local_frame(centreline, s + mid, layout.lane_centre(lane))
    world = tuple(_ccw(_place(c - (mid, 0.0), origin, fwd, left)) for c in contours)
    box = _box(-mid, mid, pts[:, 1].min(), pts[:, 1].max())
    return Paint("arrow", f"arrow_{shape}", colour, world, wear_value(seed, wear, 3, lane, int(s * 1000)),
                 lane=lane, s_range=(s, s + length), quad=_place(box, origin, fwd, left))


def text_anchor(centreline, layout: RoadLayout, lane: int, s, length=5.0, width=None, text="",
                colour="white"):
    """World quad for painted road text in ``lane`` from ``s`` (near edge) to ``s + length``.

    ``width`` defaults to 70 % of the lane.  The quad is ordered far-left, far-right,
    near-right, near-left, i.e. the text's top-left, top-right, bottom-right, bottom-left as a
    driver reads it; the engine maps glyph outlines into it (a ground-plane homography, see
    PosedCamera.ground_homography).
    """
    if width is None:
        width = 0.7 * layout.lane_widths[lane]
    mid = 0.5 * length
    origin, fwd, left = _local_frame(centreline, s + mid, layout.lane_centre(lane))
    quad = _place(_box(-mid, mid, -0.5 * width, 0.5 * width), origin, fwd, left)
    return Paint("text", "text", colour, (_ccw(quad.copy()),), lane=lane,
                 s_range=(s, s + length), quad=quad, text=text)
