"""The image node: a raster file drawn into a rectangle (fit modes, transform, opacity), both backends."""
import os

import numpy as np
import pytest
import skia

import symbolreel as sr
from symbolreel.errors import SceneError
from symbolreel.primitives import image as image_mod

RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 255)


def write_png(path, rgba: np.ndarray):
    """Write straight-alpha RGBA uint8 as PNG with Skia's encoder."""
    img = skia.Image.fromarray(np.ascontiguousarray(rgba), colorType=skia.ColorType.kRGBA_8888_ColorType,
                               alphaType=skia.AlphaType.kUnpremul_AlphaType)
    img.save(str(path), skia.kPNG)
    assert os.path.getsize(path) > 0
    return str(path)


def quads_png(path):
    """4 x 2 picture: top row red (left half) and blue (right half), bottom row green."""
    a = np.zeros((2, 4, 4), np.uint8)
    a[..., 3] = 255
    a[0, :2] = (*RED, 255)
    a[0, 2:] = (*BLUE, 255)
    a[1, :] = (*GREEN, 255)
    return write_png(path, a)


def scene_of(node: str, w=80, h=40, bg="white") -> sr.Scene:
    return sr.loads(f"canvas: {{width: {w}, height: {h}, background: {bg}}}\nnodes:\n  - {node}\n")


def rgb(frame, x, y):
    return tuple(int(v) for v in frame[y, x, :3])


@pytest.fixture
def pic(tmp_path):
    return quads_png(tmp_path / "q.png")


def test_stretch_puts_each_colour_where_expected(pic):
    s = scene_of(f"{{type: image, src: '{pic}', size: [80, 40], fit: stretch, sampling: nearest, "
                 "transform: {position: [40, 20]}}")
    f = sr.render_frame(s, 0)
    assert rgb(f, 5, 5) == RED and rgb(f, 35, 15) == RED
    assert rgb(f, 45, 5) == BLUE and rgb(f, 75, 15) == BLUE
    assert rgb(f, 5, 25) == GREEN and rgb(f, 75, 35) == GREEN


def test_cover_crops_contain_letterboxes_none_is_one_to_one(pic):
    # cover: a 40 x 40 square shows the middle 2 x 2 pixels (columns 1 and 2)
    f = sr.render_frame(scene_of(f"{{type: image, src: '{pic}', size: [40, 40], fit: cover, sampling: nearest, "
                                 "transform: {position: [20, 20]}}", 40, 40), 0)
    assert rgb(f, 5, 5) == RED and rgb(f, 35, 5) == BLUE and rgb(f, 20, 35) == GREEN
    # cover aligned left keeps columns 0 and 1: red on top across the whole width
    f = sr.render_frame(scene_of(f"{{type: image, src: '{pic}', size: [40, 40], fit: cover, align: [0, 0.5], "
                                 "sampling: nearest, transform: {position: [20, 20]}}", 40, 40), 0)
    assert rgb(f, 5, 5) == RED and rgb(f, 35, 5) == RED
    # contain: an 80 x 80 box holds an 80 x 40 picture in its middle; white above and below
    f = sr.render_frame(scene_of(f"{{type: image, src: '{pic}', size: [80, 80], fit: contain, sampling: nearest, "
                                 "transform: {position: [40, 40]}}", 80, 80), 0)
    assert rgb(f, 40, 10) == WHITE and rgb(f, 40, 70) == WHITE
    assert rgb(f, 5, 25) == RED and rgb(f, 75, 25) == BLUE and rgb(f, 40, 55) == GREEN
    # none, null size: the picture's own 4 x 2 pixels at the node's position (centre)
    f = sr.render_frame(scene_of(f"{{type: image, src: '{pic}', fit: none, transform: {{position: [10, 10]}}}}",
                                 20, 20), 0)
    assert rgb(f, 8, 9) == RED and rgb(f, 11, 9) == BLUE and rgb(f, 9, 10) == GREEN
    assert rgb(f, 7, 9) == WHITE and rgb(f, 12, 9) == WHITE and rgb(f, 9, 8) == WHITE and rgb(f, 9, 11) == WHITE


