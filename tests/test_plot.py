"""The plot node: asymptotes and jumps break the curve, the grammar is restricted, goldens, round trip."""
from __future__ import annotations

import builtins
import math
import os

import numpy as np
import pytest

import symbolreel as sr

TAN = """
canvas: {width: 360, height: 280, fps: 10, duration: 1, background: white}
nodes:
  - type: plot
    id: p
    transform: {position: [180, 140]}
    view: [-5, -4, 5, 4]
    size: [340, 260]
    curves:
      - {expr: "tan(x)"}
      - {expr: "1/x", color: "#1D3557"}
"""


def test_tan_and_reciprocal_golden(golden):
    golden("geo_plot_asymptotes", sr.render_frame(sr.loads(TAN), 0))


def _ann(scene, frame=0):
    _, ann = sr.render_frame(scene, frame, annotations=True)
    return next(a for a in ann if a["type"] == "plot")


def test_reciprocal_never_crosses_its_asymptote():
    scene = sr.loads(TAN.replace('{expr: "tan(x)"}', '{expr: "1/x + 0"}').replace("view: [-5, -4, 5, 4]",
                                                                                 "view: [-5, -5, 5, 5]")
                     + "    axes: null\n")
    ann = _ann(scene)
    x0_img = 180.0                                   # world x = 0 is the box centre column
    for curve in ann["curves"]:
        assert curve["singular"] == [0.0]
        assert len(curve["pieces"]) == 2
        for piece in curve["pieces"]:
            xs = np.array([p[0] for p in piece])
            assert (xs < x0_img).all() or (xs > x0_img).all()
            ys = np.array([p[1] for p in piece])
            # the branch reaches the top/bottom of the box (no gap at the asymptote)
            assert ys.min() <= 10 + 1e-6 or ys.max() >= 270 - 1e-6
    frame = sr.render_frame(scene, 0)
    column = frame[12:268, 178:183, :3]
    assert column.min() > 200                        # no ink along x = 0 (no vertical line drawn)


def test_tan_breaks_at_every_asymptote():
    ann = _ann(sr.loads(TAN))
    tan = ann["curves"][0]
    assert tan["singular"] == pytest.approx([-1.5 * np.pi, -0.5 * np.pi, 0.5 * np.pi, 1.5 * np.pi])
    assert len(tan["pieces"]) == 5
    # map the asymptotes to image x: no piece spans one
    sx = 340 / 10
    cols = [180 + s * sx for s in tan["singular"]]
    for piece in tan["pieces"]:
        xs = np.array([p[0] for p in piece])
        for c in cols:
            assert (xs < c).all() or (xs > c).all()


def test_numeric_jump_detection_without_sympy_help():
    scene = sr.loads(TAN.replace('{expr: "tan(x)"}', '{expr: "floor(x)"}'))
    floor = _ann(scene)["curves"][0]
    assert floor["singular"] == []
    assert sorted(round(b) for b in floor["breaks"]) == [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5]
    for piece in floor["pieces"]:
        ys = {p[1] for p in piece}
        assert len(ys) == 1                            # each step is horizontal


def test_domain_edges_and_parametric():
    scene = sr.loads("""
canvas: {width: 300, height: 300, fps: 10, duration: 1}
nodes:
  - type: plot
    transform: {position: [150, 150]}
    view: [-3, -3, 3, 3]
    size: [300, 300]
    curves:
      - {expr: "sqrt(x)"}
      - {x: "2*cos(t)", y: "2*sin(t)", domain: [0, 6.283185307179586]}
""")
    ann = _ann(scene)
    sq, circ = ann["curves"]
    pts = np.array(sq["pieces"][0])
    assert len(sq["pieces"]) == 1 and pts[:, 0].min() == pytest.approx(150, abs=1e-3)
    ring = np.array(circ["pieces"][0])
    r = np.hypot(ring[:, 0] - 150, ring[:, 1] - 150)
    assert np.allclose(r, 100, atol=0.05) and len(circ["pieces"]) == 1


