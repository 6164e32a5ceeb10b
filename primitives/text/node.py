"""The ``text`` node: paragraphs shaped with HarfBuzz (bidi, complex scripts) and drawn by Skia.

Horizontal or vertical (CJK columns), optionally wrapped to a width, justified, shrunk to fit a box, set
along a path, with rich-text spans, an outline (``stroke``) and a drop shadow. See docs/typography.md.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import webcolors
from fontTools import unicodedata as ftu

from symbolreel import ir
from symbolreel.animators.tracks import Track
from symbolreel.annotate import _group, _local_quad, _text_quad, visible_text
from symbolreel.errors import SceneError
from symbolreel.fields import field, normalise
from symbolreel.records import TextChar, TextLine, TextRecord, TextWord, bbox_of

from symbolreel.node import Shape, Stroke, register

from .typeset import layout_text, reveal_count

MAX_TEXT_DEFAULT = 10_000


@dataclass(frozen=True, kw_only=True)
class Shadow:
    """Drop shadow behind the glyphs (not part of character annotations or masks)."""

    color: tuple = field("rgba(0, 0, 0, 0.5)", "colour", "shadow colour", anim=True)
    offset: tuple = field((3.0, 3.0), "vec2", "[dx, dy] shift in the node's local units", anim=True)
    blur: float = field(2.0, "number", "Gaussian blur sigma in local units (0 = hard shadow)", anim=True, min=0.0)

    def __post_init__(self):
        normalise(self)


@dataclass(frozen=True, kw_only=True)
class Span:
    """A styled piece of a text node's ``spans``."""

    text: str = field("", "string", "the characters of this span ('\\n' starts a new line)")
    font: str | None = field(None, "string", "font name or alias, e.g. sans-bold; null = the text node's font",
                             nullable=True)
    size: float | None = field(None, "number", "font size in pixels; null = the text node's size", nullable=True,
                               min=0.1, max=4096.0)
    fill: tuple | None = field(None, "colour", "fill colour; null = the text node's fill", nullable=True)

    def __post_init__(self):
        normalise(self)
        if "\r" in self.text:
            raise SceneError("use '\\n' for line breaks, not carriage returns", ("text",))


