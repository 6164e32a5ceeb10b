"""Text shaping and layout: HarfBuzz shapes, Skia draws the same glyphs.

Pipeline (see docs/typography.md):

1. spans -> one logical string; fonts assigned per span from its fallback chain (font registry);
2. per paragraph (text between '\\n'): Unicode bidi embedding levels (:func:`bidi_levels`), script of every
   character (Common/Inherited characters take their neighbour's script), items = maximal runs of one
   (span, font, script, level, orientation);
3. line breaking on logical text (spaces, CJK with kinsoku prohibitions, emergency breaks inside
   over-long words), then per line: items shaped by HarfBuzz with their direction/script/language, reordered
   visually (bidi rule L2), justified / letter-spaced, and placed horizontally, in vertical columns
   (CJK upright with the 'vert' feature, other scripts rotated 90 degrees clockwise) or along a path;
4. every character gets a local quad (4 points): the share of its shaping cluster (ligatures and reordered
   syllables are split evenly between their characters, right to left in RTL runs) times the line's
   ascent/descent.

A :class:`TextLayout` is computed once per parameter set and cached; it holds the glyph runs (display-list
:class:`symbolreel.ir.GlyphRun` per font/size/span, selected by reveal rank) and, for every visible character, its quad in the node's local coordinates (the
source of exact character annotations and of character masks).
"""
from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import uharfbuzz as hb
from fontTools import unicodedata as ft_unicodedata

from symbolreel import fonts, fonts_access, ir, pathops
from symbolreel.errors import SceneError
from symbolreel.primitives.shapes.svgpath import parse_svg_path

# ----------------------------------------------------------------------------- fonts


@functools.lru_cache(maxsize=64)
def _hb_font(path: str):
    with open(path, "rb") as fh:
        face = hb.Face(hb.Blob(fh.read()))
    font = hb.Font(face)
    font.scale = (face.upem, face.upem)
    return font, face.upem


def hb_font(path: str):
    """``(uharfbuzz.Font, units per em)`` for a font file (cached; scale = upem, so positions are font units)."""
    return _hb_font(path)


@functools.lru_cache(maxsize=128)
def _unit_metrics(path: str):
    return pathops.font_extents(path)


def _metrics(path: str, size: float):
    """(ascent, descent) in pixels, both positive."""
    a, d = _unit_metrics(path)
    return a * size, d * size


@functools.lru_cache(maxsize=64)
def _cmap(path: str) -> frozenset:
    from fontTools.ttLib import TTFont  # deferred: fontTools' parser loads when a cmap is first read

    with TTFont(path, lazy=True, fontNumber=0) as f:
        return frozenset(f.getBestCmap() or {})


def forget_font_files() -> None:
    """Drop every cache keyed by a font file path (a user font file changed on disk)."""
    for fn in (_hb_font, _unit_metrics, _cmap, _shape, _layout, _itemise):
        fn.cache_clear()
    pathops.forget_font_files()


fonts_access.on_font_file_change(forget_font_files)


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class CharBox:
    """One visible character: index in the text, the character, line, word, span, and local geometry.

    ``quad``: four local points (top-left, top-right, bottom-right, bottom-left in the character's own
    reading frame: rotated for rotated runs and for text on a path); ``box``: the quad's axis-aligned bounds.
    """

    index: int
    char: str
    line: int
    word: int
    box: tuple
    quad: tuple = ()
    span: int = 0
    font: str = ""
    orientation: str = "horizontal"  # horizontal | upright (vertical CJK) | rotated | path
    cluster: int = -1  # index of the first character of its shaping cluster (ligatures, syllables)


@dataclass
class GlyphRun:
    """Glyphs of one font/size/span: ids, placement (N, 4) RSXforms [scos, ssin, tx, ty], reveal rank."""

    path: str
    size: float
    span: int
    gids: np.ndarray
    xform: np.ndarray
    rank: np.ndarray
    rotated: bool  # True when any glyph is not upright (needs an RSXform run)
    ref: np.ndarray | None = None  # x of the centre of each glyph's cluster (horizontal text; for paths)


@dataclass
class TextLayout:
    glyph_runs: list     # GlyphRun, in local coordinates
    chars: list          # CharBox for every non-whitespace character, in logical order
    bounds: tuple        # (x0, y0, x1, y1) union of line boxes (and of character boxes)
    lines: list          # (x0, y0, x1, y1) per line (column for vertical text)
    runs: list           # (start, end, font name) of the font assignment (indices into the whole text)
    substitutions: list  # characters rendered with fallback in lenient mode
    scale: float = 1.0   # size factor chosen by 'fit' (1 = as given)
    direction: str = "horizontal"
    text: str = ""
    line_text: list = field(default_factory=list)

    def __post_init__(self):
        self._runs: dict = {}

    def runs_between(self, lo: int, hi: int) -> list:
        """``[(span index, ir.GlyphRun)]`` of the glyphs whose character rank r is lo <= r < hi, one run per
        font/size/span; cached, so their backend objects (text blobs) are reused across frames. Each
        glyph's ``parts`` entry is the rank of its cluster's first visible character."""
        key = (lo, hi)
        out = self._runs.get(key)
        if out is None:
            out = []
            for run in self.glyph_runs:
                sel = (run.rank >= lo) & (run.rank < hi)
                if not sel.any():
                    continue
                out.append((run.span, ir.GlyphRun(run.path, run.size, run.gids[sel], run.xform[sel], run.rotated,
                                                  run.rank[sel])))
            if len(self._runs) > 512:
                self._runs.clear()
            self._runs[key] = out
        return out

    def runs_upto(self, k: int) -> list:
        """``[(span index, ir.GlyphRun)]`` drawing the first ``k`` visible characters (all for k >= len)."""
        return self.runs_between(-1, k if k < len(self.chars) else 1 << 30)

    def runs_for_char(self, k: int) -> list:
        """``[(span index, ir.GlyphRun)]`` drawing only visible character number ``k``."""
        return self.runs_between(k, k + 1)

    def glyph_items(self, paint, k: int = 1 << 30, dx: float = 0.0, dy: float = 0.0) -> list:
        """IR items drawing the first ``k`` visible characters with one paint, offset by (dx, dy)."""
        return [ir.Glyphs(run, paint, dx, dy) for _, run in self.runs_upto(k)]


