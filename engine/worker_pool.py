"""Worker processes kept alive between calls: a pool is started once per process and worker count,
and every later ``workers=N`` call reuses it (measured on 2 cores: starting workers, their copy-on-write
faults after the fork and the first touches of the shared frame ring cost about as much as drawing a
300-frame 854x480 clip).

The parent talks to each worker over its own pipe and runs no thread of its own, so later pools and
``StillWriter`` workers can still be forked. Every message gets one reply, in order:

- ``("session", blob, job)``: the scene (pickled once per call by the parent) and what to do with each
  frame; workers keep the compiled sessions of their last two scenes, so a scene drawn again is not
  compiled again.
- ``("ring", name, nbytes)``: map the shared frame ring; the parent unlinks its name once every
  worker has mapped it, so a killed run leaves nothing in ``/dev/shm``.
- ``("frames", indices, shape, slot0)`` and ``("segment", indices, path)``: the work units of
  :mod:`symbolreel.parallel`; the reply is the frames' records.
- ``("call", function, args)``: any module-level function, e.g. a batch of stills
  (:class:`symbolreel.StillWriter`); the reply is its result.

A call that ends in any other way than finishing its work (an error, an interrupt, a consumer that
stops early) terminates the pool's workers: a worker may still be drawing into the frame ring. A pool
that sat idle for :data:`IDLE_S` is replaced: its workers exit on their own by then, and a process that
rendered once holds no workers for long.
"""
from __future__ import annotations

import atexit
import contextlib
import mmap
import os
import pickle
import secrets
import signal
import threading
import time
import traceback
import weakref
from collections import OrderedDict, deque
from multiprocessing import shared_memory

import numpy as np

from .errors import RenderError
from .lifecycle import exit_with_parent
from .session import FrameWork, Session
from .sinks import Mp4Writer, write_png

IDLE_S = 60.0                # a worker with no message for this long exits
REUSE_WITHIN_S = IDLE_S - 15.0  # the parent reuses a pool only well before its workers time out
RING_KEEP_BYTES = 256 << 20  # a frame ring larger than this is released at the end of its call
SHM_PREFIX = "symbolreel-"

# ------------------------------------------------------------------------------------------ worker


