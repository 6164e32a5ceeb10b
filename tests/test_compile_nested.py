"""compile walks nested properties generally (structs in structs, lists of structs, mappings) and samples
tracks on a node's own clock (CLOCK / CLOCKED) with the central sampler, in the same row."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import symbolreel as sr
from symbolreel.compile import CompiledScene
from symbolreel.fields import field, normalise
from symbolreel.node import NODE_TYPES, Node, register


@dataclass(frozen=True, kw_only=True)
class Mark:
    """A list item with an animatable position."""

    pos: tuple = field((0.0, 0.0), "vec2", "position", anim=True)
    size: float = field(1.0, "number", "size")

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class Clocked(Node):
    """Test node: marks follow the node's own clock ``time``; ``level`` follows the scene clock."""

    TYPE = "test_clocked"
    CLOCK = "time"
    CLOCKED = ("marks", "named")
    marks: tuple = field((), "structs", "marks", struct=Mark)
    named: dict | None = field(None, "mapping", "name -> value or track", nullable=True)
    level: float = field(0.0, "number", "on the scene clock", anim=True)
    time: float = field(0.0, "number", "the node's clock", anim=True)


@pytest.fixture(scope="module", autouse=True)
def clocked_type():
    register(Clocked)
    yield
    del NODE_TYPES[Clocked.TYPE]


def _scene(node):
    return sr.Scene(canvas=sr.Canvas(width=32, height=32, fps=10, frames=20), nodes=[node])


def test_lists_of_structs_mappings_and_the_node_clock():
    node = Clocked(id="c", marks=(Mark(), Mark(pos=sr.keys((0.0, (0.0, 0.0)), (4.0, (40.0, 80.0))))),
                   named={"A": sr.keys((0.0, (1.0, 2.0)), (4.0, (5.0, 10.0))), "B": (7.0, 7.0)},
                   level=sr.keys((0.0, 0.0), (1.0, 1.0)),
                   time=sr.keys((0.0, 0.0), (1.0, 2.0)))   # the node's clock runs twice as fast
    c = CompiledScene(_scene(node))
    (e,) = c.entries
    names = {name for name, _, _ in e.animated}
    assert {"marks.1.pos", "named.A", "level", "time"} <= names
    assert "marks.0.pos" not in names and e.static["named"]["B"] == (7.0, 7.0)
    samples, _, _ = c.sample([0.0, 0.5, 1.0])
    props = [c.props(e, row) for row in samples]
    assert [p["level"] for p in props] == pytest.approx([0.0, 0.5, 1.0])      # scene clock
    assert [p["time"] for p in props] == pytest.approx([0.0, 1.0, 2.0])
    # marks.1.pos at node time = 2 * scene time: (10 * clock, 20 * clock)
    np.testing.assert_allclose([p["marks.1.pos"] for p in props], [(0, 0), (10, 20), (20, 40)], atol=1e-9)
    np.testing.assert_allclose([p["named.A"] for p in props], [(1, 2), (2, 4), (3, 6)], atol=1e-9)
    assert not e.geometry_static


def test_a_constant_clock_freezes_clocked_tracks():
    node = Clocked(id="c", marks=(Mark(pos=sr.keys((0.0, (0.0, 0.0)), (4.0, (40.0, 80.0)))),), time=2.0)
    c = CompiledScene(_scene(node))
    (e,) = c.entries
    samples, _, _ = c.sample([0.0, 1.0, 1.7])
    for row in samples:
        assert c.props(e, row)["marks.0.pos"] == pytest.approx((20.0, 40.0))
    # props_at: one batch sample, as prepare hooks use it
    assert [p["marks.0.pos"] for p in c.props_at(e, [0.0, 1.9])] == [pytest.approx((20.0, 40.0))] * 2


def test_nested_struct_tracks_keep_their_names_and_noise():
    text = sr.Text(id="t", text="x", stroke=sr.Stroke(width=sr.keys((0.0, 1.0), (1.0, 3.0))))
    c = CompiledScene(_scene(text))
    (e,) = c.entries
    assert [name for name, _, _ in e.animated] == ["stroke.width"]
    samples, _, _ = c.sample([0.5])
    assert c.props(e, samples[0])["stroke.width"] == pytest.approx(2.0)
