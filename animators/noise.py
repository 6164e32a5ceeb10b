"""Stateless, seeded smooth noise for ``wiggle`` (Numba) and the stable key derivation.

Every random number is a pure function of ``(noise_key, dimension, octave,
lattice index)`` through splitmix64, so a frame's wiggle is identical in any
frame order, thread count or process.  ``noise_key`` comes from
:func:`noise_key` (blake2b of scene seed, node id and property name; never
Python's salted ``hash()``).
"""
from __future__ import annotations

import hashlib
import math

import numpy as np
from symbolreel.jit import kernel

_MASK = (1 << 64) - 1


def noise_key(seed: int, node_id: str, prop: str) -> int:
    """Stable uint64 key for the noise of one property: blake2b-64 of (seed, node id, property)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    payload = b"symbolreel.noise\x00" + str(int(seed)).encode() + b"\x00" + str(node_id).encode("utf-8") \
        + b"\x00" + str(prop).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(payload, digest_size=8).digest(), "little")


def splitmix64_py(x: int) -> int:
    """Pure-Python splitmix64 finaliser (reference for tests)."""
    z = (x + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


_G = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)


@kernel(cache=True)
def splitmix64(x):
    z = x + _G
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


@kernel(cache=True)
def _unit(h):
    """uint64 -> float in [0, 1) from the top 53 bits."""
    return np.float64(h >> _S11) * (1.0 / 9007199254740992.0)


@kernel(cache=True)
def _octave_seed(key, dim, octave):
    return splitmix64(splitmix64(splitmix64(key) ^ np.uint64(dim)) ^ np.uint64(octave))


@kernel(cache=True)
def _grad(seed, i):
    return 2.0 * _unit(splitmix64(seed ^ np.uint64(i))) - 1.0


@kernel(cache=True)
def gradient_noise(seed, x):
    """1-D gradient (Perlin) noise with quintic fade, scaled to about [-1, 1]."""
    fi = math.floor(x)
    i = np.int64(fi)
    f = x - fi
    g0 = _grad(seed, i)
    g1 = _grad(seed, i + 1)
    n0 = g0 * f
    n1 = g1 * (f - 1.0)
    s = f * f * f * (f * (f * 6.0 - 15.0) + 10.0)
    return 2.0 * (n0 + s * (n1 - n0))


def octave_seeds(key: int, dim: int, octaves: int):
    """Per-octave (seed, lattice phase) of :func:`fbm`, precomputed in Python at pack time."""
    seeds, phases = [], []
    for o in range(octaves):
        seed = splitmix64_py(splitmix64_py(splitmix64_py(key & _MASK) ^ dim) ^ o)
        seeds.append(seed)
        phases.append((splitmix64_py(seed ^ 0x94D049BB133111EB) >> 11) * (1.0 / 9007199254740992.0))
    return seeds, phases


@kernel(cache=True)
def fbm_seeded(seeds, phases, x, octaves):
    """:func:`fbm` with the per-octave seeds/phases already derived (same result, fewer hashes)."""
    total = 0.0
    norm = 0.0
    amp = 1.0
    freq = 1.0
    for o in range(octaves):
        total += amp * gradient_noise(seeds[o], x * freq + phases[o])
        norm += amp
        amp *= 0.5
        freq *= 2.0
    return total / norm


@kernel(cache=True)
def fbm(key, dim, x, octaves):
    """Sum of ``octaves`` octaves (amplitude halves, frequency doubles), normalised to about [-1, 1].

    Each octave has its own seed and a random lattice phase, so zero crossings
    do not line up on integer times.
    """
    total = 0.0
    norm = 0.0
    amp = 1.0
    freq = 1.0
    for o in range(octaves):
        seed = _octave_seed(key, dim, o)
        phase = _unit(splitmix64(seed ^ _C2))
        total += amp * gradient_noise(seed, x * freq + phase)
        norm += amp
        amp *= 0.5
        freq *= 2.0
    return total / norm
