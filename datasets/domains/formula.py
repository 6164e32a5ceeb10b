"""Formula domain: LaTeX drawn from a small grammar of what the formula node supports.

Kinds: equation, fraction, radical, sum, product, integral, limit, matrix, aligned, cases, binomial.
Each sample records the constructs its source uses (``constructs``), and the captions name exactly
those and quote the LaTeX source, which is what the node lays out (annotation ``tex``). The layout is
measured with the real math typesetter, so the formula is placed fully inside the canvas.
"""
from __future__ import annotations

import numpy as np

from symbolreel.errors import SceneError

from .. import captions as C
from .. import styles
from . import Domain, register
from .common import CANVAS_DOCS, CANVAS_OPTIONS, background_and_ink, canvas_spec, check_canvas, check_media, \
    content_box, ink_over_image, frames_extent, make_canvas, motion_caption, motion_spec, motion_transform, place, start_bbox

NAME = "formula"
KINDS = ("equation", "fraction", "radical", "sum", "product", "integral", "limit", "matrix", "aligned", "cases",
         "binomial")
OPTIONS = {
    **CANVAS_OPTIONS,
    "kinds": {k: 1.0 for k in KINDS},
    "size": [0.07, 0.14],
    "depth": 2,
    "display": 0.8,
    "margin": 0.04,
    "max_rotation": 6.0,
    "motions": {"fade": 1.0, "scroll": 1.0, "rotate": 1.0, "zoom": 1.0, "camera_pan": 1.0},
}
OPTION_DOCS = {
    **CANVAS_DOCS,
    "kinds": "weights of the top-level form: " + ", ".join(KINDS),
    "size": "em size range as a fraction of the canvas's shorter side (shrunk when the formula would not fit)",
    "depth": "nesting depth of sub-expressions (0 = atoms only)",
    "display": "share of formulas set in display style (limits above and below big operators)",
    "margin": "clear border kept around the formula, as a fraction of the shorter side",
    "max_rotation": "largest rotation of a still's formula in degrees (either way)",
    "motions": "weights of clip motions: fade, scroll, rotate, zoom, camera_pan",
}
MAX_TRIES = 30

_VARS = ["x", "y", "z", "a", "b", "c", "n", "t", "u", "r"]
_GREEK = [r"\alpha", r"\beta", r"\gamma", r"\theta", r"\lambda", r"\mu", r"\sigma", r"\varphi", r"\omega"]
_FUNCS = [r"\sin", r"\cos", r"\tan", r"\ln", r"\log", r"\exp"]
_OPS = ["+", "-", r"\cdot", r"\times"]
_REL = ["=", r"\leq", r"\geq", r"\neq", r"\approx"]

CONSTRUCT_EN = {"fraction": "a fraction", "radical": "a square root", "root": "an n-th root", "power": "a power",
                "subscript": "a subscript", "function": "a function name", "sum": "a sum", "product": "a product",
                "integral": "an integral", "limit": "a limit", "matrix": "a matrix", "aligned": "aligned equations",
                "cases": "a case distinction", "binomial": "a binomial coefficient", "greek": "Greek letters",
                "parentheses": "parentheses"}
CONSTRUCT_ZH = {"fraction": "分数", "radical": "平方根", "root": "n次根式", "power": "乘方", "subscript": "下标",
                "function": "函数名", "sum": "求和", "product": "连乘积", "integral": "积分", "limit": "极限",
                "matrix": "矩阵", "aligned": "对齐的等式组", "cases": "分段表达式", "binomial": "二项式系数",
                "greek": "希腊字母", "parentheses": "括号"}
# what each construct leaves in the annotation's symbols (checked by the tests)
CONSTRUCT_MARK = {"fraction": "frac_bar", "radical": "√", "root": "√", "sum": "∑", "product": "∏",
                  "integral": "∫"}


