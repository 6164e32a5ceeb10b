"""Glue between text nodes and the bundled font registry (``symbolreel.fonts``)."""
from __future__ import annotations

import os

from .errors import SceneError

_FONT_EXT = (".ttf", ".otf", ".ttc")


def _is_file_ref(name: str) -> bool:
    return name.lower().endswith(_FONT_EXT) or "/" in name or os.sep in name


def chain_for(font: str, scene_fonts: dict | None, base_dir: str | None) -> tuple:
    """Resolve a text node's ``font`` to a fallback chain of ``(font name, file path)``."""
    from . import fonts

    entries = scene_fonts.get(font) if scene_fonts and font in scene_fonts else [font]
    if isinstance(entries, str):
        entries = [entries]
    registry = fonts.default_registry()
    out, seen = [], set()
    for entry in entries:
        if _is_file_ref(entry):
            path = entry if os.path.isabs(entry) or base_dir is None else os.path.join(base_dir, entry)
            if not os.path.isfile(path):
                raise SceneError(f"font file {entry!r} not found (looked at {path})")
            pairs = [(registry.add_path(path), path)]
        else:
            try:
                names = fonts.resolve(entry)
                pairs = [(n, str(fonts.font_path(n))) for n in names]
            except fonts.FontError as exc:
                known = sorted(set(fonts.names()) | set(scene_fonts or ()))
                from .errors import did_you_mean

                raise SceneError(f"{exc}{did_you_mean(entry, known) if 'did you mean' not in str(exc) else ''}") \
                    from None
        for name, path in pairs:
            if name not in seen:
                seen.add(name)
                out.append((name, path))
    return tuple(out)


def assign_runs(text: str, names: tuple, mode: str):
    """Split text into runs of one font each (first font of the chain covering each character)."""
    from . import fonts

    try:
        return fonts.default_registry().assign(text, list(names), mode=mode)
    except fonts.FontError as exc:
        raise SceneError(str(exc), ("text",)) from None
