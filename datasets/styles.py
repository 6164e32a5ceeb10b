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
  spec, so building it needs no randomness;
* ``{"kind": "image", "file": PATH, "name": NAME, "sha256": HEX, "size": [W, H], "align": [AX, AY],
  "scrim": None | {"tone": "dark"|"light", "opacity": A}, "behind": {"box": [...], "lo": RGB, "hi": RGB}}``:
  a picture from the recipe's folder of background images (``background_images``), drawn with fit
  ``cover`` (crop position ``align``), optionally under a translucent black or white scrim. ``behind``
  holds bounds of every colour drawn in ``box`` (the content's region, or the whole canvas): each
  channel of each drawn pixel there lies in ``[lo, hi]`` (measured on the file's pixels, grown by the
  sampling footprint and the rounding), so the contrast rule is checked against the measured picture.
"""
from __future__ import annotations

import functools
import math
import os

import numpy as np
import webcolors

from symbolreel.errors import SceneError

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
BACKGROUND_KINDS = ("solid", "gradient", "texture")   # procedural kinds; "image" needs a folder
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
#: scrim opacities tried in order when no palette colour has the contrast over a picture as it is
SCRIM_OPACITIES = (0.0, 0.35, 0.5, 0.65, 0.8, 0.9)
#: greys between the darkest and lightest bound of a picture region (see :func:`background_colors`)
LADDER_STEPS = 17
TEXTURE_PATTERNS = ("dots", "lines", "grid")


@functools.lru_cache(maxsize=None)
def rgb(name: str) -> tuple:
    """sRGB 0..1 of a CSS colour name (cached: the samplers ask for the same few names thousands of
    times an item)."""
    c = webcolors.name_to_rgb(name)
    return (c.red / 255.0, c.green / 255.0, c.blue / 255.0)


def hex_of(c) -> str:
    """'#RRGGBB' of a name or of an (r, g, b) tuple in 0..1."""
    r, g, b = rgb(c) if isinstance(c, str) else c
    return "#%02X%02X%02X" % tuple(int(round(v * 255.0)) for v in (r, g, b))


def luminance(c) -> float:
    """WCAG 2 relative luminance of a colour name or (r, g, b) in 0..1."""
    if isinstance(c, str):
        return _name_luminance(c)
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@functools.lru_cache(maxsize=None)
def _name_luminance(name: str) -> float:
    return luminance(rgb(name))


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio (1..21) between two colours."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@functools.lru_cache(maxsize=None)
def _palette_luminances() -> np.ndarray:
    """Luminances of :data:`COLORS`, in order (read-only)."""
    out = np.array([luminance(n) for n in COLORS])
    out.setflags(write=False)
    return out


def grey_of_luminance(lum: float) -> tuple:
    """The sRGB grey (r, g, b in 0..1) whose WCAG relative luminance is ``lum``."""
    lum = min(max(float(lum), 0.0), 1.0)
    v = 12.92 * lum if lum <= 0.0031308 else 1.055 * lum ** (1 / 2.4) - 0.055
    return (v, v, v)


def range_colors(lo, hi) -> list:
    """Colours standing for every colour whose channels lie within ``lo``..``hi``: the two corners, a
    ladder of greys spaced evenly in contrast between their luminances, and a grey of the luminance of
    every palette colour inside that range. A colour has contrast >= k with all of them exactly when it
    has contrast >= k with every colour in the range (contrast depends on luminance only, luminance
    grows with each channel, and a palette colour inside the range meets its own grey at ratio 1)."""
    lo, hi = tuple(float(v) for v in lo), tuple(float(v) for v in hi)
    l0, l1 = luminance(lo), luminance(hi)
    out = [lo, hi]
    a, b = math.log(l0 + 0.05), math.log(l1 + 0.05)
    for i in range(1, LADDER_STEPS - 1):
        out.append(grey_of_luminance(math.exp(a + (b - a) * i / (LADDER_STEPS - 1)) - 0.05))
    out += [grey_of_luminance(luminance(n)) for n in COLORS if l0 <= luminance(n) <= l1]
    return out


def background_colors(bg: dict) -> list:
    """Every colour (name or rgb tuple) a foreground may be drawn over on this background (for a
    picture: :func:`range_colors` of the measured bounds in ``bg["behind"]``)."""
    if bg["kind"] == "image":
        return range_colors(bg["behind"]["lo"], bg["behind"]["hi"])
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
    """A palette colour whose contrast with every colour in ``behind`` is >= ``min_contrast`` (None if none).

    Every palette colour against every colour behind in one array operation: a gradient puts 48
    colours behind, so this was ~2,800 :func:`contrast` calls a pick. The array holds the same
    luminances and takes the same max, min, sums and quotients as :func:`contrast`, each one IEEE
    rounded, so the colours that pass are exactly those that passed one by one."""
    ln = _palette_luminances()[:, None]
    lb = np.array([luminance(c) for c in behind])[None, :]
    worst = ((np.maximum(ln, lb) + 0.05) / (np.minimum(ln, lb) + 0.05)).min(axis=1)
    ok = [n for n, w in zip(COLORS, worst.tolist()) if n not in exclude and w >= min_contrast]
    if not ok:
        return None
    return ok[int(rng.integers(len(ok)))]


def weighted_choice(rng: np.random.Generator, weights: dict) -> str:
    """Key of ``weights`` drawn with probability proportional to its value (keys in their given order)."""
    keys = [k for k, w in weights.items() if w > 0]
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def sample_background(rng: np.random.Generator, kinds: dict, width: int, height: int,
                      images: str | None = None) -> dict:
    """A background spec of one of ``kinds`` (weights over solid/gradient/texture/image; ``images`` is
    the folder of background pictures, needed when ``image`` has a weight). A picture's ``behind``
    bounds are those of the whole canvas without a scrim: :func:`image_ink` narrows them."""
    kind = weighted_choice(rng, kinds)
    if kind == "image":
        return sample_image(rng, images, width, height)
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


# ---------------------------------------------------------------- pictures from a folder

@functools.lru_cache(maxsize=64)
def _listing(folder: str, stamp: tuple) -> tuple:
    names = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        rel = os.path.relpath(root, folder)
        for f in sorted(files):
            if f.lower().endswith(IMAGE_EXTENSIONS) and not f.startswith("."):
                names.append(f if rel == "." else os.path.join(rel, f).replace(os.sep, "/"))
    return tuple(sorted(names))


def image_listing(folder: str) -> tuple:
    """Sorted relative paths of the pictures (by extension: PNG, JPEG, WebP, GIF, BMP) under ``folder``,
    subfolders included, hidden files left out. SceneError when the folder is missing or holds none."""
    path = os.path.abspath(os.path.expanduser(folder))
    if not os.path.isdir(path):
        raise SceneError(f"background image folder {folder!r} not found (looked at {path})")
    st = os.stat(path)
    names = _listing(path, (st.st_mtime_ns, st.st_ino))
    if not names:
        raise SceneError(f"background image folder {folder!r} holds no pictures (expected files ending in "
                         f"{', '.join(IMAGE_EXTENSIONS)})")
    return names


def sample_image(rng: np.random.Generator, folder: str | None, width: int, height: int) -> dict:
    """An ``image`` background spec: one picture of the folder's sorted listing (seeded choice), its
    sha256 and size, a crop position, no scrim, and the bounds of the whole canvas."""
    from symbolreel.primitives.image import decode

    if folder is None:
        raise SceneError("the 'image' background needs the option background_images (a folder of pictures)")
    names = image_listing(folder)
    name = names[int(rng.integers(len(names)))]
    path = os.path.join(os.path.abspath(os.path.expanduser(folder)), *name.split("/"))
    img = decode(path, name)
    align = [round(float(rng.uniform(0.0, 1.0)), 3), round(float(rng.uniform(0.0, 1.0)), 3)]
    bg = {"kind": "image", "file": path, "name": name, "sha256": img.sha256, "size": [img.width, img.height],
          "align": align, "scrim": None}
    bg["behind"] = image_bounds(bg, width, height)
    return bg


def _scrim_rgb(scrim) -> tuple | None:
    if not scrim:
        return None
    return (0.0, 0.0, 0.0) if scrim["tone"] == "dark" else (1.0, 1.0, 1.0)


def image_bounds(bg: dict, width: int, height: int, box=None) -> dict:
    """``{"box", "lo", "hi"}``: per-channel bounds (sRGB 0..1) of every pixel drawn inside ``box``
    (x0, y0, x1, y1 on the canvas; default the whole canvas) by an image background, scrim included.

    The picture is drawn with fit cover over a black canvas, from a level of at most two source pixels
    per device pixel, bilinearly: each drawn channel is a convex combination of the premultiplied source
    values under the box grown by one level pixel, then mixed with the scrim colour. So the source
    minimum and maximum there, mixed the same way and widened by 2/255 for rounding, bound it.
    """
    from symbolreel.primitives.image import decode, fit_rects, pick_level

    img = decode(bg["file"], bg.get("name"))
    src, dst = fit_rects(img.width, img.height, float(width), float(height), "cover", tuple(bg["align"]))
    if box is None:
        box = (0.0, 0.0, float(width), float(height))
    bx0, by0 = max(0.0, float(box[0])), max(0.0, float(box[1]))
    bx1, by1 = min(float(width), float(box[2])), min(float(height), float(box[3]))
    sx = (src[2] - src[0]) / width
    sy = (src[3] - src[1]) / height
    k = pick_level(src, dst, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    pad = 2 ** k + 1
    x0 = max(0, int(math.floor(src[0] + bx0 * sx)) - pad)
    y0 = max(0, int(math.floor(src[1] + by0 * sy)) - pad)
    x1 = min(img.width, int(math.ceil(src[0] + bx1 * sx)) + pad)
    y1 = min(img.height, int(math.ceil(src[1] + by1 * sy)) + pad)
    px = img.pixels[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1), :3]
    lo = px.min(axis=(0, 1)).astype(np.float64) / 255.0
    hi = px.max(axis=(0, 1)).astype(np.float64) / 255.0
    s = _scrim_rgb(bg.get("scrim"))
    if s is not None:
        a = float(bg["scrim"]["opacity"])
        lo = a * np.array(s) + (1.0 - a) * lo
        hi = a * np.array(s) + (1.0 - a) * hi
    eps = 2.0 / 255.0
    lo = [math.floor(max(0.0, v - eps) * 1e4) / 1e4 for v in lo]
    hi = [math.ceil(min(1.0, v + eps) * 1e4) / 1e4 for v in hi]
    return {"box": [round(bx0, 2), round(by0, 2), round(bx1, 2), round(by1, 2)], "lo": lo, "hi": hi}


def image_ink(rng: np.random.Generator, bg: dict, width: int, height: int, min_contrast: float, box=None,
              exclude=()) -> tuple | None:
    """``(background spec, colour name)`` for content drawn over ``box`` of a picture: the picture as
    it is when a palette colour has the contrast over every colour measured there, else under the
    lightest scrim (dark or light, the order drawn from ``rng``) that lets one. None when none does."""
    tones = ("dark", "light") if rng.random() < 0.5 else ("light", "dark")
    for a in SCRIM_OPACITIES:
        for tone in (tones if a > 0 else (None,)):
            cand = dict(bg)
            cand["scrim"] = None if tone is None else {"tone": tone, "opacity": a}
            cand["behind"] = image_bounds(cand, width, height, box)
            ink = pick_color(rng, background_colors(cand), min_contrast, exclude)
            if ink is not None:
                return cand, ink
    return None


def check_image_file(bg: dict):
    """The decoded picture of an image background, after checking the file is still the one sampled."""
    from symbolreel.primitives.image import decode

    img = decode(bg["file"], bg.get("name"))
    if img.sha256 != bg["sha256"]:
        raise SceneError(f"background image {bg['file']!r} changed since the item was sampled (sha256 "
                         f"{img.sha256[:12]}..., the spec records {bg['sha256'][:12]}...)")
    return img


def background_nodes(bg: dict, width: int, height: int) -> tuple:
    """``(canvas background colour, [nodes drawn first])`` for a background spec."""
    import symbolreel as sr

    if bg["kind"] == "image":
        check_image_file(bg)
        nodes = [sr.Image(id="bg-image", src=bg["file"], size=(float(width), float(height)), fit="cover",
                          align=tuple(bg["align"]), transform=sr.Transform(position=(width / 2.0, height / 2.0)))]
        s = _scrim_rgb(bg.get("scrim"))
        if s is not None:
            nodes.append(sr.Rect(id="bg-scrim", size=(float(width), float(height)), fill=hex_of(s), stroke=None,
                                 transform=sr.Transform(position=(width / 2.0, height / 2.0),
                                                        opacity=float(bg["scrim"]["opacity"]))))
        return "#000000", nodes
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
    """Caption words for a background: ``{"en": ..., "zh": ...}``. A picture is named as a picture,
    never by colour (what it shows is not known to the generator)."""
    if bg["kind"] == "image":
        scrim = bg.get("scrim")
        if not scrim:
            return {"en": "a background picture", "zh": "背景图片"}
        en, zh = ("dark", "深色") if scrim["tone"] == "dark" else ("light", "浅色")
        return {"en": f"a background picture under a {en} translucent overlay", "zh": f"蒙着{zh}半透明遮罩的背景图片"}
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
