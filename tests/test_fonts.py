"""Bundled fonts and the font registry (symbolreel.fonts)."""
from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
import skia
import uharfbuzz as hb
from fontTools.ttLib import TTFont

from symbolreel import fonts
from symbolreel.fonts import FontError, FontRegistry, MissingGlyphError

MANIFEST = fonts.manifest()
ENTRIES = MANIFEST["fonts"]
BY_NAME = {e["name"]: e for e in ENTRIES}
CJK = [e["name"] for e in ENTRIES if "Hans" in e["scripts"]]
CJK_PUNCT = "，。、：；！？（）《》「」"
SAMPLES = {
    "Hans": "你好，世界。",
    "Arab": "مرحبا بالعالم",
    "Hebr": "שלום עולם",
    "Deva": "नमस्ते दुनिया",
    "Zmth": "x+y=∑∫√π",
    "Latn": "Hamburgefonstiv 0123",
}
ROOT = Path(__file__).resolve().parent.parent


def sample_for(entry) -> str:
    return SAMPLES[entry["scripts"][0]]


def shape(path, text, features=None, direction=None):
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    if direction:
        buf.direction = direction
    hb.shape(hb.Font(face), buf, features or {})
    return [info.codepoint for info in buf.glyph_infos]


@pytest.fixture(scope="module")
def registry():
    return FontRegistry()


# ---- the shipped files ----------------------------------------------------------------------------------