class _Gen:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()
        self.rel = "="

    def pick(self, xs):
        return xs[int(self.rng.integers(len(xs)))]

    def atom(self, var=None) -> str:
        r = self.rng.random()
        if var is not None and r < 0.5:
            return var
        if r < 0.55:
            return self.pick(_VARS)
        if r < 0.7:
            self.used.add("greek")
            return self.pick(_GREEK)
        return str(int(self.rng.integers(1, 13)))

    def expr(self, depth: int, var=None) -> str:
        if depth <= 0 or self.rng.random() < 0.25:
            return self.atom(var)
        r = self.rng.random()
        if r < 0.3:
            return f"{self.expr(depth - 1, var)} {self.pick(_OPS)} {self.expr(depth - 1, var)}"
        if r < 0.45:
            self.used.add("power")
            return f"{self.atom(var)}^{{{self.expr(depth - 1, var) if self.rng.random() < 0.3 else self.atom()}}}"
        if r < 0.55:
            self.used.add("subscript")
            return f"{self.pick(_VARS)}_{{{self.pick(['i', 'j', 'k', '0', '1', 'n'])}}}"
        if r < 0.7:
            self.used.add("fraction")
            return f"\\frac{{{self.expr(depth - 1, var)}}}{{{self.expr(depth - 1, var)}}}"
        if r < 0.8:
            if self.rng.random() < 0.3:
                self.used.add("root")
                return f"\\sqrt[{int(self.rng.integers(3, 6))}]{{{self.expr(depth - 1, var)}}}"
            self.used.add("radical")
            return f"\\sqrt{{{self.expr(depth - 1, var)}}}"
        if r < 0.9:
            self.used.add("function")
            return f"{self.pick(_FUNCS)}\\left({self.expr(depth - 1, var)}\\right)"
        self.used.add("parentheses")
        return f"\\left({self.expr(depth - 1, var)} {self.pick(_OPS[:2])} {self.atom(var)}\\right)"

    def top(self, kind: str, depth: int) -> str:
        g = self
        if kind == "equation":
            g.rel = g.pick(_REL)
            return f"{g.expr(depth)} {g.rel} {g.expr(depth)}"
        if kind == "fraction":
            g.used.add("fraction")
            return f"\\frac{{{g.expr(depth)}}}{{{g.expr(depth)}}} = {g.expr(depth - 1)}"
        if kind == "radical":
            g.used.add("radical")
            return f"\\sqrt{{{g.expr(depth)}}} {g.pick(_REL)} {g.expr(depth - 1)}"
        if kind in ("sum", "product"):
            g.used.add(kind)
            v = g.pick(["k", "i", "n", "j"])
            hi = g.pick(["n", "N", "m", r"\infty", "10"])
            op = r"\sum" if kind == "sum" else r"\prod"
            return f"{op}_{{{v}=1}}^{{{hi}}} {g.expr(depth, v)}"
        if kind == "integral":
            g.used.add("integral")
            v = g.pick(["x", "t", "u"])
            a, b = g.pick([("0", "1"), ("0", r"\infty"), ("-1", "1"), ("a", "b"), ("0", r"\pi")])
            return f"\\int_{{{a}}}^{{{b}}} {g.expr(depth, v)} \\, d{v}"
        if kind == "limit":
            g.used.add("limit")
            v = g.pick(["x", "n", "h"])
            to = g.pick(["0", r"\infty", "1"])
            return f"\\lim_{{{v} \\to {to}}} {g.expr(depth, v)}"
        if kind == "matrix":
            g.used.add("matrix")
            rows, cols = int(g.rng.integers(2, 4)), int(g.rng.integers(2, 4))
            env = g.pick(["pmatrix", "bmatrix", "vmatrix"])
            body = r" \\ ".join(" & ".join(g.atom() for _ in range(cols)) for _ in range(rows))
            name = g.pick(["A", "M", "B"])
            return f"{name} = \\begin{{{env}}} {body} \\end{{{env}}}"
        if kind == "aligned":
            g.used.add("aligned")
            n = int(g.rng.integers(2, 4))
            rows = [f"f(x) &= {g.expr(depth, 'x')}"] + [f"&= {g.expr(depth - 1, 'x')}" for _ in range(n - 1)]
            return "\\begin{aligned} " + r" \\ ".join(rows) + " \\end{aligned}"
        if kind == "cases":
            g.used.add("cases")
            c = g.pick(["0", "1", "a"])
            return (f"f(x) = \\begin{{cases}} {g.expr(depth - 1, 'x')} & x < {c} \\\\ "
                    f"{g.expr(depth - 1, 'x')} & x \\geq {c} \\end{{cases}}")
        g.used.add("binomial")
        return f"\\binom{{{g.pick(['n', 'm', '10', '7'])}}}{{{g.pick(['k', '2', '3', 'r'])}}} = {g.expr(depth - 1)}"


