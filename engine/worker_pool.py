"""Worker processes kept alive between calls: a pool is started once per process and worker count,
and every later ``workers=N`` call reuses it (measured on 2 cores: starting workers, their copy-on-write
faults after the fork and the first touches of the shared frame ring cost about as much as drawing a
300-frame 854x480 clip).

The parent talks to each worker over its own pipe and runs no thread of its own, so later pools and
``StillWriter`` workers can still be forked. Every message gets one reply, in order:

- ``("session", blob, job)``: the scene (pickled once per call by the parent) and what to do with each
  frame; workers keep the compiled sessions of their last two scenes, so a scene drawn again is not
  compiled again.
- ``("frames", indices, shape, slot0, new, drop)``: draw ``indices`` into frame slots ``slot0...`` (see
  :class:`FrameSlots`); the file descriptors of the ``new`` slots (anonymous memfd segments) follow
  the message on the pipe, ``drop`` lists stale slots to unmap. ``("frames", indices)`` writes the
  job's PNGs instead, and ``("segment", indices, path)`` encodes a video segment. The reply is the
  frames' records. ``("unslot",)`` unmaps every slot.
- ``("call", function, args)``: any module-level function, e.g. a batch of stills
  (:class:`symbolreel.StillWriter`); the reply is its result.

A call that ends in any other way than finishing its work (an error, an interrupt, a consumer that
stops early) terminates the pool's workers: a worker may still be drawing into a frame slot. A pool
that sat idle for :data:`IDLE_S` is replaced: its workers exit on their own by then, and a process that
rendered once holds no workers for long.
"""
from __future__ import annotations

import atexit
import contextlib
import mmap
import os
import pickle
import signal
import tempfile
import threading
import time
import traceback
import weakref
from collections import OrderedDict, deque
from multiprocessing import reduction

import numpy as np

from .errors import RenderError
from .lifecycle import exit_with_parent
from .session import FrameWork, Session
from .sinks import Mp4Writer, write_png

IDLE_S = 60.0                # a worker with no message for this long exits
REUSE_WITHIN_S = IDLE_S - 15.0  # the parent reuses a pool only well before its workers time out
SLOTS_KEEP_BYTES = 256 << 20  # frame slots larger than this in all are released at the end of their call
SHM_PREFIX = "symbolreel-"      # names of the memfd segments of frame slots (never in /dev/shm)

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
            # the descriptors of new frame slots follow their message on the pipe
            fds = [reduction.recv_handle(conn) for _ in msg[4]] if msg[0] == "frames" and len(msg) > 4 else ()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", state.handle(msg, fds))
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
        self.slots: dict = {}                          # slot -> mapping of its current segment

    def handle(self, msg, fds=()):
        kind = msg[0]
        if kind == "session":
            self._use(msg[1], msg[2])
        elif kind == "unslot":
            self.slots.clear()
        elif kind == "frames":
            return self._frames(*msg[1:], fds=fds)
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

    def _frames(self, indices, shape=None, slot0=0, new=(), drop=(), fds=()):
        """Render ``indices`` into frame slots ``slot0...`` (mapping the ``new`` ones from ``fds``,
        unmapping ``drop``) or to the job's PNG pattern; return records."""
        into = None
        if shape is not None:
            for k in drop:
                self.slots.pop(k, None)
            nbytes = int(np.prod(shape))
            for k, fd in zip(new, fds):
                try:
                    self.slots[k] = mmap.mmap(fd, nbytes)
                finally:
                    os.close(fd)
            into = [np.ndarray(shape, np.uint8, self.slots[slot0 + j]) for j in range(len(indices))]
        job, out = self.job, []
        for i, arr, ann in self.session.iter_render(indices, job.needs_annotations, into=into):
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


# ------------------------------------------------------------------------------------------ parent


class _Held:
    """Stands for the frame of a slot handed out before a fork: the child may still read it."""

    def __call__(self):
        return self


