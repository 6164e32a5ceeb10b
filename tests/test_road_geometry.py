"""Road geometry: centreline closed forms, clothoids, dash anchoring, camera maths, clipping."""
import math

import numpy as np
import pytest

from symbolreel.primitives.road.geometry import (
    ARROW_SHAPES, DASH_PRESETS, Centreline, MarkingSpec, PinholeCamera, RoadLayout, arrow,
    boundary_paint, crosswalk, dash_intervals, road_paint, stop_line, text_anchor)

CURVY = [{"straight": 20.0}, {"clothoid": 40.0, "curvature_from": 0.0, "curvature_to": 0.02},
         {"arc": 30.0, "curvature": 0.02},
         {"clothoid": 50.0, "curvature_from": 0.02, "curvature_to": -0.01}]


# -- centreline ------------------------------------------------------------------------------

def test_straight_closed_form():
    h = 0.3
    cl = Centreline.from_segments([{"straight": 100.0}], start=(5.0, -2.0), heading=h)
    s = np.linspace(0, 100, 11)
    x, y, hh = cl.pose(s)
    np.testing.assert_allclose(x, 5.0 + s * math.cos(h), atol=1e-12)
    np.testing.assert_allclose(y, -2.0 + s * math.sin(h), atol=1e-12)
    np.testing.assert_allclose(hh, h)
    assert cl.length == 100.0


def test_arc_closed_form_and_full_circle():
    k = 1 / 50.0
    cl = Centreline.from_segments([{"arc": 2 * math.pi / k, "curvature": k}])
    s = np.linspace(0, cl.length, 37)
    x, y, h = cl.pose(s)
    np.testing.assert_allclose(x, np.sin(k * s) / k, atol=1e-9)
    np.testing.assert_allclose(y, (1 - np.cos(k * s)) / k, atol=1e-9)
    np.testing.assert_allclose(h, k * s, atol=1e-12)
    np.testing.assert_allclose(np.hypot(x, y - 50.0), 50.0, atol=1e-9)   # on the circle


def test_right_turn_arc_goes_right():
    cl = Centreline.from_segments([{"arc": 10.0, "curvature": -0.1}])
    x, y, h = cl.pose(10.0)
    assert y < 0 and h < 0


def test_clothoid_curvature_linear_in_s():
    k0, k1, L = 0.005, 0.03, 60.0
    cl = Centreline.from_segments([{"clothoid": L, "curvature_from": k0, "curvature_to": k1}])
    s = np.linspace(1.0, L - 1.0, 30)
    ds = 1e-4
    dh = (cl.heading(s + ds) - cl.heading(s - ds)) / (2 * ds)
    np.testing.assert_allclose(dh, k0 + (k1 - k0) * s / L, atol=1e-7)
    # the position really follows the heading: dp/ds = (cos h, sin h)
    xa, ya, _ = cl.pose(s + ds)
    xb, yb, _ = cl.pose(s - ds)
    h = cl.heading(s)
    np.testing.assert_allclose((xa - xb) / (2 * ds), np.cos(h), atol=1e-7)
    np.testing.assert_allclose((ya - yb) / (2 * ds), np.sin(h), atol=1e-7)


def test_clothoid_matches_independent_simpson():
    k0, k1, L = -0.01, 0.05, 80.0
    cl = Centreline.from_segments([{"clothoid": L, "curvature_from": k0, "curvature_to": k1}],
                                  start=(1.0, 2.0), heading=0.5)
    n = 20000                                           # even number of Simpson intervals
    u = np.linspace(0, L, n + 1)
    th = 0.5 + k0 * u + 0.5 * (k1 - k0) / L * u ** 2
    w = np.ones(n + 1)
    w[1:-1:2], w[2:-1:2] = 4, 2
    x_ref = 1.0 + (L / n) / 3 * np.dot(w, np.cos(th))
    y_ref = 2.0 + (L / n) / 3 * np.dot(w, np.sin(th))
    x, y, _ = cl.pose(L)
    assert abs(x - x_ref) < 1e-9 and abs(y - y_ref) < 1e-9


