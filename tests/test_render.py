"""Rendering for real: golden images, MP4 round trip, determinism, annotations, camera, motion blur."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symbolreel as sr
from conftest import EXAMPLES

SHAPES = """
canvas: {width: 96, height: 64, fps: 10, frames: 4, background: "#FFFFFF"}
nodes:
  - {type: rect, id: r, size: [30, 16], radius: 4, fill: "#E63946", transform: {position: [24, 20], rotation: 30}}
  - {type: ellipse, id: e, radius: [14, 8], fill: null, stroke: {color: "#1D3557", width: 3},
     transform: {position: [70, 20]}}
  - {type: polygon, id: p, points: [[10, 60], [40, 40], [50, 60]], fill: "rgba(42, 157, 143, 0.7)"}
  - {type: polyline, id: l, points: [[55, 60], [70, 42], [90, 58]], stroke: {width: 2, cap: round, dash: [5, 3]}}
  - {type: path, id: d, d: "M 60 30 q 10 -10 20 0 t 10 0", fill: null, stroke: {color: "#F4A261", width: 2}}
"""


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def test_shapes_golden(golden):
    golden("shapes", sr.render_frame(sr.loads(SHAPES), 0))


def test_text_card_golden(golden):
    golden("text_card_f45", sr.render_frame(sr.load(EXAMPLES / "text_card.yaml"), 45))


def test_geometry_golden(golden):
    golden("geometry_f20", sr.render_frame(sr.load(EXAMPLES / "geometry.yaml"), 20))


def test_frame_pixels_basic_facts():
    a = sr.render_frame(sr.loads(SHAPES), 0)
    assert a.shape == (64, 96, 4) and a.dtype == np.uint8
    assert tuple(a[20, 24]) == (0xE6, 0x39, 0x46, 255)   # inside the rotated rect
    assert tuple(a[0, 0]) == (255, 255, 255, 255)          # background
    assert tuple(a[20, 70]) == (255, 255, 255, 255)        # ellipse is outline only


def test_mp4_round_trip(tmp_path):
    from symbolreel.sinks import probe_video, read_video_frames

    scene = sr.load(EXAMPLES / "geometry.yaml")
    out = tmp_path / "g.mp4"
    res = sr.render(scene, out, crf=12)
    assert res.frames == scene.n_frames == 60
    info = probe_video(out)
    assert (info["width"], info["height"]) == (480, 360)
    assert info["n_frames"] == 60
    assert info["fps"] == pytest.approx(30)
    decoded = list(read_video_frames(out))
    assert len(decoded) == 60
    for k in (0, 29, 59):
        ref = sr.render_frame(scene, k)[..., :3].astype(np.int16)
        err = np.abs(decoded[k].astype(np.int16) - ref).mean()
        assert err < 2.5, (k, err)
    assert not [p for p in os.listdir(tmp_path) if "partial" in p]


def test_frames_identical_serial_parallel_and_reversed():
    scene = sr.load(EXAMPLES / "geometry.yaml")
    idx = list(range(0, 60, 3))
    serial = {i: _sha(a) for i, a, _ in sr.iter_frames(scene, idx)}
    pooled = {i: _sha(a) for i, a, _ in sr.iter_frames(scene, idx, workers=2, chunk=4)}
    backwards = {i: _sha(a) for i, a, _ in sr.iter_frames(scene, idx[::-1])}
    assert serial == pooled == backwards
    # and a fresh process gives the same pixels
    code = ("import hashlib, symbolreel as sr; a = sr.render_frame(sr.load(%r), 21);"
            "print(hashlib.sha256(a.tobytes()).hexdigest())" % str(EXAMPLES / "geometry.yaml"))
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert fresh == serial[21]


def _coverage_vs_quad(alpha: np.ndarray, quad) -> tuple:
    """Share of ink inside the quad, and the amount of ink farther than 1.5 px outside it."""
    import skia

    h, w = alpha.shape
    mask = np.zeros((h, w, 4), np.uint8)
    surf = skia.Surface(mask)
    with surf as c:
        path = skia.Path()
        path.addPoly([skia.Point(*p) for p in quad], True)
        c.drawPath(path, skia.Paint(Color=skia.ColorWHITE, AntiAlias=False))
        c.drawPath(path, skia.Paint(Color=skia.ColorWHITE, AntiAlias=False, Style=skia.Paint.kStroke_Style,
                                    StrokeWidth=3.0))
    inside = mask[..., 3] > 0
    ink = alpha.astype(np.float64)
    return ink[inside].sum() / max(ink.sum(), 1), ink[~inside].max(initial=0)


def test_annotation_quad_of_rotated_rect_matches_pixels():
    scene = sr.Scene(canvas=sr.Canvas(width=200, height=160, background=None),
                     nodes=[sr.Rect(id="r", size=(90, 40), fill="black",
                                    transform=sr.Transform(position=(100, 80), rotation=37, scale=(1.2, 0.9)))])
    a, ann = sr.render_frame(scene, 0, annotations=True)
    (obj,) = ann
    assert obj["id"] == "r"
    share, outside = _coverage_vs_quad(a[..., 3], obj["quad"])
    assert share > 0.999 and outside == 0
    # the box is the quad's bounds
    xs = [p[0] for p in obj["quad"]]
    assert obj["bbox"][0] == pytest.approx(min(xs), abs=0.01)
    ys, xs_ = np.nonzero(a[..., 3] > 0)
    assert xs_.min() >= obj["bbox"][0] - 1 and xs_.max() <= obj["bbox"][2] + 1
    assert ys.min() >= obj["bbox"][1] - 1 and ys.max() <= obj["bbox"][3] + 1


def test_annotation_of_rotated_text_matches_pixels():
    scene = sr.Scene(canvas=sr.Canvas(width=320, height=240, background=None),
                     nodes=[sr.Text(id="t", text="Skew Test 测试", size=36,
                                    transform=sr.Transform(position=(160, 120), rotation=-25))])
    a, ann = sr.render_frame(scene, 0, annotations=True)
    (obj,) = ann
    assert obj["text"] == "Skew Test 测试"
    assert [c["char"] for c in obj["chars"]] == list("SkewTest测试")
    assert [w["text"] for w in obj["words"]] == ["Skew", "Test", "测试"]
    share, outside = _coverage_vs_quad(a[..., 3], obj["quad"])
    assert share > 0.995 and outside < 40
    # the ink lies inside the union of the character quads
    import skia

    mask = np.zeros(a.shape, np.uint8)
    with skia.Surface(mask) as c:
        for ch in obj["chars"]:
            path = skia.Path()
            path.addPoly([skia.Point(*p) for p in ch["quad"]], True)
            c.drawPath(path, skia.Paint(Color=skia.ColorWHITE, Style=skia.Paint.kStrokeAndFill_Style,
                                        StrokeWidth=2.0))
    ink_in_chars = mask[..., 3] > 0
    alpha = a[..., 3].astype(float)
    assert alpha[ink_in_chars].sum() / alpha.sum() > 0.995


def test_camera_maps_position_to_centre_and_zooms():
    dot = sr.Circle(id="dot", radius=3, fill="red", transform=sr.Transform(position=(30, 40)))
    scene = sr.Scene(canvas=sr.Canvas(width=100, height=80), camera=sr.Camera(position=(30, 40), zoom=2.0),
                     nodes=[dot])
    a, ann = sr.render_frame(scene, 0, annotations=True)
    assert tuple(a[40, 50][:3]) == (255, 0, 0)
    x0, y0, x1, y1 = ann[0]["bbox"]
    assert (x1 - x0) == pytest.approx(12, abs=0.01) and (x0 + x1) / 2 == pytest.approx(50)
    assert (y0 + y1) / 2 == pytest.approx(40)


def test_camera_pan_is_animatable():
    scene = sr.loads("""
