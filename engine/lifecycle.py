"""Process lifecycle: interrupts, temporary files of killed runs, and workers that outlive their parent.

- SIGTERM is turned into :class:`Terminated` (a ``KeyboardInterrupt``), so the cleanup that runs on
  Ctrl-C (temporary files removed, encoders stopped) runs on ``kill`` too.
- A temporary output file is named ``.<name>.partial-<pid>-<random><ext>``. A run killed with
  SIGKILL cannot clean up, so the next write into the same directory removes every partial file
  whose process no longer exists (:func:`remove_stale_partials`).
- Worker processes watch their parent and exit when it is gone (:func:`exit_with_parent`), so a
  ``kill -9`` of ``render --workers N`` leaves no orphan rendering on.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import re
import signal
import threading
import time

__all__ = ["Terminated", "handle_sigterm", "partial_name", "remove_stale_partials", "exit_with_parent"]

_PARTIAL = re.compile(r"^\..+\.partial-(?:(\d+)-)?[0-9a-f]+(?:\.[^.]*)?$")
_scanned: set = set()
_lock = threading.Lock()


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM."""


def _raise_terminated(signum, frame):
    raise Terminated(f"terminated by signal {signum}")


@contextlib.contextmanager
def handle_sigterm():
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def partial_name(stem: str, suffix: str, token: str) -> str:
    """Name of a temporary file next to its target; it carries the writer's pid."""
    return f".{stem}.partial-{os.getpid()}-{token}{suffix}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed worker whose parent died too stays a zombie where nothing reaps orphans (a container
    whose first process is not an init); it answers ``kill(pid, 0)`` but will never write again."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in (b"Z", b"X")


def remove_stale_partials(directory, force: bool = False) -> list:
    """Delete partial files in ``directory`` left by processes that no longer exist; return their names.

    Runs once per directory and process (unless ``force``): writing a frame sequence does not list
    its directory once per frame. Partial files of running processes are left alone; names without
    a pid (written by older versions) count as stale.
    """
    directory = os.path.abspath(os.fspath(directory))
    with _lock:
        if directory in _scanned and not force:
            return []
        _scanned.add(directory)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _PARTIAL.match(name)
        if m is None or (m.group(1) is not None and _alive(int(m.group(1)))):
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)   # a killed run's folder of video segments
            else:
                os.unlink(path)
            removed.append(name)
    return removed


def exit_with_parent(interval: float = 0.5, owner: int | None = None) -> None:
    """In a worker process: exit as soon as the parent process is gone (a daemon thread polls), or, with
    ``owner``, the process that asked for the worker (a worker started by a fork server has the server
    as its parent, which may outlive a killed run)."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(interval)
            if os.getppid() != parent or (owner is not None and not _alive(owner)):
                os._exit(1)

    threading.Thread(target=watch, name="symbolreel-parent-watch", daemon=True).start()