def _anonymous_file() -> int:
    """A file descriptor of a new file that has no name: a memfd segment where the system has them
    (Linux), else an unlinked temporary file (page-cache backed all the same)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create(SHM_PREFIX + "frame", os.MFD_CLOEXEC)
    with tempfile.TemporaryFile(prefix=SHM_PREFIX) as fh:
        return os.dup(fh.fileno())


class FrameSlots:
    """Frame-sized shared segments the workers draw into, handed to the caller as the frames
    themselves (nothing is copied).

    Each slot is an anonymous memfd segment, or an unlinked temporary file without memfd (no name
    anywhere, so nothing outlives the processes), mapped here and, on demand, in each worker: a worker gets a slot's descriptor with
    the first task that draws into that version of it. A slot is drawn into again only when the
    array handed out of it is gone (a weak reference tells); while the caller still holds it, the
    slot gets a new segment and the old one stays the caller's. Before a fork every handed-out slot
    counts as held, so a child's inherited frames are never drawn over."""

    def __init__(self, n: int, shape: tuple, workers: int):
        self.n, self.shape = n, tuple(shape)
        self.nbytes = int(np.prod(shape))
        self.fds: list = [None] * n
        self.maps: list = [None] * n
        self.version = [0] * n
        self.given: list = [None] * n             # weakref to the array last handed out of each slot
        self.seen = [[0] * n for _ in range(workers)]   # slot version each worker has mapped (0: none)
        self.renewed = 0                          # slots given a new segment because they were held

    def claim(self, k: int) -> None:
        """Make slot ``k`` free to draw into: a new segment unless its current one is free."""
        ref = self.given[k]
        if self.maps[k] is not None and (ref is None or ref() is None):
            return
        if self.maps[k] is not None:
            self.renewed += 1
        fd = _anonymous_file()
        try:
            os.ftruncate(fd, self.nbytes)
            mapping = mmap.mmap(fd, self.nbytes)
        except BaseException:
            os.close(fd)
            raise
        if self.fds[k] is not None:
            os.close(self.fds[k])   # the old segment lives on in the caller's frame (and stale mappings)
        self.fds[k], self.maps[k], self.given[k] = fd, mapping, None
        self.version[k] += 1

    def message(self, w: int, indices, slot0: int):
        """The ``frames`` message for worker ``w`` drawing ``indices`` into slots ``slot0...``, and the
        descriptors to send after it."""
        mine = range(slot0, slot0 + len(indices))
        for k in mine:
            self.claim(k)
        seen = self.seen[w]
        new = tuple(k for k in mine if seen[k] != self.version[k])
        drop = tuple(k for k in range(self.n) if k not in mine and seen[k] not in (0, self.version[k]))
        for k in new:
            seen[k] = self.version[k]
        for k in drop:
            seen[k] = 0
        return ("frames", list(indices), self.shape, slot0, new, drop), [self.fds[k] for k in new]

    def frame(self, k: int, writable: bool, detach: bool = False) -> np.ndarray:
        """The frame in slot ``k`` as an array over its segment (the caller's from now on), or with
        ``detach`` a copy of it (the slot stays free: for a caller that keeps every frame, a copy
        costs less than a new segment, and the process's mappings stay few)."""
        arr = np.ndarray(self.shape, np.uint8, self.maps[k])
        if detach:
            arr = arr.copy()
        else:
            self.given[k] = weakref.ref(arr)
        if not writable:
            arr.flags.writeable = False
        return arr

    def retire(self) -> None:
        for k, ref in enumerate(self.given):
            if ref is not None:
                self.given[k] = _Held()

    def close(self) -> None:
        for fd in self.fds:
            if fd is not None:
                os.close(fd)
        self.fds = [None] * self.n
        self.maps = [None] * self.n


class SlotTask:
    """A ``frames`` task for :meth:`WorkerPool.submit` whose message depends on the worker it goes to."""

    __slots__ = ("indices", "slot0")

    def __init__(self, indices, slot0: int):
        self.indices, self.slot0 = indices, slot0


class WorkerPool:
    """``n`` worker processes, each on its own pipe (see the module docstring)."""

    def __init__(self, n: int, ctx):
        self.pid = os.getpid()
        self.n = n
        self.conns, self.procs = [], []
        self.outstanding = [0] * n
        self.busy = False
        self.last_used = time.monotonic()
        self._slots: FrameSlots | None = None   # frame slots shared with the workers, kept between calls
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
        if ctx.get_start_method() == "forkserver":
            global _server_pid
            _server_pid = self.pid   # the server lives as long as this process: later pools start quickly

    def usable(self, n: int) -> bool:
        return (self.n == n and self.pid == os.getpid() and not self.busy
                and time.monotonic() - self.last_used < REUSE_WITHIN_S and all(p.is_alive() for p in self.procs))

    def broadcast(self, msg) -> None:
        """Send ``msg`` to every worker and wait for all replies (they run in parallel)."""
        for k in range(self.n):
            self._send(k, msg)
        for k in range(self.n):
            self.result(k)

    def frame_slots(self, n: int, shape: tuple) -> FrameSlots:
        """At least ``n`` frame slots of ``shape``: the kept ones when they fit (see :class:`FrameSlots`).
        Called at the start of a call, when no task is outstanding."""
        kept = self._slots
        if kept is not None and kept.shape == tuple(shape) and kept.n >= n:
            return kept
        self.drop_slots()
        self._slots = FrameSlots(n, shape, self.n)
        return self._slots

    def drop_slots(self) -> None:
        """Forget the frame slots here and in the workers (frames handed out keep their memory)."""
        if self._slots is not None:
            self._slots.close()
            self._slots = None
            self.broadcast(("unslot",))

    def end_call(self) -> None:
        if self._slots is not None and self._slots.n * self._slots.nbytes > SLOTS_KEEP_BYTES:
            self.drop_slots()
        self.busy = False
        self.last_used = time.monotonic()

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
        """Send ``msg`` (a message, or a :class:`SlotTask`) to the worker with the fewest outstanding
        tasks; returns it for :meth:`result`."""
        k = min(range(self.n), key=self.outstanding.__getitem__)
        if isinstance(msg, SlotTask):
            msg, fds = self._slots.message(k, msg.indices, msg.slot0)
            self._send(k, msg, fds)
        else:
            self._send(k, msg)
        return k

    def _send(self, k: int, msg, fds=()) -> None:
        try:
            self.conns[k].send(msg)
            for fd in fds:
                reduction.send_handle(self.conns[k], fd, self.procs[k].pid)
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
        if self._slots is not None:
            self._slots.close()
            self._slots = None
        self.procs, self.conns = [], []


_cached: WorkerPool | None = None
_lock = threading.Lock()
_server_pid: int | None = None   # the process whose workers came from its fork server


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


def server_running() -> bool:
    """Whether this process has started workers from its fork server (which then keeps running)."""
    return _server_pid == os.getpid()


def cached_workers() -> int:
    """Workers of the cached pool that are alive (0 when there is none)."""
    if _cached is None or _cached.pid != os.getpid():
        return 0
    return sum(p.is_alive() for p in _cached.procs)


def _retire_slots() -> None:
    pool = _cached
    if pool is not None and pool._slots is not None and pool.pid == os.getpid():
        pool._slots.retire()   # a child may read the frames handed out so far: never draw over them


def _forget_in_child() -> None:
    global _cached, _lock
    _cached = None   # a forked child does not own its parent's workers
    _lock = threading.Lock()


os.register_at_fork(before=_retire_slots, after_in_child=_forget_in_child)
atexit.register(shutdown)