canvas: {width: 100, height: 100, fps: 10, frames: 11}
camera: {position: {keys: [[0, [50, 50]], [1, [60, 50]]]}}
nodes: [{type: circle, id: c, radius: 5, fill: black, transform: {position: [50, 50]}}]
""")
    _, ann0 = sr.render_frame(scene, 0, annotations=True)
    _, ann10 = sr.render_frame(scene, 10, annotations=True)
    cx = lambda ann: (ann[0]["bbox"][0] + ann[0]["bbox"][2]) / 2  # noqa: E731
    assert cx(ann0) == pytest.approx(50) and cx(ann10) == pytest.approx(40)


def test_motion_blur_smears_moving_and_keeps_static():
    moving = """
canvas: {width: 120, height: 40, fps: 10, frames: 3, background: white}
%s
nodes:
  - {type: rect, id: s, size: [10, 10], fill: black,
     transform: {position: {keys: [[0, [20, 20]], [1, [120, 20]]]}}}
  - {type: rect, id: still, size: [6, 6], fill: black, transform: {position: [100, 20]}}
"""
    sharp = sr.render_frame(sr.loads(moving % ""), 1)
    blurred = sr.render_frame(sr.loads(moving % "motion_blur: {shutter: 360, samples: 8}"), 1)
    # at t=0.1 the square spans x=25..35; with a full shutter it sweeps on to x=35..45 in the frame
    row_sharp, row_blur = sharp[20, :, 0], blurred[20, :, 0]
    assert row_sharp[40] == 255 and row_blur[40] < 200            # smeared into x=40
    assert 0 < row_blur[30] < 255 or row_blur[30] == 0
    assert np.array_equal(sharp[:, 90:110], blurred[:, 90:110])     # static part identical
    again = sr.render_frame(sr.loads(moving % "motion_blur: {shutter: 360, samples: 8}"), 1)
    assert np.array_equal(blurred, again)


def test_trim_is_reflected_in_annotations():
    scene = sr.loads("""
