"""Visibility flags of annotations: ``outside`` (part of the quad leaves the image) and ``occluded``
(a node drawn later covers part of it)."""
import json

import numpy as np
import pytest

import symbolreel as sr
from symbolreel import records as R
from symbolreel.datasets import domains as D


def ann_of(text: str, frame: int = 0) -> dict:
    _, ann = sr.render_frame(sr.loads(text), frame, annotations=True)
    return {a["id"]: a for a in ann}


MONO = "{id: t, type: text, text: MMMM, size: 30, font: mono, fill: black, transform: {position: [100, 30]}}"


def chars(a):
    return [(c["outside"], c["occluded"]) for c in a["chars"]]


def test_a_later_node_occludes_exactly_the_characters_it_covers():
    # each M of the monospace line is 18 px wide, from x = 64; a 4 px bar at x = 98..102 covers the 2nd and 3rd
    a = ann_of(f"canvas: {{width: 200, height: 60}}\nnodes:\n  - {MONO}\n"
               "  - {id: bar, type: rect, size: [4, 60], fill: red, transform: {position: [100, 30]}}\n")
    assert [c["bbox"][0] for c in a["t"]["chars"]] == [64.0, 82.0, 100.0, 118.0]
    assert chars(a["t"]) == [(False, False), (False, True), (False, True), (False, False)]
    assert a["t"]["occluded"] is True and a["t"]["outside"] is False
    assert a["bar"]["occluded"] is False and a["bar"]["outside"] is False


def test_earlier_nodes_faint_nodes_and_the_node_itself_do_not_occlude():
    bar = "{id: bar, type: rect, size: [4, 60], fill: red, transform: {position: [100, 30]}}"
    a = ann_of(f"canvas: {{width: 200, height: 60}}\nnodes:\n  - {bar}\n  - {MONO}\n")
    assert chars(a["t"]) == [(False, False)] * 4 and a["t"]["occluded"] is False
    assert a["bar"]["occluded"] is False         # the gap between two Ms: no glyph ink over the bar
    wide = bar.replace("size: [4, 60]", "size: [30, 60]")
    a = ann_of(f"canvas: {{width: 200, height: 60}}\nnodes:\n  - {wide}\n  - {MONO}\n")
    assert a["bar"]["occluded"] is True          # the Ms' stems are drawn over the wide bar
    faint = bar.replace("position: [100, 30]}", "position: [100, 30], opacity: 0.3}")
    a = ann_of(f"canvas: {{width: 200, height: 60}}\nnodes:\n  - {MONO}\n  - {faint}\n")
    assert chars(a["t"]) == [(False, False)] * 4      # 30% coverage is below the 50% rule


def test_characters_leaving_the_canvas_are_outside():
    a = ann_of("canvas: {width: 100, height: 60}\nnodes:\n"
               "  - {id: t, type: text, text: MMMM, size: 30, font: mono, fill: black, transform: {position: [10, 30]}}\n"
               "  - {id: dot, type: circle, radius: 8, fill: blue, transform: {position: [96, 56]}}\n")
    assert [c["outside"] for c in a["t"]["chars"]] == [True, True, False, False]
    assert a["t"]["outside"] is True
    assert a["dot"]["outside"] is True and a["dot"]["occluded"] is False


def test_formula_symbols_and_rotated_quads():
    a = ann_of("canvas: {width: 240, height: 120}\nnodes:\n"
               "  - {id: f, type: formula, tex: 'a + b', size: 40, fill: black, transform: {position: [120, 60], "
               "rotation: 30}}\n"
               "  - {id: cover, type: circle, radius: 6, fill: red, transform: {position: [120, 60]}}\n")
    syms = a["f"]["symbols"]
    assert all(s["outside"] is False for s in syms)
    hit = [s["char"] for s in syms if s["occluded"]]
    assert hit and len(hit) < len(syms)
    # the ones hit are those whose quad holds the circle's centre region
    centre = np.array([120.0, 60.0])
    for s in syms:
        q = np.array(s["quad"])
        d = np.min(np.hypot(*(q - centre).T))
        if d > 6 + 20 and s["char"] in hit:
            pytest.fail(f"{s['char']} flagged though far from the circle")


def test_flags_round_trip_and_validate(tmp_path):
    import jsonschema

    scene = sr.loads(f"canvas: {{width: 200, height: 60}}\nnodes:\n  - {MONO}\n")
    out = tmp_path / "a.json"
    sr.render(scene, str(tmp_path / "f_%03d.png"), frames=[0], annotations=str(out))
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, R.json_schema())
    read = R.read_annotations(out)
    text = read.frames[0].objects[0]
    assert text.outside is False and text.occluded is False and text.chars[0].occluded is False
    old = json.loads(json.dumps(doc))
    for o in old["frames"][0]["objects"]:      # files written before the flags still read
        o.pop("outside"), o.pop("occluded")
        for c in o["chars"]:
            c.pop("outside"), c.pop("occluded")
    assert R.read_annotations(old).frames[0].objects[0].occluded is None


def test_generated_text_is_fully_visible():
    """The text sampler places text inside the canvas and draws nothing over it: every character in
    every checked frame is neither outside nor occluded."""
    dom = D.get("text")
    opts = D.validate_options("text", {"width": 192, "height": 128})
    for i in range(30):
        media = "clip" if i % 3 == 2 else "still"
        scene = dom.build(dom.sample(np.random.default_rng([77, i]), opts, media))
        for f in sorted({0, scene.n_frames - 1}):
            _, ann = sr.render_frame(scene, f, annotations=True)
            text = next((a for a in ann if a["id"] == "text"), None)
            if text is None:
                continue
            assert text["outside"] is False and text["occluded"] is False, (i, f)
            assert all(not c["outside"] and not c["occluded"] for c in text["chars"]), (i, f)