def test_pose_continuous_across_segments():
    cl = Centreline.from_segments(CURVY, start=(3.0, 4.0), heading=-0.2)
    for seg in cl.segments[1:]:
        eps = 1e-7
        a = np.array(cl.pose(seg.s0 - eps))
        b = np.array(cl.pose(seg.s0 + eps))
        assert np.all(np.abs(a - b) < 1e-6), (seg.kind, a, b)
    # the curvature is continuous too (this spec is G2)
    joints = np.array([seg.s0 for seg in cl.segments[1:]])
    np.testing.assert_allclose(cl.curvature(joints - 1e-9), cl.curvature(joints + 1e-9), atol=1e-8)


def test_pose_vectorised_shapes_and_extrapolation():
    cl = Centreline.from_segments(CURVY)
    s = np.linspace(0, cl.length, 12).reshape(3, 4)
    x, y, h = cl.pose(s)
    assert x.shape == (3, 4)
    xe, ye, he = cl.pose(cl.length)
    x2, y2, h2 = cl.pose(cl.length + 10.0)
    assert h2 == pytest.approx(he)
    assert x2 == pytest.approx(xe + 10 * math.cos(he)) and y2 == pytest.approx(ye + 10 * math.sin(he))


def test_sample_s_respects_chord_error():
    k = 1 / 30.0
    cl = Centreline.from_segments([{"arc": 60.0, "curvature": k}])
    for lateral in (0.0, 5.0):
        s = cl.sample_s(0, 60, max_chord_error=0.01, lateral=lateral)
        p = cl.to_world(s, lateral)[:, :2]
        mid_true = cl.to_world(0.5 * (s[:-1] + s[1:]), lateral)[:, :2]
        mid_chord = 0.5 * (p[:-1] + p[1:])
        assert np.max(np.linalg.norm(mid_true - mid_chord, axis=1)) <= 0.01
        assert s[0] == 0 and s[-1] == 60 and np.all(np.diff(s) > 0)


@pytest.mark.parametrize("spec, msg", [
    ({"straight": -1}, "segments\\[0\\].straight"),
    ({"arc": 5}, "needs 'curvature'"),
    ({"clothoid": 5, "curvature_from": 0}, "curvature_to"),
    ({"straight": 5, "arc": 3}, "exactly one"),
    ({"straight": 5, "curvature": 1}, "unknown keys"),
])
def test_segment_errors_name_the_path(spec, msg):
    with pytest.raises(ValueError, match=msg):
        Centreline.from_segments([spec])


def test_to_world_lateral_positive_left():
    cl = Centreline.straight(50.0)                       # along +x: left is +y
    np.testing.assert_allclose(cl.to_world(10.0, 2.0), [10.0, 2.0, 0.0])
    assert Centreline.from_segments(CURVY).to_segments() == CURVY


# -- layout and markings ---------------------------------------------------------------------

def test_layout_offsets_left_to_right():
    lay = RoadLayout([3.5, 3.75, 4.0])
    np.testing.assert_allclose(lay.boundary_offsets(), [5.625, 2.125, -1.625, -5.625])
    assert lay.lane_centre(0) == pytest.approx(3.875)
    assert [b.type for b in lay.boundaries] == ["edge", "dashed", "dashed", "edge"]
    lay2 = RoadLayout([3.0, 3.0], ["solid", "dashed", "solid"], left_edge=0.0)
    np.testing.assert_allclose(lay2.boundary_offsets(), [0.0, -3.0, -6.0])
    with pytest.raises(ValueError, match="boundaries"):
        RoadLayout([3.0, 3.0], ["solid"])
    with pytest.raises(ValueError, match="marking type"):
        MarkingSpec(type="zigzag")


