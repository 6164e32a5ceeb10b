"""Batch track sampling: Numba kernel vs a slow plain-Python evaluator, colour, determinism, wiggle."""
import hashlib
import math
import pickle

import numba
import numpy as np
import pytest

from symbolreel.animators import (EASE_NAMES, EXTRAPOLATIONS, Key, Track, Wiggle, after, keys, noise_key,
                                  pack_tracks, sample_tracks, shift, stagger)
from symbolreel.animators.easing import ease_value, parse_ease

MASK = (1 << 64) - 1

# ---------------------------------------------------------------- reference --


def srgb_to_lab(rgb):
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    r, g, b = lin
    lms = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
           0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
           0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    l_, m_, s_ = (math.copysign(abs(v) ** (1 / 3), v) for v in lms)
    return [0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_]


def lab_to_srgb(lab):
    L, a, b = lab
    l_ = L + 0.3963377774 * a + 0.2158037573 * b
    m_ = L - 0.1055613458 * a - 0.0638541728 * b
    s_ = L - 0.0894841775 * a - 1.2914855480 * b
    l, m, s = l_ ** 3, m_ ** 3, s_ ** 3
    lin = (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
           -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
           -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)
    out = []
    for c in lin:
        v = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        out.append(min(1.0, max(0.0, v)))
    return out