def reveal_count(n_chars: int, reveal: float, mode: str) -> tuple:
    """How many characters are fully shown, and the opacity of the next one (fade mode)."""
    if reveal >= 1.0:
        return n_chars, 0.0
    x = reveal * n_chars
    shown = int(math.floor(x + 1e-9))
    partial = (x - shown) if mode == "fade" else 0.0
    return shown, partial


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Cc")


# ----------------------------------------------------------------------------- bidi (UAX #9 subset)

_STRONG = {"L": "L", "R": "R", "AL": "R"}


def bidi_levels(text: str, base: str = "auto") -> tuple:
    """Resolved embedding levels of one paragraph (Unicode bidi algorithm, rules P2-P3, W1-W7, N1-N2, I1-I2).

    Explicit embeddings/overrides/isolates (LRE, RLO, LRI, ...) are treated as neutrals; bracket pairs (N0)
    are not paired. Returns ``(paragraph level, [level per character])``. Rule L1 (trailing whitespace) is
    applied per line by the layout.
    """
    n = len(text)
    types = [unicodedata.bidirectional(c) or "L" for c in text]
    if base == "ltr":
        para = 0
    elif base == "rtl":
        para = 1
    else:
        para = 0
        for t in types:
            if t in _STRONG:
                para = 0 if t == "L" else 1
                break
    if n == 0:
        return para, []
    neutral_like = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"}
    types = ["ON" if t in neutral_like else t for t in types]
    sos = eos = "R" if para & 1 else "L"
    # W1: NSM takes the type of the previous character
    prev = sos
    for i, t in enumerate(types):
        if t == "NSM":
            types[i] = prev
        prev = types[i]
    # W2: EN after AL becomes AN; W3: AL -> R
    last = sos
    for i, t in enumerate(types):
        if t in ("L", "R", "AL"):
            last = t
        elif t == "EN" and last == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]
    # W4: single separators between numbers
    for i in range(1, n - 1):
        t = types[i]
        if t == "ES" and types[i - 1] == "EN" and types[i + 1] == "EN":
            types[i] = "EN"
        elif t == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in ("EN", "AN"):
            types[i] = types[i - 1]
    # W5: ET sequences next to EN become EN
    i = 0
    while i < n:
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                for k in range(i, j):
                    types[k] = "EN"
            i = j
        else:
            i += 1
    # W6: remaining separators are neutral
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]
    # W7: EN after L (or sos L) becomes L
    last = sos
    for i, t in enumerate(types):
        if t in ("L", "R"):
            last = t
        elif t == "EN" and last == "L":
            types[i] = "L"
    # N1/N2: neutrals between same-direction strong types take it; otherwise the embedding direction
    neutral = {"B", "S", "WS", "ON"}
    i = 0
    while i < n:
        if types[i] in neutral:
            j = i
            while j < n and types[j] in neutral:
                j += 1
            before = sos if i == 0 else ("R" if types[i - 1] in ("R", "EN", "AN") else "L")
            after = eos if j == n else ("R" if types[j] in ("R", "EN", "AN") else "L")
            fill = before if before == after else ("R" if para & 1 else "L")
            for k in range(i, j):
                types[k] = fill
            i = j
        else:
            i += 1
    # I1/I2
    levels = []
    for t in types:
        if para & 1 == 0:
            levels.append(para + (1 if t == "R" else 2 if t in ("AN", "EN") else 0))
        else:
            levels.append(para + (1 if t in ("L", "EN", "AN") else 0))
    return para, levels


def visual_order(levels) -> list:
    """Rule L2: indices of items with the given levels in visual (left-to-right) order."""
    order = list(range(len(levels)))
    if not levels:
        return order
    hi = max(levels)
    lo_odd = min((lv for lv in levels if lv & 1), default=None)
    if lo_odd is None:
        return order
    for lv in range(hi, lo_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= lv:
                j = i
                while j < len(order) and levels[order[j]] >= lv:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


# ----------------------------------------------------------------------------- scripts

_CJK_SCRIPTS = {"Hani", "Hira", "Kana", "Hang", "Bopo"}
_LANG = {"Hani": "zh-hans", "Hira": "ja", "Kana": "ja", "Hang": "ko", "Arab": "ar", "Hebr": "he", "Deva": "hi",
         "Latn": "en", "Cyrl": "ru", "Grek": "el", "Thai": "th"}


def script_of(ch: str) -> str:
    """ISO 15924 script code of a character ('Zyyy' common, 'Zinh' inherited)."""
    return ft_unicodedata.script(ch)


def resolve_scripts(text: str) -> list:
    """Script per character; Common/Inherited/Unknown take the previous resolved script, else the next."""
    raw = [script_of(c) for c in text]
    weak = {"Zyyy", "Zinh", "Zzzz"}
    out = list(raw)
    last = None
    for i, s in enumerate(raw):
        if s in weak:
            if last is not None and not (s == "Zyyy" and _is_space(text[i])):
                out[i] = last
        else:
            last = s
    # leading weak characters (and spaces) take the next strong script
    nxt = None
    for i in range(len(raw) - 1, -1, -1):
        if out[i] in weak:
            out[i] = nxt or ("Zyyy" if last is None else last)
        else:
            nxt = out[i]
    # spaces kept Common above get the previous script so they do not split runs
    prev = None
    for i, s in enumerate(out):
        if s == "Zyyy" and prev is not None:
            out[i] = prev
        prev = out[i]
    return out


_FULLWIDTH_PUNCT = set("，。、：；！？（）「」『』《》〈〉【】〔〕｛｝〖〗〘〙〚〛…‥・～—“”‘’")


def _is_cjk(ch: str, script: str) -> bool:
    o = ord(ch)
    return (script in _CJK_SCRIPTS and not _is_space(ch) and (o >= 0x2E80 or ch in _FULLWIDTH_PUNCT)) or \
        0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or \
        0x20000 <= o <= 0x3FFFF or 0x3040 <= o <= 0x30FF or 0xAC00 <= o <= 0xD7AF


# ----------------------------------------------------------------------------- line breaking

# kinsoku shori: characters that may not start a line / may not end a line
NO_LINE_START = frozenset("，。、：；！？）」』》〉】〕｝〗〙〛’”…‥・ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
                          ",.:;!?)]}%．｡､")
NO_LINE_END = frozenset("（「『《〈【〔｛〖〘〚‘“([{$￥")


def break_opportunities(text: str, scripts: list, cluster_start) -> np.ndarray:
    """``ok[i]``: a line may break before character i (1 <= i < n)."""
    n = len(text)
    ok = np.zeros(n + 1, dtype=bool)
    for i in range(1, n):
        a, b = text[i - 1], text[i]
        if not cluster_start[i] or unicodedata.category(b).startswith("M") or _is_space(b):
            continue
        if b in NO_LINE_START or a in NO_LINE_END:
            continue
        if _is_space(a):
            ok[i] = True
        elif _is_cjk(a, scripts[i - 1]) or _is_cjk(b, scripts[i]):
            ok[i] = True
        elif a in "-\u2010\u2013" and i >= 2 and text[i - 2].isalnum() and b.isalnum():
            ok[i] = True
    return ok


def break_lines(text: str, adv, ok, cluster_start, width: float | None) -> list:
    """Greedy line breaking: ``[(start, end)]`` with trailing spaces hanging (not counted)."""
    n = len(text)
    if width is None or n == 0:
        return [(0, n)]
    space = np.array([_is_space(c) for c in text], dtype=bool)
    out = []
    start = 0
    eps = 1e-6
    while start < n:
        w = 0.0
        last_ok = None
        i = start
        end = n
        while i < n:
            if i > start and ok[i]:
                last_ok = i
            if not space[i] and i > start and w + adv[i] > width + eps:
                if last_ok is not None and last_ok > start:
                    end = last_ok
                else:  # emergency break at a cluster boundary (over-long word or no opportunity)
                    j = i
                    while j > start and not cluster_start[j]:
                        j -= 1
                    if j == start:
                        j = i + 1
                        while j < n and not cluster_start[j]:
                            j += 1
                    # keep kinsoku where a character can move: never begin a line with a closing mark
                    if j - 1 > start and text[j] in NO_LINE_START and cluster_start[j - 1]:
                        j -= 1
                    end = j
                break
            w += adv[i]
            i += 1
        out.append((start, end))
        start = end
        while start < n and space[start]:
            start += 1
    return out


# ----------------------------------------------------------------------------- shaping


@functools.lru_cache(maxsize=8192)
def _shape(path: str, context: str, offset: int, length: int, direction: str, script: str, lang: str | None):
    """Shape ``context[offset:offset+length]`` (with the rest as context); arrays in font units.

    Returns ``(gids, x_adv, y_adv, x_off, y_off, clusters)``; clusters index into ``context``.
    """
    font, upem = _hb_font(path)
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in context], offset, length)
    buf.direction = direction
    buf.script = script
    if lang:
        buf.language = lang
    hb.shape(font, buf, {"vert": True, "vrt2": True} if direction == "ttb" else {})
    infos, pos = buf.glyph_infos, buf.glyph_positions
    m = len(infos)
    gids = np.fromiter((i.codepoint for i in infos), dtype=np.uint32, count=m)
    clusters = np.fromiter((i.cluster for i in infos), dtype=np.int64, count=m)
    arr = np.array([(p.x_advance, p.y_advance, p.x_offset, p.y_offset) for p in pos], dtype=np.float64)
    arr = arr.reshape(m, 4)
    for a in (gids, clusters, arr):
        a.setflags(write=False)
    return gids, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], clusters


