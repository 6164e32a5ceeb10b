"""Exact geometric constructions: named points, lines and circles defined by relations.

A figure's ``points`` and construction items compile (once, in ``Figure.__post_init__``) into a
:class:`Program`: a list of steps, each a relation with resolved arguments.  The same step code runs
on two number backends:

* :data:`FLOAT` (Python floats, per frame: a construction of a few dozen steps costs tens of
  microseconds, no SymPy and no arrays of one element), also used to check every frame up front;
* :data:`EXACT` (SymPy numbers: once, at compile time, on the configuration at t = 0, for exact
  coordinates and an exact check of every fact).

Root-picking rules (documented in docs/geometry.md), with the world y axis pointing up:

* line ∩ circle: ``pick: 0`` is the root met first when walking the line from its first point
  towards its second, ``pick: 1`` the other;
* circle ∩ circle: ``pick: 0`` is the root on the left of the directed centre line (first centre
  to second centre), ``pick: 1`` the one on the right;
* tangent from P to a circle: ``pick: 0`` touches on the left of the direction P -> centre;
* ``avoid: X`` (instead of ``pick``): take the root farther from point X (the "other" intersection).
"""
from __future__ import annotations

import math
import re

from symbolreel.errors import SceneError

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_']*$")

# relation -> (argument signature, what it defines)
#   P: point   L: line (two points or a named line)   C: circle (named)   X: line or circle
#   Y: line or point   S: segment (two points)   P+: two or more points
CONSTRUCTIONS = {
    "midpoint": ("P P", "point"),
    "intersection": ("X X", "point"),
    "foot": ("P L", "point"),
    "reflection": ("P Y", "point"),
    "rotation": ("P P", "point"),
    "centroid": ("P P P", "point"),
    "circumcentre": ("P P P", "point"),
    "incentre": ("P P P", "point"),
    "orthocentre": ("P P P", "point"),
    "tangent": ("P C", "point"),
    "on": ("X", "point"),
    "circumcircle": ("P P P", "circle"),
    "incircle": ("P P P", "circle"),
    "circle": ("P P?", "circle"),
    "parallel": ("P L", "line"),
    "perpendicular": ("P L", "line"),
    "bisector": ("P P P", "line"),
    "perpendicular_bisector": ("P P", "line"),
    "regular_polygon": ("P P", "polygon"),
}
DRAWINGS = {
    "point": "P+", "segment": "P P", "ray": "P P", "line": "L", "vector": "P P", "arc": "P P P",
    "sector": "P P P", "polygon": "P P P+", "angle": "P P P", "right_angle": "P P P", "equal": "S S+",
    "parallel_marks": "S S+",
}
KINDS = tuple(CONSTRUCTIONS) + tuple(DRAWINGS)
_SIG_TEXT = {"P": "a point", "L": "a line (two points or a line's name)", "C": "a circle's name",
             "X": "a line or a circle", "Y": "a line or a point", "S": "a segment (two points)"}


class Degenerate(Exception):
    """A construction step has no (unique) solution for the current positions."""


# ----------------------------------------------------------------------------- backends

class _FloatBackend:
    exact = False
    sqrt = staticmethod(math.sqrt)

    @staticmethod
    def num(v):
        return float(v)

    @staticmethod
    def cosd(d):
        return math.cos(math.radians(d))

    @staticmethod
    def sind(d):
        return math.sin(math.radians(d))

    @staticmethod
    def f(v) -> float:
        return v


class _ExactBackend:
    exact = True

    @staticmethod
    def sqrt(v):
        import sympy  # deferred: SymPy loads only when an expression needs it

        return sympy.sqrt(v)

    @staticmethod
    def num(v):
        import sympy  # deferred: SymPy loads only when an expression needs it

        if isinstance(v, float):
            return sympy.Rational(repr(v)) if math.isfinite(v) else sympy.nan
        return sympy.sympify(v) if isinstance(v, int) else v

    @staticmethod
    def cosd(d):
        import sympy  # deferred: SymPy loads only when an expression needs it

        return sympy.cos(sympy.pi * _ExactBackend.num(d) / 180)

    @staticmethod
    def sind(d):
        import sympy  # deferred: SymPy loads only when an expression needs it

        return sympy.sin(sympy.pi * _ExactBackend.num(d) / 180)

    @staticmethod
    def f(v) -> float:
        return float(v)


