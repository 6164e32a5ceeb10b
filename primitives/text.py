"""The ``text`` node: single or multi-line text shaped with HarfBuzz and drawn by Skia."""
from __future__ import annotations

from dataclasses import dataclass

from symbolreel.errors import SceneError
from symbolreel.fields import field

from .base import Shape, Stroke, register

MAX_TEXT_DEFAULT = 10_000


@register
@dataclass(frozen=True, kw_only=True)
class Text(Shape):
    """Text; lines split at newlines. The local origin is set by ``align`` and ``valign``."""

    TYPE = "text"
    text: str = field("", "string", "the characters to draw; '\\n' starts a new line")
    font: str = field("sans", "string", "font name or alias (bundled, or from the scene's 'fonts' table)")
    size: float = field(32.0, "number", "font size in pixels (em size)", anim=True, min=0.1, max=4096.0)
    align: str = field("center", "enum", "horizontal placement of each line relative to the origin",
                       choices=("left", "center", "right"))
    valign: str = field("middle", "enum", "vertical placement of the text block relative to the origin",
                        choices=("top", "middle", "baseline", "bottom"))
    line_height: float = field(1.25, "number", "distance between baselines, in multiples of size", min=0.1)
    letter_spacing: float = field(0.0, "number", "extra space after each character, pixels", anim=True)
    coverage: str = field("strict", "enum",
                          "strict: a character no font covers is an error; lenient: draw a fallback and report it",
                          choices=("strict", "lenient"))
    reveal: float = field(1.0, "number", "fraction of the characters shown (0..1), for typing effects",
                          anim=True, min=0.0, max=1.0)
    reveal_mode: str = field("typewriter", "enum",
                             "typewriter: characters appear whole; fade: the next character fades in",
                             choices=("typewriter", "fade"))
    stroke: Stroke | None = field(None, "struct", "outline of the glyphs, or null", struct=Stroke, nullable=True)

    def __post_init__(self):
        super().__post_init__()
        if "\r" in self.text:
            raise SceneError("use '\\n' for line breaks, not carriage returns", ("text",))
