"""Compile (or load from the on-disk cache) every animators kernel once.

Call :func:`warm_up` in the parent before forking worker processes: the first
call compiles and writes Numba's cache, later processes only load it.
"""
from __future__ import annotations

import numpy as np

from .easing import bezier_solve, ease_value
from .sampling import pack_tracks, sample_tracks
from .tracks import Key, Track, Wiggle
from .transforms import N_PARAMS, compose_world

_done = False


def warm_up() -> None:
    """Compile/load all kernels with the argument types the engine uses (idempotent, cheap after the first)."""
    global _done
    if _done:
        return
    ease_value(2, 0.25, 0.1, 0.25, 1.0, 0.5)
    bezier_solve(0.25, 0.25, 0.5)
    tracks = [
        Track((Key(0.0, (0.0,), "ease-out"), Key(1.0, (1.0,))), after="loop", speed=(1.0,),
              wiggle=Wiggle((0.5,), 2.0, 2)),
        Track((Key(0.0, (0.0, 0.0, 0.0, 1.0)), Key(1.0, (1.0, 1.0, 1.0, 1.0))), before="continue"),
    ]
    packed = pack_tracks(tracks, colour=[False, True], noise_keys=[1, 2])
    params = np.zeros((2, 2, N_PARAMS))
    params[..., 4:6] = 1.0
    params[..., 9] = 1.0
    parents = np.array([-1, 0], np.int64)
    from . import sampling, transforms

    saved = sampling.PARALLEL_MIN_WORK, transforms.PARALLEL_MIN_NODES
    try:
        for limit in (0, 1 << 62):  # both the parallel and the serial variants
            sampling.PARALLEL_MIN_WORK = transforms.PARALLEL_MIN_NODES = limit
            sample_tracks(packed, np.array([-0.5, 0.25, 1.5]))
            compose_world(parents, params)
            compose_world(parents, params, np.tile(np.array([[1.0, 0, 0], [0, 1.0, 0]]), (2, 1, 1)))
    finally:
        sampling.PARALLEL_MIN_WORK, transforms.PARALLEL_MIN_NODES = saved
    _done = True
