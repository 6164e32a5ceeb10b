"""Road domain: a perspective road with lane markings, painted arrows and text, crosswalks and signs.

Samples lane counts and widths, boundary types with dash standards (cn_expressway, urban, us) and
wear, a straight run followed by bends (arcs and clothoids), painted arrows / text / stop lines /
crosswalks, traffic signs in each style (vienna, cn, us), the camera (lane, height, pitch, field of
view; for clips its driving speed) and asphalt texture. Painted text and signs stand on the straight
run 14-45 m ahead of the camera's start, so a still (and the first frame of a clip) shows them.
Captions come from ``Road.describe()``.
"""
from __future__ import annotations

import numpy as np

from symbolreel.errors import SceneError

from .. import captions as C
from . import Domain, register
from .common import check_canvas, check_media

NAME = "road"
STYLES = ("vienna", "cn", "us")
SIGN_KINDS = ("speed_limit", "stop", "warning", "yield")
ARROWS = ("straight", "left", "right", "straight_left", "straight_right", "uturn")
PAINTED_TEXT = ("SLOW", "BUS", "STOP", "KEEP CLEAR", "慢", "公交专用", "减速慢行", "学校")
INNER_TYPES = ("dashed", "solid", "solid_dashed", "dashed_solid", "double_solid")
OPTIONS = {
    "width": 512,
    "height": 288,
    "fps": 24.0,
    "duration": 2.0,
    "lanes": [1, 4],
    "lane_width": [3.0, 3.75],
    "curves": 0.7,
    "markings": 0.8,
    "signs": 0.7,
    "styles": {k: 1.0 for k in STYLES},
    "wear": [0.0, 0.6],
    "texture": [0.0, 0.6],
    "speed": [6.0, 30.0],
    "camera_height": [1.2, 2.2],
}
OPTION_DOCS = {
    "width": "canvas width in pixels",
    "height": "canvas height in pixels",
    "fps": "frames per second of clips",
    "duration": "length of clips in seconds",
    "lanes": "range of the number of lanes",
    "lane_width": "range of lane widths in metres",
    "curves": "share of roads that bend after the straight run",
    "markings": "share of roads with painted markings (arrows, text, stop line, crosswalk)",
    "signs": "share of roads with one or two traffic signs",
    "styles": "weights of sign styles: vienna, cn, us",
    "wear": "range of seeded dash and marking wear (0 fresh .. 1)",
    "texture": "range of asphalt texture strength (0 flat .. 1)",
    "speed": "range of the camera's driving speed in m/s (clips)",
    "camera_height": "range of the camera height in metres",
}


def _check(opts: dict, path: tuple) -> None:
    check_canvas({**opts, "min_contrast": 1.0}, path)
    lo, hi = opts["lanes"]
    if lo < 1 or hi > 8:
        raise SceneError(f"expected a range within 1..8 lanes, found {opts['lanes']}", path + ("lanes",))
    for key in ("wear", "texture"):
        if opts[key][0] < 0 or opts[key][1] > 1:
            raise SceneError(f"expected a range within 0..1, found {opts[key]}", path + (key,))


