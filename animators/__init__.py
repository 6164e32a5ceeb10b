"""symbolreel.animators: keyframe tracks, easing and their batch evaluation (Numba).

The track model (``Track``, ``Key``, ``keys``...) and ease parsing are plain Python; the Numba
kernels load on first use of a name that needs them (PEP 562), so building and validating scenes
never pays Numba's import and compile cost.
"""
from __future__ import annotations

import importlib

from .tracks import EXTRAPOLATIONS, Ease, Key, Track, Wiggle
from .ease_spec import EASE_NAMES, ease_spec_to_yaml, parse_ease
from .dsl import after, keys, shift, stagger

_LAZY = {
    "ease_value": "easing", "noise_key": "noise",
    "PackedTracks": "sampling", "pack_tracks": "sampling", "sample_tracks": "sampling",
    "N_PARAMS": "transforms", "PARAMS": "transforms", "compose_world": "transforms",
    "compose_world_reference": "transforms", "local_matrices": "transforms",
    "warm_up": "warm",
}

__all__ = [
    "EXTRAPOLATIONS", "Ease", "Key", "Track", "Wiggle",
    "EASE_NAMES", "ease_spec_to_yaml", "ease_value", "parse_ease", "noise_key",
    "PackedTracks", "pack_tracks", "sample_tracks",
    "N_PARAMS", "PARAMS", "compose_world", "compose_world_reference", "local_matrices",
    "after", "keys", "shift", "stagger", "warm_up",
]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
