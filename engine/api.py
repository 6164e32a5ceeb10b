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

    def __init__(self, scene: Scene, base_dir: str | None, backend: str = "skia"):
        self.compiled = CompiledScene(scene, base_dir)
        self.renderer = Renderer(self.compiled, make_backend(backend))

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
        r = self.renderer
        return r.backend.render(r.emit(t, row, world, opacity))

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


BACKENDS = ("skia", "cairo")


def make_backend(name: str = "skia"):
    """The raster backend called ``name``: "skia" (default, fastest) or "cairo" (cairocffi)."""
    if name == "skia":
        from .backends.skia import SkiaBackend

        return SkiaBackend()
    if name == "cairo":
        from .vector import _backend

        return _backend()
    raise ValueError(f"unknown backend {name!r}; expected one of {', '.join(BACKENDS)}")


_WORKER: _Session | None = None


def _worker_init(scene, base_dir, backend="skia"):
    global _WORKER
    _WORKER = _Session(scene, base_dir, backend)


def _worker_render(indices, annotations):
    return _WORKER.render(indices, annotations)


def iter_frames(scene, indices=None, *, annotations: bool = False, workers: int = 1, limits: Limits = DEFAULT_LIMITS,
                chunk: int = 8, base_dir: str | None = None, backend: str = "skia"):
    """Iterate ``(index, rgba premultiplied uint8 (H, W, 4), annotations or None)`` in index order.

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
    session = _Session(scene, base_dir, backend)
    if workers <= 1 or len(indices) <= chunk:
        return _serial(session, indices, annotations)
    return _parallel(scene, base_dir, indices, annotations, workers, chunk, backend)


def _serial(session, indices, annotations):
    yield from session.iter_render(indices, annotations)


def _parallel(scene, base_dir, indices, annotations, workers, chunk, backend="skia"):
    from .animators import warm_up

    warm_up()  # compile kernels into the on-disk cache before workers start
    chunks = [indices[s:s + chunk] for s in range(0, len(indices), chunk)]
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init, initargs=(scene, base_dir, backend)) as ex:
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


def render_frame(scene, index: int = 0, annotations: bool = False, base_dir: str | None = None,
                 backend: str = "skia"):
    """One frame as an RGBA array (and its annotations when asked), drawn by ``backend``."""
    for _, arr, ann in iter_frames(scene, [index], annotations=annotations, base_dir=base_dir, backend=backend):
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
           culane_dir=None, lane_masks=None, backend: str = "skia") -> RenderResult:
    """Render a scene (or scene file) to ``output``: ``.mp4``, ``.png`` (one frame), ``dir/%05d.png``,
    ``.svg`` (one frame) or ``.pdf`` (a page per frame; vector output is always drawn by Cairo).

    ``frames``: an iterable of frame indices (default: all; for a single .png, the first).
    ``annotations``: path of a JSON file receiving exact per-frame annotations.
    ``progress``: a callable ``(done, total)`` called after each frame.
    ``tusimple`` / ``culane_dir``: lane labels of road nodes in TuSimple (JSON lines) and CULane
    (``.lines.txt`` per frame) formats; ``raw_file`` names the frame's image (or ``clip.mp4#N``).
    ``lane_masks``: a pattern like ``masks/%05d.png`` receiving per-class lane-marking masks.
    ``backend``: "skia" (default) or "cairo" draws the raster frames.
    """
    from .annotation_writer import AnnotationWriter
    from .sinks import open_sink

    scene, base_dir = _as_scene(scene, base_dir)
    output = os.fspath(output)
    if output.lower().endswith((".svg", ".pdf")):
        from .vector import render_vector

        if tusimple is not None or culane_dir is not None or lane_masks is not None:
            raise ValueError(f"{output}: lane labels and masks come with raster output (.png, .mp4)")
        return render_vector(scene, output, frames, base_dir=base_dir, limits=limits, annotations=annotations)
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
    stream = iter_frames(scene, indices, annotations=want_ann, workers=workers, limits=limits,
                         base_dir=base_dir, backend=backend)
    ann_out = None
    if annotations is not None:
        ann_out = AnnotationWriter(annotations, {"format": "symbolreel-annotations/1", "width": c.width,
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
                    ann_out.add({"frame": i, "t": c.time(i), "objects": ann})
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
