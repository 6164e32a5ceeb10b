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


class _PrangeStandIn:
    """``prange`` in a module of kernels: replaced by ``numba.prange`` in that module's namespace before
    its kernels compile (Numba recognises its own object only)."""

    def __call__(self, *args):
        return range(*args)

    def __repr__(self) -> str:
        return "<prange, numba.prange once the module's kernels compile>"


prange = _PrangeStandIn()


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

    def compile(self, signature):
        """Compile for ``signature`` now (``Dispatcher.compile``), e.g. in a warm-up at install time."""
        d = self.dispatcher or _compile_module(self)
        return d.compile(signature)

    def __getattr__(self, name):
        # attributes of the dispatcher (stats, signatures, ...) once it exists; never during __init__
        if name.startswith("__") or name in ("py_func", "options", "dispatcher"):
            raise AttributeError(name)
        d = self.dispatcher or _compile_module(self)
        return getattr(d, name)

    def __repr__(self) -> str:
        state = "compiled" if self.dispatcher is not None else "not compiled yet"
        return f"<kernel {self.py_func.__module__}.{self.py_func.__qualname__} ({state})>"


def _compile_module(k: LazyKernel):
    _bind(k.py_func.__globals__, set())
    if k.dispatcher is None:  # a kernel not bound to a name of its module
        from numba import njit  # deferred on purpose: this module exists so that importing kernels is light

        k.dispatcher = njit(**k.options)(k.py_func)
    return k.dispatcher


def _bind(namespace: dict, seen: set) -> None:
    """Replace every lazy kernel named in ``namespace`` (its own and those imported from other modules of
    kernels, whose namespaces are bound first) by its ``njit`` dispatcher, and the ``prange`` stand-in by
    ``numba.prange``: Numba resolves a kernel's globals when it first compiles, and must find its own
    objects there, for kernels calling kernels to compile as they did with ``njit``."""
    if id(namespace) in seen:
        return
    seen.add(id(namespace))
    import numba  # deferred on purpose: see the module doc

    for name, v in list(namespace.items()):
        if v is prange:
            namespace[name] = numba.prange
        elif isinstance(v, LazyKernel):
            if v.dispatcher is None:
                if v.py_func.__globals__ is not namespace:
                    _bind(v.py_func.__globals__, seen)
                if v.dispatcher is None:
                    v.dispatcher = numba.njit(**v.options)(v.py_func)
            namespace[name] = v.dispatcher


def kernel(fn=None, **options):
    """Decorator, ``@kernel(cache=True)`` or ``@kernel``: a :class:`LazyKernel`."""
    if fn is None:
        return lambda f: LazyKernel(f, options)
    return LazyKernel(fn, options)
