"""Imported once by the worker fork server: workers start with the package imported and the Numba
kernels loaded (see :mod:`symbolreel.parallel`)."""
from . import api, parallel  # noqa: F401  (imported for the fork server's preload)
from .animators import warm_up

warm_up()
