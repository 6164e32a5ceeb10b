"""The ``formula`` node: math from a LaTeX subset (or a restricted SymPy expression), laid out with the
math font's OpenType MATH table and drawn by Skia, with a box for every drawn symbol.

See docs/formulas.md for the supported subset, the SymPy grammar and the annotation format.
"""
from __future__ import annotations

from dataclasses import dataclass

from symbolreel import ir
from symbolreel.annotate import quad_of
from symbolreel.errors import SceneError
from symbolreel.fields import field
from symbolreel.records import FormulaRecord, FormulaSymbol, bbox_of

from symbolreel.node import Shape, Stroke, register
from .layout import layout_formula
from .parse import MathSyntaxError, parse_tex
from .symbolic import sympy_to_tex


@register
@dataclass(frozen=True, kw_only=True)
class Formula(Shape):
    """A math formula from a LaTeX subset (or a SymPy expression); the local origin is set by align/valign."""

    TYPE = "formula"
    tex: str = field("", "string", "the formula in the supported LaTeX math subset (see formulas.md)")
    sympy: str | None = field(None, "string", "instead of tex: an expression such as 'sqrt(x**2 + 1)/(2*pi)' "
                              "read by a restricted grammar (never evaluated as Python)", nullable=True)
    font: str = field("math", "string", "font alias or name; the first font of its chain needs a MATH table")
    size: float = field(32.0, "number", "font size in pixels (em size)", anim=True, min=0.1, max=4096.0)
    display: bool = field(True, "bool", "display style (limits above/below big operators, larger operators); "
                          "false: inline (text) style")
    align: str = field("center", "enum", "horizontal placement of the formula relative to the origin",
                       choices=("left", "center", "right"))
    valign: str = field("middle", "enum", "vertical placement relative to the origin (baseline: the formula's "
                        "baseline)", choices=("top", "middle", "baseline", "bottom"))
    stroke: Stroke | None = field(None, "struct", "outline of the glyphs and rules, or null", struct=Stroke,
                                  nullable=True)

    def __post_init__(self):
        super().__post_init__()
        if self.sympy is not None and self.tex:
            raise SceneError("give either 'tex' or 'sympy', not both", ("sympy",))
        if self.sympy is None:
            if not self.tex.strip():
                raise SceneError("a formula needs 'tex' (LaTeX math) or 'sympy' (an expression)", ("tex",))
            try:
                parse_tex(self.tex)
            except MathSyntaxError as exc:
                raise SceneError(str(exc), ("tex",)) from None
        else:
            self.source_tex()

    # -- helpers
    def _field(self) -> str:
        return "tex" if self.sympy is None else "sympy"

    def source_tex(self) -> str:
        """The LaTeX that is laid out (``tex``, or the LaTeX of the ``sympy`` expression)."""
        if self.sympy is None:
            return self.tex
        try:
            tex = sympy_to_tex(self.sympy)
            parse_tex(tex)
        except MathSyntaxError as exc:
            raise SceneError(str(exc), ("sympy",)) from None
        return tex

    def layout(self, ctx, size=None):
        """The cached :class:`~symbolreel.primitives.math.layout.FormulaLayout` at the current size."""
        try:
            chain = ctx.font_chain(self.font)
        except SceneError as exc:
            raise SceneError(exc.message, ("font",)) from None
        size = ctx.p["size"] if size is None else size
        tex = self.source_tex()
        try:
            return layout_formula(tex, tuple(p for _, p in chain), size, self.display, self._field())
        except SceneError as exc:
            if self.sympy is not None and exc.path == ("sympy",):
                raise SceneError(f"{exc.message} (in the LaTeX {tex!r} made from the expression)", exc.path) \
                    from None
            raise

    # -- engine hooks
    def prepare(self, ctx):
        self.layout(ctx)

    def emit(self, ctx) -> list:
        paints = [p for p in (ctx.fill, ctx.stroke) if p is not None]
        if not paints:
            return []
        lay = self.layout(ctx)
        dx, dy = lay.offset(self.align, self.valign)
        items = []
        for paint in paints:
            items += [ir.Glyphs(run, paint) for run in lay.runs()]
            items += [ir.Draw(ir.Rect(x0, y0, x1, y1), paint) for x0, y0, x1, y1, _ in lay.rules]
        return [ir.Group(items, ir.translate(dx, dy))]

    def annotate(self, ctx):
        m = ctx.matrix
        fill, stroke = ctx.p.get("fill"), ctx.p.get("stroke")
        has_fill = fill is not None and fill[3] > 0
        has_stroke = stroke is not None and ctx.p.get("stroke.width", 0) > 0 and ctx.p["stroke.color"][3] > 0
        if not (has_fill or has_stroke):
            return None
        lay = self.layout(ctx)
        if not lay.symbols:
            return None
        dx, dy = lay.offset(self.align, self.valign)
        grow = ctx.p["stroke.width"] / 2 if has_stroke else 0.0

        def local(b):
            return (b[0] + dx - grow, b[1] + dy - grow, b[2] + dx + grow, b[3] + dy + grow)

        symbols = []
        for char, box in lay.symbols:
            q = quad_of(m, local(box))
            symbols.append(FormulaSymbol(char=char, quad=q, bbox=bbox_of(q)))
        x0, y0, x1, y1 = lay.ink
        outer = (min(x0, 0.0), min(y0, -lay.height), max(x1, lay.width), max(y1, lay.depth))
        q = quad_of(m, local(outer))
        return FormulaRecord(id=self.id, type=self.TYPE, tex=lay.tex, quad=q, bbox=bbox_of(q), symbols=symbols,
                             sympy=self.sympy)
