"""Easing: parse an ease spec once (Python) and evaluate it in Numba.

An ease maps segment progress ``u`` in [0, 1] to interpolation weight ``e``
(``value = a + (b - a) * e``).  Specs (see docs/animation.md):

* ``"linear"``; ``"hold"`` (the value stays at the segment's start value until
  the next key);
* CSS presets ``"ease"``, ``"ease-in"``, ``"ease-out"``, ``"ease-in-out"``
  (cubic beziers), and ``"step-start"`` / ``"step-end"``;
* Penner families, CSS-like names ``"ease-in-<family>"``,
  ``"ease-out-<family>"``, ``"ease-in-out-<family>"`` for family in
  sine, quad, cubic, quart, quint, expo, circ, back, elastic, bounce
  (formulas of easings.net);
* ``"steps(n)"`` / ``"steps(n, start|end|jump-start|jump-end|jump-none|jump-both)"``
  (CSS step easing; default ``end``);
* ``"cubic-bezier(x1, y1, x2, y2)"`` or a list/tuple of the same 4 numbers;
  x1 and x2 must lie in [0, 1], y1 and y2 may overshoot.

:func:`parse_ease` returns ``(kind, (p0, p1, p2, p3))``; :func:`ease_value` is
the Numba kernel.
"""
from __future__ import annotations

import difflib
import math
import re
from functools import lru_cache

import numpy as np
from numba import njit

# ---- kind codes -----------------------------------------------------------
LINEAR = 0
HOLD = 1
BEZIER = 2
STEPS = 3
FAMILY_BASE = 10  # kind = FAMILY_BASE + 3 * family_index + (0 in | 1 out | 2 in-out)

FAMILIES = ("sine", "quad", "cubic", "quart", "quint", "expo", "circ", "back", "elastic", "bounce")
_MODES = ("in", "out", "in-out")

CSS_PRESETS = {
    "ease": (0.25, 0.1, 0.25, 1.0),
    "ease-in": (0.42, 0.0, 1.0, 1.0),
    "ease-out": (0.0, 0.0, 0.58, 1.0),
    "ease-in-out": (0.42, 0.0, 0.58, 1.0),
}
STEP_POSITIONS = {"end": 0, "jump-end": 0, "start": 1, "jump-start": 1, "jump-none": 2, "jump-both": 3}

_FAMILY_NAMES = tuple(f"ease-{m}-{f}" for f in FAMILIES for m in _MODES)
EASE_NAMES = ("linear", "hold", *CSS_PRESETS, "step-start", "step-end", *_FAMILY_NAMES)

_VALID_FORMS = (
    "valid eases: 'linear', 'hold', 'ease', 'ease-in', 'ease-out', 'ease-in-out', 'step-start', 'step-end', "
    "'ease-<in|out|in-out>-<sine|quad|cubic|quart|quint|expo|circ|back|elastic|bounce>' (e.g. 'ease-out-quad'), "
    "'steps(n)' or 'steps(n, start|end|jump-none|jump-both)', "
    "'cubic-bezier(x1, y1, x2, y2)' or [x1, y1, x2, y2] with x1, x2 in [0, 1]"
)

_NUM = r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_BEZIER_RE = re.compile(r"^cubic-bezier\(" + ",".join([_NUM] * 4) + r"\)$")
_STEPS_RE = re.compile(r"^steps\(\s*([-+]?\d+)\s*(?:,\s*([a-z-]+)\s*)?\)$")


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _bezier(vals, shown) -> tuple:
    x1, y1, x2, y2 = (float(v) for v in vals)
    if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        raise ValueError(f"bad ease {shown}: cubic-bezier numbers must be finite; {_VALID_FORMS}")
    if not (0.0 <= x1 <= 1.0 and 0.0 <= x2 <= 1.0):
        raise ValueError(f"bad ease {shown}: cubic-bezier x1 and x2 must lie in [0, 1] "
                         f"(got x1={x1:g}, x2={x2:g}); y1 and y2 may overshoot")
    return BEZIER, (x1, y1, x2, y2)


