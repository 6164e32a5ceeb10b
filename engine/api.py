"""Public rendering API: frames as numpy arrays, or straight to PNG / MP4 files."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
import multiprocessing as mp

import numpy as np

from .annotate import frame_annotations
from .compile import CompiledScene
from .raster import Renderer
from .scene import DEFAULT_LIMITS, Limits, Scene, load

BATCH = 16  # frames sampled per kernel call


def _as_scene(scene, base_dir: str | None = None) -> tuple:
    """Accept a Scene or a path; return (scene, directory that relative font paths are resolved from)."""
    if isinstance(scene, Scene):
        return scene, base_dir
    path = os.fspath(scene)
    return load(path), base_dir or os.path.dirname(os.path.abspath(path))


class _Session:
    """Compiled scene + renderer, built once per process."""

    def __init__(self, scene: Scene, base_dir: str | None):
        self.compiled = CompiledScene(scene, base_dir)
        self.renderer = Renderer(self.compiled)

    def render(self, indices, annotations: bool):
        """Frames as a list (what worker processes send back)."""
        return list(self.iter_render(indices, annotations))

    def iter_render(self, indices, annotations: bool):
        """Yield ``(index, frame, annotations)``; frames are produced one at a time (nothing is held back)."""
        c, r = self.compiled, self.renderer
        blur = c.scene.motion_blur
        for s in range(0, len(indices), BATCH):
            idx = list(indices[s:s + BATCH])
            times = c.times(idx)
            samples, world, opacity = c.sample(times)
            for k, i in enumerate(idx):
                t = float(times[k])
                if blur is not None and blur.samples > 1 and blur.shutter > 0:
                    arr = self._blurred(t, blur)
                else:
                    arr = self._draw(t, samples[k], world[k], opacity[k])
                ann = frame_annotations(r, t, samples[k], world[k], opacity[k]) if annotations else None
                yield i, arr, ann

    def _draw(self, t, row, world, opacity):
        arr, surface = self.renderer.new_frame()
        with surface as canvas:
            self.renderer.draw(canvas, t, row, world, opacity)
        return arr

    def _blurred(self, t: float, blur):
        """Average sub-frames at t + k * shutter_time / n (integer accumulation: exact and order-free)."""
        n = blur.samples
        span = blur.shutter / 360.0 / self.compiled.canvas.fps
        sub_t = t + np.arange(n) * (span / n)
        samples, world, opacity = self.compiled.sample(sub_t)
        acc = None
        for k in range(n):
            frame = self._draw(float(sub_t[k]), samples[k], world[k], opacity[k])
            acc = frame.astype(np.uint32) if acc is None else acc + frame
        return ((acc + n // 2) // n).astype(np.uint8)


_WORKER: _Session | None = None


def _worker_init(scene, base_dir):
    global _WORKER
    _WORKER = _Session(scene, base_dir)


def _worker_render(indices, annotations):
    return _WORKER.render(indices, annotations)


def iter_frames(scene, indices=None, *, annotations: bool | str = False, workers: int = 1,
                limits: Limits = DEFAULT_LIMITS, chunk: int = 8, base_dir: str | None = None):
    """Iterate ``(index, rgba premultiplied uint8 (H, W, 4), annotations or None)`` in index order.

    ``annotations=True``: each frame's objects as JSON data (``symbolreel-annotations/2``, as in the
    files); ``annotations="records"``: as typed records (``symbolreel.records``).

    The scene is validated (limits, fonts, glyph coverage) before this returns, so errors surface
    before any output is opened. ``workers > 1`` renders in that many processes with identical results.
    """
    scene, base_dir = _as_scene(scene, base_dir)
    scene.check_limits(limits)
    n = scene.n_frames
    indices = list(range(n)) if indices is None else [int(i) for i in indices]
    for i in indices:
        if not 0 <= i < n:
            raise IndexError(f"frame {i} is outside the scene's {n} frames (0..{n - 1})")
    session = _Session(scene, base_dir)
    want = bool(annotations)
    if workers <= 1 or len(indices) <= chunk:
        stream = _serial(session, indices, want)
    else:
        stream = _parallel(scene, base_dir, indices, want, workers, chunk)
    return stream if annotations == "records" or not want else _as_json(stream)


def _as_json(stream):
    for i, arr, ann in stream:
        yield i, arr, [rec.to_json() for rec in ann]


def _serial(session, indices, annotations):
    yield from session.iter_render(indices, annotations)


def _parallel(scene, base_dir, indices, annotations, workers, chunk):
    from .animators import warm_up

    warm_up()  # compile kernels into the on-disk cache before workers start
    chunks = [indices[s:s + chunk] for s in range(0, len(indices), chunk)]
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init, initargs=(scene, base_dir)) as ex:
        pending = []
        it = iter(chunks)
        for ch in it:
            pending.append(ex.submit(_worker_render, ch, annotations))
            if len(pending) >= 2 * workers:
                break
        while pending:
            fut = pending.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                pending.append(ex.submit(_worker_render, nxt, annotations))
            yield from fut.result()


def frames(scene, start: int = 0, stop: int | None = None, step: int = 1, **kw):
    """Yield frames ``start:stop:step`` of a scene (or scene file) as RGBA uint8 numpy arrays."""
    sc, base_dir = _as_scene(scene, kw.pop("base_dir", None))
    stop = sc.n_frames if stop is None else min(stop, sc.n_frames)
    for _, arr, _ in iter_frames(sc, range(start, stop, step), base_dir=base_dir, **kw):
        yield arr


def render_frame(scene, index: int = 0, annotations: bool | str = False, base_dir: str | None = None):
    """One frame as an RGBA array (and its annotations when asked: JSON data, or records with
    ``annotations="records"``, as :func:`iter_frames`)."""
    for _, arr, ann in iter_frames(scene, [index], annotations=annotations, base_dir=base_dir):
        return (arr, ann) if annotations else arr


@dataclass
class RenderResult:
    output: str
    frames: int
    width: int
    height: int
    annotations: str | None = None
    extra: dict = field(default_factory=dict)


def render(scene, output, *, frames=None, workers: int = 1, annotations=None, crf: int = 18,
           preset: str = "medium", compress_level: int = 6, progress=None, limits: Limits = DEFAULT_LIMITS,
           pix_fmt: str = "yuv420p", base_dir: str | None = None, tusimple=None,
           culane_dir=None, lane_masks=None) -> RenderResult:
    """Render a scene (or scene file) to ``output``: ``.mp4``, ``.png`` (one frame) or ``dir/%05d.png``.

    ``frames``: an iterable of frame indices (default: all; for a single .png, the first).
    ``annotations``: path of a JSON file receiving exact per-frame annotations.
    ``progress``: a callable ``(done, total)`` called after each frame.
    ``tusimple`` / ``culane_dir``: lane labels of road nodes in TuSimple (JSON lines) and CULane
    (``.lines.txt`` per frame) formats; ``raw_file`` names the frame's image (or ``clip.mp4#N``).
    ``lane_masks``: a pattern like ``masks/%05d.png`` receiving per-class lane-marking masks.
    """
    from .annotation_writer import AnnotationWriter
    from .records import FORMAT, FrameRecord
    from .sinks import open_sink

    scene, base_dir = _as_scene(scene, base_dir)
    output = os.fspath(output)
    n = scene.n_frames
    if frames is None:
        indices = [0] if output.lower().endswith(".png") and "%" not in output else list(range(n))
    else:
        indices = list(frames)
    if output.lower().endswith(".png") and "%" not in output and len(indices) != 1:
        raise ValueError(f"{output}: a single .png holds one frame, but {len(indices)} were requested; "
                         f"use a pattern like frames/%05d.png or an .mp4")
    c = scene.canvas
    if output.lower().endswith(".png"):
        options = {"compress_level": compress_level}
    else:
        options = {"crf": crf, "preset": preset, "pix_fmt": pix_fmt}
    lanes = None
    if tusimple is not None or culane_dir is not None:
        from .lane_export import LaneLabelWriter

        def raw_file(i):
            return output % i if "%" in output else (output if output.lower().endswith(".png") else f"{output}#{i}")
        lanes = LaneLabelWriter(tusimple, culane_dir, raw_file, scene.canvas.height)
    if lane_masks is not None and "%" not in os.fspath(lane_masks):
        raise ValueError(f"lane_masks: {lane_masks!r} needs a frame number placeholder, e.g. masks/%05d.png")
    want_ann = annotations is not None or lanes is not None
    stream = iter_frames(scene, indices, annotations="records" if want_ann else False, workers=workers, limits=limits,
                         base_dir=base_dir)
    ann_out = None
    if annotations is not None:
        ann_out = AnnotationWriter(annotations, {"format": FORMAT, "width": c.width,
                                                 "height": c.height, "fps": c.fps, "seed": scene.seed})
    try:
        sink = open_sink(output, c.width, c.height, c.fps, **options)
    except BaseException as exc:
        if ann_out is not None:
            ann_out.abort(exc)
        raise
    done = 0
    mask_renderer = None
    try:
        try:
            for i, arr, ann in stream:
                sink.write(arr, i)
                if ann_out is not None:
                    ann_out.add(FrameRecord(frame=i, t=c.time(i), objects=ann))
                if lanes is not None:
                    lanes.add(i, ann)
                if lane_masks is not None:
                    from .masks import lane_mask
                    from .sinks import write_label_png

                    if mask_renderer is None:
                        mask_renderer = _Session(scene, base_dir).renderer
                    write_label_png(lane_masks % i, lane_mask(scene, i, renderer=mask_renderer))
                done += 1
                if progress:
                    progress(done, len(indices))
        except BaseException:
            sink.abort() if hasattr(sink, "abort") else None
            raise
        sink.close()
        if lanes is not None:
            lanes.close()
    except BaseException as exc:
        if ann_out is not None:       # the annotations never appear for a clip that failed
            ann_out.abort(exc)
        raise
    if ann_out is not None:
        ann_out.close()
    return RenderResult(output, done, c.width, c.height, None if annotations is None else os.fspath(annotations))
