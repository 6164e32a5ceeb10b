"""Text domain: words, phrases, sentences and paragraphs in English, Chinese and mixed lines.

Layouts: horizontal, vertical CJK columns, or along a curve. Scenes: plain text, a sign (a plate
behind the text), a document (a page with left-aligned lines) and a subtitle (a band at the bottom).
Every draw is laid out with the real typesetter before it is accepted: a character no bundled font
covers rejects the draw (strict coverage, never tofu), and the text is placed (and shrunk when
needed) so that every character stays inside the canvas for the whole clip. Wrapped lines are
written into the spec's text with explicit newlines, so the quoted text is exactly what is drawn.
"""
from __future__ import annotations


import numpy as np

from symbolreel.errors import SceneError

from .. import captions as C
from .. import styles
from ..corpora import EnSampler, ZhSampler
from . import Domain, register
from .common import CANVAS_DOCS, CANVAS_OPTIONS, background_and_ink, canvas_spec, check_canvas, check_media, \
    content_box, ink_over_image, frames_extent, make_canvas, motion_caption, motion_kwargs, motion_spec, place, \
    start_bbox, extent

FONTS_EN = ["sans", "sans-bold", "sans-italic", "sans-bold-italic", "serif", "serif-bold", "serif-italic",
            "serif-bold-italic", "mono", "mono-bold"]
# Chinese and mixed lines: faces whose style words stay true for the Han characters (no italics,
# no monospace: the CJK fallback of those chains is neither)
FONTS_ZH = ["sans", "sans-bold", "serif", "serif-bold", "kai", "sans-sc", "sans-sc-bold", "serif-sc", "serif-sc-bold"]

OPTIONS = {
    **CANVAS_OPTIONS,
    "languages": {"en": 1.0, "zh": 1.0, "mixed": 0.5},
    "kinds": {"word": 1.0, "phrase": 1.0, "sentence": 1.0, "paragraph": 0.5},
    "layouts": {"horizontal": 1.0, "vertical": 0.3, "curved": 0.3},
    "scenes": {"plain": 1.0, "sign": 0.4, "document": 0.3, "subtitle": 0.3},
    "size": [0.06, 0.18],
    "fonts_en": list(FONTS_EN),
    "fonts_zh": list(FONTS_ZH),
    "max_rotation": 8.0,
    "margin": 0.04,
    "rare_share": 0.1,
    "temperature": 0.5,
    "corpus_en": None,
    "corpus_zh": None,
    "motions": {"typewriter": 1.0, "fade": 1.0, "scroll": 1.0, "rotate": 1.0, "zoom": 1.0, "camera_pan": 1.0},
}
OPTION_DOCS = {
    **CANVAS_DOCS,
    "languages": "weights of en (English), zh (Chinese) and mixed (Chinese and English in one line)",
    "kinds": "weights of word, phrase (2-4 words), sentence and paragraph (2-4 sentences, wrapped)",
    "layouts": "weights of horizontal, vertical (Chinese only; others fall back to horizontal) and curved "
               "(words and phrases only) text",
    "scenes": "weights of plain text, sign (a plate behind), document (a page, left-aligned), subtitle "
              "(a band at the bottom)",
    "size": "font size range as a fraction of the canvas's shorter side (shrunk when the text would not fit)",
    "fonts_en": "bundled font aliases for English text",
    "fonts_zh": "bundled font aliases for Chinese and mixed text",
    "max_rotation": "largest rotation of a still's text in degrees (either way)",
    "margin": "clear border kept around the text, as a fraction of the shorter side",
    "rare_share": "share of Chinese tokens that are one rare level-1 character (beyond the 1,500 most frequent)",
    "temperature": "frequency weighting of corpus words: weight = frequency ** temperature (0 = uniform)",
    "corpus_en": "file of English entries, one per line, instead of the bundled word list (null = bundled)",
    "corpus_zh": "file of Chinese entries, one per line, instead of the bundled word list (null = bundled)",
    "motions": "weights of clip motions: typewriter, fade, scroll, rotate, zoom, camera_pan",
}
NAME = "text"
MAX_TRIES = 40