canvas: {width: 200, height: 50, fps: 10, frames: 11, background: null}
nodes:
  - {type: line, id: l, start: [0, 25], end: [200, 25],
     stroke: {width: 4, trim: {keys: [[0, [0, 0]], [1, [0, 1]]]}}}
""")
    a5, ann5 = sr.render_frame(scene, 5, annotations=True)
    right = ann5[0]["bbox"][2]
    assert 100 <= right <= 104          # half the line, plus at most the stroke outset
    cols = np.nonzero(a5[25, :, 3] > 0)[0]
    assert 99 <= cols.max() <= 100 and cols.max() < right
    _, ann0 = sr.render_frame(scene, 0, annotations=True)
    assert ann0 == []   # nothing drawn, nothing annotated


def test_reveal_annotations_list_only_visible_characters():
    scene = sr.Scene(canvas=sr.Canvas(width=300, height=60, fps=10, frames=11, background=None),
                     nodes=[sr.Text(id="t", text="abcd efgh", size=30,
                                    reveal=sr.Track(keys=(sr.Key(0, (0.0,)), sr.Key(1, (1.0,)))))])
    a, ann = sr.render_frame(scene, 5, annotations=True)
    assert [c["char"] for c in ann[0]["chars"]] == list("abcd")
    full = sr.render_frame(scene, 10)
    # ink only where the revealed characters are
    right = max(c["bbox"][2] for c in ann[0]["chars"])
    assert a[..., 3][:, int(right) + 2:].max() == 0
    assert full[..., 3][:, int(right) + 2:].max() > 0


def test_constant_speed_moves_equal_pixels_per_frame():
    scene = sr.loads("""
canvas: {width: 200, height: 40, fps: 20, frames: 20, background: white}
nodes:
  - {type: circle, id: c, radius: 6, fill: black,
     transform: {position: {value: [20.3, 20], speed: [57, 0]}}}