def shape_run(path: str, text: str, size: float, features=None, direction: str | None = None,
              script: str | None = None, language: str | None = None):
    """Shape ``text`` with one font: glyph ids, x advances/offsets, y offsets (pixels), clusters, direction."""
    font, upem = _hb_font(path)
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in text])
    buf.guess_segment_properties()
    if direction:
        buf.direction = direction
    if script:
        buf.script = script
    if language:
        buf.language = language
    hb.shape(font, buf, features or {})
    k = size / upem
    infos, pos = buf.glyph_infos, buf.glyph_positions
    gids = np.fromiter((i.codepoint for i in infos), dtype=np.uint32, count=len(infos))
    clusters = np.fromiter((i.cluster for i in infos), dtype=np.int64, count=len(infos))
    adv = np.fromiter((p.x_advance for p in pos), dtype=np.float64, count=len(pos)) * k
    xoff = np.fromiter((p.x_offset for p in pos), dtype=np.float64, count=len(pos)) * k
    yoff = np.fromiter((p.y_offset for p in pos), dtype=np.float64, count=len(pos)) * k
    return gids, adv, xoff, yoff, clusters, buf.direction


# ----------------------------------------------------------------------------- font assignment


def _assign(text: str, chain: tuple, coverage: str):
    """Font runs ``[(start, end, name)]`` and substitutions for one span (the font registry decides)."""
    if hasattr(fonts, "default_registry"):
        return fonts_access.assign_runs(text, tuple(n for n, _ in chain), coverage)
    return _cmap_assign(text, chain, coverage)  # registry not available: plain cmap look-up


