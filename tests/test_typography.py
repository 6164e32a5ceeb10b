"""Typography of the text node: shaping against HarfBuzz, bidi, line breaking, justification, fit, spans,
vertical text, text on a path, shadows and captions. Pixels and HarfBuzz output, no mocks."""
from __future__ import annotations

import numpy as np
import pytest
import uharfbuzz as hb

import symbolreel as sr
from symbolreel.fonts import font_path
from symbolreel.fonts_access import chain_for
from symbolreel.primitives.text import Shadow, Span
from symbolreel.primitives.text.typeset import (NO_LINE_END, NO_LINE_START, bidi_levels, layout_text, visual_order)

SIZE = 40.0


def chain(alias="sans"):
    return chain_for(alias, None, None)


def hb_shape(name, text, direction, script, lang, features=None):
    """HarfBuzz's own output for ``text`` with one bundled font: gids, advances and offsets in pixels."""
    blob = hb.Blob.from_file_path(str(font_path(name)))
    face = hb.Face(blob)
    font = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction, buf.script, buf.language = direction, script, lang
    hb.shape(font, buf, features or {})
    k = SIZE / face.upem
    gids = [i.codepoint for i in buf.glyph_infos]
    pos = buf.glyph_positions
    return (gids, np.array([p.x_advance for p in pos]) * k, np.array([p.y_advance for p in pos]) * k,
            np.array([p.x_offset for p in pos]) * k, np.array([p.y_offset for p in pos]) * k)


def glyphs(lay):
    """All glyphs of a layout in drawing order: (gid, x, y, font file stem)."""
    out = []
    for run in lay.glyph_runs:
        for g, xf in zip(run.gids, run.xform):
            out.append((int(g), float(xf[2]), float(xf[3]), run.path.rsplit("/", 1)[-1].split(".")[0]))
    return out


def expected_positions(adv, xoff, yoff, x0=0.0):
    pen = x0 + np.concatenate(([0.0], np.cumsum(adv)[:-1]))
    return pen + xoff, -yoff


# ----------------------------------------------------------------------------- shaping vs HarfBuzz

@pytest.mark.parametrize("text,font,direction,script,lang", [
    ("AV", "noto-sans", "ltr", "Latn", "en"),
    ("fi", "noto-sans", "ltr", "Latn", "en"),
    ("你好，世界", "noto-sans-sc", "ltr", "Hani", "zh-hans"),
    ("مرحبا بالعالم", "noto-sans-arabic", "rtl", "Arab", "ar"),
    ("नमस्ते दुनिया", "noto-sans-devanagari", "ltr", "Deva", "hi"),
])
def test_glyphs_and_advances_match_harfbuzz(text, font, direction, script, lang):
    lay = layout_text(text, chain(), SIZE, align="left", valign="baseline")
    got = glyphs(lay)
    gids, adv, _, xoff, yoff = hb_shape(font, text, direction, script, lang)
    assert [g[0] for g in got] == gids
    assert {g[3] for g in got} == {font}
    xs, ys = expected_positions(adv, xoff, yoff)
    np.testing.assert_allclose([g[1] for g in got], xs, atol=1e-6)
    np.testing.assert_allclose([g[2] for g in got], ys, atol=1e-6)


def test_kerning_pair_av_is_tighter_than_unkerned():
    gids, adv_av, *_ = hb_shape("noto-sans", "AV", "ltr", "Latn", "en")
    _, adv_aa, *_ = hb_shape("noto-sans", "AA", "ltr", "Latn", "en")
    assert adv_av[0] < adv_aa[0] - 1  # the font kerns A+V
    lay = layout_text("AV", chain(), SIZE, align="left")
    assert glyphs(lay)[1][1] == pytest.approx(adv_av[0])  # V drawn at the kerned advance
    a, v = lay.chars
    assert a.box[0] <= 0.0 and a.box[2] >= adv_av[0]  # A's box: its advance cell, grown to its ink