def _check(opts: dict, path: tuple) -> None:
    from symbolreel import fonts

    check_canvas(opts, path)
    known = set(fonts.names()) | {"sans", "sans-bold", "sans-italic", "sans-bold-italic", "serif", "serif-bold",
                                  "serif-italic", "serif-bold-italic", "mono", "mono-bold", "mono-italic",
                                  "mono-bold-italic", "kai", "sans-sc", "sans-sc-bold", "serif-sc", "serif-sc-bold"}
    for key in ("fonts_en", "fonts_zh"):
        for i, f in enumerate(opts[key]):
            if f not in known:
                from symbolreel.errors import did_you_mean

                raise SceneError(f"unknown font {f!r}{did_you_mean(f, known)}", path + (key, i))
    lo, hi = opts["size"]
    if not (0.005 <= lo and hi <= 1.0):
        raise SceneError(f"expected fractions of the canvas within 0.005..1, found {opts['size']}", path + ("size",))
    if not 0.0 <= opts["rare_share"] <= 1.0:
        raise SceneError(f"expected a share 0..1, found {opts['rare_share']}", path + ("rare_share",))
    if not 0.0 <= opts["margin"] < 0.3:
        raise SceneError(f"expected a fraction 0..0.3, found {opts['margin']}", path + ("margin",))
    if not 0.0 <= opts["max_rotation"] <= 45.0:
        raise SceneError(f"expected 0..45 degrees, found {opts['max_rotation']}", path + ("max_rotation",))
    for key in ("corpus_en", "corpus_zh"):
        if opts[key] is not None:
            from ..corpora import load_user

            try:
                load_user(opts[key])
            except SceneError as exc:
                raise SceneError(exc.message, path + (key,)) from None


# ---------------------------------------------------------------- content

def _en_case(rng, w: str) -> str:
    r = rng.random()
    return w.upper() if r < 0.15 else w.title() if r < 0.45 else w


def _en_sentence(rng, en: EnSampler) -> str:
    n = int(rng.integers(5, 12))
    words = [en.word(rng) for _ in range(n)]
    words = ["I" if w == "i" else w for w in words]
    if n > 7 and rng.random() < 0.5:
        k = int(rng.integers(2, n - 2))
        words[k] = words[k] + ","
    return C.sentence(" ".join(words))


def _zh_sentence(rng, zh: ZhSampler) -> str:
    n = int(rng.integers(3, 8))
    parts = [zh.word(rng) for _ in range(n)]
    if n > 4 and rng.random() < 0.6:
        k = int(rng.integers(2, n - 1))
        parts[k] = parts[k] + "，"
    return "".join(parts) + ("。" if rng.random() < 0.85 else "！")


def _mixed(rng, en: EnSampler, zh: ZhSampler, n_tokens: int) -> str:
    toks = []
    zh_turn = rng.random() < 0.5
    for i in range(n_tokens):
        if zh_turn:
            toks.append("".join(zh.word(rng) for _ in range(int(rng.integers(1, 3)))))
        else:
            toks.append(_en_case(rng, en.word(rng)))
        zh_turn = not zh_turn if rng.random() < 0.8 else zh_turn
    return " ".join(toks)


def sample_content(rng, lang: str, kind: str, en: EnSampler, zh: ZhSampler) -> str:
    """The characters of one item (before wrapping)."""
    if lang == "en":
        if kind == "word":
            return _en_case(rng, en.word(rng))
        if kind == "phrase":
            ws = [en.word(rng) for _ in range(int(rng.integers(2, 5)))]
            r = rng.random()
            return " ".join(ws).upper() if r < 0.15 else " ".join(w.title() for w in ws) if r < 0.5 else " ".join(ws)
        if kind == "sentence":
            return _en_sentence(rng, en)
        return " ".join(_en_sentence(rng, en) for _ in range(int(rng.integers(2, 5))))
    if lang == "zh":
        if kind == "word":
            w = zh.word(rng)
            while len(w) < 2 and rng.random() < 0.7:
                w = zh.word(rng)
            return w
        if kind == "phrase":
            return "".join(zh.word(rng) for _ in range(int(rng.integers(2, 4))))
        if kind == "sentence":
            return _zh_sentence(rng, zh)
        return "".join(_zh_sentence(rng, zh) for _ in range(int(rng.integers(2, 5))))
    n = {"word": 2, "phrase": 3, "sentence": int(rng.integers(4, 7)), "paragraph": int(rng.integers(8, 14))}[kind]
    return _mixed(rng, en, zh, n)