def sample(rng: np.random.Generator, options: dict, media: str) -> dict:
    """A road item spec (plain data mirroring the Road node's fields)."""
    check_media(media)
    o = options

    def pick(xs):
        return xs[int(rng.integers(len(xs)))]

    n = int(rng.integers(o["lanes"][0], o["lanes"][1] + 1))
    lw = round(float(rng.uniform(*o["lane_width"])), 2)
    lanes = [lw] * n
    wear = round(float(rng.uniform(*o["wear"])), 2)
    preset = pick(["cn_expressway", "urban", "us"])
    bounds = [{"type": "edge", "color": "yellow" if rng.random() < 0.3 else "white"}]
    for i in range(1, n):
        t = pick(INNER_TYPES) if rng.random() < 0.35 else "dashed"
        b = {"type": t}
        if "dashed" in t:
            b.update(preset=preset, wear=wear, phase=round(float(rng.uniform(0, 5)), 2))
        if t == "solid" and rng.random() < 0.3:
            b["color"] = "yellow"
        bounds.append(b)
    bounds.append({"type": "edge", "color": "white"})
    speed = round(float(rng.uniform(*o["speed"])), 1) if media == "clip" else 0.0
    travel = speed * o["duration"]
    straight = round(60.0 + travel + float(rng.uniform(0, 40)), 1)
    segments = [{"kind": "straight", "length": straight}]
    if rng.random() < o["curves"]:
        k = float(rng.uniform(0.002, 0.012)) * (1 if rng.random() < 0.5 else -1)
        segments.append({"kind": "clothoid", "length": 40.0, "curvature": 0.0, "curvature_to": round(k, 5)})
        segments.append({"kind": "arc", "length": 260.0, "curvature": round(k, 5)})
    else:
        segments.append({"kind": "straight", "length": 260.0})
    cam_lane = int(rng.integers(n))
    markings = []
    if rng.random() < o["markings"]:
        s = 14.0 + float(rng.uniform(0, 6))
        for lane in range(n):
            if rng.random() < 0.6:
                markings.append({"kind": "arrow", "s": round(s, 1), "lane": lane, "shape": pick(ARROWS),
                                 "wear": round(wear * 0.5, 2)})
        if rng.random() < 0.6:
            markings.append({"kind": "text", "s": round(s + 9.0, 1), "lane": cam_lane, "text": pick(PAINTED_TEXT)})
        if rng.random() < 0.4:
            markings.append({"kind": "stop_line", "s": round(s + 22.0, 1)})
            markings.append({"kind": "crosswalk", "s": round(s + 24.0, 1)})
    signs = []
    if rng.random() < o["signs"]:
        style = pick([k for k, v in o["styles"].items() if v > 0])
        for j in range(int(rng.integers(1, 3))):
            kind = pick(SIGN_KINDS)
            sg = {"kind": kind, "s": round(25.0 + 15.0 * j + float(rng.uniform(0, 5)), 1),
                  "side": "right" if j == 0 or rng.random() < 0.5 else "left", "style": style}
            if kind == "speed_limit":
                sg["text"] = str(pick([30, 40, 50, 60, 80, 100, 120]))
            signs.append(sg)
    camera = {"lane": cam_lane, "height": round(float(rng.uniform(*o["camera_height"])), 2),
              "pitch": round(float(rng.uniform(2.0, 6.0)), 1), "fov": round(float(rng.uniform(40, 60)), 1),
              "speed": speed}
    spec = {"domain": NAME, "media": media,
            "canvas": {"width": o["width"], "height": o["height"]} if media == "still" else
            {"width": o["width"], "height": o["height"], "fps": o["fps"], "duration": o["duration"]},
            "lanes": lanes, "boundaries": bounds, "segments": segments, "markings": markings, "signs": signs,
            "camera": camera, "texture": round(float(rng.uniform(*o["texture"])), 2)}
    if media == "clip":
        spec["motion"] = {"kind": "driving", "start": 0.0, "end": o["duration"], "speed": speed}
    return spec


def build(spec: dict):
    """The Scene of a road spec (deterministic)."""
    import symbolreel as sr

    c = spec["canvas"]
    cam = spec["camera"]
    s = {"value": 0.0, "speed": cam["speed"]} if spec["media"] == "clip" else 0.0
    road = sr.Road(id="road", segments=[sr.RoadSegment(**g) for g in spec["segments"]], lanes=spec["lanes"],
                   boundaries=[sr.Boundary(**b) for b in spec["boundaries"]],
                   markings=[sr.RoadMarking(**m) for m in spec["markings"]],
                   signs=[sr.RoadSign(**g) for g in spec["signs"]],
                   camera=sr.RoadCamera(s=s, lane=cam["lane"], height=cam["height"], pitch=cam["pitch"],
                                        fov=cam["fov"]),
                   texture=spec["texture"])
    if spec["media"] == "clip":
        canvas = sr.Canvas(width=c["width"], height=c["height"], fps=c["fps"], duration=c["duration"])
    else:
        canvas = sr.Canvas(width=c["width"], height=c["height"], frames=1)
    return sr.Scene(canvas=canvas, nodes=[road])