def test_fi_ligature_is_one_glyph_split_between_both_characters():
    lay = layout_text("fi", chain(), SIZE, align="left")
    assert len(glyphs(lay)) == 1
    f, i = lay.chars
    gids, adv, *_ = hb_shape("noto-sans", "fi", "ltr", "Latn", "en")
    assert f.box[0] <= 0.0 and i.box[2] >= adv[0] - 1e-9  # the cell, grown to the ligature's ink
    assert f.box[2] == pytest.approx(i.box[0]) == pytest.approx(adv[0] / 2)  # split in the middle
    assert f.cluster == i.cluster == 0


def test_devanagari_is_reordered_not_mapped_codepoint_by_codepoint():
    text = "कि"  # the vowel sign i is drawn before (left of) the consonant
    lay = layout_text(text, chain(), SIZE, align="left")
    gids, *_ = hb_shape("noto-sans-devanagari", text, "ltr", "Deva", "hi")
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path("noto-sans-devanagari"))).getBestCmap()
    order = TTFont(str(font_path("noto-sans-devanagari"))).getGlyphOrder()
    naive = [order.index(cmap[ord(c)]) for c in text]
    assert [g[0] for g in glyphs(lay)] == gids != naive
    # both characters share the reordered cluster's box
    k, i = lay.chars
    assert k.cluster == i.cluster == 0
    assert k.box[2] == pytest.approx(i.box[0])
    assert k.box[0] <= 0.0 and i.box[2] >= sum(hb_shape("noto-sans-devanagari", text, "ltr", "Deva", "hi")[1])


def test_arabic_characters_run_right_to_left():
    text = "سلام"
    lay = layout_text(text, chain(), SIZE, align="left")
    xs = [c.box[0] for c in lay.chars]
    assert xs == sorted(xs, reverse=True)  # first logical character is rightmost


# ----------------------------------------------------------------------------- bidi

def test_bidi_levels_of_mixed_paragraphs():
    para, levels = bidi_levels("abc אבג 123")
    assert para == 0
    # numbers after Hebrew stay EN (W7 needs a preceding L) and count as R for the space before them (N1)
    assert levels == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]
    assert bidi_levels("abc 123")[1] == [0] * 7  # EN after L becomes L (W7)
    para, levels = bidi_levels("שלום abc!")
    assert para == 1
    assert levels[:4] == [1] * 4 and levels[5:8] == [2, 2, 2] and levels[8] == 1
    para, levels = bidi_levels("مرحبا 123")
    assert levels[-3:] == [2, 2, 2]  # numbers after Arabic letters are AN (W2), level 2
    assert bidi_levels("abc", "rtl")[0] == 1


def test_visual_order_reverses_rtl_runs():
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert visual_order([1, 2, 2, 1]) == [3, 1, 2, 0]


def test_hebrew_inside_latin_is_reordered():
    text = "ab שלום cd"
    lay = layout_text(text, chain(), SIZE, align="left")
    x = {c.index: c.box[0] for c in lay.chars}
    assert x[0] < x[1] < x[6] < x[5] < x[4] < x[3] < x[8] < x[9]
    # Hebrew is shaped right to left with the Hebrew font, glyphs as HarfBuzz gives them
    gids, *_ = hb_shape("noto-sans-hebrew", "שלום", "rtl", "Hebr", "he")
    heb = [g[0] for g in glyphs(lay) if g[3] == "noto-sans-hebrew"]
    assert heb[:4] == gids  # (the following space may also come from the Hebrew font)


def test_rtl_paragraph_puts_first_word_on_the_right():
    lay = layout_text("שלום abc", chain(), SIZE, align="left")
    x = {c.char: c.box[0] for c in lay.chars}
    assert x["ש"] > x["a"]
    lay = layout_text("abc", chain(), SIZE, align="left", base_direction="rtl")
    assert [c.char for c in sorted(lay.chars, key=lambda c: c.box[0])] == ["a", "b", "c"]


# ----------------------------------------------------------------------------- paragraphs

LATIN = "The quick brown fox jumps over the lazy dog and keeps running far away"