FLOAT = _FloatBackend()
EXACT = _ExactBackend()


def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1])


def _add(a, b):
    return (a[0] + b[0], a[1] + b[1])


def _mul(s, a):
    return (s * a[0], s * a[1])


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1]


def _cross(a, b):
    return a[0] * b[1] - a[1] * b[0]


def _perp(a):
    """``a`` turned 90 degrees counterclockwise (y up)."""
    return (-a[1], a[0])


def _norm(B, a):
    return B.sqrt(a[0] * a[0] + a[1] * a[1])


def _tiny(B, value, scale) -> bool:
    """Numerically zero relative to ``scale`` (float checks only; exact mode trusts the float pass)."""
    return (not B.exact) and abs(value) <= 1e-12 * max(scale, 1e-300)


# ----------------------------------------------------------------------------- names

def fmt_names(names) -> str:
    """``["A", "B"]`` -> ``"AB"``; names longer than one character are separated by spaces."""
    names = list(names)
    return "".join(names) if all(len(n) == 1 for n in names) else " ".join(names)


def split_names(text: str, known) -> list:
    """Split ``"AB CD"`` / ``"A1 B"`` into known names; greedy longest match inside a word.

    Raises ``KeyError(piece)`` with the first piece that is not a known name.
    """
    out = []
    known = set(known)
    longest = max((len(k) for k in known), default=1)
    for word in re.split(r"[\s,]+", text.strip()):
        if not word:
            continue
        if word in known:
            out.append(word)
            continue
        i = 0
        while i < len(word):
            for n in range(min(longest, len(word) - i), 0, -1):
                if word[i:i + n] in known:
                    out.append(word[i:i + n])
                    i += n
                    break
            else:
                m = re.match(r"[A-Za-z][0-9_']*", word[i:])
                raise KeyError(m.group(0) if m else word[i:])
    return out


# ----------------------------------------------------------------------------- program

class Ref:
    """A resolved argument: kind 'P' (point name), 'L' (line: (a, b) point names or a line name), 'C'."""

    __slots__ = ("kind", "names", "obj", "_text")

    def __init__(self, kind, names=(), obj=None):
        self.kind, self.names, self.obj = kind, tuple(names), obj
        self._text = None

    @property
    def text(self) -> str:
        # names/obj are set once; the text is asked for by every step of every frame
        t = self._text
        if t is None or t[0] is not self.obj or t[1] is not self.names:
            t = self._text = (self.obj, self.names, self.obj if self.obj is not None else fmt_names(self.names))
        return t[2]


class Step:
    __slots__ = ("kind", "index", "args", "out", "item", "extra", "_texts")

    def __init__(self, kind, index, args, out, item, extra=None):
        self.kind, self.index, self.args, self.out, self.item = kind, index, args, out, item
        self.extra = extra or {}
        self._texts = None

    @property
    def texts(self) -> list:
        """The arguments' names (for error messages), computed once."""
        t = self._texts
        if t is None or t[0] is not self.args:
            t = self._texts = (self.args, [r.text for r in self.args])
        return t[1]


class Program:
    """Compiled construction: object table, steps in order, free points, animated parameters."""

    def __init__(self):
        self.types: dict = {}      # name -> 'point' | 'line' | 'circle'
        self.free: dict = {}       # name -> (x, y) literal or Track
        self.steps: list = []      # Step (constructions, in item order)
        self.params: dict = {}     # (item index, option) -> literal or Track

    def point_names(self) -> list:
        return [n for n, t in self.types.items() if t == "point"]


def _some(names, n: int = 20) -> str:
    """At most ``n`` names for a message (a figure may define thousands)."""
    names = list(names)
    return ", ".join(names[:n]) + (f", ... ({len(names) - n} more)" if len(names) > n else "")


