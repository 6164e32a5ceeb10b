"""Glue between text nodes and the bundled font registry (``symbolreel.fonts``)."""
from __future__ import annotations

import os
import threading

from . import fonts
from .errors import SceneError, did_you_mean

_FONT_EXT = (".ttf", ".otf", ".ttc")

# (font, fonts-table entries, base_dir) -> (chain, ((file path, identity), ...)). A scene is built
# per dataset item, so the same alias or font file is resolved thousands of times per process.
_CHAINS: dict = {}
_CHAINS_MAX = 4096
# file path -> identity it had when the per-path caches (typeface, shaping) were filled
_FILE_SEEN: dict = {}
_LOCK = threading.Lock()
# called with no arguments when a font file at a known path changed (the typesetter registers its
# cache reset: symbolreel.primitives.text.typeset.forget_font_files)
_ON_CHANGE: list = []


def on_font_file_change(callback) -> None:
    """Call ``callback()`` whenever a font file named by a scene changed on disk since it was read."""
    if callback not in _ON_CHANGE:
        _ON_CHANGE.append(callback)


def _is_file_ref(name: str) -> bool:
    return name.lower().endswith(_FONT_EXT) or "/" in name or os.sep in name


def _entries(font: str, scene_fonts) -> tuple:
    entries = scene_fonts.get(font) if scene_fonts and font in scene_fonts else [font]
    return (entries,) if isinstance(entries, str) else tuple(entries)


def chain_for(font: str, scene_fonts: dict | None, base_dir: str | None) -> tuple:
    """Resolve a text node's ``font`` to a fallback chain of ``(font name, file path)``.

    Cached per process; a font file named in the chain is checked with one ``stat`` per call, and
    an edited file is read again (and the caches keyed by font file paths are dropped).
    """
    entries = _entries(font, scene_fonts)
    key = (font, entries, base_dir, fonts.default_registry().generation)
    hit = _CHAINS.get(key)
    if hit is not None:
        chain, files = hit
        try:
            if all(fonts.registry.file_identity(p) == ident for p, ident in files):
                return chain
        except OSError:
            pass                      # vanished: resolve again for the proper error
    chain, files = _resolve(entries, scene_fonts, base_dir)
    with _LOCK:
        if len(_CHAINS) >= _CHAINS_MAX:
            _CHAINS.clear()
        _CHAINS[key] = (chain, files)
    return chain


def _resolve(entries: tuple, scene_fonts, base_dir) -> tuple:
    registry = fonts.default_registry()
    out, seen, files = [], set(), []
    for entry in entries:
        if _is_file_ref(entry):
            path = entry if os.path.isabs(entry) or base_dir is None else os.path.join(base_dir, entry)
            if not os.path.isfile(path):
                raise SceneError(f"font file {entry!r} not found (looked at {path})")
            name = registry.add_path(path)
            ident = registry.file_generation(path)
            _note_file(path, ident)
            files.append((path, ident))
            pairs = [(name, path)]
        else:
            try:
                names = fonts.resolve(entry)
                pairs = [(n, str(fonts.font_path(n))) for n in names]
            except fonts.FontError as exc:
                known = sorted(set(fonts.names()) | set(scene_fonts or ()))
                raise SceneError(f"{exc}{did_you_mean(entry, known) if 'did you mean' not in str(exc) else ''}") \
                    from None
        for name, path in pairs:
            if name not in seen:
                seen.add(name)
                out.append((name, path))
    return tuple(out), tuple(files)


def _note_file(path: str, ident) -> None:
    """Drop the per-path caches when a font file at a known path has changed."""
    with _LOCK:
        before = _FILE_SEEN.get(path)
        _FILE_SEEN[path] = ident
    if before is not None and before != ident:
        for callback in _ON_CHANGE:
            callback()


def assign_runs(text: str, names: tuple, mode: str):
    """Split text into runs of one font each (first font of the chain covering each character)."""
    try:
        return fonts.default_registry().assign(text, list(names), mode=mode)
    except fonts.FontError as exc:
        raise SceneError(str(exc), ("text",)) from None
