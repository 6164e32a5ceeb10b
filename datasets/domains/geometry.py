"""Geometry domain: a well-conditioned triangle ABC with exact constructions.

Constructions (1-3 per item): incircle, circumcircle, centroid, orthocentre, an angle bisector, an
altitude's foot with its right angle, a side's midpoint with its perpendicular bisector, a tangent from
an outside point P to the circumcircle, measured angle marks. Every angle of the triangle stays in
[min_angle, 180 - 2 min_angle] (and a tangent point stays outside the circle) at every sampled time of
a clip; a draw that breaks this is re-drawn from the same rng. The view and scale are chosen from the
constructed figure itself (``Figure.state_at``) so that points, circles and labels stay inside the
canvas. Clips: the construction drawn in order, a vertex moving (everything derived follows), or a
fade. Captions state exactly the facts ``Figure.describe()`` reports, which the annotations check in
every frame.
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

NAME = "geometry"
CONSTRUCTIONS = ("incircle", "circumcircle", "centroid", "orthocentre", "bisector", "altitude", "perpendicular_bisector",
                 "tangent", "angles")
MOTIONS = ("reveal", "move_vertex", "fade")
OPTIONS = {
    **CANVAS_OPTIONS,
    "constructions": {k: 1.0 for k in CONSTRUCTIONS},
    "count": [1, 3],
    "min_angle": 28.0,
    "font_size": 0.05,
    "line_width": 1 / 200,
    "fill": 0.4,
    "motions": {k: 1.0 for k in MOTIONS},
    "min_contrast": 4.5,
}
OPTION_DOCS = {
    **CANVAS_DOCS,
    "constructions": "weights of the constructions added to the triangle: " + ", ".join(CONSTRUCTIONS),
    "count": "range of the number of constructions per figure",
    "min_angle": "smallest angle of the triangle in degrees, in every frame (well-conditioned draws)",
    "font_size": "label size as a fraction of the canvas's shorter side",
    "line_width": "stroke width as a fraction of the canvas's shorter side (at least 1 px)",
    "fill": "share of figures whose triangle is shaded",
    "motions": "weights of clip motions: reveal (the construction drawn in order), move_vertex, fade",
}
MAX_TRIES = 40
_SAMPLES = 9   # times a clip's configuration is checked at (ends included)


def _check(opts: dict, path: tuple) -> None:
    check_canvas(opts, path)
    lo, hi = opts["count"]
    if lo < 1 or hi > len(CONSTRUCTIONS):
        raise SceneError(f"expected a range within 1..{len(CONSTRUCTIONS)}, found {opts['count']}", path + ("count",))
    if not 10.0 <= opts["min_angle"] <= 55.0:
        raise SceneError(f"expected 10..55 degrees, found {opts['min_angle']}", path + ("min_angle",))


def _angles(a, b, c) -> tuple:
    def ang(p, q, r):
        v1, v2 = np.subtract(q, p), np.subtract(r, p)
        cosv = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2)))
        return math.degrees(math.acos(max(-1.0, min(1.0, cosv))))
    return ang(a, b, c), ang(b, c, a), ang(c, a, b)


def _good(a, b, c, min_angle: float) -> bool:
    if min(np.linalg.norm(np.subtract(a, b)), np.linalg.norm(np.subtract(b, c)), np.linalg.norm(np.subtract(c, a))) \
            < 1e-3:
        return False
    angs = _angles(a, b, c)
    return min(angs) >= min_angle and max(angs) <= 180.0 - 2.0 * min_angle


def _triangle(rng, min_angle: float) -> dict:
    for _ in range(100):
        al = float(rng.uniform(min_angle, 180.0 - 2.0 * min_angle))
        be = float(rng.uniform(min_angle, 180.0 - 2.0 * min_angle))
        ga = 180.0 - al - be
        if ga < min_angle or ga > 180.0 - 2.0 * min_angle:
            continue
        side = 4.0
        b = (side, 0.0)
        # C from the angles at A and B (law of sines)
        ac = side * math.sin(math.radians(be)) / math.sin(math.radians(ga))
        c = (ac * math.cos(math.radians(al)), ac * math.sin(math.radians(al)))
        rot = float(rng.uniform(-25.0, 25.0))
        cr, sr_ = math.cos(math.radians(rot)), math.sin(math.radians(rot))
        pts = {n: (round(cr * x - sr_ * y, 3), round(sr_ * x + cr * y, 3)) for n, (x, y) in
               (("A", (0.0, 0.0)), ("B", b), ("C", c))}
        if _good(pts["A"], pts["B"], pts["C"], min_angle):
            return pts
    raise SceneError("geometry: could not draw a well-conditioned triangle (min_angle too large?)")


def _items(chosen: list, rng, vertex_names=("A", "B", "C")) -> list:
    """Figure item dicts (FigureItem fields) for the chosen constructions, in drawing order."""
    items = [{"polygon": "ABC"}]
    for k in chosen:
        if k == "incircle":
            items.append({"incircle": "ABC", "name": "c", "centre": "I"})
        elif k == "circumcircle":
            items.append({"circumcircle": "ABC", "name": "k", "centre": "O"})
        elif k == "centroid":
            items.append({"centroid": "ABC", "name": "G"})
        elif k == "orthocentre":
            items.append({"orthocentre": "ABC", "name": "H"})
        elif k == "bisector":
            v = vertex_names[int(rng.integers(3))]
            o = [n for n in vertex_names if n != v]
            items.append({"bisector": f"{o[0]}{v}{o[1]}", "name": "l", "aux": True})
        elif k == "altitude":
            v = vertex_names[int(rng.integers(3))]
            o = [n for n in vertex_names if n != v]
            items.append({"foot": f"{v} {o[0]}{o[1]}", "name": "D"})
            items.append({"right_angle": f"{v}D{o[1]}"})
        elif k == "perpendicular_bisector":
            s = ["AB", "BC", "CA"][int(rng.integers(3))]
            items.append({"midpoint": s, "name": "M"})
            items.append({"perpendicular_bisector": s, "name": "m", "aux": True})
        elif k == "tangent":
            if not any("circumcircle" in it for it in items):
                items.append({"circumcircle": "ABC", "name": "k", "centre": "O"})
            items.append({"tangent": "P k", "name": "T", "pick": int(rng.integers(2))})
        elif k == "angles":
            for ang in ["BAC", "CBA", "ACB"][: int(rng.integers(1, 3))]:
                items.append({"angle": ang, "value": True})
    return items


def _figure(spec: dict, view=None, scale=40.0):
    import symbolreel as sr

    g = spec["figure"]
    points = {}
    for n, p in g["points"].items():
        track = g.get("tracks", {}).get(n)
        points[n] = sr.keys(*[tuple(k) for k in track]) if track else tuple(p)
    ink = styles.hex_of(spec["color"])
    items = []
    for it in g["items"]:
        kw = dict(it)
        if "polygon" in kw and g.get("fill"):
            kw["fill"] = ink + "30"
        items.append(sr.FigureItem(**kw))
    # exact (SymPy) verdicts are left off: nested radicals of incircles make them cost seconds per item
    fig = sr.Figure(id="figure", points=points, items=items, scale=scale, view=view, exact=False,
                    font_size=g["font_size"], fill=ink,
                    stroke=sr.Stroke(color=ink, width=g["line_width"], cap="round", join="round"),
                    transform=sr.Transform(position=tuple(spec["position"])))
    m = spec.get("motion")
    if m is not None and m["kind"] == "reveal":
        fig = fig.revealed(start=m["start"], per_item=m["per_item"], ease="linear")
    return fig


def _bounds(fig, times) -> tuple:
    xs, ys = [], []
    for t in times:
        for v in fig.state_at(t).values():
            if len(v) == 2 and all(isinstance(u, float) or isinstance(u, int) for u in v):
                xs.append(v[0])
                ys.append(v[1])
            elif len(v) == 2 and not isinstance(v[1], tuple):  # circle ((x, y), r)
                (cx, cy), r = v
                xs += [cx - r, cx + r]
                ys += [cy - r, cy + r]
    return min(xs), min(ys), max(xs), max(ys)


def sample(rng: np.random.Generator, options: dict, media: str) -> dict:
    """A geometry item spec; degenerate or ill-conditioned draws are re-drawn from ``rng``."""
    check_media(media)
    o = options
    w, h = o["width"], o["height"]
    short = min(w, h)
    last = None
    for _ in range(MAX_TRIES):
        pts = _triangle(rng, o["min_angle"])
        n = int(rng.integers(o["count"][0], o["count"][1] + 1))
        weights = dict(o["constructions"])
        chosen = []
        for _k in range(n):
            if not any(v > 0 for v in weights.values()):
                break
            k = styles.weighted_choice(rng, weights)
            weights[k] = 0.0
            chosen.append(k)
        items = _items(chosen, rng)
        if "tangent" in chosen:
            # P outside the circumcircle: beyond the far side of the circumcentre from a random direction
            ang = float(rng.uniform(0, 2 * math.pi))
            ax, ay = pts["A"]
            bx, by = pts["B"]
            cx, cy = pts["C"]
            d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
            ux = ((ax ** 2 + ay ** 2) * (by - cy) + (bx ** 2 + by ** 2) * (cy - ay) + (cx ** 2 + cy ** 2) * (ay - by)) / d
            uy = ((ax ** 2 + ay ** 2) * (cx - bx) + (bx ** 2 + by ** 2) * (ax - cx) + (cx ** 2 + cy ** 2) * (bx - ax)) / d
            r = math.hypot(ax - ux, ay - uy)
            dist = float(rng.uniform(1.5, 2.0)) * r
            pts["P"] = (round(ux + dist * math.cos(ang), 3), round(uy + dist * math.sin(ang), 3))
        motion = None
        tracks = {}
        if media == "clip":
            kind = styles.weighted_choice(rng, o["motions"])
            t0, t1 = timing(rng, o["duration"], o["fps"])
            motion = {"kind": kind, "start": t0, "end": t1}
            if kind == "move_vertex":
                v = ["A", "B", "C"][int(rng.integers(3))]
                x, y = pts[v]
                step = float(rng.uniform(0.6, 1.4))
                a = float(rng.uniform(0, 2 * math.pi))
                to = (round(x + step * math.cos(a), 3), round(y + step * math.sin(a), 3))
                ease = "linear" if rng.random() < 0.4 else "ease-in-out"
                tracks[v] = [[t0, [x, y]], [t1, list(to), ease]]
                motion.update({"vertex": v, "from": [x, y], "to": list(to), "ease": ease})
        spec = {"domain": NAME, "media": media, "canvas": canvas_spec(o, media), "constructions": chosen}
        bg, ink = background_and_ink(rng, o)
        font_size = round(max(9.0, o["font_size"] * short), 2)
        spec.update({"background": bg, "color": ink,
                     "figure": {"points": {k: list(v) for k, v in pts.items()}, "items": items,
                                "fill": bool(rng.random() < o["fill"]), "font_size": font_size,
                                "line_width": round(max(1.0, o["line_width"] * short), 2)},
                     "position": [w / 2.0, h / 2.0]})
        if tracks:
            spec["figure"]["tracks"] = tracks
        if motion is not None:
            spec["motion"] = motion
        try:
            fig = _figure({**spec, "motion": None})
            times = [0.0] if media == "still" else \
                [motion["start"] + (motion["end"] - motion["start"]) * i / (_SAMPLES - 1) for i in range(_SAMPLES)]
            ok = True
            for t in times:
                st = fig.state_at(t)
                if not _good(st["A"], st["B"], st["C"], o["min_angle"]):
                    ok = False
                if "P" in st and "k" in st:
                    (kx, ky), kr = st["k"]
                    if math.hypot(st["P"][0] - kx, st["P"][1] - ky) < 1.3 * kr:
                        ok = False
            if not ok:
                continue
            x0, y0, x1, y1 = _bounds(fig, times)
        except SceneError as exc:
            last = exc
            continue
        pad_px = 3.2 * font_size + 0.04 * short
        sc = min((w - 2 * pad_px) / max(x1 - x0, 1e-6), (h - 2 * pad_px) / max(y1 - y0, 1e-6))
        if sc <= 0:
            continue
        # the view covers the canvas, centred on the figure's bounds (lines are clipped to it)
        cxw, cyw = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        hw, hh = (w - 2 * 0.02 * short) / (2 * sc), (h - 2 * 0.02 * short) / (2 * sc)
        spec["figure"]["scale"] = round(sc, 4)
        spec["figure"]["view"] = [round(cxw - hw, 4), round(cyw - hh, 4), round(cxw + hw, 4), round(cyw + hh, 4)]
        if motion is not None and motion["kind"] == "reveal":
            n_reveal = max(fig._cp.n_reveal, 1)
            motion["per_item"] = round((motion["end"] - motion["start"]) / n_reveal, 4)
            motion["end"] = round(motion["start"] + motion["per_item"] * n_reveal, 4)
        return spec
    raise SceneError(f"geometry: no acceptable draw in {MAX_TRIES} tries (last problem: {last})")


def build(spec: dict):
    """The Scene of a geometry spec (deterministic)."""
    import symbolreel as sr

    c = spec["canvas"]
    bg_colour, nodes = styles.background_nodes(spec["background"], c["width"], c["height"])
    g = spec["figure"]
    fig = _figure(spec, view=tuple(g["view"]), scale=g["scale"])
    m = spec.get("motion")
    if m is not None and m["kind"] == "fade":
        fig = fig.replace(transform=sr.Transform(position=tuple(spec["position"]),
                                                 opacity=sr.keys((m["start"], 0.0), (m["end"], 1.0, "ease-in-out"))))
    nodes.append(fig)
    return sr.Scene(canvas=make_canvas(spec, bg_colour), nodes=nodes)


# ---------------------------------------------------------------- captions

def fact_en(rel: str, args: list) -> str:
    a = args
    table = {
        "incircle": lambda: f"{a[0]} is the incircle of triangle {a[1]}",
        "circumcircle": lambda: f"{a[0]} is the circumcircle of triangle {a[1]}",
        "tangent": lambda: f"{a[0]} is tangent to {a[1]}",
        "on": lambda: f"{a[0]} lies on {a[1]}",
        "angle_bisector": lambda: f"{a[0]} bisects angle {a[1]}",
        "foot": lambda: f"{a[0]} is the foot of the perpendicular from {a[1]} to {a[2]}",
        "perpendicular": lambda: f"{a[0]} is perpendicular to {a[1]}",
        "midpoint": lambda: f"{a[0]} is the midpoint of {a[1]}",
        "perpendicular_bisector": lambda: f"{a[0]} is the perpendicular bisector of {a[1]}",
        "centroid": lambda: f"{a[0]} is the centroid of triangle {a[1]}",
        "orthocentre": lambda: f"{a[0]} is the orthocenter of triangle {a[1]}",
        "incentre": lambda: f"{a[0]} is the incenter of triangle {a[1]}",
        "circumcentre": lambda: f"{a[0]} is the circumcenter of triangle {a[1]}",
    }
    return table[rel]() if rel in table else f"{rel.replace('_', ' ')} holds for {', '.join(a)}"


def fact_zh(rel: str, args: list) -> str:
    a = args
    table = {
        "incircle": lambda: f"{a[0]} 是三角形 {a[1]} 的内切圆",
        "circumcircle": lambda: f"{a[0]} 是三角形 {a[1]} 的外接圆",
        "tangent": lambda: f"{a[0]} 与 {a[1]} 相切",
        "on": lambda: f"{a[0]} 在 {a[1]} 上",
        "angle_bisector": lambda: f"{a[0]} 平分角 {a[1]}",
        "foot": lambda: f"{a[0]} 是从 {a[1]} 向 {a[2]} 所作垂线的垂足",
        "perpendicular": lambda: f"{a[0]} 垂直于 {a[1]}",
        "midpoint": lambda: f"{a[0]} 是 {a[1]} 的中点",
        "perpendicular_bisector": lambda: f"{a[0]} 是 {a[1]} 的垂直平分线",
        "centroid": lambda: f"{a[0]} 是三角形 {a[1]} 的重心",
        "orthocentre": lambda: f"{a[0]} 是三角形 {a[1]} 的垂心",
        "incentre": lambda: f"{a[0]} 是三角形 {a[1]} 的内心",
        "circumcentre": lambda: f"{a[0]} 是三角形 {a[1]} 的外心",
    }
    return table[rel]() if rel in table else f"{rel}（{'，'.join(a)}）成立"


_ITEM_EN = {"polygon": "triangle {of}", "incircle": "the incircle {name} with centre {centre}",
            "circumcircle": "the circumcircle {name} with centre {centre}", "centroid": "the centroid {name}",
            "orthocentre": "the orthocenter {name}", "bisector": "the bisector {name} of angle {of}",
            "foot": "the foot {name} of the perpendicular", "right_angle": "a right-angle mark at {vertex}",
            "midpoint": "the midpoint {name} of {of}", "perpendicular_bisector": "the perpendicular bisector {name}",
            "tangent": "the tangent from P touching at {name}", "angle": "the measured angle {of}",
            "circle": "a circle"}
_ITEM_ZH = {"polygon": "三角形 {of}", "incircle": "内切圆 {name}（圆心 {centre}）", "circumcircle": "外接圆 {name}（圆心 {centre}）",
            "centroid": "重心 {name}", "orthocentre": "垂心 {name}", "bisector": "角 {of} 的平分线 {name}",
            "foot": "垂足 {name}", "right_angle": "{vertex} 处的直角符号", "midpoint": "{of} 的中点 {name}",
            "perpendicular_bisector": "垂直平分线 {name}", "tangent": "从 P 引出的切线（切点 {name}）",
            "angle": "标出度数的角 {of}", "circle": "一个圆"}


def _item_words(it: dict, table: dict) -> str:
    vertex = it["of"][1] if it["kind"] == "right_angle" else ""
    return table.get(it["kind"], it["kind"]).format(of=it["of"], name=it.get("name", ""),
                                                    centre=it.get("centre", ""), vertex=vertex)


def captions(spec: dict, scene, rng: np.random.Generator) -> dict:
    """EN and ZH captions from Figure.describe(): the drawn items in order and the facts that hold."""
    fig = next(n for n in scene.nodes if n.id == "figure")
    d = fig.describe()
    col = spec["color"]
    bg = styles.describe_background(spec["background"])
    items_en = [_item_words(it, _ITEM_EN) for it in d["items"] if it.get("shown", True)]
    items_zh = [_item_words(it, _ITEM_ZH) for it in d["items"] if it.get("shown", True)]
    facts_en = [fact_en(f["relation"], f["args"]) for f in d["facts"]]
    facts_zh = [fact_zh(f["relation"], f["args"]) for f in d["facts"]]
    names = ", ".join(d["points"])
    shaded = " shaded" if spec["figure"].get("fill") else ""
    short_en = C.pick(rng, [f"A geometry construction on triangle ABC in {col}: " + ", ".join(items_en[1:]) + ".",
                            "Triangle ABC with " + ", ".join(items_en[1:]) + f", drawn in {col}."])
    short_zh = C.pick(rng, ["三角形 ABC 及其" + "、".join(items_zh[1:]) + f"，{C.color_zh(col)}线条。",
                            f"{C.color_zh(col)}的几何作图：三角形 ABC，" + "、".join(items_zh[1:]) + "。"])
    detailed_en = (f"A{shaded} triangle ABC drawn in {col} on {bg['en']}, with labelled points {names}; it shows "
                   + ", ".join(items_en[1:]) + "." + (" In the figure " + "; ".join(facts_en) + "." if facts_en else ""))
    detailed_zh = (f"{bg['zh']}上用{C.color_zh(col)}线条画出的{'带阴影的' if shaded else ''}三角形 ABC，标注了点 "
                   + "、".join(d["points"]) + "；图中有" + "、".join(items_zh[1:]) + "。" + ("图中" + "；".join(facts_zh) + "。" if facts_zh else ""))
    prompt_en = C.pick(rng, ["a clean textbook geometry diagram of triangle ABC with " + ", ".join(items_en[1:])
                             + f", {col} lines, labelled points",
                             "geometry figure, triangle ABC, " + ", ".join(items_en[1:]) + f", {bg['en']}"])
    prompt_zh = C.pick(rng, ["教科书风格的几何图：三角形 ABC，" + "、".join(items_zh[1:]) + f"，{C.color_zh(col)}线条，标注字母",
                             "几何作图，三角形 ABC，" + "、".join(items_zh[1:]) + f"，{bg['zh']}"])
    out = {"en": {"short": short_en, "detailed": detailed_en, "prompt": prompt_en},
           "zh": {"short": short_zh, "detailed": detailed_zh, "prompt": prompt_zh}}
    m = spec.get("motion")
    if m is not None:
        a, b = C.seconds(m["start"]), C.seconds(m["end"])
        az, bz = C.seconds_zh(m["start"]), C.seconds_zh(m["end"])
        if m["kind"] == "reveal":
            out["en"]["motion"] = (f"The construction is drawn step by step from {a} to {b}, in this order: "
                                   + ", then ".join(items_en) + ".")
            out["zh"]["motion"] = f"从{az}到{bz}按顺序逐步作图：" + "，然后".join(items_zh) + "。"
        elif m["kind"] == "move_vertex":
            v = m["vertex"]
            assert d["moving"] == [v]
            out["en"]["motion"] = (f"Vertex {v} glides from ({m['from'][0]:g}, {m['from'][1]:g}) to "
                                   f"({m['to'][0]:g}, {m['to'][1]:g}) between {a} and {b}; everything constructed "
                                   f"from it follows" + (", and the relations above hold in every frame." if d["facts"] else "."))
            out["zh"]["motion"] = (f"顶点 {v} 在{az}到{bz}之间从 ({m['from'][0]:g}, {m['from'][1]:g}) 移动到 "
                                   f"({m['to'][0]:g}, {m['to'][1]:g})，由它作出的图形随之变化" + ("，上述关系在每一帧都成立。" if d["facts"] else "。"))
        else:
            out["en"]["motion"] = f"The whole figure fades in between {a} and {b}."
            out["zh"]["motion"] = f"整个图形在{az}到{bz}之间逐渐显现。"
    return out


register(Domain(name=NAME, options=OPTIONS, sample=sample, build=build, captions=captions,
                option_docs=OPTION_DOCS, check=_check))
