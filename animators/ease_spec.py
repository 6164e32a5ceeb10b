"""Ease specs: parse once, in plain Python (no Numba), into ``(kind, (p0, p1, p2, p3))``.

The spec forms are listed in :mod:`symbolreel.animators.easing`, whose Numba kernel evaluates them;
this half stays cheap to import so loading and validating a scene never pulls in Numba.
"""
from __future__ import annotations

import difflib
import math
import re
from functools import lru_cache

import numpy as np

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
