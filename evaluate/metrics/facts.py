"""How far a figure's facts are from holding, in image pixels, among the points and circles found in
an image.

A figure's annotation lists the relations its construction makes hold (``{"relation": "midpoint",
"args": ["M", "CA"]}``, see docs/geometry.md). :func:`residual` measures one of them on *found*
geometry (marker centres and Hough circles of the prediction, not the labels): the distance between
where a point is and where the relation puts it, given the other points as drawn. A model that draws
triangle ABC and its centroid G somewhere else than the centroid of the drawn A, B and C gets the
distance between the two, whatever the layout of its picture.
"""
from __future__ import annotations

import math

import numpy as np

MISS = math.inf   # a point or circle the fact needs was not found: the fact fails


def _v(p) -> np.ndarray:
    return np.asarray(p, np.float64)


def _line_dist(p, a, b) -> float:
    d = b - a
    n = float(np.hypot(*d))
    return float(abs(d[0] * (p[1] - a[1]) - d[1] * (p[0] - a[0])) / n) if n > 1e-9 else float(np.hypot(*(p - a)))


def centroid(a, b, c) -> np.ndarray:
    return (a + b + c) / 3.0


def circumcentre(a, b, c) -> np.ndarray:
    d = 2 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]))
    if abs(d) < 1e-9:
        return np.array([np.nan, np.nan])
    sa, sb, sc = a @ a, b @ b, c @ c
    return np.array([(sa * (b[1] - c[1]) + sb * (c[1] - a[1]) + sc * (a[1] - b[1])) / d,
                     (sa * (c[0] - b[0]) + sb * (a[0] - c[0]) + sc * (b[0] - a[0])) / d])


def incentre(a, b, c) -> tuple[np.ndarray, float]:
    """Centre and radius of the incircle."""
    la, lb, lc = np.hypot(*(b - c)), np.hypot(*(c - a)), np.hypot(*(a - b))
    s = la + lb + lc
    if s < 1e-9:
        return a, 0.0
    centre = (la * a + lb * b + lc * c) / s
    return centre, _line_dist(centre, a, b)


def orthocentre(a, b, c) -> np.ndarray:
    # H = A + B + C - 2·O (Euler: the centroid divides OH in the ratio 1:2)
    return a + b + c - 2 * circumcentre(a, b, c)


def _foot(p, a, b) -> np.ndarray:
    d = b - a
    n2 = float(d @ d)
    return a if n2 < 1e-12 else a + d * float((p - a) @ d) / n2


def _off_angle(u, v, want_parallel: bool) -> float:
    """How far two segments are from perpendicular (or parallel), as the displacement of the shorter
    one's far end: |cos| (|sin|) of the angle between them times its length."""
    nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
    if nu < 1e-9 or nv < 1e-9:
        return MISS
    c = float(u @ v) / (nu * nv)
    off = math.sqrt(max(0.0, 1 - c * c)) if want_parallel else abs(c)
    return off * min(nu, nv)


class _Args:
    """Resolves fact arguments: a circle's name, a point's name, or points written together ('CA')."""

    def __init__(self, points: dict, circles: dict, names):
        self.points, self.circles, self.names = points, circles, list(names)

    def pts(self, text: str):
        names = _split(text, self.names)
        if not names or any(n not in self.points for n in names):
            return None                    # a point the image does not show (hidden): not checkable
        return [self.points[n] for n in names]


