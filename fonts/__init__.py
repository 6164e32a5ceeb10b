"""Bundled fonts of symbolreel and the font registry.

Fonts come from a closed, sha256-pinned set in this folder (see README.md and manifest.json), loaded
by file, never by asking the system. Names are short and stable (``noto-sans``, ``noto-sans-sc``,
``stix-math``, ...); aliases (``sans``, ``serif-bold``, ``kai``, ``math``, ...) expand to fallback chains::

    from symbolreel import fonts
    fonts.resolve("sans")                  # ['noto-sans', 'noto-sans-sc', 'noto-sans-arabic', ...]
    fonts.font_path("noto-sans-sc")        # Path, checked against its sha256 pin
    runs, subs = fonts.default_registry().assign("Hello 你好", "sans")
"""
from __future__ import annotations

import functools
import json

from .registry import (FONT_DIR, FontError, FontRecord, FontRegistry, MissingGlyphError, default_registry,
                       manifest, sha256_file)

__all__ = [
    "FONT_DIR", "FontError", "FontRecord", "FontRegistry", "MissingGlyphError", "default_registry", "manifest",
    "names", "font_path", "resolve", "charset", "sha256_file",
]


def names() -> list:
    """Font names known to the default registry (bundled ones in manifest order, then user fonts)."""
    return default_registry().names()


def font_path(name: str):
    """``pathlib.Path`` of a font by name; verifies its sha256 pin once per process (raises FontError)."""
    return default_registry().font_path(name)


def resolve(name_or_alias) -> list:
    """Fallback chain for a font name (``[name]``) or an alias (its expanded list of font names)."""
    return default_registry().resolve(name_or_alias)


@functools.lru_cache(maxsize=None)
def charset(name: str) -> str:
    """Character lists used to subset the CJK fonts, in table order.

    ``gb2312``: the 6763 hanzi of GB 2312; ``tgh-level1`` / ``tgh-level2`` / ``tgh-level3``: levels of the
    2013 Table of General Standard Chinese Characters (3500 / 3000 / 1605). Only ``gb2312`` and
    ``tgh-level1`` are guaranteed to be covered by the bundled CJK fonts.
    """
    if name == "gb2312":
        out = []
        for hi in range(0xB0, 0xF8):
            for lo in range(0xA1, 0xFF):
                try:
                    out.append(bytes([hi, lo]).decode("gb2312"))
                except UnicodeDecodeError:
                    pass
        return "".join(out)
    data = json.loads((FONT_DIR / "charsets.json").read_text(encoding="utf-8"))
    key = {"tgh-level1": "tgh2013_level1", "tgh-level2": "tgh2013_level2", "tgh-level3": "tgh2013_level3"}.get(name)
    if key is None:
        raise FontError(f"unknown charset {name!r}; known: gb2312, tgh-level1, tgh-level2, tgh-level3")
    return data[key]
