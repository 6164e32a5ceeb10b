"""What one process holds to draw frames of a scene: the compiled scene, its renderer and backend
(:class:`Session`), and what happens to each frame besides its pixels (:class:`FrameWork`).

Built once per process by the public API (api.py) in the calling process and by every worker
process (parallel.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .annotate import frame_annotations
from .backends.skia import SkiaBackend
from .compile import CompiledScene
from .errors import SceneError
from .lane_export import frame_lane_rows
from .masks import lane_mask, masks_of
from .raster import Renderer
from .limits import DEFAULT_LIMITS, Limits
from .scene import Scene
from .sinks import write_label_png

BATCH = 16  # frames sampled per kernel call


BACKENDS = ("skia", "cairo")


def make_backend(name: str = "skia"):
    """The raster backend called ``name``: "skia" (default, fastest) or "cairo" (cairocffi)."""
    if name == "skia":
        return SkiaBackend()
    if name == "cairo":
        return cairo_backend()
    raise ValueError(f"unknown backend {name!r}; expected one of {', '.join(BACKENDS)}")


def cairo_backend():
    """A Cairo backend, or a clear error naming the system library to install when it is missing."""
    try:  # deferred: cairocffi fails to import without the system Cairo library
        from .backends.cairo import CairoBackend
    except (OSError, ImportError) as exc:  # cairocffi raises OSError when the system library is missing
        raise SceneError("SVG and PDF output need the Cairo library (Debian/Ubuntu: apt-get install libcairo2): "
                         f"{exc}") from None
    return CairoBackend()


class Session:
    """Compiled scene + renderer, built once per process."""

    def __init__(self, scene: Scene, base_dir: str | None, backend: str = "skia", limits: Limits = DEFAULT_LIMITS):
        self.compiled = CompiledScene(scene, base_dir)
        self.limits = limits                      # what the frames are drawn under (max_dashes is per frame)
        self.renderer = Renderer(self.compiled, make_backend(backend), limits)
        self.mask_kinds: frozenset = frozenset()   # masks the frames' display lists must carry items for
        self.last_frame = None                     # display list of the frame drawn last (masks come from it)

    def render(self, indices, annotations: bool):
        """Frames as a list (what worker processes send back)."""
        return list(self.iter_render(indices, annotations))

    def iter_render(self, indices, annotations: bool, into=None):
        """Yield ``(index, frame, annotations)``; frames are produced one at a time (nothing is held back).

        ``into``: optional (n, H, W, 4) uint8 array; frame k is drawn into ``into[k]`` (a shared-memory
        slot) instead of a new array.
        """
        c, r = self.compiled, self.renderer
        blur = c.scene.motion_blur
        blurred = blur is not None and blur.samples > 1 and blur.shutter > 0
        pos = 0
        for s in range(0, len(indices), BATCH):
            idx = list(indices[s:s + BATCH])
            times = c.times(idx)
            samples, world, opacity = c.sample(times)
            for k, i in enumerate(idx):
                t = float(times[k])
                target = None if into is None else into[pos]
                pos += 1
                if blurred:
                    arr = self._blurred(t, blur)
                    if target is not None:
                        np.copyto(target, arr)
                        arr = target
                else:
                    arr = self._draw(t, samples[k], world[k], opacity[k], target)
                # the display list just drawn for t (a motion-blurred frame's last one is a sub-frame's)
                shown = None if blurred else self.last_frame
                ann = frame_annotations(r, t, samples[k], world[k], opacity[k], shown) if annotations else None
                yield i, arr, ann

    def _draw(self, t, row, world, opacity, target=None):
        r = self.renderer
        frame = self.last_frame = r.emit(t, row, world, opacity, self.mask_kinds)
        if target is None:
            return r.backend.render(frame)
        r.backend.render_into(frame, target)
        return target

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


class FrameWork:
    """What happens to a frame besides its pixels, in whichever process drew it: the record sent on
    (annotations, lane-label rows) and the lane-mask file written beside it."""

    def __init__(self, session: Session, job):
        self.session, self.job = session, job
        if job.lane_masks is not None:  # the display lists carry the lane-class regions
            session.mask_kinds = session.mask_kinds | {"lane"}

    def finish(self, i: int, ann) -> tuple:
        job = self.job
        rows = None
        if job.lanes is not None:
            rows = frame_lane_rows(ann, *job.lanes)
        if job.lane_masks is not None:
            s = self.session
            blur = s.compiled.scene.motion_blur
            if s.last_frame is not None and "lane" in s.mask_kinds and not (blur and blur.samples > 1):
                mask = masks_of(s.last_frame, s.renderer.backend, ("lane",))["lane"]  # the frame just drawn
            else:
                mask = lane_mask(s.compiled.scene, i, renderer=s.renderer)
            write_label_png(job.lane_masks % i, mask)
        return (ann if job.annotations else None), rows


@dataclass
class RenderResult:
    output: str
    frames: int
    width: int
    height: int
    annotations: str | None = None
    extra: dict = field(default_factory=dict)