# ---------------------------------------------------------------- layout

def _chain(font: str):
    from symbolreel.fonts_access import chain_for

    return chain_for(font, None, None)


def _layout(text: str, font: str, size: float, direction: str, path: str | None, align: str,
            width: float | None = None):
    from symbolreel.primitives.text.typeset import layout_text

    return layout_text(text, _chain(font), size, align=align, valign="middle", direction=direction,
                       path=path, width=width)


def _ink_box(lay) -> tuple:
    """Bounds of every character quad (each contains its glyph's ink), local coordinates."""
    pts = np.array([p for ch in lay.chars for p in ch.quad], dtype=float)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def _curve(rng, length: float) -> tuple:
    """Path data of an arc-like quadratic curve centred on the origin, and its bend (+ up, - down)."""
    bend = float(rng.uniform(0.12, 0.3)) * (1 if rng.random() < 0.6 else -1)
    half = length / 2.0
    d = f"M {-half:.1f} 0 Q 0 {-2.0 * bend * length:.1f} {half:.1f} 0"
    return d, round(bend, 3)


# ---------------------------------------------------------------- sampling

def sample(rng: np.random.Generator, options: dict, media: str) -> dict:
    """A text item spec (see the module docstring); rejected draws are re-drawn from ``rng``."""
    check_media(media)
    o = options
    en = EnSampler(o["temperature"], o["corpus_en"])
    zh = ZhSampler(o["temperature"], o["rare_share"], user=o["corpus_zh"])
    w, h = o["width"], o["height"]
    short = min(w, h)
    margin = o["margin"] * short
    last = None
    for _attempt in range(MAX_TRIES):
        lang = styles.weighted_choice(rng, o["languages"])
        kind = styles.weighted_choice(rng, o["kinds"])
        layout = styles.weighted_choice(rng, o["layouts"])
        scene_kind = styles.weighted_choice(rng, o["scenes"])
        if layout == "vertical" and lang != "zh":
            layout = "horizontal"
        if layout == "curved" and kind not in ("word", "phrase"):
            layout = "horizontal"
        if scene_kind == "subtitle" and (layout != "horizontal" or kind == "paragraph"):
            scene_kind = "plain"
        if scene_kind == "document" and layout != "horizontal":
            scene_kind = "plain"
        fonts = o["fonts_en"] if lang == "en" else o["fonts_zh"]
        font = fonts[int(rng.integers(len(fonts)))]
        raw = sample_content(rng, lang, kind, en, zh)
        size = float(rng.uniform(*o["size"])) * short
        if kind in ("sentence", "paragraph"):
            size *= 0.6
        if scene_kind == "subtitle":
            size = min(size, 0.07 * short)
        bg, ink = background_and_ink(rng, o)
        plate = None
        if scene_kind in ("sign", "document", "subtitle"):
            behind = styles.background_colors(bg)
            if scene_kind == "subtitle":
                plate = "black" if rng.random() < 0.7 else "darkslategray"
            elif scene_kind == "document":
                plate = ["white", "ivory", "linen", "whitesmoke", "seashell", "beige"][int(rng.integers(6))]
            else:
                plate = styles.pick_color(rng, behind, 1.5)
            if plate is None:
                continue
            ink = styles.pick_color(rng, [plate], o["min_contrast"])
            if ink is None:
                continue
        rotation = 0.0
        if media == "still" and scene_kind == "plain" and o["max_rotation"] > 0 and rng.random() < 0.4:
            rotation = round(float(rng.uniform(-o["max_rotation"], o["max_rotation"])), 1)
        motion = motion_spec(rng, o, o["motions"]) if media == "clip" else None
        if motion is not None and scene_kind != "plain" and motion["kind"] in ("rotate", "zoom", "scroll") or \
                motion is not None and scene_kind == "subtitle" and motion["kind"] == "camera_pan":
            # plates do not move with the text; keep those scenes to motions that leave it on its plate
            motion["kind"] = "typewriter" if rng.random() < 0.5 else "fade"
            motion.pop("from", None)
            motion.pop("to", None)
        align = "left" if scene_kind == "document" else "center"
        direction = "vertical" if layout == "vertical" else "horizontal"
        try:
            placed = _fit_and_place(rng, raw, font, size, layout, direction, align, kind, scene_kind, rotation,
                                    motion, w, h, margin)
        except SceneError as exc:
            # a character no bundled font covers: reject, draw again (never render tofu)
            last = exc
            continue
        if placed is None:
            continue
        text, size, box, path, bend, pos, extra, pad = placed
        if bg["kind"] == "image" and plate is None:
            # the picture measured where the text is drawn, in every frame
            moved = dict(motion, **extra) if motion is not None else None
            got = ink_over_image(rng, bg, o, content_box(pos, box, rotation, moved))
            if got is None:
                continue
            bg, ink = got
        spec = {
            "domain": NAME, "media": media, "canvas": canvas_spec(o, media), "background": bg,
            "lang": lang, "kind": kind, "layout": layout, "scene": scene_kind,
            "text": text, "font": font, "size": round(size, 2), "color": ink, "align": align,
            "rotation": rotation, "position": list(pos), "local_box": [round(v, 2) for v in box],
        }
        if path is not None:
            spec["path"], spec["bend"] = path, bend
        if plate is not None:
            spec["plate"] = {"color": plate, "pad": pad}
        if motion is not None:
            motion.update(extra)
            spec["motion"] = motion
        spec["region"] = list(C.region(start_bbox(spec), w, h))
        return spec
    raise SceneError(f"text: no acceptable draw in {MAX_TRIES} tries (last problem: {last})")