def _cmap_assign(text: str, chain: tuple, coverage: str):
    runs, subs = [], []
    cur = None
    for i, ch in enumerate(text):
        if ch == "\n" or (_is_space(ch) and cur is not None):
            name = cur
        else:
            name = next((n for n, p in chain if ord(ch) in _cmap(p)), None)
            if name is None:
                if _is_space(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
                    name = cur or chain[0][0]
                elif coverage == "strict":
                    raise SceneError(f"no font in the chain {[n for n, _ in chain]} has a glyph for "
                                     f"{ch!r} (U+{ord(ch):04X})")
                else:
                    name = chain[0][0]
                    subs.append((i, ch))
        if runs and runs[-1][2] == name:
            runs[-1] = (runs[-1][0], i + 1, name)
        else:
            runs.append((i, i + 1, name))
        cur = name
    return runs, subs


# ----------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Item:
    start: int  # paragraph indices
    end: int
    span: int
    path: str
    name: str
    size: float
    script: str
    level: int
    upright: bool


def layout_text(text: str, chain: tuple, size: float, letter_spacing: float = 0.0, line_height: float = 1.25,
                align: str = "center", valign: str = "middle", coverage: str = "strict", *, spans=None,
                width: float | None = None, direction: str = "horizontal", base_direction: str = "auto",
                fit: bool = False, max_height: float | None = None, path: str | None = None,
                path_offset: float = 0.0) -> TextLayout:
    """Lay out text with the font fallback ``chain`` (tuple of (name, file path)).

    ``spans``: optional tuple of ``(text, chain, size)`` used instead of ``text``/``chain``/``size``.
    ``width``: wrap lines at this length (columns for vertical text); ``fit``: shrink all sizes so the
    block fits ``width`` x ``max_height``; ``path``: SVG path data the baseline follows (horizontal only).
    """
    if spans is None:
        spans = ((text, tuple(chain), float(size)),)
    else:
        spans = tuple((t, tuple(c), float(s)) for t, c, s in spans)
    return _layout(spans, float(letter_spacing), float(line_height), align, valign, coverage,
                   None if width is None else float(width), direction, base_direction, bool(fit),
                   None if max_height is None else float(max_height), path, float(path_offset))


@functools.lru_cache(maxsize=1024)
def _layout(spans, spacing, line_height, align, valign, coverage, width, direction, base_direction, fit,
            max_height, path, path_offset):
    if path is not None and direction == "vertical":
        raise SceneError("text on a path is horizontal; use direction: horizontal with 'path'", ("direction",))
    scale = 1.0
    if fit and (width is not None or max_height is not None):
        scale = _fit_scale(spans, spacing, line_height, align, valign, coverage, width, direction,
                           base_direction, max_height)
    lay = _layout_scaled(spans, spacing, line_height, align, valign, coverage, width, direction, base_direction,
                         scale)
    if path is not None:
        lay = _on_path(lay, path, path_offset, align)
    return lay


def _fits(lay: TextLayout, width, max_height, vertical: bool) -> bool:
    x0, y0, x1, y1 = lay.bounds
    inline = [(b[3] - b[1]) if vertical else (b[2] - b[0]) for b in lay.lines]
    block = (x1 - x0) if vertical else (y1 - y0)
    if width is not None and inline and max(inline) > width + 1e-6:
        return False
    if max_height is not None and block > max_height + 1e-6:
        return False
    return True


def _fit_scale(spans, spacing, line_height, align, valign, coverage, width, direction, base_direction,
               max_height) -> float:
    """Largest size factor in (0, 1] whose layout fits (bisection with a fixed number of steps)."""
    vertical = direction == "vertical"

    def ok(s):
        lay = _layout_scaled(spans, spacing, line_height, align, valign, coverage, width, direction,
                             base_direction, s)
        return _fits(lay, width, max_height, vertical)

    if ok(1.0):
        return 1.0
    lo, hi = 1.0 / 1024, 1.0
    for _ in range(18):
        mid = (lo + hi) / 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


@functools.lru_cache(maxsize=64)
def _itemise(spans, coverage, base_direction, vertical):
    """Size-independent analysis: full text, span/font per char, paragraphs with items and levels."""
    text = "".join(t for t, _, _ in spans)
    n = len(text)
    span_of = np.zeros(n, dtype=np.int64)
    font_of: list = [None] * n
    runs_all, subs_all = [], []
    pos = 0
    for si, (t, chain, _) in enumerate(spans):
        if not chain:
            raise SceneError("empty font chain")
        paths = dict(chain)
        try:
            runs, subs = _assign(t, chain, coverage)
        except SceneError as exc:
            raise SceneError(exc.message, (("spans", si) if len(spans) > 1 else ()) + tuple(exc.path)) from None
        span_of[pos:pos + len(t)] = si
        for a, b, name in runs:
            for k in range(a, b):
                font_of[pos + k] = (name, paths.get(name) or _path_of(name, chain))
            runs_all.append((pos + a, pos + b, name))
        subs_all.extend(subs)
        pos += len(t)
    paragraphs = []
    start = 0
    for part in text.split("\n"):
        end = start + len(part)
        para_level, levels = bidi_levels(part, base_direction)
        scripts = resolve_scripts(part)
        items = []
        for i in range(len(part)):
            g = start + i
            name, fpath = font_of[g] if font_of[g] is not None else (spans[0][1][0])
            upright = vertical and _is_cjk(part[i], scripts[i])
            key = (int(span_of[g]), fpath, name, scripts[i], levels[i], upright)
            if items and items[-1][2] == key:
                items[-1][1] = i + 1
            else:
                items.append([i, i + 1, key])
        items = tuple(_Item(a, b, k[0], k[1], k[2], spans[k[0]][2], k[3], k[4], k[5]) for a, b, k in items)
        paragraphs.append((start, part, para_level, tuple(levels), tuple(scripts), items))
        start = end + 1
    return text, span_of, tuple(paragraphs), tuple(runs_all), tuple(subs_all)


def _path_of(name, chain):
    for n, p in chain:
        if n == name:
            return p
    return str(fonts.font_path(name))


def _shape_item(it: _Item, context: str, ctx_start: int, a: int, b: int, scale: float):
    """Shape paragraph range [a, b) of item ``it``; returns pixel arrays along/across the line."""
    upright = it.upright
    dirn = "ttb" if upright else ("rtl" if it.level & 1 else "ltr")
    gids, xa, ya, xo, yo, cl = _shape(it.path, context, a - ctx_start, b - a, dirn, it.script,
                                      _LANG.get(it.script))
    _, upem = _hb_font(it.path)
    k = it.size * scale / upem
    if upright:
        adv, off_u, off_v = -ya * k, -yo * k, xo * k
    else:
        adv, off_u, off_v = xa * k, xo * k, -yo * k
    return gids, adv, off_u, off_v, cl + ctx_start


def _layout_scaled(spans, spacing, line_height, align, valign, coverage, width, direction, base_direction,
                   scale):
    if _FAST_PATH:
        lay = _layout_fast(spans, spacing, line_height, align, valign, coverage, width, direction, base_direction,
                           scale)
        if lay is not None:
            return lay
    vertical = direction == "vertical"
    text, span_of, paragraphs, runs, subs = _itemise(spans, coverage, base_direction, vertical)
    spacing = spacing * scale
    visible = np.array([not (ch == "\n" or _is_space(ch)) for ch in text], dtype=bool)
    rank_of = np.cumsum(visible) - visible
    primary = [(c[0][1], s * scale) for _, c, s in spans]  # primary font path and size per span

    # ---- per line: glyph placements in line coordinates (u along the line, v across)
    line_recs = []
    for pstart, part, para_level, levels, scripts, items in paragraphs:
        m = len(part)
        item_of = np.zeros(m, dtype=np.int64)
        for ii, it in enumerate(items):
            item_of[it.start:it.end] = ii
        # measurement: shape every item in the paragraph context; per-character advances, cluster starts
        adv_c = np.zeros(m)
        cstart = np.ones(m + 1, dtype=bool)
        if width is not None:
            for it in items:
                gids, adv, _, _, cl = _shape_item(it, part, 0, it.start, it.end, scale)
                _char_advances(cl, adv, it.start, it.end, spacing, adv_c, cstart)
        else:
            pass
        ok = break_opportunities(part, list(scripts), cstart) if width is not None else None
        breaks = break_lines(part, adv_c, ok, cstart, width)
        for li_in_para, (s, e) in enumerate(breaks):
            # trailing whitespace hangs: not shaped, not counted (rule L1 is then moot)
            ev = e
            while ev > s and _is_space(part[ev - 1]):
                ev -= 1
            last_line = li_in_para == len(breaks) - 1
            segs = []  # (item, a, b) within [s, ev)
            for it in items:
                a, b = max(it.start, s), min(it.end, ev)
                if a < b:
                    segs.append((it, a, b))
            if not vertical:
                order = visual_order([it.level for it, _, _ in segs])
                segs = [segs[i] for i in order]
            line_recs.append(_place_line(part, pstart, s, ev, segs, spacing, scale, width,
                                         align == "justify" and not last_line and width is not None,
                                         vertical, primary, span_of))
    # ---- block placement
    chars_geo = {}   # global char index -> (quad, line, span, font, orientation)
    glyph_runs = []
    line_boxes = []
    if not vertical:
        # baselines
        base = []
        y = 0.0
        for li, rec in enumerate(line_recs):
            if li:
                y += line_height * rec["size"]
            base.append(y)
        top_rel = -line_recs[0]["asc"]
        bottom_rel = base[-1] + line_recs[-1]["desc"]
        total_h = bottom_rel - top_rel
        top = {"top": 0.0, "middle": -total_h / 2, "bottom": -total_h, "baseline": top_rel}[valign]
        shift_y = top - top_rel
        for li, rec in enumerate(line_recs):
            w = rec["length"]
            dx = {"left": 0.0, "center": -w / 2, "right": -w, "justify": 0.0}[align]
            by = base[li] + shift_y
            line_boxes.append((dx, by - rec["asc"], dx + w, by + rec["desc"]))
            _emit_horizontal(rec, li, dx, by, glyph_runs, chars_geo, rank_of)
    else:
        cx = []
        x = 0.0
        for li, rec in enumerate(line_recs):
            if li == 0:
                x = -rec["size"] / 2
            else:
                x -= line_height * rec["size"]
            cx.append(x)
        right = 0.0
        left = cx[-1] - line_recs[-1]["size"] / 2
        block_w = right - left
        shift_x = {"top": 0.0, "middle": block_w / 2, "baseline": block_w / 2, "bottom": block_w}[valign]
        for li, rec in enumerate(line_recs):
            length = rec["length"]
            y0 = {"left": 0.0, "center": -length / 2, "right": -length, "justify": 0.0}[align]
            c = cx[li] + shift_x
            half = rec["size"] / 2
            line_boxes.append((c - half, y0, c + half, y0 + length))
            _emit_vertical(rec, li, c, y0, glyph_runs, chars_geo, rank_of)
    # ---- characters in logical order
    chars, refs = [], []
    word, in_word = -1, False
    for i, ch in enumerate(text):
        if ch == "\n" or _is_space(ch):
            in_word = False
            continue
        if not in_word:
            word += 1
            in_word = True
        geo = chars_geo.get(i)
        if geo is None:  # character produced no cluster (should not happen); give it an empty box
            continue
        quad, li, si, fname, orient, mid, cluster = geo
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        chars.append(CharBox(i, ch, li, word, (min(xs), min(ys), max(xs), max(ys)), quad, si, fname, orient,
                             cluster))
        refs.append(mid)
    bx = [b[0] for b in line_boxes] + [c.box[0] for c in chars]
    by_ = [b[1] for b in line_boxes] + [c.box[1] for c in chars]
    bx1 = [b[2] for b in line_boxes] + [c.box[2] for c in chars]
    by1 = [b[3] for b in line_boxes] + [c.box[3] for c in chars]
    bounds = (min(bx), min(by_), max(bx1), max(by1))
    line_text = [rec["text"] for rec in line_recs]
    lay = TextLayout(glyph_runs, chars, bounds, line_boxes, list(runs), list(subs), scale, direction, text,
                     line_text)
    lay.char_ref = refs
    return lay


def _char_advances(cl, adv, a, b, spacing, adv_c, cstart):
    """Distribute cluster advances over the characters of each cluster (paragraph indices)."""
    if len(cl) == 0:
        return
    uniq = np.unique(cl)
    sums = np.zeros(len(uniq))
    idx = np.searchsorted(uniq, cl)
    np.add.at(sums, idx, adv)
    bounds_ = np.append(uniq[1:], b)
    for c, nxt, w in zip(uniq, bounds_, sums):
        c, nxt = int(c), int(nxt)
        nch = max(1, nxt - c)
        adv_c[c:nxt] = (w + spacing) / nch
        cstart[c + 1:nxt] = False
        cstart[c] = True


def _place_line(part, pstart, s, e, segs, spacing, scale, width, justify, vertical, primary, span_of):
    """Shape one line's segments (visual order) and place their glyphs along the line."""
    context = part[s:e]
    seg_data = []
    for it, a, b in segs:
        gids, adv, off_u, off_v, cl = _shape_item(it, context, s, a, b, scale)
        seg_data.append((it, a, b, gids, adv.copy(), off_u, off_v, cl))
    # letter spacing after each cluster; justification
    n_glyph = sum(len(d[3]) for d in seg_data)
    extra_total = 0.0
    natural = sum(float(d[4].sum()) for d in seg_data)
    n_clusters = sum(len(np.unique(d[7])) for d in seg_data)
    natural += spacing * n_clusters
    if justify and n_glyph:
        extra_total = max(0.0, width - (natural - spacing))
    spaces_inside = [c for c in range(s, e) if _is_space(part[c])]
    per_space = extra_total / len(spaces_inside) if (extra_total and spaces_inside) else 0.0
    per_gap = extra_total / (n_clusters - 1) if (extra_total and not spaces_inside and n_clusters > 1) else 0.0
    pen = 0.0
    glyphs = []   # per segment: (item, gids, origin_u, off_v, cl, cluster extents)
    for si_, (it, a, b, gids, adv, off_u, off_v, cl) in enumerate(seg_data):
        m = len(gids)
        if m == 0:
            continue
        raw = adv.copy()
        last_of_cluster = np.append(cl[1:] != cl[:-1], True)
        add = np.zeros(m)
        add[last_of_cluster] += spacing
        if per_space:
            is_sp = np.array([_is_space(part[c]) for c in cl], dtype=bool)
            add[is_sp & last_of_cluster] += per_space
        if per_gap:
            add[last_of_cluster] += per_gap
        if per_gap and si_ == len(seg_data) - 1:
            add[-1] -= per_gap
        full = raw + add
        start_u = pen + np.concatenate(([0.0], np.cumsum(full)[:-1]))
        pen += float(full.sum())
        # cluster extents: advance cell (without spacing/justification) and the glyphs' ink bounds
        ink = pathops.glyph_ink_bounds(it.path, it.size * scale, gids)
        ink = ink.reshape(m, 4)
        has_ink = (ink[:, 2] > ink[:, 0]) & (ink[:, 3] > ink[:, 1])
        ou, ov = start_u + off_u, off_v
        if it.upright:  # glyph frame y runs along the column, x across it
            iu0, iu1, iv0, iv1 = ou + ink[:, 1], ou + ink[:, 3], ov + ink[:, 0], ov + ink[:, 2]
        else:
            iu0, iu1, iv0, iv1 = ou + ink[:, 0], ou + ink[:, 2], ov + ink[:, 1], ov + ink[:, 3]
        uniq = np.unique(cl)
        # glyphs of one cluster are contiguous in HarfBuzz's output: reduce over the groups
        brk = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1]])
        inf = np.inf
        g_u0 = np.minimum.reduceat(start_u, brk)
        g_w = np.add.reduceat(raw, brk)
        g_iu0 = np.minimum.reduceat(np.where(has_ink, iu0, inf), brk)
        g_iu1 = np.maximum.reduceat(np.where(has_ink, iu1, -inf), brk)
        g_iv0 = np.minimum.reduceat(np.where(has_ink, iv0, inf), brk)
        g_iv1 = np.maximum.reduceat(np.where(has_ink, iv1, -inf), brk)
        ext = {}
        for c, u0, w_, a0, a1, b0, b1 in zip(cl[brk].tolist(), g_u0.tolist(), g_w.tolist(), g_iu0.tolist(),
                                             g_iu1.tolist(), g_iv0.tolist(), g_iv1.tolist()):
            prev = ext.get(c)
            if prev is not None:  # a cluster split into several groups (not with the default cluster level)
                u0, w_ = min(u0, prev[0]), w_ + (prev[1] - prev[0])
                a0, a1 = min(a0, prev[2]), max(a1, prev[3])
                b0, b1 = min(b0, prev[4]), max(b1, prev[5])
            ext[c] = (u0, u0 + w_, a0, a1, b0, b1)
        for c, v in ext.items():
            if v[2] == inf:  # no ink (e.g. a space): the cell only
                ext[c] = (v[0], v[1], v[0], v[1], 0.0, 0.0)
        glyphs.append((it, a, b, gids, ou, ov, cl, ext, uniq))
    length = max(0.0, pen - (spacing if n_glyph else 0.0))
    # line metrics: primary font of every span on the line (at least the span at the line start)
    span_ids = {int(span_of[pstart + c]) for c in range(s, e)} or {int(span_of[min(pstart + s, len(span_of) - 1)])}\
        if len(span_of) else {0}
    asc = max(_metrics(*primary[k])[0] for k in span_ids)
    desc = max(_metrics(*primary[k])[1] for k in span_ids)
    size = max(primary[k][1] for k in span_ids)
    return {"glyphs": glyphs, "length": length, "asc": asc, "desc": desc, "size": size, "pstart": pstart,
            "text": part[s:e], "scale": scale, "primary": primary}


