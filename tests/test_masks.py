"""Character-index masks: exact to the stated coverage rule, inside the annotated quads, under transforms."""
from __future__ import annotations

import numpy as np
import pytest

import symbolreel as sr
from conftest import EXAMPLES
from symbolreel.masks import char_mask


def inside(quad, xs, ys, tol=1.0):
    """Pixel centres (xs + .5, ys + .5) inside the convex quad grown by ``tol`` pixels."""
    q = np.asarray(quad, dtype=np.float64)
    px, py = xs + 0.5, ys + 0.5
    ok = np.ones(len(xs), dtype=bool)
    sign = None
    for i in range(4):
        (x0, y0), (x1, y1) = q[i], q[(i + 1) % 4]
        ex, ey = x1 - x0, y1 - y0
        n = np.hypot(ex, ey) or 1.0
        cross = (ex * (py - y0) - ey * (px - x0)) / n
        if sign is None:
            c = (q[:, 0].mean() - x0) * ey - (q[:, 1].mean() - y0) * ex
            sign = -1.0 if c > 0 else 1.0
        ok &= sign * cross >= -tol
    return ok


SCENES = {
    "rotated": sr.Scene(canvas=sr.Canvas(width=420, height=260), nodes=[
        sr.Text(id="a", text="Hello 你好 world", size=40, transform=sr.Transform(position=(210, 90), rotation=25)),
        sr.Text(id="b", text="Scaled text", size=30,
                transform=sr.Transform(position=(210, 210), scale=(1.5, 0.8), skew=(10, 0)))]),
    "vertical": sr.Scene(canvas=sr.Canvas(width=300, height=320), nodes=[
        sr.Text(id="v", text="竖排文字，测试。\nABC中文「引号」", size=30, direction="vertical",
                transform=sr.Transform(position=(150, 160), rotation=-10))]),
    "path": sr.Scene(canvas=sr.Canvas(width=300, height=300), nodes=[
        sr.Text(id="p", text="text on a circle path", size=22, valign="baseline",
                path="M 50 150 A 100 100 0 1 1 250 150 A 100 100 0 1 1 50 150 Z")]),
    "scripts": sr.Scene(canvas=sr.Canvas(width=500, height=140), nodes=[
        sr.Text(id="s", text="abc שלום مرحبا नमस्ते", size=36, transform=sr.Transform(position=(250, 70)),
                stroke=sr.Stroke(color="red", width=2))]),
}


@pytest.mark.parametrize("name", sorted(SCENES))
def test_mask_pixels_lie_inside_character_quads(name):
    scene = SCENES[name]
    mask, mapping = char_mask(scene, 0)
    _, objs = sr.render_frame(scene, 0, annotations=True)
    quads = [(o["id"], c) for o in objs for c in o["chars"]]
    assert [(m["node"], m["index"], m["char"]) for m in mapping] == [(nid, c["index"], c["char"]) for nid, c in quads]
    assert mask.dtype == np.uint16 and mask.shape == (scene.canvas.height, scene.canvas.width)
    tol = 2.5 if name == "scripts" else 1.0  # the outline grows glyphs by half the stroke width
    for k, (_, c) in enumerate(quads):
        ys, xs = np.nonzero(mask == k + 1)
        if len(xs) == 0:
            continue
        ok = inside(c["quad"], xs, ys, tol)
        assert ok.mean() >= 0.995, (name, c["char"], ok.mean())


@pytest.mark.parametrize("name", ["rotated", "vertical", "path"])
def test_every_visible_character_has_its_own_index(name):
    scene = SCENES[name]
    mask, mapping = char_mask(scene, 0)
    ids = set(np.unique(mask).tolist()) - {0}
    assert ids == set(range(1, len(mapping) + 1))


def test_mask_matches_rendered_coverage_at_the_threshold():
    """Union of the mask = pixels where the text alone renders with alpha >= 50%."""
    scene = SCENES["rotated"].replace(canvas=sr.Canvas(width=420, height=260, background=None))
    frame = sr.render_frame(scene, 0)
    mask, _ = char_mask(scene, 0)
    alpha = frame[..., 3].astype(int)
    # characters do not overlap here, so the union coverage is the per-character coverage
    diff = (alpha >= 128) != (mask > 0)
    assert diff.mean() < 0.0005


def test_mask_follows_reveal():
    node = sr.Text(id="t", text="abcdef", size=40, transform=sr.Transform(position=(100, 50))).animate(
        "reveal", (0, 0.0), (1, 1.0))
    scene = sr.Scene(canvas=sr.Canvas(width=200, height=100, fps=6, duration=1), nodes=[node])
    mask, mapping = char_mask(scene, 3)
    assert [m["char"] for m in mapping] == ["a", "b", "c"]
    assert set(np.unique(mask).tolist()) == {0, 1, 2, 3}


