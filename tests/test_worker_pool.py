"""Worker processes kept between calls (symbolreel.worker_pool): a second call reuses the workers, a
different scene draws its own pixels, a frame handed out earlier keeps its pixels (frames are handed
out of their shared slots without a copy; a held slot gets new memory, a dropped one is reused, a
forked child's frames are never drawn over), and any call that does not finish (interrupted,
failed, a worker killed) leaves no worker behind and the next call works. Real processes, real
shared memory."""
from __future__ import annotations

import hashlib
import mmap
import os
import signal

import numpy as np
import pytest

import symbolreel as sr
from symbolreel import worker_pool

from processes import alive as _alive
from processes import wait_for


def _sha(a) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _clip(text: str = "Ag", n: int = 24, width: int = 80) -> sr.Scene:
    d = n / 10.0
    return sr.Scene(canvas=sr.Canvas(width=width, height=48, fps=10.0, frames=n, background="#FFF8E7"), nodes=[
        sr.Rect(size=(40, 24), fill="#E9C46A",
                transform=sr.Transform(position=(40, 24), rotation=sr.keys((0, 0), (d, 90)))),
        sr.Text(text=text, size=16, fill="#1D3557",
                transform=sr.Transform(position=sr.keys((0, (16, 16)), (d, (64, 32))))),
    ])


def _serial(scene) -> list:
    return [_sha(a) for a in sr.frames(scene)]


def _pids() -> list:
    pool = worker_pool._cached
    return [] if pool is None else [p.pid for p in pool.procs]


@pytest.fixture(autouse=True)
def fresh_pool():
    worker_pool.shutdown()
    yield
    worker_pool.shutdown()


def test_second_call_reuses_the_workers_and_draws_its_own_scene():
    a, b = _clip("Ag"), _clip("Zx符", width=96)      # another scene and another frame size
    assert [_sha(f) for f in sr.frames(a, workers=2, chunk=4)] == _serial(a)
    first = _pids()
    assert len(first) == 2 and worker_pool.cached_workers() == 2
    assert [_sha(f) for f in sr.frames(b, workers=2, chunk=4)] == _serial(b)
    assert [_sha(f) for f in sr.frames(a, workers=2, chunk=4)] == _serial(a)
    assert _pids() == first                           # no new process for either call
    sr.frames(a, workers=3, chunk=4)                  # a generator not started: nothing happens
    assert [_sha(f) for f in sr.frames(a, workers=3, chunk=4)] == _serial(a)
    assert len(_pids()) == 3 and not set(_pids()) & set(first)
    assert not [p for p in first if _alive(p)]        # the two-worker pool was shut down


def test_a_view_from_an_earlier_call_keeps_its_pixels():
    a, b = _clip("Ag"), _clip("Qq")
    views = list(fr for _, fr, _ in sr.iter_frames(a, workers=2, chunk=4, copy=False))
    last = views[-1]
    del views
    assert _sha(last) == _serial(a)[-1]
    assert [_sha(f) for f in sr.frames(b, workers=2, chunk=4)] == _serial(b)
    assert _sha(last) == _serial(a)[-1]               # its slot got new memory before the next call drew


def _slot_mappings(pid: int) -> int:
    with open(f"/proc/{pid}/maps") as fh:
        return sum(worker_pool.SHM_PREFIX + "frame" in line for line in fh)


def test_frames_are_handed_out_of_their_slots_and_dropped_slots_are_reused():
    scene = _clip("Ag", n=48)
    ref = _serial(scene)
    got = []
    for arr in sr.frames(scene, workers=2, chunk=4):      # the loop variable holds only the last frame
        assert isinstance(arr.base, mmap.mmap) and arr.flags.writeable   # the slot itself, no copy
        got.append(_sha(arr))
    assert got == ref
    slots = worker_pool._cached._slots
    assert slots.n == 5 * 4 and slots.renewed == 0        # 48 frames through 20 slots, none renewed


def test_slots_without_memfd_use_unlinked_files(monkeypatch):
    monkeypatch.delattr(os, "memfd_create")           # systems without memfd (macOS)
    scene = _clip("Ag", n=30)
    assert [_sha(f) for f in sr.frames(scene, workers=2, chunk=4)] == _serial(scene)
    assert worker_pool._cached._slots.n == 20 and _slot_mappings(os.getpid()) == 0   # no memfd was made


def test_held_frames_keep_their_pixels_and_workers_map_only_current_slots():
    a, b = _clip("Ag", n=48), _clip("Qq", n=48)
    held = list(sr.frames(a, workers=2, chunk=4))         # every frame kept: held slots get new memory,
    views = [isinstance(f.base, mmap.mmap) for f in held]  # and once a whole round was kept, copies
    assert views[:24] == [True] * 24 and not any(views[28:]) and worker_pool._cached._slots.renewed >= 20
    assert all(f.flags.writeable for f in held)
    held[0][:] = 0                                        # writable, and only that frame changes
    for _ in sr.frames(b, workers=2, chunk=4):
        pass
    assert [_sha(f) for f in held[1:]] == _serial(a)[1:]
    # a worker unmaps a slot's old segment with its next task: never more mappings than slots
    assert all(_slot_mappings(pid) <= 20 for pid in _pids())
    del held


