"""Math layout for the ``formula`` node: parsed LaTeX subset -> placed glyphs, rules and symbol boxes.

The layout follows TeX's rules as restated for OpenType math fonts (the MATH table; the same
algorithms MathML Core describes): every distance comes from the font's MathConstants scaled to the
current style's font size; stretchy delimiters, radicals and display operators pick the first
MathVariants size variant that is big enough, or build a glyph assembly from parts.

Coordinates: pixels, x right, y down, origin on the baseline at the left edge of the formula.
Layouts are cached per (tex, font files, size, display) in a module-level LRU cache.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from symbolreel import ir
from symbolreel.errors import SceneError

from .parse import ENVIRONMENTS
from .parse import (Accent, Brace, Delimited, Frac, Group, Matrix, MathSyntaxError, Op, Scripts, Space, Sqrt,
                         Sym, TextRun, parse_tex)

# TeX's inter-atom spacing (rows: left atom, columns: right atom) in mu (1/18 em);
# negative = only in display and text styles; None = impossible pair (treated as 0)
_CLASSES = ("ord", "op", "bin", "rel", "open", "close", "punct", "inner")
_SPACING_ROWS = {
    "ord": (0, 3, -4, -5, 0, 0, 0, -3),
    "op": (3, 3, 0, -5, 0, 0, 0, -3),
    "bin": (-4, -4, 0, 0, -4, 0, 0, -4),
    "rel": (-5, -5, 0, 0, -5, 0, 0, -5),
    "open": (0, 0, 0, 0, 0, 0, 0, 0),
    "close": (0, 3, -4, -5, 0, 0, 0, -3),
    "punct": (-3, -3, 0, -3, -3, -3, -3, -3),
    "inner": (-3, 3, -4, -5, -3, 0, -3, -3),
}
NULL_DELIMITER_SPACE = 0.12   # em, TeX's \nulldelimiterspace (1.2pt at 10pt)
DELIMITER_FACTOR = 0.901      # TeX's \delimiterfactor
DELIMITER_SHORTFALL = 0.5     # em, TeX's \delimitershortfall (5pt at 10pt)


# ------------------------------------------------------------------------ fonts

class MathFont:
    """Metrics of one font file read with fontTools: cmap, advances, ink bounds, MATH table data."""

    def __init__(self, path: str):
        from fontTools.ttLib import TTFont  # deferred: fontTools' parser loads when a math font is read

        self.path = path
        f = TTFont(path)
        self.upem = f["head"].unitsPerEm
        self.cmap = f.getBestCmap() or {}
        order = f.getGlyphOrder()
        self.gid = {n: i for i, n in enumerate(order)}
        self.hmtx = f["hmtx"].metrics
        self._glyphset = f.getGlyphSet()
        self._bounds: dict = {}
        self.const: dict = {}
        self.vvariants: dict = {}
        self.hvariants: dict = {}
        self.top_accent: dict = {}
        self.italic: dict = {}
        self.min_overlap = 0
        self.has_math = "MATH" in f
        if self.has_math:
            self._read_math(f["MATH"].table)

    def _read_math(self, m):
        c = m.MathConstants
        for name, v in vars(c).items():
            v = getattr(v, "Value", v)
            if isinstance(v, (int, float)):
                self.const[name] = float(v)
        gi = m.MathGlyphInfo
        if gi is not None:
            if gi.MathItalicsCorrectionInfo is not None:
                info = gi.MathItalicsCorrectionInfo
                for g, rec in zip(info.Coverage.glyphs, info.ItalicsCorrection):
                    self.italic[g] = rec.Value
            if gi.MathTopAccentAttachment is not None:
                info = gi.MathTopAccentAttachment
                for g, rec in zip(info.TopAccentCoverage.glyphs, info.TopAccentAttachment):
                    self.top_accent[g] = rec.Value
        v = m.MathVariants
        if v is not None:
            self.min_overlap = v.MinConnectorOverlap
            for cov, cons, out in ((v.VertGlyphCoverage, v.VertGlyphConstruction, self.vvariants),
                                   (v.HorizGlyphCoverage, v.HorizGlyphConstruction, self.hvariants)):
                if cov is None:
                    continue
                for g, con in zip(cov.glyphs, cons):
                    sizes = [r.VariantGlyph for r in (con.MathGlyphVariantRecord or ())] or [g]
                    parts = None
                    if con.GlyphAssembly is not None:
                        parts = [(p.glyph, p.StartConnectorLength, p.EndConnectorLength, p.FullAdvance,
                                  bool(p.PartFlags & 1)) for p in con.GlyphAssembly.PartRecords]
                    out[g] = (sizes, parts)

    def glyph_for(self, ch: str):
        return self.cmap.get(ord(ch))

    def advance(self, name: str) -> float:
        return float(self.hmtx[name][0])

    def bounds(self, name: str):
        """Ink box (xMin, yMin, xMax, yMax) in font units (y up), or None for an empty glyph."""
        if name not in self._bounds:
            from fontTools.pens.boundsPen import BoundsPen  # deferred with TTFont

            pen = BoundsPen(self._glyphset)
            self._glyphset[name].draw(pen)
            self._bounds[name] = pen.bounds
        return self._bounds[name]


@functools.lru_cache(maxsize=16)
def math_font(path: str) -> MathFont:
    return MathFont(path)


# --------------------------------------------------------------- math alphabets

_DOUBLE_STRUCK_EXCEPTIONS = {"C": 0x2102, "H": 0x210D, "N": 0x2115, "P": 0x2119, "Q": 0x211A, "R": 0x211D,
                             "Z": 0x2124}
# letters that were in Unicode before the Mathematical Alphanumeric Symbols block (their slots there
# are reserved holes): script, fraktur
_SCRIPT_EXCEPTIONS = {"B": 0x212C, "E": 0x2130, "F": 0x2131, "H": 0x210B, "I": 0x2110, "L": 0x2112, "M": 0x2133,
                      "R": 0x211B, "e": 0x212F, "g": 0x210A, "o": 0x2134}
_FRAKTUR_EXCEPTIONS = {"C": 0x212D, "H": 0x210C, "I": 0x2111, "R": 0x211C, "Z": 0x2128}
# alphabet: (capital A, small a, digit 0 or None, exceptions)
_ALPHABETS = {"cal": (0x1D49C, 0x1D4B6, None, _SCRIPT_EXCEPTIONS),
              "frak": (0x1D504, 0x1D51E, None, _FRAKTUR_EXCEPTIONS),
              "sf": (0x1D5A0, 0x1D5BA, 0x1D7E2, {}),
              "tt": (0x1D670, 0x1D68A, 0x1D7F6, {})}
_ITALIC_GREEK_EXTRA = {0x3F5: 0x1D716, 0x3D1: 0x1D717, 0x3F0: 0x1D718, 0x3D5: 0x1D719, 0x3F1: 0x1D71A,
                       0x3D6: 0x1D71B}


def alphabet_char(ch: str, alphabet: str) -> str:
    """The Mathematical Alphanumeric Symbols character for ``ch`` in ``alphabet`` (or ``ch``)."""
    cp = ord(ch)
    if alphabet == "it":
        if ch == "h":
            return "\u210e"
        if "a" <= ch <= "z":
            return chr(0x1D44E + cp - 0x61)
        if "A" <= ch <= "Z":
            return chr(0x1D434 + cp - 0x41)
        if 0x3B1 <= cp <= 0x3C9:
            return chr(0x1D6FC + cp - 0x3B1)
        if cp in _ITALIC_GREEK_EXTRA:
            return chr(_ITALIC_GREEK_EXTRA[cp])
    elif alphabet == "bf":
        if "a" <= ch <= "z":
            return chr(0x1D41A + cp - 0x61)
        if "A" <= ch <= "Z":
            return chr(0x1D400 + cp - 0x41)
        if "0" <= ch <= "9":
            return chr(0x1D7CE + cp - 0x30)
    elif alphabet == "bb":
        if ch in _DOUBLE_STRUCK_EXCEPTIONS:
            return chr(_DOUBLE_STRUCK_EXCEPTIONS[ch])
        if "a" <= ch <= "z":
            return chr(0x1D552 + cp - 0x61)
        if "A" <= ch <= "Z":
            return chr(0x1D538 + cp - 0x41)
        if "0" <= ch <= "9":
            return chr(0x1D7D8 + cp - 0x30)
    elif alphabet in _ALPHABETS:
        cap, small, digit, exceptions = _ALPHABETS[alphabet]
        if ch in exceptions:
            return chr(exceptions[ch])
        if "A" <= ch <= "Z":
            return chr(cap + cp - 0x41)
        if "a" <= ch <= "z":
            return chr(small + cp - 0x61)
        if digit is not None and "0" <= ch <= "9":
            return chr(digit + cp - 0x30)
    return ch


# ------------------------------------------------------------------------ boxes

class Box:
    """A laid-out piece: width, height above and depth below its baseline, and what it draws.

    ``glyphs``: [x, y, font index, glyph name, font size, symbol index] (y down, baseline y = 0);
    ``rules``: [x0, y0, x1, y1, symbol index]; ``ic``: italic correction (where superscripts attach).
    """

    __slots__ = ("w", "h", "d", "glyphs", "rules", "ic")

    def __init__(self, w=0.0, h=0.0, d=0.0):
        self.w, self.h, self.d, self.ic = w, h, d, 0.0
        self.glyphs: list = []
        self.rules: list = []

    def put(self, other: "Box", x: float, up: float = 0.0):
        """Draw ``other`` with its origin at (x, baseline raised by ``up``); grows h/d (not w)."""
        for g in other.glyphs:
            self.glyphs.append([g[0] + x, g[1] - up, g[2], g[3], g[4], g[5]])
        for r in other.rules:
            self.rules.append([r[0] + x, r[1] - up, r[2] + x, r[3] - up, r[4]])
        self.h = max(self.h, other.h + up)
        self.d = max(self.d, other.d - up)


@dataclass
class FormulaLayout:
    """Result of a layout: what to draw and the symbol boxes for annotations (local pixels)."""

    tex: str
    glyph_runs: list      # (font path, size, glyph ids uint16, xs, ys)
    rules: list           # (x0, y0, x1, y1, label)
    symbols: list         # (char, (x0, y0, x1, y1)) ink box of each drawn symbol
    width: float
    height: float
    depth: float
    ink: tuple            # union of symbol boxes (x0, y0, x1, y1)
    _blobs: list = field(default=None, repr=False)  # the glyph runs, once built

    def runs(self) -> list:
        """One display-list glyph run per (font, size), built once per layout (so backends cache them)."""
        if self._blobs is None:
            out = []
            for path, size, gids, xs, ys in self.glyph_runs:
                xf = np.zeros((len(gids), 4))
                xf[:, 0] = 1.0
                xf[:, 2] = xs
                xf[:, 3] = ys
                out.append(ir.GlyphRun(path, size, np.asarray(gids), xf))
            self._blobs = out
        return self._blobs

    def offset(self, align: str, valign: str) -> tuple:
        """Shift (dx, dy) that places the formula's box relative to the node origin."""
        dx = {"left": 0.0, "center": -self.width / 2, "right": -self.width}[align]
        dy = {"top": self.height, "middle": (self.height - self.depth) / 2, "baseline": 0.0,
              "bottom": -self.depth}[valign]
        return dx, dy


