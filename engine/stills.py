"""Many still images, fast: draw on the calling thread, encode PNGs on a thread pool.

Skia drawing holds the GIL, but zlib compression releases it, so PNG encoding (which dominates
small stills) overlaps with drawing the next image. Output bytes are identical to
:func:`symbolreel.sinks.write_png` with the same options.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from .api import render_frame
from .sinks import write_png


class StillWriter:
    """Render scenes to PNG files with encoding off the drawing path.

    ::

        with StillWriter(compress_level=1) as w:
            for i, scene in enumerate(scenes):
                w.render(scene, f"out/{i:06d}.png")

    Errors from any write are raised (at the latest on exit); at most ``2 * threads`` encoded
    images are in flight, so memory stays bounded.
    """

    def __init__(self, compress_level: int = 6, threads: int | None = None):
        self.compress_level = compress_level
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="png")
        self._pending: deque = deque()

    def write(self, frame, path) -> None:
        """Queue an already rendered RGBA frame for writing."""
        while len(self._pending) >= 2 * self.threads:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(write_png, path, frame, self.compress_level))

    def render(self, scene, path, frame: int = 0, annotations: bool = False):
        """Render ``frame`` of ``scene`` and queue it; returns the annotations when asked."""
        result = render_frame(scene, frame, annotations=annotations)
        arr, ann = result if annotations else (result, None)
        self.write(arr, path)
        return ann

    def close(self) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for fut in self._pending:
                fut.cancel()
        self.close()
        return False