def test_transform_and_opacity_apply(pic):
    # rotated 90 degrees clockwise: the top row (red/blue) ends up on the right side
    s = scene_of(f"{{type: image, src: '{pic}', size: [40, 20], fit: stretch, sampling: nearest, "
                 "transform: {position: [20, 20], rotation: 90, opacity: 0.5}}", 40, 40)
    f = sr.render_frame(s, 0)
    r, g, b = rgb(f, 25, 10)     # red at half opacity over white
    assert abs(r - 255) <= 1 and abs(g - 128) <= 2 and abs(b - 128) <= 2
    assert rgb(f, 25, 30)[2] == 255 and rgb(f, 25, 30)[0] < 140       # blue, half over white
    assert rgb(f, 15, 20)[1] == 255 and rgb(f, 15, 20)[0] < 140       # green on the left
    assert rgb(f, 2, 20) == WHITE                                     # outside the 20-wide rotated box


def test_annotation_is_the_drawn_rectangle(pic):
    s = scene_of(f"{{id: photo, type: image, src: '{pic}', size: [80, 80], fit: contain, "
                 "transform: {position: [40, 40]}}", 80, 80)
    _, ann = sr.render_frame(s, 0, annotations=True)
    rec = [o for o in ann if o["id"] == "photo"][0]
    assert rec["type"] == "image" and list(rec["bbox"]) == [0.0, 20.0, 80.0, 60.0]


def test_yaml_round_trip_and_describe(pic):
    s = scene_of(f"{{id: p, type: image, src: '{pic}', size: {{keys: [[0, [10, 10]], [1, [40, 40]]]}}, "
                 "fit: contain, align: [0, 1], sampling: nearest}")
    again = sr.loads(s.dumps())
    assert again == s and again.dumps() == s.dumps()
    node = again.nodes[0]
    assert node.describe() == {"type": "image", "src": "q.png", "fit": "contain"}
    schema = __import__("json").dumps(sr.json_schema())
    assert '"const": "image"' in schema or '"image"' in schema


def test_relative_src_starts_at_the_scene_file(tmp_path, monkeypatch):
    sub = tmp_path / "scenes"
    (sub / "pics").mkdir(parents=True)
    quads_png(sub / "pics" / "q.png")
    (sub / "s.yaml").write_text("canvas: {width: 40, height: 20}\nnodes:\n"
                                "  - {type: image, src: pics/q.png, size: [40, 20], fit: stretch, sampling: nearest,"
                                " transform: {position: [20, 10]}}\n")
    monkeypatch.chdir(tmp_path)            # not the scene's folder
    f = sr.render_frame(str(sub / "s.yaml"), 0)
    assert rgb(f, 2, 2) == RED and rgb(f, 38, 18) == GREEN
    # a Scene that sr.load read remembers its file: the same pixels from the object, a copy of it
    # and a pickled copy (what worker processes get)
    scene = sr.load(sub / "s.yaml")
    assert scene.source == str(sub / "s.yaml") and scene.base_dir == str(sub)
    assert np.array_equal(sr.render_frame(scene, 0), f)
    assert np.array_equal(sr.render_frame(scene.replace(seed=5), 0), f)
    assert np.array_equal(sr.render_frame(__import__("pickle").loads(__import__("pickle").dumps(scene)), 0), f)
    assert sr.loads(scene.dumps()) == scene and sr.loads(scene.dumps()).source is None
    # an explicit base_dir still wins; a scene built from text has no file
    with pytest.raises(SceneError, match="q.png"):
        sr.render_frame(scene, 0, base_dir=str(tmp_path))


def _err(scene) -> str:
    with pytest.raises(SceneError) as info:
        sr.render_frame(scene, 0)
    return str(info.value)


def test_errors_name_the_node_path_and_the_file(tmp_path, monkeypatch):
    msg = _err(scene_of("{type: image, src: nowhere/missing.png}"))
    assert "nodes[0].src" in msg and "missing.png" in msg and "not found" in msg
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    msg = _err(scene_of(f"{{type: image, src: '{text}'}}"))
    assert "nodes[0].src" in msg and "notes.png" in msg and "expected PNG, JPEG" in msg
    with pytest.raises(SceneError, match=r"nodes\[0\]\.src.*expected the path of an image file"):
        scene_of("{type: image, src: ''}")
    with pytest.raises(SceneError, match=r"nodes\[0\]\.fit"):
        scene_of("{type: image, src: a.png, fit: fill}")
    big = quads_png(tmp_path / "big.png")
    monkeypatch.setattr(image_mod, "MAX_FILE_BYTES", 10)
    msg = _err(scene_of(f"{{type: image, src: '{big}'}}"))
    assert "nodes[0].src" in msg and "bytes; the limit is 10" in msg
    monkeypatch.setattr(image_mod, "MAX_FILE_BYTES", 1 << 30)
    monkeypatch.setattr(image_mod, "MAX_PIXELS", 4)
    image_mod.clear_cache()
    msg = _err(scene_of(f"{{type: image, src: '{big}'}}"))
    assert "4 x 2 pixels; the limits are" in msg


