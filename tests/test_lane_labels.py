"""Lane labels: polylines from the drawing projection, TuSimple and CULane formats, masks."""
import json

import numpy as np
import pytest
import skia

from symbolreel.primitives.road import labels as ll
from symbolreel.primitives.road.geometry import (Centreline, PinholeCamera, RoadLayout, arrow,
                                                 crosswalk, road_paint, text_anchor)

W, H = 1280, 720
H_SAMPLES = list(range(160, 720, 10))


def raster_alpha(cam, paints):
    """Fill the paint polygons with Skia (antialiased) on a W x H numpy surface; alpha plane."""
    buf = np.zeros((H, W, 4), dtype=np.uint8)
    surface = skia.Surface(buf)
    with surface as canvas:
        for p in paints:
            path = skia.Path()
            for c in p.contours:
                q = cam.project_polygon(c)
                if len(q) >= 3:
                    path.addPoly([skia.Point(float(x), float(y)) for x, y in q], True)
            canvas.drawPath(path, skia.Paint(Color=skia.ColorWHITE, AntiAlias=True))
    return buf[:, :, 3]


def scene(boundaries, segments=None, s_cam=10.0, pitch=2.0, lateral_lane=1):
    cl = Centreline.from_segments(segments or [{"straight": 400.0}])
    lay = RoadLayout([3.75, 3.75, 3.75], boundaries)
    cam = PinholeCamera(W, H, 40.0, 1.5, pitch).at(cl, s_cam, lateral=lay.lane_centre(lateral_lane))
    return cl, lay, cam


@pytest.mark.parametrize("segments", [None, [{"straight": 30.0}, {"clothoid": 60.0,
                         "curvature_from": 0.0, "curvature_to": 1 / 250}, {"arc": 300.0,
                                                                           "curvature": 1 / 250}]])
def test_tusimple_x_lies_on_painted_pixels(segments):
    cl, lay, cam = scene(["solid", "solid", "solid", "edge"], segments)
    paints = road_paint(cl, lay, *cam.visible_stretch(10.0))
    alpha = raster_alpha(cam, paints)
    labels = ll.boundary_polylines(cam, cl, lay)
    assert [lb.boundary for lb in labels] == [0, 1, 2, 3]
    rows = ll.tusimple_row(labels, H_SAMPLES)
    checked = 0
    for lane in rows:
        for x, h in zip(lane, H_SAMPLES):
            if x == -2:
                continue
            window = alpha[h, max(x - 1, 0):x + 2]
            assert window.max() > 0, (x, h)
            checked += 1
    assert checked > 80
    # rows above the horizon are absent
    hz = cam.horizon_row()
    for lane in rows:
        assert all(x == -2 for x, h in zip(lane, H_SAMPLES) if h < hz)


def test_double_line_label_runs_between_its_two_lines():
    cl, lay, cam = scene(["edge", "dashed", "double_solid", "edge"])
    paints = [p for p in road_paint(cl, lay, *cam.visible_stretch(10.0)) if p.boundary == 2]
    alpha = raster_alpha(cam, paints)
    lane = ll.tusimple_row([lb for lb in ll.boundary_polylines(cam, cl, lay)
                            if lb.boundary == 2], H_SAMPLES)[0]
    checked = 0
    for x, h in zip(lane, H_SAMPLES):
        if x == -2 or h < cam.horizon_row() + 20:
            continue
        left, right = alpha[h, max(x - 15, 0):x + 1], alpha[h, x:x + 16]
        assert left.max() > 0 and right.max() > 0, (x, h)
        checked += 1
    assert checked > 20


def test_labels_are_the_drawing_projection():
    cl, lay, cam = scene(["edge", "dashed", "dashed", "edge"])
    for lb in ll.boundary_polylines(cam, cl, lay, clip_image=False):
        off = lay.boundary_offsets()[lb.boundary]
        pts = lb.points
        # every label vertex is the projection of a world point on the boundary
        for s in (15.0, 40.0, 120.0):
            uv = cam.project(cl.to_world(s, off)[None])[0][0]
            d = np.linalg.norm(pts - uv, axis=1)
            seg_ok = d.min() < 1e-6 or _on_polyline(pts, uv)
            assert seg_ok


def _on_polyline(pts, q, tol=1e-6):
    a, b = pts[:-1], pts[1:]
    t = np.clip(np.sum((q - a) * (b - a), axis=1) / np.sum((b - a) ** 2, axis=1), 0, 1)
    return np.min(np.linalg.norm(a + t[:, None] * (b - a) - q, axis=1)) < tol


def test_dashed_boundary_label_spans_the_gaps():
    cl, lay, cam = scene(["edge", {"type": "dashed", "preset": "us"}, "dashed", "edge"])
    paints = [p for p in road_paint(cl, lay, *cam.visible_stretch(10.0)) if p.boundary == 1]
    alpha = raster_alpha(cam, paints)
    lane = ll.tusimple_row([lb for lb in ll.boundary_polylines(cam, cl, lay)
                            if lb.boundary == 1], H_SAMPLES)[0]
    valid = [i for i, x in enumerate(lane) if x != -2]
    assert valid == list(range(valid[0], valid[-1] + 1))            # no holes
    unpainted = [h for x, h in zip(lane, H_SAMPLES) if x != -2 and alpha[h, x - 1:x + 2].max() == 0]
    assert unpainted                                                # some samples are in gaps


