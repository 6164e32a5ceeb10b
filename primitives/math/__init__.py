"""Math: the formula node (formula.py), its TeX subset parser (parse.py), the math typesetter
(layout.py), the SymPy bridge (symbolic.py) and the expression grammar of plots and numeric fields
(expr.py)."""
from . import expr  # noqa: F401  (registers constant expressions such as '2*pi' for numeric fields)
from .formula import Formula

__all__ = ["Formula"]