def parse_args(sig: str, text, program: Program, path) -> list:
    """Resolve an item's argument text against the signature ``sig`` (see CONSTRUCTIONS)."""
    if not isinstance(text, str):
        raise SceneError("expected the names of its arguments as text, e.g. 'A B' or 'ABC'", path)
    try:
        names = split_names(text, program.types)
    except KeyError as exc:
        bad = exc.args[0]
        pts = _some(program.point_names()) or "none"
        others = [n for n, t in program.types.items() if t != "point"]
        extra = f"; known lines/circles: {_some(others)}" if others else ""
        raise SceneError(f"unknown point '{bad}'; known points: {pts}{extra}", path) from None
    refs, i = [], 0
    parts = sig.split()
    for k, part in enumerate(parts):
        kind = part[0]
        many = part.endswith("+")
        optional = part.endswith("?")
        count = 0
        while True:
            if i >= len(names):
                if optional or (many and count >= 1):
                    break
                raise SceneError(f"expected {_sig_text(sig)}; found {text!r}", path)
            name = names[i]
            typ = program.types[name]
            if kind == "P" and typ == "point":
                refs.append(Ref("P", (name,)))
                i += 1
            elif kind in "LXYS" and typ == "point":
                if kind == "Y" and (i + 1 >= len(names) or program.types.get(names[i + 1]) != "point"):
                    refs.append(Ref("P", (name,)))
                    i += 1
                else:
                    if i + 1 >= len(names) or program.types[names[i + 1]] != "point":
                        raise SceneError(f"expected {_sig_text(sig)}; a line needs two points, found {text!r}",
                                         path)
                    if names[i] == names[i + 1]:
                        raise SceneError(f"a line through {name} and {name} is not defined (same point twice)",
                                         path)
                    refs.append(Ref("L", (names[i], names[i + 1])))
                    i += 2
            elif kind in "LXY" and typ == "line":
                refs.append(Ref("L", obj=name))
                i += 1
            elif kind in "CX" and typ == "circle":
                refs.append(Ref("C", obj=name))
                i += 1
            else:
                raise SceneError(f"expected {_sig_text(sig)}; '{name}' is a {typ}", path)
            count += 1
            if not many:
                break
        if optional:
            continue
    if i < len(names):
        raise SceneError(f"too many arguments: expected {_sig_text(sig)}, found {text!r}", path)
    return refs


def _sig_text(sig: str) -> str:
    parts = []
    for p in sig.split():
        t = _SIG_TEXT[p[0]]
        if p.endswith("+"):
            t += " or more"
        if p.endswith("?"):
            t = f"optionally {t}"
        parts.append(t)
    return ", ".join(parts)


# ----------------------------------------------------------------------------- evaluation

def line_points(state, ref):
    """(p, q): two points of a line reference."""
    if ref.obj is not None:
        return state[ref.obj]
    return state[ref.names[0]], state[ref.names[1]]


def _line_ok(B, p, q, what):
    d = _sub(q, p)
    if B.exact:
        return d
    if abs(d[0]) + abs(d[1]) <= 1e-12 * (abs(p[0]) + abs(p[1]) + abs(q[0]) + abs(q[1]) + 1e-300):
        raise Degenerate(f"the two points of line {what} coincide")
    return d


def _get(B, state, ref):
    if ref.kind == "P":
        return state[ref.names[0]]
    if ref.kind == "L":
        p, q = line_points(state, ref)
        _line_ok(B, p, q, ref.text)
        return (p, q)
    return state[ref.obj]


def _intersect_ll(B, l1, l2, n1, n2):
    (p, q), (r, s) = l1, l2
    d, e = _sub(q, p), _sub(s, r)
    den = _cross(d, e)
    if _tiny(B, den, B.f(_norm(B, d)) * B.f(_norm(B, e))):
        raise Degenerate(f"lines {n1} and {n2} are parallel")
    t = _cross(_sub(r, p), e) / den
    return _add(p, _mul(t, d))


def _intersect_lc(B, line, circle, pick, avoid, nl, nc):
    (p, q), (c, r) = line, circle
    d = _sub(q, p)
    dd = _dot(d, d)
    f = _sub(p, c)
    b = _dot(f, d) / dd                 # roots s = -b -+ sqrt(b^2 - (f.f - r^2)/dd)
    disc = b * b - (_dot(f, f) - r * r) / dd
    if not B.exact:
        if disc < -1e-12 * (r * r / dd + 1e-300):
            raise Degenerate(f"line {nl} misses circle {nc}")
        disc = max(disc, 0.0)
    h = B.sqrt(disc)
    roots = (_add(p, _mul(-b - h, d)), _add(p, _mul(-b + h, d)))
    return _choose(B, roots, pick, avoid)


