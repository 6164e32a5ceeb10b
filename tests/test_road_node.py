"""The road node end to end: rendering, lane labels from the same projection, errors, goldens."""
from __future__ import annotations

import numpy as np
import pytest

import symbolreel as sr
from conftest import EXAMPLES

STRAIGHT = """
canvas: {width: 640, height: 360, fps: 30, frames: 30, background: black}
nodes:
  - type: road
    id: road
    segments: [{kind: straight, length: 400}]
    lanes: [3.6, 3.6, 3.6]
    boundaries: [{type: solid}, {type: %s}, {type: solid}, {type: solid}]
    ground: "#000000"
    asphalt: "#000000"
    sky: "#000000"
    camera: {s: {value: 5, speed: 20}, lane: 1, height: 1.5, pitch: 4, fov: 50}
"""


def _bright(a):
    return a[..., :3].min(axis=2) > 120


def test_tusimple_points_of_solid_lines_lie_on_paint():
    scene = sr.loads(STRAIGHT % "solid")
    a, ann = sr.render_frame(scene, 0, annotations=True)
    road = ann[0]
    paint = _bright(a)
    rows = road["tusimple"]["h_samples"]
    checked = 0
    for lane in road["tusimple"]["lanes"]:
        for y, x in zip(rows, lane):
            if x < 0 or y < road["camera"]["horizon_y"] + 20:   # lines thinner than a pixel near the horizon
                continue
            near = paint[y, max(0, x - 1):x + 2]
            assert near.any(), (x, y)
            checked += 1
    assert checked > 40
    # and nothing is painted far from the labelled boundaries on a sample row
    y = rows[-1]
    xs = [lane[-1] for lane in road["tusimple"]["lanes"] if lane[-1] >= 0]
    cols = np.nonzero(paint[y])[0]
    assert all(min(abs(c - x) for x in xs) <= 12 for c in cols)


def test_lane_polylines_follow_boundaries_left_to_right():
    _, ann = sr.render_frame(sr.loads(STRAIGHT % "dashed"), 0, annotations=True)
    lanes = ann[0]["lanes"]
    assert [ln["boundary"] for ln in lanes] == [0, 1, 2, 3]
    assert [ln["type"] for ln in lanes] == ["solid", "dashed", "solid", "solid"]
    bottoms = [max(ln["pieces"][0], key=lambda p: p[1])[0] for ln in lanes]
    assert bottoms == sorted(bottoms)


def test_dashes_move_towards_the_viewer_smoothly():
    scene = sr.loads(STRAIGHT % "dashed")
    _, ann = sr.render_frame(scene, 0, annotations=True)
    pts = np.array(ann[0]["lanes"][1]["pieces"][0])
    # sample the dashed boundary's image path in its lower half, where dashes are large
    order = np.argsort(pts[:, 1])
    ys = np.arange(int(ann[0]["camera"]["horizon_y"]) + 15, int(ann[0]["camera"]["horizon_y"]) + 120)
    xs = np.interp(ys, pts[order, 1], pts[order, 0])
    profiles = []
    for k in range(0, 6):
        a = sr.render_frame(scene, k)
        profiles.append(np.array([_bright(a)[y, int(round(x)) - 2:int(round(x)) + 3].any() for y, x in zip(ys, xs)]))
    # follow one dash: its far edge (top row of a painted run) moves down the image every frame
    far_edges = [np.nonzero(prof[1:] & ~prof[:-1])[0] + 1 for prof in profiles]
    edges = [int(far_edges[0][np.argmin(np.abs(far_edges[0] - 40))])]
    for cand in far_edges[1:]:
        ahead = cand[cand >= edges[-1] - 1]
        assert len(ahead), (edges, cand)
        edges.append(int(ahead[0]))
    steps = np.diff(edges)
    assert np.all(steps >= 0), edges        # monotonic: the dash comes towards the camera
    assert np.all(steps <= 25), edges       # and never jumps (20 m/s at 30 fps is 0.67 m per frame)
    assert edges[-1] - edges[0] >= 5, edges  # it did move