@pytest.mark.parametrize("width", [120.0, 200.0, 333.0])
def test_latin_wraps_at_spaces_within_width(width):
    lay = layout_text(LATIN, chain(), 20, align="left", width=width)
    assert len(lay.lines) > 1
    assert all(b[2] - b[0] <= width + 1e-6 for b in lay.lines)
    assert " ".join(lay.line_text) == LATIN  # breaks only at spaces, every word whole
    # greedy: the next line's first word would not have fitted
    for li in range(len(lay.lines) - 1):
        nxt = lay.line_text[li + 1].split(" ")[0]
        longer = layout_text(lay.line_text[li] + " " + nxt, chain(), 20, align="left")
        assert longer.lines[0][2] - longer.lines[0][0] > width


def test_overlong_word_is_broken():
    lay = layout_text("Pneumonoultramicroscopicsilicovolcanoconiosis", chain(), 20, align="left", width=100)
    assert len(lay.lines) > 2
    assert all(b[2] - b[0] <= 100 + 1e-6 for b in lay.lines)
    assert "".join(lay.line_text) == "Pneumonoultramicroscopicsilicovolcanoconiosis"


CJK = "这是一个很长的中文句子，用来测试换行规则。“引号”和（括号）不能放错！行首不能是标点？还有、顿号：冒号；分号。"


@pytest.mark.parametrize("width", [60.0, 81.0, 100.0, 140.0, 163.0, 200.0])
def test_cjk_breaks_anywhere_but_obeys_kinsoku(width):
    lay = layout_text(CJK, chain(), 20, align="left", width=width)
    assert "".join(lay.line_text) == CJK
    assert len(lay.lines) > 2
    for li, line in enumerate(lay.line_text):
        if li:
            assert line[0] not in NO_LINE_START, (li, line)
        if li < len(lay.line_text) - 1:
            assert line[-1] not in NO_LINE_END, (li, line)
        assert lay.lines[li][2] - lay.lines[li][0] <= width + 20  # at most one character pushed over


def test_justify_stretches_all_lines_but_the_last():
    lay = layout_text(LATIN, chain(), 20, align="justify", width=250)
    widths = [b[2] - b[0] for b in lay.lines]
    assert all(w == pytest.approx(250.0) for w in widths[:-1])
    assert widths[-1] < 250.0
    # the last visible character of a justified line ends at the width
    for li in range(len(lay.lines) - 1):
        last = [c for c in lay.chars if c.line == li][-1]
        assert last.box[2] == pytest.approx(250.0, abs=0.5)


def test_justify_draws_pixels_to_the_right_edge():
    scene = sr.Scene(canvas=sr.Canvas(width=300, height=200, background=None), nodes=[
        sr.Text(text=LATIN, size=20, width=250, align="justify", valign="top",
                transform=sr.Transform(position=(20, 10)))])
    frame, objs = sr.render_frame(scene, 0, annotations=True)
    rows = frame[10:36, :, 3] > 0  # first line
    cols = np.nonzero(rows.any(axis=0))[0]
    assert cols.min() <= 23 and cols.max() >= 265


def test_letter_spacing_and_line_height_are_kept():
    a = layout_text("abc\nabc", chain(), 20, align="left")
    b = layout_text("abc\nabc", chain(), 20, letter_spacing=5, line_height=2.0, align="left")
    assert b.chars[1].box[0] - a.chars[1].box[0] == pytest.approx(5.0)
    assert b.lines[1][1] - b.lines[0][1] == pytest.approx(40.0)


def test_fit_shrinks_deterministically_to_the_box():
    kw = dict(align="left", width=200.0, max_height=60.0, fit=True)
    lay = layout_text(LATIN, chain(), 30, **kw)
    assert 0 < lay.scale < 1
    assert all(b[2] - b[0] <= 200 + 1e-6 for b in lay.lines)
    assert lay.bounds[3] - lay.bounds[1] <= 60 + 1e-6
    # the largest size that fits (to the bisection's resolution)
    bigger = layout_text(LATIN, chain(), 30 * (lay.scale + 1e-3), align="left", width=200.0)
    assert bigger.bounds[3] - bigger.bounds[1] > 60 or max(b[2] - b[0] for b in bigger.lines) > 200
    again = layout_text(LATIN, chain(), 30, **kw)
    assert again.scale == lay.scale
    assert layout_text("short", chain(), 30, **kw).scale == 1.0  # never grows


