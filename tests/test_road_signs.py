"""Traffic signs beside the road: placement and projection by hand, artwork pixels, labels that
follow the same projection, fading instead of popping, masks, errors and a golden image."""
from __future__ import annotations

import math

import numpy as np
import pytest

import symbolreel as sr
from conftest import EXAMPLES
from symbolreel.errors import SceneError

STRAIGHT = """
canvas: {width: 320, height: 240, fps: 30, frames: 40, background: black}
nodes:
  - type: road
    segments: [{kind: straight, length: 300}]
    lanes: [3.5, 3.5]
    sky: "#000000"
    camera: {s: %s, lane: null, height: 1.5, pitch: 0, fov: 40, far: 120}
    signs: [%s]
"""


def _signs(ann):
    return [o for o in ann[0]["objects"] if o["kind"] == "sign"]


def _local_to_image(quad, lx, ly):
    """Face-box point (0..100, y down) -> image, for a face seen straight on (affine)."""
    tl, tr, _, bl = (np.array(p) for p in quad)
    return tl + lx / 100 * (tr - tl) + ly / 100 * (bl - tl)


def test_face_corners_projected_by_hand():
    scene = sr.loads(STRAIGHT % ("10", "{kind: speed_limit, s: 40, side: right, offset: 1.5, height: 2.0, size: 0.9}"))
    _, ann = sr.render_frame(scene, 0, annotations=True)
    (sign,) = _signs(ann)
    # world: x along the road, y to the left, z up; the right edge is 3.5 m right of the centreline
    y0 = -3.5 - 1.5
    corners = [(40, y0 + 0.45, 2.9), (40, y0 - 0.45, 2.9), (40, y0 - 0.45, 2.0), (40, y0 + 0.45, 2.0)]
    f = 120 / math.tan(math.radians(20))
    expected = [(f * -y / (x - 10) + 160, f * -(z - 1.5) / (x - 10) + 120) for x, y, z in corners]
    np.testing.assert_allclose(sign["quad"], expected, atol=1e-3)
    assert sign["distance"] == pytest.approx(30.0)
    assert sign["class"] == "sign_speed_limit" and sign["text"] == "60" and not sign["truncated"]


@pytest.mark.parametrize("kind, ring, inside", [
    ("speed_limit", "red", "white"), ("stop", "white", "red"), ("warning", "red", "white")])
def test_face_artwork_where_the_label_says(kind, ring, inside):
    scene = sr.loads(STRAIGHT % ("28", f"{{kind: {kind}, s: 40, size: 1.5, text: ''}}"))
    img, ann = sr.render_frame(scene, 0, annotations=True)
    (sign,) = _signs(ann)
    colours = {"red": lambda p: p[0] > 150 and p[1] < 80 and p[2] < 90,
               "white": lambda p: min(p[:3]) > 220}
    # the outer band and the middle of the face, in face-box coordinates
    ring_at = {"speed_limit": (50, 5), "stop": (50, 2), "warning": (50, 22)}[kind]
    centre_at = {"speed_limit": (50, 50), "stop": (50, 50), "warning": (50, 70)}[kind]
    for (lx, ly), want in ((ring_at, ring), (centre_at, inside)):
        x, y = _local_to_image(sign["quad"], lx, ly)
        px = img[int(y), int(x)]
        assert colours[want](px), (kind, (lx, ly), px)
    # the pole below the face is grey, the face's box corners (outside a disc) are not painted
    tl, tr, br, bl = (np.array(p) for p in sign["quad"])
    below = 0.5 * (bl + br) + (0, 4)
    assert 100 < img[int(below[1]), int(below[0])][0] < 150
    if kind == "speed_limit":
        x, y = tl + (1.5, 1.5)
        assert tuple(img[int(y), int(x)][:3]) == (0, 0, 0)     # background (black sky) shows through


@pytest.mark.parametrize("kind, style, border, inside", [
    ("warning", "cn", "black", "yellow"), ("warning", "us", "black", "yellow"), ("speed_limit", "us", "black", "white")])