def _cluster_chars(it, c, uniq, b):
    """Characters (paragraph indices) of cluster value ``c``: up to the next cluster value of the segment."""
    j = int(np.searchsorted(uniq, c, side="right"))
    nxt = int(uniq[j]) if j < len(uniq) else b
    return range(c, max(nxt, c + 1))


def _emit_horizontal(rec, li, dx, by, glyph_runs, chars_geo, rank_of):
    pstart = rec["pstart"]
    for it, a, b, gids, ou, ov, cl, ext, uniq in rec["glyphs"]:
        asc, desc = _metrics(*rec["primary"][it.span])  # the span's own ascent/descent
        xf = np.zeros((len(gids), 4))
        xf[:, 0] = 1.0
        xf[:, 2] = dx + ou
        xf[:, 3] = by + ov
        ref = np.array([dx + (ext[int(c)][0] + ext[int(c)][1]) / 2 for c in cl])
        glyph_runs.append(GlyphRun(it.path, _size_px(rec, it), it.span, np.asarray(gids), xf,
                                   rank_of[pstart + cl], False, ref))
        rtl = bool(it.level & 1)
        for c in uniq:
            c = int(c)
            u0, u1 = ext[c][:2]
            mid = dx + (u0 + u1) / 2
            members = _cluster_chars(it, c, uniq, b)
            nm = len(members)
            for j, k in enumerate(members):
                jj = nm - 1 - j if rtl else j
                p0, p1, q0, q1 = _piece(ext[c], jj, nm, -asc, desc)
                x0, x1 = dx + p0, dx + p1
                quad = ((x0, by + q0), (x1, by + q0), (x1, by + q1), (x0, by + q1))
                chars_geo[pstart + k] = (quad, li, it.span, it.name, "horizontal", mid, pstart + c)


