"""Shared by the drivers (each runs in its own venv, so standard library only).

A driver is ``python drive_X.py JOB.json``: it renders every word of ``job["words"]`` (one per
line) as a small black-on-white PNG with ``job["font"]`` at ``job["size"]`` px, into
``job["out"]``, with ``job["workers"]`` processes, and prints one JSON line
``{"items", "setup_s", "render_s", "version"}`` (setup: imports and constructors; render: the
loop that draws and writes the files).
"""
import json
import sys
import time

T0 = time.perf_counter()


def read_job() -> dict:
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    with open(job["words"], encoding="utf-8") as fh:
        job["word_list"] = [w.rstrip("\n") for w in fh if w.strip()]
    return job


def report(items: int, t_setup_done: float, t_end: float, version: str) -> None:
    print(json.dumps({"items": items, "setup_s": t_setup_done - T0, "render_s": t_end - t_setup_done,
                      "version": version}), flush=True)