def sample_tex(rng, kind: str, depth: int) -> tuple:
    """(LaTeX source, sorted constructs used, relation of an equation) of one formula of ``kind``."""
    g = _Gen(rng)
    tex = g.top(kind, depth)
    return tex, sorted(g.used), g.rel


def _check(opts: dict, path: tuple) -> None:
    check_canvas(opts, path)
    if not 0 <= opts["depth"] <= 4:
        raise SceneError(f"expected a depth 0..4, found {opts['depth']}", path + ("depth",))
    if not 0.0 <= opts["display"] <= 1.0:
        raise SceneError(f"expected a share 0..1, found {opts['display']}", path + ("display",))
    lo, hi = opts["size"]
    if not (0.005 <= lo and hi <= 1.0):
        raise SceneError(f"expected fractions of the canvas within 0.005..1, found {opts['size']}", path + ("size",))


def _measure(tex: str, size: float, display: bool) -> tuple:
    from symbolreel.fonts_access import chain_for
    from symbolreel.primitives.math.layout import layout_formula

    lay = layout_formula(tex, tuple(p for _, p in chain_for("math", None, None)), size, display, "tex")
    dx, dy = lay.offset("center", "middle")
    x0, y0, x1, y1 = lay.ink
    return (min(x0, 0.0) + dx, min(y0, -lay.height) + dy, max(x1, lay.width) + dx, max(y1, lay.depth) + dy)


def sample(rng: np.random.Generator, options: dict, media: str) -> dict:
    """A formula item spec; a source the layout rejects or that cannot fit is re-drawn."""
    check_media(media)
    o = options
    w, h = o["width"], o["height"]
    short = min(w, h)
    margin = o["margin"] * short
    last = None
    for _ in range(MAX_TRIES):
        kind = styles.weighted_choice(rng, o["kinds"])
        tex, used, rel = sample_tex(rng, kind, o["depth"])
        if kind == "equation" and rel != "=":
            kind = "relation"
        display = bool(rng.random() < o["display"])
        size = float(rng.uniform(*o["size"])) * short
        bg, ink = background_and_ink(rng, o)
        rotation = 0.0
        if media == "still" and o["max_rotation"] > 0 and rng.random() < 0.3:
            rotation = round(float(rng.uniform(-o["max_rotation"], o["max_rotation"])), 1)
        motion = motion_spec(rng, o, o["motions"]) if media == "clip" else None
        placed = None
        for _shrink in range(6):
            try:
                box = _measure(tex, size, display)
            except SceneError as exc:
                last = exc
                break
            placed = place(rng, frames_extent(box, rotation, motion), w, h, margin, motion)
            if placed is not None:
                break
            size *= 0.8
        if placed is None:
            continue
        if bg["kind"] == "image":
            # the picture measured where the formula is drawn, in every frame
            moved = dict(motion, **placed[1]) if motion is not None else None
            got = ink_over_image(rng, bg, o, content_box(placed[0], box, rotation, moved))
            if got is None:
                continue
            bg, ink = got
        spec = {"domain": NAME, "media": media, "canvas": canvas_spec(o, media), "background": bg,
                "kind": kind, "tex": tex, "constructs": used, "display": display, "size": round(size, 2),
                "color": ink, "rotation": rotation, "position": list(placed[0]),
                "local_box": [round(v, 2) for v in box]}
        if motion is not None:
            motion.update(placed[1])
            spec["motion"] = motion
        spec["region"] = list(C.region(start_bbox(spec), w, h))
        return spec
    raise SceneError(f"formula: no acceptable draw in {MAX_TRIES} tries (last problem: {last})")


def build(spec: dict):
    """The Scene of a formula spec (deterministic)."""
    import symbolreel as sr

    c = spec["canvas"]
    bg_colour, nodes = styles.background_nodes(spec["background"], c["width"], c["height"])
    transform, camera = motion_transform(spec)
    nodes.append(sr.Formula(id="formula", tex=spec["tex"], size=spec["size"], display=spec["display"],
                            fill=styles.hex_of(spec["color"]), transform=transform))
    return sr.Scene(canvas=make_canvas(spec, bg_colour), camera=camera, nodes=nodes)


