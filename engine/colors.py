"""Colour parsing and formatting. Colours are straight-alpha RGBA tuples of floats in 0..1."""
from __future__ import annotations

import re

import webcolors

from .errors import did_you_mean

_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_FUNC = re.compile(r"^(rgba?)\(\s*([^)]*)\)$")

EXPECTED = "a colour: '#RRGGBB', '#RRGGBBAA', 'rgb(r, g, b)', 'rgba(r, g, b, a)', a CSS name, or [r, g, b, a] in 0..1"


def parse_colour(value) -> tuple:
    """Parse a colour in any accepted form; raises ValueError describing the accepted forms."""
    if isinstance(value, (list, tuple)):
        if len(value) in (3, 4) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            vals = [float(v) for v in value] + ([1.0] if len(value) == 3 else [])
            if all(0.0 <= v <= 1.0 for v in vals):
                return tuple(vals)
            raise ValueError(f"colour components must be in 0..1, found {list(value)}")
        raise ValueError(f"expected {EXPECTED}")
    if not isinstance(value, str):
        raise ValueError(f"expected {EXPECTED}")
    hit = _PARSED.get(value)
    if hit is not None:
        return hit
    out = _parse_text(value)
    if len(_PARSED) >= 4096:
        _PARSED.clear()
    _PARSED[value] = out
    return out


# colour text -> parsed tuple: a dataset names the same few colours in thousands of scenes
_PARSED: dict = {}


def _parse_text(value: str) -> tuple:
    s = value.strip()
    m = _HEX.match(s)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) == 6:
            h += "ff"
        return tuple(int(h[i:i + 2], 16) / 255.0 for i in range(0, 8, 2))
    m = _FUNC.match(s)
    if m:
        fn, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        want = 3 if fn == "rgb" else 4
        if len(args) != want:
            raise ValueError(f"{fn}() takes {want} values, found {len(args)} in {value!r}")
        try:
            rgb = [_channel(a) for a in args[:3]]
            alpha = _alpha(args[3]) if want == 4 else 1.0
        except ValueError as exc:
            raise ValueError(f"bad {fn}() colour {value!r}: {exc}") from None
        return (*rgb, alpha)
    try:
        hx = webcolors.name_to_hex(s.lower())
    except ValueError:
        names = webcolors.names("css3")
        raise ValueError(f"unknown colour {value!r}{did_you_mean(s.lower(), names)}; expected {EXPECTED}") from None
    return parse_colour(hx)


def _channel(text: str) -> float:
    if text.endswith("%"):
        v = float(text[:-1]) / 100.0
    else:
        v = float(text) / 255.0
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"channel {text!r} out of range 0..255")
    return v


def _alpha(text: str) -> float:
    v = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"alpha {text!r} out of range 0..1")
    return v


def format_colour(rgba) -> str | list:
    """Canonical text for a colour; exact 8-bit colours become hex, others stay float lists."""
    hit = _FORMATTED.get(rgba) if type(rgba) is tuple else None
    if hit is not None:
        return hit
    q = [round(c * 255) for c in rgba]
    if all(qi / 255.0 == c for qi, c in zip(q, rgba)):
        text = "#" + "".join(f"{v:02X}" for v in q)
        text = text[:7] if q[3] == 255 else text
        if type(rgba) is tuple:
            if len(_FORMATTED) >= 4096:
                _FORMATTED.clear()
            _FORMATTED[rgba] = text
        return text
    return [float(c) for c in rgba]


# parsed colour -> its hex text (exported with every scene that is checked against limits)
_FORMATTED: dict = {}


def to_skia_color4f(rgba):
    import skia  # deferred: parsing colours never loads Skia (light imports)

    return skia.Color4f(*rgba)


def to_argb32(rgba) -> int:
    r, g, b, a = (min(255, max(0, int(round(c * 255)))) for c in rgba)
    return (a << 24) | (r << 16) | (g << 8) | b
