"""Easing: every named ease against its closed form, bezier solver, steps, bad specs."""
import math

import numpy as np
import pytest

from symbolreel.animators.easing import (BEZIER, bezier_solve, CSS_PRESETS, EASE_NAMES, HOLD, LINEAR, STEPS, ease_spec_to_yaml,
                                         ease_value, parse_ease)

# ---- closed forms (easings.net / Robert Penner; CSS Easing Level 1) ----------
C1 = 1.70158
C2 = C1 * 1.525
C3 = C1 + 1
C4 = 2 * math.pi / 3
C5 = 2 * math.pi / 4.5


def bounce_out(x):
    n1, d1 = 7.5625, 2.75
    if x < 1 / d1:
        return n1 * x * x
    if x < 2 / d1:
        x -= 1.5 / d1
        return n1 * x * x + 0.75
    if x < 2.5 / d1:
        x -= 2.25 / d1
        return n1 * x * x + 0.9375
    x -= 2.625 / d1
    return n1 * x * x + 0.984375


CLOSED = {
    "ease-in-sine": lambda x: 1 - math.cos(x * math.pi / 2),
    "ease-out-sine": lambda x: math.sin(x * math.pi / 2),
    "ease-in-out-sine": lambda x: -(math.cos(math.pi * x) - 1) / 2,
    "ease-in-quad": lambda x: x * x,
    "ease-out-quad": lambda x: 1 - (1 - x) * (1 - x),
    "ease-in-out-quad": lambda x: 2 * x * x if x < 0.5 else 1 - (-2 * x + 2) ** 2 / 2,
    "ease-in-cubic": lambda x: x ** 3,
    "ease-out-cubic": lambda x: 1 - (1 - x) ** 3,
    "ease-in-out-cubic": lambda x: 4 * x ** 3 if x < 0.5 else 1 - (-2 * x + 2) ** 3 / 2,
    "ease-in-quart": lambda x: x ** 4,
    "ease-out-quart": lambda x: 1 - (1 - x) ** 4,
    "ease-in-out-quart": lambda x: 8 * x ** 4 if x < 0.5 else 1 - (-2 * x + 2) ** 4 / 2,
    "ease-in-quint": lambda x: x ** 5,
    "ease-out-quint": lambda x: 1 - (1 - x) ** 5,
    "ease-in-out-quint": lambda x: 16 * x ** 5 if x < 0.5 else 1 - (-2 * x + 2) ** 5 / 2,
    "ease-in-expo": lambda x: 0 if x == 0 else 2 ** (10 * x - 10),
    "ease-out-expo": lambda x: 1 if x == 1 else 1 - 2 ** (-10 * x),
    "ease-in-out-expo": lambda x: 0 if x == 0 else 1 if x == 1 else (
        2 ** (20 * x - 10) / 2 if x < 0.5 else (2 - 2 ** (-20 * x + 10)) / 2),
    "ease-in-circ": lambda x: 1 - math.sqrt(1 - x ** 2),
    "ease-out-circ": lambda x: math.sqrt(1 - (x - 1) ** 2),
    "ease-in-out-circ": lambda x: (1 - math.sqrt(1 - (2 * x) ** 2)) / 2 if x < 0.5
    else (math.sqrt(1 - (-2 * x + 2) ** 2) + 1) / 2,
    "ease-in-back": lambda x: C3 * x ** 3 - C1 * x ** 2,
    "ease-out-back": lambda x: 1 + C3 * (x - 1) ** 3 + C1 * (x - 1) ** 2,
    "ease-in-out-back": lambda x: ((2 * x) ** 2 * ((C2 + 1) * 2 * x - C2)) / 2 if x < 0.5
    else ((2 * x - 2) ** 2 * ((C2 + 1) * (x * 2 - 2) + C2) + 2) / 2,
    "ease-in-elastic": lambda x: 0 if x == 0 else 1 if x == 1 else -2 ** (10 * x - 10) * math.sin((x * 10 - 10.75) * C4),
    "ease-out-elastic": lambda x: 0 if x == 0 else 1 if x == 1 else 2 ** (-10 * x) * math.sin((x * 10 - 0.75) * C4) + 1,
    "ease-in-out-elastic": lambda x: 0 if x == 0 else 1 if x == 1 else (
        -(2 ** (20 * x - 10) * math.sin((20 * x - 11.125) * C5)) / 2 if x < 0.5
        else (2 ** (-20 * x + 10) * math.sin((20 * x - 11.125) * C5)) / 2 + 1),
    "ease-in-bounce": lambda x: 1 - bounce_out(1 - x),
    "ease-out-bounce": bounce_out,
    "ease-in-out-bounce": lambda x: (1 - bounce_out(1 - 2 * x)) / 2 if x < 0.5 else (1 + bounce_out(2 * x - 1)) / 2,
    "linear": lambda x: x,
    "hold": lambda x: 0.0 if x < 1 else 1.0,
    "step-end": lambda x: 0.0 if x < 1 else 1.0,
}

