"""Plot domain: one function y = f(x) from a small grammar, with axes, grid and ticks.

Kinds and the facts each one knows by construction (stated in the captions, checked by the tests):

* ``polynomial``: a·(x − r1)(x − r2)[(x − r3)]: its zeros r1, r2, r3 (those inside the view);
* ``trig``: A·sin(Bx) or A·cos(Bx), axes counted in multiples of π: amplitude A, period 2π/B;
* ``exponential``: A·exp(kx) + c: the horizontal asymptote y = c;
* ``logarithm``: ln(x − a) + c: defined for x > a, the vertical asymptote x = a;
* ``rational``: k/(x − p) + c: the vertical asymptote x = p and the horizontal one y = c;
* ``piecewise``: |x − a| + b (its corner at (a, b)) or floor(x) (a jump at every integer).

The expression string is the one the plot node parses and annotates, so a caption quotes it exactly.
"""
from __future__ import annotations

import math

import numpy as np

from symbolreel.errors import SceneError

from .. import captions as C
from .. import styles
from . import Domain, register
from .common import CANVAS_DOCS, CANVAS_OPTIONS, background_and_ink, canvas_spec, check_canvas, check_media, \
    make_canvas, timing

NAME = "plot"
KINDS = ("polynomial", "trig", "exponential", "logarithm", "rational", "piecewise")
MOTIONS = ("draw", "fade")
OPTIONS = {
    **CANVAS_OPTIONS,
    "kinds": {k: 1.0 for k in KINDS},
    "grid": 0.7,
    "margin": 0.05,
    "font_size": 0.045,
    "line_width": 1 / 150,
    "motions": {k: 1.0 for k in MOTIONS},
}
OPTION_DOCS = {
    **CANVAS_DOCS,
    "kinds": "weights of function families: " + ", ".join(KINDS),
    "grid": "share of plots drawn with grid lines",
    "margin": "clear border around the plot box, as a fraction of the shorter side",
    "font_size": "tick label size as a fraction of the shorter side",
    "line_width": "curve stroke width as a fraction of the shorter side (at least 1.5 px)",
    "motions": "weights of clip motions: draw (the curve traced from left to right), fade",
}


def _check(opts: dict, path: tuple) -> None:
    check_canvas(opts, path)
    if not 0.0 <= opts["grid"] <= 1.0:
        raise SceneError(f"expected a share 0..1, found {opts['grid']}", path + ("grid",))
    if not 0.0 < opts["line_width"] <= 0.05:
        raise SceneError(f"expected a fraction in (0, 0.05], found {opts['line_width']}", path + ("line_width",))


