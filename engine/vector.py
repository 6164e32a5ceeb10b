"""Vector output: frames as SVG (one frame) or PDF (one page per frame), drawn by the Cairo backend.

Geometry stays vector (paths with their exact coordinates, colours and opacity); text is written as
glyph outlines (no font files are embedded, so the file looks the same everywhere); drop shadows
are embedded as images. Files are deterministic: no timestamps, element ids numbered from the file
itself, and they are written to a temporary name and renamed when complete (like every sink).
"""
from __future__ import annotations

import io
import re

from .annotation_writer import AnnotationWriter
from .compile import CompiledScene
from .raster import Renderer
from .records import FORMAT, FrameRecord
from .scene import DEFAULT_LIMITS
from .session import RenderResult, cairo_backend
from .sinks import atomic_output


_ID = re.compile(rb'(?<=id=")([A-Za-z_-]+?)(\d+)(?=")')


def _renumber_ids(svg: bytes) -> bytes:
    """Cairo numbers SVG element ids with process-wide counters; renumber them in order of appearance
    so the same frame gives the same bytes in any process, at any point of a run."""
    mapping: dict = {}
    for m in _ID.finditer(svg):
        key = m.group(0)
        if key not in mapping:
            mapping[key] = m.group(1) + str(len(mapping) + 1).encode()
    if not mapping:
        return svg
    pattern = re.compile(rb'(?<=["#(])(' + b"|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
                         + rb')(?=["),])')
    return pattern.sub(lambda m: mapping[m.group(1)], svg)


def svg_bytes(frame) -> bytes:
    """One display list (:class:`symbolreel.ir.Frame`) as SVG bytes."""
    import cairocffi as cairo  # deferred: it fails to import without the system Cairo library

    backend = cairo_backend()
    buf = io.BytesIO()
    surface = cairo.SVGSurface(buf, frame.width, frame.height)
    surface.restrict_to_version(cairo.SVG_VERSION_1_1)
    surface.set_document_unit(cairo.SVG_UNIT_PX)
    backend.draw(cairo.Context(surface), frame)
    surface.finish()
    return _renumber_ids(buf.getvalue())


def pdf_bytes(frames) -> bytes:
    """Display lists as a PDF, one page each (page size = frame size, 1 px = 1 pt)."""
    import cairocffi as cairo  # deferred: it fails to import without the system Cairo library

    backend = cairo_backend()
    frames = list(frames)
    if not frames:
        raise ValueError("a PDF needs at least one frame")
    buf = io.BytesIO()
    surface = cairo.PDFSurface(buf, frames[0].width, frames[0].height)
    surface.set_metadata(cairo.PDF_METADATA_CREATOR, "symbolreel")
    surface.set_metadata(cairo.PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z")
    surface.set_metadata(cairo.PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z")
    ctx = cairo.Context(surface)
    for k, frame in enumerate(frames):
        if k:
            surface.set_size(frame.width, frame.height)
        backend.draw(ctx, frame)
        ctx.show_page()
    surface.finish()
    return buf.getvalue()


def render_vector(scene, output: str, frames=None, *, base_dir=None, limits=None, annotations=None):
    """Write frames of ``scene`` to ``output`` (.svg: exactly one frame, default 0; .pdf: a page per frame,
    default all), with optional per-frame annotations (the same records as raster output)."""
    scene.check_limits(limits or DEFAULT_LIMITS)
    n = scene.n_frames
    svg = output.lower().endswith(".svg")
    indices = ([0] if svg else list(range(n))) if frames is None else [int(i) for i in frames]
    for i in indices:
        if not 0 <= i < n:
            raise IndexError(f"frame {i} is outside the scene's {n} frames (0..{n - 1})")
    if svg and len(indices) != 1:
        raise ValueError(f"{output}: an .svg holds one frame, but {len(indices)} were requested; "
                         f"use a .pdf for several")
    renderer = Renderer(CompiledScene(scene, base_dir), cairo_backend(), limits or DEFAULT_LIMITS)
    c = scene.canvas
    ann_out = None
    if annotations is not None:
        ann_out = AnnotationWriter(annotations, {"format": FORMAT, "width": c.width,
                                                 "height": c.height, "fps": c.fps, "seed": scene.seed})
    try:
        lists = []
        comp = renderer.c
        for s in range(0, len(indices), 16):
            idx = indices[s:s + 16]
            times = comp.times(idx)
            samples, world, opacity = comp.sample(times)
            for k, i in enumerate(idx):
                t = float(times[k])
                lists.append(renderer.emit(t, samples[k], world[k], opacity[k]))
                if ann_out is not None:
                    ann_out.add(FrameRecord(frame=i, t=c.time(i),
                                            objects=renderer.annotations(t, samples[k], world[k], opacity[k])))
        data = svg_bytes(lists[0]) if svg else pdf_bytes(lists)
        with atomic_output(output) as tmp:  # partial name, stale-partial cleanup: as every sink
            tmp.write_bytes(data)
    except BaseException as exc:
        if ann_out is not None:
            ann_out.abort(exc)
        raise
    if ann_out is not None:
        ann_out.close()
    return RenderResult(output, len(indices), c.width, c.height, annotations)