def _intersect_cc(B, c1, c2, pick, avoid, n1, n2):
    (o1, r1), (o2, r2) = c1, c2
    d = _sub(o2, o1)
    dd = _dot(d, d)
    if not B.exact:
        if dd <= 1e-24 * (r1 * r1 + r2 * r2 + 1e-300):
            raise Degenerate(f"circles {n1} and {n2} are concentric")
    a = (dd + r1 * r1 - r2 * r2) / 2          # distance along d from o1, times |d|
    h2 = r1 * r1 * dd - a * a                 # (height * |d|)^2
    if not B.exact:
        if h2 < -1e-12 * r1 * r1 * dd:
            raise Degenerate(f"circles {n1} and {n2} do not meet")
        h2 = max(h2, 0.0)
    base = _add(o1, _mul(a / dd, d))
    off = _mul(B.sqrt(h2) / dd, _perp(d))
    return _choose(B, (_add(base, off), _sub(base, off)), pick, avoid)


def _choose(B, roots, pick, avoid):
    if avoid is not None:
        d0 = _dot(_sub(roots[0], avoid), _sub(roots[0], avoid))
        d1 = _dot(_sub(roots[1], avoid), _sub(roots[1], avoid))
        return roots[0] if B.f(d0) >= B.f(d1) else roots[1]
    return roots[pick]


def _triangle(B, a, b, c, names):
    area2 = _cross(_sub(b, a), _sub(c, a))
    if not B.exact:
        scale = B.f(_dot(_sub(b, a), _sub(b, a))) + B.f(_dot(_sub(c, a), _sub(c, a)))
        if abs(area2) <= 1e-12 * max(scale, 1e-300):
            raise Degenerate(f"points {names} are collinear")
    return area2


def circumcentre(B, a, b, c, names="ABC"):
    area2 = _triangle(B, a, b, c, names)
    ba, ca = _sub(b, a), _sub(c, a)
    bb, cc = _dot(ba, ba), _dot(ca, ca)
    ux = (ca[1] * bb - ba[1] * cc) / (2 * area2)
    uy = (ba[0] * cc - ca[0] * bb) / (2 * area2)
    return (a[0] + ux, a[1] + uy)


def incentre(B, a, b, c, names="ABC"):
    area2 = _triangle(B, a, b, c, names)
    la, lb, lc = _norm(B, _sub(b, c)), _norm(B, _sub(c, a)), _norm(B, _sub(a, b))
    s = la + lb + lc
    centre = ((la * a[0] + lb * b[0] + lc * c[0]) / s, (la * a[1] + lb * b[1] + lc * c[1]) / s)
    r = (area2 if B.f(area2) >= 0 else -area2) / s
    return centre, r


def foot(B, p, line):
    a, b = line
    d = _sub(b, a)
    t = _dot(_sub(p, a), d) / _dot(d, d)
    return _add(a, _mul(t, d))


def evaluate(program: Program, free: dict, params: dict, B=FLOAT, check=None) -> dict:
    """Run every step; ``free``: name -> (x, y); ``params``: (item, option) -> value. Returns the state.

    Raises :class:`Degenerate` (with ``.step`` set) when a step has no solution. ``check(step, state)``,
    when given, runs after each step (the exact pass bounds the size of what a step built with it).
    """
    state = {n: (B.num(v[0]), B.num(v[1])) for n, v in free.items()}
    for st in program.steps:
        try:
            _run_step(B, st, state, params)
            if check is not None:
                check(st, state)
        except Degenerate as exc:
            exc.step = st
            raise
        except ZeroDivisionError:
            err = Degenerate(f"{st.kind} is undefined (division by zero)")
            err.step = st
            raise err from None
    return state


