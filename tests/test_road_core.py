"""Unit tests of the road geometry core against closed forms written here, independently of the
implementation: centreline poses, world-anchored dashes, the pinhole camera, clipping, scrolling
and the lane-label writers."""
from __future__ import annotations

import numpy as np
import pytest

from symbolreel.primitives.road.labels import (DEFAULT_CLASS_IDS, culane_lines, culane_points,
                                               object_labels, parse_culane_lines,
                                               segmentation_mask, tusimple_record, tusimple_row)
from symbolreel.primitives.road.arrows import arrow_outline
from symbolreel.primitives.road.camera import PinholeCamera
from symbolreel.primitives.road.centreline import Centreline
from symbolreel.primitives.road.markings import (DASH_PRESETS, MarkingSpec, RoadLayout, arrow,
                                                 boundary_paint, dash_intervals, road_paint,
                                                 stop_line, wear_value)

# -- helpers written independently of the implementation ----------------------------------------


def _shoelace(poly):
    x, y = np.asarray(poly)[:, 0], np.asarray(poly)[:, 1]
    return 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _rz(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _ry(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rx(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _hand_project(pts, centre, heading, pitch_deg, yaw_deg, roll_deg, fov_deg, w, h):
    """Pinhole projection built from elementary rotations.

    Vehicle frame: x forward, y left, z up.  The camera body is turned by yaw about z, then pitched
    down (a rotation about the body's y axis by +pitch sends forward to (cos, 0, -sin)), then rolled
    about its forward axis (+roll sends the right axis -y downwards).  Camera axes in the body:
    right = -y, down = -z, forward = +x."""
    m = _rz(heading + np.radians(yaw_deg)) @ _ry(np.radians(pitch_deg)) @ _rx(np.radians(roll_deg))
    right, down, fwd = m @ [0.0, -1.0, 0.0], m @ [0.0, 0.0, -1.0], m @ [1.0, 0.0, 0.0]
    d = np.asarray(pts, dtype=float) - centre
    X, Y, Z = d @ right, d @ down, d @ fwd
    f = (h / 2) / np.tan(np.radians(fov_deg) / 2)
    return np.stack([w / 2 + f * X / Z, h / 2 + f * Y / Z], axis=1), Z


def _point_segment_distance(p, a, b):
    """Distance of points p (N, 2) from the segment a-b."""
    ab = b - a
    t = np.clip(((p - a) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


MIXED = [{"straight": 30.0},
         {"clothoid": 40.0, "curvature_from": 0.0, "curvature_to": 0.02},
         {"arc": 50.0, "curvature": 0.02},
         {"clothoid": 60.0, "curvature_from": 0.02, "curvature_to": -0.015},
         {"arc": 35.0, "curvature": -0.015},
         {"clothoid": 25.0, "curvature_from": -0.015, "curvature_to": 0.0},
         {"straight": 20.0}]


# -- centreline ---------------------------------------------------------------------------------


def test_straight_pose_closed_form_including_extrapolation():
    x0, y0, h0 = 2.0, -3.0, 0.7
    cl = Centreline.straight(100.0, start=(x0, y0), heading=h0)
    s = np.linspace(-10.0, 110.0, 97)
    x, y, h = cl.pose(s)
    np.testing.assert_allclose(x, x0 + s * np.cos(h0), atol=1e-12)
    np.testing.assert_allclose(y, y0 + s * np.sin(h0), atol=1e-12)
    np.testing.assert_allclose(h, h0, atol=1e-15)
    # scalar in, scalar shape out
    assert np.shape(cl.pose(5.0)[0]) == ()


@pytest.mark.parametrize("k", [1 / 40.0, -1 / 25.0])
def test_arc_pose_closed_form(k):
    x0, y0, h0, L = 1.0, 4.0, -0.4, 120.0
    cl = Centreline.from_segments([{"arc": L, "curvature": k}], start=(x0, y0), heading=h0)
    s = np.linspace(0.0, L, 61)
    r = 1.0 / k
    cx, cy = x0 - r * np.sin(h0), y0 + r * np.cos(h0)        # centre of the circle (left normal * r)
    hh = h0 + k * s
    x, y, h = cl.pose(s)
    np.testing.assert_allclose(x, cx + r * np.sin(hh), atol=1e-9)
    np.testing.assert_allclose(y, cy - r * np.cos(hh), atol=1e-9)
    np.testing.assert_allclose(h, hh, atol=1e-12)
    # every point is at distance |r| from the centre
    np.testing.assert_allclose(np.hypot(x - cx, y - cy), abs(r), atol=1e-9)
    assert np.allclose(cl.curvature(s[1:-1]), k)
    # beyond the end: straight continuation along the end tangent
    xe, ye, he = cl.pose(L + 7.0)
    np.testing.assert_allclose([xe, ye], [cx + r * np.sin(h0 + k * L) + 7 * np.cos(h0 + k * L),
                                          cy - r * np.cos(h0 + k * L) + 7 * np.sin(h0 + k * L)],
                               atol=1e-9)


def test_arc_after_straight_starts_at_the_straight_end():
    cl = Centreline.from_segments([{"straight": 10.0}, {"arc": 30.0, "curvature": 0.05}])
    s = np.linspace(10.0, 40.0, 31)
    u = s - 10.0
    x, y, h = cl.pose(s)
    np.testing.assert_allclose(x, 10.0 + np.sin(0.05 * u) / 0.05, atol=1e-9)
    np.testing.assert_allclose(y, (1 - np.cos(0.05 * u)) / 0.05, atol=1e-9)
    np.testing.assert_allclose(h, 0.05 * u, atol=1e-12)


@pytest.mark.parametrize("k0,k1", [(0.0, 0.02), (0.03, -0.01), (-0.05, -0.002)])
def test_clothoid_heading_derivative_is_linear_curvature(k0, k1):
    L = 80.0
    cl = Centreline.from_segments([{"clothoid": L, "curvature_from": k0, "curvature_to": k1}],
                                  start=(3.0, 1.0), heading=0.3)
    s = np.linspace(0.5, L - 0.5, 157)
    eps = 1e-4
    dh = (cl.heading(s + eps) - cl.heading(s - eps)) / (2 * eps)
    np.testing.assert_allclose(dh, k0 + (k1 - k0) * s / L, atol=1e-7)
    # the position moves at unit speed along the heading: (dx, dy)/ds = (cos h, sin h)
    x1, y1, _ = cl.pose(s + eps)
    x0, y0, _ = cl.pose(s - eps)
    h = cl.heading(s)
    np.testing.assert_allclose((x1 - x0) / (2 * eps), np.cos(h), atol=1e-7)
    np.testing.assert_allclose((y1 - y0) / (2 * eps), np.sin(h), atol=1e-7)


def test_clothoid_position_matches_independent_quadrature():
    k0, k1, L, h0 = 0.0, 0.04, 60.0, 0.2
    cl = Centreline.from_segments([{"clothoid": L, "curvature_from": k0, "curvature_to": k1}],
                                  heading=h0)
    u = np.linspace(0.0, L, 120001)                       # composite Simpson, fine grid
    hh = h0 + k0 * u + 0.5 * (k1 - k0) / L * u * u
    du = u[1] - u[0]
    for target in (13.0, 37.5, 60.0):
        n = int(round(target / du))
        n -= n % 2
        w = np.ones(n + 1)
        w[1:-1:2], w[2:-1:2] = 4.0, 2.0
        xs = du / 3 * np.dot(w, np.cos(hh[:n + 1]))
        ys = du / 3 * np.dot(w, np.sin(hh[:n + 1]))
        x, y, _ = cl.pose(u[n])
        assert abs(x - xs) < 1e-9 and abs(y - ys) < 1e-9


def test_pose_continuous_across_segment_joins():
    cl = Centreline.from_segments(MIXED, start=(5.0, -2.0), heading=1.1)
    joins = np.cumsum([list(seg.values())[0] for seg in MIXED])[:-1]
    assert len(joins) == 6
    for eps in (1e-6, 1e-9):
        xa, ya, ha = cl.pose(joins - eps)
        xb, yb, hb = cl.pose(joins + eps)
        assert np.all(np.hypot(xb - xa, yb - ya) <= 2 * eps * (1 + 1e-3) + 1e-12)
        assert np.all(np.abs(hb - ha) <= 0.05 * 2 * eps + 1e-12)
    # the curvature is continuous across the clothoid joins too (this layout has no jumps)
    ka, kb = cl.curvature(joins - 1e-7), cl.curvature(joins + 1e-7)
    np.testing.assert_allclose(ka, kb, atol=1e-8)
    # and the total length is the sum of the pieces
    assert cl.length == pytest.approx(sum(list(seg.values())[0] for seg in MIXED))


@pytest.mark.parametrize("bound", [0.01, 0.002])
@pytest.mark.parametrize("lateral", [0.0, 6.0, -6.0])
def test_sample_s_respects_chord_error_on_arc(bound, lateral):
    k = 1 / 30.0
    cl = Centreline.from_segments([{"straight": 10.0}, {"arc": 90.0, "curvature": k},
                                   {"straight": 10.0}])
    s = cl.sample_s(2.0, 107.0, max_chord_error=bound, lateral=lateral)
    assert s[0] == 2.0 and s[-1] == 107.0 and np.all(np.diff(s) > 0)
    assert 10.0 in s and 100.0 in s                            # joints are included
    assert np.all(np.diff(s) <= 5.0 + 1e-9)                     # max_step
    pts = cl.to_world(s, lateral)[:, :2]
    worst = 0.0
    for a, b, pa, pb in zip(s[:-1], s[1:], pts[:-1], pts[1:]):
        dense = cl.to_world(np.linspace(a, b, 41), lateral)[:, :2]
        worst = max(worst, _point_segment_distance(dense, pa, pb).max())
    assert worst <= bound * (1 + 1e-6)
    assert worst > 0.25 * bound            # not absurdly over-sampled either


# -- dashes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dash,gap,phase", [(6.0, 9.0, 0.0), (2.0, 4.0, 1.3), (3.048, 9.144, -5.0)])
def test_dash_intervals_are_anchored_in_arc_length(dash, gap, phase):
    seen = {}
    rng = np.random.default_rng(0)
    windows = [(0.0, 50.0), (7.3, 12.1), (-20.0, 3.0), (33.0, 130.0), (phase, phase + dash)]
    windows += [tuple(sorted(rng.uniform(-30, 150, 2))) for _ in range(40)]
    for s0, s1 in windows:
        n, a, b = dash_intervals(dash, gap, phase, s0, s1)
        # exactly the dashes overlapping [s0, s1] (brute force over a wide index range)
        m = np.arange(-100, 100)
        ma = phase + m * (dash + gap)
        want = m[(ma + dash > s0) & (ma < s1)]
        assert list(n) == list(want), (s0, s1)
        for k, x, y in zip(n, a, b):
            assert y - x == pytest.approx(dash)
            assert x == pytest.approx(phase + k * (dash + gap), abs=1e-9)
            if k in seen:
                assert seen[k] == (x, y)
            seen[k] = (x, y)
        # clipped variant keeps the indices and stays inside the window
        nc, ac, bc = dash_intervals(dash, gap, phase, s0, s1, clip=True)
        assert list(nc) == list(n)
        assert np.all(ac >= s0) and np.all(bc <= s1)
    assert len(seen) > 10


def test_boundary_paint_dash_s_range_is_window_independent():
    cl = Centreline.from_segments([{"straight": 40.0}, {"arc": 200.0, "curvature": 0.01}])
    layout = RoadLayout((3.5, 3.5), ["edge", {"type": "dashed", "preset": "cn_expressway",
                                              "phase": 2.0}, "edge"])
    ranges = {}
    for s0, s1 in [(0, 60), (25, 90), (50.5, 51.0), (80, 240), (0, 240)]:
        for p in boundary_paint(cl, layout, 1, s0, s1):
            assert p.s_range[0] < s1 and p.s_range[1] > s0
            ranges.setdefault(p.index, set()).add(p.s_range)
            # the polygon lies on the boundary's band from s_range[0] to s_range[1]
            poly = p.contours[0]
            assert len(p.contours) == 1 and np.allclose(poly[:, 2], 0.0)
    assert len(ranges) > 10
    for k, rs in ranges.items():
        assert len(rs) == 1, (k, rs)
        (a, b), = rs
        if a > 0:
            assert a == pytest.approx(2.0 + 15.0 * k)


@pytest.mark.parametrize("preset,dash,gap", [("cn_expressway", 6.0, 9.0), ("urban", 2.0, 4.0),
                                             ("us", 10 * 0.3048, 30 * 0.3048)])
def test_presets_give_published_lengths(preset, dash, gap):
    assert DASH_PRESETS[preset] == pytest.approx((dash, gap), abs=1e-12)
    spec = MarkingSpec(type="dashed", preset=preset)
    assert spec.dash_gap() == pytest.approx((dash, gap))
    # measured on the paint itself: a straight road along +x, so a dash's x-extent is its length
    cl = Centreline.straight(300.0)
    layout = RoadLayout((3.6,), [spec, "none"])
    paints = boundary_paint(cl, layout, 0, 0.0, 100.0)
    xs = [(p.contours[0][:, 0].min(), p.contours[0][:, 0].max()) for p in paints]
    starts = np.array([a for a, _ in xs])
    lengths = np.array([b - a for a, b in xs])
    np.testing.assert_allclose(lengths[starts > 0], dash, atol=1e-9)
    np.testing.assert_allclose(np.diff(starts), dash + gap, atol=1e-9)
    # explicit dash/gap override the preset
    assert MarkingSpec(type="dashed", preset=preset, dash=1.0).dash_gap() == (1.0, gap)
    assert MarkingSpec(type="dashed").dash_gap() == DASH_PRESETS["urban"]


def test_double_solid_two_parallel_strips_with_separation():
    cl = Centreline.straight(100.0)
    spec = MarkingSpec(type="double_solid", width=0.2, separation=0.3)
    layout = RoadLayout((3.5, 3.5), ["edge", spec, "edge"])
    base = layout.boundary_offsets()[1]
    paints = boundary_paint(cl, layout, 1, 10.0, 60.0)
    assert len(paints) == 2 and all(p.colour == "yellow" for p in paints)
    (l0, l1), (r0, r1) = [(p.contours[0][:, 1].max(), p.contours[0][:, 1].min()) for p in paints]
    # listed left to right: first strip is the left (larger y) one
    assert l1 - r0 == pytest.approx(0.3)                # clear gap between them
    assert l0 - l1 == pytest.approx(0.2) and r0 - r1 == pytest.approx(0.2)
    assert 0.5 * (l0 + r1) == pytest.approx(base)       # the pair is centred on the boundary
    for p in paints:
        assert p.contours[0][:, 0].min() == pytest.approx(10.0)
        assert p.contours[0][:, 0].max() == pytest.approx(60.0)
        assert abs(_shoelace(p.contours[0])) == pytest.approx(0.2 * 50.0)
    # on a curve the two strips stay parallel: constant lateral distance along s
    cl2 = Centreline.from_segments([{"arc": 100.0, "curvature": 0.02}])
    for p in boundary_paint(cl2, layout, 1, 0.0, 100.0):
        poly = p.contours[0]
        ox, oy = 0.0, 1 / 0.02                 # centre of the arc (start at origin, heading 0)
        radii = np.hypot(poly[:, 0] - ox, poly[:, 1] - oy)
        assert radii.max() - radii.min() == pytest.approx(0.2, abs=1e-9)


def test_wear_deterministic_per_seed_and_dash_index():
    cl = Centreline.straight(500.0)
    layout = RoadLayout((3.5, 3.5), ["edge", {"type": "dashed", "wear": 0.6}, "edge"])
    def alphas(seed, s0, s1):
        return {p.index: p.alpha for p in boundary_paint(cl, layout, 1, s0, s1, seed=seed)}
    a = alphas(7, 0.0, 200.0)
    b = alphas(7, 100.0, 400.0)
    common = set(a) & set(b)
    assert len(common) > 10
    assert all(a[k] == b[k] for k in common)
    assert all(0.4 <= v <= 1.0 for v in a.values())
    assert len(set(a.values())) > len(a) // 2            # varies from dash to dash
    c = alphas(8, 0.0, 200.0)
    assert sum(a[k] != c[k] for k in a) > 0.9 * len(a)   # another seed, other wear
    assert wear_value(7, 0.6, 1, 1, 0, 5) == a[5]
    fresh = RoadLayout((3.5, 3.5), ["edge", "dashed", "edge"])
    assert all(p.alpha == 1.0 for p in boundary_paint(cl, fresh, 1, 0, 100, seed=3))


# -- camera -------------------------------------------------------------------------------------


def test_project_by_hand_level_camera():
    cam = PinholeCamera(640, 480, 60.0, 1.5, 0.0).at_pose(0.0, 0.0, 0.0)
    f = 240 / np.tan(np.radians(30))
    uv, z = cam.project(np.array([[10.0, 2.0, 0.0], [20.0, -1.0, 1.5]]))
    np.testing.assert_allclose(uv[0], [320 - f * 0.2, 240 + f * 0.15], atol=1e-9)
    np.testing.assert_allclose(uv[1], [320 + f * 0.05, 240.0], atol=1e-9)
    np.testing.assert_allclose(z, [10.0, 20.0])


@pytest.mark.parametrize("pitch,yaw,roll", [(4.0, 0.0, 0.0), (7.0, 10.0, 0.0), (3.0, -5.0, 8.0),
                                            (-2.0, 20.0, -12.0)])
def test_project_matches_hand_pinhole(pitch, yaw, roll):
    w, h, fov, hm = 1280, 720, 45.0, 1.6
    heading, cx, cy = 0.8, 12.0, -4.0
    cam = PinholeCamera(w, h, fov, hm, pitch, yaw, roll).at_pose(cx, cy, heading)
    rng = np.random.default_rng(1)
    fwd = rng.uniform(5, 80, 30)
    lat = rng.uniform(-10, 10, 30)
    pts = np.stack([cx + fwd * np.cos(heading) - lat * np.sin(heading),
                    cy + fwd * np.sin(heading) + lat * np.cos(heading),
                    rng.uniform(0, 3, 30)], axis=1)
    want, wz = _hand_project(pts, np.array([cx, cy, hm]), heading, pitch, yaw, roll, fov, w, h)
    got, gz = cam.project(pts)
    np.testing.assert_allclose(gz, wz, atol=1e-9)
    np.testing.assert_allclose(got, want, atol=1e-7)
    # the ground homography agrees on ground points
    g = pts.copy()
    g[:, 2] = 0.0
    want_g, _ = _hand_project(g, np.array([cx, cy, hm]), heading, pitch, yaw, roll, fov, w, h)
    hp = (cam.ground_homography() @ np.c_[g[:, :2], np.ones(len(g))].T).T
    np.testing.assert_allclose(hp[:, :2] / hp[:, 2:], want_g, atol=1e-6)


def test_camera_at_centreline_pose_with_lateral():
    cl = Centreline.from_segments([{"arc": 100.0, "curvature": 0.01}], heading=0.2)
    pc = PinholeCamera(800, 600, 50.0, 1.4, 5.0)
    s, lat = 37.0, 1.75
    x, y, hd = cl.pose(s)
    cam = pc.at(cl, s, lateral=lat)
    centre = np.array([x - lat * np.sin(hd), y + lat * np.cos(hd), 1.4])
    np.testing.assert_allclose(cam.C, centre, atol=1e-12)
    pts = cl.to_world(np.array([45.0, 60.0, 80.0]), np.array([0.0, 3.0, -2.0]))
    want, _ = _hand_project(pts, centre, hd, 5.0, 0.0, 0.0, 50.0, 800, 600)
    np.testing.assert_allclose(cam.project(pts)[0], want, atol=1e-7)


@pytest.mark.parametrize("pitch", [-3.0, 0.0, 2.5, 6.0, 15.0])
@pytest.mark.parametrize("yaw", [0.0, 12.0])
def test_horizon_row_without_roll(pitch, yaw):
    pc = PinholeCamera(960, 540, 40.0, 1.5, pitch, yaw)
    cam = pc.at_pose(3.0, 4.0, -1.0)
    f = 270 / np.tan(np.radians(20))
    want = 270 - f * np.tan(np.radians(pitch))
    for x in (0.0, 480.0, 959.0):
        assert cam.horizon_row(x) == pytest.approx(want, abs=1e-7)
    # a very distant ground point in the viewing direction projects onto the horizon
    hd = -1.0 + np.radians(yaw)
    far = np.array([[3.0 + 1e7 * np.cos(hd), 4.0 + 1e7 * np.sin(hd), 0.0]])
    assert cam.project(far)[0][0, 1] == pytest.approx(want, abs=1e-3)


def test_horizon_line_with_roll_separates_ground():
    cam = PinholeCamera(960, 540, 40.0, 1.5, 4.0, 5.0, 10.0).at_pose(0.0, 0.0, 0.3)
    a, b, c = cam.horizon_line()
    # very distant ground points in several directions lie on the line
    for ang in (0.1, 0.3, 0.5):
        uv, z = cam.project(np.array([[1e7 * np.cos(ang), 1e7 * np.sin(ang), 0.0]]))
        assert z[0] > 0
        assert abs(a * uv[0, 0] + b * uv[0, 1] + c) / np.hypot(a, b) < 1e-3
    # near ground points are on the positive side, points in the sky on the negative one
    uv, _ = cam.project(np.array([[10.0 * np.cos(0.3), 10.0 * np.sin(0.3), 0.0],
                                  [50.0 * np.cos(0.3), 50.0 * np.sin(0.3), 30.0]]))
    vals = uv @ [a, b] + c
    assert vals[0] > 0 > vals[1]
    # with roll the horizon row changes across the image
    assert cam.horizon_row(0.0) != pytest.approx(cam.horizon_row(960.0))


@pytest.mark.parametrize("pitch", [0.0, 5.0, 12.0])
def test_near_plane_clip_keeps_inside_area(pitch):
    hm, near = 1.5, 0.5
    cam = PinholeCamera(640, 480, 50.0, hm, pitch, near=near, far=1000.0).at_pose(0.0, 0.0, 0.0)
    rect = np.array([[-5.0, -2.0, 0.0], [20.0, -2.0, 0.0], [20.0, 3.0, 0.0], [-5.0, 3.0, 0.0]])
    # depth of a ground point (x, y, 0): x cos(pitch) + hm sin(pitch); near plane at x = x_near
    th = np.radians(pitch)
    x_near = (near - hm * np.sin(th)) / np.cos(th)
    clipped = cam.clip_polygon_near(rect)
    assert len(clipped) >= 3
    assert np.all(cam.depth(clipped) >= near - 1e-9)
    assert clipped[:, 0].min() == pytest.approx(x_near)
    assert abs(_shoelace(clipped)) == pytest.approx((20.0 - x_near) * 5.0, rel=1e-12)
    img = cam.project_polygon(rect)
    assert len(img) == len(clipped) and np.all(np.isfinite(img))
    # a polygon entirely behind the camera leaves nothing
    behind = rect.copy()
    behind[:, 0] -= 30.0
    assert len(cam.clip_polygon_near(behind)) == 0
    assert cam.project_polygon(behind).shape == (0, 2)
    # far plane too: a depth window [near, 10]
    c2 = cam.clip_polygon_near(rect, far=10.0)
    x_far = (10.0 - hm * np.sin(th)) / np.cos(th)
    assert np.all(cam.depth(c2) <= 10.0 + 1e-9)
    assert abs(_shoelace(c2)) == pytest.approx((x_far - x_near) * 5.0, rel=1e-12)


def test_near_clip_of_rotated_polygon_crossing_camera_plane():
    cam = PinholeCamera(640, 480, 50.0, 1.5, 0.0, near=1.0).at_pose(0.0, 0.0, 0.0)
    # a diamond centred at x = 1 crossing the plane x = 1 (depth = x): half its area survives
    diamond = np.array([[1.0, -3.0, 0.0], [4.0, 0.0, 0.0], [1.0, 3.0, 0.0], [-2.0, 0.0, 0.0]])
    clipped = cam.clip_polygon_near(diamond)
    assert np.all(clipped[:, 0] >= 1.0 - 1e-12)
    assert abs(_shoelace(clipped)) == pytest.approx(0.5 * abs(_shoelace(diamond)))
    # a polygon wholly in front (one vertex just past the near plane, one on it) is left as is
    tri = np.array([[1.005, 0.0, 0.0], [5.0, -1.0, 0.0], [5.0, 1.0, 0.0], [1.0, 0.5, 0.0]])
    np.testing.assert_array_equal(cam.clip_polygon_near(tri), tri)


# -- scrolling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("v,pitch", [(15.0, 4.0), (30.0, 8.0)])
def test_scrolling_dash_near_edge_moves_down_with_bounded_step(v, pitch):
    fps, hm, fov, W, H = 30.0, 1.5, 50.0, 1280, 720
    cl = Centreline.straight(400.0)
    layout = RoadLayout((3.5, 3.5, 3.5), ["edge", {"type": "dashed", "preset": "cn_expressway"},
                                          "dashed", "edge"])
    pc = PinholeCamera(W, H, fov, hm, pitch)
    lat = layout.lane_centre(1)
    dash = next(p for p in boundary_paint(cl, layout, 1, 60.0, 70.0) if p.s_range[0] >= 60.0)
    a = dash.s_range[0]
    f = pc.focal
    th = np.radians(pitch)
    ys, ds = [], []
    for k in range(400):
        s_cam = v * k / fps
        d = a - s_cam                                  # forward distance to the near edge
        if d * np.cos(th) + hm * np.sin(th) < pc.near + 1.0:
            break
        cam = pc.at(cl, s_cam, lateral=lat)
        img = cam.project_polygon(dash.contours[0])
        ys.append(img[:, 1].max())                     # the near edge is the lowest in the image
        ds.append(d)
    ys, ds = np.array(ys), np.array(ds)
    assert len(ys) > 20
    # closed form of the near edge row: y = H/2 + f (hm cos - d sin) / (d cos + hm sin)
    np.testing.assert_allclose(ys, H / 2 + f * (hm * np.cos(th) - ds * np.sin(th))
                               / (ds * np.cos(th) + hm * np.sin(th)), atol=1e-6)
    step = np.diff(ys)
    assert np.all(step > 0)                            # monotonically down the image
    # dy/dd = -f hm / Z(d)^2 with Z = d cos + hm sin increasing in d; over one frame d drops by
    # v / fps, so the step is at most (v / fps) * f hm / Z(d_next)^2 and at least with Z(d_prev)
    z_next = ds[1:] * np.cos(th) + hm * np.sin(th)
    z_prev = ds[:-1] * np.cos(th) + hm * np.sin(th)
    upper = (v / fps) * f * hm / z_next ** 2
    lower = (v / fps) * f * hm / z_prev ** 2
    assert np.all(step <= upper * (1 + 1e-9))
    assert np.all(step >= lower * (1 - 1e-9))
    # same dash index and world range in every frame's paint query
    for k in (0, 10, 20):
        s_cam = v * k / fps
        same = [p for p in road_paint(cl, layout, s_cam - 10, s_cam + 210) if p.boundary == 1
                and p.index == dash.index]
        assert len(same) == 1 and same[0].s_range == dash.s_range


# -- labels -------------------------------------------------------------------------------------


def test_tusimple_row_interpolates_and_marks_absent():
    line = np.array([[100.0, 300.0], [200.0, 100.0], [260.0, 40.0]])   # near to far
    rows = [20, 39, 50, 99, 150, 200, 299, 300, 350]

    def x_at(y):                                   # continuous y -> x on the polyline
        if 100.0 <= y <= 300.0:
            return 100.0 + (300.0 - y) / 200.0 * 100.0
        if 40.0 <= y < 100.0:
            return 200.0 + (100.0 - y) / 60.0 * 60.0
        return None

    want_f = [(-2.0 if x_at(r + 0.5) is None else x_at(r + 0.5) - 0.5) for r in rows]
    got_f = tusimple_row([line], rows, as_int=False)[0]
    np.testing.assert_allclose(got_f, want_f, atol=1e-9)
    assert got_f[0] == -2 and got_f[-1] == -2 and got_f[-2] == -2      # 300.5 is below the line
    got_i = tusimple_row([line], rows)[0]
    assert got_i == [-2 if w == -2 else int(np.floor(w + 0.5)) for w in want_f]
    # without the half-pixel convention: rows are continuous y
    got_c = tusimple_row([line], [100, 200], as_int=False, half_pixel=False)[0]
    assert got_c == pytest.approx([200.0, 150.0])
    # width bounds and lanes that reach no row
    assert tusimple_row([line], [50], width=200)[0] == [-2]
    empty = np.array([[10.0, 500.0], [20.0, 400.0]])
    assert tusimple_row([line, empty], rows)[1] == [-2] * len(rows)
    # rows landing exactly on the polyline's end points count as reached
    assert tusimple_row([np.array([[10.0, 50.5], [20.0, 30.5]])], [50, 30], as_int=False) == [[9.5, 19.5]]
    rec = tusimple_record([line, empty], rows, "clip/0001.jpg")
    assert rec["h_samples"] == rows and len(rec["lanes"]) == 1 and rec["raw_file"] == "clip/0001.jpg"


def test_culane_text_round_trip():
    rng = np.random.default_rng(3)
    lanes = [np.stack([rng.uniform(0, 1640, 12), np.arange(590, 470, -10.0)], axis=1),
             np.array([[812.25, 590.0], [800.0, 580.0], [790.5, 570.0]]),
             np.array([[1.0, 2.0]])]                          # fewer than 2 points: skipped
    text = culane_lines(lanes)
    assert text.count("\n") == 2
    assert all(ln.endswith(" ") for ln in text.splitlines())
    back = parse_culane_lines(text)
    assert len(back) == 2
    for got, want in zip(back, lanes[:2]):
        np.testing.assert_allclose(got, np.round(want, 3), atol=1e-9)
    assert culane_lines(back) == text
    assert "812.25 590 " in text
    # culane_points: bottom-up rows every 10 px, only those the lane reaches
    line = np.array([[400.0, 360.0], [500.0, 200.0]])
    pts = culane_points(line, 360, step=10)
    assert list(pts[:, 1]) == list(np.arange(350, 199, -10.0))       # 360.5 lies below the line
    np.testing.assert_allclose(pts[:, 0], 400 + (360 - (pts[:, 1] + 0.5)) / 160 * 100 - 0.5)


def _road_camera():
    cl = Centreline.straight(200.0)
    layout = RoadLayout((3.6, 3.6, 3.6), ["edge", "dashed", "dashed", "edge"])
    cam = PinholeCamera(640, 360, 50.0, 1.5, 5.0).at(cl, 0.0, lateral=layout.lane_centre(1))
    return cl, layout, cam


def test_segmentation_mask_class_ids():
    cl, layout, cam = _road_camera()
    stop = stop_line(cl, layout, 15.0, thickness=0.6)
    paints = road_paint(cl, layout, 0.0, 100.0) + [stop]
    mask = segmentation_mask(cam, paints)
    assert mask.shape == (360, 640) and mask.dtype == np.uint8
    # centre of the stop line on the camera's lane centre, projected by hand
    lc = layout.lane_centre(1)
    (u, v), = _hand_project([[15.3, lc, 0.0]], cam.C, 0.0, 5.0, 0.0, 0.0, 50.0, 640, 360)[0]
    assert mask[int(v), int(u)] == DEFAULT_CLASS_IDS["stop_line"]
    assert mask[5, 320] == 0                      # sky
    (u2, v2), = _hand_project([[8.0, lc, 0.0]], cam.C, 0.0, 5.0, 0.0, 0.0, 50.0, 640, 360)[0]
    assert mask[int(v2), int(u2)] == 0            # bare asphalt in the lane
    # an edge line near the bottom of the image carries the edge id
    left = layout.boundary_offsets()[0]
    (u3, v3), = _hand_project([[12.0, left, 0.0]], cam.C, 0.0, 5.0, 0.0, 0.0, 50.0, 640, 360)[0]
    assert 0 <= u3 < 640 and 0 <= v3 < 360
    assert mask[int(v3), int(u3)] == DEFAULT_CLASS_IDS["edge"]
    # every stop-line pixel in the mask lies inside the projected stop line's bounding box
    img = cam.project_polygon(stop.contours[0])
    yy, xx = np.nonzero(mask == DEFAULT_CLASS_IDS["stop_line"])
    assert len(xx) > 100
    assert xx.min() >= np.floor(img[:, 0].min()) and xx.max() <= np.ceil(img[:, 0].max())
    assert yy.min() >= np.floor(img[:, 1].min()) and yy.max() <= np.ceil(img[:, 1].max())
    # the filled area matches the projected polygon's area within a rim of pixels
    area = abs(_shoelace(img))
    assert abs(len(xx) - area) < 0.1 * area + 2 * (np.ptp(img[:, 0]) + np.ptp(img[:, 1]))


def test_object_labels_arrow_quad_is_projected_world_quad():
    cl, layout, cam = _road_camera()
    s, L = 20.0, 6.0
    p = arrow(cl, layout, 1, s, shape="straight_left", length=L)
    vs = np.concatenate(arrow_outline("straight_left", L))[:, 1]
    lc = layout.lane_centre(1)
    world_quad = np.array([[s + L, lc + vs.max(), 0.0], [s + L, lc + vs.min(), 0.0],
                           [s, lc + vs.min(), 0.0], [s, lc + vs.max(), 0.0]])
    np.testing.assert_allclose(p.quad, world_quad, atol=1e-9)
    want, _ = _hand_project(world_quad, cam.C, 0.0, 5.0, 0.0, 0.0, 50.0, 640, 360)
    (lab,) = object_labels(cam, [p] + road_paint(cl, layout, 0, 50))
    assert lab.cls == "arrow_straight_left" and lab.lane == 1
    np.testing.assert_allclose(lab.quad, want, atol=1e-7)
    assert lab.truncated is False
    assert len(lab.polygon) == 2
    # far-left, far-right, near-right, near-left as seen in the image
    q = np.array(lab.quad)
    assert q[0, 0] < q[1, 0] and q[3, 0] < q[2, 0] and q[0, 1] < q[3, 1] and q[1, 1] < q[2, 1]
    # an arrow straddling the near plane: no quad, truncated, only the part in front
    p2 = arrow(cl, layout, 1, -3.0, length=L)
    (lab2,) = object_labels(cam, [p2])
    assert lab2.quad is None and lab2.truncated is True
    # an arrow wholly behind the camera is left out
    assert object_labels(cam, [arrow(cl, layout, 1, -20.0, length=L)]) == []
