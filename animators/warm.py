"""Compile (or load from the on-disk cache) every animators kernel once.

Call :func:`warm_up` in the parent before forking worker processes: the first
call compiles and writes Numba's cache, later processes only load it.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

from . import transforms
from .sampling import pack_tracks, sample_tracks
from .tracks import Key, Track, Wiggle

_done = False


def warm_up() -> None:
    """Compile/load the kernels the engine calls, with the argument types it uses (idempotent, cheap after
    the first). The parallel sampling kernel (only for very large batches) is left to compile on first use."""
    global _done
    if _done:
        return
    # loading cached kernels takes ~0.3 s (idle machine); much slower is a compile (first run after install,
    # or a new Numba cache directory): say so once instead of hanging silently
    notice = threading.Timer(NOTICE_AFTER_S, _notice)
    notice.daemon = True
    notice.start()
    try:
        _compile_all()
    finally:
        notice.cancel()
        notice.join()   # gone before returning: callers may fork next (see symbolreel.parallel)
    _done = True


NOTICE_AFTER_S = 2.0  # loading cached kernels on a busy machine can take over a second


def _notice() -> None:
    print("symbolreel: compiling animation kernels (first run only, a few seconds)...", file=sys.stderr, flush=True)


def _compile_all() -> None:
    tracks = [
        Track((Key(0.0, (0.0,), "ease-out"), Key(1.0, (1.0,))), after="loop", speed=(1.0,),
              wiggle=Wiggle((0.5,), 2.0, 2)),
        Track((Key(0.0, (0.0, 0.0, 0.0, 1.0)), Key(1.0, (1.0, 1.0, 1.0, 1.0))), before="continue"),
    ]
    packed = pack_tracks(tracks, colour=[False, True], noise_keys=[1, 2])
    sample_tracks(packed, np.array([-0.5, 0.25, 1.5]))
    transforms._compose_kernel_serial.compile(transforms.COMPOSE_SIGNATURE)
