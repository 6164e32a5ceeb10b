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

import math

from symbolreel.jit import kernel

from .ease_spec import (BEZIER, CSS_PRESETS, EASE_NAMES, FAMILIES, FAMILY_BASE, HOLD, LINEAR,  # noqa: F401
                        STEP_POSITIONS, STEPS, ease_spec_to_yaml, parse_ease)

# ---- Numba kernels ---------------------------------------------------------
_N_NEWTON = 8
_N_BISECT = 60


@kernel(cache=True)
def _bez(p1, p2, s):
    r = 1.0 - s
    return 3.0 * r * r * s * p1 + 3.0 * r * s * s * p2 + s * s * s


@kernel(cache=True)
def _bez_dx(p1, p2, s):
    r = 1.0 - s
    return 3.0 * r * r * p1 + 6.0 * r * s * (p2 - p1) + 3.0 * s * s * (1.0 - p2)


@kernel(cache=True)
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


@kernel(cache=True)
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


@kernel(cache=True)
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


@kernel(cache=True)
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


@kernel(cache=True)
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