def _fit_and_place(rng, raw, font, size, layout, direction, align, kind, scene_kind, rotation, motion, w, h, margin):
    """Lay out (wrapping long text), shrink until it fits, pick a position. None when it never fits."""
    for _shrink in range(8):
        wrap = None
        if kind in ("sentence", "paragraph") and layout != "curved":
            wrap = (0.8 * (h if direction == "vertical" else w)) - 2 * margin
            if scene_kind == "document":
                wrap = 0.7 * w
        lay = _layout(raw, font, size, direction, None, align, wrap)
        lines = [ln.strip() for ln in lay.line_text]
        text = "\n".join(ln for ln in lines if ln)
        path, bend = None, None
        if layout == "curved":
            natural = _ink_box(_layout(text, font, size, "horizontal", None, align))
            length = (natural[2] - natural[0]) * 1.15 + size
            path, bend = _curve(rng, length)
        lay = _layout(text, font, size, direction, path, align)
        box = _ink_box(lay)
        pad = 0.0
        if scene_kind in ("sign", "subtitle", "document"):
            pad = round(0.35 * size, 2)
            box = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
        if scene_kind == "subtitle":
            ext = extent(box, 0.0)
            x = w / 2.0
            y = h - margin - ext[3]
            if ext[2] - ext[0] <= w - 2 * margin and y + ext[1] >= margin:
                return text, size, box, path, bend, (round(x, 2), round(y, 2)), {}, pad
        else:
            ext = frames_extent(box, rotation, motion)
            placed = place(rng, ext, w, h, margin, motion)
            if placed is not None:
                return (text, size, box, path, bend, placed[0], placed[1], pad)
        size *= 0.8
    return None


# ---------------------------------------------------------------- scene

