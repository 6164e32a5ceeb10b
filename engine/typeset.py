"""Text shaping and layout: HarfBuzz shapes, Skia draws the same glyphs.

A :class:`TextLayout` is computed once per (text, fonts, size, spacing, ...) and
cached; it holds ready-to-draw Skia text blobs plus, for every character, its
box in the node's local coordinates (the source of exact character annotations).
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import numpy as np
import skia
import uharfbuzz as hb

from .errors import SceneError


@functools.lru_cache(maxsize=64)
def _hb_font(path: str):
    with open(path, "rb") as fh:
        face = hb.Face(hb.Blob(fh.read()))
    font = hb.Font(face)
    font.scale = (face.upem, face.upem)
    return font, face.upem


@functools.lru_cache(maxsize=64)
def typeface(path: str) -> skia.Typeface:
    tf = skia.Typeface.MakeFromFile(path)
    if tf is None:
        raise SceneError(f"Skia could not load the font file {path}")
    return tf


def skia_font(path: str, size: float) -> skia.Font:
    font = skia.Font(typeface(path), size)
    font.setEdging(skia.Font.Edging.kAntiAlias)
    font.setSubpixel(True)
    font.setHinting(skia.FontHinting.kNone)
    font.setLinearMetrics(True)
    return font


@functools.lru_cache(maxsize=256)
def _metrics(path: str, size: float):
    m = skia_font(path, size).getMetrics()
    return -m.fAscent, m.fDescent


@dataclass(frozen=True)
class CharBox:
    """One character: its index in the text, the character, its line and word, and local box."""

    index: int
    char: str
    line: int
    word: int
    box: tuple  # (x0, y0, x1, y1) in local coordinates


@dataclass
class TextLayout:
    glyph_runs: list     # (font path, size, glyph ids, xs, ys, char rank per glyph) in local coordinates
    chars: list          # CharBox for every non-whitespace character
    bounds: tuple        # (x0, y0, x1, y1) union of line boxes
    lines: list          # (x0, y0, x1, y1) per line
    runs: list           # (start, end, font name) of the font assignment
    substitutions: list  # characters rendered with fallback in lenient mode

    def __post_init__(self):
        self._blobs: dict = {}

    def _make(self, lo: int, hi: int) -> list:
        key = (lo, hi)
        if key not in self._blobs:
            blobs = []
            for path, size, gids, xs, ys, rank in self.glyph_runs:
                sel = (rank >= lo) & (rank < hi)
                if not sel.any():
                    continue
                builder = skia.TextBlobBuilder()
                pts = [skia.Point(float(x), float(y)) for x, y in zip(xs[sel], ys[sel])]
                builder.allocRunPos(skia_font(path, size), gids[sel].tolist(), pts)
                blobs.append(builder.make())
            if len(self._blobs) > 512:
                self._blobs.clear()
            self._blobs[key] = blobs
        return self._blobs[key]

    def blobs_upto(self, k: int) -> list:
        """Text blobs drawing the first ``k`` visible characters (all of them for k >= len(chars))."""
        return self._make(-1, min(k, len(self.chars)) if k < len(self.chars) else 1 << 30)

    def blobs_for_char(self, k: int) -> list:
        """Text blobs drawing only visible character number ``k``."""
        return self._make(k, k + 1)


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Cc")


def shape_run(path: str, text: str, size: float, features=None):
    """Shape ``text`` with one font: returns glyph ids, x offsets/advances and clusters in pixels."""
    font, upem = _hb_font(path)
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in text])
    buf.guess_segment_properties()
    hb.shape(font, buf, features or {})
    k = size / upem
    infos, pos = buf.glyph_infos, buf.glyph_positions
    gids = np.fromiter((i.codepoint for i in infos), dtype=np.uint16, count=len(infos))
    clusters = np.fromiter((i.cluster for i in infos), dtype=np.int64, count=len(infos))
    adv = np.fromiter((p.x_advance for p in pos), dtype=np.float64, count=len(pos)) * k
    xoff = np.fromiter((p.x_offset for p in pos), dtype=np.float64, count=len(pos)) * k
    yoff = np.fromiter((p.y_offset for p in pos), dtype=np.float64, count=len(pos)) * k
    return gids, adv, xoff, yoff, clusters, buf.direction


def layout_text(text: str, chain: tuple, size: float, letter_spacing: float = 0.0, line_height: float = 1.25,
                align: str = "center", valign: str = "middle", coverage: str = "strict") -> TextLayout:
    """Lay out ``text`` with the font fallback ``chain`` (tuple of (name, file path))."""
    return _layout(text, tuple(chain), float(size), float(letter_spacing), float(line_height), align, valign,
                   coverage)


@functools.lru_cache(maxsize=1024)
def _layout(text, chain, size, spacing, line_height, align, valign, coverage):
    from .fonts_access import assign_runs

    paths = dict(chain)
    runs, subs = assign_runs(text, tuple(n for n, _ in chain), coverage)
    ascent, descent = _metrics(chain[0][1], size)
    advance_y = line_height * size
    # per character: (line, pen x start, width) filled by shaping, and glyph placements per line
    lines_text = text.split("\n")
    n_lines = len(lines_text)
    glyphs_per_line = [[] for _ in range(n_lines)]  # (font path, gids, xs, ys)
    char_x = np.zeros(len(text))
    char_w = np.zeros(len(text))
    char_line = np.zeros(len(text), dtype=np.int64)
    line_width = np.zeros(n_lines)
    # split font runs further at line breaks
    line_starts = np.cumsum([0] + [len(s) + 1 for s in lines_text])
    pen = np.zeros(n_lines)
    for start, end, name in runs:
        for li in range(n_lines):
            a, b = max(start, line_starts[li]), min(end, line_starts[li] + len(lines_text[li]))
            if a >= b:
                continue
            seg = text[a:b]
            gids, adv, xoff, yoff, clusters, _ = shape_run(paths[name], seg, size)
            # letter spacing after each cluster
            adv = adv.copy()
            if spacing and len(clusters):
                last_of_cluster = np.append(clusters[1:] != clusters[:-1], True)
                adv[last_of_cluster] += spacing
            x = pen[li] + np.concatenate(([0.0], np.cumsum(adv)[:-1]))
            # character extents from clusters (ligatures share their cluster's width evenly)
            order = np.unique(clusters)
            bounds_c = np.append(order[1:], len(seg)) if _increasing(clusters) else None
            for ci, c in enumerate(order):
                sel = clusters == c
                cx0 = x[sel].min()
                cw = adv[sel].sum()
                if bounds_c is not None:
                    span = range(c, bounds_c[ci])
                else:
                    span = range(c, c + 1)
                n = max(1, len(span))
                for j, k in enumerate(span):
                    char_x[a + k] = cx0 + cw * j / n
                    char_w[a + k] = cw / n
                    char_line[a + k] = li
            glyphs_per_line[li].append((paths[name], gids, x + xoff, -yoff, a + clusters))
            pen[li] += adv.sum()
    for li in range(n_lines):
        line_width[li] = pen[li] - (spacing if len(lines_text[li]) else 0.0)
    # alignment and vertical placement
    total_h = ascent + (n_lines - 1) * advance_y + descent
    top = {"top": 0.0, "middle": -total_h / 2, "bottom": -total_h, "baseline": -ascent}[valign]
    # rank of each character among the visible (non-space) ones: the order 'reveal' follows
    visible = np.array([not (ch == "\n" or _is_space(ch)) for ch in text], dtype=bool)
    rank_of = np.cumsum(visible) - visible
    glyph_runs, line_boxes = [], []
    for li in range(n_lines):
        w = line_width[li]
        dx = {"left": 0.0, "center": -w / 2, "right": -w}[align]
        base = top + ascent + li * advance_y
        line_boxes.append((dx, base - ascent, dx + w, base + descent))
        for path, gids, xs, ys, char_idx in glyphs_per_line[li]:
            glyph_runs.append((path, size, gids, xs + dx, ys + base, rank_of[char_idx]))
        sel = char_line == li
        char_x[sel] += dx
    chars = []
    word, in_word = -1, False
    for i, ch in enumerate(text):
        if ch == "\n" or _is_space(ch):
            in_word = False
            continue
        if not in_word:
            word += 1
            in_word = True
        li = int(char_line[i])
        base = top + ascent + li * advance_y
        chars.append(CharBox(i, ch, li, word, (float(char_x[i]), base - ascent,
                                                float(char_x[i] + char_w[i]), base + descent)))
    xs0 = [b[0] for b in line_boxes]
    xs1 = [b[2] for b in line_boxes]
    bounds = (min(xs0), top, max(xs1), top + total_h)
    return TextLayout(glyph_runs, chars, bounds, line_boxes, list(runs), list(subs))


def _increasing(clusters) -> bool:
    return bool(np.all(np.diff(clusters) >= 0))