def _num(v: float) -> str:
    """A short decimal for an expression (integers without a point)."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _shift(var: str, r: float) -> str:
    """'x - r' written the way a person would: x - 2, x + 1.5, x."""
    if r == 0:
        return var
    return f"{var} - {_num(r)}" if r > 0 else f"{var} + {_num(-r)}"


def _pi_frac(q: float) -> str:
    """q·π as text: π, 2π, π/2, 2π/3 (q a simple fraction)."""
    from fractions import Fraction

    f = Fraction(q).limit_denominator(12)
    num = "" if f.numerator == 1 else str(f.numerator)
    return f"{num}π" if f.denominator == 1 else f"{num}π/{f.denominator}"


def sample_function(rng, kind: str) -> dict:
    """{expr, view, facts} of one function of ``kind`` (facts as plain data)."""
    def pick(xs):
        return xs[int(rng.integers(len(xs)))]

    if kind == "polynomial":
        deg = int(rng.integers(1, 4))
        roots = sorted(set(float(v) for v in rng.choice(np.arange(-4, 4.5, 0.5), size=deg, replace=False)))
        a = pick([0.25, 0.5, 1, -0.5, -1, 2] if deg < 3 else [0.1, 0.2, -0.2, 0.25])
        expr = _num(a) + "*" + "*".join(f"({_shift('x', r)})" for r in roots)
        return {"expr": expr, "view": [-5, -5, 5, 5], "facts": {"zeros": roots}}
    if kind == "trig":
        fn = pick(["sin", "cos"])
        amp = pick([0.5, 1, 1.5, 2, 3])
        b = pick([0.5, 1, 2, 3])
        inner = "x" if b == 1 else f"{_num(b)}*x"
        expr = (f"{_num(amp)}*" if amp != 1 else "") + f"{fn}({inner})"
        ymax = math.ceil(amp + 0.5)
        return {"expr": expr, "view": ["-2*pi", -ymax, "2*pi", ymax], "x_unit": "pi",
                "facts": {"function": fn, "amplitude": amp, "period_pi": 2.0 / b}}
    if kind == "exponential":
        a = pick([0.5, 1, 2])
        k = pick([0.5, 1, -0.5, -1])
        c = pick([0, 1, -1, 2])
        expr = f"{_num(a)}*exp({_num(k)}*x)" + ("" if c == 0 else f" + {_num(c)}" if c > 0 else f" - {_num(-c)}")
        return {"expr": expr, "view": [-5, -4, 5, 6], "facts": {"horizontal_asymptote": c}}
    if kind == "logarithm":
        a = pick([-2, -1, 0, 1])
        c = pick([0, 1, -1])
        expr = f"ln({_shift('x', a)})" + ("" if c == 0 else f" + {_num(c)}" if c > 0 else f" - {_num(-c)}")
        return {"expr": expr, "view": [-4, -4, 6, 4], "facts": {"vertical_asymptote": a, "domain_from": a}}
    if kind == "rational":
        k = pick([1, 2, -1, -2, 0.5])
        p = pick([-2, -1, 0, 1, 2])
        c = pick([0, 1, -1, 0.5])
        expr = f"{_num(k)}/({_shift('x', p)})" + ("" if c == 0 else f" + {_num(c)}" if c > 0 else f" - {_num(-c)}")
        return {"expr": expr, "view": [-5, -5, 5, 5], "facts": {"vertical_asymptote": p, "horizontal_asymptote": c}}
    if rng.random() < 0.6:
        a = pick([-2, -1, 0, 1, 2])
        b = pick([-2, -1, 0, 1])
        expr = f"Abs({_shift('x', a)})" + ("" if b == 0 else f" + {_num(b)}" if b > 0 else f" - {_num(-b)}")
        return {"expr": expr, "view": [-5, -4, 5, 6], "facts": {"corner": [a, b]}}
    return {"expr": "floor(x)", "view": [-4, -4, 4, 4], "facts": {"jumps": "integers"}}


def sample(rng: np.random.Generator, options: dict, media: str) -> dict:
    """A plot item spec."""
    check_media(media)
    o = options
    w, h = o["width"], o["height"]
    short = min(w, h)
    kind = styles.weighted_choice(rng, o["kinds"])
    fn = sample_function(rng, kind)
    bg, ink = background_and_ink(rng, o)
    axes_colour = styles.pick_color(rng, styles.background_colors(bg), o["min_contrast"], exclude=(ink,)) or ink
    font_size = round(max(8.0, o["font_size"] * short), 2)
    m = o["margin"] * short + font_size
    spec = {"domain": NAME, "media": media, "canvas": canvas_spec(o, media), "background": bg, "kind": kind,
            "expr": fn["expr"], "view": fn["view"], "x_unit": fn.get("x_unit", "1"), "facts": fn["facts"],
            "color": ink, "axes_color": axes_colour, "grid": bool(rng.random() < o["grid"]),
            "arrows": bool(rng.random() < 0.6),
            "font_size": font_size, "line_width": round(max(1.5, short * o["line_width"]), 2),
            "size": [round(w - 2 * m, 2), round(h - 2 * m, 2)], "position": [w / 2.0, h / 2.0]}
    if media == "clip":
        mk = styles.weighted_choice(rng, o["motions"])
        t0, t1 = timing(rng, o["duration"], o["fps"])
        spec["motion"] = {"kind": mk, "start": t0, "end": t1}
    return spec


def build(spec: dict):
    """The Scene of a plot spec (deterministic)."""
    import symbolreel as sr

    c = spec["canvas"]
    bg_colour, nodes = styles.background_nodes(spec["background"], c["width"], c["height"])
    m = spec.get("motion")
    kw, tkw = {}, {"position": tuple(spec["position"])}
    if m is not None and m["kind"] == "draw":
        kw["reveal"] = sr.keys((m["start"], 0.0), (m["end"], 1.0))
    elif m is not None and m["kind"] == "fade":
        tkw["opacity"] = sr.keys((m["start"], 0.0), (m["end"], 1.0, "ease-in-out"))
    axes = sr.Axes(grid=spec["grid"], arrows=spec["arrows"], color=styles.hex_of(spec["axes_color"]), font_size=spec["font_size"],
                   x_unit=spec["x_unit"])
    nodes.append(sr.Plot(id="plot", curves=[sr.Curve(expr=spec["expr"])], view=tuple(spec["view"]),
                         size=tuple(spec["size"]), axes=axes,
                         stroke=sr.Stroke(color=styles.hex_of(spec["color"]), width=spec["line_width"], cap="round",
                                          join="round"),
                         transform=sr.Transform(**tkw), **kw))
    return sr.Scene(canvas=make_canvas(spec, bg_colour), nodes=nodes)


_KIND_EN = {"polynomial": "polynomial", "trig": "trigonometric function", "exponential": "exponential function",
            "logarithm": "logarithmic function", "rational": "rational function", "piecewise": "piecewise function"}
_KIND_ZH = {"polynomial": "多项式函数", "trig": "三角函数", "exponential": "指数函数", "logarithm": "对数函数",
            "rational": "有理函数", "piecewise": "分段函数"}


def _fact_words(spec: dict) -> tuple:
    f = spec["facts"]
    x0, _, x1, _ = [v if isinstance(v, (int, float)) else None for v in spec["view"]]
    en, zh = [], []
    if "zeros" in f:
        zs = [z for z in f["zeros"] if x0 < z < x1]
        if zs:
            en.append("it crosses the x-axis at x = " + ", ".join(_num(z) for z in zs))
            zh.append("与 x 轴交于 x = " + "、".join(_num(z) for z in zs))
    if "amplitude" in f:
        en.append(f"its amplitude is {_num(f['amplitude'])} and its period is {_pi_frac(f['period_pi'])}")
        zh.append(f"振幅为 {_num(f['amplitude'])}，周期为 {_pi_frac(f['period_pi'])}")
        en.append("the x-axis is marked in multiples of π")
        zh.append("x 轴以 π 的倍数标注")
    if "vertical_asymptote" in f:
        en.append(f"it has a vertical asymptote at x = {_num(f['vertical_asymptote'])}")
        zh.append(f"有一条竖直渐近线 x = {_num(f['vertical_asymptote'])}")
    if "domain_from" in f:
        en.append(f"it is defined only for x > {_num(f['domain_from'])}")
        zh.append(f"仅在 x > {_num(f['domain_from'])} 时有定义")
    if "horizontal_asymptote" in f:
        en.append(f"it approaches the horizontal asymptote y = {_num(f['horizontal_asymptote'])}")
        zh.append(f"趋近于水平渐近线 y = {_num(f['horizontal_asymptote'])}")
    if "corner" in f:
        a, b = f["corner"]
        en.append(f"its graph is V-shaped with the corner at ({_num(a)}, {_num(b)})")
        zh.append(f"图像呈 V 形，拐点在 ({_num(a)}, {_num(b)})")
    if "jumps" in f:
        en.append("it is a step function that jumps by 1 at every integer")
        zh.append("是在每个整数处跳跃 1 的阶梯函数")
    return en, zh


def captions(spec: dict, scene, rng: np.random.Generator) -> dict:
    """EN and ZH captions: the plotted expression quoted exactly, its family and the facts it has by construction."""
    node = next(n for n in scene.nodes if n.id == "plot")
    expr = node.curves[0].expr
    col, axc = spec["color"], spec["axes_color"]
    bg = styles.describe_background(spec["background"])
    k_en, k_zh = _KIND_EN[spec["kind"]], _KIND_ZH[spec["kind"]]
    facts_en, facts_zh = _fact_words(spec)
    grid_en = ("with a grid" if spec["grid"] else "without grid lines") + \
        (" and arrow heads" if spec["arrows"] else "")
    grid_zh = ("带网格" if spec["grid"] else "无网格线") + ("，坐标轴带箭头" if spec["arrows"] else "")
    short_en = C.pick(rng, [f"A plot of y = {C.q_en(expr)} in {col}.",
                            f"The graph of the {k_en} y = {C.q_en(expr)} on labelled axes."])
    short_zh = C.pick(rng, [f"函数 y = {C.q_zh(expr)} 的{C.color_zh(col)}图像。",
                            f"{k_zh} y = {C.q_zh(expr)} 的函数图像。"])
    detailed_en = (f"A function plot of the {k_en} y = {C.q_en(expr)}, drawn as a {col} curve on {axc} x and y axes "
                   f"{grid_en}, with tick labels, on {bg['en']}" + ("; " + "; ".join(facts_en) if facts_en else "")
                   + ".")
    detailed_zh = (f"{bg['zh']}上的函数图像：{k_zh} y = {C.q_zh(expr)}，曲线为{C.color_zh(col)}，坐标轴为"
                   f"{C.color_zh(axc)}，{grid_zh}，带刻度标注" + ("；" + "；".join(facts_zh) if facts_zh else "") + "。")
    prompt_en = C.pick(rng, [f"a clean math plot of y = {C.q_en(expr)}, {col} curve, {axc} axes with ticks",
                             f"graph of the {k_en} {C.q_en(expr)} on a coordinate grid, textbook style"])
    prompt_zh = C.pick(rng, [f"清晰的函数图像 y = {C.q_zh(expr)}，{C.color_zh(col)}曲线，{C.color_zh(axc)}坐标轴",
                             f"{k_zh} {C.q_zh(expr)} 的图像，教科书风格，坐标网格"])
    out = {"en": {"short": short_en, "detailed": detailed_en, "prompt": prompt_en},
           "zh": {"short": short_zh, "detailed": detailed_zh, "prompt": prompt_zh}}
    m = spec.get("motion")
    if m is not None:
        a, b = C.seconds(m["start"]), C.seconds(m["end"])
        az, bz = C.seconds_zh(m["start"]), C.seconds_zh(m["end"])
        if m["kind"] == "draw":
            out["en"]["motion"] = f"The curve is traced from left to right between {a} and {b} over fixed axes."
            out["zh"]["motion"] = f"曲线在{az}到{bz}之间从左到右逐渐画出，坐标轴保持不动。"
        else:
            out["en"]["motion"] = f"The whole plot fades in between {a} and {b}."
            out["zh"]["motion"] = f"整个函数图像在{az}到{bz}之间逐渐显现。"
    return out


register(Domain(name=NAME, options=OPTIONS, sample=sample, build=build, captions=captions,
                option_docs=OPTION_DOCS, check=_check))
