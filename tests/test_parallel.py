"""Worker processes: same pixels, decoded video frames, annotations and lane outputs for any worker
count; nothing (processes, shared memory, partial files) is left behind when a run is interrupted."""
from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing as mp
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import symbolreel as sr
from symbolreel import parallel, worker_pool
from symbolreel.sinks import read_video_frames

from processes import alive as _alive

EXAMPLES = Path(__file__).parent.parent / "examples"


def _sha(a) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _clip(n: int = 50, fps: float = 10.0) -> sr.Scene:
    # 2 s segments at 10 fps: 50 frames = 3 segments (20, 20, 10)
    d = n / fps
    return sr.Scene(canvas=sr.Canvas(width=96, height=64, fps=fps, frames=n, background="#FFF8E7"), nodes=[
        sr.Rect(size=(50, 30), fill="#E9C46A", stroke=sr.Stroke(color="#264653", width=2),
                transform=sr.Transform(position=(48, 32), rotation=sr.keys((0, 0), (d, 90)))),
        sr.Text(text="Ag符", size=18, fill="#1D3557",
                transform=sr.Transform(position=sr.keys((0, (20, 20)), (d, (76, 44))))),
    ])


def _files(pattern: str) -> dict:
    return {os.path.basename(p): Path(p).read_bytes() for p in sorted(glob.glob(pattern))}


def test_numpy_frames_identical_for_any_worker_count():
    scene = _clip(40)
    ref = [_sha(a) for a in sr.frames(scene, workers=1)]
    for workers in (2, 3):
        got = [(i, _sha(a), ann) for i, a, ann in sr.iter_frames(scene, workers=workers, chunk=3, annotations=True)]
        assert [i for i, _, _ in got] == list(range(40))
        assert [h for _, h, _ in got] == ref
        serial = [ann for _, _, ann in sr.iter_frames(scene, annotations=True)]
        assert [ann for _, _, ann in got] == serial


def test_mp4_decoded_frames_identical_for_any_worker_count(tmp_path):
    scene = _clip(50)
    assert len(parallel.segment_bounds(50, 10.0)) == 3
    decoded = {}
    for workers in (1, 2, 3):
        out = tmp_path / f"w{workers}.mp4"
        res = sr.render(scene, out, workers=workers, preset="ultrafast", annotations=tmp_path / f"w{workers}.json")
        assert res.frames == 50
        decoded[workers] = [_sha(f) for f in read_video_frames(out)]
        assert len(decoded[workers]) == 50
    assert decoded[1] == decoded[2] == decoded[3]
    assert (tmp_path / "w1.json").read_bytes() == (tmp_path / "w2.json").read_bytes() == \
        (tmp_path / "w3.json").read_bytes()
    # the joined file is the clip: decoded frames follow the drawn ones, colour tags survive the join
    drawn = list(sr.frames(scene))
    for k, got in enumerate(read_video_frames(tmp_path / "w2.mp4")):
        err = np.abs(got.astype(int) - drawn[k][..., :3].astype(int)).mean()
        assert err < 4, (k, err)
    info = sr.sinks.probe_video(tmp_path / "w2.mp4")
    assert (info["n_frames"], info["fps"], info["pix_fmt"]) == (50, 10.0, "yuv420p")
    assert "smpte170m" in _ffmpeg_stream_line(tmp_path / "w2.mp4")
    assert sorted(os.listdir(tmp_path)) == ["w1.json", "w1.mp4", "w2.json", "w2.mp4", "w3.json", "w3.mp4"]


def _ffmpeg_stream_line(path) -> str:
    import imageio_ffmpeg

    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                       capture_output=True, text=True)
    return next(line for line in r.stderr.splitlines() if "Video:" in line)


def test_segments_start_with_keyframes_fixed_by_the_scene(tmp_path):
    import imageio_ffmpeg

    out = tmp_path / "k.mp4"
    sr.render(_clip(50), out, workers=2, preset="ultrafast")
    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out), "-vf", "showinfo",
                        "-f", "null", "-"], capture_output=True, text=True)
    keys = [int(m.group(1)) for m in re.finditer(r"n:\s*(\d+).*?iskey:1", r.stderr)]
    assert keys[:3] == [0, 20, 40]


