"""The text layout fast path (one line of printable ASCII in one font) against the general path:
bit-identical layouts, pixels and annotations, and the inputs that must take the general path."""
from __future__ import annotations

import re

import numpy as np
import pytest

import symbolreel as sr
from symbolreel.primitives.text import typeset as ts
from symbolreel.errors import SceneError
from symbolreel.fonts_access import chain_for

FONTS = ("noto-sans", "noto-serif-bold", "noto-sans-mono", "liberation-mono-italic", "noto-sans-sc", "wenkai",
         "stix-math")
OPTIONS = ({}, {"letter_spacing": 1.5}, {"letter_spacing": -2.0}, {"align": "left", "valign": "top"},
           {"align": "right", "valign": "bottom"}, {"align": "justify", "valign": "baseline", "width": 4000.0},
           {"width": 160.0}, {"fit": True, "width": 70.0}, {"fit": True, "width": 90.0, "max_height": 20.0},
           {"path": "M 0 0 Q 60 -40 120 0"}, {"base_direction": "ltr"})


def _strings() -> list:
    rng = np.random.default_rng([2026, 11])
    printable = np.array([chr(c) for c in range(0x20, 0x7F)])
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    out = ["Hello, World!", "office fi fl ffi ffl", "AVATAR WAVE To Ty", "0123456789", "3.14159", "-42",
           "~!@#$%^&*()_+{}|:\"<>?", "`-=[]\\;',./", "  leading", "trailing  ", "in  side", "a", "I", "...", "x y z"]
    out += ["".join(rng.choice(letters, int(rng.integers(1, 12)))) for _ in range(40)]
    out += ["".join(rng.choice(printable, int(rng.integers(1, 30)))) for _ in range(60)]
    return out


def _general(*args, **kw):
    saved = ts._FAST_PATH
    ts._FAST_PATH = False
    ts._layout.cache_clear()
    try:
        return ts.layout_text(*args, **kw)
    finally:
        ts._FAST_PATH = saved
        ts._layout.cache_clear()


def _fast(*args, **kw):
    ts._layout.cache_clear()
    try:
        return ts.layout_text(*args, **kw)
    finally:
        ts._layout.cache_clear()


def _takes_fast_path(text, chain, size=40.0, spacing=0.0, align="center", valign="middle", coverage="strict",
                     width=None, direction="horizontal", base_direction="auto", spans=None) -> bool:
    spans = ((text, tuple(chain), size),) if spans is None else spans
    return ts._layout_fast(spans, spacing, 1.25, align, valign, coverage, width, direction, base_direction,
                           1.0) is not None


def assert_same_layout(a, b):
    assert len(a.glyph_runs) == len(b.glyph_runs)
    for x, y in zip(a.glyph_runs, b.glyph_runs):
        assert (x.path, x.size, x.span, x.rotated) == (y.path, y.size, y.span, y.rotated)
        for name in ("gids", "xform", "rank", "ref"):
            u, v = getattr(x, name), getattr(y, name)
            if u is None or v is None:
                assert u is v, name
                continue
            assert u.dtype == v.dtype and u.shape == v.shape, name
            assert np.array_equal(u, v), name      # exact: the same floats, not close ones
    for name in ("chars", "bounds", "lines", "runs", "substitutions", "scale", "direction", "text", "line_text",
                 "char_ref"):
        assert getattr(a, name) == getattr(b, name), name


@pytest.mark.parametrize("font", FONTS)
def test_fast_path_layout_is_bit_identical_to_the_general_path(font):
    chain = chain_for(font, None, None)
    rng = np.random.default_rng([7, len(font)])
    fast_taken = 0
    for text in _strings():
        for kw in OPTIONS:
            size = float(rng.uniform(8.0, 90.0))
            fast_taken += _takes_fast_path(text, chain, size, kw.get("letter_spacing", 0.0),
                                           kw.get("align", "center"), kw.get("valign", "middle"),
                                           width=None if kw.get("fit") else kw.get("width"),
                                           base_direction=kw.get("base_direction", "auto"))
            assert_same_layout(_fast(text, chain, size, **kw), _general(text, chain, size, **kw))
    assert fast_taken > len(_strings()) * len(OPTIONS) // 2   # the comparison exercised the fast path


