"""The figure node: golden image, round trips, pixel-exact point annotations, label placement, axes."""
from __future__ import annotations

import math

import numpy as np
import pytest

import symbolreel as sr
from conftest import EXAMPLES

TRIANGLE = """
canvas: {width: 360, height: 320, fps: 10, duration: 1, background: white}
nodes:
  - type: figure
    id: tri
    transform: {position: [180, 165]}
    scale: 56
    exact: false
    points: {A: [0, 0], B: [5, 0], C: [1.2, 3.4]}
    items:
      - {polygon: ABC, fill: "#E9C46A55"}
      - {incircle: ABC, name: c, centre: I, color: "#2A9D8F"}
      - {angle: BAC, value: true}
      - {angle: CBA, count: 2}
      - {angle: ACB, fill: "#E76F5155", color: "#E76F51"}
"""


def test_triangle_incircle_angles_golden(golden):
    golden("geo_triangle_incircle", sr.render_frame(sr.loads(TRIANGLE), 0))


def test_construction_example_golden(golden):
    golden("geo_construction_f75", sr.render_frame(sr.load(EXAMPLES / "construction.yaml"), 75))


def test_round_trip_yaml_and_python():
    scene = sr.loads(TRIANGLE)
    assert sr.loads(scene.dumps()) == scene
    py = sr.Scene(canvas=sr.Canvas(width=360, height=320, fps=10, duration=1),
                  nodes=[sr.Figure(id="f", points={"A": (0, 0), "B": (5, 0),
                                                   "C": sr.keys((0, (1, 3)), (1, (2, 3), "ease-out"))},
                                   items=[sr.FigureItem(polygon="ABC"), {"incircle": "ABC", "name": "c"}],
                                   axes=sr.Axes(step=1))])
    text = py.dumps()
    assert sr.loads(text) == py and sr.loads(text).dumps() == text
    assert "C:\n" in text and "incircle: ABC" in text


def test_items_validate_on_the_python_side_too():
    with pytest.raises(sr.SceneError, match=r"items\[0\]\.segment: unknown point 'Z'"):
        sr.Figure(points={"A": (0, 0)}, items=[{"segment": "AZ"}])
    with pytest.raises(sr.SceneError, match=r"points\.1A: invalid point name"):
        sr.Figure(points={"1A": (0, 0)})


def _ink_centroid(frame, box, bg=255):
    x0, y0, x1, y1 = box
    patch = frame[y0:y1, x0:x1, :3].astype(np.float64)
    ink = (bg - patch).mean(axis=2)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    w = ink.sum()
    return (xs * ink).sum() / w + 0.5, (ys * ink).sum() / w + 0.5


def test_point_annotation_matches_marker_pixels():
    scene = sr.loads("""
canvas: {width: 200, height: 160, fps: 10, duration: 1, background: white}
nodes:
  - type: figure
    transform: {position: [97.3, 81.6], rotation: 20, scale: 1.3}
    scale: 23.7
    exact: false
    points: {P: [1.37, -0.61], Q: [-1.9, 1.1]}
    items: [{point: P, label: '', size: 5}, {point: Q, label: '', size: 4}]
""")
    frame, ann = sr.render_frame(scene, 0, annotations=True)
    pts = {p["name"]: p["image"] for p in ann[0]["points"]}
    for name in "PQ":
        u, v = pts[name]
        box = (int(u) - 10, int(v) - 10, int(u) + 11, int(v) + 11)
        cx, cy = _ink_centroid(frame, box)
        assert abs(cx - u) < 0.05 and abs(cy - v) < 0.05, (name, (cx, cy), (u, v))


def _seg_hits_box(p, q, box, shrink=1.0):
    x0, y0, x1, y1 = box[0] + shrink, box[1] + shrink, box[2] - shrink, box[3] - shrink
    for k in range(65):
        t = k / 64
        x, y = p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
        if x0 <= x <= x1 and y0 <= y <= y1:
            return True
    return False


