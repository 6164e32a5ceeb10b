"""Public rendering API: frames as numpy arrays, or straight to PNG / MP4 files."""
from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import parallel
from .annotation_writer import AnnotationWriter
from .errors import UsageError
from .lane_export import LaneLabelWriter
from .records import FORMAT, FrameRecord
from .scene import DEFAULT_LIMITS, Limits, errors_located, scene_and_dir
from .session import BACKENDS, FrameWork, RenderResult, Session, make_backend  # noqa: F401  (re-exported)
from .sinks import FrameSequenceWriter, Mp4Writer, PngWriter, atomic_output, is_video, open_sink, video_codec
from .vector import render_vector

# the names these had when they lived here (datasets/ and older callers use them)
_Session, _as_scene = Session, scene_and_dir

def iter_frames(scene, indices=None, *, annotations: bool | str = False, workers=1,
                limits: Limits = DEFAULT_LIMITS, chunk: int = 8, base_dir: str | None = None, backend: str = "skia",
                copy: bool = True):
    """Iterate ``(index, rgba premultiplied uint8 (H, W, 4), annotations or None)`` in index order.

    ``annotations=True``: each frame's objects as JSON data (``symbolreel-annotations/2``, as in the
    files); ``annotations="records"``: as typed records (``symbolreel.records``). ``backend``: "skia"
    (default) or "cairo" draws the frames.

    The scene is validated (limits, fonts, glyph coverage) before this returns, so errors surface
    before any output is opened. ``workers > 1`` renders in that many processes, which draw into
    shared memory; the frames are identical, and each is handed out where it was drawn (no copy,
    no pickle): an ordinary array over shared memory, which a forked child shares rather than
    copies on write. ``workers="auto"`` draws the first frames here, times
    them, and starts workers for the rest only when the job is heavy enough for them to win
    (:func:`symbolreel.parallel.worth_starting`).

    ``copy=False``: each frame is read-only and, in one process, a view of a buffer the next frame is
    drawn into, valid only until the next frame is asked for; copy it to keep it. This saves a new
    array per frame; the pixels are the same. (Frames from workers stay valid while held: a slot
    whose frame is still held gets new memory.)
    """
    scene, base_dir = scene_and_dir(scene, base_dir, limits)
    n = scene.n_frames
    indices = list(range(n)) if indices is None else [int(i) for i in indices]
    for i in indices:
        if not 0 <= i < n:
            raise IndexError(f"frame {i} is outside the scene's {n} frames (0..{n - 1})")
    with errors_located(scene):
        scene.check_limits(limits)
        session = Session(scene, base_dir, backend, limits)
    c = scene.canvas
    want = bool(annotations)
    auto = workers is None or workers == "auto"
    workers = parallel.resolve_workers(workers, len(indices), c.width, c.height, -(-len(indices) // (2 * chunk)))
    if workers <= 1 or len(indices) <= chunk:
        stream = session.iter_render(indices, want, into=None if copy else _Reused(c.height, c.width))
        stream = stream if copy else _read_only(stream)
    elif auto:
        stream = _auto_frames(session, scene, base_dir, indices, want, workers, chunk, backend, copy)
    else:
        stream = _pooled(scene, base_dir, indices, want, workers, chunk, backend, copy, limits)
    return stream if annotations == "records" or not want else _as_json(stream)


def _as_json(stream):
    for i, arr, ann in stream:
        yield i, arr, [rec.to_json() for rec in ann]


def _pooled(scene, base_dir, indices, annotations, workers, chunk, backend="skia", copy=True,
            limits: Limits = DEFAULT_LIMITS):
    job = parallel.FrameJob(annotations=annotations, backend=backend, limits=limits)
    for i, arr, (ann, _) in parallel.pooled_frames(scene, base_dir, indices, job, workers, chunk, copy):
        yield i, arr, ann


def frames(scene, start: int = 0, stop: int | None = None, step: int = 1, **kw):
    """Yield frames ``start:stop:step`` of a scene (or scene file) as RGBA uint8 numpy arrays."""
    sc, base_dir = scene_and_dir(scene, kw.pop("base_dir", None))
    stop = sc.n_frames if stop is None else min(stop, sc.n_frames)
    for _, arr, _ in iter_frames(sc, range(start, stop, step), base_dir=base_dir, **kw):
        yield arr


def render_frame(scene, index: int = 0, annotations: bool | str = False, base_dir: str | None = None,
                 backend: str = "skia"):
    """One frame as an RGBA array (and its annotations when asked: JSON data, or records with
    ``annotations="records"``, as :func:`iter_frames`), drawn by ``backend``."""
    for _, arr, ann in iter_frames(scene, [index], annotations=annotations, base_dir=base_dir, backend=backend):
        return (arr, ann) if annotations else arr


def render(scene, output, *, frames=None, workers=1, annotations=None, crf: int = 18,
           preset: str = "medium", compress_level: int = 6, progress=None, limits: Limits = DEFAULT_LIMITS,
           pix_fmt: str = "yuv420p", base_dir: str | None = None, tusimple=None,
           culane_dir=None, lane_masks=None, backend: str = "skia") -> RenderResult:
    """Render a scene (or scene file) to ``output``: ``.mp4``, ``.png`` (one frame), ``dir/%05d.png``,
    ``.svg`` (one frame) or ``.pdf`` (a page per frame; vector output is always drawn by Cairo).

    ``frames``: an iterable of frame indices (default: all; for a single .png, the first).
    ``workers``: processes (or ``"auto"``: what is fastest for the job); each writes its own PNGs or
    encodes its own video segments, and the output is the same for any count. Video is always
    encoded in fixed segments (one keyframe each, see :mod:`symbolreel.parallel`) joined without
    re-encoding.
    ``annotations``: path of a JSON file receiving exact per-frame annotations.
    ``progress``: a callable ``(done, total)`` called after each frame.
    ``tusimple`` / ``culane_dir``: lane labels of road nodes in TuSimple (JSON lines) and CULane
    (``.lines.txt`` per frame) formats; ``raw_file`` names the frame's image (or ``clip.mp4#N``).
    ``lane_masks``: a pattern like ``masks/%05d.png`` receiving per-class lane-marking masks.
    Annotations, lane labels and masks are computed by the process that drew the frame.
    ``backend``: "skia" (default) or "cairo" draws the raster frames.
    """
    scene, base_dir = scene_and_dir(scene, base_dir, limits)
    output = os.fspath(output)
    if output.lower().endswith((".svg", ".pdf")):
        if tusimple is not None or culane_dir is not None or lane_masks is not None:
            raise UsageError(f"{output}: lane labels and masks come with raster output (.png, .mp4)")
        return render_vector(scene, output, frames, base_dir=base_dir, limits=limits, annotations=annotations)
    n = scene.n_frames
    single_png = output.lower().endswith(".png") and "%" not in output
    if frames is None:
        indices = [0] if single_png else list(range(n))
    else:
        indices = [int(i) for i in frames]
    if single_png and len(indices) != 1:
        raise UsageError(f"{output}: a single .png holds one frame, but {len(indices)} were requested; "
                         f"use a pattern like frames/%05d.png or an .mp4")
    c = scene.canvas
    lanes = None
    if tusimple is not None or culane_dir is not None:
        def raw_file(i):
            return output % i if "%" in output else (output if single_png else f"{output}#{i}")
        lanes = LaneLabelWriter(tusimple, culane_dir, raw_file, scene.canvas.height)
    if lane_masks is not None and "%" not in os.fspath(lane_masks):
        raise UsageError(f"lane_masks: {lane_masks!r} needs a frame number placeholder, e.g. masks/%05d.png")
    job = parallel.FrameJob(annotations=annotations is not None, lanes=None if lanes is None else lanes.wants,
                            lane_masks=None if lane_masks is None else os.fspath(lane_masks),
                            compress_level=compress_level, backend=backend, limits=limits)
    video = is_video(output)
    # validates the scene (fonts, glyphs, limits) before any output is opened
    session = _checked_session(scene, base_dir, limits, indices, backend)
    if video:
        segments = [indices[a:b] for a, b in parallel.segment_bounds(len(indices), c.fps)]
        units = len(segments)
    else:
        units = -(-len(indices) // 16)
    workers = 1 if single_png else parallel.resolve_workers(
        workers, len(indices), c.width, c.height, units, parallel.SEGMENT_X264_THREADS if video else 1)

    ann_out = None
    if annotations is not None:
        ann_out = AnnotationWriter(annotations, {"format": FORMAT, "width": c.width,
                                                 "height": c.height, "fps": c.fps, "seed": scene.seed})
    done = 0
    records = None
    try:
        if video:
            opts = _video_options(output, c, crf, preset, pix_fmt)
            records = _video(session, scene, base_dir, output, segments, job, opts, workers)
        elif single_png:
            PngWriter(output, compress_level=compress_level)  # validates the options
            records = _frames_to(session, FrameWork(session, job), open_sink(output, c.width, c.height, c.fps,
                                                                             compress_level=compress_level),
                                 indices, job)
        elif workers > 1:
            sequence = FrameSequenceWriter(output, compress_level=compress_level)  # validates the pattern
            records = _listed(sequence, parallel.pooled_pngs(scene, base_dir, indices,
                                                             dataclasses.replace(job, png=output), workers, 16))
        else:
            records = _frames_to(session, FrameWork(session, job),
                                 open_sink(output, c.width, c.height, c.fps, compress_level=compress_level),
                                 indices, job)
        for i, (ann, rows) in records:
            if ann_out is not None:
                ann_out.add(FrameRecord(frame=i, t=c.time(i), objects=ann))
            if lanes is not None:
                lanes.add_rows(i, rows)
            done += 1
            if progress:
                progress(done, len(indices))
        if lanes is not None:
            lanes.close()
    except BaseException as exc:
        if records is not None:
            records.close()           # aborts the sink / stops the workers now, not at garbage collection
        if ann_out is not None:       # the annotations never appear for a clip that failed
            ann_out.abort(exc)
        raise
    if ann_out is not None:
        ann_out.close()
    return RenderResult(output, done, c.width, c.height, None if annotations is None else os.fspath(annotations))


def _checked_session(scene, base_dir, limits, indices, backend: str = "skia") -> Session:
    n = scene.n_frames
    for i in indices:
        if not 0 <= i < n:
            raise IndexError(f"frame {i} is outside the scene's {n} frames (0..{n - 1})")
    with errors_located(scene):
        scene.check_limits(limits)
        return Session(scene, base_dir, backend, limits)


def _video_options(output, canvas, crf, preset, pix_fmt) -> dict:
    return {"width": canvas.width, "height": canvas.height, "fps": canvas.fps, "crf": crf, "preset": preset,
            "pix_fmt": pix_fmt, "codec": video_codec(output), "threads": parallel.SEGMENT_X264_THREADS}


def _frames_to(session, work, sink, indices, job, video: bool = False):
    """Serial: draw each frame, write it to ``sink``, yield ``(index, record)``; the sink is complete
    (renamed onto its name) only after the last frame."""
    try:
        for i, arr, ann in session.iter_render(indices, job.needs_annotations):
            sink.write(arr, None if video else i)   # a video holds the requested frames in order
            yield i, work.finish(i, ann)
    except BaseException:
        sink.abort()
        raise
    sink.close()


def _listed(sequence, records):
    """Workers wrote the frames' PNGs: ``sequence`` lists them and writes its manifest after the last
    one, as it does for frames written in this process."""
    try:
        for i, rec in records:
            sequence.written_elsewhere(i)
            yield i, rec
    except BaseException:
        records.close()   # stops the workers now
        sequence.abort()
        raise
    sequence.close()


def _video(session, scene, base_dir, output, segments, job, opts, workers):
    """Encode fixed segments (in this process or in workers), then join them onto ``output``."""
    ext = os.path.splitext(output)[1]
    if len(segments) == 1:
        yield from _frames_to(session, FrameWork(session, job), Mp4Writer(output, **opts), segments[0], job, True)
        return
    Mp4Writer.check_options(output, **opts)
    with parallel.segment_dir(output) as folder:
        paths = [os.path.join(folder, f"{k:05d}{ext}") for k in range(len(segments))]
        if workers > 1:
            yield from parallel.pooled_segments(scene, base_dir, segments, paths,
                                                dataclasses.replace(job, video=opts), workers)
        else:
            yield from _serial_segments(session, FrameWork(session, job), segments, paths, job, opts)
        with atomic_output(output) as tmp:
            parallel.concat_segments(paths, tmp)


def _serial_segments(session, work, segments, paths, job, opts):
    """Encode segments one after another in this process. The next segment's ffmpeg starts while this
    one is drawn (its process start and first read cost ~20 ms a segment otherwise), and a finished
    segment's encoder drains on a thread while the next segment is drawn (x264 holds a lookahead of
    frames at each segment end)."""
    with ThreadPoolExecutor(1, thread_name_prefix="segment-close") as closer:
        closing = []
        upcoming = Mp4Writer(paths[0], **opts)
        for k, seg in enumerate(segments):
            mp4, upcoming = upcoming, None
            try:
                if k + 1 < len(paths):
                    upcoming = Mp4Writer(paths[k + 1], **opts)
                for i, arr, ann in session.iter_render(seg, job.needs_annotations):
                    mp4.write(arr)
                    yield i, work.finish(i, ann)
            except BaseException:
                mp4.abort()
                if upcoming is not None:
                    upcoming.abort()
                raise
            closing.append(closer.submit(mp4.close))
        for fut in closing:
            fut.result()


class _Reused:
    """``into`` for :meth:`_Session.iter_render` with ``copy=False``: every frame is drawn into the same
    buffer (no new frame array per frame); ``iter_frames`` hands out read-only views of it."""

    def __init__(self, height: int, width: int):
        self.buf = np.empty((height, width, 4), np.uint8)

    def __getitem__(self, k):
        return self.buf


def _read_only(stream):
    for i, arr, ann in stream:
        yield i, _frozen(arr), ann


def _auto_frames(session, scene, base_dir, indices, annotations, workers, chunk, backend, copy):
    """``workers="auto"``: draw frames here while timing them; once the per-frame cost is known, hand
    the rest to ``workers`` processes only if :func:`parallel.worth_starting` expects them to finish
    sooner, pool start and the parent's per-frame work included. The frames are the same either way."""

    c = scene.canvas
    into = None if copy else _Reused(c.height, c.width)
    stream = session.iter_render(indices, annotations, into=into)
    times = []
    spent = 0.0
    for k in range(len(indices)):
        t0 = time.perf_counter()
        item = next(stream)
        dt = time.perf_counter() - t0
        times.append(dt)
        spent += dt
        yield item if copy else (item[0], _frozen(item[1]), item[2])
        if len(times) >= parallel.AUTO_PROBE_FRAMES or (len(times) >= 2 and spent >= parallel.AUTO_PROBE_SECONDS):
            break
    rest = indices[len(times):]
    if not rest:
        return
    per_frame = sorted(times[1:] or times)[len(times[1:] or times) // 2]   # the first frame fills caches
    if parallel.worth_starting(per_frame, len(rest), workers, parallel.pool_start_s(workers)):
        stream.close()
        yield from _pooled(scene, base_dir, rest, annotations, workers, chunk, backend, copy, session.limits)
    else:
        for item in stream:
            yield item if copy else (item[0], _frozen(item[1]), item[2])


def _frozen(arr):
    view = arr.view()
    view.flags.writeable = False
    return view