def test_single_words_take_the_fast_path():
    chain = chain_for("noto-sans", None, None)
    for text in ("Hello", "a1b2", "(42)", "two words", "Symbols matter"):
        assert _takes_fast_path(text, chain), text
    assert _takes_fast_path("fits easily", chain, width=1000.0)


@pytest.mark.parametrize("case", [
    {"text": "你好"},                                   # CJK
    {"text": "abc 你好"},                               # mixed scripts
    {"text": "café"},                                   # outside ASCII
    {"text": "مرحبا", "font": "noto-sans-arabic"},      # right to left
    {"text": "abc", "base_direction": "rtl"},           # right-to-left paragraph
    {"text": "two\nlines"},                             # a line break
    {"text": "tab\there"},                              # control characters
    {"text": "wrap these words please", "width": 60.0},  # wrapping
    {"text": "vertical", "direction": "vertical"},
    {"text": "abc", "font": "noto-sans-hebrew", "coverage": "lenient"},  # missing glyphs, substituted
    {"text": "abc", "font": "noto-sans-devanagari"},    # only some characters in the first font
    {"text": "   "},                                    # nothing to shape
    {"text": ""},
])
def test_inputs_that_need_the_general_path(case):
    case = dict(case)
    chain = chain_for(case.pop("font", "sans"), None, None)
    text = case.pop("text")
    assert not _takes_fast_path(text, chain, **case)
    kw = {"width": case.get("width"), "direction": case.get("direction", "horizontal"),
          "base_direction": case.get("base_direction", "auto"), "coverage": case.get("coverage", "strict")}
    try:
        general = _general(text, chain, 40.0, **kw)
    except SceneError as exc:
        with pytest.raises(SceneError, match=re.escape(exc.message)):
            _fast(text, chain, 40.0, **kw)
    else:
        assert_same_layout(_fast(text, chain, 40.0, **kw), general)


def test_spans_take_the_general_path():
    chain = tuple(chain_for("noto-sans", None, None))
    bold = tuple(chain_for("noto-sans-bold", None, None))
    spans = (("plain ", chain, 30.0), ("bold", bold, 30.0))
    assert not _takes_fast_path("", chain, spans=spans)
    assert not _takes_fast_path("", chain, spans=(("one span", chain, 30.0), ("", chain, 30.0)))


def test_missing_glyph_error_is_the_general_paths():
    chain = chain_for("noto-sans-hebrew", None, None)
    with pytest.raises(SceneError) as fast:
        _fast("abc", chain, 40.0)
    with pytest.raises(SceneError) as general:
        _general("abc", chain, 40.0)
    assert str(fast.value) == str(general.value)


def _scenes():
    out = []
    for i, text in enumerate(["Symbols", "Hello, World!", "fi office 42", "  pad  ", "x"]):
        out.append(sr.Scene(canvas=sr.Canvas(width=200, height=120), nodes=[
            sr.Text(text=text, size=28 + 3 * i, font=("noto-sans", "noto-serif", "mono", "sans-bold", "kai")[i],
                    letter_spacing=0.7 * i, align=("center", "left", "right", "center", "left")[i],
                    fill="#203050", stroke=sr.Stroke(color="white", width=1.0) if i == 2 else None,
                    transform=sr.Transform(position=(100, 60), rotation=7.0 * i))]))
    out.append(sr.Scene(canvas=sr.Canvas(width=200, height=120, frames=10), nodes=[
        sr.Text(text="typing it", size=30, reveal=sr.keys((0, 0.0), (0.3, 1.0)), reveal_mode="fade",
                transform=sr.Transform(position=(100, 60)))]))
    return out


def test_pixels_and_annotations_are_identical_with_and_without_the_fast_path(monkeypatch):
    for scene in _scenes():
        for frame in range(min(scene.n_frames, 4)):
            ts._layout.cache_clear()
            fast_px, fast_ann = sr.render_frame(scene, frame, annotations=True)
            monkeypatch.setattr(ts, "_FAST_PATH", False)
            ts._layout.cache_clear()
            gen_px, gen_ann = sr.render_frame(scene, frame, annotations=True)
            monkeypatch.setattr(ts, "_FAST_PATH", True)
            assert np.array_equal(fast_px, gen_px)
            assert fast_ann == gen_ann
    ts._layout.cache_clear()