_TYPE_EN = {"solid": "solid", "dashed": "dashed", "double_solid": "double solid", "solid_dashed": "solid-dashed",
            "dashed_solid": "dashed-solid", "edge": "solid edge", "none": "unmarked"}
_TYPE_ZH = {"solid": "实线", "dashed": "虚线", "double_solid": "双实线", "solid_dashed": "左实右虚线",
            "dashed_solid": "左虚右实线", "edge": "边缘实线", "none": "无标线"}
_COL_ZH = {"white": "白色", "yellow": "黄色"}
_ARROW_EN = {"straight": "straight-ahead", "left": "left-turn", "right": "right-turn",
             "straight_left": "straight-or-left", "straight_right": "straight-or-right", "uturn": "U-turn"}
_ARROW_ZH = {"straight": "直行", "left": "左转", "right": "右转", "straight_left": "直行或左转",
             "straight_right": "直行或右转", "uturn": "掉头"}
_SIGN_EN = {"speed_limit": "speed-limit sign", "stop": "stop sign", "warning": "warning sign", "yield": "yield sign"}
_SIGN_ZH = {"speed_limit": "限速标志", "stop": "停车标志", "warning": "警告标志", "yield": "让行标志"}
_STYLE_EN = {"vienna": "European (Vienna Convention)", "cn": "Chinese", "us": "US"}
_STYLE_ZH = {"vienna": "欧洲（维也纳公约）", "cn": "中国", "us": "美国"}
_SHAPE_EN = {"straight": "straight", "curves left": "left-curving", "curves right": "right-curving",
             "winding": "winding"}
_SHAPE_ZH = {"straight": "笔直", "curves left": "向左弯", "curves right": "向右弯", "winding": "蜿蜒"}