def test_labels_do_not_overlap_each_other_or_the_lines():
    scene = sr.load(EXAMPLES / "construction.yaml")
    for frame in (75, 90, 110):
        _, ann = sr.render_frame(scene, frame, annotations=True)
        fig = ann[0]
        labels = fig["labels"]
        assert {lab["text"] for lab in labels} >= {"A", "B", "C", "I", "O"}
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                ax0, ay0, ax1, ay1 = a["bbox"]
                bx0, by0, bx1, by1 = b["bbox"]
                assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a["text"], b["text"])
        poly = next(it for it in fig["items"] if it["kind"] == "polygon")["image"][0]
        for lab in labels:
            if not lab["for"].startswith("point:"):
                continue
            for p, q in zip(poly, poly[1:]):
                assert not _seg_hits_box(p, q, lab["bbox"]), (frame, lab["text"])


def test_lines_are_clipped_to_the_view_and_axes_drawn():
    scene = sr.loads("""
canvas: {width: 240, height: 240, fps: 10, duration: 1, background: white}
nodes:
  - type: figure
    transform: {position: [120, 120]}
    scale: 20
    view: [-5, -5, 5, 5]
    center: [0, 0]
    exact: false
    axes: {step: 1}
    points: {A: [-1, -1], B: [1, 0.5]}
    items: [{line: AB}, {ray: BA, color: red}, {vector: AB}]
""")
    frame, ann = sr.render_frame(scene, 0, annotations=True)
    items = ann[0]["items"]
    line = items[0]["image"][0]
    xs = [p[0] for p in line]
    ys = [p[1] for p in line]
    assert min(xs) >= 20 - 1e-6 and max(xs) <= 220 + 1e-6 and min(ys) >= 20 - 1e-6 and max(ys) <= 220 + 1e-6
    assert max(xs) == pytest.approx(220) or max(ys) == pytest.approx(220) or min(ys) == pytest.approx(20)
    ray = items[1]["image"][0]
    assert ray[0] == pytest.approx([140, 110])                       # starts at B
    # the axes cross at the origin: dark pixels on the x axis row away from the figure
    assert frame[120, 200, :3].max() < 140


def test_figure_time_can_be_frozen():
    text = TRIANGLE.replace("C: [1.2, 3.4]", "C: {keys: [[0, [1, 3]], [1, [3, 3]]]}")
    moving = sr.loads(text)
    frozen = sr.loads(text.replace("exact: false", "exact: false\n    time: 0.5"))
    a = sr.render_frame(moving, 5)
    assert np.array_equal(sr.render_frame(frozen, 0), a) and np.array_equal(sr.render_frame(frozen, 9), a)
    assert not np.array_equal(sr.render_frame(moving, 0), a)


def test_moving_points_are_sampled_by_the_scene_sampler_at_the_figure_clock():
    """The figure's point and parameter tracks are packed and sampled with every other track, at the
    figure's own clock: a slowed clock shows at scene time 2 what the scene clock shows at time 1, and
    each frame's points are the construction at that clock (checked against Figure.state_at)."""
    from symbolreel.compile import CompiledScene

    text = TRIANGLE.replace("C: [1.2, 3.4]", "C: {keys: [[0, [1, 3]], [1, [3, 3.5]]]}").replace(
        "duration: 1", "duration: 3") + "      - {rotation: B A, degrees: {keys: [[0, 0], [1, 90]]}, name: R}\n"
    scene = sr.loads(text)
    c = CompiledScene(scene)
    (entry,) = c.entries
    assert {"points.C", "items.5.degrees"} <= {name for name, _, _ in entry.animated}
    slow = sr.loads(text.replace("exact: false", "exact: false\n    time: {keys: [[0, 0], [3, 1.5]]}"))
    a, ann = sr.render_frame(scene, 10, annotations=True)        # t = 1
    b, ann_slow = sr.render_frame(slow, 20, annotations=True)    # t = 2, clock = 1
    assert np.array_equal(a, b)
    fig = scene.nodes[0]
    for frame in (0, 4, 7):
        _, (rec,) = sr.render_frame(slow, frame, annotations=True)
        clock = 1.5 * frame / 10 / 3
        state = fig.state_at(clock)
        pts = {p["name"]: p["world"] for p in rec["points"]}
        for name in ("C", "R", "I"):
            assert pts[name] == pytest.approx(list(state[name]), abs=1e-9), (frame, name)