def test_decoded_once_per_process_and_again_when_the_file_changes(tmp_path):
    path = quads_png(tmp_path / "q.png")
    image_mod.clear_cache()
    a = image_mod.decode(path)
    assert image_mod.decode(path) is a
    assert a.sha256 == __import__("hashlib").sha256(open(path, "rb").read()).hexdigest()
    blue = np.zeros((2, 4, 4), np.uint8)
    blue[..., 2:] = 255
    write_png(path, blue)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    b = image_mod.decode(path)
    assert b is not a and tuple(b.pixels[0, 0]) == (0, 0, 255, 255)


def test_levels_are_exact_box_averages():
    px = np.arange(3 * 5 * 4, dtype=np.uint8).reshape(3, 5, 4)
    img = image_mod.DecodedImage("x", px.copy(), "")
    lv = img.level(1)
    assert lv.shape == (2, 3, 4)
    a = px.astype(int)
    assert tuple(lv[0, 0]) == tuple((a[0, 0] + a[0, 1] + a[1, 0] + a[1, 1] + 2) // 4)
    assert tuple(lv[1, 2]) == tuple((4 * a[2, 4] + 2) // 4)      # odd edge: averaged with its copy
    assert image_mod.pick_level((0, 0, 1000, 1000), (0, 0, 100, 100), np.eye(2, 3)) == 3
    assert image_mod.pick_level((0, 0, 100, 100), (0, 0, 100, 100), np.eye(2, 3) * 0.5) == 1
    assert image_mod.pick_level((0, 0, 10, 10), (0, 0, 100, 100), np.eye(2, 3)) == 0


def test_skia_and_cairo_agree(tmp_path):
    rng = np.random.default_rng(5)
    # smooth colour field with some edges and a half-transparent corner
    y, x = np.mgrid[0:300, 0:400]
    a = np.zeros((300, 400, 4), np.uint8)
    a[..., 0] = (x * 255 // 399)
    a[..., 1] = (y * 255 // 299)
    a[..., 2] = ((x // 50 + y // 50) % 2) * 200
    a[..., 3] = 255
    a[:60, :60, 3] = 128
    a[..., :3] = np.clip(a[..., :3].astype(int) + rng.integers(-10, 10, a[..., :3].shape), 0, 255)
    path = write_png(tmp_path / "field.png", a)
    text = (f"canvas: {{width: 160, height: 120, background: '#203040'}}\nnodes:\n"
            f"  - {{type: image, src: '{path}', size: [150, 100], fit: cover, transform: {{position: [80, 60], "
            f"rotation: 12, opacity: 0.8}}}}\n"
            f"  - {{type: image, src: '{path}', size: [50, 50], fit: contain, sampling: nearest, "
            f"transform: {{position: [40, 40]}}}}\n")
    s = sr.loads(text)
    fs = sr.render_frame(s, 0).astype(int)
    fc = sr.render_frame(s, 0, backend="cairo").astype(int)
    diff = np.abs(fs - fc)
    # edges antialias a little differently; the inside samples the same level the same way
    assert diff.mean() < 1.5, diff.mean()
    assert (diff.max(axis=2) > 24).mean() < 0.02
    assert np.array_equal(sr.render_frame(s, 0), sr.render_frame(s, 0))     # deterministic


def test_char_mask_sees_an_image_drawn_over_text(pic):
    from symbolreel.masks import char_mask

    s = sr.loads(f"canvas: {{width: 120, height: 40, background: white}}\nnodes:\n"
                 f"  - {{type: text, text: AB, size: 30, fill: black, transform: {{position: [60, 20]}}}}\n"
                 f"  - {{type: image, src: '{pic}', size: [60, 40], fit: stretch, transform: {{position: [30, 20]}}}}\n")
    full, _ = char_mask(s, 0)
    vis, _ = char_mask(s, 0, visible_only=True)
    assert (full > 0).sum() > (vis > 0).sum() > 0
    assert not (vis[:, :60] > 0).any()