def test_marking_defaults_and_presets():
    assert MarkingSpec(type="double_solid").colour == "yellow"
    assert MarkingSpec(type="dashed").colour == "white"
    assert DASH_PRESETS["cn_expressway"] == (6.0, 9.0)
    assert MarkingSpec(type="dashed", preset="us").dash_gap() == pytest.approx((3.048, 9.144))
    assert MarkingSpec(type="dashed", preset="us", dash=4.0).dash_gap() == pytest.approx((4.0, 9.144))
    lines = MarkingSpec(type="solid_dashed", width=0.15, separation=0.1).lines()
    assert lines == ((pytest.approx(0.125), "solid"), (pytest.approx(-0.125), "dashed"))


def test_dash_intervals_anchored_in_world():
    n, a, b = dash_intervals(6.0, 9.0, 2.0, 30.0, 80.0)
    np.testing.assert_allclose(a, 2.0 + n * 15.0)
    np.testing.assert_allclose(b - a, 6.0)
    assert np.all(b > 30.0) and np.all(a < 80.0)
    assert n[0] == 2 and n[-1] == 5                    # [17, 23] misses; [32, 38] .. [77, 83]


def test_dash_polygons_independent_of_camera_stretch():
    cl = Centreline.from_segments(CURVY)
    lay = RoadLayout([3.75, 3.75], ["edge", {"type": "dashed", "preset": "cn_expressway",
                                             "phase": 1.0}, "edge"])
    runs = [{p.index: p for p in boundary_paint(cl, lay, 1, s, s + 60.0)} for s in (0.0, 7.3, 21.9)]
    common = set(runs[0]) & set(runs[1]) & set(runs[2])
    assert len(common) >= 2
    for k in common:
        a0, b0 = runs[0][k].s_range
        assert a0 == pytest.approx(1.0 + 15.0 * k) and b0 == pytest.approx(a0 + 6.0)
        for r in runs[1:]:
            np.testing.assert_array_equal(r[k].contours[0], runs[0][k].contours[0])


def test_dash_follows_curvature_and_has_width():
    k = 1 / 40.0
    cl = Centreline.from_segments([{"arc": 100.0, "curvature": k}])
    lay = RoadLayout([3.5], [MarkingSpec(type="dashed", dash=10.0, gap=5.0, width=0.2), "none"],
                     left_edge=0.0)
    poly = boundary_paint(cl, lay, 0, 0, 100)[0].contours[0]
    r = np.hypot(poly[:, 0], poly[:, 1] - 40.0)          # circle centre (0, 40)
    assert set(np.round(r, 9)) == {39.9, 40.1}           # edges at lateral +-0.1 exactly
    assert len(poly) > 4                                 # sampled along the curve
    assert boundary_paint(cl, lay, 1, 0, 100) == []      # "none" paints nothing


def test_double_lines_and_wear():
    cl = Centreline.straight(100.0)
    lay = RoadLayout([3.5, 3.5], ["edge", {"type": "double_solid", "wear": 0.6}, "edge"])
    pieces = boundary_paint(cl, lay, 1, 0, 50, seed=7)
    assert len(pieces) == 2 and all(p.colour == "yellow" for p in pieces)
    ys = sorted((p.contours[0][:, 1].min(), p.contours[0][:, 1].max()) for p in pieces)
    assert ys[0] == pytest.approx((-0.2, -0.05)) and ys[1] == pytest.approx((0.05, 0.2))
    alphas = [p.alpha for p in pieces]
    assert all(0.4 <= a <= 1.0 for a in alphas)
    assert alphas == [p.alpha for p in boundary_paint(cl, lay, 1, 20, 90, seed=7)]
    assert alphas != [p.alpha for p in boundary_paint(cl, lay, 1, 0, 50, seed=8)]