def test_measures_and_angle_label():
    _, ann = sr.render_frame(sr.loads(TRIANGLE), 0, annotations=True)
    m = ann[0]["measures"]
    A, B, C = np.array([0, 0]), np.array([5, 0]), np.array([1.2, 3.4])
    cos_a = np.dot(B - A, C - A) / (np.linalg.norm(B - A) * np.linalg.norm(C - A))
    assert m["angles"]["BAC"] == pytest.approx(math.degrees(math.acos(cos_a)))
    assert sum(m["angles"].values()) == pytest.approx(180.0)
    assert f"{m['angles']['BAC']:.0f}\u00b0" in {lab["text"] for lab in ann[0]["labels"]}


def test_labels_move_continuously_in_the_animated_construction():
    """Labels are a continuous function of the figure: between consecutive frames a label moves at most
    3 px more than the point it labels (angle values: 3 px more than the vertex), for every frame."""
    scene = sr.load(EXAMPLES / "construction.yaml")
    prev = None
    worst = (0.0, None, None)
    for frame in range(scene.canvas.n_frames):
        _, ann = sr.render_frame(scene, frame, annotations=True)
        fig = ann[0]
        pts = {p["name"]: p["image"] for p in fig["points"]}
        labs = {lab["for"]: ((lab["bbox"][0] + lab["bbox"][2]) / 2, (lab["bbox"][1] + lab["bbox"][3]) / 2)
                for lab in fig["labels"]}
        if prev is not None:
            prev_labs, prev_pts = prev
            for who, c in labs.items():
                if who not in prev_labs:
                    continue                      # appears in this frame (step-by-step reveal)
                name = who[6:] if who.startswith("point:") else None
                moved = math.dist(pts[name], prev_pts[name]) if name else 0.0
                excess = math.dist(c, prev_labs[who]) - moved
                worst = max(worst, (excess, frame, who))
        prev = (labs, pts)
    assert worst[0] <= 3.0, worst


def _seg_box_gap(p, q, box) -> float:
    """Distance between segment pq and the axis-aligned box (x0, y0, x1, y1); 0 when they meet."""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0                          # Liang-Barsky: does the segment cross the box?
    d = (q[0] - p[0], q[1] - p[1])
    for dp, lo, hi, v in ((d[0], x0, x1, p[0]), (d[1], y0, y1, p[1])):
        if abs(dp) < 1e-12:
            if not lo <= v <= hi:
                break
            continue
        a, b = sorted(((lo - v) / dp, (hi - v) / dp))
        t0, t1 = max(t0, a), min(t1, b)
    else:
        if t0 <= t1:
            return 0.0

    def pt_box(x, y):
        return math.hypot(max(x0 - x, 0.0, x - x1), max(y0 - y, 0.0, y - y1))

    def pt_seg(x, y):
        l2 = d[0] ** 2 + d[1] ** 2
        t = min(max(((x - p[0]) * d[0] + (y - p[1]) * d[1]) / l2, 0.0), 1.0) if l2 > 0 else 0.0
        return math.hypot(p[0] + t * d[0] - x, p[1] + t * d[1] - y)

    return min([pt_box(*p), pt_box(*q)] + [pt_seg(x, y) for x in (x0, x1) for y in (y0, y1)])


def _ink_offsets(text, font, size):
    """(x0, y0, x1, y1) of the glyph ink of ``text`` relative to the centre of its line box (the label's
    annotated bbox), from the layout's glyphs and the fonts' glyph bounds."""
    from symbolreel.fonts_access import chain_for
    from symbolreel.backends.skia.fonts import skia_font
    from symbolreel.primitives.text.typeset import layout_text

    lay = layout_text(text, chain_for(font, None, None), size)
    cx, cy = (lay.bounds[0] + lay.bounds[2]) / 2, (lay.bounds[1] + lay.bounds[3]) / 2
    ink = [math.inf, math.inf, -math.inf, -math.inf]
    for run in lay.glyph_runs:
        for r, xf in zip(skia_font(run.path, run.size).getBounds(run.gids.tolist()), run.xform.tolist()):
            if not r.isEmpty():
                ink = [min(ink[0], xf[2] + r.left()), min(ink[1], xf[3] + r.top()),
                       max(ink[2], xf[2] + r.right()), max(ink[3], xf[3] + r.bottom())]
    return ink[0] - cx, ink[1] - cy, ink[2] - cx, ink[3] - cy


