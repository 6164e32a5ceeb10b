"""Many still images, fast.

Two ways, same bytes (identical to :func:`symbolreel.sinks.write_png` with the same options):

- ``StillWriter()`` draws on the calling thread and encodes PNGs on a thread pool (the deflate
  step releases the GIL, so encoding overlaps drawing the next image);
- ``StillWriter(workers=N)`` sends scenes (plain data, a few kB each) in batches to ``N`` worker
  processes, each of which draws, encodes and writes its own files: this scales with cores, since
  drawing holds the GIL. The processes are those of :mod:`symbolreel.worker_pool`, kept between
  writers and ``workers=N`` calls. :func:`render_stills` wraps it for an iterable of scenes.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import parallel, worker_pool
from .animators import warm_up
from .api import render_frame
from .sinks import FrameSequenceWriter, atomic_output, write_png

BATCH = 16  # scenes per task sent to a worker process
# frames waiting for the encode threads: the deflate step releases the GIL but the rest of an encode
# needs it back, and the drawing thread gives it up only every switch interval (5 ms), so a short
# queue stalls the drawing (measured with 256x256 stills: 4 in flight 1.0x serial, 64-256 1.3-1.8x)
INFLIGHT_BYTES = 64 << 20
INFLIGHT_MAX = 256


class StillWriter:
    """Render scenes to PNG files with encoding off the drawing path.

    ::

        with StillWriter(compress_level=1) as w:
            for i, scene in enumerate(scenes):
                w.render(scene, f"out/{i:06d}.png")

    ``workers=N`` renders in ``N`` processes (see the module doc); ``render()`` then returns None
    and annotations go to ``annotations_path`` (a JSON file per image, written by the worker).
    Errors from any write are raised (at the latest on exit); a bounded number of images is in
    flight, so memory stays bounded.
    """

    def __init__(self, compress_level: int = 6, threads: int | None = None, workers: int | None = None):
        self.compress_level = compress_level
        if workers == "auto":
            workers = parallel.cpu_count()
        self.workers = None if workers is None else parallel.resolve_workers(workers, 0, 0, 0, 1)
        self._pending: deque = deque()            # (future or worker index, frame bytes)
        self._pending_bytes = 0
        self._batch: list = []
        if self.workers is None:
            self.threads = threads or max(1, min(4, os.cpu_count() or 1))
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="png")
            self._limit = 2 * self.threads     # at least this many frames in flight, more while they are small
        else:
            warm_up()
            self.threads = 0
            self._workers = contextlib.ExitStack()   # worker processes kept between writers (worker_pool)
            self._pool = self._workers.enter_context(worker_pool.acquire(self.workers, parallel.context))
            self._limit = 2 * self.workers

    def write(self, frame, path) -> None:
        """Queue an already rendered RGBA frame for writing (encoded on this process's threads, later:
        do not change the array until :meth:`close`). A read-only frame is copied first, since it may
        be a view of a buffer the next frame is drawn into (``iter_frames(..., copy=False)``)."""
        if self.workers is not None:
            write_png(path, frame, self.compress_level)
            return
        if isinstance(frame, np.ndarray) and not frame.flags.writeable:
            frame = frame.copy()
        nbytes = getattr(frame, "nbytes", 0)
        self._wait_for_room()
        self._pending.append((self._pool.submit(write_png, path, frame, self.compress_level), nbytes))
        self._pending_bytes += nbytes

    def render(self, scene, path, frame: int = 0, annotations: bool = False, annotations_path=None):
        """Render ``frame`` of ``scene`` to ``path``; returns the annotations when asked (thread mode).

        ``annotations_path``: also write the frame's annotations there as JSON (both modes).
        """
        if self.workers is not None:
            if annotations:
                raise ValueError("StillWriter(workers=...) renders in other processes; "
                                 "pass annotations_path= to have each worker write the annotations")
            self._batch.append((scene, os.fspath(path), int(frame),
                                None if annotations_path is None else os.fspath(annotations_path)))
            if len(self._batch) >= BATCH:
                self._flush()
            return None
        want = annotations or annotations_path is not None
        result = render_frame(scene, frame, annotations=want)
        arr, ann = result if want else (result, None)
        if annotations_path is not None:
            _write_json(annotations_path, ann)
        self.write(arr, path)
        return ann if annotations else None

    def _flush(self) -> None:
        if self._batch:
            self._wait(self._limit)
            # the worker the batch went to (its frames' bytes stay in that process)
            self._pending.append((self._pool.submit(("call", _render_batch, (self._batch, self.compress_level))), 0))
            self._batch = []

    def _wait_for_room(self) -> None:
        """Thread mode: wait until one more frame may be queued (see INFLIGHT_BYTES)."""
        while self._pending and (len(self._pending) >= INFLIGHT_MAX or (
                len(self._pending) >= self._limit and self._pending_bytes >= INFLIGHT_BYTES)):
            self._wait(len(self._pending))

    def _wait(self, limit: int) -> None:
        while len(self._pending) >= max(1, limit):
            job, nbytes = self._pending.popleft()
            self._pending_bytes -= nbytes
            if self.workers is None:
                job.result()
            else:
                self._pool.result(job)

    def close(self) -> None:
        if self.workers is None:
            try:
                self._wait(1)
            finally:
                self._pool.shutdown(wait=True)
            return
        try:
            self._flush()
            self._wait(1)
        except BaseException as exc:
            self._abort(exc)
            raise
        self._workers.close()       # finished: the workers are kept for the next writer

    def _abort(self, exc: BaseException) -> None:
        self._batch = []
        pending, self._pending, self._pending_bytes = self._pending, deque(), 0
        if self.workers is None:
            for fut, _ in pending:
                fut.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
        else:                       # a batch may still be drawing: its workers end now
            self._workers.__exit__(type(exc), exc, exc.__traceback__)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self._abort(exc)
            return False
        self.close()
        return False


def render_stills(scenes, paths, *, workers="auto", compress_level: int = 6, frame: int = 0) -> int:
    """Render frame ``frame`` of every scene to PNG; returns the number of images written.

    ``paths``: a pattern with one integer placeholder (``out/%06d.png``, filled with the scene's
    position; a ``manifest.json`` beside the files lists them once all are written, as for frame
    sequences) or an iterable of paths. ``workers``: processes (default: one per core), each
    drawing and writing its own files; ``workers=1`` (or one core) draws in the calling process and
    encodes on its threads, since one worker process would only add its start and the pickling.
    The files are identical for any count.
    """
    workers = parallel.cpu_count() if workers == "auto" else parallel.resolve_workers(workers, 0, 0, 0, 1)
    if workers < 2:
        workers = None                                  # one worker: draw here, encode on threads
    sequence = None
    if isinstance(paths, (str, os.PathLike)):
        # validates the pattern and drops an earlier run's manifest; lists the files once all are written
        sequence = FrameSequenceWriter(os.fspath(paths), compress_level)
        paths = (sequence.path_for(i) for i in _count())
    n = 0
    try:
        with StillWriter(compress_level, workers=workers) as w:
            for scene, path in zip(scenes, paths):
                w.render(scene, path, frame)
                n += 1
    except BaseException:
        if sequence is not None:
            sequence.abort()
        raise
    if sequence is not None:
        for i in range(n):
            sequence.written_elsewhere(i)
        sequence.close()
    return n


def _count():
    i = 0
    while True:
        yield i
        i += 1


def _render_batch(batch, compress_level: int) -> None:
    """Worker side: draw, encode and write each ``(scene, path, frame, annotations path)``."""
    for scene, path, frame, ann_path in batch:
        want = ann_path is not None
        result = render_frame(scene, frame, annotations=want)
        arr, ann = result if want else (result, None)
        write_png(path, arr, compress_level)
        if want:
            _write_json(ann_path, ann)


def _write_json(path, data) -> None:
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