_KIND_EN = {"equation": "equation", "relation": "relation", "fraction": "equation with a fraction", "radical": "relation with a square root",
            "sum": "sum", "product": "product", "integral": "definite integral", "limit": "limit",
            "matrix": "matrix", "aligned": "chain of aligned equations", "cases": "piecewise definition",
            "binomial": "binomial coefficient identity"}
_KIND_ZH = {"equation": "等式", "relation": "关系式", "fraction": "含分数的等式", "radical": "含根号的关系式", "sum": "求和式",
            "product": "连乘积", "integral": "定积分", "limit": "极限", "matrix": "矩阵", "aligned": "对齐的等式组",
            "cases": "分段函数", "binomial": "二项式系数等式"}


def _list_en(items: list) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def captions(spec: dict, scene, rng: np.random.Generator) -> dict:
    """EN and ZH captions: the LaTeX source quoted exactly, the constructs it uses, colour and position."""
    node = next(n for n in scene.nodes if n.id == "formula")
    tex = node.source_tex()
    col = spec["color"]
    reg = tuple(spec["region"])
    bg = styles.describe_background(spec["background"])
    parts_en = _list_en([CONSTRUCT_EN[k] for k in spec["constructs"]])
    parts_zh = "、".join(CONSTRUCT_ZH[k] for k in spec["constructs"])
    style_en = "display style" if spec["display"] else "inline style"
    style_zh = "行间公式样式" if spec["display"] else "行内公式样式"
    k_en, k_zh = _KIND_EN[spec["kind"]], _KIND_ZH[spec["kind"]]
    short_en = C.pick(rng, [f"A typeset {k_en} in {col}: {C.q_en(tex)}.",
                            f"The formula {C.q_en(tex)} on {bg['en']}."])
    short_zh = C.pick(rng, [f"{C.color_zh(col)}排版的{k_zh}：{C.q_zh(tex)}。",
                            f"{bg['zh']}上的公式{C.q_zh(tex)}。"])
    rot = spec["rotation"]
    rot_en = "" if rot == 0 else f", tilted {abs(rot):.0f} degrees {'clockwise' if rot > 0 else 'counterclockwise'}"
    rot_zh = "" if rot == 0 else f"，{'顺时针' if rot > 0 else '逆时针'}倾斜约{abs(rot):.0f}度"
    detailed_en = (f"{C.a_an(k_en).capitalize()} typeset in {style_en} with a math font, written in LaTeX as {C.q_en(tex)}, in {col}"
                   f"{rot_en}, {C.where_en(reg)} of the image on {bg['en']}"
                   + (f"; it contains {parts_en}." if parts_en else "."))
    detailed_zh = (f"画面{C.where_zh(reg)}有一个以{style_zh}排版的{C.color_zh(col)}{k_zh}{rot_zh}，LaTeX 源码为"
                   f"{C.q_zh(tex)}，背景为{bg['zh']}" + (f"；其中包含{parts_zh}。" if parts_zh else "。"))
    prompt_en = C.pick(rng, [f"the math formula {C.q_en(tex)} rendered crisply in {col} on {bg['en']}",
                             f"textbook-quality typeset {k_en} {C.q_en(tex)}, {col} ink"])
    prompt_zh = C.pick(rng, [f"清晰排版的数学公式{C.q_zh(tex)}，{C.color_zh(col)}，{bg['zh']}",
                             f"教科书风格的{k_zh}{C.q_zh(tex)}，{C.color_zh(col)}字迹"])
    out = {"en": {"short": short_en, "detailed": detailed_en, "prompt": prompt_en},
           "zh": {"short": short_zh, "detailed": detailed_zh, "prompt": prompt_zh}}
    m = spec.get("motion")
    if m is not None:
        out["en"]["motion"], out["zh"]["motion"] = motion_caption(m, spec, "formula", "公式")
    return out


register(Domain(name=NAME, options=OPTIONS, sample=sample, build=build, captions=captions,
                option_docs=OPTION_DOCS, check=_check))
