"""``iter_frames(copy=False)`` (read-only views of the buffer or shared-memory slot the frame was drawn
into) and ``workers="auto"`` (time the first frames here, start workers only for heavy jobs): the
same pixels and annotations as plain serial frames, nothing left behind."""
from __future__ import annotations

import hashlib
import math
import multiprocessing as mp
import os

import numpy as np
import pytest

import symbolreel as sr
from symbolreel import parallel, worker_pool


def _sha(a) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _clip(n: int = 36) -> sr.Scene:
    d = n / 10.0
    return sr.Scene(canvas=sr.Canvas(width=80, height=48, fps=10.0, frames=n, background="#FFF8E7"), nodes=[
        sr.Rect(size=(40, 24), fill="#E9C46A", transform=sr.Transform(position=(40, 24), rotation=sr.keys((0, 0),
                                                                                                          (d, 90)))),
        sr.Text(text="Ag", size=16, fill="#1D3557", transform=sr.Transform(position=sr.keys((0, (16, 16)),
                                                                                           (d, (64, 32))))),
    ])


def _shm_names() -> set:
    try:
        return {n for n in os.listdir("/dev/shm") if n.startswith(parallel.SHM_PREFIX)}
    except FileNotFoundError:
        return set()


REF = None


def _ref():
    global REF
    if REF is None:
        REF = [(i, _sha(a), ann) for i, a, ann in sr.iter_frames(_clip(), annotations=True)]
    return REF


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_views_have_the_same_pixels_for_any_worker_count_and_are_read_only(workers):
    before = _shm_names()
    got = []
    last = None
    for i, arr, ann in sr.iter_frames(_clip(), workers=workers, chunk=4, annotations=True, copy=False):
        assert isinstance(arr, np.ndarray) and arr.shape == (48, 80, 4) and arr.dtype == np.uint8
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0, 0, 0] = 1
        got.append((i, _sha(arr), ann))        # used before the next frame is asked for
        last = arr
    assert got == _ref()
    assert _sha(last) == _ref()[-1][1]          # the last view outlives the iteration, still readable
    assert _shm_names() == before               # the segment's name is gone even while a view is held
    del last


def test_copies_are_writable_and_independent():
    frames = list(sr.frames(_clip(), workers=2, chunk=4))
    assert all(a.flags.writeable for a in frames)
    assert [_sha(a) for a in frames] == [h for _, h, _ in _ref()]
    frames[0][:] = 0                            # a copy: changing it changes no other frame
    assert [_sha(a) for a in frames[1:]] == [h for _, h, _ in _ref()[1:]]


def test_worth_workers_weighs_the_pool_start_against_the_work():
    boot, fork, warm = parallel.POOL_BOOT_S, parallel.POOL_FORK_S, parallel.POOL_WARM_S
    # ~1 ms frames, 300 of them: not worth booting a fork server for; worth it on workers already running
    assert not parallel.worth_workers(0.001, 300, 2, boot)
    assert parallel.worth_workers(0.001, 300, 2, warm)
    # 0.5 ms frames (the bench clip): 300 of them pay for kept workers only, 3,000 for a fork too
    assert parallel.worth_workers(0.0005, 300, 2, warm)
    assert not parallel.worth_workers(0.0005, 300, 2, fork)
    assert parallel.worth_workers(0.0005, 3000, 2, fork)
    # 50 ms frames: two workers halve the drawing, whatever the start
    assert parallel.worth_workers(0.05, 300, 2, boot)
    # never with one worker or nothing left; not when the parent's own per-frame work is the bottleneck
    assert not parallel.worth_workers(0.05, 300, 1, warm)
    assert not parallel.worth_workers(0.05, 0, 2, warm)
    assert not parallel.worth_workers(parallel.PARENT_FRAME_S, 10_000, 8, warm)
    assert parallel.worth_workers(0.004, 10_000, 8, boot)
    # a frame 1.1x the parent's cost: the parent, not the workers, sets the pace, and that is not 1.15x faster
    assert not parallel.worth_workers(1.1 * parallel.PARENT_FRAME_S, 100_000, 2, warm)


def test_auto_starts_a_pool_once_the_gains_given_up_pay_for_it(monkeypatch):
    monkeypatch.setattr(parallel, "_missed", 0.0)
    fork = parallel.POOL_FORK_S
    # 300 frames of 0.5 ms: each call alone does not pay for a fork, but would gain `saving` on kept
    # workers; the call at which the gains given up reach the start starts the pool, then the count
    # starts again (here no pool really starts, so the pattern repeats)
    warm = parallel.POOL_WARM_S + 300 * max(0.0005 / (2 * parallel.WORKER_EFFICIENCY), parallel.PARENT_FRAME_S)
    saving = 300 * 0.0005 - warm
    assert 0 < saving < fork
    first = math.ceil(fork / saving) - 1
    answers = [parallel.worth_starting(0.0005, 300, 2, fork) for _ in range(2 * (first + 1))]
    assert first >= 1 and answers == ([False] * first + [True]) * 2
    # light frames that no pool would speed up never start one, however many calls
    monkeypatch.setattr(parallel, "_missed", 0.0)
    assert not any(parallel.worth_starting(parallel.PARENT_FRAME_S, 300, 2, fork) for _ in range(50))
    # a call that pays for the start by itself needs no history; kept workers need no start
    monkeypatch.setattr(parallel, "_missed", 0.0)
    assert parallel.worth_starting(0.0005, 3000, 2, fork) and parallel._missed == 0.0
    assert parallel.worth_starting(0.0005, 300, 2, parallel.POOL_WARM_S)


def test_pool_start_is_cheap_once_workers_are_kept():
    worker_pool.shutdown()
    cold = parallel.pool_start_s(2)
    forks = parallel.context().get_start_method() == "fork"
    assert cold == (parallel.POOL_FORK_S if forks or worker_pool.server_running() else parallel.POOL_BOOT_S)
    assert len(list(sr.frames(_clip(), workers=2, chunk=4))) == 36     # starts two workers, kept after the call
    assert parallel.pool_start_s(2) == parallel.POOL_WARM_S
    assert parallel.pool_start_s(3) != parallel.POOL_WARM_S          # a different count starts its own


def test_auto_keeps_a_light_clip_in_this_process(monkeypatch):
    worker_pool.shutdown()                                  # workers kept by an earlier test
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "AUTO_MIN_WORK", 1)       # past the size check: the timing decides
    seen = []
    monkeypatch.setattr(parallel, "worth_starting", lambda *a, **k: seen.append(a) or False)
    got = [(i, _sha(a), ann) for i, a, ann in sr.iter_frames(_clip(), workers="auto", annotations=True)]
    assert got == _ref()
    assert len(seen) == 1 and seen[0][1] == 36 - parallel.AUTO_PROBE_FRAMES and seen[0][0] > 0
    assert not mp.active_children()


@pytest.mark.parametrize("copy", [True, False])
def test_auto_hands_the_rest_to_workers_with_the_same_frames(monkeypatch, copy):
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "AUTO_MIN_WORK", 1)
    monkeypatch.setattr(parallel, "worth_starting", lambda *a, **k: True)
    started = []
    real = parallel.pooled_frames
    monkeypatch.setattr(parallel, "pooled_frames", lambda *a, **k: started.append(a[2]) or real(*a, **k))
    got = [(i, _sha(a), ann) for i, a, ann in sr.iter_frames(_clip(), workers="auto", chunk=4, annotations=True,
                                                             copy=copy)]
    assert got == _ref()
    assert started == [list(range(parallel.AUTO_PROBE_FRAMES, 36))]   # the probe frames were drawn here