def test_visible_only_masks_clear_what_later_nodes_cover():
    text = sr.Text(id="t", text="AB", size=80, fill="black", transform=sr.Transform(position=(100, 60)))
    cover = sr.Rect(id="r", size=(60, 120), fill="#3366CC", transform=sr.Transform(position=(150, 60)))
    faint = sr.Rect(id="f", size=(200, 20), fill="#3366CC4D", transform=sr.Transform(position=(100, 60)))
    scene = sr.Scene(canvas=sr.Canvas(width=200, height=120, background="white"), nodes=[text, cover, faint])
    full, mapping = char_mask(scene)
    visible, mapping2 = char_mask(scene, visible_only=True)
    assert mapping == mapping2
    ids = {m["char"]: m["id"] for m in mapping}
    # the opaque rect (x 120..180) hides B's right part; the 30 % rect hides nothing
    ys, xs = np.nonzero(full == ids["B"])
    hidden = xs >= 120
    assert hidden.any() and (~hidden).any()
    assert not (visible[ys[hidden], xs[hidden]]).any()
    assert np.array_equal(visible[ys[~hidden], xs[~hidden]], full[ys[~hidden], xs[~hidden]])
    assert np.array_equal(visible == ids["A"], full == ids["A"])
    # and the rule is the drawn coverage: rendering shows the rect's colour where B was cleared
    frame = sr.render_frame(scene, 0)
    assert (frame[ys[hidden], xs[hidden], 2] > 150).all()


def test_visible_only_keeps_text_drawn_over_a_shape():
    box = sr.Rect(id="r", size=(200, 120), fill="#EEEEEE", transform=sr.Transform(position=(100, 60)))
    text = sr.Text(id="t", text="AB", size=80, fill="black", transform=sr.Transform(position=(100, 60)))
    scene = sr.Scene(canvas=sr.Canvas(width=200, height=120), nodes=[box, text])
    assert np.array_equal(char_mask(scene)[0], char_mask(scene, visible_only=True)[0])


def test_masks_from_the_drawn_frame_equal_the_standalone_masks():
    """A worker's path: draw once, keep the display list, take every mask kind from it."""
    from symbolreel.compile import CompiledScene
    from symbolreel.masks import char_mask, instance_mask, lane_mask, masks_of
    from symbolreel.raster import Renderer

    scene = sr.load(EXAMPLES / "lanes_perspective.yaml")
    scene = scene.replace(nodes=scene.nodes + (sr.Text(id="t", text="Lane 3", size=40, fill="white",
                                                       transform=sr.Transform(position=(320, 60))),))
    r = Renderer(CompiledScene(scene, str(EXAMPLES)))
    samples, world, opacity = r.c.sample(r.c.times([12]))
    arr, surface = r.new_frame()
    with surface as canvas:
        frame = r.draw(canvas, float(r.c.times([12])[0]), samples[0], world[0], opacity[0],
                       masks=frozenset({"char", "instance", "lane"}))
    got = masks_of(frame, r.backend, ("char", "instance", "lane"))
    for kind, want in (("char", char_mask(scene, 12, base_dir=str(EXAMPLES))),
                       ("instance", instance_mask(scene, 12, base_dir=str(EXAMPLES)))):
        np.testing.assert_array_equal(got[kind][0], want[0])
        assert got[kind][1] == want[1]
    np.testing.assert_array_equal(got["lane"], lane_mask(scene, 12, base_dir=str(EXAMPLES)))
    assert got["lane"].max() > 0 and len(got["char"][1]) == 5 and len(got["instance"][1]) == 2
    with pytest.raises(ValueError, match="unknown mask kind"):
        masks_of(frame, r.backend, ("depth",))


def test_glyph_run_parts_are_the_glyphs_tagged_with_each_part_in_run_order():
    from symbolreel import ir

    rng = np.random.default_rng(0)
    for trial in range(300):
        n = int(rng.integers(0, 40))
        parts = rng.integers(-1, 9, n) if trial % 2 else np.sort(rng.integers(0, 6, n))
        run = ir.GlyphRun("f.ttf", 12.0, rng.integers(0, 500, n), rng.normal(size=(n, 4)), bool(trial % 3),
                          parts.astype(np.int64))
        for k in range(-2, 11):
            keep = run.parts == k
            got = run.part(k)
            if not keep.any():
                assert got is None
                continue
            want = run.select(keep)
            assert (got.glyphs.tobytes(), got.xforms.tobytes(), got.parts.tobytes(), got.rotated) == \
                (want.glyphs.tobytes(), want.xforms.tobytes(), want.parts.tobytes(), want.rotated)
            assert run.part(k) is got                       # built once
    assert ir.GlyphRun("f.ttf", 12.0, np.arange(3), np.zeros((3, 4))).part(0) is None   # untagged
