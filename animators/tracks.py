"""Keyframe tracks: the one representation of an animated property.

A property in a scene is either a literal or a :class:`Track`.  Tracks are plain
immutable data (so they hash, compare and pickle); evaluation happens in batch
through :func:`symbolreel.animators.sample_tracks` over a :class:`PackedTracks`.

Times are in seconds.  Values are tuples of floats (a scalar is a 1-tuple);
colours are straight-alpha RGBA in 0..1 and are flagged at pack time so they
interpolate in a perceptual space.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

Ease = Union[str, tuple]  # "linear" | "hold" | "ease-out" | "steps(4)" | (x1, y1, x2, y2)

EXTRAPOLATIONS = ("hold", "loop", "pingpong", "continue")


@dataclass(frozen=True)
class Key:
    """One keyframe: value at time ``t``; ``ease`` shapes the segment that starts here."""

    t: float
    value: tuple
    ease: Ease = "linear"


@dataclass(frozen=True)
class Wiggle:
    """Seeded smooth noise added to a track (amplitude per dimension, Hz, octaves)."""

    amplitude: tuple
    frequency: float = 1.0
    octaves: int = 1


@dataclass(frozen=True)
class Track:
    """An animated property: keys, extrapolation, and optional procedural terms.

    ``speed`` (units per second, per dimension) adds ``speed * t``; ``wiggle``
    adds seeded noise keyed by (scene seed, node id, property name).
    """

    keys: tuple
    before: str = "hold"
    after: str = "hold"
    speed: tuple | None = None
    wiggle: Wiggle | None = None

    @property
    def dim(self) -> int:
        return len(self.keys[0].value)

    def is_constant(self) -> bool:
        first = self.keys[0].value
        return (
            self.speed is None
            and self.wiggle is None
            and all(k.value == first for k in self.keys)
        )