def test_objects_and_camera_in_annotations():
    scene = sr.load(EXAMPLES / "lanes_perspective.yaml")
    _, ann = sr.render_frame(scene, 0, annotations=True)
    road = ann[0]
    classes = {o["class"] for o in road["objects"]}
    assert {"arrow_straight_left", "text", "stop_line", "crosswalk"} <= classes
    arrow = next(o for o in road["objects"] if o["class"] == "arrow_straight_left")
    assert arrow["quad"] is not None and len(arrow["quad"]) == 4
    assert road["camera"]["s"] == 0.0
    _, ann30 = sr.render_frame(scene, 30, annotations=True)
    assert ann30[0]["camera"]["s"] == pytest.approx(15.0)


def test_road_golden(golden):
    golden("road_curve_f30", sr.render_frame(sr.load(EXAMPLES / "lanes_perspective.yaml"), 30))


@pytest.mark.parametrize("example", ["lanes_perspective.yaml", "road_signs.yaml"])
def test_road_is_deterministic_across_workers(example):
    import hashlib

    scene = sr.load(EXAMPLES / example)
    idx = list(range(0, 60, 5))
    h = lambda a: hashlib.sha256(a.tobytes()).hexdigest()  # noqa: E731
    serial = [h(a) for _, a, _ in sr.iter_frames(scene, idx)]
    pooled = [h(a) for _, a, _ in sr.iter_frames(scene, idx, workers=2, chunk=3)]
    assert serial == pooled


@pytest.mark.parametrize("snippet, where, message", [
    ("boundaries: [{type: edge}, {type: edge}]", "nodes[0].boundaries", "3 lanes need 4 boundaries"),
    ("markings: [{kind: arrow, s: 10}]", "nodes[0].markings[0].lane", "needs a 'lane'"),
    ("markings: [{kind: arrow, s: 10, lane: 7}]", "nodes[0].markings[0].lane", "does not exist"),
    ("boundaries: [{type: edge}, {type: dashd}, {type: dashed}, {type: edge}]", "nodes[0].boundaries[1].type",
     "did you mean 'dashed'"),
    ("segments: [{kind: spiral, length: 10}]", "nodes[0].segments[0].kind", "expected one of straight"),
    ("markings: [{kind: stop_line, s: 450}]", "nodes[0].markings[0].s", "beyond the end of the road (400 m long)"),
    ("signs: [{kind: stop, s: 10}, {kind: stop, s: 401}]", "nodes[0].signs[1].s", "beyond the end of the road"),
])
def test_road_errors(snippet, where, message):
    text = "nodes:\n  - type: road\n    " + snippet + "\n"
    with pytest.raises(sr.SceneError) as info:
        sr.loads(text, "r.yaml")
    assert f": {where}: " in str(info.value) and message in str(info.value), str(info.value)