def test_road_annotations_lane_labels_and_masks_same_for_any_worker_count(tmp_path):
    scene = sr.load(EXAMPLES / "lanes_perspective.yaml")
    outs = {}
    for workers in (1, 2):
        d = tmp_path / f"w{workers}"
        d.mkdir()
        sr.render(scene, d / "f%03d.png", frames=range(0, 36), workers=workers, annotations=d / "ann.json",
                  tusimple=d / "lanes.json", culane_dir=d / "culane", lane_masks=str(d / "m%03d.png"))
        outs[workers] = d
    a, b = outs[1], outs[2]
    assert (a / "ann.json").read_bytes() == (b / "ann.json").read_bytes()
    ta = (a / "lanes.json").read_text().replace(str(a), "")
    tb = (b / "lanes.json").read_text().replace(str(b), "")
    assert ta == tb and len(ta.splitlines()) >= 36
    assert _files(str(a / "culane" / "*")) == _files(str(b / "culane" / "*"))
    masks = _files(str(a / "m*.png"))
    assert len(masks) == 36 and masks == _files(str(b / "m*.png"))
    assert _files(str(a / "f*.png")) == _files(str(b / "f*.png"))
    # frames written by workers are marked complete like those written here
    assert json.loads((a / "fmanifest.json").read_text()) == json.loads((b / "fmanifest.json").read_text())
    assert json.loads((b / "fmanifest.json").read_text())["files"] == [f"f{i:03d}.png" for i in range(36)]
    doc = json.loads((a / "ann.json").read_text())
    assert [f["frame"] for f in doc["frames"]] == list(range(36))


def test_mp4_lane_masks_written_by_workers(tmp_path):
    import dataclasses

    scene = sr.load(EXAMPLES / "lanes_perspective.yaml")
    scene = scene.replace(canvas=dataclasses.replace(scene.canvas, fps=15.0, duration=4.0))  # 2 segments
    for workers in (1, 2):
        sr.render(scene, tmp_path / f"r{workers}.mp4", workers=workers, preset="ultrafast",
                  lane_masks=str(tmp_path / f"m{workers}_%03d.png"))
    assert len(_files(str(tmp_path / "m1_*.png"))) == 60
    one = list(_files(str(tmp_path / "m1_*.png")).values())
    two = list(_files(str(tmp_path / "m2_*.png")).values())
    assert one == two


def _shm_names() -> set:
    return {n for n in os.listdir("/dev/shm") if n.startswith(parallel.SHM_PREFIX)} if os.path.isdir("/dev/shm") \
        else set()


def test_interrupted_parallel_iteration_leaves_no_processes_or_shared_memory():
    before = _shm_names()
    it = sr.iter_frames(_clip(200), workers=2, chunk=4)
    got = [next(it) for _ in range(5)]
    pids = [p.pid for p in mp.active_children()]
    assert pids
    assert _shm_names() == before                     # the ring's name is unlinked once every worker mapped it
    it.close()                                        # the consumer stops early
    assert _shm_names() == before
    assert worker_pool.cached_workers() == 0          # workers that may still be drawing are not kept
    assert not [p for p in pids if _alive(p)]
    assert [i for i, _, _ in got] == list(range(5))


def test_error_in_worker_leaves_no_partial_video(tmp_path):
    out = tmp_path / "x.mp4"
    with pytest.raises(Exception):
        sr.render(_clip(50), out, workers=2, preset="no-such-preset")
    assert os.listdir(tmp_path) == []


def _words(n):
    rng = np.random.default_rng([3, 8])
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(rng.choice(letters, 8)) for _ in range(n)]


def _still(word):
    return sr.Scene(canvas=sr.Canvas(width=64, height=32),
                    nodes=[sr.Text(text=word, size=14, fill="black", transform=sr.Transform(position=(32, 16)))])


def test_render_stills_same_bytes_in_processes(tmp_path):
    words = _words(40)
    with sr.StillWriter() as w:                       # threads, in this process
        for i, word in enumerate(words):
            w.render(_still(word), tmp_path / "t" / f"{i:03d}.png")
    for workers in (1, 2):
        assert sr.render_stills((_still(w) for w in words), str(tmp_path / f"p{workers}" / "%03d.png"),
                                workers=workers) == 40
    ref = _files(str(tmp_path / "t" / "*.png"))
    assert len(ref) == 40
    assert _files(str(tmp_path / "p1" / "*.png")) == ref == _files(str(tmp_path / "p2" / "*.png"))
    for workers in (1, 2):   # the pattern's files are listed once all are written
        manifest = json.loads((tmp_path / f"p{workers}" / "manifest.json").read_text())
        assert manifest["complete"] is True and manifest["files"] == sorted(ref)


