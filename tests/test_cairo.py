"""The Cairo backend draws the same display lists as Skia: differential conformance, vector export
(SVG and PDF rasterised back and compared), deterministic files, backend-independent annotations."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symbolreel as sr
from symbolreel.sinks import unpremultiply

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FAILURES = Path(__file__).parent / "_failures"

# per-scene frames drawn by both backends
EXAMPLE_FRAMES = {
    "text_card": (0, 45, 59), "geometry": (0, 20), "construction": (10, 75), "road": (0, 10),
    "lanes_perspective": (0, 30), "road_signs": (40, 80),
}
# Tolerance of the Cairo backend against Skia (share of pixels whose largest channel difference
# exceeds PIXEL_TOL). Shapes agree to a few levels of antialiasing; glyph edges differ more, since
# Skia adjusts glyph coverage for contrast and Cairo fills the outline's exact coverage.
PIXEL_TOL = 24
MAX_SHARE = 0.03
MAX_MEAN = 2.0


def compare(name: str, expected: np.ndarray, actual: np.ndarray, pixel_tol=PIXEL_TOL, max_share=MAX_SHARE,
            max_mean=MAX_MEAN):
    """Fail (writing expected/actual/diff PNGs to tests/_failures) when the unpremultiplied frames differ
    by more than the tolerance."""
    from symbolreel.sinks import write_png

    assert expected.shape == actual.shape, f"{name}: {actual.shape} != {expected.shape}"
    diff = np.abs(expected.astype(np.int16) - actual.astype(np.int16)).max(axis=2)
    share = float((diff > pixel_tol).mean())
    mean = float(diff.mean())
    if share > max_share or mean > max_mean:
        FAILURES.mkdir(exist_ok=True)
        write_png(str(FAILURES / f"{name}.expected.png"), expected, premultiplied=False)
        write_png(str(FAILURES / f"{name}.actual.png"), actual, premultiplied=False)
        vis = np.zeros_like(actual)
        vis[..., 0] = np.clip(diff * 4, 0, 255)
        vis[..., 3] = 255
        write_png(str(FAILURES / f"{name}.diff.png"), vis, premultiplied=False)
        pytest.fail(f"{name}: {share:.3%} of pixels differ by more than {pixel_tol}, mean {mean:.2f} "
                    f"(limits {max_share:.1%}, {max_mean}); see {FAILURES}")
    return share, mean


def _golden_scenes():
    from test_formula import _formula, _scene
    from test_geometry import TRIANGLE
    from test_plot import TAN
    from test_render import SHAPES

    yield "shapes", sr.loads(SHAPES), 0
    yield "geo_triangle_incircle", sr.loads(TRIANGLE), 0
    yield "geo_plot_asymptotes", sr.loads(TAN), 0
    for name, tex in (("formula_fraction", r"\frac{a+b}{2c}"), ("formula_pmatrix",
                                                                   r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}")):
        yield name, _scene(_formula(tex, size=30)), 0


@pytest.mark.parametrize("name", sorted(EXAMPLE_FRAMES))
def test_examples_agree_with_skia(name):
    scene = sr.load(EXAMPLES / f"{name}.yaml")
    for f in EXAMPLE_FRAMES[name]:
        skia_px = sr.render_frame(scene, f, base_dir=str(EXAMPLES))
        cairo_px = sr.render_frame(scene, f, base_dir=str(EXAMPLES), backend="cairo")
        assert cairo_px.dtype == np.uint8 and cairo_px.shape == skia_px.shape
        assert cairo_px[..., 3].max() > 0  # drew something
        compare(f"cairo_{name}_f{f}", unpremultiply(skia_px), unpremultiply(cairo_px))


def test_golden_scenes_agree_with_skia():
    for name, scene, f in _golden_scenes():
        compare(f"cairo_{name}", unpremultiply(sr.render_frame(scene, f)),
                unpremultiply(sr.render_frame(scene, f, backend="cairo")))


def test_a_wrong_drawing_is_caught():
    """The differential tolerance is tight enough to see a real difference (a moved node)."""
    scene = sr.load(EXAMPLES / "text_card.yaml")
    moved = scene.replace(nodes=tuple(n.replace(transform=n.transform.__class__(
        position=(n.transform.position[0] + 6, n.transform.position[1]))) if n.TYPE == "text" else n
        for n in scene.nodes)) if hasattr(scene, "replace") else None
    if moved is None:
        pytest.skip("Scene.replace not available")
    a = unpremultiply(sr.render_frame(scene, 0, base_dir=str(EXAMPLES)))
    b = unpremultiply(sr.render_frame(moved, 0, base_dir=str(EXAMPLES), backend="cairo"))
    with pytest.raises(pytest.fail.Exception):
        compare("cairo_moved_text", a, b)


def test_annotations_do_not_depend_on_the_backend():
    for name in ("text_card", "construction", "road_signs"):
        scene = sr.load(EXAMPLES / f"{name}.yaml")
        f = EXAMPLE_FRAMES[name][-1]
        _, a = sr.render_frame(scene, f, annotations=True, base_dir=str(EXAMPLES))
        _, b = sr.render_frame(scene, f, annotations=True, base_dir=str(EXAMPLES), backend="cairo")
        assert a == b and a


def _premultiplied(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.uint32)
    out = rgba.copy()
    out[..., :3] = ((rgba[..., :3].astype(np.uint32) * a + 127) // 255).astype(np.uint8)
    return out


def _decode_png(data: bytes) -> np.ndarray:
    import skia

    img = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(data))
    return np.array(img.convert(colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kUnpremul_AlphaType))


@pytest.mark.parametrize("name,frame", [("text_card", 45), ("construction", 75), ("lanes_perspective", 30)])
def test_svg_rasterised_back_matches(tmp_path, name, frame):
    cairosvg = pytest.importorskip("cairosvg")
    out = tmp_path / f"{name}.svg"
    sr.render(EXAMPLES / f"{name}.yaml", out, frames=[frame])
    svg = out.read_bytes()
    assert svg.startswith(b"<?xml") and b"<path" in svg
    assert b"<text" not in svg and b"font-family" not in svg  # text as outlines, no font needed
    back = _decode_png(cairosvg.svg2png(bytestring=svg))
    expected = unpremultiply(sr.render_frame(sr.load(EXAMPLES / f"{name}.yaml"), frame, base_dir=str(EXAMPLES)))
    compare(f"svg_{name}", expected, back)


def test_pdf_pages_rasterised_back_match(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    out = tmp_path / "construction.pdf"
    frames = [0, 40, 75]
    result = sr.render(EXAMPLES / "construction.yaml", out, frames=frames)
    assert result.frames == 3
    doc = pdfium.PdfDocument(str(out))
    assert len(doc) == 3
    scene = sr.load(EXAMPLES / "construction.yaml")
    for k, f in enumerate(frames):
        page = doc[k]
        assert (page.get_width(), page.get_height()) == (scene.canvas.width, scene.canvas.height)
        rgb = page.render(scale=1).to_numpy()[..., :3]  # BGR by default
        rgba = np.concatenate([rgb[..., ::-1], np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
        expected = unpremultiply(sr.render_frame(scene, f, base_dir=str(EXAMPLES)))
        compare(f"pdf_construction_p{k}", expected, rgba)
    doc.close()


def test_vector_files_are_deterministic_across_processes(tmp_path):
    code = ("import sys, symbolreel as sr\n"
            "sr.render('examples/text_card.yaml', sys.argv[1], frames=[45])\n"
            "sr.render('examples/geometry.yaml', sys.argv[2], frames=[0, 10])\n"
            "sr.render('examples/text_card.yaml', sys.argv[1] + '.again.svg', frames=[45])\n")
    outs = []
    for run in range(2):
        svg, pdf = tmp_path / f"a{run}.svg", tmp_path / f"a{run}.pdf"
        subprocess.run([sys.executable, "-c", code, str(svg), str(pdf)], check=True, cwd=ROOT)
        outs.append((svg.read_bytes(), pdf.read_bytes(), Path(str(svg) + ".again.svg").read_bytes()))
    assert outs[0] == outs[1]
    assert outs[0][0] == outs[0][2]  # the same frame later in the same process: same bytes
    assert b"CreationDate (20000101000000Z)" in outs[0][1]
    assert not list(tmp_path.glob("*.partial*"))


def test_cli_backend_and_vector_outputs(tmp_path):
    png = tmp_path / "card.png"
    subprocess.run([sys.executable, "-m", "symbolreel", "render", "examples/text_card.yaml", "--frame", "45",
                    "--backend", "cairo", "-o", str(png), "-q"], check=True, cwd=ROOT)
    expected = unpremultiply(sr.render_frame(sr.load(EXAMPLES / "text_card.yaml"), 45, base_dir=str(EXAMPLES)))
    compare("cli_cairo_png", expected, _decode_png(png.read_bytes()))
    svg = tmp_path / "card.svg"
    subprocess.run([sys.executable, "-m", "symbolreel", "render", "examples/text_card.yaml", "--frame", "45",
                    "-o", str(svg), "-q"], check=True, cwd=ROOT)
    assert svg.read_bytes().count(b"<path") >= 4  # card, title, chinese line, caption


def test_svg_holds_one_frame(tmp_path):
    with pytest.raises(ValueError, match="one frame"):
        sr.render(EXAMPLES / "text_card.yaml", tmp_path / "x.svg", frames=[0, 1])
    assert not list(tmp_path.iterdir())


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown backend 'opengl'"):
        sr.render_frame(sr.load(EXAMPLES / "text_card.yaml"), 0, backend="opengl")


def test_glyph_outlines_come_from_the_font_file():
    """FreeType outlines of the bundled font: an 'O' has two contours, sized in em units."""
    from symbolreel import ir
    from symbolreel.backends.cairo.glyphs import glyph_path
    from symbolreel.fonts_access import chain_for

    font_file = chain_for("sans", {}, None)[0][1]
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(font_file))
    gid = hb.Font(face).get_nominal_glyph(ord("O"))
    path = glyph_path(font_file, gid)
    assert int((path.verbs == ir.MOVE).sum()) == 2
    h = path.points[:, 1].max() - path.points[:, 1].min()
    assert 0.6 < h < 0.8  # cap height of a sans face, in ems
    assert path.points[:, 1].max() > 0 > path.points[:, 1].min() - 0.5  # y down: the letter sits above 0
