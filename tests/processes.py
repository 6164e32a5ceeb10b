"""Process helpers for the tests that start, kill and watch real processes (Linux /proc)."""
from __future__ import annotations

import time


def state(pid: int) -> str | None:
    """The process's state letter from ``/proc/<pid>/stat`` ("R", "S", "Z", ...), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def alive(pid: int) -> bool:
    """Running: it exists and is not a zombie (a killed orphan nothing reaps stays one here)."""
    return state(pid) not in (None, "Z")


def wait_for(predicate, timeout: float = 120.0) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False
