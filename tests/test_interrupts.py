"""Interrupted runs leave nothing behind: SIGTERM cleans up like Ctrl-C, partial files of killed runs are
removed by the next run, frame sequences are marked complete only at the end, workers die with their
parent. Real subprocesses and real signals."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from processes import alive as _running
from processes import state
from processes import wait_for as _wait_for

SLOW = """canvas: {width: 640, height: 480, fps: 30, frames: 2000, background: white}
nodes:
  - type: text
    text: "Interrupt me 中文"
    size: 48
    transform: {position: [320, 240], rotation: {keys: [[0, 0], [60, 3600]]}}
  - type: rect
    size: [300, 200]
    fill: "rgba(30, 90, 200, 0.4)"
    transform: {position: [100, 100], scale: {keys: [[0, 1], [60, 3]]}}
"""

RENDER = [sys.executable, "-m", "symbolreel", "render"]


def _start(tmp_path, *args):
    scene = tmp_path / "slow.yaml"
    scene.write_text(SLOW, encoding="utf-8")
    return subprocess.Popen(RENDER + [str(scene), "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _partials(folder: Path) -> list:
    return [p.name for p in folder.rglob("*") if ".partial-" in p.name]


def test_sigterm_removes_temporary_files(tmp_path):
    out = tmp_path / "out"
    proc = _start(tmp_path, "-o", str(out / "clip.mp4"), "--annotations", str(out / "ann.json"), "--preset",
                  "ultrafast")
    assert _wait_for(lambda: len(_partials(tmp_path)) >= 2), proc.communicate(timeout=5)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated" in err
    assert _partials(tmp_path) == []
    assert not (out / "clip.mp4").exists() and not (out / "ann.json").exists()


def test_next_run_removes_partials_of_killed_runs(tmp_path):
    out = tmp_path / "out"
    proc = _start(tmp_path, "-o", str(out / "clip.mp4"), "--preset", "ultrafast")
    assert _wait_for(lambda: _partials(tmp_path)), proc.communicate(timeout=5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    stale = _partials(tmp_path)
    assert stale, "a killed run leaves its temporary file (nothing can remove it then)"
    out.mkdir(exist_ok=True)
    (out / ".old.partial-0123abcd.png").write_bytes(b"x")          # an older version's name (no pid)
    mine = out / f".mine.partial-{os.getpid()}-00ff.png"             # a live writer's: must stay
    mine.write_bytes(b"x")
    scene = tmp_path / "small.yaml"
    scene.write_text("canvas: {width: 64, height: 64, frames: 3}\nnodes: [{type: rect}]\n", encoding="utf-8")
    done = subprocess.run(RENDER + [str(scene), "-q", "-o", str(out / "clip.mp4")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _partials(tmp_path) == [mine.name]
    assert (out / "clip.mp4").exists()


def test_png_sequence_is_marked_complete_only_at_the_end(tmp_path):
    frames = tmp_path / "frames"
    proc = _start(tmp_path, "-o", str(frames / "%05d.png"), "--compress-level", "1")
    assert _wait_for(lambda: frames.exists() and len(list(frames.glob("*.png"))) >= 3), proc.communicate(timeout=5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert list(frames.glob("*.png")) and not (frames / "manifest.json").exists()
    scene = tmp_path / "small.yaml"
    scene.write_text("canvas: {width: 64, height: 64, frames: 3}\nnodes: [{type: rect}]\n", encoding="utf-8")
    done = subprocess.run(RENDER + [str(scene), "-q", "-o", str(frames / "%05d.png")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((frames / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["files"] == ["00000.png", "00001.png", "00002.png"]
    assert _partials(tmp_path) == []


def _children(pid: int) -> list:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _descendants(pid: int) -> list:
    """Every process below ``pid`` (workers may be children of a fork server, not of the run itself)."""
    out, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        out.extend(kids)
        todo.extend(kids)
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_parent_is_killed(tmp_path):
    proc = _start(tmp_path, "-o", str(tmp_path / "clip.mp4"), "--workers", "2", "--preset", "ultrafast")
    # 2 workers + the resource tracker (+ the fork server the workers may come from)
    assert _wait_for(lambda: len(_descendants(proc.pid)) >= 3), proc.communicate(timeout=5)
    assert _wait_for(lambda: _partials(tmp_path), 180)  # workers are rendering
    kids = _descendants(proc.pid)
    proc.kill()  # SIGKILL to the parent only: nothing of it can clean up
    proc.communicate(timeout=30)
    assert _wait_for(lambda: not any(_running(k) for k in kids), 30), [k for k in kids if _running(k)]


def test_partials_of_zombie_processes_count_as_stale(tmp_path):
    # a SIGKILLed worker whose parent died too stays a zombie where nothing reaps orphans
    from symbolreel.lifecycle import remove_stale_partials
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert _wait_for(lambda: state(child.pid) == "Z", timeout=30)
    try:
        stale = tmp_path / f".frame.partial-{child.pid}-00ff.png"
        live = tmp_path / f".frame.partial-{os.getpid()}-00ff.png"
        stale.write_bytes(b"x")
        live.write_bytes(b"x")
        assert remove_stale_partials(tmp_path, force=True) == [stale.name]
        assert live.exists() and not stale.exists()
    finally:
        child.wait()