def test_tusimple_and_culane_files(tmp_path):
    import json
    import subprocess
    import sys

    from symbolreel.primitives.road.labels import parse_culane_lines

    out = tmp_path / "f" / "%05d.png"
    r = subprocess.run([sys.executable, "-m", "symbolreel", "render", str(EXAMPLES / "lanes_perspective.yaml"),
                        "--frames", "0:4", "-o", str(out), "--tusimple", str(tmp_path / "lanes.json"),
                        "--culane", str(tmp_path / "culane"), "-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in (tmp_path / "lanes.json").read_text().splitlines()]
    assert [rec["raw_file"] for rec in records] == [str(out) % i for i in range(4)]
    assert sorted(p.name for p in (tmp_path / "culane").iterdir()) == [f"{i:05d}.lines.txt" for i in range(4)]
    for i, rec in enumerate(records):
        lanes = parse_culane_lines((tmp_path / "culane" / f"{i:05d}.lines.txt").read_text())
        assert len(lanes) == len(rec["lanes"]) == 4
        # the two formats agree where they sample the same row
        for xs, pts in zip(rec["lanes"], lanes):
            by_row = {int(y): x for x, y in pts}
            for y, x in zip(rec["h_samples"], xs):
                if x >= 0 and y in by_row:
                    assert abs(by_row[y] - x) <= 0.5 + 1e-9


def _hand_project(X, Y, cam_x, cam_y, height, pitch_deg, fov_deg, w, h):
    """Pinhole maths written out independently: camera looking along +x, pitched down."""
    p = np.radians(pitch_deg)
    d = np.array([X - cam_x, Y - cam_y, -height])
    forward = np.array([np.cos(p), 0.0, -np.sin(p)])
    right = np.array([0.0, -1.0, 0.0])          # +y is to the left of a camera looking along +x
    down = np.array([-np.sin(p), 0.0, -np.cos(p)])
    f = (h / 2) / np.tan(np.radians(fov_deg) / 2)
    zc = d @ forward
    return np.array([f * (d @ right) / zc + w / 2, f * (d @ down) / zc + h / 2])


def _dist_to_polyline(pt, pieces):
    best = np.inf
    for piece in pieces:
        q = np.asarray(piece)
        a, b = q[:-1], q[1:]
        ab = b - a
        t = np.clip(((pt - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0, 1)
        best = min(best, np.min(np.linalg.norm(a + t[:, None] * ab - pt, axis=1)))
    return best


def test_hand_projected_boundary_points_lie_on_the_labels_and_the_paint():
    scene = sr.loads(STRAIGHT % "dashed")
    a, ann = sr.render_frame(scene, 0, annotations=True)
    road = ann[0]
    # lanes of 3.6 m centred on the centreline: boundary 2 (solid) is 1.8 m right of it (y = -1.8);
    # the camera drives in lane 1 (y = 0) at s = 5, 1.5 m up, pitched 4 degrees, 50 degree fov
    for s in (12.0, 20.0, 35.0, 60.0):
        uv = _hand_project(s, -1.8, 5.0, 0.0, 1.5, 4.0, 50.0, 640, 360)
        assert _dist_to_polyline(uv, road["lanes"][2]["pieces"]) < 0.05, (s, uv)
        x, y = int(uv[0]), int(uv[1])
        assert _bright(a)[y, x - 1:x + 2].any(), (s, uv)     # and the paint is there


def test_asphalt_texture_is_seeded_ground_anchored_and_fades_with_distance():
    base = sr.load(EXAMPLES / "lanes_perspective.yaml")
    road = base.nodes[0]
    flat = base.replace(nodes=[road.replace(texture=0.0)])
    textured = base.replace(nodes=[road.replace(texture=1.0)])
    a0, a1 = sr.render_frame(flat, 10).astype(int), sr.render_frame(textured, 10).astype(int)
    changed = np.abs(a1 - a0).max(axis=2) > 2
    assert changed[-60:].mean() > 0.2                 # visible on the near asphalt
    horizon = int(sr.render_frame(flat, 10, annotations=True)[1][0]["camera"]["horizon_y"])
    assert not changed[:horizon + 3].any()           # nothing above/at the horizon (sky, far road)
    assert np.array_equal(sr.render_frame(textured, 10), sr.render_frame(textured, 10))
    reseeded = sr.render_frame(textured.replace(seed=textured.seed + 1), 10).astype(int)
    assert np.abs(reseeded - a1).max() > 2           # the seed changes the pattern
    # anchored to the ground: with the camera parked, every frame shows the same texture
    import dataclasses

    parked = textured.replace(nodes=[road.replace(texture=1.0, camera=dataclasses.replace(road.camera, s=12.0))])
    assert np.array_equal(sr.render_frame(parked, 0), sr.render_frame(parked, 40))


def test_lane_mask_classes_match_the_paint():
    from symbolreel.masks import lane_mask
    from symbolreel.primitives.road.labels import DEFAULT_CLASS_IDS

    scene = sr.loads(STRAIGHT % "dashed")
    a = sr.render_frame(scene, 0)
    mask = lane_mask(scene, 0)
    paint = _bright(a)
    assert mask.shape == a.shape[:2]
    labelled = mask > 0
    # the mask covers the painted pixels (antialiased edges aside) and little else
    assert (labelled & paint).sum() / paint.sum() > 0.9
    assert (labelled & ~paint).sum() / max(labelled.sum(), 1) < 0.35
    assert set(np.unique(mask)) <= {0, DEFAULT_CLASS_IDS["solid"], DEFAULT_CLASS_IDS["dashed"]}
    assert (mask == DEFAULT_CLASS_IDS["dashed"]).any() and (mask == DEFAULT_CLASS_IDS["solid"]).any()


def test_cli_writes_lane_masks(tmp_path):
    import subprocess
    import sys

    import skia

    from symbolreel.masks import lane_mask

    r = subprocess.run([sys.executable, "-m", "symbolreel", "render", str(EXAMPLES / "lanes_perspective.yaml"),
                        "--frames", "0:2", "-o", str(tmp_path / "f%03d.png"), "--lane-masks",
                        str(tmp_path / "m%03d.png"), "-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    img = skia.Image.open(str(tmp_path / "m001.png"))
    assert img.colorType() == skia.kGray_8_ColorType
    got = np.zeros((img.height(), img.width()), np.uint8)
    assert img.readPixels(skia.ImageInfo.Make(img.width(), img.height(), skia.kGray_8_ColorType,
                                              skia.kOpaque_AlphaType), got, img.width())
    assert np.array_equal(got, lane_mask(sr.load(EXAMPLES / "lanes_perspective.yaml"), 1))
    assert {2, 6, 8, 9} <= set(np.unique(got))   # dashed, edge, crosswalk, text


def test_asphalt_texture_is_a_named_effect_with_a_flat_fallback(monkeypatch):
    """The texture reaches the backend as the effect 'asphalt_noise' over image-space asphalt (the display
    list has no homography); a backend without the effect draws the fallback: flat darkening, strip by
    strip, close to the noise's mean darkening on the near road and none above the horizon."""
    from symbolreel import ir
    from symbolreel.backends.skia import EFFECTS
    from symbolreel.compile import CompiledScene
    from symbolreel.raster import Renderer

    base = sr.load(EXAMPLES / "lanes_perspective.yaml")
    textured = base.replace(nodes=[base.nodes[0].replace(texture=1.0)])
    flat = base.replace(nodes=[base.nodes[0].replace(texture=0.0)])
    r = Renderer(CompiledScene(textured))
    samples, world, opacity = r.c.sample([10 / 30])
    frame = r.emit(10 / 30, samples[0], world[0], opacity[0])
    leaves = [it for it, _, _, _ in ir.walk(frame.items)]
    (effect,) = [it for it in leaves if isinstance(it, ir.Effect)]
    assert effect.name == "asphalt_noise" and effect.fallback
    assert all(isinstance(it.geom, ir.Path) for it in effect.fallback)
    assert effect.params["seed"] == textured.seed and len(effect.params["ground_to_local"]) == 9
    noise = r.backend.render(frame).astype(int)
    monkeypatch.delitem(EFFECTS, "asphalt_noise")
    fallback = r.backend.render(frame).astype(int)
    plain = sr.render_frame(flat, 10).astype(int)
    near = slice(-60, None)
    dark_noise = (plain - noise)[near, :, :3].mean()
    dark_fallback = (plain - fallback)[near, :, :3].mean()
    assert dark_noise > 2 and abs(dark_fallback - dark_noise) < 0.5 * dark_noise
    horizon = int(np.ceil(sr.render_frame(flat, 10, annotations=True)[1][0]["camera"]["horizon_y"]))
    assert np.array_equal(fallback[:horizon], plain[:horizon])
