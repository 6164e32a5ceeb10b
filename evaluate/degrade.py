"""Graded degradations of reference renders, for validating the benchmark (docs/benchmark.md).

Frame degradations work on decoded frames (blur, noise, JPEG, jitter, frame drops/repeats, dash breaks,
lane flicker). Content degradations re-render the case with changed content (look-alike glyph swaps,
dropped/extra characters, text that changes between frames, perturbed figure points or curves); those
change the case (``variant_case``) and are rendered again. Five levels each, level 0 = the reference; randomness is
keyed by (case id, degradation, level, frame) through a stable hash, never global state.
"""
from __future__ import annotations

import copy
import zlib

import numpy as np

from .errors import need

SEED = 20260
LEVELS = {
    "blur": [0.8, 1.5, 2.5, 4.0, 6.0],               # Gaussian sigma, px
    "noise": [6, 12, 24, 40, 64],                     # Gaussian noise sigma, grey levels
    "jpeg": [70, 45, 25, 15, 8],                      # JPEG quality (below ~5, 8x8 blocking *raises* the
                                                      # Laplacian variance: see docs/benchmark.md)
    "glyph_swap": [0.2, 0.4, 0.6, 0.8, 1.0],          # share of swappable characters swapped to look-alikes
    "drop_extra": [1, 2, 3, 4, 5],                    # characters dropped / inserted (alternately)
    "jitter": [0.5, 1.0, 2.0, 4.0, 8.0],              # per-frame random translation sigma, px
    "frame_drop": [0.1, 0.2, 0.3, 0.45, 0.6],         # share of frames frozen (repeat), followed by a jump
    "text_change": [0.1, 0.2, 0.3, 0.4, 0.5],         # share of frames showing look-alike text
    "dash_break": [0.1, 0.2, 0.35, 0.5, 0.7],         # share of each dash's rows erased (its far end)
    "lane_flicker": [0.1, 0.2, 0.3, 0.4, 0.5],        # share of frames whose lane paint vanishes (evenly spaced)
    "figure_points": [0.04, 0.08, 0.15, 0.25, 0.4],   # vertex displacement (x FIGURE_PX px) / curve change
}
FRAME_OPS = ("blur", "noise", "jpeg", "jitter", "frame_drop", "dash_break", "lane_flicker")