def test_labels_inside_image_and_near_to_far():
    segs = [{"straight": 20.0}, {"arc": 200.0, "curvature": 1 / 60}]
    cl, lay, cam = scene(["edge", "dashed", "dashed", "edge"], segs, s_cam=5.0)
    labels = ll.boundary_polylines(cam, cl, lay)
    assert labels
    for lb in labels:
        for p in lb.pieces:
            assert np.all((p >= -1e-9) & (p <= (W + 1e-9, H + 1e-9)))
        assert lb.pieces[0][0, 1] > lb.pieces[0][-1, 1]             # starts low in the image


def test_tusimple_row_synthetic():
    line = np.array([[100.5, 700.5], [300.5, 100.5]])               # continuous coordinates
    rows = ll.tusimple_row([line], [50, 100, 400, 700, 710])
    assert rows == [[-2, 300, 200, 100, -2]]
    rows = ll.tusimple_row([line], [400], as_int=False, half_pixel=False)
    assert rows[0][0] == pytest.approx(200.5 + 0.5 / 3)
    assert ll.tusimple_row([line + (1000, 0)], [400], width=1280) == [[1200]]
    assert ll.tusimple_row([line + (1200, 0)], [400], width=1280) == [[-2]]
    assert ll.tusimple_row([np.empty((0, 2))], [400], drop_empty=True) == []


def test_tusimple_jsonl_roundtrip(tmp_path):
    cl, lay, cam = scene(["edge", "dashed", "dashed", "edge"])
    rec = ll.tusimple_record(ll.boundary_polylines(cam, cl, lay), H_SAMPLES, "clips/0/20.jpg",
                             width=W)
    path = tmp_path / "label.json"
    ll.write_tusimple_jsonl(path, [rec, rec])
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and list(json.loads(lines[0])) == ["lanes", "h_samples", "raw_file"]
    assert ll.read_tusimple_jsonl(path) == [rec, rec]
    assert len(rec["lanes"]) == 4 and all(len(x) == len(H_SAMPLES) for x in rec["lanes"])
    with pytest.raises(ValueError, match="lanes\\[0\\]"):
        ll.write_tusimple_jsonl(path, [{"lanes": [[1, 2]], "h_samples": [1], "raw_file": "a"}])


def test_culane_text_roundtrip(tmp_path):
    cl, lay, cam = scene(["edge", "dashed", "dashed", "edge"])
    lanes = [ll.culane_points(lb, H) for lb in ll.boundary_polylines(cam, cl, lay)]
    for pts in lanes:
        assert np.all(np.diff(pts[:, 1]) == -10)                     # bottom up, every 10 px
        assert np.all(pts[:, 1] % 10 == 0)
    text = ll.culane_lines(lanes)
    assert text.count("\n") == 4 and all(line.endswith(" ") for line in text.splitlines())
    first = text.splitlines()[0].split()
    assert first[1] == str(int(lanes[0][0, 1]))                      # integer rows stay bare
    back = ll.parse_culane_lines(text)
    assert len(back) == 4
    for a, b in zip(lanes, back):
        np.testing.assert_allclose(a, b, atol=5e-4)
    path = tmp_path / "00000.lines.txt"
    ll.write_culane_lines(path, lanes)
    assert path.read_text() == text
    assert ll.parse_culane_lines(ll.culane_lines(back)) [0].tolist() == back[0].tolist()
    with pytest.raises(ValueError, match="odd"):
        ll.parse_culane_lines("1 2 3\n")


def test_object_labels_quads_and_truncation():
    cl, lay, cam = scene(["edge", "dashed", "dashed", "edge"], s_cam=0.0)
    paints = [arrow(cl, lay, 1, 20.0, "left"), text_anchor(cl, lay, 2, 30.0, text="SLOW"),
              arrow(cl, lay, 1, -3.0, "straight")] + crosswalk(cl, lay, 50.0)
    objs = ll.object_labels(cam, paints)
    a = objs[0]
    assert a.cls == "arrow_left" and not a.truncated
    np.testing.assert_allclose(a.quad, cam.project(paints[0].quad)[0])
    assert objs[1].text == "SLOW" and objs[1].quad is not None
    cut = objs[2]                                                    # crosses the near plane
    assert cut.cls == "arrow_straight" and cut.truncated and cut.quad is None
    assert [o.kind for o in objs[3:]] == ["crosswalk"] * len(objs[3:]) and len(objs) > 5


def test_segmentation_mask_classes():
    cl, lay, cam = scene(["edge", "dashed", "double_solid", "edge"])
    paints = road_paint(cl, lay, *cam.visible_stretch(10.0)) + [arrow(cl, lay, 1, 25.0, "uturn")]
    mask = ll.segmentation_mask(cam, paints)
    assert mask.shape == (H, W) and mask.dtype == np.uint8
    ids = ll.DEFAULT_CLASS_IDS
    present = set(np.unique(mask).tolist())
    assert {0, ids["edge"], ids["dashed"], ids["double_solid"], ids["arrow_uturn"]} <= present
    # the label of the double line lies on (or next to) double_solid pixels
    lb = [x for x in ll.boundary_polylines(cam, cl, lay) if x.boundary == 2][0]
    row = ll.tusimple_row([lb], [600])[0][0]
    assert ids["double_solid"] in mask[600, row - 12:row + 13]