@register
@dataclass(frozen=True, kw_only=True)
class Text(Shape):
    """Text; lines split at newlines and (with ``width``) wrapped. ``align``/``valign`` set the local origin."""

    TYPE = "text"
    text: str = field("", "string", "the characters to draw; '\\n' starts a new line (or give 'spans')")
    spans: tuple | None = field(None, "structs", "rich text instead of 'text': a list of {text, font, size, fill}; "
                                                "each keeps its style", nullable=True, struct=Span)
    font: str = field("sans", "string", "font name or alias (bundled, or from the scene's 'fonts' table)")
    size: float = field(32.0, "number", "font size in pixels (em size)", anim=True, min=0.1, max=4096.0)
    align: str = field("center", "enum", "placement of each line relative to the origin (for vertical text: "
                                         "of each column, left = top); justify: stretch all lines of a "
                                         "paragraph but the last to 'width'",
                       choices=("left", "center", "right", "justify"))
    valign: str = field("middle", "enum", "placement of the text block relative to the origin (vertical text: "
                                          "top = block's right edge at the origin, bottom = left edge)",
                        choices=("top", "middle", "baseline", "bottom"))
    line_height: float = field(1.25, "number", "distance between baselines (columns), in multiples of size",
                               min=0.1)
    letter_spacing: float = field(0.0, "number", "extra space after each character, pixels", anim=True)
    width: float | None = field(None, "number", "wrap lines longer than this (pixels; column height for vertical "
                                                "text); null = no wrapping", nullable=True, min=1.0)
    max_height: float | None = field(None, "number", "with fit: the block's height limit (its width for "
                                                     "vertical text)", nullable=True, min=1.0)
    fit: bool = field(False, "bool", "shrink every size (deterministic bisection) until the block fits "
                                     "width x max_height; never grows")
    direction: str = field("horizontal", "enum", "horizontal lines, or vertical columns (top to bottom, right to "
                                                 "left; CJK upright with vertical forms, other scripts rotated "
                                                 "90 degrees clockwise)", choices=("horizontal", "vertical"))
    bidi: str = field("auto", "enum", "paragraph direction for the Unicode bidi algorithm: auto = from the "
                                      "first strong character", choices=("auto", "ltr", "rtl"))
    path: str | None = field(None, "string", "SVG path data: the baseline follows it (glyphs rotated to its "
                                             "tangent); null = straight", nullable=True)
    path_offset: float = field(0.0, "number", "shift along the path in pixels (the aligned line starts at the "
                                              "path start for left, its middle/end for center/right)", anim=True)
    coverage: str = field("strict", "enum",
                          "strict: a character no font covers is an error; lenient: draw a fallback and report it",
                          choices=("strict", "lenient"))
    reveal: float = field(1.0, "number", "fraction of the characters shown (0..1), for typing effects",
                          anim=True, min=0.0, max=1.0)
    reveal_mode: str = field("typewriter", "enum",
                             "typewriter: characters appear whole; fade: the next character fades in",
                             choices=("typewriter", "fade"))
    stroke: Stroke | None = field(None, "struct", "outline of the glyphs, or null", struct=Stroke, nullable=True)
    shadow: Shadow | None = field(None, "struct", "drop shadow {color, offset, blur}, or null", struct=Shadow,
                                  nullable=True)

    def __post_init__(self):
        super().__post_init__()
        if "\r" in self.text:
            raise SceneError("use '\\n' for line breaks, not carriage returns", ("text",))
        if self.spans is not None:
            if self.text:
                raise SceneError("give either 'text' or 'spans', not both", ("spans",))
            for i, s in enumerate(self.spans):
                if not isinstance(s, Span):
                    raise SceneError(f"expected a span, found {type(s).__name__}", ("spans", i))
        if self.path is not None and self.direction == "vertical":
            raise SceneError("text on a path is horizontal; drop 'path' or use direction: horizontal",
                             ("direction",))
        if self.fit and self.width is None and self.max_height is None:
            raise SceneError("fit needs 'width' and/or 'max_height' to fit into", ("fit",))

    @property
    def full_text(self) -> str:
        """The characters of the node (``text``, or the spans joined)."""
        if self.spans is not None:
            return "".join(s.text for s in self.spans)
        return self.text

    # -- the node protocol -------------------------------------------------------------------
    def prepare(self, ctx):
        try:
            ctx.font_chain(self.font)
            self.layout(ctx)
        except SceneError as exc:
            raise SceneError(exc.message, exc.path or ("font",)) from None

    def layout(self, ctx):
        """The :class:`~symbolreel.primitives.text.typeset.TextLayout` at the current properties (layouts are cached)."""
        p = ctx.p
        chain = ctx.font_chain(self.font)
        spans = None
        if self.spans is not None:
            chains = ctx.cache.get("span_chains")
            if chains is None:
                chains = []
                for i, s in enumerate(self.spans):
                    try:
                        chains.append(chain if s.font is None else ctx.font_chain(s.font))
                    except SceneError as exc:
                        raise SceneError(exc.message, ("spans", i, "font")) from None
                ctx.cache["span_chains"] = chains
            size = p["size"]
            spans = tuple((s.text, chains[i], size if s.size is None else s.size) for i, s in enumerate(self.spans))
        return layout_text(self.text, chain, p["size"], p["letter_spacing"], self.line_height, self.align,
                           self.valign, self.coverage, spans=spans, width=self.width, direction=self.direction,
                           base_direction=self.bidi, fit=self.fit, max_height=self.max_height, path=self.path,
                           path_offset=p["path_offset"])

    def _paints(self, ctx):
        """(fill paint per span, stroke paint), reused across frames while style and opacity are unchanged."""
        cached = ctx.cache.get("_text_paints")
        if cached is not None and cached[0] == ctx.opacity:
            return cached[1], cached[2]
        fill = ctx.p.get("fill")
        fills = [s.fill if s.fill is not None else fill for s in self.spans or ()] or [fill]
        fill_paints = [ir.fill_paint(f, ctx.opacity) for f in fills]
        sp = ctx.stroke
        if ctx.entry.style_static:
            ctx.cache["_text_paints"] = (ctx.opacity, fill_paints, sp)
        return fill_paints, sp

    def emit(self, ctx) -> list:
        """Glyph runs of the shown characters (fill, then outline), the fading one at its alpha, tagged with
        each glyph's character; with a shadow, the same glyphs first in a shadow-only layer."""
        fill_paints, sp = self._paints(ctx)
        if sp is None and not any(fill_paints):
            return []
        lay = self.layout(ctx)
        p = ctx.p
        shown, partial = reveal_count(len(lay.chars), p["reveal"], self.reveal_mode)
        items = []
        for stroke in (False, True):
            if stroke and sp is None:
                continue
            for part, a in ((False, 1.0), (True, partial)):
                if a <= 0.0:
                    continue
                runs = lay.runs_for_char(shown) if part else lay.runs_upto(shown)
                for span, run in runs:
                    paint = sp if stroke else fill_paints[span if span < len(fill_paints) else 0]
                    if paint is None:
                        continue
                    items.append(ir.Glyphs(run, paint if a >= 1.0 else paint.with_alpha(a)))
        parts = _parts(lay, ctx.cache)[:shown + (1 if partial > 0 else 0)]
        out = []
        if p.get("shadow") is not None:
            colour = p["shadow.color"]
            if colour[3] > 0:
                dx, dy = p["shadow.offset"]
                sigma = p["shadow.blur"]
                # the layer's glyph alpha already carries the opacity
                out.append(ir.Group(items, shadow=ir.DropShadow(dx, dy, sigma, tuple(colour), only=True)))
        out.append(ir.Group(items, parts=parts))
        return out

    def annotate(self, ctx):
        m = ctx.matrix
        p = ctx.p
        lay = self.layout(ctx)
        shown, partial = reveal_count(len(lay.chars), p["reveal"], self.reveal_mode)
        n_vis = shown + (1 if partial > 0 else 0)
        visible = lay.chars[:n_vis]
        if not visible:
            return None
        has_spans = self.spans is not None
        chars = []
        for cb in visible:
            q = _local_quad(m, cb.quad)
            chars.append(TextChar(char=cb.char, codepoint=ord(cb.char), index=cb.index, line=cb.line,
                                  word=cb.word, quad=q, bbox=bbox_of(q), span=cb.span if has_spans else None,
                                  cluster=cb.cluster))
        words, lines = [], []
        for group in _group(visible, "word"):
            q = _text_quad(m, group)
            words.append(TextWord(text="".join(cb.char for cb in group), line=group[0].line, quad=q,
                                  bbox=bbox_of(q)))
        for group in _group(visible, "line"):
            q = _text_quad(m, group)
            lines.append(TextLine(text=visible_text(group), quad=q, bbox=bbox_of(q)))
        return TextRecord(id=self.id, type=self.TYPE, text=visible_text(visible),
                          orientation="curved" if lay.direction == "path" else lay.direction,
                          fit_scale=round(float(lay.scale), 6) if lay.scale != 1.0 else None,
                          quad=_text_quad(m, visible), bbox=bbox_of(pt for c in chars for pt in c.quad),
                          chars=chars, words=words, lines=lines)

    def describe(self) -> dict:
        """Caption data (no prose): strings, scripts, language guess, style words, colour, orientation, size."""
        text = self.full_text
        scripts = []
        for ch in text:
            if ch.isspace():
                continue
            name = _script_name(ch)
            if name and name not in scripts:
                scripts.append(name)
        if not scripts and text.strip():
            scripts = ["Common"]
        langs = []
        for name in scripts:
            lang = _LANG_GUESS.get(name)
            if name == "Latin":
                lang = "en" if all(ord(c) < 128 for c in text if _script_name(c) == "Latin") else "und-Latn"
            if lang and lang not in langs:
                langs.append(lang)
        fonts = [self.font] + [s.font for s in (self.spans or ()) if s.font]
        style = []
        for f in fonts:
            for w in _style_words(f):
                if w not in style:
                    style.append(w)
        fill = self.fill
        if isinstance(fill, Track):
            fill = tuple(fill.keys[0].value)
        colours = [] if fill is None else [_css_name(fill)]
        for s in self.spans or ():
            if s.fill is not None and _css_name(s.fill) not in colours:
                colours.append(_css_name(s.fill))
        size = self.size.keys[0].value[0] if isinstance(self.size, Track) else self.size
        sizes = [size] + [s.size for s in (self.spans or ()) if s.size is not None]
        out = {
            "text": text,
            "lines": text.split("\n"),
            "scripts": scripts,
            "languages": langs,
            "style": style,
            "color": colours[0] if colours else None,
            "colors": colours,
            "orientation": "curved" if self.path is not None else self.direction,
            "size_class": _size_class(max(sizes)),
        }
        if self.spans is not None:
            out["spans"] = [s.text for s in self.spans]
        if self.stroke is not None:
            out["outline"] = True
        if self.shadow is not None:
            out["shadow"] = True
        return out


