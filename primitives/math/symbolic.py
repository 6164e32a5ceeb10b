"""A restricted expression grammar that builds SymPy objects, then ``sympy.latex`` -> tex.

Security rule: scene strings are never evaluated. This module does NOT call ``sympify``,
``parse_expr``, ``eval`` or ``exec``; it tokenizes the string itself and a recursive-descent
parser builds SymPy objects from a closed set of numbers, symbol names and whitelisted functions.
Anything else (attribute access, underscores at the start of a name, strings, indexing, keyword
arguments, unknown functions) is a syntax error naming the character position.

Grammar (``^`` is accepted as a synonym of ``**``)::

    expr     := sum [ "=" sum ]                      (an equation becomes sympy.Eq)
    sum      := product (("+" | "-") product)*
    product  := unary (("*" | "/") unary)*
    unary    := ("-" | "+") unary | power
    power    := postfix [("**" | "^") unary]         (right associative)
    postfix  := atom ["!"]
    atom     := NUMBER | NAME | NAME "(" args ")" | "(" expr ")" | "(" expr "," expr ("," expr)* ")"
    args     := arg ("," arg)*
    NUMBER   := digits ["." digits]
    NAME     := letter (letter | digit)* ["_" (letter | digit)+]
"""
from __future__ import annotations

import functools
import math

from symbolreel.errors import did_you_mean

from .parse import MathSyntaxError

MAX_SYMPY_LENGTH = 1000
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 2000       # guards ** on numbers (SymPy would evaluate 9**9**9 exactly)
MAX_LITERAL_DIGITS = 30
MAX_COMBINATORIC_ARG = 1000    # factorial/binomial/gamma of larger integers are refused
MAX_RESULT_DIGITS = 4000       # any exact number built (sum, product, factorial...); below Python's str limit
MAX_MATRIX_POWER = 8           # integer powers of a matrix, at most this large
MAX_MATRIX_NODES = 5000        # expression nodes across a matrix's entries (products grow them fast)


def _digits(v) -> float:
    """Decimal digits of an exact rational, from bit lengths (no string conversion)."""
    p, q = int(v.p), int(v.q)
    return max(p.bit_length(), q.bit_length()) * 0.30103


def _tree_nodes(expr, cap: int) -> int:
    """Nodes of a SymPy tree, counting stops at ``cap``."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    n = 0
    for _ in sympy.preorder_traversal(expr):
        n += 1
        if n > cap:
            break
    return n


def _check_power(a, b, pos):
    """Refuse ``a ** b`` when SymPy would build a number or matrix too large to hold, whatever ``a`` is
    (a number, sqrt(2), root(3, 3), pi, a matrix): the size is estimated before anything is computed."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    if isinstance(a, sympy.MatrixBase):
        if not (getattr(b, "is_Integer", False) and abs(int(b)) <= MAX_MATRIX_POWER):
            raise MathSyntaxError(f"a matrix may only be raised to a whole power of at most {MAX_MATRIX_POWER}",
                                  pos)
        return
    if isinstance(b, sympy.MatrixBase) or not isinstance(a, sympy.Basic) or not isinstance(b, sympy.Basic):
        return
    if b.free_symbols or a.free_symbols:
        return  # stays symbolic (x**(10**30) is kept as written)
    try:
        fb = abs(complex(b.evalf(15)))
        fa = abs(complex(a.evalf(15)))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return
    if not (math.isfinite(fa) and math.isfinite(fb)) or fb <= 1:
        return
    if fa == 0.0 or abs(fa - 1.0) < 1e-12:
        if fb > 10 ** MAX_LITERAL_DIGITS:
            raise MathSyntaxError("exponent too large", pos)
        return
    digits = fb * abs(math.log10(fa))
    if getattr(a, "is_Number", False) and getattr(b, "is_Number", False):
        digits = max(digits, fb * max(math.log10(max(fa, 2.0)), 1.0))
    if not digits <= MAX_NUMBER_DIGITS:
        raise MathSyntaxError(f"number too large (more than {MAX_NUMBER_DIGITS} digits)", pos)