def splitmix(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def unit(h):
    return (h >> 11) * (1.0 / 9007199254740992.0)


def ref_fbm(key, dim, x, octaves):
    total = norm = 0.0
    amp = freq = 1.0
    for o in range(octaves):
        seed = splitmix(splitmix(splitmix(key) ^ dim) ^ o)
        xx = x * freq + unit(splitmix(seed ^ 0x94D049BB133111EB))
        fi = math.floor(xx)
        f = xx - fi
        g0 = 2.0 * unit(splitmix(seed ^ (fi & MASK))) - 1.0
        g1 = 2.0 * unit(splitmix(seed ^ ((fi + 1) & MASK))) - 1.0
        n0, n1 = g0 * f, g1 * (f - 1.0)
        s = f * f * f * (f * (f * 6.0 - 15.0) + 10.0)
        total += amp * 2.0 * (n0 + s * (n1 - n0))
        norm += amp
        amp *= 0.5
        freq *= 2.0
    return total / norm


def ref_sample(tr: Track, t: float, colour=False, nkey=0):
    """Slow, obvious evaluator of the documented semantics."""
    ks = tr.keys
    raw = [list(map(float, k.value)) for k in ks]
    space = [srgb_to_lab(v[:3]) + v[3:] for v in raw] if colour else raw
    ts = [k.t for k in ks]

    def finish(v, converted):
        if colour and converted:
            v = lab_to_srgb(v[:3]) + [min(1.0, max(0.0, x)) for x in v[3:]]
        return v

    def interior(tt):
        if tt >= ts[-1]:
            return finish(raw[-1], False)
        j = max(i for i in range(len(ts)) if ts[i] <= tt)
        kind, p = parse_ease(ks[j].ease)
        e = ease_value(kind, *p, (tt - ts[j]) / (ts[j + 1] - ts[j]))
        if e == 0.0:
            return finish(raw[j], False)
        if e == 1.0:
            return finish(raw[j + 1], False)
        return finish([a + (b - a) * e for a, b in zip(space[j], space[j + 1])], True)

    def wrap(mode):
        d = ts[-1] - ts[0]
        if mode == "loop":
            r = (t - ts[0]) - d * math.floor((t - ts[0]) / d)
        else:
            r = (t - ts[0]) - 2 * d * math.floor((t - ts[0]) / (2 * d))
            if r > d:
                r = 2 * d - r
        return ts[0] + min(max(r, 0.0), d)

    if len(ks) == 1:
        v = raw[0]
    elif t < ts[0] or t > ts[-1]:
        mode = tr.before if t < ts[0] else tr.after
        i, j, edge = (0, 1, 0) if t < ts[0] else (-2, -1, -1)
        if mode == "hold":
            v = raw[edge]
        elif mode == "continue":
            slope = [(b - a) / (ts[j] - ts[i]) for a, b in zip(space[i], space[j])]
            v = finish([a + s * (t - ts[edge]) for a, s in zip(space[edge], slope)], True)
        else:
            v = interior(wrap(mode))
    else:
        v = interior(t)
    v = list(v)
    if not colour:
        if tr.speed is not None:
            v = [x + s * t for x, s in zip(v, tr.speed)]
        if tr.wiggle is not None:
            w = tr.wiggle
            v = [x + (a * ref_fbm(nkey, c, t * w.frequency, w.octaves) if a != 0 else 0.0)
                 for c, (x, a) in enumerate(zip(v, w.amplitude))]
    return v


# ---------------------------------------------------------------- generators --

EASES = list(EASE_NAMES) + ["steps(3)", "steps(2, start)", "steps(4, jump-none)", "steps(2, jump-both)",
                            (0.3, -0.4, 0.6, 1.6), "cubic-bezier(0.1, 0.7, 1.0, 0.1)"]


def random_track(rng, colour=False):
    n = int(rng.integers(1, 7))
    dim = 4 if colour else int(rng.integers(1, 5))
    ts = np.cumsum(rng.uniform(0.05, 2.0, n)) + rng.uniform(-3, 3)
    ks = []
    for t in ts:
        val = tuple(rng.uniform(0, 1, dim)) if colour else tuple(rng.normal(0, 10, dim))
        ease = EASES[int(rng.integers(len(EASES)))] if rng.random() < 0.85 else "hold"
        ks.append(Key(float(t), tuple(float(x) for x in val), ease))
    speed = wiggle = None
    if not colour:
        if rng.random() < 0.4:
            speed = tuple(float(x) for x in rng.normal(0, 3, dim))
        if rng.random() < 0.3:
            wiggle = Wiggle(tuple(float(x) for x in rng.uniform(0, 2, dim)), float(rng.uniform(0.1, 4)),
                            int(rng.integers(1, 5)))
    return Track(tuple(ks), str(rng.choice(EXTRAPOLATIONS)), str(rng.choice(EXTRAPOLATIONS)), speed, wiggle)


def random_times(rng, tracks, n=120):
    key_times = [k.t for tr in tracks for k in tr.keys]
    return np.concatenate([rng.uniform(-15, 20, n), rng.choice(key_times, 20),
                           np.array(key_times[:10]) + 1e-9, [0.0, -0.0]])


@pytest.mark.parametrize("seed", range(6))
def test_kernel_matches_python_reference(seed):
    rng = np.random.default_rng([seed, 20240611])
    colour = [bool(rng.random() < 0.2) for _ in range(25)]
    tracks = [random_track(rng, c) for c in colour]
    nkeys = [noise_key(seed, f"n{i}", "x") for i in range(len(tracks))]
    packed = pack_tracks(tracks, colour, nkeys)
    times = random_times(rng, tracks)
    got = sample_tracks(packed, times)
    assert got.shape == (len(times), packed.width) and got.dtype == np.float64
    for i, (tr, col) in enumerate(zip(tracks, packed.columns)):
        assert col.stop - col.start == tr.dim
        for r, t in enumerate(times):
            want = ref_sample(tr, float(t), colour[i], nkeys[i])
            np.testing.assert_allclose(got[r, col], want, rtol=1e-12, atol=1e-12,
                                       err_msg=f"track {i} {tr} at t={t}")


def test_key_times_return_key_values_exactly():
    tr = keys((0, (1.0, 2.0)), (1, (3.0, -4.0), "ease-in-out-back"), (2.5, (0.1, 0.2), [0.3, 1.5, 0.6, -0.2]),
              (4, (7.0, 7.0)))
    out = sample_tracks(pack_tracks([tr]), [k.t for k in tr.keys])
    assert out.tolist() == [list(k.value) for k in tr.keys]


def test_hold_and_extrapolation_modes():
    base = [(0, 0.0), (1, 10.0, "hold"), (2, 20.0)]
    t = [-1.5, -0.5, 0.5, 1.5, 2.0, 2.5, 3.5, 4.5]
    hold = sample_tracks(pack_tracks([keys(*base)]), t)[:, 0]
    assert hold.tolist() == [0, 0, 5, 10, 20, 20, 20, 20]
    loop = sample_tracks(pack_tracks([keys(*base, before="loop", after="loop")]), t)[:, 0]
    assert loop.tolist() == [5, 10, 5, 10, 20, 5, 10, 5]
    ping = sample_tracks(pack_tracks([keys(*base, before="pingpong", after="pingpong")]), t)[:, 0]
    assert ping.tolist() == [10, 5, 5, 10, 20, 10, 5, 5]
    cont = sample_tracks(pack_tracks([keys(*base, before="continue", after="continue")]), t)[:, 0]
    assert cont.tolist() == [-15, -5, 5, 10, 20, 25, 35, 45]


def test_single_key_speed_and_continue():
    tr = keys((2.0, (1.0, -1.0)), before="continue", after="loop", speed=(2.0, 0.5))
    out = sample_tracks(pack_tracks([tr]), [-3.0, 0.0, 2.0, 10.0])
    np.testing.assert_array_equal(out, [[1 - 6, -1 - 1.5], [1, -1], [5, 0], [21, 4]])


def test_colour_oklab():
    black_white = keys((0, (0.0, 0.0, 0.0, 1.0)), (1, (1.0, 1.0, 1.0, 0.0)))
    red_blue = keys((0, (1.0, 0.0, 0.0, 1.0)), (2, (0.0, 0.0, 1.0, 1.0)), after="continue")
    packed = pack_tracks([black_white, red_blue], colour=[True, True])
    out = sample_tracks(packed, [0.0, 0.5, 1.0, 2.0, 4.0])
    bw, rb = out[:, packed.columns[0]], out[:, packed.columns[1]]
    assert bw[0].tolist() == [0, 0, 0, 1] and bw[2].tolist() == [1, 1, 1, 0]  # exact endpoints
    assert rb[0].tolist() == [1, 0, 0, 1] and rb[3].tolist() == [0, 0, 1, 1]
    # midpoint of black -> white is the OKLab midpoint: L = L_white / 2, a = b = 0 -> grey
    l_white = srgb_to_lab([1.0, 1.0, 1.0])[0]
    lin = (l_white / 2) ** 3
    grey = 1.055 * lin ** (1 / 2.4) - 0.055
    np.testing.assert_allclose(bw[1], [grey, grey, grey, 0.5], atol=1e-6)
    assert abs(grey - 0.5) > 0.05 and abs(grey - (0.5 ** (1 / 2.2))) > 0.05  # not sRGB or linear midpoint
    assert np.all((out >= 0) & (out <= 1))  # extrapolated colours are clamped
    np.testing.assert_allclose(rb[2], ref_sample(red_blue, 1.0, colour=True), atol=1e-12)


def _digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def test_determinism_threads_and_order():
    rng = np.random.default_rng(7)
    tracks = [random_track(rng, bool(i % 5 == 0)) for i in range(60)]
    packed = pack_tracks(tracks, [i % 5 == 0 for i in range(60)], [noise_key(3, f"id{i}", "p") for i in range(60)])
    times = rng.uniform(-5, 15, 500)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        h1 = _digest(sample_tracks(packed, times))
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        h2 = _digest(sample_tracks(packed, times))
    finally:
        numba.set_num_threads(before)
    assert h1 == h2
    perm = rng.permutation(len(times))
    shuffled = sample_tracks(packed, times[perm])
    unshuffled = np.empty_like(shuffled)
    unshuffled[perm] = shuffled
    assert _digest(unshuffled) == h1
    # one frame at a time gives the same bytes as the batch
    single = np.vstack([sample_tracks(packed, [t]) for t in times[:50]])
    assert _digest(single) == _digest(sample_tracks(packed, times[:50]))
    # a pickled pack (as sent to worker processes) samples identically
    assert _digest(sample_tracks(pickle.loads(pickle.dumps(packed)), times)) == h1


def test_wiggle_smooth_stateless_and_keyed():
    tr = keys((0, (5.0, 5.0)), wiggle={"amplitude": (1.0, 3.0), "frequency": 2.0, "octaves": 3})
    ka, kb = noise_key(0, "node", "position"), noise_key(1, "node", "position")
    pa, pb = pack_tracks([tr], noise_keys=[ka]), pack_tracks([tr], noise_keys=[kb])
    t = np.linspace(-20, 20, 40001)  # dt = 1e-3
    a1, a2, b = sample_tracks(pa, t), sample_tracks(pa, t), sample_tracks(pb, t)
    assert np.array_equal(a1, a2)
    assert not np.allclose(a1, b)
    w = a1 - 5.0
    assert np.abs(w[:, 0]).max() <= 1.0 and np.abs(w[:, 1]).max() <= 3.0
    assert w[:, 0].std() > 0.1 and w[:, 1].std() > 0.3  # it really moves
    assert np.abs(np.diff(w[:, 0])).max() < 0.05  # smooth: small change over 1 ms
    assert np.abs(np.diff(w[:, 1])).max() < 0.15
    assert np.abs(np.diff(w[:, 0], 2)).max() < 1e-3  # and no kinks
    assert not np.allclose(w[:, 0] / 1.0, w[:, 1] / 3.0)  # dimensions are independent
    # noise keys are stable (blake2b), distinct per field, and never Python's hash()
    assert noise_key(0, "node", "position") == ka == noise_key(0, "node", "position")
    assert len({noise_key(0, "a", "x"), noise_key(0, "a", "y"), noise_key(0, "b", "x"), noise_key(1, "a", "x")}) == 4
    assert 0 <= ka < 2 ** 64
    assert noise_key(0, "node", "position") == 0x0 + int.from_bytes(
        hashlib.blake2b(b"symbolreel.noise\x000\x00node\x00position", digest_size=8).digest(), "little")


def test_dsl_helpers():
    tr = keys((0, 0), (1.0, 100, "ease-out"), (2, [1]), after="loop", speed=2)
    assert tr == Track((Key(0.0, (0.0,)), Key(1.0, (100.0,), "ease-out"), Key(2.0, (1.0,))), "hold", "loop", (2.0,))
    assert stagger(4, 0.5, 0.25) == (0.5, 0.75, 1.0, 1.25)
    assert after(tr) == 2.0 and after(tr, delay=0.5) == 2.5
    sh = shift(tr, 1.5)
    assert [k.t for k in sh.keys] == [1.5, 2.5, 3.5] and sh.after == "loop" and tr.keys[0].t == 0.0
    out = sample_tracks(pack_tracks([tr, sh]), [0.7, 2.2])
    np.testing.assert_allclose(out[1, 1] - 2 * 2.2, out[0, 0] - 2 * 0.7)
    with pytest.raises(ValueError, match="times must increase"):
        keys((0, 1), (0, 2))
    with pytest.raises(ValueError, match="valid eases"):
        keys((0, 1, "bouncy"), (1, 2))
    with pytest.raises(ValueError, match="before must be one of"):
        keys((0, 1), before="mirror")


def test_pack_validation():
    with pytest.raises(ValueError, match="key times must increase"):
        pack_tracks([Track((Key(1.0, (0.0,)), Key(1.0, (1.0,))))])
    with pytest.raises(ValueError, match="colour track needs 3 or 4"):
        pack_tracks([keys((0, (1.0, 2.0)))], colour=[True])
    with pytest.raises(ValueError, match="speed or wiggle"):
        pack_tracks([keys((0, (1.0, 1, 1, 1)), speed=1)], colour=[True])
    with pytest.raises(ValueError, match="finite"):
        sample_tracks(pack_tracks([keys((0, 1))]), [float("nan")])
    empty = pack_tracks([])
    assert empty.width == 0 and sample_tracks(empty, [0.0, 1.0]).shape == (2, 0)


def test_parallel_kernel_equals_serial_kernel():
    # above PARALLEL_MIN_WORK sample_tracks takes the prange kernel (compiled through symbolreel.jit,
    # whose prange stand-in becomes numba.prange): the same bits as the serial kernel
    from symbolreel.animators import sampling

    tracks = [Track((Key(0.0, (0.0,), "ease-in-out"), Key(2.0, (10.0,))), after="loop", wiggle=Wiggle((0.5,), 3.0, 2)),
              Track((Key(0.0, (0.0, 0.0, 0.0, 1.0)), Key(1.0, (1.0, 0.5, 0.2, 1.0))), before="continue")]
    packed = pack_tracks(tracks, colour=[False, True], noise_keys=[1, 2])
    times = np.linspace(-1.0, 5.0, sampling.PARALLEL_MIN_WORK // packed.width + 7)
    assert times.shape[0] * packed.width >= sampling.PARALLEL_MIN_WORK
    fast = sample_tracks(packed, times)
    slow = np.concatenate([sample_tracks(packed, times[i:i + 1000]) for i in range(0, times.shape[0], 1000)])
    assert np.array_equal(fast, slow)
    assert isinstance(sampling._sample_kernel, numba.core.registry.CPUDispatcher)
