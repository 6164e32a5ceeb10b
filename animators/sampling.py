"""Batch sampling of tracks: pack once (Python), sample many frames in one Numba call.

:func:`pack_tracks` flattens a list of :class:`Track` into plain arrays
(:class:`PackedTracks`, picklable); :func:`sample_tracks` evaluates every track
at every time with one ``@njit(parallel=True, cache=True)`` kernel (``prange``
over times only, so each output row is computed by exactly one thread with the
same operations: results do not depend on the thread count or time order).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from symbolreel.jit import kernel, prange

from .colour import oklab_to_srgb_px, srgb_to_oklab
from .easing import ease_value, parse_ease
from .noise import fbm_seeded, octave_seeds
from .tracks import EXTRAPOLATIONS, Track

HOLD, LOOP, PINGPONG, CONTINUE = range(4)
_EXTRA_CODE = {name: i for i, name in enumerate(EXTRAPOLATIONS)}


@dataclass(frozen=True, eq=False)
class PackedTracks:
    """Tracks flattened into arrays; ``columns[i]`` is track i's slice of a sample row.

    Per track ``i`` (``n`` tracks): keys ``key_start[i]:key_start[i+1]`` of
    ``key_t`` / ``key_kind`` / ``key_par``; values ``val_start[i] + j*dims[i] + c``
    (j-th key of the track, dimension c) in ``key_val`` (interpolation space:
    OKLab+alpha for colour tracks) and ``key_raw`` (the values as given);
    output columns ``col_start[i]:col_start[i]+dims[i]``.  Per output column:
    ``speed`` and ``wig_amp``.
    """

    tracks: tuple
    colour: tuple
    noise_keys: tuple
    columns: tuple
    width: int
    key_start: np.ndarray   # int64 (n+1,)
    key_t: np.ndarray       # float64 (n_keys,)
    key_kind: np.ndarray    # int64 (n_keys,) ease kind of the segment starting at the key
    key_par: np.ndarray     # float64 (n_keys, 4) ease parameters
    val_start: np.ndarray   # int64 (n,)
    key_val: np.ndarray     # float64 flat values in interpolation space
    key_raw: np.ndarray     # float64 flat values as given
    dims: np.ndarray        # int64 (n,)
    col_start: np.ndarray   # int64 (n,)
    before: np.ndarray      # int64 (n,) extrapolation code (index into EXTRAPOLATIONS)
    after: np.ndarray       # int64 (n,)
    is_colour: np.ndarray   # bool (n,)
    speed: np.ndarray       # float64 (width,)
    wig_amp: np.ndarray     # float64 (width,)
    wig_freq: np.ndarray    # float64 (n,)
    wig_oct: np.ndarray     # int64 (n,), 0 = no wiggle
    key_noise: np.ndarray   # uint64 (n,)
    wig_seed: np.ndarray    # uint64 (width, max octaves) per-octave noise seeds (from key_noise, column dim)
    wig_phase: np.ndarray   # float64 (width, max octaves) per-octave lattice phases


def pack_tracks(tracks, colour=None, noise_keys=None) -> PackedTracks:
    """Flatten ``tracks`` (with optional per-track colour flags and uint64 noise keys) into arrays."""
    tracks = tuple(tracks)
    n = len(tracks)
    colour = tuple(bool(c) for c in colour) if colour is not None else (False,) * n
    noise_keys = tuple(int(k) for k in noise_keys) if noise_keys is not None else (0,) * n
    if len(colour) != n or len(noise_keys) != n:
        raise ValueError(f"pack_tracks: {n} tracks but {len(colour)} colour flags and {len(noise_keys)} noise keys")

    key_start = np.zeros(n + 1, np.int64)
    dims = np.zeros(n, np.int64)
    col_start = np.zeros(n, np.int64)
    val_start = np.zeros(n, np.int64)
    before = np.zeros(n, np.int64)
    after = np.zeros(n, np.int64)
    wig_freq = np.zeros(n, np.float64)
    wig_oct = np.zeros(n, np.int64)
    key_noise = np.zeros(n, np.uint64)
    key_t, kinds, pars, raws, vals, speed, wamp, cols = [], [], [], [], [], [], [], []
    off = voff = 0
    for i, tr in enumerate(tracks):
        if not isinstance(tr, Track):
            raise TypeError(f"track {i}: expected a Track, got {type(tr).__name__}")
        if not tr.keys:
            raise ValueError(f"track {i}: a track needs at least one key")
        d = tr.dim
        if d < 1:
            raise ValueError(f"track {i}: values need at least one number")
        prev = None
        raw = np.empty((len(tr.keys), d))
        for j, k in enumerate(tr.keys):
            t = float(k.t)
            if not np.isfinite(t):
                raise ValueError(f"track {i} key {j}: time must be finite, got {k.t!r}")
            if prev is not None and t <= prev:
                raise ValueError(f"track {i} key {j}: key times must increase ({t:g} follows {prev:g})")
            prev = t
            if len(k.value) != d:
                raise ValueError(f"track {i} key {j}: expected {d} values, got {len(k.value)}")
            raw[j] = k.value
            kind, par = parse_ease(k.ease)
            key_t.append(t)
            kinds.append(kind)
            pars.append(par)
        if not np.all(np.isfinite(raw)):
            raise ValueError(f"track {i}: key values must be finite")
        interp = raw
        if colour[i]:
            if d not in (3, 4):
                raise ValueError(f"track {i}: a colour track needs 3 or 4 values (RGB[A] in 0..1), got {d}")
            if tr.speed is not None or tr.wiggle is not None:
                raise ValueError(f"track {i}: colour tracks cannot have speed or wiggle")
            interp = raw.copy()
            interp[:, :3] = srgb_to_oklab(raw[:, :3])
        for name, code_arr in (("before", before), ("after", after)):
            mode = getattr(tr, name)
            if mode not in _EXTRA_CODE:
                raise ValueError(f"track {i}: {name} must be one of {', '.join(EXTRAPOLATIONS)}, got {mode!r}")
            code_arr[i] = _EXTRA_CODE[mode]
        sp = np.zeros(d) if tr.speed is None else _per_dim(tr.speed, d, f"track {i}: speed")
        if tr.wiggle is not None:
            w = tr.wiggle
            wamp.append(_per_dim(w.amplitude, d, f"track {i}: wiggle amplitude"))
            oc = int(w.octaves)
            if oc < 1 or float(w.frequency) < 0 or not np.isfinite(float(w.frequency)):
                raise ValueError(f"track {i}: wiggle needs octaves >= 1 and a finite frequency >= 0")
            wig_freq[i] = float(w.frequency)
            wig_oct[i] = oc
        else:
            wamp.append(np.zeros(d))
        key_start[i + 1] = key_start[i] + len(tr.keys)
        dims[i] = d
        col_start[i] = off
        val_start[i] = voff
        key_noise[i] = np.uint64(noise_keys[i] & 0xFFFFFFFFFFFFFFFF)
        raws.append(raw.ravel())
        vals.append(np.asarray(interp, np.float64).ravel())
        speed.append(sp)
        cols.append(slice(off, off + d))
        off += d
        voff += raw.size

    max_oct = int(wig_oct.max()) if n else 0
    wig_seed = np.zeros((off, max(max_oct, 1)), np.uint64)
    wig_phase = np.zeros((off, max(max_oct, 1)), np.float64)
    for i in range(n):
        for c in range(int(dims[i])):
            seeds, phases = octave_seeds(noise_keys[i], c, int(wig_oct[i]))
            wig_seed[col_start[i] + c, :len(seeds)] = seeds
            wig_phase[col_start[i] + c, :len(phases)] = phases

    def cat(parts, dtype=np.float64):
        return np.ascontiguousarray(np.concatenate(parts).astype(dtype)) if parts else np.zeros(0, dtype)

    return PackedTracks(
        tracks, colour, noise_keys, tuple(cols), off,
        key_start=key_start,
        key_t=np.asarray(key_t, np.float64),
        key_kind=np.asarray(kinds, np.int64),
        key_par=np.asarray(pars, np.float64).reshape(-1, 4),
        val_start=val_start, key_val=cat(vals), key_raw=cat(raws),
        dims=dims, col_start=col_start, before=before, after=after,
        is_colour=np.asarray(colour, np.bool_).reshape(n),
        speed=cat(speed), wig_amp=cat(wamp), wig_freq=wig_freq, wig_oct=wig_oct, key_noise=key_noise,
        wig_seed=wig_seed, wig_phase=wig_phase,
    )


def _per_dim(v, d, what) -> np.ndarray:
    a = np.asarray(v, np.float64).reshape(-1)
    if a.size == 1:
        a = np.full(d, a[0])
    if a.size != d or not np.all(np.isfinite(a)):
        raise ValueError(f"{what}: expected 1 or {d} finite numbers, got {v!r}")
    return a


@kernel(cache=True)
def _wrap(t, ta, tb, mode):
    """Map t outside [ta, tb] into it for loop/pingpong."""
    d = tb - ta
    if mode == LOOP:
        r = (t - ta) - d * np.floor((t - ta) / d)
    else:
        p = 2.0 * d
        r = (t - ta) - p * np.floor((t - ta) / p)
        if r > d:
            r = p - r
    if r < 0.0:
        r = 0.0
    if r > d:
        r = d
    return ta + r


@kernel(cache=True)
def _sample_row(t, out_row, key_start, key_t, key_kind, key_par, val_start, key_val, key_raw,
                dims, col_start, before, after, is_colour, speed, wig_amp, wig_freq, wig_oct, wig_seed, wig_phase):
    n_tr = dims.shape[0]
    for k in range(n_tr):
        k0 = key_start[k]
        k1 = key_start[k + 1]
        d = dims[k]
        vs = val_start[k]
        c0 = col_start[k]
        ta = key_t[k0]
        tb = key_t[k1 - 1]
        # mode 0: exactly key ka; 1: lerp ka->ka+1 with weight e; 2: continue from ka with slope of (sa, sb)
        mode = 0
        ka = k0
        e = 0.0
        sa = k0
        sb = k0
        dt = 0.0
        if k1 - k0 > 1:
            tt = t
            ext = -1
            if t < ta:
                ext = before[k]
                if ext == HOLD:
                    ka = k0
                elif ext == CONTINUE:
                    mode = 2
                    ka = k0
                    sa = k0
                    sb = k0 + 1
                    dt = t - ta
                else:
                    tt = _wrap(t, ta, tb, ext)
                    ext = -1
            elif t > tb:
                ext = after[k]
                if ext == HOLD:
                    ka = k1 - 1
                elif ext == CONTINUE:
                    mode = 2
                    ka = k1 - 1
                    sa = k1 - 2
                    sb = k1 - 1
                    dt = t - tb
                else:
                    tt = _wrap(t, ta, tb, ext)
                    ext = -1
            if ext == -1:
                if tt >= tb:
                    ka = k1 - 1
                else:
                    lo = k0
                    hi = k1 - 1  # key_t[lo] <= tt < key_t[hi]
                    while hi - lo > 1:
                        mid = (lo + hi) >> 1
                        if key_t[mid] <= tt:
                            lo = mid
                        else:
                            hi = mid
                    u = (tt - key_t[lo]) / (key_t[lo + 1] - key_t[lo])
                    p = key_par[lo]
                    e = ease_value(key_kind[lo], p[0], p[1], p[2], p[3], u)
                    if e == 0.0:
                        ka = lo
                    elif e == 1.0:
                        ka = lo + 1
                    else:
                        ka = lo
                        mode = 1
        if mode == 0:
            base = vs + (ka - k0) * d
            for c in range(d):
                out_row[c0 + c] = key_raw[base + c]
        else:
            if mode == 1:
                ia = vs + (ka - k0) * d
                ib = ia + d
                for c in range(d):
                    va = key_val[ia + c]
                    out_row[c0 + c] = va + (key_val[ib + c] - va) * e
            else:
                ia = vs + (ka - k0) * d
                pa = vs + (sa - k0) * d
                pb = vs + (sb - k0) * d
                span = key_t[sb] - key_t[sa]
                for c in range(d):
                    out_row[c0 + c] = key_val[ia + c] + (key_val[pb + c] - key_val[pa + c]) / span * dt
            if is_colour[k]:
                r, g, b = oklab_to_srgb_px(out_row[c0], out_row[c0 + 1], out_row[c0 + 2])
                out_row[c0] = r
                out_row[c0 + 1] = g
                out_row[c0 + 2] = b
                if d == 4:
                    a = out_row[c0 + 3]
                    out_row[c0 + 3] = 0.0 if a < 0.0 else (1.0 if a > 1.0 else a)
        if not is_colour[k]:
            for c in range(d):
                out_row[c0 + c] += speed[c0 + c] * t
            oc = wig_oct[k]
            if oc > 0:
                x = t * wig_freq[k]
                for c in range(d):
                    amp = wig_amp[c0 + c]
                    if amp != 0.0:
                        out_row[c0 + c] += amp * fbm_seeded(wig_seed[c0 + c], wig_phase[c0 + c], x, oc)


@kernel(cache=True, parallel=True)
def _sample_kernel(times, out, key_start, key_t, key_kind, key_par, val_start, key_val, key_raw,
                   dims, col_start, before, after, is_colour, speed, wig_amp, wig_freq, wig_oct, wig_seed, wig_phase):
    for i in prange(times.shape[0]):
        _sample_row(times[i], out[i], key_start, key_t, key_kind, key_par, val_start, key_val, key_raw,
                    dims, col_start, before, after, is_colour, speed, wig_amp, wig_freq, wig_oct, wig_seed, wig_phase)


# A separate function (not the same one compiled twice: Numba's on-disk cache is keyed by the
# function, so both variants would share one cache entry). Waking a thread pool costs far more
# than small batches (a renderer samples ~16 frames at a time), so small work runs serially.
# Rows are independent, so both give bit-identical results.
@kernel(cache=True)
def _sample_kernel_serial(times, out, key_start, key_t, key_kind, key_par, val_start, key_val, key_raw,
                          dims, col_start, before, after, is_colour, speed, wig_amp, wig_freq, wig_oct, wig_seed,
                          wig_phase):
    for i in range(times.shape[0]):
        _sample_row(times[i], out[i], key_start, key_t, key_kind, key_par, val_start, key_val, key_raw,
                    dims, col_start, before, after, is_colour, speed, wig_amp, wig_freq, wig_oct, wig_seed, wig_phase)


PARALLEL_MIN_WORK = 200_000  # samples (times x columns) before the parallel kernel pays off


def sample_tracks(packed: PackedTracks, times) -> np.ndarray:
    """Sample every packed track at every time (seconds): returns float64 ``(len(times), packed.width)``."""
    times = np.ascontiguousarray(np.asarray(times, dtype=np.float64).reshape(-1))
    if not np.all(np.isfinite(times)):
        raise ValueError("sample_tracks: times must be finite")
    out = np.zeros((times.shape[0], packed.width))
    if packed.width == 0 or times.shape[0] == 0:
        return out
    p = packed
    kernel = _sample_kernel if times.shape[0] * packed.width >= PARALLEL_MIN_WORK else _sample_kernel_serial
    kernel(times, out, p.key_start, p.key_t, p.key_kind, p.key_par, p.val_start, p.key_val, p.key_raw,
                   p.dims, p.col_start, p.before, p.after, p.is_colour, p.speed, p.wig_amp, p.wig_freq,
                   p.wig_oct, p.wig_seed, p.wig_phase)
    return out