def test_paint_is_ccw_and_on_ground():
    cl = Centreline.from_segments(CURVY)
    lay = RoadLayout([3.75] * 3)
    paints = road_paint(cl, lay, 0, cl.length) + crosswalk(cl, lay, 30.0)
    paints += [stop_line(cl, lay, 25.0, lanes=[1, 2]), text_anchor(cl, lay, 0, 60.0)]
    paints += [arrow(cl, lay, 1, 40.0, shape) for shape in ARROW_SHAPES]
    for p in paints:
        for c in p.contours:
            x, y = c[:, 0], c[:, 1]
            assert np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)) > 0
            assert np.all(c[:, 2] == 0)


def test_crosswalk_and_stop_line_span_lanes():
    cl = Centreline.straight(100.0)
    lay = RoadLayout([3.5, 3.5, 3.5])
    stripes = crosswalk(cl, lay, 40.0, length=3.0, stripe_width=0.45, stripe_gap=0.6)
    left, right = lay.lane_span(None)
    lo = [s.contours[0][:, 1].min() for s in stripes]
    hi = [s.contours[0][:, 1].max() for s in stripes]
    assert len(stripes) == 10 and min(lo) >= right and max(hi) <= left
    np.testing.assert_allclose(np.diff(sorted(lo)), 1.05)
    assert max(hi) - left == pytest.approx(right - min(lo))          # centred
    sl = stop_line(cl, lay, 30.0, lanes=[0, 1]).contours[0]
    assert sl[:, 0].min() == 30.0 and sl[:, 0].max() == pytest.approx(30.4)
    assert sl[:, 1].max() == pytest.approx(5.25) and sl[:, 1].min() == pytest.approx(-1.75)


@pytest.mark.parametrize("shape", sorted(ARROW_SHAPES))
def test_arrows_fit_their_lane_and_quad(shape):
    cl = Centreline.straight(100.0)
    lay = RoadLayout([3.75, 3.75])
    a = arrow(cl, lay, 1, 20.0, shape, length=6.0)
    pts = np.concatenate(a.contours)
    left, right = lay.lane_span(1)
    assert pts[:, 1].max() < left - 0.1 and pts[:, 1].min() > right + 0.1
    assert pts[:, 0].min() == pytest.approx(20.0) and pts[:, 0].max() == pytest.approx(26.0)
    q = a.quad                                          # far-left, far-right, near-right, near-left
    assert q[0, 0] == q[1, 0] == pytest.approx(26.0) and q[2, 0] == q[3, 0] == pytest.approx(20.0)
    assert q[0, 1] > q[1, 1] and q[3, 1] > q[2, 1]
    assert a.cls == f"arrow_{shape}"


def test_arrow_heads_point_the_right_way():
    cl = Centreline.straight(100.0)
    lay = RoadLayout([3.75])

    def extreme(shape):
        pts = np.concatenate(arrow(cl, lay, 0, 0.0, shape).contours)
        return pts[np.argmax(pts[:, 0])]                # the foremost point

    assert abs(extreme("straight")[1]) < 1e-9
    assert extreme("left")[1] > 0.3 and extreme("right")[1] < -0.3
    u = np.concatenate(arrow(cl, lay, 0, 0.0, "uturn").contours)
    assert u[:, 1].max() - u[:, 1].min() > 1.0          # comes back down on the left


def test_text_anchor_quad_order():
    cl = Centreline.straight(100.0)
    lay = RoadLayout([4.0, 4.0])
    t = text_anchor(cl, lay, 0, 50.0, length=5.0, text="BUS")
    np.testing.assert_allclose(t.quad[:, :2], [[55, 3.4], [55, 0.6], [50, 0.6], [50, 3.4]])
    assert t.text == "BUS" and t.kind == "text"


# -- camera ----------------------------------------------------------------------------------

W, H = 1280, 720