def test_sign_styles(kind, style, border, inside):
    scene = sr.loads(STRAIGHT % ("28", f"{{kind: {kind}, style: {style}, s: 40, size: 1.5, text: ''}}"))
    img, ann = sr.render_frame(scene, 0, annotations=True)
    (sign,) = _signs(ann)
    colours = {"black": lambda p: max(p[:3]) < 60, "white": lambda p: min(p[:3]) > 220,
               "yellow": lambda p: p[0] > 200 and p[1] > 150 and p[2] < 80}
    border_at = {("warning", "cn"): (50, 10.5), ("warning", "us"): (50, 2.5), ("speed_limit", "us"): (50, 1.5)}
    centre_at = {("warning", "cn"): (50, 72), ("warning", "us"): (50, 50), ("speed_limit", "us"): (50, 50)}
    for (lx, ly), want in ((border_at[kind, style], border), (centre_at[kind, style], inside)):
        x, y = _local_to_image(sign["quad"], lx, ly)
        px = img[int(y), int(x)]
        assert colours[want](px), (kind, style, (lx, ly), px)
    # the outline label follows the style's shape: 4 corners for the US rectangle and diamond
    assert len(sign["polygon"][0]) == (4 if style == "us" else 3)


def test_us_speed_limit_carries_its_caption():
    scene = sr.loads(STRAIGHT % ("28", "{kind: speed_limit, style: us, s: 40, size: 1.5}"))
    img, ann = sr.render_frame(scene, 0, annotations=True)
    (sign,) = _signs(ann)
    assert sign["text"] == "55"
    tl, tr, _, bl = (np.array(p) for p in sign["quad"])
    # the SPEED LIMIT caption darkens the upper third of the white plate, the number the lower part
    def dark_share(y0, y1):
        a, b = tl + y0 / 100 * (bl - tl), tl + y1 / 100 * (bl - tl)
        x0, x1 = int(a[0] + 0.2 * (tr - tl)[0]), int(a[0] + 0.8 * (tr - tl)[0])
        patch = img[int(a[1]):int(b[1]), x0:x1, :3]
        return (patch.max(axis=2) < 100).mean()
    assert dark_share(12, 38) > 0.03 and dark_share(52, 88) > 0.1


def test_back_of_a_sign_is_a_grey_plate():
    # a sign for the traffic driving the other way shows the camera its back
    scene = sr.loads(STRAIGHT % ("10", "{kind: stop, s: 30, size: 1.2, reverse: true, side: left}"))
    img, ann = sr.render_frame(scene, 0, annotations=True)
    (sign,) = _signs(ann)
    x, y = np.mean(sign["quad"], axis=0)
    r, g, b = img[int(y), int(x)][:3]
    assert abs(int(r) - int(b)) < 20 and 120 < r < 160, (r, g, b)


def test_looking_back_shows_the_road_behind_and_the_backs_of_signs():
    # yaw 180: the camera at s = 60 looks back down the road at a sign standing at s = 30
    scene = sr.loads(STRAIGHT.replace("pitch: 0,", "pitch: 3, yaw: 180,") % ("60", "{kind: stop, s: 30, size: 1.2}"))
    img, ann = sr.render_frame(scene, 0, annotations=True)
    road = ann[0]
    assert sum(x >= 0 for lane in road["tusimple"]["lanes"] for x in lane) > 20
    (sign,) = _signs(ann)
    assert sign["distance"] == pytest.approx(30.0, abs=0.2)      # pitched 3 degrees down
    x, y = np.mean(sign["quad"], axis=0)
    r, g, b = img[int(y), int(x)][:3]
    assert abs(int(r) - int(b)) < 20 and 120 < r < 160, (r, g, b)     # grey back plate


def test_signs_fade_in_at_the_far_plane_and_never_pop():
    # the camera drives towards a sign 150 m ahead at 60 m/s (2 m a frame); far = 120 m
    scene = sr.loads(STRAIGHT % ("{value: 0, speed: 60}", "{kind: warning, s: 150}"))
    alphas, widths = [], []
    for k in range(40):
        _, ann = sr.render_frame(scene, k, annotations=True)
        signs = _signs(ann)
        depth = 150 - 2 * k
        if depth >= 120:
            assert not signs
            continue
        (sign,) = signs
        assert sign["distance"] == pytest.approx(depth, abs=1e-6)
        alphas.append(sign["alpha"])
        widths.append(sign["quad"][1][0] - sign["quad"][0][0])
    assert alphas[0] < 0.2 and alphas[-1] == 1.0 and alphas == sorted(alphas)
    assert widths == sorted(widths)