def _run_step(B, st, state, params):
    k, a, out = st.kind, st.args, st.out
    g = [(_get(B, state, r)) for r in a]
    text = st.texts
    if k == "midpoint":
        state[out] = _mul(B.num(0.5) if B.exact else 0.5, _add(g[0], g[1]))
    elif k == "intersection":
        pick, avoid = st.extra.get("pick", 0), st.extra.get("avoid")
        avoid_pt = state[avoid] if avoid is not None else None
        kinds = a[0].kind + a[1].kind
        if kinds == "LL":
            state[out] = _intersect_ll(B, g[0], g[1], text[0], text[1])
        elif kinds == "LC":
            state[out] = _intersect_lc(B, g[0], g[1], pick, avoid_pt, text[0], text[1])
        elif kinds == "CL":
            state[out] = _intersect_lc(B, g[1], g[0], pick, avoid_pt, text[1], text[0])
        else:
            state[out] = _intersect_cc(B, g[0], g[1], pick, avoid_pt, text[0], text[1])
    elif k == "foot":
        state[out] = foot(B, g[0], g[1])
    elif k == "reflection":
        if a[1].kind == "P":
            state[out] = _sub(_mul(2, g[1]), g[0])
        else:
            state[out] = _sub(_mul(2, foot(B, g[0], g[1])), g[0])
    elif k == "rotation":
        ang = params[(st.item, "angle")]
        c, s = B.cosd(ang), B.sind(ang)
        v = _sub(g[0], g[1])
        state[out] = (g[1][0] + c * v[0] - s * v[1], g[1][1] + s * v[0] + c * v[1])
    elif k == "centroid":
        third = B.num(1) / 3 if B.exact else 1.0 / 3.0
        state[out] = _mul(third, _add(_add(g[0], g[1]), g[2]))
    elif k in ("circumcentre", "circumcircle"):
        o = circumcentre(B, g[0], g[1], g[2], "".join(text))
        if k == "circumcentre":
            state[out] = o
        else:
            state[out] = (o, _norm(B, _sub(g[0], o)))
            if st.extra.get("centre"):
                state[st.extra["centre"]] = o
    elif k in ("incentre", "incircle"):
        i, r = incentre(B, g[0], g[1], g[2], "".join(text))
        if k == "incentre":
            state[out] = i
        else:
            state[out] = (i, r)
            if st.extra.get("centre"):
                state[st.extra["centre"]] = i
    elif k == "orthocentre":
        o = circumcentre(B, g[0], g[1], g[2], "".join(text))
        state[out] = _sub(_add(_add(g[0], g[1]), g[2]), _mul(2, o))
    elif k == "tangent":
        p, (o, r) = g[0], g[1]
        v = _sub(p, o)
        dd = _dot(v, v)
        if not B.exact and dd < r * r * (1 - 1e-12):
            raise Degenerate(f"point {text[0]} is inside circle {text[1]}: no tangent from it")
        h2 = dd - r * r
        if not B.exact:
            h2 = max(h2, 0.0)
        left = _mul(-1, _perp(v))             # left normal of the direction p -> o (times |v|)
        base = _add(o, _mul(r * r / dd, v))
        off = _mul(r * B.sqrt(h2) / dd, left)
        state[out] = _add(base, off) if st.extra.get("pick", 0) == 0 else _sub(base, off)
    elif k == "on":
        val = params[(st.item, "param")]
        if a[0].kind == "C":
            (o, r) = g[0]
            state[out] = (o[0] + r * B.cosd(val), o[1] + r * B.sind(val))
        else:
            p, q = g[0]
            state[out] = _add(p, _mul(B.num(val), _sub(q, p)))
    elif k == "circle":
        o = g[0]
        if len(g) > 1:
            r = _norm(B, _sub(g[1], o))
        else:
            r = B.num(params[(st.item, "radius")])
        state[out] = (o, r)
        if st.extra.get("centre"):
            state[st.extra["centre"]] = o
    elif k in ("parallel", "perpendicular"):
        p, (u, w) = g[0], g[1]
        d = _sub(w, u)
        state[out] = (p, _add(p, d if k == "parallel" else _perp(d)))
    elif k == "bisector":
        pa, pb, pc = g
        u, w = _sub(pa, pb), _sub(pc, pb)
        nu, nw = _norm(B, u), _norm(B, w)
        if not B.exact and (nu == 0 or nw == 0):
            raise Degenerate(f"angle {fmt_names(text)} has a zero-length side")
        d = _add(_mul(1 / nu, u), _mul(1 / nw, w))
        if not B.exact and abs(d[0]) + abs(d[1]) < 1e-12:
            d = _perp(_mul(1 / nu, u))         # straight angle: the bisector is the perpendicular
        state[out] = (pb, _add(pb, d))
    elif k == "perpendicular_bisector":
        m = _mul(B.num(0.5) if B.exact else 0.5, _add(g[0], g[1]))
        d = _sub(g[1], g[0])
        if not B.exact and abs(d[0]) + abs(d[1]) == 0:
            raise Degenerate(f"points {text[0]} and {text[1]} coincide")
        state[out] = (m, _add(m, _perp(d)))
    elif k == "regular_polygon":
        n = st.extra["sides"]
        o, v0 = g[0], _sub(g[1], g[0])
        verts = []
        for j in range(n):
            ang = B.num(360) * j / n if B.exact else 360.0 * j / n
            c, s = B.cosd(ang), B.sind(ang)
            verts.append((o[0] + c * v0[0] - s * v0[1], o[1] + s * v0[0] + c * v0[1]))
        state[out] = tuple(verts)
        for name, v in zip(st.extra.get("names") or (), verts):
            state[name] = v
    else:  # pragma: no cover - guarded by the compiler
        raise AssertionError(k)


