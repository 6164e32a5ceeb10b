"""Plot expressions: the formula node's restricted grammar, a whitelist for plotting, and a NumPy evaluator.

Parsing reuses :func:`symbolreel.primitives.math.symbolic.parse_sympy` (a hand-written tokenizer and
recursive-descent parser that builds SymPy objects from numbers, names and whitelisted functions;
it never calls ``eval``, ``exec``, ``sympify`` or ``parse_expr``).  On top of it this module

* accepts only real-valued building blocks a curve can be sampled from (see :data:`PLOT_FUNCTIONS`)
  and only the allowed variable names (``x`` for ``y = f(x)``, ``t`` for parametric curves);
* compiles the SymPy tree to a NumPy closure by walking it (no ``lambdify``, which generates and
  ``exec``s source code);
* finds singular points of the expression on an interval with SymPy where it can (1/x, tan x, ...).
"""
from __future__ import annotations

import math

import numpy as np

from symbolreel.fields import set_constant_expression

from .parse import MathSyntaxError
from .symbolic import parse_sympy

PLOT_FUNCTIONS = ("sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                  "log", "exp", "Abs", "floor", "ceiling", "Min", "Max")
CONSTANTS = ("pi", "E")
MAX_SINGULAR_SPAN = 1000.0  # widest interval searched for singular points with SymPy


class ExprError(ValueError):
    """A plot expression that is not allowed; ``message`` says why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _np_table():
    import sympy  # deferred: SymPy loads only when an expression needs it

    return {
        sympy.sin: np.sin, sympy.cos: np.cos, sympy.tan: np.tan,
        sympy.cot: lambda v: 1.0 / np.tan(v), sympy.sec: lambda v: 1.0 / np.cos(v),
        sympy.csc: lambda v: 1.0 / np.sin(v),
        sympy.asin: np.arcsin, sympy.acos: np.arccos, sympy.atan: np.arctan,
        sympy.sinh: np.sinh, sympy.cosh: np.cosh, sympy.tanh: np.tanh,
        sympy.exp: np.exp, sympy.Abs: np.abs, sympy.floor: np.floor, sympy.ceiling: np.ceil,
    }


def parse_function(src: str, variables=("x",)):
    """Parse ``src`` into a SymPy expression in ``variables`` (restricted grammar + plotting whitelist)."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    try:
        expr = parse_sympy(src)
    except MathSyntaxError as exc:
        raise ExprError(str(exc)) from None
    if isinstance(expr, (tuple, sympy.MatrixBase)) or not isinstance(expr, sympy.Expr):
        raise ExprError(f"expected an expression in {', '.join(variables)} (not an equation, relation or matrix)")
    names = {s.name for s in expr.free_symbols}
    bad = sorted(names - set(variables))
    if bad:
        uses = f"{' and '.join(variables)} and the constants" if variables else "only the constants"
        raise ExprError(f"unknown name '{bad[0]}'; the expression may use {uses} {', '.join(CONSTANTS)}")
    _check_tree(expr)
    return expr


def constant_value(src: str) -> float:
    """The value of a constant expression in the plotting grammar ('2*pi', '-pi/2', 'sqrt(2)/2')."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    try:
        raw = parse_sympy(src)
    except MathSyntaxError as exc:
        raise ExprError(str(exc)) from None
    if isinstance(raw, sympy.Expr) and raw.has(sympy.zoo, sympy.oo, sympy.nan):
        raise ExprError(f"'{src}' is not finite")
    expr = parse_function(src, variables=())
    try:
        v = float(expr)
    except (TypeError, ValueError):
        raise ExprError(f"'{src}' is not a real constant") from None
    if not math.isfinite(v):
        raise ExprError(f"'{src}' is not finite")
    return v


def _check_tree(e):
    import sympy  # deferred: SymPy loads only when an expression needs it

    table = _np_table()
    for node in sympy.preorder_traversal(e):
        if isinstance(node, (sympy.Symbol, sympy.Integer, sympy.Rational, sympy.Float, sympy.Add, sympy.Mul,
                             sympy.Pow)):
            continue
        if node in (sympy.pi, sympy.E) or isinstance(node, (sympy.Min, sympy.Max, sympy.log)):
            continue
        if isinstance(node, sympy.Function) and node.func in table:
            continue
        if node is sympy.I or node.has(sympy.I):
            raise ExprError("complex numbers cannot be plotted")
        name = getattr(node.func, "__name__", type(node).__name__)
        raise ExprError(f"'{name}' cannot be plotted; allowed: + - * / ** ^, the constants "
                        f"{', '.join(CONSTANTS)} and {', '.join(PLOT_FUNCTIONS)}")


def compile_numpy(expr, variables=("x",)):
    """A function of NumPy arrays (one per variable) evaluating ``expr``; non-real results become NaN."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    table = _np_table()

    def build(e):
        if isinstance(e, sympy.Symbol):
            k = variables.index(e.name)
            return lambda args: args[k]
        if e.is_Number or e in (sympy.pi, sympy.E):
            v = float(e)
            return lambda args: v
        if isinstance(e, sympy.Add):
            fs = [build(a) for a in e.args]
            return lambda args: sum(f(args) for f in fs)
        if isinstance(e, sympy.Mul):
            fs = [build(a) for a in e.args]

            def mul(args):
                out = fs[0](args)
                for f in fs[1:]:
                    out = out * f(args)
                return out
            return mul
        if isinstance(e, sympy.Pow):
            fb, ex = build(e.args[0]), e.args[1]
            if ex.is_Integer:
                n = int(ex)
                if n == -1:
                    return lambda args: 1.0 / fb(args)
                return lambda args: np.power(np.asarray(fb(args), dtype=np.float64), n)
            fe = build(ex)
            if ex == sympy.Rational(1, 2):
                return lambda args: np.sqrt(fb(args))
            return lambda args: np.power(np.asarray(fb(args), dtype=np.float64), fe(args))
        if isinstance(e, sympy.log):
            fs = [build(a) for a in e.args]
            if len(fs) == 2:
                return lambda args: np.log(fs[0](args)) / np.log(fs[1](args))
            return lambda args: np.log(fs[0](args))
        if isinstance(e, (sympy.Min, sympy.Max)):
            fs = [build(a) for a in e.args]
            red = np.minimum if isinstance(e, sympy.Min) else np.maximum

            def mm(args):
                out = fs[0](args)
                for f in fs[1:]:
                    out = red(out, f(args))
                return out
            return mm
        fn = table.get(e.func)
        if fn is None:  # pragma: no cover - _check_tree rejects these
            raise ExprError(f"cannot evaluate {e.func}")
        fa = build(e.args[0])
        return lambda args: fn(fa(args))

    f = build(expr)

    def evaluate(*arrays):
        arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
        with np.errstate(all="ignore"):
            out = f(arrays)
            out = np.broadcast_to(np.asarray(out, dtype=np.float64), np.broadcast(*arrays).shape).copy()
        out[~np.isfinite(out)] = np.nan
        return out

    return evaluate


def constant(src) -> float:
    """A number, or a constant expression such as '2*pi' or '-pi/2' (restricted grammar)."""
    if isinstance(src, (int, float)) and not isinstance(src, bool):
        return float(src)
    expr = parse_function(str(src), variables=())
    v = float(compile_numpy(expr, ())())
    if not math.isfinite(v):
        raise ExprError(f"{src!r} is not a finite number")
    return v


def singular_points(expr, var: str, lo: float, hi: float, limit: int = 200) -> list:
    """Real points in (lo, hi) where ``expr`` is singular, as SymPy finds them (empty when it cannot)."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    x = next((s for s in expr.free_symbols if s.name == var), None)
    if x is None or not (hi - lo) <= MAX_SINGULAR_SPAN:
        # over a very wide interval SymPy would enumerate every pole of a periodic function (tan x on
        # [0, 1e9]: 3e8 of them); the numeric jump detection covers such views
        return []
    try:
        found = sympy.singularities(expr, x, sympy.Interval.open(lo, hi))
    except Exception:  # SymPy gives up on many expressions; numeric jump detection covers them
        return []
    if not isinstance(found, sympy.FiniteSet) or len(found) > limit:
        return []
    out = []
    for s in found:
        try:
            v = complex(s.evalf(30))
        except (TypeError, ValueError):
            continue
        if abs(v.imag) < 1e-12 and lo < v.real < hi:
            out.append(float(v.real))
    return sorted(out)


set_constant_expression(constant_value)  # numbers in scenes may be written '2*pi' (fields._real)