@lru_cache(maxsize=4096)
def _parse_str(spec: str):
    s = spec.strip()
    if s == "linear":
        return LINEAR, (0.0, 0.0, 0.0, 0.0)
    if s == "hold":
        return HOLD, (0.0, 0.0, 0.0, 0.0)
    if s in CSS_PRESETS:
        return BEZIER, CSS_PRESETS[s]
    if s == "step-start":
        return STEPS, (1.0, 1.0, 0.0, 0.0)
    if s == "step-end":
        return STEPS, (1.0, 0.0, 0.0, 0.0)
    if s.startswith("ease-"):
        for mi, m in enumerate(_MODES):
            for fi, f in enumerate(FAMILIES):
                if s == f"ease-{m}-{f}":
                    return FAMILY_BASE + 3 * fi + mi, (0.0, 0.0, 0.0, 0.0)
    if s.startswith("steps"):
        m = _STEPS_RE.match(s)
        if not m:
            raise ValueError(f"bad ease {spec!r}: expected 'steps(n)' or 'steps(n, start|end|jump-none|jump-both)'")
        n = int(m.group(1))
        pos = m.group(2) or "end"
        if pos not in STEP_POSITIONS:
            raise ValueError(f"bad ease {spec!r}: step position must be one of {', '.join(STEP_POSITIONS)}")
        code = STEP_POSITIONS[pos]
        if n < 1 or (code == 2 and n < 2):
            raise ValueError(f"bad ease {spec!r}: steps need n >= 1 (n >= 2 for jump-none)")
        return STEPS, (float(n), float(code), 0.0, 0.0)
    if s.startswith("cubic-bezier"):
        m = _BEZIER_RE.match(s)
        if not m:
            raise ValueError(f"bad ease {spec!r}: expected 'cubic-bezier(x1, y1, x2, y2)' with 4 numbers")
        return _bezier(m.groups(), repr(spec))
    hint = difflib.get_close_matches(s, EASE_NAMES, n=1)
    did = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise ValueError(f"unknown ease {spec!r}{did}; {_VALID_FORMS}")


def parse_ease(spec) -> tuple:
    """Parse an ease spec into ``(kind, (p0, p1, p2, p3))``; raises ValueError listing valid forms."""
    if isinstance(spec, str):
        return _parse_str(spec)
    if isinstance(spec, (list, tuple, np.ndarray)):
        vals = list(spec)
        if len(vals) != 4 or not all(_is_number(v) for v in vals):
            raise ValueError(f"bad ease {list(vals)!r}: a list ease must be 4 numbers [x1, y1, x2, y2]; {_VALID_FORMS}")
        return _bezier(vals, repr(list(vals)))
    raise ValueError(f"bad ease {spec!r}: expected a string or 4 numbers; {_VALID_FORMS}")


def ease_spec_to_yaml(spec):
    """Canonical YAML form of an ease: a name/``steps(...)`` string, or ``[x1, y1, x2, y2]``."""
    kind, p = parse_ease(spec)
    if kind == BEZIER:
        for name, pre in CSS_PRESETS.items():
            if p == pre:
                return name
        return [p[0], p[1], p[2], p[3]]
    if kind == STEPS:
        n, code = int(p[0]), int(p[1])
        if n == 1 and code in (0, 1):
            return "step-end" if code == 0 else "step-start"
        pos = {0: "", 1: ", start", 2: ", jump-none", 3: ", jump-both"}[code]
        return f"steps({n}{pos})"
    if kind == LINEAR:
        return "linear"
    if kind == HOLD:
        return "hold"
    return spec.strip()


# ---- Numba kernels ---------------------------------------------------------
_N_NEWTON = 8
_N_BISECT = 60


@njit(cache=True)
def _bez(p1, p2, s):
    r = 1.0 - s
    return 3.0 * r * r * s * p1 + 3.0 * r * s * s * p2 + s * s * s


@njit(cache=True)
def _bez_dx(p1, p2, s):
    r = 1.0 - s
    return 3.0 * r * r * p1 + 6.0 * r * s * (p2 - p1) + 3.0 * s * s * (1.0 - p2)


