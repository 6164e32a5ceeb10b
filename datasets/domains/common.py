"""Options and spec pieces every domain shares: canvas, background, contrast, clip timing."""
from __future__ import annotations

import math

import numpy as np

from symbolreel.errors import SceneError

from .. import styles

CANVAS_OPTIONS = {
    "width": 512,
    "height": 384,
    "fps": 24.0,
    "duration": 2.0,
    "backgrounds": {"solid": 1.0, "gradient": 0.5, "texture": 0.5},
    "min_contrast": 4.5,
}
CANVAS_DOCS = {
    "width": "canvas width in pixels",
    "height": "canvas height in pixels",
    "fps": "frames per second of clips",
    "duration": "length of clips in seconds",
    "backgrounds": "weights of background kinds: solid, gradient, texture (seeded procedural marks)",
    "min_contrast": "minimum WCAG contrast ratio between the content colour and every colour behind it (1..21)",
}


def check_canvas(opts: dict, path: tuple) -> None:
    for key in ("width", "height"):
        if not 16 <= opts[key] <= 8192:
            raise SceneError(f"expected 16..8192 pixels, found {opts[key]}", path + (key,))
    if not 1.0 <= opts["fps"] <= 240.0:
        raise SceneError(f"expected 1..240 frames per second, found {opts['fps']}", path + ("fps",))
    if not 0.1 <= opts["duration"] <= 120.0:
        raise SceneError(f"expected 0.1..120 seconds, found {opts['duration']}", path + ("duration",))
    if not 1.0 <= opts["min_contrast"] <= 21.0:
        raise SceneError(f"expected a contrast ratio 1..21, found {opts['min_contrast']}", path + ("min_contrast",))


def canvas_spec(opts: dict, media: str) -> dict:
    c = {"width": int(opts["width"]), "height": int(opts["height"])}
    if media == "clip":
        c["fps"] = float(opts["fps"])
        c["duration"] = float(opts["duration"])
    return c


def make_canvas(spec: dict, background):
    import symbolreel as sr

    c = spec["canvas"]
    if spec["media"] == "clip":
        return sr.Canvas(width=c["width"], height=c["height"], fps=c["fps"], duration=c["duration"],
                         background=background)
    return sr.Canvas(width=c["width"], height=c["height"], frames=1, background=background)


def check_media(media: str) -> None:
    if media not in ("still", "clip"):
        raise SceneError(f"media must be 'still' or 'clip', found {media!r}")


def timing(rng: np.random.Generator, duration: float, fps: float) -> tuple:
    """(start, end) seconds of a clip's motion: starts in the first quarter, ends by the last frame."""
    last = math.floor((max(1, int(round(duration * fps))) - 1) / fps * 100.0) / 100.0  # time of the last frame
    t0 = round(float(rng.uniform(0.0, 0.25)) * last, 2)
    t1 = math.floor(float(rng.uniform(0.67, 1.0)) * last * 100.0) / 100.0
    return t0, max(t1, min(last, round(t0 + 0.1 * duration, 2)))


def background_and_ink(rng: np.random.Generator, opts: dict, tries: int = 32) -> tuple:
    """(background spec, content colour name) with the contrast the options ask for."""
    w, h = opts["width"], opts["height"]
    for _ in range(tries):
        bg = styles.sample_background(rng, opts["backgrounds"], w, h)
        ink = styles.pick_color(rng, styles.background_colors(bg), opts["min_contrast"])
        if ink is not None:
            return bg, ink
    # always possible: black or white against a plain mid-grey-free colour
    bg = {"kind": "solid", "color": "white"}
    return bg, "black"
