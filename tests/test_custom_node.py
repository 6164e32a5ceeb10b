"""A node type defined here, in the test module, through the public protocol and registry only:
it renders, annotates, shows up in masks and the JSON Schema, and round-trips through YAML,
with no edit to the engine."""
from __future__ import annotations

import math
from dataclasses import dataclass

import jsonschema
import numpy as np
import pytest

import symbolreel as sr
from symbolreel import ir
from symbolreel.annotate import quad_of
from symbolreel.fields import field
from symbolreel.masks import char_mask, instance_mask
from symbolreel.node import NODE_TYPES, Node, register
from symbolreel.records import ShapeRecord, bbox_of
from symbolreel.primitives.text.typeset import layout_text


@dataclass(frozen=True, kw_only=True)
class Badge(Node):
    """A star with a short label in its middle (a test-only node type)."""

    TYPE = "test_badge"
    radius: float = field(40.0, "number", "outer radius in pixels", anim=True, min=1.0)
    spikes: int = field(5, "int", "number of spikes", min=3, max=12)
    color: tuple = field("gold", "colour", "star colour", anim=True)
    label: str = field("OK", "string", "text in the middle")

    def outline(self, r):
        pts = []
        for k in range(2 * self.spikes):
            a = math.pi * k / self.spikes - math.pi / 2
            rr = r if k % 2 == 0 else r * 0.45
            pts.append((rr * math.cos(a), rr * math.sin(a)))
        return np.array(pts)

    def prepare(self, ctx):
        ctx.font_chain("sans")  # fails early (with the node's path) on a bad font set-up

    def _layout(self, ctx):
        return layout_text(self.label, ctx.font_chain("sans"), ctx.p["radius"] * 0.5)

    def emit(self, ctx):
        star = ir.Draw(ir.Path.polyline(self.outline(ctx.p["radius"]), closed=True),
                       ir.fill_paint(ctx.p["color"], ctx.opacity))
        lay = self._layout(ctx)
        parts = tuple(ir.Part(cb.index, cb.char, cb.quad, k) for k, cb in enumerate(lay.chars))
        label = ir.Group(lay.glyph_items(ir.fill_paint((0.0, 0.0, 0.0, 1.0), ctx.opacity)), parts=parts)
        return [star, label]

    def annotate(self, ctx):
        r = ctx.p["radius"]
        q = quad_of(ctx.matrix, (-r, -r, r, r))
        return ShapeRecord(id=self.id, type=self.TYPE, quad=q, bbox=bbox_of(q))


@pytest.fixture(scope="module")
def badge_type():
    register(Badge)
    yield Badge
    del NODE_TYPES[Badge.TYPE]


SCENE = """
canvas: {width: 200, height: 160, fps: 10, frames: 4, background: white}
nodes:
  - type: rect
    id: back
    size: [60, 40]
    fill: "#3366CC"
    transform: {position: [40, 40]}
  - type: test_badge
    id: star
    radius: {keys: [[0, 40], [0.3, 60]]}
    color: "#FFCC00"
    label: "AB"
    transform: {position: [110, 85]}
"""


def test_renders_where_it_says(badge_type):
    scene = sr.loads(SCENE)
    img = sr.render_frame(scene, 3)
    # the star's top spike (radius 60 at the last frame) is gold, the corner is background
    top = img[85 - 55, 110]
    assert top[0] > 200 and top[1] > 150 and top[2] < 80, top
    assert tuple(img[5, 195, :3]) == (255, 255, 255)
    # the animated radius: at frame 0 the spike tip (radius 40) leaves that pixel white
    assert tuple(sr.render_frame(scene, 0)[85 - 55, 110, :3]) == (255, 255, 255)
    # the label's glyphs darken the centre
    assert img[80:92, 98:122, :3].min() < 60


def test_annotates_and_round_trips(badge_type):
    scene = sr.loads(SCENE)
    assert sr.loads(scene.dumps()) == scene
    assert isinstance(scene.nodes[1], Badge)
    res = list(sr.iter_frames(scene, [3], annotations=True))
    (_, _, ann), = res
    (badge,) = [a for a in ann if a["id"] == "star"]
    assert badge["type"] == "test_badge" and badge["kind"] == "shape"
    assert badge["quad"][0] == pytest.approx([50.0, 25.0]) and badge["bbox"] == pytest.approx([50, 25, 170, 145])


def test_in_the_json_schema(badge_type):
    schema = sr.json_schema()
    data = {"canvas": {"width": 64, "height": 64}, "nodes": [{"type": "test_badge", "radius": 10, "label": "x"}]}
    jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"canvas": {"width": 64, "height": 64},
                             "nodes": [{"type": "test_badge", "spikes": 99}]}, schema)


def test_in_the_masks(badge_type):
    scene = sr.loads(SCENE)
    inst, mapping = instance_mask(scene, 3)
    assert [m["node"] for m in mapping] == ["back", "star"]
    assert inst[85 - 55, 110] == 2 and inst[40, 40] == 1 and inst[5, 195] == 0
    chars, cmap = char_mask(scene, 3)
    assert [(m["node"], m["char"]) for m in cmap] == [("star", "A"), ("star", "B")]
    ys, xs = np.nonzero(chars == 1)
    ys2, xs2 = np.nonzero(chars == 2)
    assert len(xs) > 10 and len(xs2) > 10 and xs.mean() < xs2.mean()  # A left of B