# ----------------------------------------------------------------------------- spans

def test_spans_keep_their_style_through_layout_render_and_annotations():
    node = sr.Text(id="t", spans=[Span(text="Bold ", font="sans-bold", fill="#FF0000"),
                                  Span(text="big", size=60),
                                  Span(text=" blue", fill="#0000FF")],
                   size=30, fill="#000000", transform=sr.Transform(position=(200, 60)))
    scene = sr.Scene(canvas=sr.Canvas(width=400, height=120), nodes=[node])
    frame, objs = sr.render_frame(scene, 0, annotations=True)
    chars = objs[0]["chars"]
    assert [c["span"] for c in chars] == [0] * 4 + [1] * 3 + [2] * 4
    assert objs[0]["text"] == "Bold big blue"

    def ink(c):
        x0, y0, x1, y1 = (int(round(v)) for v in c["bbox"])
        px = frame[y0:y1, x0:x1, :3].reshape(-1, 3).astype(int)
        return px[px.sum(axis=1) < 600]  # non-white pixels

    red = ink(chars[0])
    assert (red[:, 0] > red[:, 2] + 100).mean() > 0.8
    blue = ink(chars[-1])
    assert (blue[:, 2] > blue[:, 0] + 100).mean() > 0.8
    # the big span's characters are taller, the bold one uses the bold font
    h = [c["bbox"][3] - c["bbox"][1] for c in chars]
    assert h[5] > h[0] * 1.5
    from symbolreel.compile import CompiledScene
    from symbolreel.raster import Renderer

    r = Renderer(CompiledScene(scene))
    e = r.c.entries[0]
    lay = e.node.layout(r.context(e, e.static, 1.0, 0.0, None))
    assert lay.chars[0].font == "noto-sans-bold" and lay.chars[5].font == "noto-sans"


def test_spans_and_text_are_exclusive_and_round_trip():
    with pytest.raises(sr.SceneError, match="either 'text' or 'spans'"):
        sr.Text(text="a", spans=[Span(text="b")])
    scene = sr.loads("""
nodes:
  - type: text
    spans:
      - {text: "A ", font: serif}
      - {text: "B", fill: "#FF0000", size: 50}
""")
    assert scene.nodes[0].spans[1].fill == (1.0, 0.0, 0.0, 1.0)
    assert sr.loads(scene.dumps()) == scene


# ----------------------------------------------------------------------------- vertical

def test_vertical_uses_vert_forms_and_stacks_columns_right_to_left():
    text = "中文，竖排。\n第二列"
    lay = layout_text(text, chain(), SIZE, direction="vertical", align="left", valign="top")
    comma = [g for g in glyphs(lay)][2][0]
    gids_h, *_ = hb_shape("noto-sans-sc", "中文，竖排。", "ltr", "Hani", "zh-hans")
    gids_v, _, yadv, xoff, yoff = hb_shape("noto-sans-sc", "中文，竖排。", "ttb", "Hani", "zh-hans", {"vert": True})
    assert comma == gids_v[2] != gids_h[2]
    first = [g for g in glyphs(lay)][:6]
    assert [g[0] for g in first] == gids_v
    # top to bottom by the vertical advances
    ys = [g[2] for g in first]
    np.testing.assert_allclose(np.diff(ys), -yadv[:-1], atol=1e-6)
    col = {c.char: c for c in lay.chars}
    assert col["第"].box[0] < col["中"].box[0]  # second column is left of the first
    assert col["文"].box[1] > col["中"].box[1]


def test_vertical_latin_is_rotated_clockwise():
    lay = layout_text("中AB", chain(), SIZE, direction="vertical", align="left")
    runs = [r for r in lay.glyph_runs if r.rotated]
    assert runs and np.allclose(runs[0].xform[:, :2], [0.0, 1.0])  # 90 degrees clockwise
    a, b = lay.chars[1], lay.chars[2]
    assert a.orientation == "rotated" and (b.box[1] + b.box[3]) / 2 > (a.box[1] + a.box[3]) / 2
    assert a.box[2] - a.box[0] > a.box[3] - a.box[1]  # the rotated cell is wider than tall