def test_render_stills_one_worker_draws_in_this_process(tmp_path, monkeypatch):
    """workers=1 (and "auto" on one core) starts no process pool: a pool would only add its start."""
    def no_pool(*a, **k):
        raise AssertionError("render_stills started a process pool")
    monkeypatch.setattr(worker_pool, "acquire", no_pool)
    assert sr.render_stills((_still(w) for w in _words(3)), str(tmp_path / "a%d.png"), workers=1) == 3
    monkeypatch.setattr(parallel, "cpu_count", lambda: 1)
    assert sr.render_stills((_still(w) for w in _words(3)), str(tmp_path / "b%d.png")) == 3
    with pytest.raises(ValueError, match="positive integer"):
        sr.render_stills([], str(tmp_path / "c%d.png"), workers=True)


def test_still_writer_queues_read_only_frames_as_copies(tmp_path):
    """Frames from ``iter_frames(copy=False)`` in one process are views of one reused buffer; the
    writer encodes later on its threads, so it must not keep the view."""
    scene = _clip(40)
    with sr.StillWriter(threads=1) as w:
        for i, arr, _ in sr.iter_frames(scene, copy=False):
            w.write(arr, tmp_path / f"{i:03d}.png")
    with sr.StillWriter(threads=1) as w:
        for i, arr in enumerate(sr.frames(scene)):
            w.write(arr, tmp_path / f"ref{i:03d}.png")
    assert [(tmp_path / f"{i:03d}.png").read_bytes() for i in range(40)] == \
        [(tmp_path / f"ref{i:03d}.png").read_bytes() for i in range(40)]


def test_still_writer_workers_write_annotations(tmp_path):
    with sr.StillWriter(workers=2) as w:
        for i, word in enumerate(_words(5)):
            assert w.render(_still(word), tmp_path / f"{i}.png", annotations_path=tmp_path / f"{i}.json") is None
        with pytest.raises(ValueError, match="annotations_path"):
            w.render(_still("x"), tmp_path / "x.png", annotations=True)
    _, ann = sr.render_frame(_still(_words(5)[3]), annotations=True)
    assert json.loads((tmp_path / "3.json").read_text()) == json.loads(json.dumps(ann))


def test_fork_server_path_when_other_threads_run():
    import threading

    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert parallel.context().get_start_method() == "forkserver"
        scene = _clip(24)
        ref = [_sha(a) for a in sr.frames(scene)]
        worker_pool.shutdown()                  # workers kept from an earlier test were forked
        assert [_sha(a) for _, a, _ in sr.iter_frames(scene, workers=2, chunk=4)] == ref
        assert {type(p).__name__ for p in worker_pool._cached.procs} == {"ForkServerProcess"}
        assert [_sha(a) for _, a, _ in sr.iter_frames(_clip(30), workers=2, chunk=4)] == \
            [_sha(a) for a in sr.frames(_clip(30))]
        worker_pool.shutdown()
    finally:
        stop.set()
        t.join()
    if threading.active_count() == 1:           # other tests may have left daemon threads behind
        assert parallel.context().get_start_method() == "fork"


@pytest.mark.parametrize("cpus, video, units, want", [(1, True, 50, 1), (2, True, 50, 1), (2, False, 50, 2),
                                                      (8, True, 50, 4), (8, False, 50, 8), (16, True, 3, 3)])
def test_auto_workers_leaves_cores_to_x264(monkeypatch, cpus, video, units, want):
    """workers="auto" gives each video worker the cores its pinned x264 threads use; frames and PNG
    sequences take one core each. The count never exceeds the units of work (video segments)."""
    monkeypatch.setattr(parallel, "cpu_count", lambda: cpus)
    per = parallel.SEGMENT_X264_THREADS if video else 1
    assert parallel.resolve_workers("auto", 600, 854, 480, units, per) == want
    assert parallel.resolve_workers("auto", 10, 64, 64, units, per) == 1       # small job: one process
    assert parallel.resolve_workers(2, 10, 64, 64, units, per) == 2            # explicit counts are kept


def test_render_auto_video_uses_one_worker_on_two_cores(tmp_path, monkeypatch):
    """The API passes the x264 share for video: on two cores a heavy clip renders in one process."""
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "AUTO_MIN_WORK", 1)
    seen = []
    real = parallel.resolve_workers
    monkeypatch.setattr(parallel, "resolve_workers", lambda *a: seen.append(real(*a)) or seen[-1])
    sr.render(_clip(), tmp_path / "c.mp4", workers="auto")
    sr.render(_clip(), str(tmp_path / "f%03d.png"), workers="auto")
    assert seen == [1, 2]
