"""Errors of the benchmark: one exception type, messages that name the file and what was expected."""
from __future__ import annotations

from symbolreel.errors import SymbolreelError


class EvalError(SymbolreelError):
    """Bad suite, missing or unreadable prediction, or a missing optional dependency."""


def need(module: str, what: str):
    """Import an optional dependency of the ``eval`` feature or fail with the install hint."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise EvalError(f"{what} needs the Python package '{module}', which is not installed; "
                        f"install the benchmark extra: pip install 'symbolreel[eval]' "
                        f"(or `make test`, which installs requirements-test.lock)") from None