def _worker_main(conn, owner: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)   # the parent ends workers with SIGTERM: nothing to clean
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C reaches the whole group; the parent decides
    exit_with_parent(owner=owner)  # no orphans drawing on after the run that started them is killed
    state = _WorkerState()
    while True:
        try:
            if not conn.poll(IDLE_S):
                return
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        try:
            reply = ("ok", state.handle(msg))
        except BaseException as exc:  # sent back and raised in the parent
            reply = ("error", _portable(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


class _WorkerState:
    def __init__(self):
        self.sessions: OrderedDict = OrderedDict()   # scene blob -> Session
        self.session = self.work = self.job = None
        self.ring = None

    def handle(self, msg):
        kind = msg[0]
        if kind == "session":
            self._use(msg[1], msg[2])
        elif kind == "ring":
            self.ring = None                           # drop the previous ring's mapping first
            self.ring = map_shared(msg[1], msg[2])
        elif kind == "frames":
            return self._frames(*msg[1:])
        elif kind == "segment":
            return self._segment(*msg[1:])
        elif kind == "call":                           # a module-level function (pickled by name) and its args
            return msg[1](*msg[2])
        else:
            raise RenderError(f"worker: unknown message {kind!r}")
        return None

    def _use(self, blob: bytes, job) -> None:
        session = self.sessions.pop(blob, None)
        if session is None:
            scene, base_dir, backend, limits = pickle.loads(blob)
            session = Session(scene, base_dir, backend, limits)
        self.sessions[blob] = session
        while len(self.sessions) > 2:
            self.sessions.popitem(last=False)
        session.mask_kinds = frozenset()              # a reused session: only this job's masks
        self.session, self.job = session, job
        self.work = FrameWork(session, job)

    def _frames(self, indices, shape=None, slot0=0):
        """Render ``indices`` into ring slots ``slot0...`` or to the job's PNG pattern; return records."""
        ring = None if shape is None else np.ndarray(shape, np.uint8, self.ring)[slot0:]
        job, out = self.job, []
        for i, arr, ann in self.session.iter_render(indices, job.needs_annotations, into=ring):
            if job.png is not None:
                write_png(job.png % i, arr, job.compress_level)
            out.append(self.work.finish(i, ann))
        return out

    def _segment(self, indices, path):
        """Render ``indices`` and encode them as one video segment at ``path``; return records."""
        out = []
        with Mp4Writer(path, **self.job.video) as mp4:
            for i, arr, ann in self.session.iter_render(indices, self.job.needs_annotations):
                mp4.write(arr)
                out.append(self.work.finish(i, ann))
        return out


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RenderError with its text; an exception that is not one
    of symbolreel's own clear errors carries the worker's traceback as a note."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RenderError(f"a worker process failed: {tb.strip().splitlines()[-1]}\n{tb}")
    if hasattr(exc, "add_note") and not type(exc).__module__.startswith("symbolreel"):
        exc.add_note("in a worker process:\n" + tb)
    return exc


def map_shared(name: str, nbytes: int):
    """A mapping of shared-memory segment ``name`` that stays valid after the name is unlinked and is
    unmapped when the last view of it is gone (``SharedMemory.close`` fails while views exist)."""
    path = os.path.join("/dev/shm", name.lstrip("/"))
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as exc:  # pragma: no cover - POSIX shared memory lives in /dev/shm on Linux
        raise RenderError(f"shared memory {name!r} is not reachable in /dev/shm ({exc}): workers need it") from None
    try:
        return mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------ parent


class WorkerPool:
    """``n`` worker processes, each on its own pipe (see the module docstring)."""

    def __init__(self, n: int, ctx):
        self.pid = os.getpid()
        self.n = n
        self.conns, self.procs = [], []
        self.outstanding = [0] * n
        self.busy = False
        self.last_used = time.monotonic()
        self._ring = None            # (mapping, nbytes) shared with every worker
        self._views = None           # weakref to the last call's array over the ring (copy=False views)
        try:
            for _ in range(n):
                mine, theirs = ctx.Pipe(duplex=True)
                p = ctx.Process(target=_worker_main, args=(theirs, self.pid), daemon=True,
                                name="symbolreel-worker")
                p.start()
                theirs.close()
                self.conns.append(mine)
                self.procs.append(p)
        except BaseException:
            self.close()
            raise

    def usable(self, n: int) -> bool:
        return (self.n == n and self.pid == os.getpid() and not self.busy
                and time.monotonic() - self.last_used < REUSE_WITHIN_S and all(p.is_alive() for p in self.procs))

    def broadcast(self, msg) -> None:
        """Send ``msg`` to every worker and wait for all replies (they run in parallel)."""
        for k in range(self.n):
            self._send(k, msg)
        for k in range(self.n):
            self.result(k)

    def ring(self, nbytes: int):
        """A buffer of at least ``nbytes`` mapped here and in every worker. Reused across calls unless a
        view of it handed out by an earlier call is still alive (a new ring is made then, so that view
        keeps its pixels)."""
        if self._ring is not None and self._ring[1] >= nbytes and (self._views is None or self._views() is None):
            return self._ring[0]
        self._ring = None
        shm = shared_memory.SharedMemory(create=True, size=nbytes,
                                         name=f"{SHM_PREFIX}{os.getpid()}-{secrets.token_hex(6)}")
        try:
            buf = map_shared(shm.name, nbytes)
            self.broadcast(("ring", shm.name, nbytes))
        finally:
            shm.close()
            shm.unlink()   # every worker has mapped it: nothing is left behind if this process is killed
        self._ring = (buf, nbytes)
        return buf

    def hold(self, array: np.ndarray) -> None:
        """``array`` over the ring is handed to the caller as views: the next call must not draw into it
        while any of them is alive."""
        self._views = weakref.ref(array)

    def end_call(self) -> None:
        self.busy = False
        self.last_used = time.monotonic()
        if self._ring is not None and self._ring[1] > RING_KEEP_BYTES:
            self._ring = None

    def ordered(self, tasks, in_flight: int):
        """Send task messages keeping ``in_flight`` outstanding; yield their replies in task order.

        The next task is sent only when the caller asks for the next reply, i.e. after it has used this
        one: frame tasks reuse an earlier task's ring slots, and a worker must not draw into them while
        the caller still reads the frames."""
        pending: deque = deque()
        it = iter(tasks)
        for msg in it:
            pending.append(self.submit(msg))
            if len(pending) >= in_flight:
                break
        while pending:
            yield self.result(pending.popleft())
            nxt = next(it, None)
            if nxt is not None:
                pending.append(self.submit(nxt))

    def submit(self, msg) -> int:
        """Send ``msg`` to the worker with the fewest outstanding tasks; returns it for :meth:`result`."""
        k = min(range(self.n), key=self.outstanding.__getitem__)
        self._send(k, msg)
        return k

    def _send(self, k: int, msg) -> None:
        try:
            self.conns[k].send(msg)
        except (EOFError, OSError):
            raise self._died() from None
        self.outstanding[k] += 1

    def result(self, k: int):
        """The reply to the oldest outstanding task sent to worker ``k`` (raises the worker's error)."""
        conn = self.conns[k]
        try:
            while not conn.poll(0.5):   # a worker killed mid-task never answers: look for it
                if not self.procs[k].is_alive():
                    raise EOFError
            kind, value = conn.recv()
        except (EOFError, OSError):
            raise self._died() from None
        self.outstanding[k] -= 1
        if kind == "error":
            raise value
        return value

    def _died(self) -> RenderError:
        codes = [p.exitcode for p in self.procs if p.exitcode is not None]
        return RenderError(f"a worker process died while rendering (exit code {codes[0] if codes else '?'}); "
                           "out of memory or killed?")

    def close(self) -> None:
        """Terminate every worker (they may be mid-task) and wait for them."""
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.close()
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(5)
        self._ring = self._views = None
        self.procs, self.conns = [], []


_cached: WorkerPool | None = None
_lock = threading.Lock()


@contextlib.contextmanager
def acquire(n: int, ctx_factory):
    """A pool of ``n`` workers for one call: the cached one when it is usable, else a new one (cached
    unless another call holds the cached one). Kept after a call that finished, terminated otherwise."""
    global _cached
    with _lock:   # two threads must not pick the same idle pool
        pool = _cached if _cached is not None and _cached.usable(n) else None
        if pool is None:
            if _cached is not None and not _cached.busy:
                shutdown()
            pool = WorkerPool(n, ctx_factory())
            if _cached is None:
                _cached = pool
        pool.busy = True
    ok = False
    try:
        yield pool
        ok = True
    finally:
        if ok and pool is _cached:
            pool.end_call()
        else:
            pool.close()
            if pool is _cached:
                _cached = None


def shutdown() -> None:
    """Terminate the cached pool's workers now (they also exit on their own after :data:`IDLE_S`)."""
    global _cached
    pool, _cached = _cached, None
    if pool is not None and pool.pid == os.getpid():
        pool.close()


def ready(n: int) -> bool:
    """Whether a call for ``n`` workers would find them running (no start to pay)."""
    return _cached is not None and _cached.usable(n)


def cached_workers() -> int:
    """Workers of the cached pool that are alive (0 when there is none)."""
    if _cached is None or _cached.pid != os.getpid():
        return 0
    return sum(p.is_alive() for p in _cached.procs)


def _forget_in_child() -> None:
    global _cached, _lock
    _cached = None   # a forked child does not own its parent's workers
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)
atexit.register(shutdown)