# ----------------------------------------------------------------------- engine

class _Chain:
    """Fonts of a fallback chain, each loaded only when a character needs it."""

    def __init__(self, paths: tuple):
        self.paths = paths
        self._loaded: dict = {}

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i: int) -> MathFont:
        if i not in self._loaded:
            self._loaded[i] = math_font(self.paths[i])
        return self._loaded[i]

    def __iter__(self):
        return (self[i] for i in range(len(self.paths)))


class _Engine:
    def __init__(self, font_paths: tuple, size: float, field_name: str):
        self.fonts = _Chain(font_paths)
        self.mf = self.fonts[0]
        if not self.mf.has_math:
            name = font_paths[0].rsplit("/", 1)[-1]
            raise SceneError(f"the first font of the chain ({name}) has no OpenType MATH table, which formula "
                             "layout needs; use the bundled alias 'math' (or a math font first in the chain)",
                             ("font",))
        self.size = size
        self.field = field_name
        self.symbols: list = []   # source character (or rule label) per symbol

    # -- helpers
    def fsize(self, style: int) -> float:
        if style == 2:
            return self.size * self.mf.const.get("ScriptPercentScaleDown", 70) / 100
        if style == 3:
            return self.size * self.mf.const.get("ScriptScriptPercentScaleDown", 50) / 100
        return self.size

    def c(self, name: str, style: int) -> float:
        return self.mf.const.get(name, 0.0) * self.fsize(style) / self.mf.upem

    def error(self, msg):
        raise SceneError(msg, (self.field,))

    def find(self, ch: str):
        for i, f in enumerate(self.fonts):
            name = f.glyph_for(ch)
            if name is not None:
                return i, name
        return None

    def new_symbol(self, char: str) -> int:
        self.symbols.append(char)
        return len(self.symbols) - 1

    def glyph_box(self, fi: int, name: str, fs: float, sym: int) -> Box:
        f = self.fonts[fi]
        k = fs / f.upem
        b = Box(f.advance(name) * k)
        ink = f.bounds(name)
        if ink is not None:
            b.h, b.d = max(ink[3] * k, 0.0), max(-ink[1] * k, 0.0)
        b.glyphs.append([0.0, 0.0, fi, name, fs, sym])
        return b

    def char_box(self, ch: str, style: int, source: str, alphabet: str = "rm") -> Box:
        fs = self.fsize(style)
        found = None
        mapped = alphabet_char(ch, alphabet)
        if mapped != ch:
            found = self.find(mapped)
        if found is None:
            found = self.find(ch)
        if found is None:
            names = ", ".join(p.rsplit("/", 1)[-1] for p in self.fonts.paths)
            self.error(f"the character {ch!r} (U+{ord(ch):04X}) is not in the font(s) {names}")
        return self.glyph_box(found[0], found[1], fs, self.new_symbol(source or ch))

    def ink(self, box: Box):
        """Tight ink extents of a box's glyphs from the font: (top above the baseline, depth below
        it); either may be negative (ink wholly below or above the baseline)."""
        top = depth = -math.inf
        for g in box.glyphs:
            f = self.fonts[g[2]]
            b = f.bounds(g[3])
            if b:
                k = g[4] / f.upem
                top, depth = max(top, b[3] * k - g[1]), max(depth, -b[1] * k + g[1])
        return (top, depth) if top > -math.inf else (0.0, 0.0)

    # -- stretchy glyphs
    def stretch(self, ch: str, target: float, style: int, source: str, horizontal: bool = False) -> Box:
        """A glyph for ``ch`` at least ``target`` tall (or wide, ``horizontal``: braces) in ink, from
        the font's size variants or an assembly of its parts."""
        fs = self.fsize(style)
        found = self.find(ch)
        if found is None:
            what = "character" if horizontal else "delimiter"
            self.error(f"the {what} {ch!r} (U+{ord(ch):04X}) is not in the math font")
        fi, name = found
        f = self.fonts[fi]
        k = fs / f.upem
        sym = self.new_symbol(source)
        sizes, parts = (f.hvariants if horizontal else f.vvariants).get(name, ([name], None))
        lo, hi = (0, 2) if horizontal else (1, 3)      # the ink extent along the stretch
        for v in sizes:
            b = f.bounds(v)
            if b is not None and (b[hi] - b[lo]) * k >= target:
                return self.glyph_box(fi, v, fs, sym)
        if parts:
            return (self.assemble_h if horizontal else self.assemble)(fi, parts, target, fs, sym)
        return self.glyph_box(fi, sizes[-1], fs, sym)  # largest variant (documented limitation)

    @staticmethod
    def _assembly(parts, goal, min_ov):
        """The parts to join (extenders repeated as few times as reach ``goal`` font units) and the
        overlap between neighbours, spread evenly within what the connectors allow."""
        seq = []
        for reps in range(1, 64):
            seq = [p for p in parts for _ in range(reps if p[4] else 1)]
            total = sum(p[3] for p in seq)
            if len(seq) == 1 or total - (len(seq) - 1) * min_ov >= goal:
                break
        n = len(seq)
        total = sum(p[3] for p in seq)
        if n > 1:
            max_ov = min(min(a[2], b[1]) for a, b in zip(seq, seq[1:]))
            ov = (total - goal) / (n - 1)
            ov = max(min_ov, min(ov, max(max_ov, min_ov)))
        else:
            ov = 0.0
        return seq, ov

    def assemble(self, fi, parts, target, fs, sym) -> Box:
        f = self.fonts[fi]
        k = fs / f.upem
        seq, ov = self._assembly(parts, target / k, f.min_overlap)
        box = Box(max(f.advance(p[0]) for p in seq) * k)
        pos = 0.0  # font units, bottom of the current part (y up)
        for p in seq:
            box.glyphs.append([0.0, -pos * k, fi, p[0], fs, sym])
            pos += p[3] - ov
        top = pos + ov
        # parts are drawn with their baseline at the part's bottom; ink extents of the whole stack:
        b0 = f.bounds(seq[0][0])
        bottom = b0[1] if b0 else 0.0
        box.h, box.d = top * k, max(-bottom * k, 0.0)
        return box

    def assemble_h(self, fi, parts, target, fs, sym) -> Box:
        """Horizontal assembly (braces): parts joined left to right."""
        f = self.fonts[fi]
        k = fs / f.upem
        seq, ov = self._assembly(parts, target / k, f.min_overlap)
        box = Box()
        pos = 0.0  # font units, left of the current part
        for p in seq:
            box.glyphs.append([pos * k, 0.0, fi, p[0], fs, sym])
            ink = f.bounds(p[0])
            if ink is not None:
                box.h, box.d = max(box.h, ink[3] * k), max(box.d, -ink[1] * k)
            pos += p[3] - ov
        box.w = (pos + ov) * k
        return box

    def centred_on_axis(self, box: Box, style: int) -> Box:
        top, depth = self.ink(box) if len(box.glyphs) == 1 else (box.h, box.d)
        shift = self.c("AxisHeight", style) - (top - depth) / 2
        out = Box(box.w)
        out.put(box, 0.0, shift)
        out.h, out.d = top + shift, depth - shift
        out.ic = box.ic
        return out

    # -- lists
    def hlist(self, items, style: int, cramped: bool) -> Box:
        atoms = []
        for it in items:
            if isinstance(it, Space):
                atoms.append(["space", (it.em + it.mu / 18.0) * self.fsize(style)])
            else:
                cls, box = self.atom(it, style, cramped)
                atoms.append([cls, box])
        real = [a for a in atoms if a[0] != "space"]
        for i, a in enumerate(real):
            if a[0] == "bin":
                prev = real[i - 1][0] if i else None
                nxt = real[i + 1][0] if i + 1 < len(real) else None
                if prev in (None, "bin", "op", "rel", "open", "punct") or nxt in (None, "rel", "close", "punct"):
                    a[0] = "ord"
        out = Box()
        x, prev = 0.0, None
        mu = self.fsize(style) / 18.0
        for cls, item in atoms:
            if cls == "space":
                x += item
                continue
            if prev is not None:
                sp = _SPACING_ROWS[prev][_CLASSES.index(cls)]
                if sp > 0 or (sp < 0 and style <= 1):
                    x += abs(sp) * mu
            out.put(item, x)
            x += item.w
            prev = cls
        out.w = x
        if len(atoms) == 1 and atoms[0][0] != "space":
            out.ic = atoms[0][1].ic
        return out

    def atom(self, it, style: int, cramped: bool):
        if isinstance(it, Sym):
            return it.cls, self.char_box(it.text, style, it.source, it.alphabet)
        if isinstance(it, Group):
            return "ord", self.hlist(it.items, style, cramped)
        if isinstance(it, Scripts):
            return self.scripts(it, style, cramped)
        if isinstance(it, Op):
            return "op", self.op(it, style, scripts=False)
        if isinstance(it, Frac):
            return "inner", self.frac(it, style, cramped)
        if isinstance(it, Sqrt):
            return "ord", self.sqrt(it, style)
        if isinstance(it, Accent):
            return "ord", self.accent(it, style, cramped)
        if isinstance(it, Brace):
            return "ord", self.brace(it, style, cramped)
        if isinstance(it, Delimited):
            inner = self.hlist(it.body.items, style, cramped)
            return "inner", self.fence(it.left, inner, it.right, style)
        if isinstance(it, Matrix):
            return "inner", self.matrix(it, style)
        if isinstance(it, TextRun):
            return "ord", self.text(it.text, style)
        raise AssertionError(type(it))

    # -- constructs
    def text(self, s: str, style: int) -> Box:
        out = Box()
        x = 0.0
        for ch in s:
            if ch == " ":
                sp = self.find(" ")
                x += self.fonts[sp[0]].advance(sp[1]) * self.fsize(style) / self.fonts[sp[0]].upem if sp \
                    else 0.25 * self.fsize(style)
                continue
            b = self.char_box(ch, style, ch)
            out.put(b, x)
            x += b.w
        out.w = x
        return out

    def op(self, it: Op, style: int, scripts: bool) -> Box:
        if it.name:
            box = Box()
            x = 0.0
            for ch in it.name:
                if ch == "\u2009":
                    x += self.fsize(style) / 6
                    continue
                b = self.char_box(ch, style, ch)
                box.put(b, x)
                x += b.w
            box.w = x
            return box
        fs = self.fsize(style)
        found = self.find(it.text)
        if found is None:
            self.error(f"the operator {it.text!r} is not in the math font")
        fi, name = found
        f = self.fonts[fi]
        sym = self.new_symbol(it.text)
        if style == 0 and name in f.vvariants:
            want = f.const.get("DisplayOperatorMinHeight", 0.0)
            sizes = f.vvariants[name][0]
            pick = sizes[-1]
            for v in sizes:
                b = f.bounds(v)
                if b is not None and b[3] - b[1] >= want:
                    pick = v
                    break
            name = pick
        box = self.glyph_box(fi, name, fs, sym)
        k = fs / f.upem
        ink = f.bounds(name)
        # italic correction: from the MATH table, else how far the ink overhangs the advance
        ic = f.italic.get(name, (ink[2] - f.advance(name)) if ink else 0.0) * k
        box.ic = max(ic, 0.0)
        box = self.centred_on_axis(box, style)
        if not scripts:
            box.w += box.ic
        return box

    def scripts(self, it: Scripts, style: int, cramped: bool):
        base = it.base
        if isinstance(base, Brace):   # the script labels the brace: above an overbrace, below an underbrace
            return "ord", self.limits(self.brace(base, style, cramped), it, style, cramped)
        if isinstance(base, Op):
            limits = base.limits is True or (base.limits is None and style == 0)
            bbox = self.op(base, style, scripts=True)
            cls = "op"
            if limits:
                return cls, self.limits(bbox, it, style, cramped)
        else:
            cls, bbox = self.atom(base, style, cramped)
        primes = []
        if it.sup is not None:  # x' : the font's prime glyph is designed to sit after the base at full size
            while len(primes) < len(it.sup.items) and isinstance(it.sup.items[len(primes)], Sym) and \
                    it.sup.items[len(primes)].text == "\u2032":
                primes.append(it.sup.items[len(primes)])
        if primes:
            merged = Box()
            merged.put(bbox, 0.0)
            x = bbox.w + bbox.ic
            for p in primes:
                b = self.char_box(p.text, style, p.source)
                merged.put(b, x)
                x += b.w
            merged.w = x
            bbox = merged
            rest = it.sup.items[len(primes):]
            it = Scripts(base, Group(rest) if rest else None, it.sub)
            if it.sup is None and it.sub is None:
                return cls, bbox
        sstyle = 2 if style < 2 else 3
        sup = self.hlist(it.sup.items, sstyle, cramped) if it.sup is not None else None
        sub = self.hlist(it.sub.items, sstyle, True) if it.sub is not None else None
        c = functools.partial(self.c, style=style)
        u = v = 0.0
        if sup is not None:
            u = max(c("SuperscriptShiftUpCramped" if cramped else "SuperscriptShiftUp"),
                    bbox.h - c("SuperscriptBaselineDropMax"), sup.d + c("SuperscriptBottomMin"))
        if sub is not None:
            v = max(c("SubscriptShiftDown"), bbox.d + c("SubscriptBaselineDropMin"))
            if sup is None:
                v = max(v, sub.h - c("SubscriptTopMax"))
        if sup is not None and sub is not None:
            gap = (u - sup.d) - (sub.h - v)
            need = c("SubSuperscriptGapMin") - gap
            if need > 0:
                raise_sup = max(0.0, min(need, c("SuperscriptBottomMaxWithSubscript") - (u - sup.d)))
                u += raise_sup
                v += need - raise_sup
        out = Box()
        out.put(bbox, 0.0)
        w = 0.0
        if sup is not None:
            out.put(sup, bbox.w + bbox.ic, u)
            w = bbox.ic + sup.w
        if sub is not None:
            out.put(sub, bbox.w, -v)
            w = max(w, sub.w)
        out.w = bbox.w + w + c("SpaceAfterScript")
        return cls, out

    def limits(self, op: Box, it: Scripts, style: int, cramped: bool) -> Box:
        sstyle = 2 if style < 2 else 3
        sup = self.hlist(it.sup.items, sstyle, cramped) if it.sup is not None else None
        sub = self.hlist(it.sub.items, sstyle, True) if it.sub is not None else None
        c = functools.partial(self.c, style=style)
        w = max(op.w, sup.w if sup else 0.0, sub.w if sub else 0.0)
        out = Box(w)
        out.put(op, (w - op.w) / 2)
        if sup is not None:
            up = op.h + max(c("UpperLimitGapMin"), c("UpperLimitBaselineRiseMin") - sup.d) + sup.d
            out.put(sup, (w - sup.w) / 2 + op.ic / 2, up)
        if sub is not None:
            down = op.d + max(c("LowerLimitGapMin"), c("LowerLimitBaselineDropMin") - sub.h) + sub.h
            out.put(sub, (w - sub.w) / 2 - op.ic / 2, -down)
        return out

    def frac(self, it: Frac, style: int, cramped: bool) -> Box:
        st = {"d": 0, "t": 1}.get(it.style, style)
        ns = {0: 1, 1: 2, 2: 3, 3: 3}[st]
        num = self.hlist(it.num.items, ns, cramped)
        den = self.hlist(it.den.items, ns, True)
        c = functools.partial(self.c, style=st)
        axis = c("AxisHeight")
        disp = st == 0
        if it.rule:
            t = c("FractionRuleThickness")
            nu = max(c("FractionNumeratorDisplayStyleShiftUp" if disp else "FractionNumeratorShiftUp"),
                     axis + t / 2 + c("FractionNumDisplayStyleGapMin" if disp else "FractionNumeratorGapMin")
                     + num.d)
            dd = max(c("FractionDenominatorDisplayStyleShiftDown" if disp else "FractionDenominatorShiftDown"),
                     den.h + c("FractionDenomDisplayStyleGapMin" if disp else "FractionDenominatorGapMin")
                     - (axis - t / 2))
        else:
            nu = c("StackTopDisplayStyleShiftUp" if disp else "StackTopShiftUp")
            dd = c("StackBottomDisplayStyleShiftDown" if disp else "StackBottomShiftDown")
            gap = (nu - num.d) - (den.h - dd)
            need = c("StackDisplayStyleGapMin" if disp else "StackGapMin") - gap
            if need > 0:
                nu += need / 2
                dd += need / 2
        pad = NULL_DELIMITER_SPACE * self.fsize(st) if not it.delims else 0.0
        w = max(num.w, den.w)
        out = Box(w + 2 * pad)
        out.put(num, pad + (w - num.w) / 2, nu)
        out.put(den, pad + (w - den.w) / 2, -dd)
        if it.rule:
            out.rules.append([pad, -(axis + t / 2), pad + w, -(axis - t / 2), self.new_symbol("frac_bar")])
            out.h = max(out.h, axis + t / 2)
        if it.delims:
            return self.fence(it.delims[0], out, it.delims[1], st)
        return out

    def sqrt(self, it: Sqrt, style: int) -> Box:
        body = self.hlist(it.body.items, style, True)
        c = functools.partial(self.c, style=style)
        t = c("RadicalRuleThickness")
        gap = c("RadicalDisplayStyleVerticalGap" if style == 0 else "RadicalVerticalGap")
        target = body.h + body.d + gap + t
        rad = self.stretch("\u221a", target, style, "\u221a")
        rtop, rdepth = self.ink(rad) if len(rad.glyphs) == 1 else (rad.h, rad.d)
        total = rtop + rdepth
        if total > target:
            gap += (total - target) / 2
        top = body.h + gap + t          # top of the rule and of the radical's ink
        shift = top - rtop
        x0 = 0.0
        idx = None
        if it.index is not None:
            idx = self.hlist(it.index.items, 3, True)
            x0 = c("RadicalKernBeforeDegree") + idx.w + c("RadicalKernAfterDegree")
        lead = max(0.0, -x0) if idx is not None else 0.0
        out = Box()
        if idx is not None:
            raise_by = self.mf.const.get("RadicalDegreeBottomRaisePercent", 60) / 100 * total
            out.put(idx, lead + c("RadicalKernBeforeDegree"), shift - rdepth + raise_by)
        x0 = x0 + lead if idx is not None else 0.0
        out.put(rad, x0, shift)
        out.put(body, x0 + rad.w)
        out.rules.append([x0 + rad.w, -top, x0 + rad.w + body.w, -(top - t), self.new_symbol("sqrt_bar")])
        out.w = x0 + rad.w + body.w
        out.h = max(out.h, top + c("RadicalExtraAscender"))
        out.d = max(out.d, rdepth - shift)
        return out

    def accent(self, it: Accent, style: int, cramped: bool) -> Box:
        body = self.hlist(it.body.items, style, True)
        c = functools.partial(self.c, style=style)
        out = Box(body.w)
        out.put(body, 0.0)
        if it.accent == "overline":
            t, gap = c("OverbarRuleThickness"), c("OverbarVerticalGap")
            out.rules.append([0.0, -(body.h + gap + t), body.w, -(body.h + gap), self.new_symbol("overline")])
            out.h = body.h + gap + t + c("OverbarExtraAscender")
            return out
        if it.accent == "underline":
            t, gap = c("UnderbarRuleThickness"), c("UnderbarVerticalGap")
            out.rules.append([0.0, body.d + gap, body.w, body.d + gap + t, self.new_symbol("underline")])
            out.d = body.d + gap + t + c("UnderbarExtraDescender")
            return out
        fs = self.fsize(style)
        found = self.find(it.accent)
        if found is None:
            self.error(f"the accent U+{ord(it.accent):04X} is not in the math font")
        fi, name = found
        f = self.fonts[fi]
        k = fs / f.upem
        if len(body.glyphs) > 1 and name in f.hvariants:   # wide base: a wider accent variant
            for v in f.hvariants[name][0]:
                name = v
                b = f.bounds(v)
                if b is not None and (b[2] - b[0]) * k >= body.w * 0.9:
                    break
        acc = self.glyph_box(fi, name, fs, self.new_symbol(it.source))
        ink = f.bounds(name) or (0, 0, 0, 0)
        ax = f.top_accent.get(name, (ink[0] + ink[2]) / 2) * k
        if len(body.glyphs) == 1 and not body.rules:
            g = body.glyphs[0]
            bf = self.fonts[g[2]]
            bk = g[4] / bf.upem
            bink = bf.bounds(g[3]) or (0, 0, bf.advance(g[3]), 0)
            bx = g[0] + bf.top_accent.get(g[3], (bink[0] + bink[2]) / 2) * bk
        else:
            bx = body.w / 2
        up = max(0.0, body.h - c("AccentBaseHeight"))
        out.put(acc, bx - ax, up)
        out.w = body.w
        return out

    def brace(self, it: Brace, style: int, cramped: bool) -> Box:
        """A horizontal brace stretched over (or under) its body, spaced by the font's stretch-stack gaps."""
        body = self.hlist(it.body.items, style, cramped)
        ch = "\u23de" if it.over else "\u23df"
        br = self.stretch(ch, body.w, style, ch, horizontal=True)
        top, depth = self.ink(br)
        br.h, br.d = top, depth        # the brace's own ink, which may sit wholly off its baseline
        out = Box(max(body.w, br.w))
        out.put(body, (out.w - body.w) / 2)
        if it.over:
            out.put(br, (out.w - br.w) / 2, body.h + self.c("StretchStackGapBelowMin", style) + depth)
        else:
            out.put(br, (out.w - br.w) / 2, -(body.d + self.c("StretchStackGapAboveMin", style) + top))
        return out

    def fence(self, left: str, inner: Box, right: str, style: int) -> Box:
        axis = self.c("AxisHeight", style)
        delta = max(inner.h - axis, inner.d + axis)
        em = self.fsize(style)
        target = max(2 * delta * DELIMITER_FACTOR, 2 * delta - DELIMITER_SHORTFALL * em)
        out = Box()
        x = 0.0
        for ch in (left, None, right):
            if ch is None:
                out.put(inner, x)
                x += inner.w
            elif ch == "":
                x += NULL_DELIMITER_SPACE * em
            else:
                b = self.centred_on_axis(self.stretch(ch, target, style, ch), style)
                out.put(b, x)
                x += b.w
        out.w = x
        return out

    def matrix(self, it: Matrix, style: int) -> Box:
        """Matrices, cases, and the display environments aligned (columns in pairs, right then
        left aligned, meeting at the relation) and gathered (centred rows)."""
        aligned, gathered = it.env == "aligned", it.env == "gathered"
        cs = style if aligned or gathered else max(style, 1)
        em = self.fsize(cs)
        cases = it.env == "cases"
        # "&= b": an empty atom before the relation gives it its spacing on both sides, as in TeX
        cells = [[self.hlist(([Group([])] if aligned and j % 2 else []) + list(cell.items), cs, False)
                  for j, cell in enumerate(row)] for row in it.rows]
        ncols = max(len(r) for r in cells)
        colw = [max((r[j].w for r in cells if j < len(r)), default=0.0) for j in range(ncols)]
        stretch = 1.2 if cases else 1.0
        strut_h, strut_d = 0.7 * 1.2 * em * stretch, 0.3 * 1.2 * em * stretch
        if aligned or gathered:                 # plus a jot between display lines
            strut_h, strut_d = strut_h + 0.1 * em, strut_d + 0.1 * em
        heights = [max([strut_h] + [b.h for b in r]) for r in cells]
        depths = [max([strut_d] + [b.d for b in r]) for r in cells]
        # the space after column j: none inside an aligned pair, two quads between pairs
        colsep = [(0.0 if j % 2 == 0 else 2 * em) if aligned else em for j in range(ncols)]
        total = sum(heights) + sum(depths)
        axis = self.c("AxisHeight", style)
        top = total / 2 + axis
        out = Box(sum(colw) + sum(colsep[:-1]))
        y = top
        for r, row in enumerate(cells):
            base = y - heights[r]
            x = 0.0
            for j, b in enumerate(row):
                if cases or (aligned and j % 2):
                    dx = 0.0
                elif aligned:
                    dx = colw[j] - b.w
                else:
                    dx = (colw[j] - b.w) / 2
                out.put(b, x + dx, base)
                x += colw[j] + colsep[j]
            y = base - depths[r]
        out.h, out.d = top, total - top
        left, right = ENVIRONMENTS[it.env]
        if not left and not right:
            return out
        return self.fence(left, out, right, style)


