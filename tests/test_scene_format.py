"""Scene parsing, validation errors, YAML traps, round trips and the JSON Schema."""
from __future__ import annotations

import json

import jsonschema
import pytest

import symbolreel as sr
from conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_examples_exist():
    names = {p.stem for p in EXAMPLE_FILES}
    assert {"text_card", "geometry", "road"} <= names


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_round_trips_through_yaml(path):
    scene = sr.load(path)
    text = scene.dumps()
    again = sr.loads(text)
    assert again == scene
    assert again.dumps() == text


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_validates_against_json_schema(path):
    scene = sr.load(path)
    schema = sr.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(json.dumps(scene.to_data())), schema)
    # the raw file too (it may use shorthand forms the schema must accept)
    from symbolreel.yamlio import load_yaml

    raw, _ = load_yaml(path.read_text())
    jsonschema.validate(raw, schema)


def test_schema_rejects_unknown_keys():
    schema = sr.json_schema()
    bad = {"nodes": [{"type": "rect", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_python_dsl_equals_yaml():
    py = sr.Scene(
        canvas=sr.Canvas(width=200, height=100, fps=25, duration=2),
        nodes=[sr.Rect(id="r", size=(50, 20), fill="red",
                       transform=sr.Transform(position=(100, 50), rotation=sr.Track(
                           keys=(sr.Key(0, (0,)), sr.Key(2, (90,), "ease-out"))))),
               sr.Text(id="t", text="hi", size=20)],
    )
    yml = sr.loads("""
canvas: {width: 200, height: 100, fps: 25, duration: 2}
nodes:
  - type: rect
    id: r
    size: [50, 20]
    fill: "#FF0000"
    transform: {position: [100, 50], rotation: {keys: [[0, 0], [2, 90, ease-out]]}}
  - {type: text, id: t, text: hi, size: 20}
""")
    assert py == yml
    assert sr.loads(py.dumps()) == py


def test_ids_are_assigned_stably_and_duplicates_rejected():
    s = sr.Scene(nodes=[sr.Rect(), sr.Group(children=[sr.Rect(), sr.Circle()]), sr.Rect(id="rect-1")])
    ids = [n.id for n, _, _ in s.walk()]
    assert ids == ["rect-0", "group-0", "rect-2", "circle-0", "rect-1"]
    assert len(set(ids)) == len(ids)
    with pytest.raises(sr.SceneError, match="duplicate id 'a'"):
        sr.Scene(nodes=[sr.Rect(id="a"), sr.Circle(id="a")])


@pytest.mark.parametrize("text, where, message", [
    ("nodes: [{type: rectt}]", "nodes[0].type", "did you mean 'rect'"),
    ("nodes: [{type: rect, size: [1]}]", "nodes[0].size", "expected a pair of numbers"),
    ("nodes: [{type: rect, fil: red}]", "nodes[0].fil", "did you mean 'fill'"),
    ("nodes:\n  - type: rect\n    transform: {position: abc}", "nodes[0].transform.position", "found 'abc'"),
    ("nodes: [{type: rect, fill: purpel}]", "nodes[0].fill", "unknown colour 'purpel' (did you mean 'purple'?)"),
    ("nodes: [{type: rect, size: {keys: [[1, [1, 1]], [0, [2, 2]]]}}]", "nodes[0].size.keys[1][0]",
     "keyframe times must increase"),
    ("nodes: [{type: rect, size: {keys: [[0, [1, 1], bouncy]]}}]", "nodes[0].size.keys[0][2]", "bouncy"),
    ("nodes: [{type: rect, id: a}, {type: circle, id: a}]", "nodes[1].id", "duplicate id"),
    ("canvas: {width: -5}\nnodes: []", "canvas.width", "must be >= 1"),
    ("canvas: {fps: 30, duration: 1, frames: 10}\nnodes: []", "canvas.frames", "not both"),
    ("nodes: [{type: group, children: [{type: rect, stroke: {width: 2, cap: flat}}]}]",
     "nodes[0].children[0].stroke.cap", "expected one of butt, round, square"),
    ("nodes: [{type: path, d: 'M 0 0 L 5'}]", "nodes[0].d", "needs 2 numbers"),
    ("nodes: [{type: rect, transform: {opacity: 2}}]", "nodes[0].transform.opacity", "must be <= 1"),
    ("nodes: [{type: polygon, points: [[0, 0], [1, 1]]}]", "nodes[0].points", "at least 3 points"),
    ("nodes: [{type: text}, {type: rect, visible: [2, 1]}]", "nodes[1].visible", "before start"),
    ("nodes: [{type: rect, stroke: {dash: [4, 2, 1]}}]", "nodes[0].stroke.dash", "even number"),
])
def test_malformed_scenes_name_path_and_expectation(text, where, message):
    with pytest.raises(sr.SceneError) as info:
        sr.loads(text, file="bad.yaml")
    err = info.value
    msg = str(err)
    assert msg.startswith("bad.yaml:"), msg
    assert f": {where}: " in msg, msg
    assert message in msg, msg


def test_error_carries_line_number():
    text = "canvas: {width: 64, height: 64}\nnodes:\n  - type: rect\n    size: [10, ten]\n"
    with pytest.raises(sr.SceneError) as info:
        sr.loads(text, file="s.yaml")
    assert info.value.line == 4
    assert str(info.value).startswith("s.yaml:4:")


def test_yaml_on_off_are_not_booleans():
    with pytest.raises(sr.SceneError, match="unknown key 'on'"):
        sr.loads("on: 1\nnodes: []")
    with pytest.raises(sr.SceneError, match="'no' is not a boolean|expected"):
        sr.loads("nodes: [{type: text, text: no, coverage: no}]")
    # 'no' stays the string "no" where text is expected
    s = sr.loads("nodes: [{type: text, text: no}]")
    assert s.nodes[0].text == "no"


def test_unquoted_hex_colour_is_reported():
    with pytest.raises(sr.SceneError, match="read as a YAML comment.*quote"):
        sr.loads("nodes:\n  - type: rect\n    fill: #F5C518\n")
    with pytest.raises(sr.SceneError, match="unquoted colour"):
        sr.loads("nodes: [{type: rect, fill: #F5C518}]")


def test_yaml_rejects_unsafe_and_odd_input():
    with pytest.raises(sr.SceneError):
        sr.loads("!!python/object/apply:os.system ['echo hi']")
    with pytest.raises(sr.SceneError, match="empty"):
        sr.loads("")
    with pytest.raises(sr.SceneError, match="duplicate key 'canvas'"):
        sr.loads("canvas: {}\ncanvas: {}\nnodes: []")
    with pytest.raises(sr.SceneError, match="expected a mapping"):
        sr.loads("- 1\n- 2\n")


def test_fuzzed_yaml_never_raises_anything_but_scene_error():
    import random

    rng = random.Random(1234)
    base = (EXAMPLES / "geometry.yaml").read_text()
    for _ in range(300):
        chars = list(base)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.4:
                del chars[i]
            elif op < 0.8:
                chars.insert(i, rng.choice(list(":-[]{}#,'\"\n 0123abc!&*")))
            else:
                chars[i] = rng.choice(list("xyz9-.:"))
        text = "".join(chars)
        try:
            sr.loads(text, "fuzz.yaml")
        except sr.SceneError as exc:
            assert str(exc).startswith("fuzz.yaml")


def test_limits_are_enforced():
    s = sr.Scene(canvas=sr.Canvas(width=20000, height=10))
    with pytest.raises(sr.LimitError, match="canvas.width.*exceeds the limit of 8192"):
        s.check_limits()
    s.check_limits(sr.Limits(max_side=30000))
    long = sr.Scene(canvas=sr.Canvas(fps=30, duration=10_000))
    with pytest.raises(sr.LimitError, match="300000 frames"):
        long.check_limits()
    text = sr.Scene(nodes=[sr.Text(text="x" * 20_000)])
    with pytest.raises(sr.LimitError, match=r"nodes\[0\].text"):
        text.check_limits()


@pytest.mark.parametrize("value, expected", [
    ("#FF000080", (1.0, 0.0, 0.0, 128 / 255)),
    ("#0f0", (0.0, 1.0, 0.0, 1.0)),
    ("rgb(255, 0, 0)", (1.0, 0.0, 0.0, 1.0)),
    ("rgba(0, 0, 255, 0.5)", (0.0, 0.0, 1.0, 0.5)),
    ("rebeccapurple" if False else "steelblue", (70 / 255, 130 / 255, 180 / 255, 1.0)),
    ([0.5, 0.5, 0.5], (0.5, 0.5, 0.5, 1.0)),
])
def test_colour_forms(value, expected):
    from symbolreel.colors import parse_colour

    assert parse_colour(value) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["#12345", "rgb(1,2)", "rgba(0,0,0,2)", "notacolour", 12, [2, 0, 0]])
def test_bad_colours(bad):
    from symbolreel.colors import parse_colour

    with pytest.raises(ValueError):
        parse_colour(bad)


def test_colour_formatting_round_trips():
    from symbolreel.colors import format_colour, parse_colour

    for text in ["#12AB34", "#12AB3480"]:
        assert format_colour(parse_colour(text)) == text
    odd = (0.1234, 0.5, 0.25, 1.0)
    assert parse_colour(format_colour(odd)) == odd


def test_scene_format_doc_is_current():
    from pathlib import Path

    from symbolreel.docgen import scene_format_markdown

    doc = Path(__file__).parent.parent / "docs" / "scene-format.md"
    assert doc.read_text(encoding="utf-8") == scene_format_markdown(), \
        "docs/scene-format.md is stale: run python -m symbolreel.docgen > docs/scene-format.md"


def test_node_animate_validates_like_yaml_and_round_trips():
    box = sr.Rect(size=(80, 40), fill="#E63946", stroke=sr.Stroke(dash=(4, 2)))
    box = box.animate("transform.position", (0, (50, 50)), (2, (400, 50), "ease-in-out"))
    box = box.animate("fill", (0, "#E63946"), (2, "#457B9D"))
    box = box.animate("stroke.dash_offset", value=0, speed=-60)
    scene = sr.Scene(canvas=sr.Canvas(width=480, height=100, duration=2), nodes=[box])
    assert sr.loads(scene.dumps()) == scene
    yaml_form = sr.loads("""
canvas: {width: 480, height: 100, duration: 2}
nodes:
  - type: rect
    id: rect-0
    size: [80, 40]
    fill: {keys: [[0, "#E63946"], [2, "#457B9D"]]}
    stroke: {dash: [4, 2], dash_offset: {value: 0, speed: -60}}
    transform: {position: {keys: [[0, [50, 50]], [2, [400, 50], ease-in-out]]}}
""")
    assert yaml_form == scene
    with pytest.raises(sr.SceneError, match="not an animatable property"):
        box.animate("stroke.cap", (0, "round"))
    with pytest.raises(sr.SceneError, match="keyframe times must increase"):
        box.animate("size", (1, (1, 1)), (0, (2, 2)))