def hand_project(p, cam_pos, heading, pitch_deg, fov_y_deg):
    """Pinhole maths written out independently: camera looks along ``heading``, pitched down."""
    th = math.radians(pitch_deg)
    fwd_h = np.array([math.cos(heading), math.sin(heading), 0.0])
    left = np.array([-math.sin(heading), math.cos(heading), 0.0])
    up = np.array([0.0, 0.0, 1.0])
    forward = math.cos(th) * fwd_h - math.sin(th) * up
    down = -(math.sin(th) * fwd_h + math.cos(th) * up)
    right = -left
    d = np.asarray(p) - cam_pos
    X, Y, Z = d @ right, d @ down, d @ forward
    f = (H / 2) / math.tan(math.radians(fov_y_deg) / 2)
    return np.array([f * X / Z + W / 2, f * Y / Z + H / 2]), Z


def test_project_dash_corners_by_hand():
    heading = 0.4
    cl = Centreline.from_segments([{"straight": 300.0}], start=(10.0, -5.0), heading=heading)
    lay = RoadLayout([3.75, 3.75], ["edge", {"type": "dashed", "preset": "cn_expressway"}, "edge"])
    cam = PinholeCamera(W, H, 45.0, 1.4, 4.0).at(cl, 12.0, lateral=lay.lane_centre(1))
    dash = [p for p in boundary_paint(cl, lay, 1, 20, 60) if p.index == 2][0]   # s in [30, 36]
    corners = [cl.to_world(s, lat) for s in (30.0, 36.0) for lat in (0.075, -0.075)]
    poly = dash.contours[0]
    cam_pos = cl.to_world(12.0, lay.lane_centre(1)) + (0, 0, 1.4)
    for c in corners:
        assert np.min(np.linalg.norm(poly - c, axis=1)) < 1e-9       # corner is in the polygon
        uv, z = cam.project(c[None])
        uv_ref, z_ref = hand_project(c, cam_pos, heading, 4.0, 45.0)
        np.testing.assert_allclose(uv[0], uv_ref, atol=1e-9)
        assert z[0] == pytest.approx(z_ref)


def test_horizon_row_and_ground_homography():
    cam = PinholeCamera(W, H, 40.0, 1.5, 6.0).at(Centreline.straight(100.0), 0.0)
    f = cam.camera.focal
    assert cam.horizon_row() == pytest.approx(H / 2 - f * math.tan(math.radians(6.0)))
    far = np.array([[1e7, 3.0, 0.0]])
    assert cam.project(far)[0][0, 1] == pytest.approx(cam.horizon_row(), abs=1e-3)
    pts = np.array([[5.0, 1.0, 0.0], [40.0, -3.0, 0.0], [120.0, 7.0, 0.0]])
    hom = (cam.ground_homography() @ np.c_[pts[:, :2], np.ones(3)].T).T
    np.testing.assert_allclose(hom[:, :2] / hom[:, 2:], cam.project(pts)[0], atol=1e-8)
    a, b, c = cam.horizon_line()
    uv = cam.project(pts)[0]
    assert np.all(a * uv[:, 0] + b * uv[:, 1] + c > 0)             # ground side is positive


def test_yaw_and_roll_directions():
    cl = Centreline.straight(100.0)
    left_point = np.array([[20.0, 5.0, 1.5]])
    base = PinholeCamera(W, H, 40.0, 1.5, 0.0).at(cl, 0.0)
    yawed = PinholeCamera(W, H, 40.0, 1.5, 0.0, yaw_deg=10.0).at(cl, 0.0)
    assert base.project(left_point)[0][0, 0] < yawed.project(left_point)[0][0, 0]   # view turned left
    rolled = PinholeCamera(W, H, 40.0, 1.5, 0.0, roll_deg=5.0).at(cl, 0.0)
    # positive roll: camera's right side goes down -> the horizon rises on the right of the image
    assert rolled.horizon_row(x=W) < rolled.horizon_row(x=0)


