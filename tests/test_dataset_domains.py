"""Dataset domains: samplers draw valid, deterministic specs; captions agree with the rendered scene.

Each domain is checked on a few hundred sampled items at small canvas sizes: the scene is built from
the spec and rendered (frame 0, and the last frame of clips) with annotations, and every quoted
string, colour word and position word of the captions is compared with what was drawn.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

import symbolreel as sr
from symbolreel.datasets import domains as D
from symbolreel.datasets import styles
from symbolreel.datasets.captions import region
from symbolreel.errors import SceneError

from domain_items import items

QUOTE = re.compile(r"\u201c(.*?)\u201d|\u300c(.*?)\u300d", re.S)


def quoted(caps: dict) -> list:
    out = []
    for lang in ("en", "zh"):
        for text in caps[lang].values():
            out += [a or b for a, b in QUOTE.findall(text)]
    return out


def check_caption_shape(spec, caps):
    for lang in ("en", "zh"):
        keys = {"short", "detailed", "prompt"} | ({"motion"} if spec["media"] == "clip" else set())
        assert set(caps[lang]) == keys, caps[lang]
        for v in caps[lang].values():
            assert isinstance(v, str) and v.strip()


def frames_to_check(spec, scene) -> list:
    n = scene.n_frames
    return [0] if n == 1 else [0, n // 2, n - 1]


def text_ann(anns):
    return next((a for a in anns if a["id"] == "text"), None)


# ------------------------------------------------------------------ registry and options

def test_registry_and_unknown_domain():
    assert "text" in D.DOMAINS
    with pytest.raises(SceneError, match="known domains: .*text"):
        D.get("txt")


def test_option_errors_name_the_path():
    with pytest.raises(SceneError) as e:
        D.validate_options("text", {"size": "big"})
    assert str(e.value).startswith("domains.text.options.size: expected a range")
    with pytest.raises(SceneError, match=r"domains\.text\.options\.sise: unknown option 'sise' \(did you mean 'size'"):
        D.validate_options("text", {"sise": [0.1, 0.2]})
    with pytest.raises(SceneError, match=r"domains\.text\.options\.languages\.fr: unknown key"):
        D.validate_options("text", {"languages": {"fr": 1}})
    with pytest.raises(SceneError, match=r"recipe\.x\.fonts_zh\[1\]: unknown font 'sans-boldd'"):
        D.validate_options("text", {"fonts_zh": ["sans", "sans-boldd"]}, path=("recipe", "x"))
    with pytest.raises(SceneError, match=r"domains\.text\.options\.corpus_en: corpus file .* not found"):
        D.validate_options("text", {"corpus_en": "/nonexistent/words.txt"})
    merged = D.validate_options("text", {"languages": {"zh": 2}})
    assert merged["languages"] == {"zh": 2.0}   # a weights mapping replaces the default
    assert merged["size"] == D.get("text").options["size"]


# ------------------------------------------------------------------ text

def test_text_captions_agree_with_render():
    from symbolreel.datasets.domains.text import join_lines

    seen = {"layout": set(), "lang": set(), "scene": set(), "motion": set()}
    for spec, scene, caps, opts in items("text", 160, 11, width=224, height=160):
        check_caption_shape(spec, caps)
        for k in ("layout", "lang", "scene"):
            seen[k].add(spec[k])
        if "motion" in spec:
            seen["motion"].add(spec["motion"]["kind"])
        w, h = spec["canvas"]["width"], spec["canvas"]["height"]
        for f in frames_to_check(spec, scene):
            _, anns = sr.render_frame(scene, f, annotations=True)
            a = text_ann(anns)
            m = spec.get("motion", {}).get("kind")
            if a is None:
                # nothing drawn yet: only before a fade or typewriter reveal has begun
                assert f < scene.n_frames - 1 and m in ("typewriter", "fade"), (spec, f)
                continue
            if m == "typewriter" and f < scene.n_frames - 1:
                continue
            # every character fully inside the canvas, in every checked frame
            for ch in a["chars"]:
                x0, y0, x1, y1 = ch["bbox"]
                assert x0 >= -0.01 and y0 >= -0.01 and x1 <= w + 0.01 and y1 <= h + 0.01, (spec, f, ch)
            if f == scene.n_frames - 1 or m != "typewriter":
                lines = a["text"].split("\n")
                assert a["text"] == spec["text"], (a["text"], spec["text"])
                for q in quoted(caps):
                    assert q in lines or q == join_lines(lines), (q, lines)
                assert all(any(ln in q for q in quoted(caps)) for ln in lines)
            region_frame = scene.n_frames - 1 if m in ("typewriter", "fade") else 0
            if f == region_frame:
                reg = region(a["bbox"], w, h)
                if tuple(spec["region"]) != reg:
                    # only a box centre on a third line may round either way
                    cx, cy = (a["bbox"][0] + a["bbox"][2]) / 2, (a["bbox"][1] + a["bbox"][3]) / 2
                    assert min(abs(cx - w / 3), abs(cx - 2 * w / 3), abs(cy - h / 3), abs(cy - 2 * h / 3)) < 1.5
        d = next(n for n in scene.nodes if n.id == "text").describe()
        assert d["color"] == spec["color"]
        assert spec["color"] in caps["en"]["detailed"] and styles.COLOR_ZH[spec["color"]] in caps["zh"]["detailed"]
        behind = [spec["plate"]["color"]] if "plate" in spec else styles.background_colors(spec["background"])
        assert min(styles.contrast(spec["color"], c) for c in behind) >= opts["min_contrast"]
        assert d["orientation"] == {"horizontal": "horizontal", "vertical": "vertical", "curved": "curved"}[
            spec["layout"]]
    assert seen["layout"] == {"horizontal", "vertical", "curved"}
    assert seen["lang"] == {"en", "zh", "mixed"}
    assert seen["scene"] == {"plain", "sign", "document", "subtitle"}
    assert seen["motion"] == set(styles.TEXT_MOTIONS)


def test_text_is_deterministic():
    dom = D.get("text")
    opts = D.validate_options("text", {})
    for i in range(30):
        media = "clip" if i % 2 else "still"
        a = dom.sample(np.random.default_rng([5, i]), opts, media)
        b = dom.sample(np.random.default_rng([5, i]), opts, media)
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
        assert json.loads(json.dumps(a)) == a            # plain JSON data
        assert dom.build(a).dumps() == dom.build(json.loads(json.dumps(a))).dumps()
        ca = dom.captions(a, dom.build(a), np.random.default_rng([5, i, 1]))
        cb = dom.captions(b, dom.build(b), np.random.default_rng([5, i, 1]))
        assert ca == cb


def test_text_strict_coverage_rejects_uncovered_entries(tmp_path):
    # U+17000 (Tangut) is in no bundled font: entries holding it are re-drawn, never drawn as tofu
    corpus = tmp_path / "zh.txt"
    corpus.write_text("你好\n\U00017000字\n世界\n", encoding="utf-8")
    opts = {"languages": {"zh": 1}, "kinds": {"word": 1}, "corpus_zh": str(corpus), "rare_share": 0.0}
    texts = {spec["text"] for spec, *_ in items("text", 40, 3, **opts)}
    assert texts <= {"你好", "世界"} and texts
    bad = tmp_path / "bad.txt"
    bad.write_text("\U00017000\n", encoding="utf-8")
    with pytest.raises(SceneError, match="no acceptable draw"):
        next(items("text", 1, 3, **{**opts, "corpus_zh": str(bad)}))


def test_text_rare_share_reaches_the_tail():
    from symbolreel.datasets.corpora import zh_chars

    rare = set(zh_chars()[0][1500:])
    dom = D.get("text")

    def rare_count(share):
        opts = D.validate_options("text", {"languages": {"zh": 1}, "kinds": {"phrase": 1}, "rare_share": share,
                                           "layouts": {"horizontal": 1}})
        n = 0
        for i in range(60):
            spec = dom.sample(np.random.default_rng([9, i]), opts, "still")
            n += sum(ch in rare for ch in spec["text"])
        return n

    assert rare_count(0.6) > 3 * max(rare_count(0.0), 1)


# ------------------------------------------------------------------ shared checks of placed content

def check_inside(boxes, w, h, what):
    for b in boxes:
        assert b[0] >= -0.01 and b[1] >= -0.01 and b[2] <= w + 0.01 and b[3] <= h + 0.01, (what, b)


def check_region(spec, bbox, w, h):
    reg = region(bbox, w, h)
    if tuple(spec["region"]) != reg:
        # only a box centre on a third line may round either way
        cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        assert min(abs(cx - w / 3), abs(cx - 2 * w / 3), abs(cy - h / 3), abs(cy - 2 * h / 3)) < 1.5, (spec, bbox)


# ------------------------------------------------------------------ formula

def test_formula_captions_agree_with_render():
    from symbolreel.datasets.domains.formula import CONSTRUCT_EN, CONSTRUCT_MARK, CONSTRUCT_ZH, KINDS

    kinds = set()
    for spec, scene, caps, opts in items("formula", 150, 21, width=224, height=160):
        check_caption_shape(spec, caps)
        kinds.add(spec["kind"])
        w, h = spec["canvas"]["width"], spec["canvas"]["height"]
        for f in frames_to_check(spec, scene):
            _, anns = sr.render_frame(scene, f, annotations=True)
            a = next((x for x in anns if x["id"] == "formula"), None)
            if a is None:
                assert spec["motion"]["kind"] == "fade" and f < scene.n_frames - 1
                continue
            assert a["tex"] == spec["tex"]
            assert set(quoted(caps)) == {spec["tex"]}
            check_inside([s["bbox"] for s in a["symbols"]], w, h, spec["tex"])
            chars = {s["char"] for s in a["symbols"]}
            for k in spec["constructs"]:
                if k in CONSTRUCT_MARK:
                    assert CONSTRUCT_MARK[k] in chars, (k, spec["tex"], chars)
                assert CONSTRUCT_EN[k] in caps["en"]["detailed"] and CONSTRUCT_ZH[k] in caps["zh"]["detailed"]
            if f == (0 if spec.get("motion", {}).get("kind") != "fade" else scene.n_frames - 1):
                check_region(spec, a["bbox"], w, h)
        assert spec["color"] in caps["en"]["detailed"]
        assert min(styles.contrast(spec["color"], c) for c in styles.background_colors(spec["background"])) >= 4.5
    assert kinds == set(KINDS) | {"relation"}


@pytest.mark.parametrize("name", ["text", "formula", "geometry", "plot", "road"])
def test_domain_specs_are_deterministic(name):
    dom = D.get(name)
    opts = D.validate_options(name, {"width": 200, "height": 150})
    for i in range(20):
        media = "clip" if i % 2 else "still"
        a = dom.sample(np.random.default_rng([5, i]), opts, media)
        b = dom.sample(np.random.default_rng([5, i]), opts, media)
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
        assert json.loads(json.dumps(a)) == a
        assert dom.build(a).dumps() == dom.build(json.loads(json.dumps(a))).dumps()
        assert dom.captions(a, dom.build(a), np.random.default_rng(1)) == \
            dom.captions(b, dom.build(b), np.random.default_rng(1))


# ------------------------------------------------------------------ geometry

def test_geometry_facts_hold_and_are_the_captioned_ones():
    from symbolreel.datasets.domains.geometry import CONSTRUCTIONS, MOTIONS, fact_en, fact_zh

    seen, motions = set(), set()
    for spec, scene, caps, opts in items("geometry", 100, 31, width=192, height=160):
        check_caption_shape(spec, caps)
        seen |= set(spec["constructions"])
        if "motion" in spec:
            motions.add(spec["motion"]["kind"])
        w, h = spec["canvas"]["width"], spec["canvas"]["height"]
        fig = next(n for n in scene.nodes if n.id == "figure")
        d = fig.describe()
        claimed = [(f["relation"], tuple(f["args"])) for f in d["facts"]]
        assert claimed or spec["constructions"] == ["angles"], spec
        for rel, args in claimed:
            assert fact_en(rel, list(args)) in caps["en"]["detailed"]
            assert fact_zh(rel, list(args)) in caps["zh"]["detailed"]
        if spec.get("motion", {}).get("kind") == "move_vertex":
            assert d["moving"] == [spec["motion"]["vertex"]]
        else:
            assert d["moving"] == []
        for f in frames_to_check(spec, scene):
            _, anns = sr.render_frame(scene, f, annotations=True)
            a = next((x for x in anns if x["id"] == "figure"), None)
            if a is None:
                assert spec["motion"]["kind"] == "fade" and f < scene.n_frames - 1
                continue
            held = {(x["relation"], tuple(x["args"])): x["holds"] for x in a["facts"]}
            for fact in claimed:
                assert held.get(fact) is True, (fact, f, spec)
            revealed_all = spec.get("motion", {}).get("kind") != "reveal" or f == scene.n_frames - 1
            check_inside([p["image"] + p["image"] for p in a["points"] if p.get("visible", True)], w, h, "points")
            if revealed_all:
                labels = {lb["text"] for lb in a["labels"] if lb["for"].startswith("point:")}
                assert set(d["points"]) <= labels, (labels, d["points"])
            check_inside([lb["bbox"] for lb in a["labels"]], w, h, "labels")
        behind = styles.background_colors(spec["background"])
        assert min(styles.contrast(spec["color"], c) for c in behind) >= opts["min_contrast"]
        assert spec["color"] in caps["en"]["detailed"]
    assert seen == set(CONSTRUCTIONS)
    assert motions == set(MOTIONS)


def test_geometry_rejects_ill_conditioned_triangles():
    from symbolreel.datasets.domains.geometry import _angles

    dom = D.get("geometry")
    opts = D.validate_options("geometry", {"min_angle": 40.0, "motions": {"move_vertex": 1}})
    for i in range(30):
        spec = dom.sample(np.random.default_rng([2, i]), opts, "clip")
        fig = next(n for n in dom.build(spec).nodes if n.id == "figure")
        m = spec["motion"]
        for k in range(11):
            st = fig.state_at(m["start"] + (m["end"] - m["start"]) * k / 10)
            assert min(_angles(st["A"], st["B"], st["C"])) >= 40.0 - 0.5


# ------------------------------------------------------------------ plot

def _fn(expr):
    from symbolreel.primitives.math.expr import compile_numpy, parse_function

    f = compile_numpy(parse_function(expr))
    return lambda x: np.asarray(f(np.asarray(x, dtype=float)), dtype=float)


def test_plot_facts_are_true_of_the_plotted_function():
    from symbolreel.datasets.domains.plot import KINDS, MOTIONS

    kinds, motions = set(), set()
    for spec, scene, caps, opts in items("plot", 120, 41, width=192, height=160):
        check_caption_shape(spec, caps)
        kinds.add(spec["kind"])
        if "motion" in spec:
            motions.add(spec["motion"]["kind"])
        w, h = spec["canvas"]["width"], spec["canvas"]["height"]
        f = _fn(spec["expr"])
        facts = spec["facts"]
        for z in facts.get("zeros", []):
            assert abs(f([z])[0]) < 1e-9
            if -5 < z < 5:
                assert "x = " in caps["en"]["detailed"]
        if "amplitude" in facts:
            xs = np.linspace(-4 * np.pi, 4 * np.pi, 20001)
            assert abs(np.nanmax(np.abs(f(xs))) - facts["amplitude"]) < 1e-6
            period = facts["period_pi"] * np.pi
            assert np.allclose(f(xs + period), f(xs), atol=1e-9)
        if "horizontal_asymptote" in facts:
            far = f([-1e6, 1e6])
            assert np.nanmin(np.abs(far - facts["horizontal_asymptote"])) < 1e-3
        if "vertical_asymptote" in facts:
            p = facts["vertical_asymptote"]
            assert np.nanmax(np.abs(f([p - 1e-7, p + 1e-7]))) > (1e5 if spec["kind"] == "rational" else 15)
        if "domain_from" in facts:
            assert np.isnan(f([facts["domain_from"] - 0.5])[0]) and np.isfinite(f([facts["domain_from"] + 0.5])[0])
        if "corner" in facts:
            a, b = facts["corner"]
            assert abs(f([a])[0] - b) < 1e-12 and f([a - 1])[0] > b and f([a + 1])[0] > b
        for fr in frames_to_check(spec, scene):
            _, anns = sr.render_frame(scene, fr, annotations=True)
            a = next((x for x in anns if x["id"] == "plot"), None)
            if a is None:
                assert spec["motion"]["kind"] == "fade" and fr < scene.n_frames - 1
                continue
            assert [c["expr"] for c in a["curves"]] == [spec["expr"]]
            assert set(quoted(caps)) == {spec["expr"]}
            if spec["kind"] == "rational":
                assert facts["vertical_asymptote"] in a["curves"][0]["singular"]
            check_inside([a["bbox"]], w, h, "plot box")
            check_inside([t["image"] + t["image"] for k in ("x_ticks", "y_ticks") for t in a["axes"][k]], w, h, "ticks")
            if spec["x_unit"] == "pi":
                assert any("π" in t["label"] for t in a["axes"]["x_ticks"])
        assert spec["color"] in caps["en"]["detailed"] and spec["axes_color"] in caps["en"]["detailed"]
        behind = styles.background_colors(spec["background"])
        for c in (spec["color"], spec["axes_color"]):
            assert min(styles.contrast(c, b) for b in behind) >= opts["min_contrast"]
    assert kinds == set(KINDS) and motions == set(MOTIONS)


# ------------------------------------------------------------------ road

def test_road_captions_agree_with_labels():
    kinds, styles_seen = set(), set()
    for spec, scene, caps, opts in items("road", 60, 51, width=192, height=108):
        check_caption_shape(spec, caps)
        road = next(n for n in scene.nodes if n.id == "road")
        d = road.describe()
        _, anns = sr.render_frame(scene, 0, annotations=True)
        a = next(x for x in anns if x["id"] == "road")
        texts = {o["text"] for o in a["objects"] if o["text"]}
        for q in quoted(caps):
            assert q in texts, (q, texts)             # every quoted string is drawn in frame 0
        drawn = [o["kind"] for o in a["objects"]]
        for m in d["markings"]:
            kinds.add(m["kind"])
            assert m["kind"] in drawn
        assert sum(1 for o in a["objects"] if o["kind"] == "arrow") == sum(m["kind"] == "arrow" for m in d["markings"])
        assert sum(1 for o in a["objects"] if o["kind"] == "sign") == len(d["signs"])
        for g in d["signs"]:
            styles_seen.add(g["style"])
        assert f"{d['lanes']}" and C_num(d["lanes"]) in caps["en"]["detailed"]
        lanes = {la["boundary"]: (la["type"], la["color"]) for la in a["lanes"]}
        for i, b in enumerate(d["boundaries"]):
            if i in lanes:
                assert lanes[i] == (b["type"], b["color"])
            if "dash_m" in b:
                assert f"{b['dash_m']:g} m dashes" in caps["en"]["detailed"]
        if spec["media"] == "clip":
            assert d["camera"]["moving"] and f"{d['camera']['speed_m_s']:g} m/s" in caps["en"]["motion"]
    assert kinds == {"arrow", "text", "stop_line", "crosswalk"}
    assert styles_seen == {"vienna", "cn", "us"}


def C_num(n):
    from symbolreel.datasets.captions import num_en

    return num_en(n)


def test_domain_docs_are_current():
    import pathlib

    doc = (pathlib.Path(__file__).parent.parent / "docs" / "dataset-domains.md").read_text(encoding="utf-8")
    assert D.options_markdown() in doc, "regenerate the option tables: symbolreel.datasets.domains.options_markdown()"