@njit(cache=True)
def bezier_solve(x1, x2, u):
    """Curve parameter s with x(s) == u (x monotone since x1, x2 in [0, 1]).

    A fixed budget: up to 8 bracketed Newton steps, then (only if the residual
    is still above 1e-14) 60 bisection steps inside the bracket.  Pure function
    of its inputs, so deterministic everywhere.
    """
    lo = 0.0
    hi = 1.0
    s = u
    for _ in range(_N_NEWTON):
        f = _bez(x1, x2, s) - u
        if f == 0.0:
            return s
        if f > 0.0:
            hi = s
        else:
            lo = s
        d = _bez_dx(x1, x2, s)
        ns = s - f / d if d > 1e-12 else -1.0
        if ns <= lo or ns >= hi:
            ns = 0.5 * (lo + hi)
        s = ns
    if abs(_bez(x1, x2, s) - u) <= 1e-14:
        return s
    for _ in range(_N_BISECT):
        mid = 0.5 * (lo + hi)
        if _bez(x1, x2, mid) < u:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True)
def _bounce_out(x):
    n1 = 7.5625
    d1 = 2.75
    if x < 1.0 / d1:
        return n1 * x * x
    if x < 2.0 / d1:
        x -= 1.5 / d1
        return n1 * x * x + 0.75
    if x < 2.5 / d1:
        x -= 2.25 / d1
        return n1 * x * x + 0.9375
    x -= 2.625 / d1
    return n1 * x * x + 0.984375


@njit(cache=True)
def _family_in(fam, x):
    """The 'in' form of a Penner family on [0, 1]."""
    if fam == 0:
        return 1.0 - math.cos(x * math.pi / 2.0)
    if fam == 1:
        return x * x
    if fam == 2:
        return x * x * x
    if fam == 3:
        return x * x * x * x
    if fam == 4:
        return x * x * x * x * x
    if fam == 5:
        return 0.0 if x == 0.0 else 2.0 ** (10.0 * x - 10.0)
    if fam == 6:
        return 1.0 - math.sqrt(max(0.0, 1.0 - x * x))
    if fam == 7:
        c1 = 1.70158
        return (c1 + 1.0) * x * x * x - c1 * x * x
    if fam == 8:
        if x == 0.0 or x == 1.0:
            return x
        return -(2.0 ** (10.0 * x - 10.0)) * math.sin((x * 10.0 - 10.75) * (2.0 * math.pi / 3.0))
    return 1.0 - _bounce_out(1.0 - x)


@njit(cache=True)
def _family(fam, mode, x):
    if mode == 0:
        return _family_in(fam, x)
    if mode == 1:
        return 1.0 - _family_in(fam, 1.0 - x)
    # in-out; back and elastic use their own constants (easings.net)
    if fam == 7:
        c2 = 1.70158 * 1.525
        if x < 0.5:
            y = 2.0 * x
            return (y * y * ((c2 + 1.0) * y - c2)) / 2.0
        y = 2.0 * x - 2.0
        return (y * y * ((c2 + 1.0) * y + c2) + 2.0) / 2.0
    if fam == 8:
        c5 = 2.0 * math.pi / 4.5
        if x < 0.5:
            return -(2.0 ** (20.0 * x - 10.0) * math.sin((20.0 * x - 11.125) * c5)) / 2.0
        return (2.0 ** (-20.0 * x + 10.0) * math.sin((20.0 * x - 11.125) * c5)) / 2.0 + 1.0
    if x < 0.5:
        return _family_in(fam, 2.0 * x) / 2.0
    return 1.0 - _family_in(fam, 2.0 - 2.0 * x) / 2.0


@njit(cache=True)
def ease_value(kind, p0, p1, p2, p3, u):
    """Interpolation weight for progress ``u`` (clamped to [0, 1]).

    Every ease except ``steps(n, start|jump-both)`` maps 0 -> 0 and 1 -> 1
    exactly; ``hold`` is 0 on [0, 1) and 1 at 1.
    """
    if kind == STEPS:
        n = p0
        code = int(p1)
        if u < 0.0:
            u = 0.0
        jumps = n
        if code == 2:
            jumps = n - 1.0
        elif code == 3:
            jumps = n + 1.0
        step = math.floor(u * n)
        if code == 1 or code == 3:
            step += 1.0
        if step > jumps:
            step = jumps
        return step / jumps
    if u <= 0.0:
        return 0.0
    if u >= 1.0:
        return 1.0
    if kind == LINEAR:
        return u
    if kind == HOLD:
        return 0.0
    if kind == BEZIER:
        s = bezier_solve(p0, p2, u)
        return _bez(p1, p3, s)
    k = kind - FAMILY_BASE
    return _family(k // 3, k % 3, u)