def captions(spec: dict, scene, rng: np.random.Generator) -> dict:
    """EN and ZH captions from Road.describe(): lanes, line types and dash lengths, markings, signs, camera."""
    road = next(n for n in scene.nodes if n.id == "road")
    d = road.describe()
    n = d["lanes"]
    inner = d["boundaries"][1:-1]
    def line_en(b):
        extra = f" ({b['dash_m']:g} m dashes, {b['gap_m']:g} m gaps)" if "dash_m" in b else ""
        return f"{b['color']} {_TYPE_EN[b['type']]}{extra}"

    def line_zh(b):
        extra = f"（线段 {b['dash_m']:g} 米、间隔 {b['gap_m']:g} 米）" if "dash_m" in b else ""
        return f"{_COL_ZH[b['color']]}{_TYPE_ZH[b['type']]}{extra}"

    lanes_en = f"{C.plural(n, 'lane')} {d['lane_widths_m'][0]:g} m wide"
    lanes_zh = f"{C.num_zh(n)}条宽 {d['lane_widths_m'][0]:g} 米的车道"
    div_en = ("; the lanes are divided, left to right, by " + ", ".join(line_en(b) for b in inner)) if inner else ""
    div_zh = ("；车道之间从左到右依次为" + "、".join(line_zh(b) for b in inner)) if inner else ""
    edges_en = f"; the edge lines are {line_en(d['boundaries'][0])} on the left and {line_en(d['boundaries'][-1])} on the right"
    edges_zh = f"；左侧边线为{line_zh(d['boundaries'][0])}，右侧边线为{line_zh(d['boundaries'][-1])}"
    marks_en, marks_zh = [], []
    for m in d["markings"]:
        if m["kind"] == "arrow":
            marks_en.append(f"a {_ARROW_EN[m['shape']]} arrow in lane {m['lane'] + 1}")
            marks_zh.append(f"第{C.num_zh(m['lane'] + 1)}车道的{_ARROW_ZH[m['shape']]}箭头")
        elif m["kind"] == "text":
            marks_en.append(f"the word {C.q_en(m['text'])} painted in lane {m['lane'] + 1}")
            marks_zh.append(f"第{C.num_zh(m['lane'] + 1)}车道上喷涂的文字{C.q_zh(m['text'])}")
        elif m["kind"] == "stop_line":
            marks_en.append("a stop line")
            marks_zh.append("停止线")
        else:
            marks_en.append("a zebra crosswalk")
            marks_zh.append("斑马线")
    signs_en, signs_zh = [], []
    for g in d["signs"]:
        t_en = f" reading {C.q_en(g['text'])}" if g["text"] else ""
        t_zh = f"，上面写着{C.q_zh(g['text'])}" if g["text"] else ""
        signs_en.append(f"a {_STYLE_EN[g['style']]} {_SIGN_EN[g['kind']]}{t_en} on the {g['side']}")
        signs_zh.append(f"{'右' if g['side'] == 'right' else '左'}侧的{_STYLE_ZH[g['style']]}{_SIGN_ZH[g['kind']]}{t_zh}")
    shape_en, shape_zh = _SHAPE_EN[d["shape"]], _SHAPE_ZH[d["shape"]]
    cam_lane = d["camera"]["lane"] + 1
    short_en = C.pick(rng, [f"A driver's view of a {shape_en} road with {lanes_en}.",
                            f"Dashcam view: a {shape_en} {C.num_en(n)}-lane road ahead."])
    short_zh = C.pick(rng, [f"驾驶视角下{shape_zh}的道路，共{C.num_zh(n)}条车道。", f"行车记录仪视角：{shape_zh}的{C.num_zh(n)}车道道路。"])
    detailed_en = (f"A road seen from a camera {spec['camera']['height']:g} m above lane {cam_lane} of "
                   f"{lanes_en}, " + ("straight all the way" if d["shape"] == "straight" else
                                    f"{shape_en} after a straight stretch") + f"{div_en}{edges_en}"
                   + (". Painted on the road: " + ", ".join(marks_en) if marks_en else "")
                   + (". Beside the road: " + ", ".join(signs_en) if signs_en else "") + ".")
    detailed_zh = (f"从第{C.num_zh(cam_lane)}车道上方 {spec['camera']['height']:g} 米处看到的道路，共{lanes_zh}，"
                   + ("一路笔直" if d["shape"] == "straight" else f"先直行后{shape_zh}") + f"{div_zh}{edges_zh}"
                   + ("。路面上有" + "、".join(marks_zh) if marks_zh else "")
                   + ("。路边有" + "、".join(signs_zh) if signs_zh else "") + "。")
    prompt_en = (f"first-person driving view, {shape_en} {C.num_en(n)}-lane road, crisp lane markings"
                 + (", " + ", ".join(marks_en) if marks_en else "") + (", " + ", ".join(signs_en) if signs_en else ""))
    prompt_zh = (f"第一人称驾驶视角，{shape_zh}的{C.num_zh(n)}车道道路，清晰的车道线"
                 + ("，" + "、".join(marks_zh) if marks_zh else "") + ("，" + "、".join(signs_zh) if signs_zh else ""))
    out = {"en": {"short": short_en, "detailed": detailed_en, "prompt": prompt_en},
           "zh": {"short": short_zh, "detailed": detailed_zh, "prompt": prompt_zh}}
    if spec["media"] == "clip":
        v = d["camera"]["speed_m_s"]
        dur = spec["canvas"]["duration"]
        out["en"]["motion"] = (f"The camera drives forward in lane {cam_lane} at a steady {v:g} m/s "
                               f"({v * 3.6:.0f} km/h) for {dur:g} s; the dashes and markings stay fixed to the "
                               f"road and flow towards the viewer.")
        out["zh"]["motion"] = (f"镜头沿第{C.num_zh(cam_lane)}车道以 {v:g} 米/秒（{v * 3.6:.0f} 公里/小时）匀速前进 "
                               f"{dur:g} 秒，虚线和路面标记固定在路面上，向观看者方向流动。")
    return out


register(Domain(name=NAME, options=OPTIONS, sample=sample, build=build, captions=captions,
                option_docs=OPTION_DOCS, check=_check))
