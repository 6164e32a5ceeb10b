"""Errors users see: every scene problem names the file, the path inside it and what was expected."""
from __future__ import annotations

import difflib


def format_path(path) -> str:
    """``("nodes", 3, "transform", "position")`` -> ``nodes[3].transform.position``."""
    out = ""
    path = tuple(path)
    if len(path) > 16:  # a path through deep nesting: its ends say where
        return format_path(path[:6]) + "..." + format_path(path[-6:]).lstrip(".")
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(value) -> str:
    """Short, readable rendering of a found value for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = type(value).__name__
    if value is None:
        return "nothing (null)"
    return f"{text} ({kind})"


class SymbolreelError(Exception):
    """Base class of all errors symbolreel raises on purpose."""


class SceneError(SymbolreelError, ValueError):
    """Invalid scene input. ``str()`` gives ``file:line:col: path: message``."""

    def __init__(self, message: str, path=(), file: str | None = None, line: int | None = None,
                 column: int | None = None):
        self.message = message
        self.path = tuple(path)
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def located(self, file=None, marks=None) -> "SceneError":
        """Copy with the file name and the YAML line of the path (if known) filled in."""
        line, col = self.line, self.column
        if marks is not None and line is None:
            path = self.path
            while path and path not in marks:
                path = path[:-1]
            if path in marks:
                line, col = marks[path]
        return type(self)(self.message, self.path, file or self.file, line, col)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{format_path(self.path)}: {self.message}"


class LimitError(SceneError):
    """A scene exceeds a configured safety limit (canvas size, frame count, ...)."""


class RenderError(SymbolreelError):
    """Rendering or output failed for a reason that is not the scene's fault (a sink could not be
    opened or written, a worker process died). :class:`symbolreel.sinks.SinkError` is one."""


class UsageError(SymbolreelError, ValueError):
    """Arguments that do not fit the scene or each other (frame range, output name, options)."""