def _emit_vertical(rec, li, cx, y0, glyph_runs, chars_geo, rank_of):
    pstart = rec["pstart"]
    for it, a, b, gids, ou, ov, cl, ext, uniq in rec["glyphs"]:
        size = _size_px(rec, it)
        m = len(gids)
        xf = np.zeros((m, 4))
        if it.upright:
            xf[:, 0] = 1.0
            xf[:, 2] = cx + ov
            xf[:, 3] = y0 + ou
        else:
            asc, desc = _metrics(it.path, _size_px(rec, it))
            tx = cx - (asc - desc) / 2
            xf[:, 1] = 1.0
            xf[:, 2] = tx - ov
            xf[:, 3] = y0 + ou
        glyph_runs.append(GlyphRun(it.path, size, it.span, np.asarray(gids), xf, rank_of[pstart + cl],
                                   not it.upright))
        rtl = bool(it.level & 1)
        for c in uniq:
            c = int(c)
            members = _cluster_chars(it, c, uniq, b)
            nm = len(members)
            for j, k in enumerate(members):
                jj = nm - 1 - j if rtl else j
                if it.upright:
                    half = _size_px(rec, it) / 2
                    p0, p1, q0, q1 = _piece(ext[c], jj, nm, -half, half)
                    a0, a1 = y0 + p0, y0 + p1
                    quad = ((cx + q0, a0), (cx + q1, a0), (cx + q1, a1), (cx + q0, a1))
                    orient = "upright"
                else:
                    asc, desc = _metrics(it.path, _size_px(rec, it))
                    tx = cx - (asc - desc) / 2
                    p0, p1, q0, q1 = _piece(ext[c], jj, nm, -asc, desc)
                    a0, a1 = y0 + p0, y0 + p1
                    # glyph frame (u, v) -> local (tx - v, y0 + u)
                    quad = ((tx - q0, a0), (tx - q0, a1), (tx - q1, a1), (tx - q1, a0))
                    orient = "rotated"
                chars_geo[pstart + k] = (quad, li, it.span, it.name, orient, 0.0, pstart + c)