def test_angle_value_sits_inside_the_angle_beyond_the_arc_clear_of_the_lines():
    """examples/construction.yaml, every 5th frame: the value of angle BAC (split by its dashed bisector)
    is inside the angle, just beyond its arc: its glyph ink at least 1 px clear of the stroke of the arc,
    of the sides AB, AC and of the bisector, within three text heights of the arc, and its label box
    clear of the other labels.  All measured on the frame's annotation (points, drawn polylines)."""
    scene = sr.load(EXAMPLES / "construction.yaml")
    node = scene.nodes[0]
    half = node.stroke.width / 2             # the widest stroke: the triangle's sides
    seen = 0
    for frame in range(0, scene.canvas.n_frames, 5):
        _, ann = sr.render_frame(scene, frame, annotations=True)
        fig = ann[0]
        angle = next(it for it in fig["items"] if it["kind"] == "angle" and it["args"] == "BAC")
        label = next((lab for lab in fig["labels"] if lab["for"] == f"item{angle['index']}"), None)
        if label is None:
            assert angle["revealed"] < 1.0, frame          # shown once the angle mark is drawn
            continue
        seen += 1
        pts = {p["name"]: p["image"] for p in fig["points"]}
        A, B, C = pts["A"], pts["B"], pts["C"]
        arc = angle["image"][0]
        radius = float(np.median([math.dist(A, q) for q in arc]))
        bisector = next(it for it in fig["items"] if it["kind"] == "bisector")["image"][0]
        assert math.dist(bisector[0], A) < 1e-6            # the bisector is drawn from A
        # the glyph ink, placed like the label's box
        bx0, by0, bx1, by1 = label["bbox"]
        mx, my = (bx0 + bx1) / 2, (by0 + by1) / 2
        ix0, iy0, ix1, iy1 = _ink_offsets(label["text"], node.font, node.font_size)
        ink = (mx + ix0, my + iy0, mx + ix1, my + iy1)
        where = (frame, label["text"])
        # clear of the arc's circle: the nearest point of the ink beyond the stroke, and not too far
        near = math.hypot(max(ink[0] - A[0], 0.0, A[0] - ink[2]), max(ink[1] - A[1], 0.0, A[1] - ink[3]))
        assert near >= radius + half + 1.0, (where, near, radius)
        assert near <= radius + 3 * (ink[3] - ink[1]), (where, near, radius)
        # clear of the lines through the vertex
        for name, (p, q) in {"AB": (A, B), "AC": (A, C), "bisector": (bisector[0], bisector[-1])}.items():
            gap = _seg_box_gap(p, q, ink)
            assert gap >= half + 1.0, (where, name, gap)
        # inside the angle: the ink's centre on the inner side of both sides
        cx, cy = (ink[0] + ink[2]) / 2, (ink[1] + ink[3]) / 2

        def cross(u, v):
            return u[0] * v[1] - u[1] * v[0]

        ab, ac, ap = (B[0] - A[0], B[1] - A[1]), (C[0] - A[0], C[1] - A[1]), (cx - A[0], cy - A[1])
        turn = math.copysign(1.0, cross(ab, ac))
        assert cross(ab, ap) * turn > 0 and cross(ap, ac) * turn > 0, where
        # no other label's box overlaps the value's box
        for other in fig["labels"]:
            if other is not label:
                ox0, oy0, ox1, oy1 = other["bbox"]
                assert ox1 <= bx0 or bx1 <= ox0 or oy1 <= by0 or by1 <= oy0, (where, other["text"])
    assert seen >= 15


def _trimmed(polyline, frac):
    """The first ``frac`` of a polyline's length (what the trim path effect draws)."""
    if frac >= 1.0:
        return polyline
    lens = [math.dist(p, q) for p, q in zip(polyline, polyline[1:])]
    left = frac * sum(lens)
    out = [polyline[0]]
    for p, q, ln in zip(polyline, polyline[1:], lens):
        if left <= 0.0:
            break
        f = min(left / ln, 1.0) if ln > 0 else 1.0
        out.append((p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])))
        left -= ln
    return out if len(out) > 1 else []