# ----------------------------------------------------------------------------- path

def test_text_on_path_follows_the_tangent():
    d = "M 0 0 L 200 0 L 200 200"
    lay = layout_text("abcdefghijklmnopqrstuvwxyz", chain(), 20, align="left", valign="baseline", path=d)
    first, last = lay.chars[0], lay.chars[-1]
    assert first.orientation == "path"
    (x0, y0), (x1, y1) = first.quad[0], first.quad[1]
    assert abs(y1 - y0) < 1e-6 and x1 > x0  # along +x on the first segment
    (x0, y0), (x1, y1) = last.quad[0], last.quad[1]
    assert abs(x1 - x0) < 1e-6 and y1 > y0  # rotated 90 degrees on the second segment
    rs = [r for r in lay.glyph_runs]
    assert all(r.rotated for r in rs)
    shifted = layout_text("abcdefghijklmnopqrstuvwxyz", chain(), 20, align="left", valign="baseline", path=d,
                          path_offset=10.0)
    assert shifted.chars[0].quad[0][0] == pytest.approx(first.quad[0][0] + 10.0)


def test_path_offset_is_animatable_and_annotations_follow():
    node = sr.Text(id="c", text="round and round", size=18, path="M 100 50 A 50 50 0 1 1 99.9 50 Z",
                   valign="baseline", align="left",
                   transform=sr.Transform(position=(20, 20))).animate("path_offset", (0, 0.0), (1, 100.0))
    scene = sr.Scene(canvas=sr.Canvas(width=240, height=240, fps=10, duration=1), nodes=[node])
    _, a0 = sr.render_frame(scene, 0, annotations=True)
    _, a5 = sr.render_frame(scene, 5, annotations=True)
    assert a0[0]["chars"][0]["quad"] != a5[0]["chars"][0]["quad"]
    assert a0[0]["orientation"] == "curved"


# ----------------------------------------------------------------------------- shadow

def test_shadow_draws_offset_pixels_but_leaves_annotations_alone():
    base = sr.Text(id="t", text="Shadow", size=40, transform=sr.Transform(position=(100, 50)))
    plain = sr.Scene(canvas=sr.Canvas(width=200, height=100, background=None), nodes=[base])
    shadowed = plain.replace(nodes=[base.replace(shadow=Shadow(color="#FF0000", offset=(6, 6), blur=0))])
    f0, a0 = sr.render_frame(plain, 0, annotations=True)
    f1, a1 = sr.render_frame(shadowed, 0, annotations=True)
    assert a0 == a1
    extra = (f1[..., 3] > 0) & (f0[..., 3] == 0)
    assert extra.sum() > 100
    ys, xs = np.nonzero(extra)
    ys0, xs0 = np.nonzero(f0[..., 3] > 0)
    assert xs.mean() > xs0.mean() + 2 and ys.mean() > ys0.mean() + 2  # shifted by +offset
    assert (f1[extra][:, 0] > 100).mean() > 0.9  # red shadow (premultiplied RGB)


# ----------------------------------------------------------------------------- captions

def test_describe_returns_caption_data():
    d = sr.Text(text="Hello 你好", font="serif-bold", fill="#1010F0", size=64).describe()
    assert d["text"] == "Hello 你好"
    assert d["scripts"] == ["Latin", "Han"] and d["languages"] == ["en", "zh"]
    assert "bold" in d["style"] and "serif" in d["style"]
    assert d["color"] == "blue" and d["orientation"] == "horizontal" and d["size_class"] == "large"
    v = sr.Text(text="竖排", font="kai", direction="vertical", size=12).describe()
    assert v["orientation"] == "vertical" and "kai" in v["style"] and v["size_class"] == "tiny"
    c = sr.Text(text="مرحبا", path="M0 0 L100 0", font="mono").describe()
    assert c["orientation"] == "curved" and c["scripts"] == ["Arabic"] and "monospace" in c["style"]
