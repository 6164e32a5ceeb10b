"""Colours, backgrounds and motion pools shared by the dataset samplers.

Colours are CSS named colours only, so the word a caption uses is exactly the name
``Text.describe()`` finds for the drawn fill (the nearest CSS name of a CSS colour is itself; a test
checks every entry). Every foreground colour is chosen against the colours actually behind it with
the WCAG 2 contrast ratio, so a recipe's ``min_contrast`` is a guarantee, not a hope.

Backgrounds are plain spec dicts (JSON-able) built into scene nodes by :func:`background_nodes`:

* ``{"kind": "solid", "color": NAME}``: the canvas background;
* ``{"kind": "gradient", "colors": [A, B], "direction": "vertical"|"horizontal"}``: ``GRADIENT_BANDS``
  rectangles interpolated from A to B (the scene format has no gradient paint);
* ``{"kind": "texture", "color": NAME, "ink": NAME, "pattern": "dots"|"lines"|"grid", "marks": [...]}``:
  a seeded procedural texture whose marks (drawn in the low-contrast ``ink``) were sampled into the
  spec, so building it needs no randomness.
"""
from __future__ import annotations

import numpy as np
import webcolors

# name -> Chinese name. Light colours first half, dark second half is not assumed anywhere.
COLOR_ZH = {
    "black": "黑色", "white": "白色", "navy": "海军蓝色", "darkblue": "深蓝色", "midnightblue": "午夜蓝色",
    "royalblue": "宝蓝色", "steelblue": "钢蓝色", "blue": "蓝色", "skyblue": "天蓝色", "lightblue": "浅蓝色",
    "red": "红色", "darkred": "深红色", "crimson": "绯红色", "firebrick": "砖红色", "tomato": "番茄红色",
    "orange": "橙色", "darkorange": "深橙色", "gold": "金色", "yellow": "黄色", "lightyellow": "浅黄色",
    "khaki": "卡其色", "olive": "橄榄色", "green": "绿色", "darkgreen": "深绿色", "forestgreen": "森林绿色",
    "seagreen": "海绿色", "teal": "蓝绿色", "darkcyan": "深青色", "lightcyan": "浅青色", "purple": "紫色",
    "indigo": "靛蓝色", "darkviolet": "深紫罗兰色", "orchid": "兰花紫色", "deeppink": "深粉红色", "pink": "粉红色",
    "brown": "棕色", "maroon": "栗色", "saddlebrown": "马鞍棕色", "sienna": "赭色", "chocolate": "巧克力色",
    "tan": "茶色", "gray": "灰色", "dimgray": "暗灰色", "darkslategray": "暗石板灰色", "slategray": "石板灰色",
    "silver": "银色", "lightgray": "浅灰色", "gainsboro": "淡灰色", "whitesmoke": "烟白色", "ivory": "象牙白色",
    "beige": "米色", "linen": "亚麻色", "lavender": "薰衣草色", "honeydew": "蜜瓜绿色", "mintcream": "薄荷奶油色",
    "aliceblue": "爱丽丝蓝色", "seashell": "贝壳白色", "wheat": "小麦色",
}
COLORS = tuple(COLOR_ZH)
GRADIENT_BANDS = 48
BACKGROUND_KINDS = ("solid", "gradient", "texture")
TEXTURE_PATTERNS = ("dots", "lines", "grid")


def rgb(name: str) -> tuple:
    """sRGB 0..1 of a CSS colour name."""
    c = webcolors.name_to_rgb(name)
    return (c.red / 255.0, c.green / 255.0, c.blue / 255.0)


def hex_of(c) -> str:
    """'#RRGGBB' of a name or of an (r, g, b) tuple in 0..1."""
    r, g, b = rgb(c) if isinstance(c, str) else c
    return "#%02X%02X%02X" % tuple(int(round(v * 255.0)) for v in (r, g, b))