def _parts(lay, cache) -> tuple:
    """Mask parts of a layout: every visible character with its local quad and cluster (by part number)."""
    hit = cache.get("_parts")
    if hit is not None and hit[0] is lay:
        return hit[1]
    first = {}
    for k, cb in enumerate(lay.chars):
        first.setdefault(cb.cluster, k)
    parts = tuple(ir.Part(cb.index, cb.char, tuple(map(tuple, cb.quad)), first[cb.cluster])
                  for cb in lay.chars)
    cache["_parts"] = (lay, parts)
    return parts


_SCRIPT_NAMES = {"Latn": "Latin", "Hani": "Han", "Arab": "Arabic", "Hebr": "Hebrew", "Deva": "Devanagari",
                 "Cyrl": "Cyrillic", "Grek": "Greek", "Hira": "Hiragana", "Kana": "Katakana", "Hang": "Hangul",
                 "Thai": "Thai", "Beng": "Bengali", "Taml": "Tamil", "Geor": "Georgian", "Armn": "Armenian"}
_LANG_GUESS = {"Han": "zh", "Hiragana": "ja", "Katakana": "ja", "Hangul": "ko", "Arabic": "ar", "Hebrew": "he",
               "Devanagari": "hi", "Cyrillic": "ru", "Greek": "el", "Thai": "th", "Bengali": "bn", "Tamil": "ta"}