def build(spec: dict):
    """The Scene of a text spec (deterministic)."""
    import symbolreel as sr

    c = spec["canvas"]
    w, h = c["width"], c["height"]
    bg_colour, nodes = styles.background_nodes(spec["background"], w, h)
    m = spec.get("motion")
    px, py = spec["position"]
    kw = {}
    tkw, camera = motion_kwargs(spec)
    if m is not None and m["kind"] == "typewriter":
        kw["reveal"] = sr.keys((m["start"], 0.0), (m["end"], 1.0, m["ease"]))
    plate = spec.get("plate")
    if plate is not None:
        b = spec["local_box"]
        pt = {"position": (px + (b[0] + b[2]) / 2.0, py + (b[1] + b[3]) / 2.0)}
        if "opacity" in tkw:
            pt["opacity"] = tkw["opacity"]
        radius = 0.0 if spec["scene"] == "document" else round(0.25 * spec["size"], 2)
        nodes.append(sr.Rect(id="plate", size=(b[2] - b[0], b[3] - b[1]), radius=radius,
                             fill=styles.hex_of(plate["color"]), stroke=None, transform=sr.Transform(**pt)))
    nodes.append(sr.Text(id="text", text=spec["text"], font=spec["font"], size=spec["size"],
                         fill=styles.hex_of(spec["color"]), align=spec["align"], valign="middle",
                         direction="vertical" if spec["layout"] == "vertical" else "horizontal",
                         path=spec.get("path"), coverage="strict", transform=sr.Transform(**tkw), **kw))
    return sr.Scene(canvas=make_canvas(spec, bg_colour), camera=camera, nodes=nodes)


# ---------------------------------------------------------------- captions

_KIND_EN = {"word": "word", "phrase": "phrase", "sentence": "sentence", "paragraph": "paragraph"}
_KIND_ZH = {"word": "词语", "phrase": "短语", "sentence": "句子", "paragraph": "段落"}
_LANG_EN = {"en": "English", "zh": "Chinese", "mixed": "mixed Chinese and English"}
_LANG_ZH = {"en": "英文", "zh": "中文", "mixed": "中英混排"}


def _text_node(scene):
    return next(n for n in scene.nodes if n.id == "text")


def join_lines(lines: list) -> str:
    """The drawn lines as one string: no space where a line broke between CJK characters or after a hyphen."""
    out = lines[0] if lines else ""
    for ln in lines[1:]:
        glue = "" if (out and ln and (out[-1] == "-" or (ord(out[-1]) > 0x2E7F and ord(ln[0]) > 0x2E7F))) else " "
        out += glue + ln
    return out


def _quote_lines(lines: list, q) -> str:
    return ", ".join(q(ln) for ln in lines)