def test_sign_is_labelled_exactly_while_its_face_is_in_view():
    scene = sr.loads(STRAIGHT % ("{value: 0, speed: 15}", "{kind: speed_limit, s: 25, offset: 0.5}"))
    seen = []
    for k in range(0, 40, 2):
        _, ann = sr.render_frame(scene, k, annotations=True)
        signs = _signs(ann)
        seen.append(bool(signs))
        if signs:
            poly = np.array(signs[0]["polygon"][0])
            assert poly[:, 0].max() >= 0 and poly[:, 0].min() <= 320
            assert signs[0]["truncated"] == bool((poly < 0).any() or (poly[:, 0] > 320).any()
                                                   or (poly[:, 1] > 240).any())
    # visible at first, then it leaves the view at the side and stays gone
    assert seen[0] and not seen[-1]
    assert seen == sorted(seen, reverse=True)


def test_lane_mask_marks_sign_faces_over_the_paint():
    from symbolreel.masks import lane_mask
    from symbolreel.primitives.road.labels import DEFAULT_CLASS_IDS

    scene = sr.loads(STRAIGHT % ("10", "{kind: stop, s: 30}, {kind: yield, s: 45, side: left}"))
    mask = lane_mask(scene, 0)
    _, ann = sr.render_frame(scene, 0, annotations=True)
    for sign in _signs(ann):
        cid = DEFAULT_CLASS_IDS[sign["class"]]
        x, y = np.mean(sign["polygon"][0], axis=0)
        assert mask[int(y), int(x)] == cid
        assert (mask == cid).sum() > 20


def test_sign_errors_name_the_field():
    with pytest.raises(SceneError) as exc:
        sr.loads(STRAIGHT % ("0", "{kind: stop, s: 30}, {kind: roundabout, s: 40}"))
    assert "signs[1].kind" in str(exc.value) and "speed_limit" in str(exc.value)
    with pytest.raises(SceneError) as exc:
        sr.loads(STRAIGHT % ("0", "{kind: stop, s: 30, side: middle}"))
    assert "signs[0].side" in str(exc.value)


def test_python_api_matches_yaml():
    road = sr.Road(segments=[sr.RoadSegment(kind="straight", length=300.0)], lanes=[3.5, 3.5], sky="#000000",
                   camera=sr.RoadCamera(s=10.0, lane=None, height=1.5, pitch=0.0, fov=40.0, far=120.0),
                   signs=[sr.RoadSign(kind="speed_limit", s=40.0, text="80")])
    scene = sr.Scene(canvas=sr.Canvas(width=320, height=240, fps=30, frames=1, background="black"), nodes=(road,))
    a = sr.render_frame(scene, 0)
    b = sr.render_frame(sr.loads(STRAIGHT.replace("frames: 40", "frames: 1")
                                 % ("10", "{kind: speed_limit, s: 40, text: '80'}")), 0)
    assert np.array_equal(a, b)


def test_road_signs_golden(golden):
    scene = sr.load(EXAMPLES / "road_signs.yaml")
    golden("road_signs_f80", sr.render_frame(scene, 80))


def test_road_describe_is_exact_caption_data():
    road = sr.load(EXAMPLES / "road_signs.yaml").nodes[0]
    d = road.describe()
    assert d["lanes"] == 2 and d["lane_widths_m"] == [3.5, 3.5]
    assert d["shape"] == "curves right"
    assert [s["kind"] for s in d["segments"]] == ["straight", "clothoid", "arc"]
    assert d["segments"][2] == {"kind": "arc", "length_m": 200.0, "turn": "right", "radius_m": 100.0}
    assert [b["type"] for b in d["boundaries"]] == ["edge", "double_solid", "edge"]
    assert d["boundaries"][1]["color"] == "yellow"
    assert {"kind": "stop", "style": "cn", "side": "right", "text": "停"} in d["signs"]
    assert {"kind": "text", "lane": 1, "text": "30"} in d["markings"]
    assert d["camera"] == {"lane": 1, "moving": True, "speed_m_s": 12.0}
    lanes = sr.load(EXAMPLES / "lanes_perspective.yaml").nodes[0].describe()
    dashed = lanes["boundaries"][1]
    assert (dashed["dash_m"], dashed["gap_m"]) == (6.0, 9.0)            # the cn_expressway preset
    assert lanes["shape"] == "curves left"
    still = sr.loads(STRAIGHT % ("10", "")).nodes[0].describe()
    assert still["shape"] == "straight" and still["camera"]["moving"] is False and still["signs"] == []
