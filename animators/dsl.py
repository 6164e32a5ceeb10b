"""Python sugar that builds ordinary :class:`Track` objects (no hidden state).

    from symbolreel.animators import keys, stagger, after, shift
    x = keys((0, 0), (1.0, 100, "ease-out"), (2.0, 50), after="pingpong")
    starts = stagger(5, start=0.5, step=0.1)      # (0.5, 0.6, 0.7, 0.8, 0.9)
    y = shift(x, after(x, delay=0.25))             # same track, 2.25 s later
"""
from __future__ import annotations

from dataclasses import replace
from numbers import Real

from .ease_spec import parse_ease
from .tracks import EXTRAPOLATIONS, Key, Track, Wiggle


def _value(v, where) -> tuple:
    if isinstance(v, Real) and not isinstance(v, bool):
        return (float(v),)
    try:
        vals = tuple(v)
    except TypeError:
        raise ValueError(f"{where}: value must be a number or a sequence of numbers, got {v!r}") from None
    if not vals or not all(isinstance(x, Real) and not isinstance(x, bool) for x in vals):
        raise ValueError(f"{where}: value must be a number or a non-empty sequence of numbers, got {v!r}")
    return tuple(float(x) for x in vals)


def _per_dim(v, dim, where) -> tuple:
    if isinstance(v, Real) and not isinstance(v, bool):
        return (float(v),) * dim
    vals = tuple(float(x) for x in v)
    if len(vals) != dim:
        raise ValueError(f"{where}: expected a number or {dim} numbers, got {v!r}")
    return vals


def keys(*items, before: str = "hold", after: str = "hold", speed=None, wiggle=None) -> Track:
    """Build a Track from ``(t, value[, ease])`` items (times in seconds, strictly increasing).

    ``value`` is a number or a sequence of numbers; ``ease`` (default ``"linear"``)
    shapes the segment that starts at that key.  ``speed`` is a number or one per
    dimension; ``wiggle`` is a :class:`Wiggle` or a dict ``{amplitude, frequency, octaves}``
    (a scalar amplitude applies to every dimension).
    """
    if not items:
        raise ValueError("keys(): need at least one (t, value[, ease]) item")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise ValueError(f"keys() item {i}: expected (t, value) or (t, value, ease), got {item!r}")
        t = item[0]
        if not isinstance(t, Real) or isinstance(t, bool):
            raise ValueError(f"keys() item {i}: time must be a number of seconds, got {t!r}")
        ease = item[2] if len(item) == 3 else "linear"
        if isinstance(ease, list):
            ease = tuple(ease)
        parse_ease(ease)
        k = Key(float(t), _value(item[1], f"keys() item {i}"), ease)
        if out and k.t <= out[-1].t:
            raise ValueError(f"keys() item {i}: times must increase ({k.t:g} follows {out[-1].t:g})")
        if out and len(k.value) != len(out[0].value):
            raise ValueError(f"keys() item {i}: {len(k.value)} values, but the first key has {len(out[0].value)}")
        out.append(k)
    for name, mode in (("before", before), ("after", after)):
        if mode not in EXTRAPOLATIONS:
            raise ValueError(f"keys(): {name} must be one of {', '.join(EXTRAPOLATIONS)}, got {mode!r}")
    dim = len(out[0].value)
    sp = None if speed is None else _per_dim(speed, dim, "keys(): speed")
    wg = None
    if wiggle is not None:
        if isinstance(wiggle, Wiggle):
            wg = Wiggle(_per_dim(wiggle.amplitude, dim, "keys(): wiggle amplitude"), wiggle.frequency, wiggle.octaves)
        elif isinstance(wiggle, dict) and "amplitude" in wiggle and set(wiggle) <= {"amplitude", "frequency", "octaves"}:
            wg = Wiggle(_per_dim(wiggle["amplitude"], dim, "keys(): wiggle amplitude"),
                        float(wiggle.get("frequency", 1.0)), int(wiggle.get("octaves", 1)))
        else:
            raise ValueError("keys(): wiggle must be a Wiggle or {amplitude, frequency, octaves}")
    return Track(tuple(out), before, after, sp, wg)


def stagger(n: int, start: float = 0.0, step: float = 0.1) -> tuple:
    """Start times ``start + i * step`` for ``i`` in ``range(n)``."""
    if n < 0:
        raise ValueError(f"stagger(): n must be >= 0, got {n}")
    return tuple(float(start) + i * float(step) for i in range(int(n)))


def after(track: Track, delay: float = 0.0) -> float:
    """Time of ``track``'s last key plus ``delay`` (seconds)."""
    return float(track.keys[-1].t) + float(delay)


def shift(track: Track, dt: float) -> Track:
    """The same track with every key time moved by ``dt`` seconds (speed/wiggle unchanged)."""
    return replace(track, keys=tuple(replace(k, t=float(k.t) + float(dt)) for k in track.keys))