def _check_size(out, pos):
    """Refuse a result that is an exact number with too many digits or a matrix with huge entries."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    if isinstance(out, sympy.Rational) and _digits(out) > MAX_RESULT_DIGITS:
        raise MathSyntaxError(f"number too large (more than {MAX_RESULT_DIGITS} digits)", pos)
    if isinstance(out, sympy.MatrixBase):
        total = 0
        for entry in out:
            total += _tree_nodes(entry, MAX_MATRIX_NODES)
            if total > MAX_MATRIX_NODES:
                raise MathSyntaxError(f"matrix too large (more than {MAX_MATRIX_NODES} terms in its entries)", pos)

FUNCTIONS = ("sqrt", "cbrt", "root", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "sinh",
             "cosh", "tanh", "log", "ln", "exp", "Abs", "abs", "factorial", "binomial", "floor", "ceiling",
             "Integral", "Sum", "Product", "Limit", "Derivative", "diff", "Rational", "Eq", "Ne", "Lt", "Le",
             "Gt", "Ge", "Min", "Max", "gamma", "conjugate", "re", "im", "Matrix")
CONSTANTS = ("pi", "E", "I", "oo", "infinity", "EulerGamma", "GoldenRatio")


def _sympy_callable(name: str):
    import sympy  # deferred: SymPy loads only when an expression needs it

    table = {"ln": sympy.log, "abs": sympy.Abs, "diff": sympy.Derivative, "infinity": sympy.oo}
    return table.get(name) or getattr(sympy, name)


class _Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos


def tokenize(src: str) -> list:
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c in " \t\n":
            i += 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i
            while j < n and src[j].isdigit():
                j += 1
            if j < n and src[j] == ".":
                j += 1
                while j < n and src[j].isdigit():
                    j += 1
            out.append(_Tok("num", src[i:j], i))
            i = j
            continue
        if c.isascii() and c.isalpha():
            j = i
            while j < n and src[j].isascii() and src[j].isalnum():
                j += 1
            if j < n and src[j] == "_":
                k = j + 1
                while k < n and src[k].isascii() and src[k].isalnum():
                    k += 1
                if k == j + 1:
                    raise MathSyntaxError("a name may only contain one '_' followed by letters or digits "
                                          f"(found {src[i:k + 1]!r})", j)
                j = k
            out.append(_Tok("name", src[i:j], i))
            i = j
            continue
        if src.startswith("**", i):
            out.append(_Tok("op", "**", i))
            i += 2
            continue
        if c in "+-*/^(),=!":
            out.append(_Tok("op", c, i))
            i += 1
            continue
        if c == "_":
            raise MathSyntaxError("names cannot start with '_' (this is a math expression, not Python)", i)
        if c in "'\"":
            raise MathSyntaxError("strings are not part of the expression grammar", i)
        if c in ".[]{}:;@`\\$#&|~<>%":
            raise MathSyntaxError(f"unexpected {c!r}: the sympy field takes a math expression of numbers, "
                                  f"names, + - * / ** ^, parentheses and the functions {', '.join(FUNCTIONS)}", i)
        raise MathSyntaxError(f"unexpected character {c!r}", i)
    out.append(_Tok("end", "", n))
    return out


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = tokenize(src)
        self.k = 0
        self.depth = 0

    def tok(self) -> _Tok:
        return self.toks[self.k]

    def take(self, text=None) -> _Tok:
        t = self.tok()
        if text is not None and t.text != text:
            found = repr(t.text) if t.kind != "end" else "the end of the expression"
            raise MathSyntaxError(f"expected {text!r}, found {found}", t.pos)
        self.k += 1
        return t

    def at(self, *texts) -> bool:
        t = self.tok()
        return t.kind == "op" and t.text in texts

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathSyntaxError(f"expression nested too deeply (more than {MAX_DEPTH} levels)", self.tok().pos)

    def parse(self):
        import sympy  # deferred: SymPy loads only when an expression needs it

        e = self.expr()
        t = self.tok()
        if t.kind != "end":
            raise MathSyntaxError(f"unexpected {t.text!r}", t.pos)
        if isinstance(e, tuple):
            raise MathSyntaxError("a tuple is only allowed as a function argument", 0)
        return e if not isinstance(e, int) else sympy.Integer(e)

    def expr(self):
        left = self.sum()
        if self.at("="):
            self.take()
            import sympy  # deferred: SymPy loads only when an expression needs it

            left = sympy.Eq(left, self.sum())
        return left

    # arithmetic uses SymPy's own operators on SymPy objects (ordinary automatic simplification,
    # e.g. 2/4 -> 1/2); no string ever reaches SymPy
    def sum(self):
        self.enter()
        left = self.product()
        while self.at("+", "-"):
            op = self.take().text
            right = self.product()
            left = self._arith(op, left, right)
        self.depth -= 1
        return left

    def product(self):
        left = self.unary()
        while self.at("*", "/"):
            op = self.take().text
            right = self.unary()
            left = self._arith(op, left, right)
        return left

    def _arith(self, op, a, b):
        for v in (a, b):
            if isinstance(v, tuple):
                raise MathSyntaxError("a tuple is only allowed as a function argument", self.tok().pos)
        if op == "**":
            _check_power(a, b, self.tok().pos)
        try:
            if op == "+":
                out = a + b
            elif op == "-":
                out = a - b
            elif op == "*":
                out = a * b
            elif op == "/":
                out = a / b
            else:
                out = a ** b
        except Exception as exc:
            raise MathSyntaxError(f"cannot compute {op} here ({type(exc).__name__})", self.tok().pos) from None
        _check_size(out, self.tok().pos)
        return out

    def unary(self):
        import sympy  # deferred: SymPy loads only when an expression needs it

        if self.at("-", "+"):
            op = self.take().text
            self.enter()
            inner = self.unary()
            self.depth -= 1
            return inner if op == "+" else self._arith("*", sympy.S.NegativeOne, inner)
        return self.power()

    def power(self):
        base = self.postfix()
        if self.at("**", "^"):
            self.take()
            self.enter()
            exp = self.unary()
            self.depth -= 1
            return self._arith("**", base, exp)
        return base

    def postfix(self):
        import sympy  # deferred: SymPy loads only when an expression needs it

        a = self.atom()
        while self.at("!"):
            t = self.take()
            if getattr(a, "is_Number", False) and abs(float(a)) > MAX_COMBINATORIC_ARG:
                raise MathSyntaxError(f"factorial of a number above {MAX_COMBINATORIC_ARG} is not allowed", t.pos)
            a = sympy.factorial(a)
            _check_size(a, t.pos)
        return a

    def atom(self):
        import sympy  # deferred: SymPy loads only when an expression needs it

        t = self.tok()
        if t.kind == "num":
            self.take()
            if len(t.text) > MAX_LITERAL_DIGITS:
                raise MathSyntaxError(f"number literal too long (at most {MAX_LITERAL_DIGITS} digits)", t.pos)
            return sympy.Float(t.text) if "." in t.text else sympy.Integer(t.text)
        if t.kind == "name":
            self.take()
            if self.at("("):
                return self.call(t)
            if t.text in FUNCTIONS:
                raise MathSyntaxError(f"{t.text} is a function: write {t.text}(...)", t.pos)
            if t.text in CONSTANTS:
                return _sympy_callable(t.text)
            if len(t.text) > 40:
                raise MathSyntaxError("name too long", t.pos)
            return sympy.Symbol(t.text)
        if self.at("("):
            self.take()
            self.enter()
            items = [self.expr()]
            while self.at(","):
                self.take()
                items.append(self.expr())
            self.take(")")
            self.depth -= 1
            return items[0] if len(items) == 1 else tuple(items)
        found = repr(t.text) if t.kind != "end" else "the end of the expression"
        raise MathSyntaxError(f"expected a number, a name or '(', found {found}", t.pos)

    def call(self, name_tok):
        name = name_tok.text
        if name not in FUNCTIONS:
            raise MathSyntaxError(f"unknown function {name!r}{did_you_mean(name, FUNCTIONS)}; allowed: "
                                  f"{', '.join(FUNCTIONS)}", name_tok.pos)
        self.take("(")
        self.enter()
        args = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.take()
                args.append(self.expr())
        self.take(")")
        self.depth -= 1
        fn = _sympy_callable(name)
        if name in ("factorial", "binomial", "gamma") and any(
                getattr(a, "is_Number", False) and abs(float(a)) > MAX_COMBINATORIC_ARG for a in args):
            raise MathSyntaxError(f"{name} of a number above {MAX_COMBINATORIC_ARG} is not allowed", name_tok.pos)
        try:
            if name == "Matrix":
                if len(args) == 1 and isinstance(args[0], tuple):
                    args = list(args[0])
                rows = [list(a) if isinstance(a, tuple) else [a] for a in args]
                out = fn(rows)
            else:
                out = fn(*args)
        except Exception as exc:  # wrong arity or argument types: report, do not crash
            raise MathSyntaxError(f"cannot apply {name} to these arguments ({type(exc).__name__}: "
                                  f"{str(exc)[:120]})", name_tok.pos) from None
        _check_size(out, name_tok.pos)
        return out


def parse_sympy(src: str):
    """Parse ``src`` with the restricted grammar into a SymPy expression (never evaluates strings)."""
    if not isinstance(src, str):
        raise MathSyntaxError("expected a string", 0)
    if len(src) > MAX_SYMPY_LENGTH:
        raise MathSyntaxError(f"expression too long ({len(src)} characters, at most {MAX_SYMPY_LENGTH})",
                              MAX_SYMPY_LENGTH)
    if not src.strip():
        raise MathSyntaxError("empty expression", 0)
    return _Parser(src).parse()


@functools.lru_cache(maxsize=512)
def sympy_to_tex(src: str) -> str:
    """The LaTeX of the restricted-grammar expression ``src`` (via ``sympy.latex``)."""
    import sympy  # deferred: SymPy loads only when an expression needs it

    return sympy.latex(parse_sympy(src))
