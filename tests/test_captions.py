"""Caption helpers, colour and contrast rules, corpora: the building blocks the domain captions rely on."""
from __future__ import annotations

import numpy as np
import pytest
import webcolors

from symbolreel.datasets import captions as C
from symbolreel.datasets import corpora, styles
from symbolreel.primitives.text.node import _css_name


def test_every_palette_colour_is_named_as_text_describe_names_it():
    # a caption's colour word must be the name Text.describe() finds for the drawn fill
    for name in styles.COLORS:
        assert _css_name(styles.rgb(name)) == name
        assert styles.COLOR_ZH[name].endswith("色")


def test_wcag_contrast_matches_the_standard_values():
    assert styles.contrast("black", "white") == pytest.approx(21.0)
    assert styles.contrast("white", "white") == pytest.approx(1.0)
    # WCAG reference: #777777 on white is about 4.48:1
    assert styles.contrast((0x77 / 255,) * 3, "white") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("kind", ["solid", "gradient", "texture"])
def test_picked_colours_keep_the_contrast_over_every_background_colour(kind):
    rng = np.random.default_rng(4)
    for _ in range(40):
        bg = styles.sample_background(rng, {kind: 1.0}, 200, 100)
        ink = styles.pick_color(rng, styles.background_colors(bg), 4.5)
        if ink is None:
            continue
        for c in styles.background_colors(bg):
            assert styles.contrast(ink, c) >= 4.5
    assert styles.pick_color(rng, ["gray"], 21.0) is None      # impossible demands return None


def test_gradient_bands_run_from_the_first_colour_to_the_second():
    bands = styles.gradient_bands({"kind": "gradient", "colors": ["navy", "white"], "direction": "vertical"})
    assert len(bands) == styles.GRADIENT_BANDS
    assert styles.hex_of(bands[0]) == "#000080" and styles.hex_of(bands[-1]) == "#FFFFFF"


def test_background_nodes_build_real_scenes():
    import symbolreel as sr

    rng = np.random.default_rng(1)
    for kind in ("gradient", "texture"):
        bg = styles.sample_background(rng, {kind: 1.0}, 64, 48)
        colour, nodes = styles.background_nodes(bg, 64, 48)
        frame = sr.render_frame(sr.Scene(canvas=sr.Canvas(width=64, height=48, background=colour), nodes=nodes))
        assert frame.shape == (48, 64, 4) and (frame[..., 3] == 255).all()
    bg = {"kind": "gradient", "colors": ["black", "white"], "direction": "horizontal"}
    colour, nodes = styles.background_nodes(bg, 64, 8)
    frame = sr.render_frame(sr.Scene(canvas=sr.Canvas(width=64, height=8, background=colour), nodes=nodes))
    row = frame[4, :, 0].astype(int)
    assert row[0] < 10 and row[-1] > 245 and (np.diff(row) >= 0).all()    # dark to light, left to right


def test_region_words():
    assert C.region([0, 0, 10, 10], 300, 300) == ("left", "top")
    assert C.region([140, 140, 160, 160], 300, 300) == ("center", "middle")
    assert C.where_en(("right", "bottom")) == "in the bottom right corner"
    assert C.where_zh(("center", "top")) == "上方"


def test_style_and_number_words():
    assert C.style_en(["bold", "serif", "simplified-chinese"]) == "bold serif"
    assert C.style_zh(["bold", "serif"], han=True) == "粗体宋体"
    assert C.style_zh(["sans-serif"], han=False) == "无衬线体"
    assert C.num_zh(3) == "三" and C.num_zh(12) == "十二" and C.num_zh(40) == "四十"
    assert C.plural(1, "line") == "one line" and C.plural(3, "line") == "three lines"
    assert C.a_an("ivory") == "an ivory" and C.a_an("navy") == "a navy"


def test_template_choice_is_keyed_by_the_rng():
    opts = [f"t{i}" for i in range(5)]
    a = [C.pick(np.random.default_rng([7, i]), opts) for i in range(50)]
    b = [C.pick(np.random.default_rng([7, i]), opts) for i in range(50)]
    assert a == b and len(set(a)) == 5


def test_bundled_corpora():
    words, freqs = corpora.en_words()
    assert len(words) == 8000 and all(w.isascii() and w.isalpha() for w in words)
    assert (np.diff(freqs) <= 0).all()
    zw, zc = corpora.zh_words()
    chars, counts = corpora.zh_chars()
    from symbolreel import fonts

    level1 = set(fonts.charset("tgh-level1"))
    assert len(chars) == 3500 and set(chars) == level1
    assert all(set(w) <= level1 for w in zw)
    reg = fonts.default_registry()
    assert not reg.missing("sans", "".join(chars))     # every level-1 character is drawable


def test_zh_sampler_is_frequency_aware():
    zh = corpora.ZhSampler(temperature=1.0, rare_share=0.0)
    rng = np.random.default_rng(0)
    drawn = [zh.word(rng) for _ in range(3000)]
    words, counts = corpora.zh_words()
    top = set(words[:200])
    expected = counts[:200].sum() / counts.sum()      # share of the 200 most frequent words in the corpus
    assert abs(sum(w in top for w in drawn) / len(drawn) - expected) < 0.04
    uniform = corpora.ZhSampler(temperature=0.0, rare_share=0.0)
    drawn_u = [uniform.word(rng) for _ in range(3000)]
    assert sum(w in top for w in drawn_u) < 0.1 * len(drawn_u)


def test_user_corpus_errors_name_the_file(tmp_path):
    from symbolreel.errors import SceneError

    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(SceneError, match="latin1.txt.*not UTF-8"):
        corpora.load_user(str(bad))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(SceneError, match="empty.txt.*no entries"):
        corpora.load_user(str(empty))
    ok = tmp_path / "ok.txt"
    ok.write_text("alpha\t3\n\nbeta\r\n", encoding="utf-8")
    assert corpora.load_user(str(ok)) == ("alpha", "beta")


def test_webcolors_names_cover_the_palette():
    for name in styles.COLORS:
        webcolors.name_to_hex(name)