def test_manifest_files_exist_and_match_sha256():
    assert len(ENTRIES) >= 20
    for e in ENTRIES:
        path = fonts.FONT_DIR / e["file"]
        assert path.is_file(), e["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == e["sha256"], e["name"]
        assert path.stat().st_size == e["size"]
        assert e["file"] == e["file"].lower()
        assert fonts.font_path(e["name"]) == path


def test_manifest_metadata_and_licences():
    for e in ENTRIES:
        assert e["style"] in ("regular", "bold", "italic", "bold-italic")
        assert e["category"] in ("sans", "serif", "mono", "kai", "math")
        assert e["licence"]["id"] in ("OFL-1.1", "Apache-2.0")
        text = (fonts.FONT_DIR / e["licence"]["file"]).read_text(encoding="utf-8")
        assert "OPEN FONT LICENSE" in text.upper()
        assert e["source"]["package"] and e["source"]["version"]
        assert e["weight"] == (700 if "bold" in e["style"] else 400)
    styles = {(e["category"], e["style"]) for e in ENTRIES}
    for cat in ("sans", "serif", "mono"):
        for style in ("regular", "bold", "italic", "bold-italic"):
            assert (cat, style) in styles


def test_builder_spec_matches_manifest(monkeypatch):
    spec = importlib.util.spec_from_file_location("build_fonts", ROOT / "scripts" / "build_fonts.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "build_fonts", mod)
    spec.loader.exec_module(mod)
    assert [s.name for s in mod.SPECS] == [e["name"] for e in ENTRIES]
    assert mod.ALIASES == MANIFEST["aliases"]
    for s in mod.SPECS:
        assert BY_NAME[s.name]["source"]["version"] == mod.PACKAGES[s.package][0]


def test_coverage_file_matches_each_cmap(registry):
    for e in ENTRIES:
        cmap = TTFont(str(fonts.FONT_DIR / e["file"]), lazy=True).getBestCmap()
        assert registry.coverage(e["name"]) == frozenset(cmap), e["name"]
        assert e["codepoints"] == len(cmap)


def test_every_font_loads_in_skia():
    for e in ENTRIES:
        tf = skia.Typeface.MakeFromFile(str(fonts.font_path(e["name"])))
        assert tf is not None, e["name"]
        assert tf.getFamilyName() == e["family"]
        assert tf.fontStyle().weight() == e["weight"]


def test_every_font_shapes_with_harfbuzz():
    for e in ENTRIES:
        gids = shape(fonts.font_path(e["name"]), sample_for(e))
        assert gids and all(g != 0 for g in gids), (e["name"], gids)


def test_complex_scripts_really_shape():
    # Arabic: the same letter takes different joining forms at the start and the end of a word
    arab = shape(fonts.font_path("noto-sans-arabic"), "بب")
    assert len(arab) == 2 and arab[0] != arab[1]
    # Devanagari: क + virama + ष forms a conjunct, fewer glyphs than characters
    deva = shape(fonts.font_path("noto-sans-devanagari"), "क्ष")
    assert 0 not in deva and len(deva) < 3


def test_cjk_fonts_cover_gb2312_level1_and_punctuation():
    gb = fonts.charset("gb2312")
    level1 = fonts.charset("tgh-level1")
    assert len(gb) == 6763 and len(set(level1)) == 3500
    for name in CJK:
        cmap = TTFont(str(fonts.font_path(name)), lazy=True).getBestCmap()
        missing = [c for c in gb + level1 + CJK_PUNCT if ord(c) not in cmap]
        assert not missing, (name, missing[:10])
        for lo, hi in ((0x20, 0x7E), (0xFF01, 0xFF5E)):
            assert all(cp in cmap for cp in range(lo, hi + 1)), name


def test_vert_feature_survives_subsetting():
    for name in CJK:
        path = fonts.font_path(name)
        horizontal = shape(path, "，")
        vertical = shape(path, "，", {"vert": True}, "ttb")
        assert horizontal[0] != 0 and vertical[0] != 0
        assert horizontal != vertical, name


def test_math_font_has_math_table():
    math_fonts = [e for e in ENTRIES if e["category"] == "math"]
    assert math_fonts
    for e in math_fonts:
        assert "MATH" in TTFont(str(fonts.font_path(e["name"])), lazy=True)
        assert e["has_math_table"]
    assert fonts.resolve("math")[0] == math_fonts[0]["name"]


def test_folder_under_40_mb():
    total = sum(p.stat().st_size for p in fonts.FONT_DIR.rglob("*") if p.is_file())
    assert total < 40 * 1024 * 1024


# ---- names, aliases, pins -------------------------------------------------------------------------------

def test_resolve_names_and_aliases():
    assert fonts.resolve("noto-sans") == ["noto-sans"]
    sans = fonts.resolve("sans")
    assert sans[:2] == ["noto-sans", "noto-sans-sc"]
    assert {"noto-sans-arabic", "noto-sans-hebrew", "noto-sans-devanagari"} <= set(sans)
    assert fonts.resolve("serif")[:2] == ["noto-serif", "noto-serif-sc"]
    assert fonts.resolve("sans-bold")[0] == "noto-sans-bold"
    assert fonts.resolve("kai")[0] == "wenkai"
    for alias in MANIFEST["aliases"]:
        chain = fonts.resolve(alias)
        assert chain and len(chain) == len(set(chain)) and set(chain) <= set(fonts.names())


def test_unknown_name_suggests():
    with pytest.raises(FontError, match="did you mean 'noto-sans'"):
        fonts.font_path("noto-sanz")
    with pytest.raises(FontError, match="did you mean 'serif'"):
        fonts.resolve("serf")
    with pytest.raises(FontError, match="alias"):
        fonts.font_path("sans")


def test_sha_mismatch_raises(tmp_path):
    reg = FontRegistry(bundled=False)
    copy = tmp_path / "pinned.ttf"
    shutil.copyfile(fonts.font_path("noto-sans-hebrew"), copy)
    name = reg.add_path(copy)
    assert reg.font_path(name) == copy.resolve()
    bad = fonts.FontRecord(name="tampered", path=copy, sha256="0" * 64, family="x")
    reg._records["tampered"] = bad  # a pin that does not match the file
    reg._coverage["tampered"] = frozenset()
    with pytest.raises(FontError, match="does not match its sha256 pin"):
        reg.font_path("tampered")


def test_add_alias_nested_and_cycle():
    reg = FontRegistry()
    reg.add_alias("my-cjk", ["kai", "sans"])
    chain = reg.resolve("my-cjk")
    assert chain[0] == "wenkai" and "noto-sans" in chain and len(chain) == len(set(chain))
    reg.add_alias("loop-a", ["noto-sans"])
    reg.add_alias("loop-b", ["loop-a"])
    with pytest.raises(FontError, match="cycle"):
        reg.add_alias("loop-a", ["loop-b"])
    assert reg.resolve("loop-a") == ["noto-sans"]  # the failed redefinition left nothing behind
    with pytest.raises(FontError, match="already a font name"):
        reg.add_alias("noto-sans", ["serif"])


# ---- coverage queries and run assignment ----------------------------------------------------------------

def test_covers_and_fonts_covering(registry):
    assert registry.covers("noto-sans", "Hello, world!\n\t")
    assert not registry.covers("noto-sans", "你好")
    assert registry.covers("noto-sans-sc", "你好，世界。")
    chinese = registry.fonts_covering("你好，世界")
    assert set(CJK) <= set(chinese) and "noto-sans" not in chinese
    latin = registry.fonts_covering("Hello")
    assert "noto-sans" in latin and "noto-sans-sc" in latin
    assert registry.fonts_covering("\U0001F600") == []
    hebrew = registry.fonts_covering("שלום")
    assert {"noto-sans-hebrew", "noto-sans-hebrew-bold"} <= set(hebrew) and "noto-sans" not in hebrew


def test_missing(registry):
    assert registry.missing("sans", "Hello 你好") == []
    assert registry.missing("noto-sans", "Hello 你好你") == ["你", "好"]
    assert registry.missing(["noto-sans", "noto-sans-sc"], "a\U0001F600b\U0001F600") == ["\U0001F600"]


def test_runs_for_mixed_text(registry):
    runs, subs = registry.assign("Hello 你好 world", "sans")
    assert subs == []
    assert runs == [(0, 6, "noto-sans"), (6, 9, "noto-sans-sc"), (9, 14, "noto-sans")]
    assert [(s, e, f) for s, e, f in registry.assign("Hello 你好 world", "serif-sc")[0]] == [(0, 14, "noto-serif-sc")]


def test_runs_whitespace_and_marks_do_not_split(registry):
    text = "  Cafe\u0301\n\tnaïve  "
    runs, _ = registry.assign(text, "sans")
    assert runs == [(0, len(text), "noto-sans")]
    text = "नमस्ते\u200d दुनिया"
    assert registry.assign(text, "sans")[0] == [(0, len(text), "noto-sans-devanagari")]
    # the mark is drawn by the font that has both the base and the mark
    runs, _ = registry.assign("ab\u20dd", "sans")
    assert runs == [(0, 1, "noto-sans"), (1, 3, "stix-math")]
    assert registry.assign("", "sans") == ([], [])
    assert registry.assign(" \n", "sans")[0] == [(0, 2, "noto-sans")]


def test_runs_cover_text_contiguously(registry):
    text = "Σ = ∑ x² مرحبا שלום नमस्ते 你好 ，。"
    runs, subs = registry.assign(text, "sans")
    assert subs == [] and runs[0][0] == 0 and runs[-1][1] == len(text)
    for (s0, e0, f0), (s1, _e1, f1) in zip(runs, runs[1:]):
        assert e0 == s1 and f0 != f1
    for s, e, f in runs:
        assert registry.covers(f, text[s:e])


def test_strict_error_names_char_and_codepoint(registry):
    with pytest.raises(MissingGlyphError) as info:
        registry.assign("ok \U0001F600", "sans")
    err = info.value
    assert isinstance(err, FontError)
    msg = str(err)
    assert "\U0001F600" in msg and "U+1F600" in msg and "noto-sans-sc" in msg
    assert err.index == 3 and err.codepoint == 0x1F600 and err.fonts_tried == fonts.resolve("sans")


def test_lenient_reports_substitution(registry):
    runs, subs = registry.assign("你\U0001F600好", "sans", mode="lenient")
    assert runs == [(0, 1, "noto-sans-sc"), (1, 2, "noto-sans"), (2, 3, "noto-sans-sc")]
    assert len(subs) == 1
    sub = subs[0]
    assert sub["index"] == 1 and sub["char"] == "\U0001F600" and sub["codepoint"] == 0x1F600
    assert sub["fonts_tried"] == fonts.resolve("sans")
    with pytest.raises(ValueError):
        registry.assign("x", "sans", mode="loose")


# ---- user fonts -----------------------------------------------------------------------------------------

def test_add_path_user_font(tmp_path):
    reg = FontRegistry()
    user = tmp_path / "MyHebrew.ttf"
    shutil.copyfile(fonts.font_path("noto-sans-hebrew"), user)
    name = reg.add_path(user)
    assert name == "MyHebrew"
    assert reg.add_path(user) == name  # idempotent
    assert reg.font_path(name) == user.resolve()
    rec = reg.record(name)
    assert not rec.bundled and rec.family == "Noto Sans Hebrew"
    assert rec.sha256 == hashlib.sha256(user.read_bytes()).hexdigest()
    assert reg.covers(name, "שלום") and not reg.covers(name, "你")
    assert name in reg.fonts_covering("שלום")
    runs, _ = reg.assign("abc שלום", [name, "sans"])
    assert runs == [(0, 4, "noto-sans"), (4, 8, name)]

    # a different file with the same stem gets a sha-suffixed name
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    shutil.copyfile(fonts.font_path("noto-sans-arabic"), other_dir / "MyHebrew.ttf")
    other = reg.add_path(other_dir / "MyHebrew.ttf")
    assert other.startswith("MyHebrew-") and other != name
    assert reg.covers(other, "مرحبا")


def test_add_path_folder_and_bad_file(tmp_path):
    reg = FontRegistry(bundled=False)
    (tmp_path / "sub").mkdir()
    shutil.copyfile(fonts.font_path("noto-sans-hebrew"), tmp_path / "b.ttf")
    shutil.copyfile(fonts.font_path("stix-math"), tmp_path / "sub" / "a.otf")
    (tmp_path / "notes.txt").write_text("not a font")
    assert reg.add_path(tmp_path) == ["b", "a"]
    assert reg.names() == ["b", "a"]
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00garbage")
    with pytest.raises(FontError, match="cannot read font file"):
        reg.add_path(broken)
    with pytest.raises(FontError, match="not found"):
        reg.add_path(tmp_path / "nope.ttf")


def test_default_registry_is_cached():
    assert fonts.default_registry() is fonts.default_registry()
    assert fonts.names()[:2] == ["noto-sans", "noto-sans-bold"]