def test_frames_inherited_by_a_forked_child_are_not_drawn_over():
    a, b = _clip("Ag", n=24), _clip("Qq", n=24)
    kept = list(sr.frames(a, workers=2, chunk=4))
    want = [_sha(f) for f in kept]
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:   # pragma: no cover - the child reports through its exit code
        os.close(go_w)
        os.read(go_r, 1)                                  # the parent has dropped its frames and drawn again
        os._exit(0 if [_sha(f) for f in kept] == want else 1)
    os.close(go_r)
    del kept                                              # the parent lets go; the child still reads them
    for _ in sr.frames(b, workers=2, chunk=4):
        pass
    os.write(go_w, b"x")
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_interrupted_call_ends_its_workers_and_the_next_call_starts_new_ones():
    scene = _clip(n=200)
    it = sr.iter_frames(scene, workers=2, chunk=4)
    next(it)
    pids = _pids()
    it.close()
    assert worker_pool.cached_workers() == 0
    assert wait_for(lambda: not [p for p in pids if _alive(p)], 20)
    assert [_sha(f) for f in sr.frames(_clip(), workers=2, chunk=4)] == _serial(_clip())


def test_killed_worker_between_calls_is_replaced():
    scene = _clip()
    list(sr.frames(scene, workers=2, chunk=4))
    victim = _pids()[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: worker_pool.cached_workers() == 1, 20)
    assert [_sha(f) for f in sr.frames(scene, workers=2, chunk=4)] == _serial(scene)
    assert victim not in _pids() and worker_pool.cached_workers() == 2


def test_worker_killed_mid_call_is_a_clear_error():
    scene = _clip(n=400, width=640)
    it = sr.iter_frames(scene, workers=2, chunk=4)
    next(it)
    os.kill(_pids()[1], signal.SIGKILL)
    with pytest.raises(sr.RenderError, match="worker process died"):
        for _ in it:
            pass
    assert worker_pool.cached_workers() == 0
    assert [_sha(f) for f in sr.frames(_clip(), workers=2, chunk=4)] == _serial(_clip())


def test_idle_pool_is_not_reused(monkeypatch):
    scene = _clip()
    list(sr.frames(scene, workers=2, chunk=4))
    first = _pids()
    monkeypatch.setattr(worker_pool, "REUSE_WITHIN_S", 0.0)   # as if it had sat idle past the limit
    assert [_sha(f) for f in sr.frames(scene, workers=2, chunk=4)] == _serial(scene)
    assert not set(_pids()) & set(first)


def test_forked_child_does_not_use_its_parents_workers():
    list(sr.frames(_clip(), workers=2, chunk=4))
    pid = os.fork()
    if pid == 0:   # pragma: no cover - the child reports through its exit code
        os._exit(0 if worker_pool._cached is None and worker_pool.cached_workers() == 0 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert worker_pool.cached_workers() == 2




def test_two_threads_at_once_each_get_workers_of_their_own():
    import threading

    scenes = [_clip("Ab"), _clip("Cd", width=96)]
    want = [_serial(s) for s in scenes]
    got = [None, None]

    def run(k):
        got[k] = [_sha(f) for f in sr.frames(scenes[k], workers=2, chunk=2)]
    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert got == want
    assert worker_pool.cached_workers() == 2          # one pool kept, the other call's pool ended


def _still(word: str) -> sr.Scene:
    return sr.Scene(canvas=sr.Canvas(width=64, height=32),
                    nodes=[sr.Text(text=word, size=14, fill="black", transform=sr.Transform(position=(32, 16)))])


def test_stills_in_kept_workers_same_bytes_and_a_failed_batch_ends_them(tmp_path):
    words = [f"w{i:02d}" for i in range(40)]
    with sr.StillWriter() as w:                                    # threads, in this process
        for i, word in enumerate(words):
            w.render(_still(word), tmp_path / "ref" / f"{i:02d}.png")
    assert sr.render_stills((_still(w) for w in words), str(tmp_path / "a" / "%02d.png"), workers=2) == 40
    first = _pids()
    assert sr.render_stills((_still(w) for w in words), str(tmp_path / "b" / "%02d.png"), workers=2) == 40
    assert _pids() == first and len(first) == 2                  # the second call started no process
    ref = sorted((p.name, p.read_bytes()) for p in (tmp_path / "ref").iterdir())
    for d in ("a", "b"):
        assert sorted((p.name, p.read_bytes()) for p in (tmp_path / d).glob("*.png")) == ref
    (tmp_path / "blocked").write_text("a file where a folder should be")
    with pytest.raises(OSError):
        sr.render_stills((_still(w) for w in words), [tmp_path / "blocked" / f"{i}.png" for i in range(40)],
                         workers=2)
    assert worker_pool.cached_workers() == 0                     # the failed call's workers ended
    assert sr.render_stills((_still(w) for w in words[:5]), str(tmp_path / "c" / "%02d.png"), workers=2) == 5