def _finish(eng: _Engine, box: Box, tex: str) -> FormulaLayout:
    runs: dict = {}
    symbols: dict = {}
    for x, y, fi, name, fs, sym in box.glyphs:
        f = eng.fonts[fi]
        key = (f.path, round(fs, 6))
        runs.setdefault(key, []).append((f.gid[name], x, y))
        ink = f.bounds(name)
        if ink is not None:
            k = fs / f.upem
            bb = (x + ink[0] * k, y - ink[3] * k, x + ink[2] * k, y - ink[1] * k)
            symbols.setdefault(sym, []).append(bb)
    rules = []
    for x0, y0, x1, y1, sym in box.rules:
        rules.append((x0, y0, x1, y1, eng.symbols[sym]))
        symbols.setdefault(sym, []).append((x0, y0, x1, y1))
    glyph_runs = []
    for (path, fs), items in runs.items():
        gids = np.array([g for g, _, _ in items], dtype=np.uint16)
        xs = np.array([x for _, x, _ in items], dtype=np.float64)
        ys = np.array([y for _, _, y in items], dtype=np.float64)
        glyph_runs.append((path, fs, gids, xs, ys))
    out_symbols = []
    for sym in sorted(symbols):
        boxes = symbols[sym]
        out_symbols.append((eng.symbols[sym], (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                               max(b[2] for b in boxes), max(b[3] for b in boxes))))
    if out_symbols:
        ink = (min(b[0] for _, b in out_symbols), min(b[1] for _, b in out_symbols),
               max(b[2] for _, b in out_symbols), max(b[3] for _, b in out_symbols))
    else:
        ink = (0.0, -box.h, box.w, box.d)
    return FormulaLayout(tex, glyph_runs, rules, out_symbols, box.w, box.h, box.d, ink)


def layout_formula(tex: str, font_paths: tuple, size: float, display: bool = True,
                   field_name: str = "tex") -> FormulaLayout:
    """Parse and lay out ``tex`` with the font chain ``font_paths`` (the first MATH font drives layout).

    Raises ``SceneError`` with path ``(field_name,)`` for syntax errors and missing glyphs.
    """
    return _layout(tex, tuple(font_paths), float(size), bool(display), field_name)


@functools.lru_cache(maxsize=256)
def _layout(tex, font_paths, size, display, field_name):
    try:
        tree = parse_tex(tex)
    except MathSyntaxError as exc:
        raise SceneError(str(exc), (field_name,)) from None
    if not font_paths:
        raise SceneError("empty font chain", ("font",))
    eng = _Engine(font_paths, size, field_name)
    box = eng.hlist(tree.items, 0 if display else 1, False)
    return _finish(eng, box, tex)
