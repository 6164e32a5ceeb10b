"""Numba kernels compiled on first call: ``@kernel(cache=True)`` where a module would write
``@njit(cache=True)``.

Importing a module of kernels does not import Numba (light imports: loading scenes and reading
annotations never pay Numba's import). The first call of any kernel of a module imports Numba and
replaces every kernel of that module, in the module's namespace, by its ``njit`` dispatcher, so
kernels calling kernels compile as they did with ``njit`` and later calls from the module go straight
to Numba. Options are passed to ``njit`` unchanged; ``cache=True`` uses Numba's on-disk cache as
before (``warm_up`` functions call the kernels once at install, see the Makefile).
"""
from __future__ import annotations

import functools


class LazyKernel:
    """A function to compile with ``numba.njit(**options)`` the first time it is called."""

    def __init__(self, py_func, options: dict):
        self.py_func = py_func
        self.options = options
        self.dispatcher = None
        functools.update_wrapper(self, py_func)

    def __call__(self, *args):
        d = self.dispatcher
        if d is None:
            d = _compile_module(self)
        return d(*args)

    def __repr__(self) -> str:
        state = "compiled" if self.dispatcher is not None else "not compiled yet"
        return f"<kernel {self.py_func.__module__}.{self.py_func.__qualname__} ({state})>"


def _compile_module(k: LazyKernel):
    from numba import njit  # deferred on purpose: this module exists so that importing kernels is light

    namespace = k.py_func.__globals__
    for name, v in list(namespace.items()):
        if isinstance(v, LazyKernel) and v.py_func.__globals__ is namespace:
            if v.dispatcher is None:
                v.dispatcher = njit(**v.options)(v.py_func)
            namespace[name] = v.dispatcher
    if k.dispatcher is None:  # a kernel not bound to a name of its module
        k.dispatcher = njit(**k.options)(k.py_func)
    return k.dispatcher


def kernel(fn=None, **options):
    """Decorator, ``@kernel(cache=True)`` or ``@kernel``: a :class:`LazyKernel`."""
    if fn is None:
        return lambda f: LazyKernel(f, options)
    return LazyKernel(fn, options)