# ----------------------------------------------------------------------------- facts

def step_facts(st) -> list:
    """``[(relation, args, extra)]`` a construction step asserts (checked by :func:`check_fact`)."""
    k, out = st.kind, st.out
    t = [r.text for r in st.args]
    if k == "midpoint":
        return [("midpoint", [out, fmt_names(t)], {})]
    if k == "intersection":
        return [("intersection", [out, t[0], t[1]], {})]
    if k == "foot":
        return [("foot", [out, t[0], t[1]], {}), ("on", [out, t[1]], {})]
    if k == "reflection":
        return [("reflection", [out, t[0], t[1]], {})]
    if k == "rotation":
        return [("rotation", [out, t[0], t[1]], {})]
    if k in ("centroid", "circumcentre", "incentre", "orthocentre"):
        return [(k, [out, fmt_names(t)], {})]
    if k == "circumcircle":
        facts = [("circumcircle", [out, fmt_names(t)], {})]
        facts += [("on", [v, out], {}) for v in t]
        return facts
    if k == "incircle":
        facts = [("incircle", [out, fmt_names(t)], {})]
        sides = [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])]
        facts += [("tangent", [out, fmt_names(s)], {"line": s}) for s in sides]
        return facts
    if k == "tangent":
        return [("tangent", [t[1], fmt_names([t[0], out])], {"line": (t[0], out)}), ("on", [out, t[1]], {})]
    if k == "on":
        return [("on", [out, t[0]], {})]
    if k in ("parallel", "perpendicular"):
        return [(k, [out, t[1]], {}), ("on", [t[0], out], {})]
    if k == "bisector":
        return [("angle_bisector", [out, fmt_names(t)], {})]
    if k == "perpendicular_bisector":
        return [("perpendicular_bisector", [out, fmt_names(t)], {})]
    if k == "circle" and len(st.args) > 1:
        return [("on", [t[1], out], {})]
    return []


def _obj(state, text, types):
    """State value of a fact argument: a name, or a line given as point names."""
    if text in state:
        return types.get(text, "point"), state[text]
    names = split_names(text, [n for n, t in types.items() if t == "point"])
    if len(names) == 2:
        return "line", (state[names[0]], state[names[1]])
    return "points", tuple(state[n] for n in names)


def _dist_line(B, p, line):
    a, b = line
    d = _sub(b, a)
    return _cross(d, _sub(p, a)) / _norm(B, d)


def _abs(B, v):
    return v if B.f(v) >= 0 else -v


