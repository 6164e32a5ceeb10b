"""Road centreline: straight segments, circular arcs and clothoids, parametrised by arc length.

World frame: ground plane z = 0, x/y in metres, z up.  Heading is measured in radians
counter-clockwise from +x.  Curvature is positive for left turns (heading grows with s).
Lateral offsets are measured from the centreline along the left normal
``n(s) = (-sin h, cos h)``: positive to the left, negative to the right.

Positions are exact closed forms for straight segments and arcs.  Clothoids (curvature linear
in s) are integrated with a deterministic composite 8-point Gauss-Legendre rule: knot positions
are tabulated once per segment and a query integrates only from the nearest knot, so results
are accurate to ~1e-12 m and identical on every call.

Outside ``[0, length]`` the centreline continues as a straight line along the end tangents,
so a camera may look past either end without special cases.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Centreline", "Segment"]

_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_GL_X = 0.5 * (_GL_X + 1.0)   # nodes on [0, 1]
_GL_W = 0.5 * _GL_W           # weights on [0, 1]


@dataclass(frozen=True)
class Segment:
    """One piece of the centreline: curvature goes linearly from k0 to k1 over ``length``."""

    kind: str            # "straight" | "arc" | "clothoid"
    s0: float            # arc length where the segment starts
    length: float
    k0: float
    k1: float
    x0: float            # start pose
    y0: float
    h0: float
    knots_u: np.ndarray = field(repr=False, compare=False, default=None)   # clothoid table
    knots_xy: np.ndarray = field(repr=False, compare=False, default=None)

    @property
    def dk(self) -> float:
        """Curvature rate dk/ds (0 for straight and arc)."""
        return (self.k1 - self.k0) / self.length

    def heading(self, u):
        """Heading at local arc length ``u`` (array)."""
        return self.h0 + self.k0 * u + 0.5 * self.dk * u * u

    def curvature(self, u):
        """Curvature at local arc length ``u`` (array)."""
        return self.k0 + self.dk * u

    def position(self, u):
        """(x, y) at local arc length ``u`` (array), exact or Gauss-Legendre integrated."""
        if self.kind == "straight":
            return self.x0 + u * np.cos(self.h0), self.y0 + u * np.sin(self.h0)
        if self.kind == "arc":
            k, h = self.k0, self.heading(u)
            return (self.x0 + (np.sin(h) - np.sin(self.h0)) / k,
                    self.y0 - (np.cos(h) - np.cos(self.h0)) / k)
        return self._clothoid_position(u)

    def _clothoid_position(self, u):
        """Integrate (cos h, sin h) from the nearest tabulated knot below ``u``."""
        j = np.clip(np.searchsorted(self.knots_u, u, side="right") - 1, 0, len(self.knots_u) - 1)
        ua = self.knots_u[j]
        span = u - ua
        nodes = ua[..., None] + span[..., None] * _GL_X
        h = self.heading(nodes)
        x = self.knots_xy[j, 0] + span * (np.cos(h) @ _GL_W)
        y = self.knots_xy[j, 1] + span * (np.sin(h) @ _GL_W)
        return x, y

    def max_abs_curvature(self) -> float:
        """Largest |k| on the segment (curvature is linear, so at an end)."""
        return max(abs(self.k0), abs(self.k1))


def _clothoid_knots(length, k0, k1, h0, x0, y0):
    """Knot table (u, xy) with spacing small enough that 8-point GL is exact to rounding."""
    kmax = max(abs(k0), abs(k1), 1e-9)
    step = min(1.0, 0.25 / kmax)
    n = max(1, int(np.ceil(length / step)))
    u = np.linspace(0.0, length, n + 1)
    dk = (k1 - k0) / length
    a, b = u[:-1], np.diff(u)
    nodes = a[:, None] + b[:, None] * _GL_X
    h = h0 + k0 * nodes + 0.5 * dk * nodes * nodes
    dx = b * (np.cos(h) @ _GL_W)
    dy = b * (np.sin(h) @ _GL_W)
    xy = np.zeros((n + 1, 2))
    xy[1:, 0] = np.cumsum(dx)
    xy[1:, 1] = np.cumsum(dy)
    xy += (x0, y0)
    return u, xy


def _parse_segment(i, spec):
    """Segment dict -> (kind, length, k0, k1); errors name ``segments[i]``."""
    where = f"segments[{i}]"
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: expected a mapping, found {type(spec).__name__}")
    kinds = [k for k in ("straight", "arc", "clothoid") if k in spec]
    if len(kinds) != 1:
        raise ValueError(f"{where}: needs exactly one of 'straight', 'arc', 'clothoid'")
    kind = kinds[0]
    allowed = {"straight": {"straight"}, "arc": {"arc", "curvature"},
               "clothoid": {"clothoid", "curvature_from", "curvature_to"}}[kind]
    extra = set(spec) - allowed
    if extra:
        raise ValueError(f"{where}: unknown keys {sorted(extra)} for a {kind} segment")
    length = float(spec[kind])
    if not np.isfinite(length) or length <= 0:
        raise ValueError(f"{where}.{kind}: length must be a positive number, got {spec[kind]!r}")
    if kind == "straight":
        return kind, length, 0.0, 0.0
    if kind == "arc":
        if "curvature" not in spec:
            raise ValueError(f"{where}: an arc needs 'curvature' (1/m, positive = left)")
        k = float(spec["curvature"])
        return ("straight" if k == 0 else "arc"), length, k, k
    for key in ("curvature_from", "curvature_to"):
        if key not in spec:
            raise ValueError(f"{where}: a clothoid needs '{key}' (1/m, positive = left)")
    k0, k1 = float(spec["curvature_from"]), float(spec["curvature_to"])
    if k0 == k1:
        return ("straight" if k0 == 0 else "arc"), length, k0, k0
    return kind, length, k0, k1


class Centreline:
    """Arc-length parametrised planar curve built from straight / arc / clothoid segments."""

    def __init__(self, segments: list[Segment], specs: list[dict]):
        self.segments = tuple(segments)
        self._specs = [dict(s) for s in specs]
        self._starts = np.array([seg.s0 for seg in segments])
        self.length = float(segments[-1].s0 + segments[-1].length)

    @classmethod
    def from_segments(cls, specs, start=(0.0, 0.0), heading=0.0) -> "Centreline":
        """Build from ``[{"straight": L}, {"arc": L, "curvature": k},
        {"clothoid": L, "curvature_from": k0, "curvature_to": k1}, ...]``.

        ``start`` is the (x, y) of s = 0 in metres, ``heading`` the initial direction in radians.
        Each segment starts at the previous one's end pose (position and heading continuous).
        """
        if not specs:
            raise ValueError("segments: at least one segment is needed")
        x, y, h, s = float(start[0]), float(start[1]), float(heading), 0.0
        segs = []
        for i, spec in enumerate(specs):
            kind, length, k0, k1 = _parse_segment(i, spec)
            knots = (None, None)
            if kind == "clothoid":
                knots = _clothoid_knots(length, k0, k1, h, x, y)
            seg = Segment(kind, s, length, k0, k1, x, y, h, *knots)
            ex, ey = seg.position(np.array(length))
            x, y, h = float(ex), float(ey), float(seg.heading(length))
            s += length
            segs.append(seg)
        return cls(segs, specs)

    @classmethod
    def straight(cls, length, start=(0.0, 0.0), heading=0.0) -> "Centreline":
        """Convenience: one straight segment."""
        return cls.from_segments([{"straight": length}], start=start, heading=heading)

    def to_segments(self) -> list[dict]:
        """The segment specs this centreline was built from (plain data, for YAML)."""
        return [dict(s) for s in self._specs]

    # -- evaluation -------------------------------------------------------------------------

    def _locate(self, s):
        """Segment index for each s (clamped to the first/last segment)."""
        return np.clip(np.searchsorted(self._starts, s, side="right") - 1, 0, len(self.segments) - 1)

    def pose(self, s):
        """(x, y, heading) at arc length ``s`` (scalar or array; result has the shape of s)."""
        if isinstance(s, (float, int)) and not isinstance(s, bool):
            return self._pose_scalar(float(s))
        s = np.asarray(s, dtype=np.float64)
        flat = s.reshape(-1)
        x, y, h = np.empty_like(flat), np.empty_like(flat), np.empty_like(flat)
        idx = self._locate(flat)
        for i in np.unique(idx):
            seg = self.segments[i]
            m = idx == i
            u = flat[m] - seg.s0
            inside = np.clip(u, 0.0, seg.length)
            px, py = seg.position(inside)
            ph = seg.heading(inside)
            over = u - inside                     # straight extrapolation beyond the ends
            x[m] = px + over * np.cos(ph)
            y[m] = py + over * np.sin(ph)
            h[m] = ph
        return x.reshape(s.shape), y.reshape(s.shape), h.reshape(s.shape)

    def _pose_scalar(self, s: float):
        """Scalar fast path of :meth:`pose` (the camera asks once per frame); same formulas."""
        i = int(self._locate(s))
        seg = self.segments[i]
        u = s - seg.s0
        inside = min(max(u, 0.0), seg.length)
        if seg.kind == "clothoid":
            px, py = (float(v[0]) for v in seg.position(np.array([inside])))
        else:
            px, py = (float(v) for v in seg.position(inside))
        ph = float(seg.heading(inside))
        over = u - inside
        return np.float64(px + over * np.cos(ph)), np.float64(py + over * np.sin(ph)), np.float64(ph)

    def heading(self, s):
        """Heading (radians, CCW from +x) at arc length ``s``."""
        return self.pose(s)[2]

    def curvature(self, s):
        """Signed curvature (1/m, positive = turning left) at ``s``; 0 beyond the ends."""
        s = np.asarray(s, dtype=np.float64)
        flat = s.reshape(-1)
        k = np.zeros_like(flat)
        idx = self._locate(flat)
        for i in np.unique(idx):
            seg = self.segments[i]
            m = idx == i
            u = flat[m] - seg.s0
            inside = (u >= 0) & (u <= seg.length)
            k[m] = np.where(inside, seg.curvature(np.clip(u, 0, seg.length)), 0.0)
        return k.reshape(s.shape)

    def to_world(self, s, lateral=0.0, z=0.0):
        """World points (..., 3) at arc length ``s`` and lateral offset (m, positive left)."""
        x, y, h = self.pose(s)
        lat = np.broadcast_to(np.asarray(lateral, dtype=np.float64), np.shape(x))
        out = np.empty(np.shape(x) + (3,))
        out[..., 0] = x - lat * np.sin(h)
        out[..., 1] = y + lat * np.cos(h)
        out[..., 2] = z
        return out

    def sample_s(self, s0, s1, max_chord_error=0.01, max_step=5.0, lateral=0.0):
        """Increasing arc lengths from s0 to s1 (both included, plus segment joints inside) so
        that the polyline through the offset curve at ``lateral`` deviates from the true curve
        by at most ``max_chord_error`` metres (sagitta ``k * ds**2 / 8``); steps <= max_step."""
        s0, s1 = float(s0), float(s1)
        if s1 <= s0:
            return np.array([s0]) if s1 == s0 else np.empty(0)
        bounds = [s0] + [b for b in self._starts[1:] if s0 < b < s1] + [s1]
        out = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            k = self._max_curvature_between(a, b)
            denom = 1.0 - k * abs(lateral)
            k_eff = k / denom if denom > 0.05 else k / 0.05
            step = max_step if k_eff <= 0 else min(max_step, np.sqrt(8 * max_chord_error / k_eff))
            n = max(1, int(np.ceil((b - a) / step - 1e-9)))
            out.append(np.linspace(a, b, n + 1)[:-1])
        out.append(np.array([s1]))
        return np.concatenate(out)

    def _max_curvature_between(self, a, b):
        """Largest |k| of the segments overlapping [a, b] (0 beyond the ends)."""
        ks = [seg.max_abs_curvature() for seg in self.segments
              if seg.s0 < b and seg.s0 + seg.length > a]
        return max(ks, default=0.0)
