"""Batch sampling of tracks (temporary NumPy implementation; see issue 3)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tracks import Track


@dataclass(frozen=True)
class PackedTracks:
    """Tracks flattened into arrays; ``columns[i]`` is track i's slice of a sample row."""

    tracks: tuple
    colour: tuple
    noise_keys: tuple
    columns: tuple
    width: int


def pack_tracks(tracks, colour=None, noise_keys=None) -> PackedTracks:
    tracks = tuple(tracks)
    colour = tuple(colour) if colour is not None else (False,) * len(tracks)
    noise_keys = tuple(noise_keys) if noise_keys is not None else (0,) * len(tracks)
    cols, off = [], 0
    for tr in tracks:
        cols.append(slice(off, off + tr.dim))
        off += tr.dim
    return PackedTracks(tracks, colour, noise_keys, tuple(cols), off)


def _eval(tr: Track, t: float) -> np.ndarray:
    keys = tr.keys
    if t <= keys[0].t:
        return np.asarray(keys[0].value, float)
    if t >= keys[-1].t:
        return np.asarray(keys[-1].value, float)
    for a, b in zip(keys, keys[1:]):
        if a.t <= t < b.t:
            u = (t - a.t) / (b.t - a.t)
            if a.ease == "hold":
                u = 0.0
            elif a.ease != "linear":
                raise NotImplementedError(f"ease {a.ease!r}")
            va, vb = np.asarray(a.value, float), np.asarray(b.value, float)
            return va + (vb - va) * u
    return np.asarray(keys[-1].value, float)


def sample_tracks(packed: PackedTracks, times) -> np.ndarray:
    """Sample every packed track at every time: returns ``(len(times), packed.width)``."""
    times = np.asarray(times, dtype=np.float64)
    out = np.zeros((times.shape[0], packed.width))
    for tr, col in zip(packed.tracks, packed.columns):
        for i, t in enumerate(times):
            v = _eval(tr, float(t))
            if tr.speed is not None:
                v = v + np.asarray(tr.speed) * t
            out[i, col] = v
    return out