def fact_pairs(B, rel, args, extra, state, types) -> list:
    """Pairs of quantities that are equal when the fact holds (same units: world units or cosines)."""
    objs = [_obj(state, a, types) for a in args]
    if rel == "midpoint":
        m, (a, b) = objs[0][1], objs[1][1]
        mid = _mul(B.num(0.5) if B.exact else 0.5, _add(a, b))
        return [(m[0], mid[0]), (m[1], mid[1])]
    if rel == "intersection":
        p = objs[0][1]
        return [_on_pair(B, p, o) for o in objs[1:]]
    if rel == "on":
        return [_on_pair(B, objs[0][1], objs[1])]
    if rel == "foot":
        h, p, line = objs[0][1], objs[1][1], objs[2][1]
        d = _sub(line[1], line[0])
        return [(_dot(_sub(p, h), d), 0)]
    if rel == "reflection":
        q, p, o = objs[0][1], objs[1][1], objs[2]
        if o[0] == "point":
            return [(q[0] + p[0], 2 * o[1][0]), (q[1] + p[1], 2 * o[1][1])]
        mid = _mul(B.num(0.5) if B.exact else 0.5, _add(p, q))
        d = _sub(o[1][1], o[1][0])
        return [(_dist_line(B, mid, o[1]), 0), (_dot(_sub(q, p), d), 0)]
    if rel == "rotation":
        q, p, o = objs[0][1], objs[1][1], objs[2][1]
        return [(_dot(_sub(q, o), _sub(q, o)), _dot(_sub(p, o), _sub(p, o)))]
    if rel in ("circumcentre", "circumcircle"):
        o = objs[0][1] if rel == "circumcentre" else objs[0][1][0]
        a, b, c = objs[1][1]
        da = _dot(_sub(a, o), _sub(a, o))
        pairs = [(da, _dot(_sub(b, o), _sub(b, o))), (da, _dot(_sub(c, o), _sub(c, o)))]
        if rel == "circumcircle":
            r = objs[0][1][1]
            pairs.append((da, r * r))
        return pairs
    if rel in ("incentre", "incircle"):
        i = objs[0][1] if rel == "incentre" else objs[0][1][0]
        a, b, c = objs[1][1]
        d1 = _abs(B, _dist_line(B, i, (a, b)))
        d2 = _abs(B, _dist_line(B, i, (b, c)))
        d3 = _abs(B, _dist_line(B, i, (c, a)))
        pairs = [(d1, d2), (d1, d3)]
        if rel == "incircle":
            pairs.append((d1, objs[0][1][1]))
        return pairs
    if rel == "centroid":
        g, (a, b, c) = objs[0][1], objs[1][1]
        return [(3 * g[0], a[0] + b[0] + c[0]), (3 * g[1], a[1] + b[1] + c[1])]
    if rel == "orthocentre":
        h, (a, b, c) = objs[0][1], objs[1][1]
        return [(_dot(_sub(h, a), _sub(b, c)), 0), (_dot(_sub(h, b), _sub(c, a)), 0)]
    if rel == "tangent":
        (o, r), line = objs[0][1], objs[1][1]
        return [(_abs(B, _dist_line(B, o, line)), r)]
    if rel in ("parallel", "perpendicular"):
        l1, l2 = objs[0][1], objs[1][1]
        d, e = _sub(l1[1], l1[0]), _sub(l2[1], l2[0])
        q = _cross(d, e) if rel == "parallel" else _dot(d, e)
        return [(q / (_norm(B, d) * _norm(B, e)), 0)]
    if rel == "angle_bisector":
        line, (a, b, c) = objs[0][1], objs[1][1]
        d = _sub(line[1], line[0])
        u, w = _sub(a, b), _sub(c, b)
        return [(_dot(d, u) / _norm(B, u), _dot(d, w) / _norm(B, w)), (_dist_line(B, b, line), 0)]
    if rel == "perpendicular_bisector":
        line, (a, b) = objs[0][1], objs[1][1]
        return [(_dist_line(B, a, line), -_dist_line(B, b, line)),
                (_dot(_sub(line[1], line[0]), _sub(b, a)), 0)]
    if rel == "equal_length":
        lens = [_dot(_sub(o[1][1], o[1][0]), _sub(o[1][1], o[1][0])) for o in objs]
        return [(B.sqrt(lens[0]), B.sqrt(x)) for x in lens[1:]]
    if rel == "right_angle":
        a, b, c = objs[0][1]
        return [(_dot(_sub(a, b), _sub(c, b)) / (_norm(B, _sub(a, b)) * _norm(B, _sub(c, b))), 0)]
    if rel == "parallel_segments":
        d0 = _sub(objs[0][1][1], objs[0][1][0])
        out = []
        for o in objs[1:]:
            e = _sub(o[1][1], o[1][0])
            out.append((_cross(d0, e) / (_norm(B, d0) * _norm(B, e)), 0))
        return out
    return []


def _on_pair(B, p, obj):
    typ, val = obj
    if typ == "circle":
        (o, r) = val
        return (_dot(_sub(p, o), _sub(p, o)), r * r)
    return (_dist_line(B, p, val), 0)


def check_fact(rel, args, extra, state, types, tol=1e-9) -> tuple:
    """(holds, residual) of a fact for float positions; residual scaled to world units or cosines."""
    pairs = fact_pairs(FLOAT, rel, args, extra, state, types)
    res = 0.0
    for a, b in pairs:
        scale = max(1.0, abs(a), abs(b))
        res = max(res, abs(a - b) / scale)
    return res <= tol, res