def captions(spec: dict, scene, rng: np.random.Generator) -> dict:
    """EN and ZH captions of a text item, from the spec and the text node's describe()."""
    d = _text_node(scene).describe()
    lines = d["lines"]
    han = "Han" in d["scripts"]
    col = d["color"]
    reg = tuple(spec["region"])
    bg = styles.describe_background(spec["background"])
    st_en, st_zh = C.style_en(d["style"]), C.style_zh(d["style"], han)
    one = join_lines(lines)
    n_lines = len(lines)
    orient_en = {"horizontal": "set horizontally", "vertical": "set vertically in columns read top to bottom, "
                 "right to left", "curved": "set along a curve"}[d["orientation"]]
    orient_zh = {"horizontal": "横排", "vertical": "竖排（从上到下、从右到左）", "curved": "沿曲线排列"}[d["orientation"]]
    if d["orientation"] == "curved":
        orient_en += " that arches " + ("upward" if spec["bend"] > 0 else "downward")
        orient_zh = "沿" + ("上拱" if spec["bend"] > 0 else "下弯") + "的曲线排列"
    kind_en, kind_zh = _KIND_EN[spec["kind"]], _KIND_ZH[spec["kind"]]
    lang_en, lang_zh = _LANG_EN[spec["lang"]], _LANG_ZH[spec["lang"]]
    scene_kind = spec["scene"]
    plate = spec.get("plate")
    holder_en = {"plain": "", "sign": f" on {C.a_an(plate['color'])} sign" if plate else "",
                 "document": f" on {C.a_an(plate['color'])} page" if plate else "",
                 "subtitle": f" as a subtitle on {C.a_an(plate['color'])} band" if plate else ""}[scene_kind]
    holder_zh = {"plain": "", "sign": f"写在{C.color_zh(plate['color'])}标牌上，" if plate else "",
                 "document": f"印在{C.color_zh(plate['color'])}纸页上，" if plate else "",
                 "subtitle": f"作为字幕显示在{C.color_zh(plate['color'])}横条上，" if plate else ""}[scene_kind]
    quoted_en = _quote_lines(lines, C.q_en)
    quoted_zh = _quote_lines(lines, C.q_zh)
    where_en, where_zh = C.where_en(reg), C.where_zh(reg)

    short_en = C.pick(rng, [
        f"The {lang_en} {kind_en} {C.q_en(one)} in {col} on {bg['en']}.",
        f"{C.q_en(one)} written in {col} {st_en} letters{holder_en}.",
        f"{C.a_an(col).capitalize()} {lang_en} {kind_en}{holder_en}: {C.q_en(one)}.",
    ])
    short_zh = C.pick(rng, [
        f"{bg['zh']}上的{C.color_zh(col)}{lang_zh}{kind_zh}{C.q_zh(one)}。",
        f"用{C.color_zh(col)}{st_zh}写的{C.q_zh(one)}。",
        f"{holder_zh}{C.color_zh(col)}{kind_zh}：{C.q_zh(one)}。",
    ])
    lines_en = (f"in {C.plural(n_lines, 'line')}: {quoted_en}" if n_lines > 1 else f"reading {quoted_en}")
    lines_zh = (f"共{C.num_zh(n_lines)}行：{quoted_zh}" if n_lines > 1 else f"内容为{quoted_zh}")
    if d["orientation"] == "vertical" and n_lines > 1:
        lines_en = f"in {C.plural(n_lines, 'column')}: {quoted_en}"
        lines_zh = f"共{C.num_zh(n_lines)}列：{quoted_zh}"
    rot = spec["rotation"]
    rot_en = "" if rot == 0 else f", tilted {abs(rot):.0f} degrees {'clockwise' if rot > 0 else 'counterclockwise'}"
    rot_zh = "" if rot == 0 else f"，{'顺时针' if rot > 0 else '逆时针'}倾斜约{abs(rot):.0f}度"
    detailed_en = (f"{C.a_an(d['size_class']).capitalize()} {lang_en} {kind_en} {lines_en}, in {col} "
                   f"{st_en} type, {orient_en}{rot_en}, {where_en} of the image{holder_en}, on {bg['en']}.")
    detailed_zh = (f"画面{where_zh}有一段{C.size_zh(d['size_class'])}的{C.color_zh(col)}{st_zh}{lang_zh}"
                   f"{kind_zh}，{holder_zh}{orient_zh}{rot_zh}，{lines_zh}，背景为{bg['zh']}。")
    prompt_en = C.pick(rng, [
        f"{C.q_en(one)} in {col} {st_en} lettering, {orient_en.split(' that')[0]}, {bg['en']}, clean typography",
        f"a {scene_kind if scene_kind != 'plain' else 'text graphic'} that says {C.q_en(one)}, {col} {st_en} "
        f"font, {where_en}",
    ])
    prompt_zh = C.pick(rng, [
        f"{C.color_zh(col)}{st_zh}文字{C.q_zh(one)}，{orient_zh}，{bg['zh']}，排版清晰",
        f"写着{C.q_zh(one)}的{ {'plain': '文字图', 'sign': '标牌', 'document': '文档', 'subtitle': '字幕画面'}[scene_kind]}，"
        f"{C.color_zh(col)}{st_zh}，位于画面{where_zh}",
    ])
    out = {"en": {"short": short_en, "detailed": detailed_en, "prompt": prompt_en},
           "zh": {"short": short_zh, "detailed": detailed_zh, "prompt": prompt_zh}}
    m = spec.get("motion")
    if m is not None:
        out["en"]["motion"], out["zh"]["motion"] = motion_caption(m, spec, "text", "文字")
    return out


register(Domain(name=NAME, options=OPTIONS, sample=sample, build=build, captions=captions,
                option_docs=OPTION_DOCS, check=_check))