# look-alike glyphs: Latin (digits, shapes) and Chinese (a stroke added, moved or removed)
LOOKALIKE = {
    "O": "0", "0": "O", "I": "1", "1": "l", "l": "1", "E": "F", "S": "5", "5": "S", "B": "8", "8": "B",
    "H": "N", "U": "V", "R": "P", "P": "R", "T": "7", "2": "Z", "4": "A", "X": "K", "N": "H", "a": "o",
    "e": "c", "r": "n", "s": "5", "h": "b", "i": "j", "D": "O", "y": "v", "p": "q", "c": "e", "d": "b",
    "m": "n", "b": "h", "F": "E", "A": "4", "C": "G", "M": "N", "L": "I", "t": "f",
    "欢": "次", "迎": "仰", "光": "先", "临": "监", "前": "剪", "方": "万", "施": "旋", "工": "土",
    "注": "往", "意": "竟", "安": "按", "全": "金", "出": "山", "口": "日",
    # common characters of the sampled Chinese words and a neighbour one stroke away (added, moved, removed)
    "人": "入", "入": "人", "大": "太", "太": "大", "天": "夫", "夫": "天", "土": "士", "士": "土", "己": "已",
    "已": "己", "未": "末", "末": "未", "王": "玉", "玉": "王", "木": "本", "本": "木", "刀": "力", "力": "刀",
    "千": "干", "干": "千", "牛": "午", "午": "牛", "白": "百", "百": "白", "田": "由", "由": "甲", "甲": "申",
    "申": "田", "问": "间", "间": "问", "休": "体", "体": "休", "日": "目", "目": "日", "免": "兔", "兔": "免",
    "折": "拆", "拆": "折", "候": "侯", "侯": "候", "住": "往", "往": "住", "喝": "渴", "渴": "喝", "代": "伐",
    "伐": "代", "今": "令", "令": "今", "见": "贝", "贝": "见", "儿": "几", "几": "儿", "厂": "广", "广": "厂",
    "历": "厉", "厉": "历", "活": "话", "话": "活", "晴": "睛", "睛": "晴", "请": "清", "清": "请", "小": "少",
    "少": "小", "东": "车", "车": "东", "发": "友", "友": "发", "左": "右", "右": "左", "用": "甩", "明": "朋",
    "朋": "明", "知": "和", "和": "知", "司": "可", "可": "司", "经": "轻", "轻": "经", "万": "方", "公": "么",
    "么": "公", "去": "丢", "要": "耍", "看": "着", "着": "看", "没": "设", "设": "没", "部": "都", "都": "部",
    "理": "埋", "动": "劝", "现": "观", "观": "现", "作": "昨", "昨": "作", "业": "亚", "亚": "业", "元": "无",
    "无": "元", "直": "真", "真": "直", "特": "持", "持": "特", "样": "祥", "还": "坏", "物": "牧", "加": "如",
    "如": "加", "才": "寸", "寸": "才", "提": "堤", "鸟": "乌", "乌": "鸟", "北": "比", "比": "北", "使": "便",
    "便": "使", "叶": "吐", "汗": "汁", "待": "侍", "能": "熊", "水": "永", "永": "水", "买": "卖", "卖": "买",
    "中": "申", "心": "必", "必": "心", "国": "图", "图": "国", "自": "白", "生": "牛", "上": "土", "下": "卜",
    "子": "孑", "手": "毛", "毛": "手", "开": "升", "高": "亭", "学": "字", "字": "学", "会": "合", "合": "会",
    "时": "对", "对": "时", "地": "他", "他": "地", "成": "戍", "说": "悦", "点": "占", "想": "相", "相": "想",
    "家": "冢", "面": "而", "而": "面", "头": "买", "外": "处", "处": "外", "分": "兮", "主": "王", "文": "又",
    "年": "午", "长": "张", "电": "甩", "民": "氏", "氏": "民", "们": "门", "门": "闩", "行": "衍", "里": "黑",
    "法": "去", "情": "请", "新": "亲", "亲": "新", "进": "讲", "讲": "进", "多": "夕", "场": "扬", "扬": "场",
}
# formulas use few of the letters above (their variables are u, x, z, n, ...): the math symbols' own
# confusions, for formula glyph swaps only (the text cases keep LOOKALIKE)
MATH_LOOKALIKE = {**LOOKALIKE, "u": "v", "v": "u", "z": "2", "n": "h", "j": "i", "k": "K", "3": "8", "6": "b",
                  "9": "g", "7": "T"}
EXTRA = {"latin": "XQZ", "han": "日田目"}


