"""Dataset backgrounds from a user folder of pictures: deterministic choice, the contrast rule measured
on the drawn picture, truthful captions, the sha256 in the spec, recipe errors with paths."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import skia

import symbolreel as sr
from symbolreel.datasets import domains as D
from symbolreel.datasets import styles
from symbolreel.errors import SceneError

from domain_items import items as _items


def write_png(path, rgb: np.ndarray):
    a = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    img = skia.Image.fromarray(np.ascontiguousarray(a), colorType=skia.ColorType.kRGBA_8888_ColorType)
    img.save(str(path), skia.kPNG)
    return str(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Pictures that make the rule work: busy noise, a dark-to-light ramp, a flat mid grey, a light
    photo-like field with a dark blob, in a subfolder too; plus a file that is not a picture."""
    d = tmp_path_factory.mktemp("backgrounds")
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:240, 0:320]
    write_png(d / "a_noise.png", rng.integers(0, 256, (240, 320, 3), dtype=np.uint8))
    ramp = np.repeat((x * 255 // 319).astype(np.uint8)[:, :, None], 3, axis=2)
    write_png(d / "b_ramp.png", ramp)
    write_png(d / "c_grey.png", np.full((90, 160, 3), 119, np.uint8))
    (d / "sub").mkdir()
    light = np.stack([200 + (x % 40), 190 + (y % 50), np.full_like(x, 170)], axis=2).astype(np.uint8)
    light[60:140, 100:200] = (20, 30, 40)
    write_png(d / "sub" / "d_light.png", light)
    (d / "notes.txt").write_text("not a picture")
    return str(d)


def _luminances(rgb: np.ndarray) -> np.ndarray:
    v = rgb.astype(np.float64) / 255.0
    lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def _background_only(scene, keep_prefix=("bg-",)):
    """The scene's background nodes alone, without its camera: scene coordinates are pixels."""
    nodes = tuple(n for n in scene.nodes if (n.id or "").startswith(keep_prefix))
    return sr.Scene(canvas=scene.canvas, nodes=nodes)


def test_listing_is_sorted_recursive_and_pictures_only(folder):
    assert styles.image_listing(folder) == ("a_noise.png", "b_ramp.png", "c_grey.png", "sub/d_light.png")
    with pytest.raises(SceneError, match="not found"):
        styles.image_listing(os.path.join(folder, "nope"))


@pytest.mark.parametrize("name", ["text", "formula", "plot", "geometry"])
def test_contrast_holds_on_the_drawn_pixels_behind_the_content(folder, name):
    """Every pixel the background draws inside the content's measured box has the minimum contrast
    with the content colour (rendered without the content, at frame 0 and the last frame)."""
    n = {"text": 24, "formula": 12, "plot": 6, "geometry": 6}[name]
    seen_scrim = set()
    for spec, scene, caps, opts in _items(name, n, 21, width=160, height=120,
                                          backgrounds={"image": 1}, background_images=folder):
        bg = spec["background"]
        assert bg["kind"] == "image" and len(bg["sha256"]) == 64
        assert bg["file"] == os.path.join(folder, *bg["name"].split("/"))
        seen_scrim.add(None if bg["scrim"] is None else bg["scrim"]["tone"])
        ink = spec["plate"]["color"] if "plate" in spec else spec["color"]
        if "plate" in spec:
            continue            # the text is drawn on an opaque plate: checked by the domain tests
        lum_ink = styles.luminance(ink)
        x0, y0, x1, y1 = bg["behind"]["box"]
        bare = _background_only(scene)
        for f in sorted({0, scene.n_frames - 1}):
            px = sr.render_frame(bare, f)[:, :, :3]
            region = px[int(np.floor(y0)):int(np.ceil(y1)), int(np.floor(x0)):int(np.ceil(x1))].reshape(-1, 3)
            lum = _luminances(region)
            hi, lo = np.maximum(lum, lum_ink), np.minimum(lum, lum_ink)
            ratio = ((hi + 0.05) / (lo + 0.05)).min()
            assert ratio >= opts["min_contrast"] - 1e-9, (spec["background"], ink, ratio)
        # captions name a picture, never a colour for it
        assert any("background picture" in c for c in caps["en"].values())
        assert any("背景图片" in c for c in caps["zh"].values())
    if name == "text":
        assert None in seen_scrim and seen_scrim - {None}, seen_scrim   # the rule needed scrims sometimes


def test_text_box_measured_is_where_the_text_is(folder):
    for spec, scene, _, _ in _items("text", 12, 4, width=160, height=120, backgrounds={"image": 1},
                                    background_images=folder, scenes={"plain": 1}):
        world = sr.Scene(canvas=scene.canvas, nodes=scene.nodes)   # a camera pan moves the picture too
        x0, y0, x1, y1 = spec["background"]["behind"]["box"]
        for f in sorted({0, scene.n_frames // 2, scene.n_frames - 1}):
            _, ann = sr.render_frame(world, f, annotations=True)
            text = next((a for a in ann if a["id"] == "text"), None)
            if text is None:
                continue      # before a fade or typewriter has begun
            bx0, by0, bx1, by1 = text["bbox"]
            assert x0 <= bx0 + 0.01 and y0 <= by0 + 0.01 and bx1 <= x1 + 0.01 and by1 <= y1 + 0.01


def test_choice_is_deterministic_and_the_spec_round_trips(folder):
    a = [s for s, *_ in _items("text", 6, 9, width=96, height=64, backgrounds={"image": 1},
                               background_images=folder)]
    b = [s for s, *_ in _items("text", 6, 9, width=96, height=64, backgrounds={"image": 1},
                               background_images=folder)]
    assert json.dumps(a) == json.dumps(b)
    assert len({s["background"]["name"] for s in a}) > 1
    dom = D.get("text")
    again = json.loads(json.dumps(a[0]))
    assert dom.build(again).dumps() == dom.build(a[0]).dumps()


def test_a_changed_picture_is_refused_when_the_spec_is_built(folder, tmp_path):
    import shutil

    mine = tmp_path / "pics"
    shutil.copytree(folder, mine)
    spec = next(s for s, *_ in _items("formula", 1, 2, width=96, height=64, backgrounds={"image": 1},
                                      background_images=str(mine)))
    path = spec["background"]["file"]
    write_png(path, np.zeros((10, 10, 3), np.uint8))
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    with pytest.raises(SceneError, match="changed since the item was sampled"):
        D.get("formula").build(spec)


def test_option_errors_name_the_path(folder, tmp_path):
    with pytest.raises(SceneError, match=r"domains\.text\.options\.backgrounds\.image: .*needs the option "
                                         r"background_images"):
        D.validate_options("text", {"backgrounds": {"image": 1}})
    with pytest.raises(SceneError, match=r"domains\.plot\.options\.background_images: background image folder "
                                         r".*not found"):
        D.validate_options("plot", {"backgrounds": {"image": 1}, "background_images": str(tmp_path / "x")})
    (tmp_path / "empty").mkdir()
    with pytest.raises(SceneError, match=r"background_images: .* holds no pictures"):
        D.validate_options("plot", {"backgrounds": {"image": 1}, "background_images": str(tmp_path / "empty")})
    with pytest.raises(SceneError, match=r"background_images: .*gives 'image' no weight"):
        D.validate_options("text", {"background_images": folder})


def test_a_recipe_generates_verifies_and_only_reproduces(folder, tmp_path):
    import shutil

    from symbolreel import datasets

    shutil.copytree(folder, tmp_path / "pics")
    folder = str(tmp_path / "pics")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"version: 1\ncount: 6\nseed: 5\ncanvas: {{width: 96, height: 64}}\n"
                      f"shards: {{items: 3}}\ndomains:\n"
                      f"  text: {{options: {{backgrounds: {{image: 1}}, background_images: '{folder}'}}}}\n"
                      f"  formula: {{options: {{backgrounds: {{image: 1, solid: 1}}, background_images: '{folder}'}}}}\n")
    out = tmp_path / "out"
    datasets.generate(str(recipe), str(out), workers=1)
    assert datasets.verify(str(out)).ok
    import tarfile

    shard = sorted(p for p in os.listdir(out) if p.endswith(".tar"))[0]
    with tarfile.open(out / shard) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    doc = json.loads(members["00000001.json"])
    only = datasets.generate_only(str(recipe), [1], str(tmp_path / "only"))
    for p in only:
        assert p.read_bytes() == members[p.name]
    if doc["spec"]["background"]["kind"] == "image":
        assert "bg-image" in members["00000001.scene.yaml"].decode()
    # --only into the run's folder checks the regenerated members against the manifest
    assert [p.name for p in datasets.generate_only(str(recipe), [1], str(out))] == sorted(
        f"00000001.{ext}" for ext in ("json", "png", "scene.yaml", "txt"))
    pictures = [json.loads(members[f"0000000{i}.json"])["spec"]["background"] for i in range(3)]
    used = next((b for b in pictures if b["kind"] == "image"), None)
    assert used is not None
    index = [b.get("file") for b in pictures].index(used["file"])
    write_png(used["file"], np.full((40, 60, 3), 250, np.uint8))
    st = os.stat(used["file"])
    os.utime(used["file"], ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    with pytest.raises(datasets.GenerateError, match=f"--only {index}: item 0000000{index} regenerated differs"):
        datasets.generate_only(str(recipe), [index], str(out))


def test_instance_masks_are_members_with_their_node_table():
    from symbolreel import datasets
    from symbolreel.masks import instance_mask

    r = datasets.loads_recipe("version: 1\ncount: 4\ncanvas: {width: 96, height: 64}\n"
                              "domains: {text: {options: {backgrounds: {solid: 1}, scenes: {plain: 1}}}}\noutputs: {masks: [instance]}\n")
    item = datasets.make_item(r, 0)
    png = item.members["instancemask.png"]
    doc = json.loads(item.members["json"])
    table = doc["instance_masks"][0]
    assert table["frame"] == 0 and [e["node"] for e in table["ids"]][-1] == "text"
    scene = sr.loads(item.members["scene.yaml"].decode())
    mask, mapping = instance_mask(scene, 0)
    assert mapping == table["ids"] and (mask > 0).any()
    from symbolreel.datasets.labels import encode_label_png

    assert png == encode_label_png(mask.astype("uint16"), r.png_compress)