def luminance(c) -> float:
    """WCAG 2 relative luminance of a colour name or (r, g, b) in 0..1."""
    vals = rgb(c) if isinstance(c, str) else c
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in vals[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio (1..21) between two colours."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def background_colors(bg: dict) -> list:
    """Every colour (name or rgb tuple) a foreground may be drawn over on this background."""
    if bg["kind"] == "solid":
        return [bg["color"]]
    if bg["kind"] == "gradient":
        return [band for band in gradient_bands(bg)]
    return [bg["color"], bg["ink"]]


def gradient_bands(bg: dict) -> list:
    """The ``GRADIENT_BANDS`` colours (rgb tuples) of a gradient, interpolated in sRGB."""
    a, b = np.array(rgb(bg["colors"][0])), np.array(rgb(bg["colors"][1]))
    return [tuple(float(round(v, 6)) for v in a + (b - a) * (i / (GRADIENT_BANDS - 1))) for i in range(GRADIENT_BANDS)]


def pick_color(rng: np.random.Generator, behind: list, min_contrast: float, exclude=()) -> str | None:
    """A palette colour whose contrast with every colour in ``behind`` is >= ``min_contrast`` (None if none)."""
    ok = [n for n in COLORS if n not in exclude and min(contrast(n, c) for c in behind) >= min_contrast]
    if not ok:
        return None
    return ok[int(rng.integers(len(ok)))]


def weighted_choice(rng: np.random.Generator, weights: dict) -> str:
    """Key of ``weights`` drawn with probability proportional to its value (keys in their given order)."""
    keys = [k for k, w in weights.items() if w > 0]
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def sample_background(rng: np.random.Generator, kinds: dict, width: int, height: int) -> dict:
    """A background spec of one of ``kinds`` (weights over solid/gradient/texture)."""
    kind = weighted_choice(rng, kinds)
    if kind == "solid":
        return {"kind": "solid", "color": COLORS[int(rng.integers(len(COLORS)))]}
    if kind == "gradient":
        a = COLORS[int(rng.integers(len(COLORS)))]
        # the far end stays within a modest contrast so one text colour can suit the whole gradient
        near = [n for n in COLORS if n != a and contrast(n, a) < 2.0]
        b = near[int(rng.integers(len(near)))] if near else a
        return {"kind": "gradient", "colors": [a, b],
                "direction": "vertical" if rng.random() < 0.5 else "horizontal"}
    color = COLORS[int(rng.integers(len(COLORS)))]
    inks = [n for n in COLORS if n != color and contrast(n, color) < 1.6]
    ink = inks[int(rng.integers(len(inks)))] if inks else color
    pattern = TEXTURE_PATTERNS[int(rng.integers(len(TEXTURE_PATTERNS)))]
    marks = []
    if pattern == "dots":
        for _ in range(int(rng.integers(20, 48))):
            marks.append([round(float(rng.uniform(0, width)), 1), round(float(rng.uniform(0, height)), 1),
                          round(float(rng.uniform(0.01, 0.05) * min(width, height)), 1)])
    elif pattern == "lines":
        for _ in range(int(rng.integers(8, 20))):
            x, y = float(rng.uniform(0, width)), float(rng.uniform(0, height))
            ang, ln = float(rng.uniform(0, np.pi)), float(rng.uniform(0.2, 0.6) * max(width, height))
            marks.append([round(x - np.cos(ang) * ln / 2, 1), round(y - np.sin(ang) * ln / 2, 1),
                          round(x + np.cos(ang) * ln / 2, 1), round(y + np.sin(ang) * ln / 2, 1)])
    else:
        marks.append([round(float(rng.uniform(0.06, 0.15) * min(width, height)), 1)])
    return {"kind": "texture", "color": color, "ink": ink, "pattern": pattern, "marks": marks}


def background_nodes(bg: dict, width: int, height: int) -> tuple:
    """``(canvas background colour, [nodes drawn first])`` for a background spec."""
    import symbolreel as sr

    if bg["kind"] == "solid":
        return hex_of(bg["color"]), []
    if bg["kind"] == "gradient":
        bands = gradient_bands(bg)
        nodes = []
        n = len(bands)
        for i, c in enumerate(bands):
            if bg["direction"] == "vertical":
                y0, y1 = height * i / n, height * (i + 1) / n
                # one pixel of overlap so no seam of the canvas colour shows between bands
                nodes.append(sr.Rect(id=f"bg-{i}", size=(width, y1 - y0 + 1.0), fill=hex_of(c), stroke=None,
                                     transform=sr.Transform(position=(width / 2, (y0 + y1) / 2))))
            else:
                x0, x1 = width * i / n, width * (i + 1) / n
                nodes.append(sr.Rect(id=f"bg-{i}", size=(x1 - x0 + 1.0, height), fill=hex_of(c), stroke=None,
                                     transform=sr.Transform(position=((x0 + x1) / 2, height / 2))))
        return hex_of(bands[0]), nodes
    ink = hex_of(bg["ink"])
    nodes = []
    if bg["pattern"] == "dots":
        for i, (x, y, r) in enumerate(bg["marks"]):
            nodes.append(sr.Circle(id=f"bg-{i}", radius=r, fill=ink, stroke=None,
                                   transform=sr.Transform(position=(x, y))))
    elif bg["pattern"] == "lines":
        for i, (x0, y0, x1, y1) in enumerate(bg["marks"]):
            nodes.append(sr.Line(id=f"bg-{i}", start=(x0, y0), end=(x1, y1),
                                 stroke=sr.Stroke(color=ink, width=max(1.0, min(width, height) / 200.0))))
    else:
        step = bg["marks"][0][0]
        k = 0
        x = step
        while x < width:
            nodes.append(sr.Line(id=f"bg-{k}", start=(x, 0.0), end=(x, float(height)),
                                 stroke=sr.Stroke(color=ink, width=1.0)))
            k += 1
            x += step
        y = step
        while y < height:
            nodes.append(sr.Line(id=f"bg-{k}", start=(0.0, y), end=(float(width), y),
                                 stroke=sr.Stroke(color=ink, width=1.0)))
            k += 1
            y += step
    return hex_of(bg["color"]), nodes


def describe_background(bg: dict) -> dict:
    """Caption words for a background: ``{"en": ..., "zh": ...}``."""
    if bg["kind"] == "solid":
        return {"en": f"a plain {bg['color']} background", "zh": f"纯{COLOR_ZH[bg['color']]}背景"}
    if bg["kind"] == "gradient":
        a, b = bg["colors"]
        d_en = "top to bottom" if bg["direction"] == "vertical" else "left to right"
        d_zh = "从上到下" if bg["direction"] == "vertical" else "从左到右"
        return {"en": ("an" if a[0] in "aeiou" else "a") + f" {a} to {b} gradient background ({d_en})",
                "zh": f"{d_zh}由{COLOR_ZH[a]}渐变为{COLOR_ZH[b]}的背景"}
    words = {"dots": ("dotted", "圆点"), "lines": ("streaked", "线条"), "grid": ("grid-lined", "网格")}[bg["pattern"]]
    return {"en": f"a {words[0]} {bg['color']} background", "zh": f"带{words[1]}纹理的{COLOR_ZH[bg['color']]}背景"}


# Motion pools per domain: the recipe's ``motions`` weights must use these names.
TEXT_MOTIONS = ("typewriter", "fade", "scroll", "rotate", "zoom", "camera_pan")