U = np.linspace(0.0, 1.0, 51)


def ev(spec, u):
    kind, p = parse_ease(spec)
    return ease_value(kind, p[0], p[1], p[2], p[3], float(u))


def ref_bezier(x1, y1, x2, y2, u):
    """High-precision reference: bisection on the curve parameter in 60-digit arithmetic (x is monotone)."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(60):
        x1, y1, x2, y2, u = (mp.mpf(float(v)) for v in (x1, y1, x2, y2, u))

        def bx(s, a, b):
            return 3 * (1 - s) ** 2 * s * a + 3 * (1 - s) * s * s * b + s ** 3
        lo, hi = mp.mpf(0), mp.mpf(1)
        for _ in range(120):
            mid = (lo + hi) / 2
            if bx(mid, x1, x2) < u:
                lo = mid
            else:
                hi = mid
        return float(bx((lo + hi) / 2, y1, y2))


def test_every_name_is_covered_and_parses():
    assert len(EASE_NAMES) == len(set(EASE_NAMES))
    for name in EASE_NAMES:
        kind, params = parse_ease(name)
        assert isinstance(kind, int) and len(params) == 4
    families = [n for n in EASE_NAMES if n.count("-") >= 2 and n not in CSS_PRESETS]
    assert len(families) == 30
    assert set(families) <= set(CLOSED)


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_named_easing_matches_closed_form(name):
    for u in U:
        assert ev(name, u) == pytest.approx(CLOSED[name](float(u)), abs=1e-12), (name, u)


@pytest.mark.parametrize("name", [n for n in EASE_NAMES if n != "step-start"])
def test_endpoints_exact(name):
    assert ev(name, 0.0) == 0.0
    assert ev(name, 1.0) == 1.0


@pytest.mark.parametrize("name", sorted(CSS_PRESETS))
def test_css_presets_match_reference_solve(name):
    kind, p = parse_ease(name)
    assert kind == BEZIER and p == CSS_PRESETS[name]
    for u in np.linspace(0, 1, 201):
        assert ev(name, u) == pytest.approx(ref_bezier(*p, float(u)), abs=1e-10)


@pytest.mark.parametrize("curve", [(0.68, -0.55, 0.265, 1.55), (0.5, 2.0, 0.5, 2.0), (0.1, 0.9, 0.9, 0.1),
                                   (0.3, -1.0, 0.7, 2.0)])
def test_bezier_overshoot_matches_reference(curve):
    as_str = "cubic-bezier({}, {}, {}, {})".format(*curve)
    assert parse_ease(as_str) == parse_ease(list(curve)) == parse_ease(tuple(curve))
    vals = [ev(list(curve), u) for u in U]
    refs = [ref_bezier(*curve, float(u)) for u in U]
    assert np.allclose(vals, refs, atol=1e-10, rtol=0)
    if min(curve[1], curve[3]) < 0 or max(curve[1], curve[3]) > 1:
        assert min(vals) < 0 or max(vals) > 1  # it really overshoots


@pytest.mark.parametrize("curve", [(1.0, 0.0, 0.0, 1.0), (0.0, 1.5, 1.0, -0.5), (1.0, 1.0, 1.0, 0.0)])
def test_bezier_flat_tangents_small_backward_error(curve):
    """Where dx/ds = 0 the problem is ill-conditioned (y ~ cbrt(u)); check the solved x instead."""
    x1, y1, x2, y2 = curve
    for u in U:
        s = bezier_solve(x1, x2, float(u))
        bx = 3 * (1 - s) ** 2 * s * x1 + 3 * (1 - s) * s * s * x2 + s ** 3
        assert 0.0 <= s <= 1.0 and abs(bx - u) <= 1e-14
        if 0 < u < 1:
            by = 3 * (1 - s) ** 2 * s * y1 + 3 * (1 - s) * s * s * y2 + s ** 3
            assert ev(list(curve), u) == pytest.approx(by, abs=1e-15)
            assert ev(list(curve), u) == pytest.approx(ref_bezier(*curve, float(u)), abs=1e-4)


def test_linear_bezier_is_identity():
    for u in U:
        assert ev([0.25, 0.25, 0.75, 0.75], u) == pytest.approx(u, abs=1e-14)


def test_steps():
    # CSS examples: steps(4) = steps(4, end) jumps at 1/4, 2/4, 3/4, 1
    assert [ev("steps(4)", u) for u in (0, 0.24, 0.25, 0.5, 0.99, 1)] == [0, 0, 0.25, 0.5, 0.75, 1]
    assert parse_ease("steps(4)") == parse_ease("steps(4, end)") == parse_ease("steps(4, jump-end)")
    assert [ev("steps(4, start)", u) for u in (0, 0.24, 0.25, 0.99, 1)] == [0.25, 0.25, 0.5, 1, 1]
    assert [ev("steps(3, jump-none)", u) for u in (0, 0.33, 0.34, 0.67, 1)] == [0, 0, 0.5, 1, 1]
    assert [ev("steps(3, jump-both)", u) for u in (0, 0.34, 0.67, 0.99, 1)] == [0.25, 0.5, 0.75, 0.75, 1]
    assert ev("step-start", 0.0) == 1.0 and ev("step-end", 0.999) == 0.0
    assert parse_ease(" steps( 2 , start ) ")[0] == STEPS


def test_kind_codes():
    assert parse_ease("linear")[0] == LINEAR
    assert parse_ease("hold")[0] == HOLD
    assert ev("hold", 0.999999) == 0.0


@pytest.mark.parametrize("spec, fragment", [
    ("ease-in-quadd", "did you mean 'ease-in-quad'"),
    ("bounce", "valid eases"),
    ("in-out-quad", "valid eases"),
    ("steps(0)", "n >= 1"),
    ("steps(1, jump-none)", "n >= 2"),
    ("steps(2, middle)", "step position"),
    ("steps(x)", "steps(n)"),
    ("cubic-bezier(1.2, 0, 0.5, 1)", "x1 and x2 must lie in [0, 1]"),
    ("cubic-bezier(0.1, 0.2, 0.3)", "4 numbers"),
    ([0.5, 0, -0.1, 1], "x1 and x2 must lie in [0, 1]"),
    ([0.5, 0, 0.5], "4 numbers"),
    ([0.5, "a", 0.5, 1], "4 numbers"),
    ([True, 0, 0.5, 1], "4 numbers"),
    ([0.5, float("nan"), 0.5, 1], "finite"),
    (3, "expected a string or 4 numbers"),
    (None, "expected a string or 4 numbers"),
    ("", "valid eases"),
])
def test_bad_specs_raise_helpful_errors(spec, fragment):
    with pytest.raises(ValueError) as exc:
        parse_ease(spec)
    assert fragment in str(exc.value)


def test_canonical_yaml_form():
    assert ease_spec_to_yaml("ease-out") == "ease-out"
    assert ease_spec_to_yaml((0.42, 0.0, 1.0, 1.0)) == "ease-in"
    assert ease_spec_to_yaml("cubic-bezier(0.1, 0.2, 0.3, 1.5)") == [0.1, 0.2, 0.3, 1.5]
    assert ease_spec_to_yaml("steps(3, end)") == "steps(3)"
    assert ease_spec_to_yaml("steps(1, start)") == "step-start"
    assert ease_spec_to_yaml("steps(5, jump-both)") == "steps(5, jump-both)"
    for name in EASE_NAMES:
        assert parse_ease(ease_spec_to_yaml(name)) == parse_ease(name)