def residual(relation: str, args: list, points: dict, circles: dict, names=None) -> float | None:
    """Distance (px) by which the fact misses among the found geometry; None when it cannot be checked.

    ``points``: name -> found image position (``None``: drawn but not found); ``circles``: name ->
    (centre, radius) or ``None``; ``names``: every point name of the figure (to split 'CA'). Lines
    named by a single letter (bisectors, perpendicular bisectors), intersections, reflections and
    rotations are not checked (None)."""
    a = _Args(points, circles, names if names is not None else points)

    def need_points(text, n=None):
        ps = a.pts(text)
        if ps is None or (n is not None and len(ps) != n):
            return None
        return ps

    def need_circle(name):
        if name not in a.circles:
            return None
        return MISS if a.circles[name] is None else a.circles[name]

    if relation in ("midpoint", "centroid", "circumcentre", "incentre", "orthocentre"):
        p, of = need_points(args[0], 1), need_points(args[1], 2 if relation == "midpoint" else 3)
        if p is None or of is None:
            return None
        if p[0] is None or any(q is None for q in of):
            return MISS
        q = [_v(x) for x in of]
        want = {"midpoint": lambda: (q[0] + q[1]) / 2, "centroid": lambda: centroid(*q),
                "circumcentre": lambda: circumcentre(*q), "incentre": lambda: incentre(*q)[0],
                "orthocentre": lambda: orthocentre(*q)}[relation]()
        d = float(np.hypot(*(_v(p[0]) - want)))
        return d if np.isfinite(d) else MISS
    if relation in ("circumcircle", "incircle"):
        c, of = need_circle(args[0]), need_points(args[1], 3)
        if c is None or of is None:
            return None
        if c is MISS or any(q is None for q in of):
            return MISS
        q = [_v(x) for x in of]
        if relation == "circumcircle":
            centre = circumcentre(*q)
            r = float(np.hypot(*(q[0] - centre)))
        else:
            centre, r = incentre(*q)
        d = float(np.hypot(*(_v(c[0]) - centre)) + abs(c[1] - r))
        return d if np.isfinite(d) else MISS
    if relation == "on":
        p = need_points(args[0], 1)
        if p is None:
            return None
        c = need_circle(args[1])
        if c is not None:
            if p[0] is None or c is MISS:
                return MISS
            return abs(float(np.hypot(*(_v(p[0]) - _v(c[0])))) - c[1])
        line = need_points(args[1], 2)
        if line is None:
            return None
        if p[0] is None or any(q is None for q in line):
            return MISS
        return _line_dist(_v(p[0]), _v(line[0]), _v(line[1]))
    if relation == "tangent":
        c, line = need_circle(args[0]), need_points(args[1], 2)
        if c is None or line is None:
            return None
        if c is MISS or any(q is None for q in line):
            return MISS
        return abs(_line_dist(_v(c[0]), _v(line[0]), _v(line[1])) - c[1])
    if relation == "foot":
        p, frm, line = need_points(args[0], 1), need_points(args[1], 1), need_points(args[2], 2)
        if p is None or frm is None or line is None:
            return None
        if p[0] is None or frm[0] is None or any(q is None for q in line):
            return MISS
        return float(np.hypot(*(_v(p[0]) - _foot(_v(frm[0]), _v(line[0]), _v(line[1])))))
    if relation in ("perpendicular", "parallel", "equal_length"):
        s, t = need_points(args[0], 2), need_points(args[1], 2)
        if s is None or t is None:
            return None
        if any(q is None for q in s + t):
            return MISS
        u, v = _v(s[1]) - _v(s[0]), _v(t[1]) - _v(t[0])
        if relation == "equal_length":
            return abs(float(np.hypot(*u)) - float(np.hypot(*v)))
        return _off_angle(u, v, relation == "parallel")
    return None


# --- predicting constructed objects from the drawn free points (layout-free identification) ------------

POINT_RELATIONS = ("midpoint", "centroid", "circumcentre", "incentre", "orthocentre", "foot")


def _tangent_points(p, c, r) -> list:
    d = p - c
    dist = float(np.hypot(*d))
    if dist <= r:
        return []
    base = np.arctan2(d[1], d[0])
    off = np.arccos(r / dist)
    return [c + r * np.array([np.cos(base + s * off), np.sin(base + s * off)]) for s in (1, -1)]


def predict(fact: dict, points: dict, circles: dict, names) -> list:
    """Where ``fact`` puts the object it defines (its first argument), from the points and circles
    already found: ``[position, ...]`` for a point (two for a tangent's touching point), ``[(centre,
    radius)]`` for a circle, ``[]`` when it defines nothing or what it needs is missing."""
    a = _Args(points, circles, names)
    rel, args = fact["relation"], fact["args"]
    if rel in POINT_RELATIONS:
        if rel == "foot":
            frm, line = a.pts(args[1]), a.pts(args[2])
            if not frm or not line or any(q is None for q in frm + line):
                return []
            return [_foot(_v(frm[0]), _v(line[0]), _v(line[1]))]
        of = a.pts(args[1])
        if not of or any(q is None for q in of):
            return []
        q = [_v(x) for x in of]
        if rel == "midpoint" and len(q) == 2:
            return [(q[0] + q[1]) / 2]
        if len(q) != 3:
            return []
        want = {"centroid": centroid, "circumcentre": circumcentre, "orthocentre": orthocentre,
                "incentre": lambda *v: incentre(*v)[0]}[rel](*q)
        return [want] if np.all(np.isfinite(want)) else []
    if rel in ("circumcircle", "incircle"):
        of = a.pts(args[1])
        if not of or len(of) != 3 or any(q is None for q in of):
            return []
        q = [_v(x) for x in of]
        if rel == "circumcircle":
            c = circumcentre(*q)
            return [(c, float(np.hypot(*(q[0] - c))))] if np.all(np.isfinite(c)) else []
        return [incentre(*q)]
    if rel == "tangent":                 # tangent(k, 'PT'): T touches k on the tangent from P
        line = _split(args[1], a.names)
        if len(line) != 2 or points.get(line[0]) is None:
            return []
        c = circles.get(args[0])
        return [] if c is None else _tangent_points(_v(points[line[0]]), _v(c[0]), c[1])
    return []


def _split(text, names) -> list:
    """``text`` split into known point names ('CA' -> ['C', 'A']); [] when a piece is not one."""
    from symbolreel.primitives.geometry.construction import split_names
    try:
        return split_names(text, names)
    except KeyError:
        return []


def defines(fact: dict, names) -> str | None:
    """The name of the object ``fact`` may construct (None for a fact that only relates given objects).
    For ``tangent`` it is the second point of the line (the touching point of a tangent from a point;
    an incircle's tangent facts name a side, whose points are given: callers ask only about points that
    are not free)."""
    rel, args = fact["relation"], fact["args"]
    if rel in POINT_RELATIONS or rel in ("circumcircle", "incircle"):
        return args[0]
    if rel == "tangent":
        parts = _split(args[1], names)
        return parts[1] if len(parts) == 2 else None
    return None
