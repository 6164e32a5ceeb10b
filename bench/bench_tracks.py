"""Benchmark: sample 1,000 tracks x 1,000 times three ways, plus kernel compile/load time.

    .venv/bin/python bench/bench_tracks.py [--tracks 1000] [--times 1000] [--repeat 5]

* Numba: ``sample_tracks`` (one kernel call, prange over times).
* NumPy: a vectorised implementation written here (per track, vectorised over
  all times; easing evaluated per ease kind on the masked samples).
* Pure Python: a straightforward scalar loop, timed on a subset of tracks x
  times and scaled linearly to the full size (said so in the output).

All three are checked against each other before timing.  Compile time is
measured in fresh subprocesses with a private NUMBA_CACHE_DIR: cold (empty
cache: compile + write) and warm (second process: load from the cache).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from symbolreel.animators import EASE_NAMES, EXTRAPOLATIONS, Key, Track, Wiggle, noise_key, pack_tracks, sample_tracks
from symbolreel.animators.colour import srgb_to_oklab
from symbolreel.animators.easing import BEZIER, FAMILY_BASE, HOLD, LINEAR, STEPS, ease_value, parse_ease

EASES = list(EASE_NAMES) + ["steps(4)", "steps(3, start)", (0.3, -0.4, 0.6, 1.6), (0.1, 0.7, 0.9, 0.2)]


def make_tracks(n, seed=1):
    rng = np.random.default_rng(seed)
    tracks, colour, nkeys = [], [], []
    for i in range(n):
        is_col = rng.random() < 0.1
        dim = 4 if is_col else int(rng.integers(1, 5))
        nk = int(rng.integers(2, 9))
        ts = np.cumsum(rng.uniform(0.1, 1.5, nk))
        ks = tuple(Key(float(t), tuple(float(v) for v in (rng.uniform(0, 1, dim) if is_col else rng.normal(0, 50, dim))),
                       EASES[int(rng.integers(len(EASES)))]) for t in ts)
        speed = wiggle = None
        if not is_col and rng.random() < 0.3:
            speed = tuple(float(v) for v in rng.normal(0, 5, dim))
        if not is_col and rng.random() < 0.2:
            wiggle = Wiggle(tuple(float(v) for v in rng.uniform(0, 3, dim)), float(rng.uniform(0.5, 3)),
                            int(rng.integers(1, 4)))
        tracks.append(Track(ks, str(rng.choice(EXTRAPOLATIONS)), str(rng.choice(EXTRAPOLATIONS)), speed, wiggle))
        colour.append(bool(is_col))
        nkeys.append(noise_key(seed, f"node{i}", "prop"))
    return tracks, colour, nkeys


# ------------------------------------------------------------------ NumPy ----
M = np.uint64(0xFFFFFFFFFFFFFFFF)


def np_splitmix(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def np_unit(h):
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def np_fbm(key, dim, x, octaves):
    total = np.zeros_like(x)
    norm, amp, freq = 0.0, 1.0, 1.0
    for o in range(octaves):
        seed = np_splitmix(np_splitmix(np_splitmix(np.uint64(key)) ^ np.uint64(dim)) ^ np.uint64(o))
        xx = x * freq + np_unit(np_splitmix(seed ^ np.uint64(0x94D049BB133111EB)))
        fi = np.floor(xx)
        i = fi.astype(np.int64).view(np.uint64)
        f = xx - fi
        g0 = 2.0 * np_unit(np_splitmix(seed ^ i)) - 1.0
        g1 = 2.0 * np_unit(np_splitmix(seed ^ (i + np.uint64(1)))) - 1.0
        n0, n1 = g0 * f, g1 * (f - 1.0)
        s = f * f * f * (f * (f * 6.0 - 15.0) + 10.0)
        total += amp * 2.0 * (n0 + s * (n1 - n0))
        norm += amp
        amp *= 0.5
        freq *= 2.0
    return total / norm


def np_bezier(x1, y1, x2, y2, u):
    def bx(s, a, b):
        r = 1.0 - s
        return 3.0 * r * r * s * a + 3.0 * r * s * s * b + s * s * s
    lo, hi, s = np.zeros_like(u), np.ones_like(u), u.copy()
    for _ in range(8):
        f = bx(s, x1, x2) - u
        hi = np.where(f > 0, s, hi)
        lo = np.where(f < 0, s, lo)
        r = 1.0 - s
        d = 3.0 * r * r * x1 + 6.0 * r * s * (x2 - x1) + 3.0 * s * s * (1.0 - x2)
        with np.errstate(divide="ignore", invalid="ignore"):
            ns = np.where(d > 1e-12, s - f / d, -1.0)
        ns = np.where((ns <= lo) | (ns >= hi), 0.5 * (lo + hi), ns)
        s = np.where(f == 0, s, ns)
    bad = np.abs(bx(s, x1, x2) - u) > 1e-14
    if bad.any():
        lo_b, hi_b, ub = lo[bad], hi[bad], u[bad]
        for _ in range(60):
            mid = 0.5 * (lo_b + hi_b)
            below = bx(mid, x1, x2) < ub
            lo_b = np.where(below, mid, lo_b)
            hi_b = np.where(below, hi_b, mid)
        s[bad] = 0.5 * (lo_b + hi_b)
    return bx(s, y1, y2)


def _bounce_out(x):
    n1, d1 = 7.5625, 2.75
    return np.select([x < 1 / d1, x < 2 / d1, x < 2.5 / d1],
                     [n1 * x * x, n1 * (x - 1.5 / d1) ** 2 + 0.75, n1 * (x - 2.25 / d1) ** 2 + 0.9375],
                     n1 * (x - 2.625 / d1) ** 2 + 0.984375)


def _fam_in(fam, x):
    if fam == 0:
        return 1.0 - np.cos(x * math.pi / 2.0)
    if fam <= 4:
        return x ** (fam + 1)
    if fam == 5:
        return np.where(x == 0.0, 0.0, 2.0 ** (10.0 * x - 10.0))
    if fam == 6:
        return 1.0 - np.sqrt(np.maximum(0.0, 1.0 - x * x))
    if fam == 7:
        return 2.70158 * x ** 3 - 1.70158 * x * x
    if fam == 8:
        v = -(2.0 ** (10.0 * x - 10.0)) * np.sin((x * 10.0 - 10.75) * (2.0 * math.pi / 3.0))
        return np.where((x == 0.0) | (x == 1.0), x, v)
    return 1.0 - _bounce_out(1.0 - x)


def np_ease(kind, p, u):
    if kind == LINEAR:
        e = u.copy()
    elif kind == HOLD:
        return np.zeros_like(u)
    elif kind == BEZIER:
        e = np_bezier(p[0], p[1], p[2], p[3], u)
    elif kind == STEPS:
        n, code = p[0], int(p[1])
        jumps = n - 1.0 if code == 2 else (n + 1.0 if code == 3 else n)
        step = np.floor(np.maximum(u, 0.0) * n) + (1.0 if code in (1, 3) else 0.0)
        return np.minimum(step, jumps) / jumps
    else:
        fam, mode = divmod(kind - FAMILY_BASE, 3)
        if mode == 0:
            e = _fam_in(fam, u)
        elif mode == 1:
            e = 1.0 - _fam_in(fam, 1.0 - u)
        elif fam == 7:
            c2 = 1.70158 * 1.525
            y = np.where(u < 0.5, 2.0 * u, 2.0 * u - 2.0)
            e = np.where(u < 0.5, (y * y * ((c2 + 1) * y - c2)) / 2, (y * y * ((c2 + 1) * y + c2) + 2) / 2)
        elif fam == 8:
            c5 = 2.0 * math.pi / 4.5
            a = -(2.0 ** (20.0 * u - 10.0) * np.sin((20.0 * u - 11.125) * c5)) / 2.0
            b = (2.0 ** (-20.0 * u + 10.0) * np.sin((20.0 * u - 11.125) * c5)) / 2.0 + 1.0
            e = np.where(u < 0.5, a, b)
        else:
            e = np.where(u < 0.5, _fam_in(fam, 2.0 * u) / 2.0, 1.0 - _fam_in(fam, 2.0 - 2.0 * u) / 2.0)
    return np.where(u <= 0.0, 0.0, np.where(u >= 1.0, 1.0, e))


def np_oklab_to_srgb(lab):
    L, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    l_ = L + 0.3963377774 * a + 0.2158037573 * b
    m_ = L - 0.1055613458 * a - 0.0638541728 * b
    s_ = L - 0.0894841775 * a - 1.2914855480 * b
    l3, m3, s3 = l_ * l_ * l_, m_ * m_ * m_, s_ * s_ * s_
    lin = np.stack([4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3,
                    -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3,
                    -0.0041960863 * l3 - 0.7034186147 * m3 + 1.7076147010 * s3], axis=1)
    with np.errstate(invalid="ignore"):
        v = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.abs(lin) ** (1.0 / 2.4) - 0.055)
    return np.clip(v, 0.0, 1.0)


class NumpySampler:
    """Vectorised NumPy evaluator: per track, all times at once."""

    def __init__(self, tracks, colour, nkeys):
        self.items = []
        for tr, col, nk in zip(tracks, colour, nkeys):
            ts = np.array([k.t for k in tr.keys])
            raw = np.array([k.value for k in tr.keys], float)
            val = raw.copy()
            if col:
                val[:, :3] = srgb_to_oklab(raw[:, :3])
            eases = [parse_ease(k.ease) for k in tr.keys]
            kinds = np.array([e[0] for e in eases])
            self.items.append((tr, col, nk, ts, raw, val, eases, kinds))

    def sample(self, times):
        cols = []
        for tr, col, nk, ts, raw, val, eases, kinds in self.items:
            t = times
            ta, tb = ts[0], ts[-1]
            d = tb - ta
            tt = t.copy()
            cont_lo = cont_hi = hold_lo = None
            for side, mode, mask in (("lo", tr.before, t < ta), ("hi", tr.after, t > tb)):
                if not mask.any():
                    continue
                if mode == "loop":
                    r = (t - ta) - d * np.floor((t - ta) / d)
                    tt = np.where(mask, ta + np.clip(r, 0, d), tt)
                elif mode == "pingpong":
                    r = (t - ta) - 2 * d * np.floor((t - ta) / (2 * d))
                    r = np.where(r > d, 2 * d - r, r)
                    tt = np.where(mask, ta + np.clip(r, 0, d), tt)
                elif mode == "continue":
                    if side == "lo":
                        cont_lo = mask
                    else:
                        cont_hi = mask
                elif side == "lo":
                    hold_lo = mask
            tt = np.clip(tt, ta, tb)
            j = np.clip(np.searchsorted(ts, tt, side="right") - 1, 0, len(ts) - 2)
            u = (tt - ts[j]) / (ts[j + 1] - ts[j])
            e = np.empty_like(u)
            for kind in np.unique(kinds[:-1]):
                seg = np.flatnonzero(kinds[:-1] == kind)
                if len(seg) == 1 or kind < FAMILY_BASE and kind != BEZIER and kind != STEPS:
                    sel = np.isin(j, seg)
                    e[sel] = np_ease(kind, eases[seg[0]][1], u[sel])
                else:
                    for s in seg:
                        sel = j == s
                        e[sel] = np_ease(kind, eases[s][1], u[sel])
            e = np.where(tt >= tb, 1.0, e)
            if hold_lo is not None:
                e[hold_lo] = 0.0
            va, vb = val[j], val[j + 1]
            v = va + (vb - va) * e[:, None]
            for mask, (i0, i1, edge) in ((cont_lo, (0, 1, 0)), (cont_hi, (-2, -1, -1))):
                if mask is not None:
                    slope = (val[i1] - val[i0]) / (ts[i1] - ts[i0])
                    v[mask] = val[edge] + slope * (t[mask] - ts[edge])[:, None]
            exact0 = (e == 0.0)
            exact1 = (e == 1.0)
            if col:
                v[:, :3] = np_oklab_to_srgb(v[:, :3])
                v[:, 3:] = np.clip(v[:, 3:], 0.0, 1.0)
            not_cont = np.ones_like(t, bool)
            for mask in (cont_lo, cont_hi):
                if mask is not None:
                    not_cont &= ~mask
            v = np.where((exact0 & not_cont)[:, None], raw[j], v)
            v = np.where((exact1 & not_cont)[:, None], raw[j + 1], v)
            if not col:
                if tr.speed is not None:
                    v = v + np.outer(t, tr.speed)
                if tr.wiggle is not None:
                    w = tr.wiggle
                    for c, a in enumerate(w.amplitude):
                        if a != 0.0:
                            v[:, c] += a * np_fbm(nk, c, t * w.frequency, w.octaves)
            cols.append(v)
        return np.hstack(cols)


# ------------------------------------------------------------- pure Python ----
def _py_splitmix(x):
    z = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def _py_fbm(key, dim, x, octaves):
    total = norm = 0.0
    amp = freq = 1.0
    for o in range(octaves):
        seed = _py_splitmix(_py_splitmix(_py_splitmix(key) ^ dim) ^ o)
        xx = x * freq + (_py_splitmix(seed ^ 0x94D049BB133111EB) >> 11) / 9007199254740992.0
        fi = math.floor(xx)
        f = xx - fi
        g0 = 2.0 * (_py_splitmix(seed ^ (fi & 0xFFFFFFFFFFFFFFFF)) >> 11) / 9007199254740992.0 - 1.0
        g1 = 2.0 * (_py_splitmix(seed ^ ((fi + 1) & 0xFFFFFFFFFFFFFFFF)) >> 11) / 9007199254740992.0 - 1.0
        n0, n1 = g0 * f, g1 * (f - 1.0)
        s = f * f * f * (f * (f * 6.0 - 15.0) + 10.0)
        total += amp * 2.0 * (n0 + s * (n1 - n0))
        norm += amp
        amp *= 0.5
        freq *= 2.0
    return total / norm


_EASE_PY = ease_value.py_func  # the kernel's own Python source, run by the interpreter


def py_sample_one(tr, col, nk, t, lab_cache):
    ks = tr.keys
    ts = [k.t for k in ks]
    raw = [list(k.value) for k in ks]
    space = lab_cache
    ta, tb = ts[0], ts[-1]
    d = tb - ta
    cont = None
    tt = t
    mode = tr.before if t < ta else (tr.after if t > tb else None)
    if mode == "loop":
        tt = ta + min(max((t - ta) - d * math.floor((t - ta) / d), 0.0), d)
    elif mode == "pingpong":
        r = (t - ta) - 2 * d * math.floor((t - ta) / (2 * d))
        tt = ta + min(max(2 * d - r if r > d else r, 0.0), d)
    elif mode == "continue":
        cont = (0, 1, 0) if t < ta else (-2, -1, -1)
    if cont is not None:
        i0, i1, edge = cont
        v = [space[edge][c] + (space[i1][c] - space[i0][c]) / (ts[i1] - ts[i0]) * (t - ts[edge])
             for c in range(len(raw[0]))]
        exact = None
    elif mode == "hold" or tt >= tb or tt <= ta:
        exact = raw[0] if (t < ta or tt <= ta) and not (tt >= tb) else raw[-1]
        if mode == "hold":
            exact = raw[0] if t < ta else raw[-1]
        v = None
    else:
        j = 0
        while ts[j + 1] <= tt:
            j += 1
        kind, p = parse_ease(ks[j].ease)
        e = _EASE_PY(kind, p[0], p[1], p[2], p[3], (tt - ts[j]) / (ts[j + 1] - ts[j]))
        exact = raw[j] if e == 0.0 else (raw[j + 1] if e == 1.0 else None)
        v = None if exact is not None else [a + (b - a) * e for a, b in zip(space[j], space[j + 1])]
    if exact is not None:
        out = list(exact)
    else:
        out = v
        if col:
            from symbolreel.animators.colour import oklab_to_srgb_px
            r, g, b = oklab_to_srgb_px.py_func(out[0], out[1], out[2])
            out = [r, g, b] + [min(1.0, max(0.0, a)) for a in out[3:]]
    if not col:
        if tr.speed is not None:
            out = [x + s * t for x, s in zip(out, tr.speed)]
        if tr.wiggle is not None:
            w = tr.wiggle
            out = [x + (a * _py_fbm(nk, c, t * w.frequency, w.octaves) if a != 0.0 else 0.0)
                   for c, (x, a) in enumerate(zip(out, w.amplitude))]
    return out


def py_sample(tracks, colour, nkeys, times):
    labs = []
    for tr, col in zip(tracks, colour):
        vals = np.array([k.value for k in tr.keys], float)
        if col:
            vals[:, :3] = srgb_to_oklab(vals[:, :3])
        labs.append(vals.tolist())
    rows = []
    for t in times:
        row = []
        for tr, col, nk, lab in zip(tracks, colour, nkeys, labs):
            row.extend(py_sample_one(tr, col, nk, float(t), lab))
        rows.append(row)
    return np.array(rows)


# ----------------------------------------------------------------- compile ----
_PROBE = """
import json, time
t0 = time.perf_counter()
import symbolreel.animators as A
t1 = time.perf_counter()
A.warm_up()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_call_s": t2 - t1}))
"""


def compile_times():
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        res = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", _PROBE], env=env, check=True, capture_output=True, text=True)
            res.append(json.loads(out.stdout.strip().splitlines()[-1]))
        return res


def best(fn, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--times", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--py-tracks", type=int, default=100, help="pure-Python subset: tracks")
    ap.add_argument("--py-times", type=int, default=50, help="pure-Python subset: times")
    args = ap.parse_args(argv)

    import numba
    tracks, colour, nkeys = make_tracks(args.tracks)
    times = np.linspace(-3.0, 12.0, args.times)
    packed = pack_tracks(tracks, colour, nkeys)
    sample_tracks(packed, times[:4])  # compile / load outside the timing
    nps = NumpySampler(tracks, colour, nkeys)

    ref = sample_tracks(packed, times)
    np_out = nps.sample(times)
    err_np = float(np.max(np.abs(np_out - ref)))
    sub_t = times[:: max(1, len(times) // args.py_times)][: args.py_times]
    ntr = min(args.py_tracks, len(tracks))
    width_sub = packed.columns[ntr - 1].stop
    py_out = py_sample(tracks[:ntr], colour[:ntr], nkeys[:ntr], sub_t)
    err_py = float(np.max(np.abs(py_out - sample_tracks(packed, sub_t)[:, :width_sub])))
    assert err_np < 1e-8 and err_py < 1e-8, (err_np, err_py)

    t_pack = best(lambda: pack_tracks(tracks, colour, nkeys), 1)
    t_nb = best(lambda: sample_tracks(packed, times), args.repeat)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    t_nb1 = best(lambda: sample_tracks(packed, times), args.repeat)
    numba.set_num_threads(threads)
    t_np = best(lambda: nps.sample(times), max(1, args.repeat // 2))
    t_py_sub = best(lambda: py_sample(tracks[:ntr], colour[:ntr], nkeys[:ntr], sub_t), 1)
    scale = (len(tracks) * len(times)) / (ntr * len(sub_t))
    t_py = t_py_sub * scale
    comp = compile_times()

    n_samples = len(tracks) * len(times)
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"{len(tracks)} tracks ({packed.width} columns, {sum(colour)} colour) x {len(times)} times; "
          f"numba {numba.__version__}, numpy {np.__version__}, {threads} threads, {os.cpu_count()} CPUs")
    print(f"max |numpy - numba| = {err_np:.1e}; max |python - numba| = {err_py:.1e} (subset)")
    print()
    print("| implementation | time (s) | ns / track-sample | numba speed-up |")
    print("|---|---:|---:|---:|")
    rows = [(f"Numba kernel ({threads} threads)", t_nb), ("Numba kernel (1 thread)", t_nb1),
            ("NumPy vectorised (per track, all times)", t_np),
            (f"pure Python (timed on {ntr} tracks x {len(sub_t)} times, scaled x{scale:g})", t_py)]
    for name, t in rows:
        print(f"| {name} | {t:.4f} | {t / n_samples * 1e9:.0f} | {t / t_nb:.1f}x |")
    print()
    print(f"pack_tracks ({len(tracks)} tracks): {t_pack:.3f} s")
    print(f"first warm_up() in a fresh process, empty NUMBA_CACHE_DIR (cold): "
          f"{comp[0]['first_call_s']:.2f} s (import {comp[0]['import_s']:.2f} s)")
    print(f"first warm_up() in a second process, same cache (warm): "
          f"{comp[1]['first_call_s']:.3f} s (import {comp[1]['import_s']:.2f} s)")
    ok = t_py / t_nb >= 50 and t_np / t_nb >= 2 and comp[1]["first_call_s"] < 0.5
    print(f"targets (>=50x Python, >=2x NumPy, warm < 0.5 s): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