def test_near_plane_clipping_keeps_only_front():
    cl = Centreline.straight(100.0)
    cam = PinholeCamera(W, H, 40.0, 1.5, 3.0).at(cl, 20.0)
    rect = np.array([[10.0, -1.0, 0], [30.0, -1.0, 0], [30.0, 1.0, 0], [10.0, 1.0, 0]])
    clipped = cam.clip_polygon_near(rect, near=0.5)
    z = cam.depth(clipped)
    assert len(clipped) >= 3 and np.all(z >= 0.5 - 1e-9)
    assert np.any(np.isclose(z, 0.5))                     # cut exactly on the plane
    assert clipped[:, 0].max() == pytest.approx(30.0)
    uv = cam.project_polygon(rect)
    assert np.all(np.isfinite(uv))
    assert len(cam.clip_polygon_near(rect - (25.0, 0, 0))) == 0    # wholly behind
    far = cam.clip_polygon_near(rect + (250.0, 0, 0))
    assert len(far) == 0                                  # beyond the far plane (200 m)


def test_polyline_clip_pieces():
    cl = Centreline.straight(500.0)
    cam = PinholeCamera(W, H, 40.0, 1.5, 3.0, far=100.0).at(cl, 50.0)
    line = cl.to_world(np.linspace(0, 400, 81), 1.0)
    pieces = cam.clip_polyline_near(line)
    assert len(pieces) == 1
    z = cam.depth(pieces[0])
    assert z.min() == pytest.approx(0.5) and z.max() == pytest.approx(100.0)


def test_scrolling_dash_moves_smoothly_and_monotonically():
    """Camera at s = v*t: a dash's near edge moves down the image every frame by an amount
    bounded by the speed: dy/dd = -f*h/Z^2 on flat ground, so f*h*v*dt/Z_k^2 <= dy <=
    f*h*v*dt/Z_{k+1}^2; and once the near edge is clipped the far edge keeps moving smoothly."""
    v, fps, h, pitch = 25.0, 30.0, 1.5, 4.0
    cl = Centreline.straight(400.0)
    lay = RoadLayout([3.75, 3.75], ["edge", {"type": "dashed", "preset": "cn_expressway"}, "edge"])
    cam0 = PinholeCamera(W, H, 40.0, h, pitch)
    f = cam0.focal
    target = 5                                            # dash 5: s in [75, 81]
    near_y, near_z, far_y = [], [], []
    for k in range(int(3.5 * fps)):
        s_cam = v * k / fps
        cam = cam0.at(cl, s_cam, lateral=lay.lane_centre(1))
        dashes = {p.index: p for p in boundary_paint(cl, lay, 1, *cam.visible_stretch(s_cam))}
        if target not in dashes:
            break
        poly = cam.project_polygon(dashes[target].contours[0])
        if len(poly) == 0:
            break
        far_y.append(poly[:, 1].min())
        ze = cam.depth(cl.to_world(75.0, lay.lane_centre(1) + 1.875)[None])[0]
        if ze >= cam0.near:
            near_y.append(poly[:, 1].max())
            near_z.append(ze)
    near_y, near_z, far_y = map(np.array, (near_y, near_z, far_y))
    assert len(near_y) > 60 and len(far_y) > len(near_y)
    dy = np.diff(near_y)
    step = v / fps
    lo = f * h * step / near_z[:-1] ** 2
    hi = f * h * step / near_z[1:] ** 2
    assert np.all(dy > 0)
    assert np.all(dy >= lo * (1 - 1e-9)) and np.all(dy <= hi * (1 + 1e-9))
    dfar = np.diff(far_y)
    assert np.all(dfar > 0)                               # keeps moving, also while clipped
    assert np.all(np.diff(dfar) > 0)                      # accelerating smoothly: no jumps