def stable_hash(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


def case_rng(case_id: str, what: str, *keys: int):
    return np.random.default_rng([SEED, stable_hash(case_id), stable_hash(what), *keys])


# --- frame degradations ---------------------------------------------------------------------------------

def degrade_frames(frames, kind: str, level: int, case_id: str, objects=None) -> list[np.ndarray]:
    """``frames`` degraded by ``kind`` at ``level`` (1..5); ``objects`` = per-frame annotations (roads)."""
    cv2 = need("cv2", "degradations")
    p = LEVELS[kind][level - 1]
    out = []
    if kind == "blur":
        return [cv2.GaussianBlur(f, (0, 0), p) for f in frames]
    if kind == "noise":
        for i, f in enumerate(frames):
            n = case_rng(case_id, kind, level, i).normal(0, p, f.shape)
            out.append(np.clip(f + n, 0, 255).astype(np.uint8))
        return out
    if kind == "jpeg":
        for f in frames:
            ok, buf = cv2.imencode(".jpg", f[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(p)])
            out.append(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy())
        return out
    if kind == "jitter":
        for i, f in enumerate(frames):
            dx, dy = case_rng(case_id, kind, level, i).normal(0, p, 2)
            m = np.float32([[1, 0, dx], [0, 1, dy]])
            out.append(cv2.warpAffine(f, m, (f.shape[1], f.shape[0]), borderMode=cv2.BORDER_REPLICATE))
        return out
    if kind == "frame_drop":
        rng = case_rng(case_id, kind, level)
        frozen = set(rng.choice(np.arange(1, len(frames)), int(round(p * (len(frames) - 1))), replace=False).tolist())
        last = frames[0]
        for i, f in enumerate(frames):
            last = last if i in frozen else f
            out.append(last)
        return out
    if kind in ("dash_break", "lane_flicker"):
        return _lane_paint(frames, kind, level, p, case_id, objects)
    raise ValueError(f"unknown degradation {kind!r}")


def flicker_frames(n: int, p: float, case_id: str) -> set:
    """The round(p * n) frames of a lane-flicker level, evenly spaced from a keyed phase: with p <= 0.5 no
    two are adjacent, so each level adds on/off switches (random frames could bunch up, and a level with
    more dark frames but fewer switches read as steadier: rho(Mc) -0.89 on a sampled road clip)."""
    k = int(round(p * n))
    phase = case_rng(case_id, "lane_flicker").random()
    return {min(n - 1, int((j + phase) * n / k)) for j in range(k)} if k else set()


def _lane_paint(frames, kind, level, p, case_id, objects):
    """Erase lane paint: the far share of every dash (dash breaks) or whole frames (flicker)."""
    cv2 = need("cv2", "degradations")
    from .metrics.frame import polyline_mask
    from .metrics.structure import paint_mask
    rng = case_rng(case_id, kind, level)
    out = []
    n = len(frames)
    gone = flicker_frames(n, p, case_id) if kind == "lane_flicker" and n > 1 else set()
    paints = []
    for i, f in enumerate(frames):
        road = next(o for o in objects[min(i, len(objects) - 1)] if o.get("type") == "road")
        lanes = [pc for ln in road["lanes"] for pc in ln["pieces"]
                 if kind == "lane_flicker" or ln["type"] == "dashed"]
        paints.append(paint_mask(f, road["camera"]["horizon_y"]) & polyline_mask(f.shape, lanes, 40))
    if kind == "dash_break":
        # each dash loses the share p of its rows, at its far end (a worn, shortened dash), in every frame:
        # the dash pattern is broken in proportion to p however few dashes the near road shows (erasing
        # row bands among the rows that hold dashes graded in steps of one band, and a band over a dash
        # end left paint within the dash profile's 3 px tolerance), and level k+1 erases what level k does
        for i, pm in enumerate(paints):
            count, lab = cv2.connectedComponents(pm.astype(np.uint8), connectivity=8)
            cut = np.zeros_like(pm)
            for c in range(1, count):
                ys = np.nonzero((lab == c).any(1))[0]
                y0, y1 = int(ys.min()), int(ys.max())
                stop = y0 + int(np.ceil(p * (y1 - y0 + 1)))
                cut[y0:stop] |= (lab[y0:stop] == c)
            paints[i] = cut
    for i, f in enumerate(frames):
        paint = paints[i]
        if kind == "lane_flicker":
            if i not in gone and n > 1:
                out.append(f)
                continue
            if n == 1:
                paint &= rng.random(f.shape[:2]) < p * 2  # a still: erase a share of the paint pixels
        m = cv2.dilate(paint.astype(np.uint8), np.ones((3, 3), np.uint8))
        out.append(cv2.inpaint(np.ascontiguousarray(f), m, 3, cv2.INPAINT_TELEA))
    return out


# --- content degradations (re-rendered) -------------------------------------------------------------------

def swap_text(text: str, share: float, rng) -> str:
    """Swap ``share`` of the swappable characters of ``text`` to look-alikes (at least one)."""
    idx = [i for i, ch in enumerate(text) if ch in LOOKALIKE]
    k = max(1, int(round(share * len(idx)))) if idx else 0
    chosen = sorted(rng.permutation(idx)[:k].tolist()) if idx else []
    chars = list(text)
    for i in chosen:
        chars[i] = LOOKALIKE[chars[i]]
    return "".join(chars)


def _graded_edits(chars: list, count: int, rng, extra, droppable, insertable, read) -> list:
    """``count`` edits of ``chars``, extras (insertions) and drops alternately, each one a step of severity.

    A random drop next to a random insertion can cancel (together one substitution, or the dropped
    character put back), and on a short line a drop can take the similarity straight to 0 with nothing
    left to grade, so a level could read as close to the truth as the one before it. Each edit is the
    first candidate in the keyed order that raises the edit distance of ``read(chars)`` from the
    original by exactly one *and* lowers its NED (1 - ED / max length) while keeping it above 0 (when no
    candidate keeps it above 0, the lowest one that still lowers it); the other kind of edit is tried
    when the due one cannot, and failing both the extra character is appended. The draws per edit are
    fixed, so level k+1 is level k plus one edit (nested severities)."""
    from .metrics.text import edit_distance
    target = read(chars)
    prev = 1.0

    def score(c):
        r = read(c)
        d = edit_distance(r, target)
        return d, (1.0 - d / max(len(r), len(target), 1))

    for k in range(count):
        ch = extra(k)
        drops = [("drop", i) for i in rng.permutation(len(chars)).tolist() if droppable(chars, i)]
        inserts = [("insert", i) for i in rng.permutation(len(chars) + 1).tolist() if insertable(chars, i)]
        ordered = inserts + drops if k % 2 == 0 else drops + inserts
        best = None
        for op, i in ordered:
            cand = chars[:i] + chars[i + 1:] if op == "drop" else chars[:i] + [ch] + chars[i:]
            d, n = score(cand)
            if d != k + 1 or n >= prev - 1e-12:
                continue
            if n > 0:
                best = (cand, n)
                break
            best = best or (cand, n)
        if best is None:
            best = (chars + [ch], score(chars + [ch])[1])
        chars, prev = best
    return chars


def drop_extra_text(text: str, count: int, rng) -> str:
    """``count`` edits, extra (inserted) and dropped characters alternately, graded (see ``_graded_edits``);
    spaces are never dropped and whitespace does not count (as in the text metrics)."""
    from .metrics.text import normalize
    han = any("\u4e00" <= c <= "\u9fff" for c in text)
    pool = EXTRA["han" if han else "latin"]
    chars = _graded_edits(list(text), count, rng, lambda k: pool[k % len(pool)],
                          lambda c, i: c[i] != " " and sum(x != " " for x in c) > 1,
                          lambda c, i: True, lambda c: normalize("".join(c)))
    return "".join(chars)


def variant_case(case: dict, kind: str, level: int, frame_share_text: bool = False) -> dict:
    """The case row with its content degraded (text, formula, figure points, curve)."""
    c = copy.deepcopy(case)
    p = LEVELS[kind][level - 1]
    # keyed without the level: the edits of level k+1 extend those of level k (nested severities)
    rng = case_rng(case["id"], kind)
    if c.get("source") == "sampler":
        spec = c["spec"]
        if "text" in spec and kind in ("glyph_swap", "text_change", "drop_extra"):
            lines = spec["text"].split("\n")
            for li, line in enumerate(lines):
                if kind in ("glyph_swap", "text_change"):
                    lines[li] = swap_text(line, p if kind == "glyph_swap" else 1.0, rng)
                else:                        # one rng per line: a line's edits do not shift another's draws
                    lines[li] = drop_extra_text(line, int(p), case_rng(case["id"], kind, li))
            spec["text"] = "\n".join(lines)
        elif "tex" in spec and kind in ("glyph_swap", "text_change"):
            spec["tex"] = _swap_formula(spec["tex"], p if kind == "glyph_swap" else 1.0, rng)
        elif "tex" in spec and kind == "drop_extra":
            spec["tex"] = _drop_formula(spec["tex"], int(p), rng)
        elif "expr" in spec and kind == "figure_points":
            spec["expr"] = f"({spec['expr']}) * {1 + p:.3f} + {p / 2:.3f}"
        elif spec.get("domain") == "geometry" and kind == "figure_points":
            displace_vertices(spec, FIGURE_PX * p, rng)
    return c


FIGURE_PX = 40.0        # geometry: a figure_points level p moves each vertex FIGURE_PX * p pixels
VERTICES = ("A", "B", "C")


def displace_vertices(spec: dict, px: float, rng) -> None:
    """Move the drawn triangle's vertices ``px`` pixels (each in its own keyed direction) while every
    construction stays where the true vertices put it: the circles, centres, feet and midpoints no
    longer fit the triangle drawn (a figure whose facts fail). The constructions are rebuilt on hidden
    copies of the true vertices (A0, B0, C0); the triangle, its angle marks and the markers and labels
    A, B, C use the moved ones. Edits ``spec`` (a geometry sampler spec) in place."""
    from symbolreel.primitives.geometry.construction import KINDS
    g = spec["figure"]
    world = px / float(g["scale"])
    turn = {v: float(rng.uniform(0.0, 2.0 * np.pi)) for v in VERTICES}     # drawn before any level applies
    hidden = {v: v + "0" for v in VERTICES}

    def moved(pos, v):
        return [round(pos[0] + world * np.cos(turn[v]), 4), round(pos[1] + world * np.sin(turn[v]), 4)]

    points = {}
    for name, pos in g["points"].items():
        if name in hidden:
            points[hidden[name]] = pos
            points[name] = moved(pos, name)
        else:
            points[name] = pos
    g["points"] = points
    tracks = {}
    for name, keys in g.get("tracks", {}).items():
        if name in hidden:
            tracks[hidden[name]] = keys
            tracks[name] = [[k[0], moved(k[1], name), *k[2:]] for k in keys]
        else:
            tracks[name] = keys
    if tracks:
        g["tracks"] = tracks
    items = []
    for it in g["items"]:
        kind = next(k for k in it if k in KINDS)
        if kind not in ("polygon", "angle"):       # the construction: on the true (hidden) vertices
            it = {**it, kind: "".join(hidden.get(ch, ch) for ch in it[kind])}
        items.append(it)
    items.append({"point": " ".join(hidden[v] for v in VERTICES), "show": False})
    g["items"] = items


def _letters(tex):
    out, i = [], 0
    while i < len(tex):          # indices of single-letter variables / digits, skipping \commands
        if tex[i] == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            i = j
            continue
        if tex[i].isalnum():
            out.append(i)
        i += 1
    return out


def _swap_formula(tex, share, rng):
    idx = [i for i in _letters(tex) if tex[i] in MATH_LOOKALIKE]
    k = max(1, int(round(share * len(idx)))) if idx else 0
    chars = list(tex)
    for i in sorted(rng.permutation(idx)[:k].tolist()):
        chars[i] = MATH_LOOKALIKE[chars[i]]
    return "".join(chars)


# the symbols the math typesetter draws for TeX's commands and ASCII minus (what OCR reads back);
# function names read as their letters, \left and \right as the delimiter after them
_TEX_READ = {"\\cdot": "·", "\\times": "×", "\\leq": "≤", "\\geq": "≥", "\\neq": "≠", "\\approx": "≈",
             "\\left": "", "\\right": ""}


def formula_reading(tex: str) -> str:
    """What OCR should read of a suite formula (an equation without fractions, roots or Greek): the
    symbols drawn for its commands, without spaces, ``^``, ``_`` and braces (scripts read inline)."""
    import re
    s = re.sub(r"\\[A-Za-z]+", lambda m: _TEX_READ.get(m.group(0), m.group(0)[1:]), tex)
    return re.sub(r"[\s^_{}]", "", s).replace("-", "\u2212")


def _drop_formula(tex, count, rng):
    letters = set(_letters(tex))

    def droppable(c, i):        # a letter or digit, not the base of an exponent or a lone exponent
        s = "".join(c)
        return (c[i].isalnum() and i in set(_letters(s)) and not (i + 1 < len(c) and c[i + 1] in "^_")
                and not (i > 0 and c[i - 1] in "^_"))

    def insertable(c, i):       # before a letter or digit that is not an exponent
        s = "".join(c)
        return i < len(c) and i in set(_letters(s)) and not (i > 0 and c[i - 1] in "^_")

    del letters
    return "".join(_graded_edits(list(tex), count, rng, lambda k: "x", droppable, insertable,
                                 lambda c: formula_reading("".join(c))))