""")
    xs = []
    for a in sr.frames(scene):
        ink = 255.0 - a[..., 0].astype(float)
        xs.append((ink.sum(axis=0) * np.arange(a.shape[1])).sum() / ink.sum())
    steps = np.diff(xs)
    assert np.allclose(steps, 57 / 20, atol=0.05), steps


def test_scrolling_dashes_shift_by_speed_over_fps():
    scene = sr.load(EXAMPLES / "road.yaml")
    speed = 90.0  # |dash_offset speed| in the example, pixels per second
    cols = [a[:, 125, 0].astype(float) for a in sr.frames(scene, 0, 6)]
    for a, b in zip(cols, cols[1:]):
        # the best integer shift between consecutive frames is speed/fps = 3 px downwards
        errs = {s: np.abs(np.roll(a, s)[40:-40] - b[40:-40]).sum() for s in range(-8, 9)}
        assert min(errs, key=errs.get) == round(speed / scene.canvas.fps)
        assert errs[3] < 1e-6


def test_render_single_png_and_sequence(tmp_path):
    from symbolreel.sinks import unpremultiply

    scene = sr.loads(SHAPES)
    sr.render(scene, tmp_path / "one.png")
    sr.render(scene, tmp_path / "seq" / "%03d.png", frames=range(1, 3))
    assert sorted(os.listdir(tmp_path / "seq")) == ["001.png", "002.png"]
    import skia

    img = np.array(skia.Image.open(str(tmp_path / "one.png")).convert(
        colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kUnpremul_AlphaType))
    assert np.array_equal(img, unpremultiply(sr.render_frame(scene, 0)))
    with pytest.raises(ValueError, match="single .png holds one frame"):
        sr.render(scene, tmp_path / "x.png", frames=[0, 1])


def test_interrupted_render_leaves_no_output(tmp_path):
    scene = sr.load(EXAMPLES / "geometry.yaml")
    out = tmp_path / "clip.mp4"

    def stop(done, total):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sr.render(scene, out, progress=stop, annotations=tmp_path / "clip.json")
    assert os.listdir(tmp_path) == []


def test_bad_lane_mask_pattern_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="frame number placeholder"):
        sr.render(sr.load(EXAMPLES / "geometry.yaml"), tmp_path / "c.mp4", annotations=tmp_path / "a.json",
                  lane_masks=tmp_path / "m.png")
    assert os.listdir(tmp_path) == []


def test_annotations_file_written(tmp_path):
    out = tmp_path / "a.json"
    sr.render(sr.load(EXAMPLES / "text_card.yaml"), tmp_path / "c.mp4", frames=range(0, 3), annotations=out,
              preset="ultrafast")
    doc = json.loads(out.read_text())
    # streamed frame by frame, the bytes equal the whole document dumped at once
    assert out.read_text(encoding="utf-8") == json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    assert doc["format"] == "symbolreel-annotations/2"
    assert [f["frame"] for f in doc["frames"]] == [0, 1, 2]
    ids = {o["id"] for o in doc["frames"][0]["objects"]}
    assert {"card", "title", "subtitle"} <= ids
    title = next(o for o in doc["frames"][0]["objects"] if o["id"] == "title")
    assert title["text"] == "Symbols matter"


# ------------------------------------------------------------------ CLI

def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "symbolreel", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_render_frame_and_errors(tmp_path):
    out = tmp_path / "f.png"
    r = _cli("render", str(EXAMPLES / "geometry.yaml"), "--frame", "3", "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert out.exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("canvas: {width: 64, height: 64}\nnodes:\n  - type: rect\n    transform: {position: [1, x]}\n")
    r = _cli("render", str(bad), "-o", str(tmp_path / "bad.mp4"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert f"{bad}:4:" in r.stderr and "nodes[0].transform.position[1]" in r.stderr
    assert "expected a number" in r.stderr
    assert not (tmp_path / "bad.mp4").exists()
    r = _cli("render", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_cli_help_schema_and_render_script(tmp_path):
    r = _cli("render", "--help")
    assert r.returncode == 0 and "--annotations" in r.stdout and "examples:" in r.stdout
    r = _cli("schema")
    schema = json.loads(r.stdout)
    assert "text" in schema["$defs"] and schema["$schema"].endswith("2020-12/schema")
    script = Path(sys.executable).parent / "render"
    if script.exists():
        out = tmp_path / "s.png"
        r = subprocess.run([str(script), str(EXAMPLES / "road.yaml"), "--frame", "0", "-o", str(out), "-q"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert out.exists()


def _worker_cache_stats():
    """Runs in a spawned process: render one animated frame, report Numba cache hits/misses."""
    import symbolreel as sr
    from symbolreel.animators import sampling, transforms

    sr.render_frame(sr.load(EXAMPLES / "geometry.yaml"), 5)
    out = {}
    for name, fn in (("sample", sampling._sample_kernel_serial), ("compose", transforms._compose_kernel_serial)):
        out[name] = (sum(fn.stats.cache_hits.values()), sum(fn.stats.cache_misses.values()))
    return out


def test_worker_processes_load_kernels_from_cache():
    import multiprocessing as mp

    from symbolreel.animators import warm_up

    warm_up()
    with mp.get_context("spawn").Pool(1) as pool:
        stats = pool.apply(_worker_cache_stats)
    for name, (hits, misses) in stats.items():
        assert misses == 0 and hits >= 1, (name, stats)


def test_memory_does_not_grow_with_clip_length(tmp_path):
    import tracemalloc

    def peak(n_frames):
        scene = sr.load(EXAMPLES / "road.yaml").replace(
            canvas=sr.Canvas(width=160, height=240, fps=30, frames=n_frames, background="#3A7D44"))
        tracemalloc.start()
        sr.render(scene, tmp_path / f"m{n_frames}.mp4", preset="ultrafast")
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    short, long = peak(20), peak(200)
    frame = 160 * 240 * 4
    assert long < short + 8 * frame, (short, long)


def test_still_writer_matches_write_png_and_reports_errors(tmp_path):
    from symbolreel.sinks import encode_png

    scenes = [sr.Scene(canvas=sr.Canvas(width=64, height=48), nodes=[sr.Text(text=w, size=16)])
              for w in ("lane", "车道", "sign")]
    with sr.StillWriter(compress_level=3, threads=2) as w:
        for i, s in enumerate(scenes):
            w.render(s, tmp_path / f"{i}.png")
    for i, s in enumerate(scenes):
        assert (tmp_path / f"{i}.png").read_bytes() == encode_png(sr.render_frame(s, 0), 3)
    with pytest.raises(Exception):
        with sr.StillWriter() as w:
            w.write(np.zeros((4, 4, 2), np.uint8), tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_cli_reports_font_and_glyph_errors_with_file_and_line(tmp_path):
    missing = tmp_path / "emoji.yaml"
    missing.write_text('canvas: {width: 64, height: 64}\nnodes:\n  - {type: text, text: "hi \\U0001F600"}\n')
    r = _cli("render", str(missing), "-o", str(tmp_path / "e.png"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{missing}:3:" in r.stderr and "nodes[0].text" in r.stderr and "U+1F600" in r.stderr
    assert not (tmp_path / "e.png").exists()
    typo = tmp_path / "font.yaml"
    typo.write_text("canvas: {width: 64, height: 64}\nnodes:\n  - {type: text, text: hi, font: sanz}\n")
    r = _cli("validate", str(typo))
    assert r.returncode == 2 and f"{typo}:3:" in r.stderr and "nodes[0].font" in r.stderr
    assert "did you mean 'sans'" in r.stderr