def _piece(ext, j, n, v0, v1):
    """Along-line range of piece ``j`` of ``n`` of a cluster and its cross range, grown to the cluster's ink."""
    u0, u1, iu0, iu1, iv0, iv1 = ext
    p0 = u0 + (u1 - u0) * j / n
    p1 = u0 + (u1 - u0) * (j + 1) / n
    if j == 0:
        p0 = min(p0, iu0)
    if j == n - 1:
        p1 = max(p1, iu1)
    if iv1 > iv0:
        v0, v1 = min(v0, iv0), max(v1, iv1)
    return p0, p1, v0, v1


def _size_px(rec, it):
    return it.size * rec["scale"]


# ----------------------------------------------------------------------------- text on a path


@functools.lru_cache(maxsize=64)
def _measured_path(d: str):
    try:
        p = parse_svg_path(d)
    except SceneError as exc:
        raise SceneError(exc.message, ("path",) + tuple(exc.path)) from None
    except ValueError as exc:
        raise SceneError(str(exc), ("path",)) from None
    meas = pathops.Measure(p)
    length = meas.length
    if not length > 0:
        raise SceneError("the text path has zero length", ("path",))
    return meas, length, meas.closed


def path_pos_tan(d: str, s: float):
    """Point and unit tangent at arc length ``s`` of the first contour of SVG path ``d``.

    Closed paths wrap around; open paths are extended along their end tangents.
    """
    meas, length, closed = _measured_path(d)
    if closed:
        s = s % length
        ext = 0.0
    elif s < 0:
        ext, s = s, 0.0
    elif s > length:
        ext, s = s - length, length
    else:
        ext = 0.0
    x, y, tx, ty = meas.pos_tan(s)
    return x + tx * ext, y + ty * ext, tx, ty


def path_length(d: str) -> float:
    return _measured_path(d)[1]


def _on_path(lay: TextLayout, d: str, offset: float, align: str) -> TextLayout:
    length = path_length(d)
    anchor = offset + {"left": 0.0, "center": length / 2, "right": length, "justify": 0.0}[align]
    cache: dict = {}

    def frame(ref):
        key = round(float(ref), 6)
        if key not in cache:
            cache[key] = path_pos_tan(d, anchor + ref)
        return cache[key]

    runs = []
    for run in lay.glyph_runs:
        xf = run.xform.copy()
        for g in range(len(xf)):
            px, py, c, sn = frame(run.ref[g])
            x, y = run.xform[g, 2] - run.ref[g], run.xform[g, 3]
            xf[g] = (c, sn, px + c * x - sn * y, py + sn * x + c * y)
        runs.append(GlyphRun(run.path, run.size, run.span, run.gids, xf, run.rank, True, run.ref))
    chars = []
    for cb, ref in zip(lay.chars, lay.char_ref):
        px, py, c, sn = frame(ref)
        quad = tuple((px + c * (x - ref) - sn * y, py + sn * (x - ref) + c * y) for x, y in cb.quad)
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        chars.append(CharBox(cb.index, cb.char, cb.line, cb.word, (min(xs), min(ys), max(xs), max(ys)), quad,
                             cb.span, cb.font, "path", cb.cluster))
    lines = []
    for li in range(len(lay.lines)):
        boxes = [c.box for c in chars if c.line == li]
        if boxes:
            lines.append((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                          max(b[3] for b in boxes)))
        else:
            px, py, _, _ = frame(0.0)
            lines.append((px, py, px, py))
    bounds = (min(b[0] for b in lines), min(b[1] for b in lines), max(b[2] for b in lines), max(b[3] for b in lines))
    out = TextLayout(runs, chars, bounds, lines, lay.runs, lay.substitutions, lay.scale, "path", lay.text,
                     lay.line_text)
    out.char_ref = lay.char_ref
    return out


# ----------------------------------------------------------------------------- fast path

#: characters the fast path takes: printable ASCII (one script, bidi level 0, no line breaks)
_FAST_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F))
#: off only in tests, which compare both paths
_FAST_PATH = True