def _script_name(ch: str) -> str | None:
    code = ftu.script(ch)
    if code in ("Zyyy", "Zinh", "Zzzz"):
        return None
    return _SCRIPT_NAMES.get(code, ftu.script_name(code))


def _style_words(font: str) -> list:
    f = font.lower()
    words = []
    if "bold" in f:
        words.append("bold")
    if "italic" in f or "oblique" in f:
        words.append("italic")
    if "mono" in f:
        words.append("monospace")
    elif "kai" in f:
        words.append("kai")
    elif "math" in f or "stix" in f:
        words.append("math")
    elif "serif" in f and "sans" not in f:
        words.append("serif")
    elif "sans" in f:
        words.append("sans-serif")
    if f.endswith("-sc") or "-sc-" in f or "cjk" in f:
        words.append("simplified-chinese")
    return words


def _css_name(rgba) -> str:
    """The CSS colour name nearest to ``rgba`` (0..1) in sRGB; the first in name order on a tie."""
    r, g, b = (float(c) * 255.0 for c in rgba[:3])
    return _nearest_css(r, g, b)


@functools.lru_cache(maxsize=4096)
def _nearest_css(r: float, g: float, b: float) -> str:
    best, dist = None, None
    for name, cr, cg, cb in _css_table():
        d = (cr - r) ** 2 + (cg - g) ** 2 + (cb - b) ** 2
        if dist is None or d < dist:
            best, dist = name, d
    return best


@functools.lru_cache(maxsize=None)
def _css_table() -> tuple:
    """(name, red, green, blue) of every CSS colour, names sorted (asked once, not 147 times a text)."""
    return tuple((n, *webcolors.name_to_rgb(n)) for n in sorted(webcolors.names("css3")))


def _size_class(size: float) -> str:
    for limit, name in ((14, "tiny"), (24, "small"), (48, "medium"), (96, "large")):
        if size < limit:
            return name
    return "huge"