MALICIOUS = ["__import__('os').system('touch {p}')", "(lambda: 0)()", "x.__class__", "open('{p}', 'w')",
             "eval('1')", "exec('import os')", "x; import os", "sympify('x')", "getattr(x, 'a')", "'x'"]


@pytest.mark.parametrize("src", MALICIOUS)
def test_malicious_expressions_are_rejected_and_nothing_runs(src, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    src = src.format(p=marker)
    calls = []

    def trap(name):
        def f(*a, **k):
            calls.append(name)
            raise AssertionError(f"{name} called")
        return f

    import sympy

    monkeypatch.setattr(builtins, "eval", trap("eval"))
    monkeypatch.setattr(builtins, "exec", trap("exec"))
    monkeypatch.setattr(sympy, "sympify", trap("sympify"))
    monkeypatch.setattr(sympy, "parse_expr", trap("parse_expr"), raising=False)
    for text in (f'nodes: [{{type: plot, expr: "{src}"}}]',
                 f'nodes: [{{type: plot, curves: [{{x: "t", y: "{src}"}}]}}]'):
        with pytest.raises(sr.SceneError) as exc:
            sr.loads(text)
        assert str(exc.value).startswith(("nodes[0].expr:", "nodes[0].curves[0].y:")), str(exc.value)
    assert calls == [] and not os.path.exists(marker)


def test_unknown_names_and_unplottable_functions():
    with pytest.raises(sr.SceneError, match=r"nodes\[0\]\.expr: unknown name 'y'"):
        sr.loads('nodes: [{type: plot, expr: "x + y"}]')
    with pytest.raises(sr.SceneError, match=r"'Integral' cannot be plotted"):
        sr.loads('nodes: [{type: plot, expr: "Integral(x, x)"}]')
    with pytest.raises(sr.SceneError, match=r"nodes\[0\]\.curves\[0\]\.expr: a curve needs either"):
        sr.loads('nodes: [{type: plot, curves: [{domain: [0, 1]}]}]')


def test_round_trip_and_reveal():
    scene = sr.loads(TAN + "    reveal: {keys: [[0, 0], [1, 1]]}\n")
    assert sr.loads(scene.dumps()) == scene
    half = _ann(scene, 5)
    full = _ann(sr.loads(TAN))

    def length(curves):
        return sum(np.hypot(*np.diff(np.array(p), axis=0).T).sum() for c in curves for p in c["pieces"])

    assert 0.3 < length(half["curves"]) / length(full["curves"]) < 0.7
    py = sr.Scene(nodes=[sr.Plot(expr="sin(x)/x", curves=[sr.Curve(x="cos(t)", y="sin(t)")])])
    assert sr.loads(py.dumps()) == py


def test_pi_axis_ticks_are_fractions_of_pi():
    scene = sr.loads("""
canvas: {width: 640, height: 320}
nodes:
  - type: plot
    expr: tan(x)
    view: [-6.6, -4, 6.6, 4]
    size: [600, 280]
    axes: {x_unit: pi, step: [0.5, 2]}
    transform: {position: [320, 160]}
""")
    _, ann = sr.render_frame(scene, 0, annotations=True)
    ticks = ann[0]["axes"]["x_ticks"]
    assert [t["label"] for t in ticks] == ["\u22122\u03c0", "\u22123\u03c0/2", "\u2212\u03c0", "\u2212\u03c0/2", "0",
                                           "\u03c0/2", "\u03c0", "3\u03c0/2", "2\u03c0"]
    assert all(abs(t["value"] - k * math.pi / 2) < 1e-12 for t, k in zip(ticks, range(-4, 5)))
    xs = [t["image"][0] for t in ticks]                          # evenly spaced at pi/2 in world units
    assert np.allclose(np.diff(xs), np.diff(xs)[0], atol=0.002)       # annotations round to 1/1000 px
    assert [t["label"] for t in ann[0]["axes"]["y_ticks"]] == ["\u22124", "\u22122", "0", "2", "4"]


def test_pi_tick_labels():
    from symbolreel.primitives.geometry.axes import fmt_pi_tick, nice_pi_step

    assert [fmt_pi_tick(k, 0.25) for k in (-3, -1, 0, 1, 2, 4, 6)] == \
        ["\u22123\u03c0/4", "\u2212\u03c0/4", "0", "\u03c0/4", "\u03c0/2", "\u03c0", "3\u03c0/2"]
    assert fmt_pi_tick(3, 2.0) == "6\u03c0"
    assert nice_pi_step(2 * math.pi) == 0.25 and nice_pi_step(8 * math.pi) == 1.0


def test_view_and_domain_take_constant_expressions():
    scene = sr.loads("""
nodes:
  - type: plot
    curves: [{expr: tan(x), domain: [-2*pi, 2*pi]}, {x: cos(t), y: sin(t), domain: [0, pi/2]}]
    view: [-2*pi, -4, 2*pi, 4]
""")
    plot = scene.nodes[0]
    assert plot.view == (-2 * math.pi, -4.0, 2 * math.pi, 4.0)
    assert plot.curves[0].domain == (-2 * math.pi, 2 * math.pi) and plot.curves[1].domain == (0.0, math.pi / 2)
    assert sr.loads(scene.dumps()) == scene
    sr.render_frame(scene, 0)


@pytest.mark.parametrize("value, message", [
    ("x", "unknown name 'x'; the expression may use only the constants"),
    ("__import__", "names cannot start with '_'"),
    ("1/0", "is not finite"),
    ("[1]", "expected"),
])
def test_bad_constant_expressions_name_the_item(value, message):
    with pytest.raises(sr.SceneError) as info:
        sr.loads(f"nodes:\n  - type: plot\n    view: [-1, -1, {value}, 1]\n", "p.yaml")
    assert "nodes[0].view[2]" in str(info.value) and message in str(info.value), str(info.value)


def _clip_segments(pts, box):
    """Reference for ``_clip_piece``: every segment through ``clip_line``, pieces cut where it says."""
    from symbolreel.primitives.geometry.axes import clip_line

    out, cur = [], []
    for p, q in zip(pts[:-1], pts[1:]):
        iv = clip_line(p, q - p, box, 0.0, 1.0)
        if iv is None:
            out, cur = (out + [np.array(cur)] if len(cur) >= 2 else out), []
            continue
        if not cur or iv[0] > 0.0:
            out, cur = (out + [np.array(cur)] if len(cur) >= 2 else out), [p + iv[0] * (q - p)]
        cur.append(p + iv[1] * (q - p))
        if iv[1] < 1.0:
            out, cur = out + [np.array(cur)], []
    return out + [np.array(cur)] if len(cur) >= 2 else out


def test_clipped_curve_pieces_are_bit_identical_to_clipping_every_segment():
    from symbolreel.primitives.plot.node import _clip_piece

    rng = np.random.default_rng(7)
    for trial in range(400):
        m = int(rng.integers(2, 40))
        if trial % 3 == 0:           # steep curve leaving and re-entering the view
            x = np.linspace(-3, 3, m)
            pts = np.stack([x, np.tan(x * rng.uniform(0.5, 2.0))], axis=1)
        elif trial % 3 == 1:         # points on the box edges, and gaps
            pts = np.round(rng.uniform(-1.5, 1.5, (m, 2)) * 2) / 2
            pts[rng.integers(0, m)] = np.nan
        else:
            pts = rng.uniform(-2, 2, (m, 2))
        box = (-1.0, -1.0, 1.0, 1.0)
        got, want = _clip_piece(pts, box), _clip_segments(pts, box)
        if np.isfinite(pts).all() and ((np.abs(pts) <= 1.0).all()):
            want = [pts]
        assert [p.tobytes() for p in got] == [p.tobytes() for p in want], trial
