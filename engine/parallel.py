"""Worker processes: each renders whole units and writes its own outputs; frames never travel
through pickles (measured: pickling RGBA frames back is slower than drawing them).

Units
- numpy frames (:func:`pooled_frames`): workers draw straight into shared frame slots, and the
  parent hands each frame out of its slot as it is, in index order (no copy); a slot whose frame
  the caller still holds gets new memory before it is drawn into again.
- video (:func:`pooled_segments`): the clip is cut into fixed segments (:func:`segment_bounds`,
  fixed by the frame rate, never by the worker count); each segment is encoded by its own ffmpeg
  with a pinned x264 thread count and starts with a keyframe, and :func:`concat_segments` joins
  them without re-encoding. One worker or many encode the same segments the same way, so the
  decoded frames are identical for any ``workers``.
- PNG sequences and stills: every worker writes its own files.

Annotations, TuSimple/CULane rows and lane masks are computed by the worker that drew the frame;
only the small per-frame records come back.

Workers are kept between calls (:mod:`symbolreel.worker_pool`): a second ``workers=N`` call in the
same process starts no process. They are forked when the calling process has no other thread, else they start from a fork
server that has imported the package and loaded the Numba kernels (see :func:`context`). Workers
started by the fork server import the calling script as ``__mp_main__``, like spawned ones: a
script that starts workers needs the usual ``if __name__ == "__main__":`` guard.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import secrets
import shutil
import subprocess
import threading
from dataclasses import dataclass

import numpy as np

from . import worker_pool
from .animators import warm_up
from .lifecycle import partial_name, remove_stale_partials
from .limits import DEFAULT_LIMITS
from .sinks import _BITEXACT, SinkError

SEGMENT_SECONDS = 2.0      # video segment length: one keyframe per segment, fixed by the fps
SEGMENT_X264_THREADS = 2   # pinned: x264's output depends on its thread count
SHM_PREFIX = worker_pool.SHM_PREFIX
AUTO_MIN_WORK = 40_000_000  # pixels x frames below which one process is fastest (pool start ~0.3 s)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def auto_workers(n_frames: int, width: int, height: int, units: int, cores_per_worker: int = 1) -> int:
    """The worker count that is fastest here: one process for small jobs, else one per
    ``cores_per_worker`` cores (at most one per unit of work).

    Video passes ``SEGMENT_X264_THREADS``: each worker's x264 already keeps that many cores busy beside
    the drawing, so on two cores a second video worker only competes with the first (measured ~1.0x)."""
    cpus = cpu_count()
    if cpus < 2 or n_frames * width * height < AUTO_MIN_WORK:
        return 1
    return max(1, min(cpus // max(1, cores_per_worker), units))


def resolve_workers(workers, n_frames: int, width: int, height: int, units: int, cores_per_worker: int = 1) -> int:
    if workers is None or workers == "auto":
        return auto_workers(n_frames, width, height, units, cores_per_worker)
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise ValueError(f"workers must be a positive integer or 'auto', got {workers!r}")
    return max(1, int(workers))


def segment_bounds(n: int, fps: float) -> list:
    """``[(start, stop), ...]`` positions of the video segments of an ``n``-frame output."""
    size = max(1, int(round(SEGMENT_SECONDS * fps)))
    return [(s, min(n, s + size)) for s in range(0, n, size)]


def context():
    """Start method for workers.

    ``fork`` when this process runs no other thread (a fork then copies no held lock: the workers
    start at once, with the package imported and the kernels loaded); otherwise a fork server that
    has imported the package and loaded the kernels (spawn where neither exists). Either way every
    worker builds its own compiled scene and Skia objects from the pickled scene.
    """
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["symbolreel.worker_boot"])
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - not Linux


@dataclass(frozen=True)
class FrameJob:
    """What workers do with each frame besides drawing it (plain data: it is pickled once per worker)."""

    annotations: bool = False      # send the frame's annotations back
    lanes: tuple | None = None     # (tusimple, culane, height) for frame_lane_rows, or None
    lane_masks: str | None = None  # pattern of lane-mask PNGs the worker writes itself
    png: str | None = None         # pattern of frame PNGs the worker writes itself
    compress_level: int = 6
    video: dict | None = None      # Mp4Writer options for segments (width, height, fps, crf, ...)
    backend: str = "skia"          # the raster backend the workers draw with
    limits: object = None          # symbolreel.Limits the frames are drawn under (None: the defaults)

    @property
    def needs_annotations(self) -> bool:
        return self.annotations or self.lanes is not None


# ------------------------------------------------------------------------------------------ units

@contextlib.contextmanager
def pool(workers: int, scene, base_dir, job: FrameJob):
    """Worker processes holding ``scene`` compiled for this call (see :mod:`symbolreel.worker_pool`:
    kept for later calls when this one finishes, terminated when it does not)."""
    warm_up()  # compile into the on-disk cache once, before workers load it
    with worker_pool.acquire(workers, context) as p:
        p.broadcast(("session", pickle.dumps((scene, base_dir, job.backend, job.limits or DEFAULT_LIMITS)), job))
        yield p


def pooled_frames(scene, base_dir, indices, job: FrameJob, workers: int, chunk: int, copy: bool = True):
    """Yield ``(index, frame, record)`` in index order, drawn by ``workers`` processes into shared frame
    slots (``2 * workers + 1`` chunks of them, :class:`symbolreel.worker_pool.FrameSlots`) and handed
    out as they are: no frame is copied. A slot is drawn into again only once the frame handed out
    of it is gone; while the caller keeps it, the slot gets new memory. A caller that has kept a whole
    round of slots (``list(frames(...))``) gets copies for the rest of the call instead.

    ``copy``: each frame is writable (default); ``copy=False``: read-only."""
    c = scene.canvas
    groups = 2 * workers
    # one chunk more than are in flight: the next task for a chunk's slots is sent when the frames of
    # the chunk after it are being read, so the caller's loop variable no longer holds one of them
    nslots = (groups + 1) * chunk
    chunks = [indices[s:s + chunk] for s in range(0, len(indices), chunk)]
    with pool(workers, scene, base_dir, job) as p:
        slots = p.frame_slots(nslots, (c.height, c.width, 4))
        renewed = slots.renewed
        tasks = (worker_pool.SlotTask(ch, (k % (groups + 1)) * chunk) for k, ch in enumerate(chunks))
        for k, records in enumerate(p.ordered(tasks, groups)):
            slot0 = (k % (groups + 1)) * chunk
            keeping = slots.renewed - renewed >= nslots
            for j, (i, rec) in enumerate(zip(chunks[k], records)):
                yield i, slots.frame(slot0 + j, copy, detach=keeping), rec


def pooled_pngs(scene, base_dir, indices, job: FrameJob, workers: int, chunk: int):
    """Workers render and write ``job.png``; yield ``(index, record)`` in index order."""
    chunks = [indices[s:s + chunk] for s in range(0, len(indices), chunk)]
    with pool(workers, scene, base_dir, job) as p:
        for ch, records in zip(chunks, p.ordered((("frames", ch) for ch in chunks), 2 * workers)):
            yield from zip(ch, records)


def pooled_segments(scene, base_dir, segments, paths, job: FrameJob, workers: int):
    """Workers encode one segment each; yield ``(index, record)`` in index order."""
    with pool(workers, scene, base_dir, job) as p:
        tasks = (("segment", seg, path) for seg, path in zip(segments, paths))
        for seg, records in zip(segments, p.ordered(tasks, workers + 1)):
            yield from zip(seg, records)


def concat_segments(paths, output) -> None:
    """Join video segments into ``output`` without re-encoding (ffmpeg's concat demuxer)."""
    import imageio_ffmpeg  # deferred like in sinks.py: only joining segments needs the ffmpeg binary's path


    listing = os.path.join(os.path.dirname(os.path.abspath(paths[0])), "segments.txt")
    with open(listing, "w", encoding="utf-8") as fh:
        for p in paths:
            fh.write("file '" + os.path.abspath(p).replace("'", "'\\''") + "'\n")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-f", "concat", "-safe", "0",
           "-i", listing, "-map", "0:v", "-c", "copy", *_BITEXACT, os.fspath(output)]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SinkError(f"{output}: joining {len(paths)} video segments failed: "
                        f"{r.stderr.decode(errors='replace').strip()[-500:]}")