def _stroke_gaps(fig):
    """``[(what, gap(box))]``: the drawn strokes of a figure's annotation, each with a function giving the
    distance from its centre line to an axis-aligned box.  Every item's polylines, trimmed to its revealed
    fraction; a polyline that rings a circle of the annotation is measured on the true circle (the drawn
    curve, which the 32-gon of the annotation cuts inside by up to r (1 - cos(pi / 32))), densely sampled
    where only an arc of it is drawn yet."""
    circles = [c["image_centre"] for c in fig["circles"]]
    out = []
    for it in fig["items"]:
        for pl in it.get("image", []):
            what = f"{it['kind']} {it['args']}"
            centre = next((c for c in circles if np.ptp([math.dist(c, p) for p in pl]) < 0.01), None)
            if centre is None or len(pl) < 8:
                t = _trimmed(pl, it["revealed"])
                out += [(what, lambda box, p=p, q=q: _seg_box_gap(p, q, box)) for p, q in zip(t, t[1:])]
                continue
            r = math.dist(centre, pl[0])
            if it["revealed"] >= 1.0:
                def gap(box, c=centre, r=r):
                    x0, y0, x1, y1 = box
                    near = math.hypot(max(x0 - c[0], 0.0, c[0] - x1), max(y0 - c[1], 0.0, c[1] - y1))
                    far = max(math.hypot(x - c[0], y - c[1]) for x in (x0, x1) for y in (y0, y1))
                    return max(near - r, r - far, 0.0)
                out.append((what, gap))
            else:
                a0 = math.atan2(pl[0][1] - centre[1], pl[0][0] - centre[0])
                turn = math.copysign(1.0, (pl[1][0] - pl[0][0]) * (pl[0][1] - centre[1])
                                     - (pl[1][1] - pl[0][1]) * (pl[0][0] - centre[0]))
                n = max(2, int(720 * it["revealed"]))
                arc = [(centre[0] + r * math.cos(a0 - turn * 2 * math.pi * it["revealed"] * k / n),
                        centre[1] + r * math.sin(a0 - turn * 2 * math.pi * it["revealed"] * k / n))
                       for k in range(n + 1)]
                out += [(what, lambda box, p=p, q=q: _seg_box_gap(p, q, box)) for p, q in zip(arc, arc[1:])]
    return out


def test_point_labels_keep_clear_of_every_stroke_and_label():
    """examples/construction.yaml, every 5th frame: the glyph ink of every point label is at least 1 px clear
    of every drawn stroke of the figure (sides, both circles, the bisector, the angle arcs, the ticks; not
    only those passing near its point), of the other points' markers and of the other labels' ink.  All
    measured on the frame's annotation (drawn polylines trimmed to their reveal, circles, points)."""
    scene = sr.load(EXAMPLES / "construction.yaml")
    node = scene.nodes[0]
    half = node.stroke.width / 2             # the widest stroke: the triangle's sides
    ink_of = {}
    checked = 0
    for frame in range(0, scene.canvas.n_frames, 5):
        _, ann = sr.render_frame(scene, frame, annotations=True)
        fig = ann[0]
        strokes = _stroke_gaps(fig)
        inks = []
        for lab in fig["labels"]:
            if lab["text"] not in ink_of:
                ink_of[lab["text"]] = _ink_offsets(lab["text"], node.font, node.font_size)
            ix0, iy0, ix1, iy1 = ink_of[lab["text"]]
            mx, my = (lab["bbox"][0] + lab["bbox"][2]) / 2, (lab["bbox"][1] + lab["bbox"][3]) / 2
            inks.append((lab, (mx + ix0, my + iy0, mx + ix1, my + iy1)))
        for lab, ink in inks:
            if not lab["for"].startswith("point:"):
                continue
            checked += 1
            where = (frame, lab["text"])
            for what, gap in strokes:
                assert gap(ink) >= half + 1.0, (where, what, gap(ink))
            for p in fig["points"]:
                if p["visible"] and f"point:{p['name']}" != lab["for"]:
                    x0, y0, x1, y1 = ink
                    u, v = p["image"]
                    near = math.hypot(max(x0 - u, 0.0, u - x1), max(y0 - v, 0.0, v - y1))
                    assert near >= node.point_size + 1.0, (where, "marker " + p["name"], near)
            for other, box in inks:
                if other is not lab:
                    sep = max(box[0] - ink[2], ink[0] - box[2], box[1] - ink[3], ink[1] - box[3])
                    assert sep >= 1.0, (where, "label " + other["text"], sep)
    assert checked >= 80
