"""Caption building blocks (EN + ZH): position words, style words, quoting, template choice.

Domain modules write their captions with these helpers from the spec and the scene's ``describe()``
data; nothing here looks at pixels. Template variety is drawn from the rng the runner passes (keyed
by the item seed), so the same item always gets the same wording.
"""
from __future__ import annotations

import numpy as np

from .styles import COLOR_ZH

# 3 x 3 grid of canvas regions: (column, row) -> words
_WHERE_EN = {
    ("left", "top"): "in the top left corner", ("center", "top"): "at the top",
    ("right", "top"): "in the top right corner", ("left", "middle"): "on the left",
    ("center", "middle"): "in the center", ("right", "middle"): "on the right",
    ("left", "bottom"): "in the bottom left corner", ("center", "bottom"): "at the bottom",
    ("right", "bottom"): "in the bottom right corner",
}
_WHERE_ZH = {
    ("left", "top"): "左上角", ("center", "top"): "上方", ("right", "top"): "右上角",
    ("left", "middle"): "左侧", ("center", "middle"): "中央", ("right", "middle"): "右侧",
    ("left", "bottom"): "左下角", ("center", "bottom"): "下方", ("right", "bottom"): "右下角",
}
_STYLE_ZH = {"bold": "粗体", "italic": "斜体", "serif": "衬线体", "sans-serif": "无衬线体", "monospace": "等宽字体",
             "kai": "楷体", "math": "数学字体", "simplified-chinese": "简体中文字体"}
_SIZE_ZH = {"tiny": "极小", "small": "小号", "medium": "中等大小", "large": "大号", "huge": "特大号"}
_NUM_EN = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_NUM_ZH = "零一二三四五六七八九十"


def region(bbox, width: float, height: float) -> tuple:
    """(column, row) of a box's centre in a 3 x 3 grid over the canvas."""
    cx, cy = (bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0
    col = "left" if cx < width / 3.0 else "right" if cx > 2.0 * width / 3.0 else "center"
    row = "top" if cy < height / 3.0 else "bottom" if cy > 2.0 * height / 3.0 else "middle"
    return col, row


def where_en(reg: tuple) -> str:
    return _WHERE_EN[tuple(reg)]


def where_zh(reg: tuple) -> str:
    return _WHERE_ZH[tuple(reg)]


def color_zh(name: str) -> str:
    return COLOR_ZH[name]


def style_en(style: list) -> str:
    """'bold serif' from Text.describe()['style'] (the Chinese-font marker is left to the language words)."""
    return " ".join(w for w in style if w != "simplified-chinese")


def style_zh(style: list, han: bool) -> str:
    """Chinese style words; for Han text serif/sans are named as the Chinese faces (宋体/黑体)."""
    out = []
    for w in style:
        if w == "simplified-chinese":
            continue
        if han and w == "serif":
            out.append("宋体")
        elif han and w == "sans-serif":
            out.append("黑体")
        else:
            out.append(_STYLE_ZH[w])
    return "".join(out)


def size_zh(size_class: str) -> str:
    return _SIZE_ZH[size_class]


def num_en(n: int) -> str:
    return _NUM_EN[n] if 0 <= n < len(_NUM_EN) else str(n)


def num_zh(n: int) -> str:
    if 0 <= n <= 10:
        return _NUM_ZH[n]
    if n < 20:
        return "十" + _NUM_ZH[n - 10]
    if n < 100:
        return _NUM_ZH[n // 10] + "十" + (_NUM_ZH[n % 10] if n % 10 else "")
    return str(n)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{num_en(n)} {word if n == 1 else (many or word + 's')}"


def q_en(s: str) -> str:
    """English quotation of rendered text, exactly as drawn."""
    return f"\u201c{s}\u201d"


def q_zh(s: str) -> str:
    """Chinese quotation (「」 so the quoted text may itself hold “ ”)."""
    return f"\u300c{s}\u300d"


def a_an(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def pick(rng: np.random.Generator, options: list) -> str:
    """One of equivalent templates, chosen by the caption rng."""
    return options[int(rng.integers(len(options)))]


def sentence(s: str) -> str:
    """Capitalise the first letter and end with a full stop (EN)."""
    s = s.strip()
    if not s:
        return s
    s = s[0].upper() + s[1:]
    return s if s[-1] in ".!?" else s + "."


def seconds(t: float) -> str:
    return f"{t:.1f} s"


def seconds_zh(t: float) -> str:
    return f"{t:.1f} 秒"