@contextlib.contextmanager
def segment_dir(output):
    """A hidden folder next to ``output`` for its segments; removed afterwards, whatever happens."""
    parent = os.path.dirname(os.path.abspath(output))
    os.makedirs(parent, exist_ok=True)
    remove_stale_partials(parent)  # segment folders of runs killed before they could clean up
    # named like a partial file (pid inside), so a later run removes it when this one is killed
    path = os.path.join(parent, partial_name(os.path.basename(output), ".segments", secrets.token_hex(6)))
    os.mkdir(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------------------------ workers="auto"

AUTO_PROBE_FRAMES = 8       # frames drawn (and timed) in the calling process before deciding
AUTO_PROBE_SECONDS = 0.25   # ... or fewer, once they took this long
# Start costs, measured on a 2-core VM with the bench clip (bench/bench_render.py (c)): a fork, or a
# fork server that already runs, has two workers drawing after 0.04-0.07 s; booting the fork server
# (the first pool of a process running threads) takes ~0.6 s; workers kept from an earlier call
# return their first chunk 7-13 ms after the call starts.
POOL_BOOT_S = 0.6           # the first pool from a fork server (it imports the package and loads kernels)
POOL_FORK_S = 0.07          # a pool forked from this process, or from a fork server already running
POOL_WARM_S = 0.015         # workers kept from an earlier call: compile the scene, first chunk back
PARENT_FRAME_S = 50e-6      # the parent's own cost per frame from workers (task records, ordering)
WORKER_EFFICIENCY = 0.75    # N workers draw ~0.75 N times as fast as one process (measured 0.71-0.84 on 2 cores)
AUTO_MARGIN = 1.15          # workers must be expected this much faster: cores are shared, estimates rough


def pool_start_s(workers: int) -> float:
    """Expected seconds before ``workers`` processes draw for a new call: kept workers are ready, a
    fork (or a running fork server) is quick, a fork server that must boot first is not."""
    if worker_pool.ready(workers):
        return POOL_WARM_S
    if context().get_start_method() == "fork" or worker_pool.server_running():
        return POOL_FORK_S
    return POOL_BOOT_S


def worth_workers(per_frame_s: float, n_frames: int, workers: int, start_s: float = POOL_BOOT_S) -> bool:
    """Whether ``workers`` processes are expected to deliver ``n_frames`` sooner than this process,
    given one frame's drawing time here: the pool's start ``start_s`` (:func:`pool_start_s`) plus the
    slower of the workers' share (at :data:`WORKER_EFFICIENCY`) and the parent's per-frame work (frames
    are handed out of their shared slots without a copy), with a margin.

    Light jobs stay in one process: a few hundred sub-millisecond frames do not pay for a pool's start,
    and frames cheaper than the parent's own per-frame work never gain from workers."""
    if workers <= 1 or n_frames <= 0:
        return False
    return _pooled_s(per_frame_s, n_frames, workers, start_s) * AUTO_MARGIN < n_frames * per_frame_s


def _pooled_s(per_frame_s: float, n_frames: int, workers: int, start_s: float) -> float:
    """Expected seconds for ``workers`` processes to deliver ``n_frames``, starting in ``start_s``."""
    return start_s + n_frames * max(per_frame_s / (workers * WORKER_EFFICIENCY), PARENT_FRAME_S)


_missed = 0.0   # seconds kept workers would have saved the auto calls of this process that stayed serial


def worth_starting(per_frame_s: float, n_frames: int, workers: int, start_s: float) -> bool:
    """:func:`worth_workers`, also counting what kept workers would have saved this process's earlier
    ``auto`` calls: when each call of a loop is too short to pay for starting a pool but would gain
    on a running one, the pool is started once the gains given up add up to its start (rent or buy:
    at most about twice the best choice in hindsight). Started workers are kept between calls, so
    the calls after it run on them."""
    global _missed
    if worth_workers(per_frame_s, n_frames, workers, start_s):
        return True
    if start_s <= POOL_WARM_S or not worth_workers(per_frame_s, n_frames, workers, POOL_WARM_S):
        return False
    # the expected gain (the margin above decided it is one)
    _missed += n_frames * per_frame_s - _pooled_s(per_frame_s, n_frames, workers, POOL_WARM_S)
    if _missed < start_s:
        return False
    _missed = 0.0
    return True