def _layout_fast(spans, spacing, line_height, align, valign, coverage, width, direction, base_direction, scale):
    """:func:`_layout_scaled` for the common case, without itemisation and NumPy on tiny arrays:
    one span of printable ASCII, horizontal, left-to-right, all in one font of the chain, on one
    line (no ``width``, or the text fits it), every glyph its own cluster. The same arithmetic in
    the same order as the general path, so the layout (and every pixel and annotation drawn from
    it) is bit-identical; ``None`` when the text needs the general path."""
    if len(spans) != 1 or direction != "horizontal" or base_direction not in ("auto", "ltr"):
        return None
    text, chain, size = spans[0]
    n = len(text)
    if not n or not chain or not _FAST_CHARS.issuperset(text):
        return None
    try:
        runs, subs = _assign(text, chain, coverage)
    except SceneError:
        return None                  # the general path raises it, with its path
    if subs or len(runs) != 1 or tuple(runs[0][:2]) != (0, n):
        return None
    name = runs[0][2]
    fpath = dict(chain).get(name) or _path_of(name, chain)
    # printable ASCII: Latin if it has a letter (digits, punctuation, spaces join it), else Common;
    # bidi level 0 throughout (no strong right-to-left, numbers after sos L resolve to L)
    script = "Latn" if any(ch.isalpha() for ch in text) else "Zyyy"
    lang = _LANG.get(script)
    spacing = spacing * scale
    _, upem = _hb_font(fpath)
    k = size * scale / upem
    if width is not None:            # wrapping: the line must fit (break_lines would not break it)
        _, xa, _, _, _, cl = _shape(fpath, text, 0, n, "ltr", script, lang)
        adv_c = _fast_char_advances(cl.tolist(), [x * k for x in xa.tolist()], n, spacing)
        limit = width + 1e-6
        w = 0.0
        for i in range(n):
            if i > 0 and text[i] != " " and w + adv_c[i] > limit:
                return None
            w += adv_c[i]
    ev = n                           # trailing spaces hang: not shaped
    while ev > 0 and text[ev - 1] == " ":
        ev -= 1
    if ev == 0:
        return None
    gids, xa, _, xo, yo, cl_arr = _shape(fpath, text[:ev], 0, ev, "ltr", script, lang)
    m = len(gids)
    cl = cl_arr.tolist()
    if m == 0 or any(cl[i + 1] <= cl[i] for i in range(m - 1)):
        return None                  # clusters of several glyphs: the general path's reductions
    raw = [x * k for x in xa.tolist()]
    off_u = [x * k for x in xo.tolist()]
    off_v = [-y * k for y in yo.tolist()]
    add = 0.0 + spacing              # letter spacing after every cluster
    full = [r + add for r in raw]
    start_u = []
    acc = 0.0
    for j, f in enumerate(full):     # pen + cumulative sum (sequential, as np.cumsum)
        start_u.append(0.0 + (acc if j else 0.0))
        acc = f if j == 0 else acc + f
    pen = 0.0 + float(np.array(full).sum())   # np.sum is pairwise: the same call keeps the same bits
    px = size * scale
    bounds_of = pathops.glyph_ink_bounds(fpath, px, gids).tolist()
    inf = np.inf
    ext = {}
    ou = []
    for j in range(m):
        l_, t_, r_, b_ = bounds_of[j]
        u = start_u[j] + off_u[j]
        v = off_v[j]
        ou.append(u)
        u0 = start_u[j]
        if r_ > l_ and b_ > t_:
            ext[cl[j]] = (u0, u0 + raw[j], u + l_, u + r_, v + t_, v + b_)
        else:
            ext[cl[j]] = (u0, u0 + raw[j], inf, -inf, inf, -inf)
    for c, v in ext.items():
        if v[2] == inf:              # no ink (e.g. a space): the cell only
            ext[c] = (v[0], v[1], v[0], v[1], 0.0, 0.0)
    length = max(0.0, pen - spacing)
    asc, desc = _metrics(chain[0][1], px)
    # block placement of the single line
    top_rel = -asc
    total_h = (0.0 + desc) - top_rel
    top = {"top": 0.0, "middle": -total_h / 2, "bottom": -total_h, "baseline": top_rel}[valign]
    by = 0.0 + (top - top_rel)
    dx = {"left": 0.0, "center": -length / 2, "right": -length, "justify": 0.0}[align]
    line_boxes = [(dx, by - asc, dx + length, by + desc)]
    xf = np.array([(1.0, 0.0, dx + ou[j], by + off_v[j]) for j in range(m)], dtype=np.float64).reshape(m, 4)
    ref = np.array([dx + (ext[c][0] + ext[c][1]) / 2 for c in cl])
    rank_of = []
    r = 0
    for ch in text:
        rank_of.append(r)
        if ch != " ":
            r += 1
    rank = np.array([rank_of[c] for c in cl], dtype=np.int64)
    glyph_runs = [GlyphRun(fpath, px, 0, np.asarray(gids), xf, rank, False, ref)]
    geo = [None] * n                 # per character: (quad, box, centre of its cluster, cluster)
    v_top, v_bottom = -asc, desc
    for j, c in enumerate(cl):
        nxt = cl[j + 1] if j + 1 < m else ev
        u0, u1, iu0, iu1, iv0, iv1 = ext[c]
        mid = dx + (u0 + u1) / 2
        nm = max(nxt, c + 1) - c
        for jj in range(nm):
            p0, p1, q0, q1 = _piece(ext[c], jj, nm, v_top, v_bottom)
            y0, y1 = by + q0, by + q1
            ylo, yhi = min(y0, y1), max(y0, y1)
            x0, x1 = dx + p0, dx + p1
            geo[c + jj] = (((x0, y0), (x1, y0), (x1, y1), (x0, y1)), (min(x0, x1), ylo, max(x0, x1), yhi), mid, c)
    chars, refs = [], []
    word, in_word = -1, False
    new_box = _charbox
    for i, ch in enumerate(text):
        if ch == " ":
            in_word = False
            continue
        if not in_word:
            word += 1
            in_word = True
        g = geo[i]
        if g is None:
            continue
        chars.append(new_box(i, ch, 0, word, g[1], g[0], 0, name, "horizontal", g[3]))
        refs.append(g[2])
    b = line_boxes[0]
    bounds = (min([b[0]] + [c.box[0] for c in chars]), min([b[1]] + [c.box[1] for c in chars]),
              max([b[2]] + [c.box[2] for c in chars]), max([b[3]] + [c.box[3] for c in chars]))
    lay = TextLayout(glyph_runs, chars, bounds, line_boxes, [(0, n, name)], [], scale, direction, text,
                     [text[:ev]])
    lay.char_ref = refs
    return lay


def _fast_char_advances(cl: list, adv: list, n: int, spacing: float) -> list:
    """:func:`_char_advances` over one whole paragraph, in lists (same sums in the same order)."""
    out = [0.0] * n
    if not cl:
        return out
    uniq = sorted(set(cl))
    sums = dict.fromkeys(uniq, 0.0)
    for c, a in zip(cl, adv):        # np.add.at: sequential per cluster
        sums[c] = sums[c] + a
    for j, c in enumerate(uniq):
        nxt = uniq[j + 1] if j + 1 < len(uniq) else n
        nch = max(1, nxt - c)
        out[c:nxt] = [(sums[c] + spacing) / nch] * (nxt - c)
    return out


def _charbox(index, char, line, word, box, quad, span, font, orientation, cluster) -> CharBox:
    """A :class:`CharBox` without the frozen dataclass's per-field ``__setattr__`` calls (equal to one
    built by its constructor)."""
    cb = object.__new__(CharBox)
    cb.__dict__.update(index=index, char=char, line=line, word=word, box=box, quad=quad, span=span, font=font,
                       orientation=orientation, cluster=cluster)
    return cb
