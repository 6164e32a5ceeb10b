"""Streaming writer of the per-clip annotations JSON (``symbolreel-annotations/2``, see records.py).

Frames are written as they are rendered, so a long clip's annotations are never all held in
memory; the file appears under its real name only when the clip is complete (a temporary file
is renamed onto it), and is removed if rendering fails. The bytes equal ``json.dump`` of the
whole document with compact separators.
"""
from __future__ import annotations

import contextlib
import json
import os

from .sinks import atomic_output

__all__ = ["AnnotationWriter"]


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class AnnotationWriter:
    """``AnnotationWriter(path, header)``: ``add(record)`` per frame, then ``close()`` (or
    ``abort()``). ``header``: the document's fields before ``frames``."""

    def __init__(self, path, header: dict):
        self.path = os.fspath(path)
        self._stack = contextlib.ExitStack()
        tmp = self._stack.enter_context(atomic_output(self.path))
        self._fh = self._stack.enter_context(open(tmp, "w", encoding="utf-8"))
        head = _dumps(header)
        self._fh.write(head[:-1] + ("," if header else "") + '"frames":[')
        self._first = True

    def add(self, record) -> None:
        """Append one frame: a :class:`~symbolreel.records.FrameRecord` (or its JSON data)."""
        self._fh.write(("" if self._first else ",") + _dumps(record.to_json() if hasattr(record, "to_json")
                                                           else record))
        self._first = False

    def close(self) -> None:
        """Finish the document and move it to its real name."""
        self._fh.write("]}")
        self._stack.close()

    def abort(self, exc: BaseException | None = None) -> None:
        """Delete the partial file; ``path`` is left as it was."""
        exc = exc or RuntimeError("annotations aborted")
        self._stack.__exit__(type(exc), exc, exc.__traceback__)