def test_outlines_through_a_homography_are_exact_for_lines_and_conics():
    """road_projective maps outlines before the display list: a quarter circle (one conic) and a quad
    curve come out as conics whose points are exactly the mapped points of the original curves."""
    from symbolreel import ir
    from symbolreel.primitives.road.projective import homography, map_path

    h = homography([(0, 0), (100, 0), (100, 100), (0, 100)], [(250.3, 100.2), (390.7, 131.1), (420.4, 250.6),
                                                                 (230.1, 222.9)])

    def project(p):
        v = h @ np.array([p[0], p[1], 1.0])
        return v[:2] / v[2]

    def conic_at(p0, p1, p2, w, t):
        b = np.array([(1 - t) ** 2, 2 * w * t * (1 - t), t * t])
        return (b[0] * p0 + b[1] * p1 + b[2] * p2) / b.sum()

    r = 50.0
    pts = np.array([[r, 0.0], [r, r], [0.0, r], [0.0, 0.0], [80.0, 10.0], [90.0, 90.0]])
    verbs = np.array([ir.MOVE, ir.CONIC, ir.MOVE, ir.QUAD, ir.CLOSE], np.uint8)
    out = map_path(pts, verbs, np.array([np.sqrt(0.5)]), h)
    assert list(out.verbs) == [ir.MOVE, ir.CONIC, ir.MOVE, ir.CONIC, ir.CLOSE]
    q = out.points
    hinv = np.linalg.inv(h)
    for t in np.linspace(0.0, 1.0, 9):
        # every point of the mapped conic maps back onto the circle (in its quarter)
        back = hinv @ np.append(conic_at(q[0], q[1], q[2], out.weights[0], t), 1.0)
        x, y = back[:2] / back[2]
        assert np.hypot(x, y) == pytest.approx(r, abs=1e-9) and x >= -1e-9 and y >= -1e-9
        # the quad's point at its own parameter: the conic's parameter t is a Moebius reparametrisation
        # of it (end weights normalised: u = t a / (1 - t + t a), a = sqrt(w_start / w_end))
        a = np.sqrt((h @ np.append(pts[3], 1.0))[2] / (h @ np.append(pts[5], 1.0))[2])
        u = t * a / (1 - t + t * a)
        quad = (1 - u) ** 2 * pts[3] + 2 * u * (1 - u) * pts[4] + u * u * pts[5]
        assert np.abs(conic_at(q[3], q[4], q[5], out.weights[1], t) - project(quad)).max() < 1e-9
    assert np.abs(q[0] - project(pts[0])).max() < 1e-9 and np.abs(q[3] - project(pts[3])).max() < 1e-9



def _clip_scalar(line, values):
    """Reference for ``clip_polyline_values``, one segment and one half-space at a time in floats."""
    pieces, cur = [], []

    def flush():
        if len(cur) >= 2:
            pieces.append(np.array(cur))

    for i in range(len(line) - 1):
        lo, hi, dead = 0.0, 1.0, False
        for a, b in zip(values[i].tolist(), values[i + 1].tolist()):
            dead = dead or (a < 0 and b < 0)
            if a < 0 <= b:
                lo = max(lo, a / (a - b))
            elif b < 0 <= a:
                hi = min(hi, a / (a - b))
        p, q = line[i], line[i + 1]
        if dead or lo >= hi:
            flush()
            cur = []
            continue
        if not cur or lo > 0:
            flush()
            cur = [p + lo * (q - p)]
        cur.append(p + hi * (q - p))
        if hi < 1:
            flush()
            cur = []
    flush()
    return pieces


def test_polyline_clipped_to_half_spaces_matches_one_segment_at_a_time():
    from symbolreel.primitives.road.camera import clip_polyline_values

    rng = np.random.default_rng(11)
    for trial in range(500):
        n = int(rng.integers(2, 40))
        line = rng.normal(size=(n, 3)) * 10
        values = rng.normal(size=(n, 2)) + (0.8 if trial % 2 else 0.0)
        if trial % 5 == 0:
            values[rng.integers(0, n)] = 0.0            # a vertex exactly on a plane
        got, want = clip_polyline_values(line, values), _clip_scalar(line, values)
        assert [p.tobytes() for p in got] == [p.tobytes() for p in want], trial
