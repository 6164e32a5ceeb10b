"""Imported once by the process pool's fork server, so that workers forked from it start warm.

Importing this module loads what every item needs before it can draw: the symbolreel and domain
modules, the serial Numba kernels (from the on-disk cache) and the bundled fonts (by drawing one
small text scene). Workers forked from the server share those pages instead of each spending
seconds on them.

No parallel Numba kernel runs here: the OpenMP threading layer is not fork-safe, so it must first
start inside a worker (which a large scene still may do), never in the process workers fork from.
"""
from __future__ import annotations

import symbolreel as _sr
from symbolreel.animators import sampling as _sampling
from symbolreel.animators import warm_up as _warm_up
from symbolreel.datasets import domains as _domains  # noqa: F401  (registers every domain)
from symbolreel.datasets import items as _items  # noqa: F401


def _draw_once() -> None:
    saved = _sampling.PARALLEL_MIN_WORK
    _sampling.PARALLEL_MIN_WORK = 1 << 62     # serial kernels only (world matrices are always serial)
    try:
        _warm_up()                              # a static still no longer loads Numba; animated items do
        scene = _sr.Scene(canvas=_sr.Canvas(width=32, height=32, frames=1),
                          nodes=[_sr.Text(text="Aa 永", size=12, transform=_sr.Transform(position=(16, 16)))])
        _sr.render_frame(scene, 0, annotations=True)
    finally:
        _sampling.PARALLEL_MIN_WORK = saved


_draw_once()
