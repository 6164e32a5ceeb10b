"""Classical-vision checks of figures, plots and road lanes against the facts in the case's labels.

Everything here measures the prediction against labels (exact image geometry of the reference render);
no learned model is involved. Ink is found by colour distance from the background, lane paint by
brightness and saturation thresholds, circles by the Hough transform, lines by the probabilistic
Hough transform, corners/markers by contours.
"""
from __future__ import annotations

import numpy as np

from ..errors import need
from .frame import polyline_mask


def _cv2():
    return need("cv2", "structure metrics")


def background_colour(img: np.ndarray) -> np.ndarray:
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]]).astype(np.float32)
    return np.median(border, axis=0)


def ink_mask(img: np.ndarray, bg=None, threshold: float = 60.0) -> np.ndarray:
    """Pixels whose colour is far from the background colour (Euclidean RGB distance)."""
    bg = background_colour(img) if bg is None else np.asarray(bg, np.float32)
    return np.linalg.norm(img[..., :3].astype(np.float32) - bg, axis=-1) > threshold


def colour_mask(img: np.ndarray, colour, threshold: float = 90.0) -> np.ndarray:
    """Pixels near ``colour``, opened with a 2x2 square: strokes survive, isolated noise pixels do not."""
    m = np.linalg.norm(img[..., :3].astype(np.float32) - np.asarray(colour, np.float32), axis=-1) < threshold
    return _open(m, 2)


def _open(mask: np.ndarray, k: int) -> np.ndarray:
    cv2 = _cv2()
    return cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((k, k), np.uint8)).astype(bool)


def _dist_to(mask: np.ndarray) -> np.ndarray:
    """Distance (px) of every pixel to the nearest True pixel of ``mask``."""
    cv2 = _cv2()
    if not mask.any():
        return np.full(mask.shape, 1e6, np.float32)
    return cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 3)


def sample_polyline(pl, step: float = 2.0) -> np.ndarray:
    pl = np.asarray(pl, dtype=np.float64).reshape(-1, 2)
    out = [pl[:1]]
    for a, b in zip(pl, pl[1:]):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        out.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.concatenate(out)


def _at(field: np.ndarray, pts: np.ndarray) -> np.ndarray:
    h, w = field.shape
    x = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
    return field[y, x]


def stroke_recall_precision(ink: np.ndarray, polylines, tol: float = 3.0, region=None,
                            min_ink: float = 0.0) -> tuple[float, float]:
    """Share of the labelled strokes with ink within ``tol`` px, and share of ink within ``tol`` px of them.

    ``min_ink``: the precision's denominator is at least this share of the labelled strokes' length in
    pixels, so that a few stray ink pixels near a stroke (noise) are not a precise drawing."""
    if not polylines:
        return 1.0, 1.0
    pts = np.concatenate([sample_polyline(p) for p in polylines])
    rec = float((_at(_dist_to(ink), pts) <= tol).mean())
    gt = polyline_mask(ink.shape, polylines, 1)
    near = _dist_to(gt) <= tol + 2
    sel = ink if region is None else ink & region
    denom = max(float(sel.sum()), min_ink * float(gt.sum()))
    prec = float((near & sel).sum() / denom) if denom else 0.0
    return rec, prec


# --- geometry --------------------------------------------------------------------------------------------

def find_markers(ink: np.ndarray, want: int = 0, sizes=(5, 4, 3), most: int = 24) -> np.ndarray:
    """Centres of the filled point markers in an ink mask: what survives an opening with a disc wider
    than the strokes and narrower than the markers. The largest of ``sizes`` that leaves at least
    ``want`` blobs (the figure's visible points: a figure drawn smaller has smaller markers); the
    ``most`` largest blobs."""
    cv2 = _cv2()
    for size in sizes:
        dots = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
        n, _, stats, cents = cv2.connectedComponentsWithStats(dots)
        if n - 1 >= want:
            break
    if n <= 1:
        return np.zeros((0, 2))
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA], kind="stable")[:most]
    return cents[1:][order].astype(np.float64)


def _hough_gray(img: np.ndarray) -> np.ndarray:
    cv2 = _cv2()
    return cv2.GaussianBlur(cv2.cvtColor(np.ascontiguousarray(img[..., :3]), cv2.COLOR_RGB2GRAY), (5, 5), 1.2)


def _hough(gray: np.ndarray, min_radius: int, max_radius: int) -> np.ndarray:
    """Hough circle candidates (x, y, r) of a blurred grey image, shape (n, 3); the ALT variant
    (edge-contour based) is more precise and stays fast on noise, where the classic accumulator takes
    seconds."""
    cv2 = _cv2()
    hc = cv2.HoughCircles(gray, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=20, param1=300, param2=0.8,
                          minRadius=min_radius, maxRadius=max_radius) if gray.size else None
    return np.zeros((0, 3)) if hc is None else np.asarray(hc, np.float64).reshape(-1, hc.shape[-1])[:, :3]


def find_circles(img: np.ndarray, ink: np.ndarray, min_radius: int = 8, gray: np.ndarray | None = None) -> list:
    """Circles anywhere in the image: Hough (gradient-ALT) candidates refined by a least-squares fit to
    the ink around them; [(centre, radius)]. ``gray``: the image's :func:`_hough_gray`, if at hand."""
    g = _hough_gray(img) if gray is None else gray
    return [_refine_circle(ink, c[:2], float(c[2])) for c in _hough(g, min_radius, max(g.shape) // 2)]


def joined(ink: np.ndarray, markers: np.ndarray, gap: float = 5.0, share: float = 0.75) -> np.ndarray:
    """Which pairs of markers a drawn stroke joins: ink within 1 px along at least ``share`` of the
    straight segment between them (leaving out ``gap`` px at each end, the markers themselves)."""
    cv2 = _cv2()
    near = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    n = len(markers)
    out = np.zeros((n, n), bool)
    h, w = ink.shape
    for i in range(n):
        for j in range(i + 1, n):
            a, b = markers[i], markers[j]
            length = float(np.hypot(*(b - a)))
            if length <= 2 * gap + 2:
                continue
            t = np.linspace(gap / length, 1 - gap / length, max(8, int(length / 2)))
            q = np.rint(a + (b - a) * t[:, None]).astype(int)
            ok = (q[:, 0] >= 0) & (q[:, 0] < w) & (q[:, 1] >= 0) & (q[:, 1] < h)
            hit = np.zeros(len(q), bool)
            hit[ok] = near[q[ok, 1], q[ok, 0]]
            out[i, j] = out[j, i] = hit.mean() >= share
    return out


def _triangles(markers: np.ndarray, link: np.ndarray, min_area: float = 40.0) -> list:
    """Ordered triples of markers joined pairwise by strokes and not collinear (candidate drawn
    triangles: a side's junctions with other strokes are joined along it too, but lie on a line)."""
    import itertools
    out = []
    for i, j, k in itertools.combinations(range(len(markers)), 3):
        if link[i, j] and link[j, k] and link[i, k]:
            a, b, c = markers[i], markers[j], markers[k]
            if abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) / 2 >= min_area:
                out += list(itertools.permutations((i, j, k)))
    return out


def identify(fig: dict, markers: np.ndarray, circles: list, ink: np.ndarray | None = None, reach: float = 24.0,
             tol: float = 3.0) -> tuple:
    """Which found marker is which point, wherever the figure is drawn: the assignment of the figure's
    free points (A, B, C, ...) to markers under which its facts hold best, every constructed point and
    circle then taken as the found one nearest where the facts put it (within ``reach`` px; circles
    within a third of their radius plus ``reach``). Returns (score, points, circles): the mean fact
    credit (:func:`fact_credit`) and the found positions by name (None: not found).

    The figure's polygon (triangle ABC) is drawn: with ``ink``, its vertices are searched among the
    triples of markers that strokes join pairwise (:func:`joined`), else among all triples of the nine
    largest markers."""
    import itertools
    from .facts import defines, predict
    names = [p["name"] for p in fig.get("points", [])]
    visible = {p["name"] for p in fig.get("points", []) if p.get("visible")}
    free = [p["name"] for p in fig.get("points", []) if p.get("visible") and p.get("free")]
    facts = fig.get("facts", [])
    steps = {}
    for f in facts:                     # the facts come in construction order
        d = defines(f, names)
        if d is not None and d not in free and d not in steps:
            steps[d] = f

    def build(assign: dict):
        pts = {n: (markers[j] if j is not None else None) for n, j in assign.items()}
        used = {j for j in assign.values() if j is not None}
        circ = {}
        for d, f in steps.items():
            cands = predict(f, pts, circ, names)
            if f["relation"] in ("circumcircle", "incircle"):
                best = None
                if cands and circles:
                    (pc, pr) = cands[0]
                    errs = [np.hypot(*(c - pc)) + abs(r - pr) for c, r in circles]
                    k = int(np.argmin(errs))
                    best = circles[k] if errs[k] <= pr / 3 + reach else None
                circ[d] = best
            elif d in visible:
                pts[d] = None
                if cands and len(markers):
                    free_m = [j for j in range(len(markers)) if j not in used]
                    if free_m:
                        dist = [min(np.hypot(*(markers[j] - q)) for q in cands) for j in free_m]
                        k = int(np.argmin(dist))
                        if dist[k] <= reach:
                            pts[d] = markers[free_m[k]]
                            used.add(free_m[k])
        for n in visible:
            pts.setdefault(n, None)
        return fact_credit(facts, pts, circ, names, tol), pts, circ

    if not facts:
        return 1.0, {}, {}
    empty = build({n: None for n in free})
    if len(markers) < min(3, len(free)):
        return empty
    poly = next((it["args"] for it in fig.get("items", []) if it.get("kind") == "polygon"), "")
    head = [n for n in free if n in poly][:3]
    if len(head) < 3:
        head = free[:3]
    rest = [n for n in free if n not in head]
    # the triangle's vertices by search; further free points (a tangent's outside point P) one at a
    # time on the best few triangles
    if ink is not None and len(head) == 3 and len(head) == len(poly):
        perms = _triangles(markers, joined(ink, markers))
    else:
        perms = list(itertools.permutations(range(min(len(markers), 9)), len(head)))
    ranked = sorted((build(dict(zip(head, perm)) | {n: None for n in rest})[0], perm) for perm in perms)
    best = empty
    for _, perm in ranked[::-1][:4]:
        assign = dict(zip(head, perm))
        for n in rest:
            opts = [j for j in range(len(markers)) if j not in assign.values()] + [None]
            scored = [(build(assign | {n: j} | {m: None for m in rest if m not in assign and m != n})[0], k, j)
                      for k, j in enumerate(opts)]
            assign[n] = max(scored)[2]
        cand = build(assign)
        if cand[0] > best[0]:
            best = cand
    return best


def fact_credit(facts: list, points: dict, circles: dict, names, tol: float = 3.0) -> float:
    """Mean over the checkable facts of 1 - (miss - 1 px) / (4 tol), 0 for a fact whose points or
    circles were not found (:func:`.facts.residual`); 1 when none is checkable."""
    from .facts import MISS, residual
    scores = []
    for f in facts:
        res = residual(f["relation"], f["args"], points, circles, names)
        if res is not None:
            # the first pixel is the marker centres' own error (antialiasing, strokes meeting a marker)
            scores.append(0.0 if res is MISS else max(0.0, 1.0 - max(0.0, res - 1.0) / (4 * tol)))
    return float(np.mean(scores)) if scores else 1.0


def labelled_circles(fig: dict) -> dict:
    """The circles of a figure annotation in image pixels: name -> (centre, radius) fitted to the drawn
    outline (its polyline's vertices lie on the circle, unevenly spaced where the view clips it)."""
    out = {}
    for it in fig.get("items", []):
        if it.get("kind") in ("circle", "circumcircle", "incircle") and it.get("image") and it.get("name"):
            out[it["name"]] = fit_circle(np.asarray(it["image"][0], np.float64))
    return out


def fit_circle(pts: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares circle through points (exact for points on a circle, whatever their spacing)."""
    x, y = pts[:, 0], pts[:, 1]
    a = np.column_stack([x, y, np.ones_like(x)])
    (cx2, cy2, k), *_ = np.linalg.lstsq(a, x * x + y * y, rcond=None)
    c = np.array([cx2 / 2, cy2 / 2])
    return c, float(np.sqrt(max(k + c @ c, 0.0)))


def _refine_circle(ink: np.ndarray, c, r: float) -> tuple[np.ndarray, float]:
    """A Hough circle refined by a least-squares fit to the ink within a band around it (twice, the
    band narrowing): the accumulator's centre and radius are off by a pixel or two, which the facts
    on the circle would inherit."""
    ys, xs = np.nonzero(ink)
    pts = np.column_stack([xs, ys]).astype(np.float64)
    c = np.asarray(c, np.float64)
    for band in (4.0, 2.0):
        sel = pts[np.abs(np.hypot(*(pts - c).T) - r) <= band]
        if len(sel) < 20:
            break
        c, r = fit_circle(sel)
    return c, r


FACT_TOL = 3.0     # px: a fact that misses by 4 x this earns nothing


def figure_terms(img: np.ndarray, fig: dict, colour=None, tol: float = FACT_TOL) -> dict:
    """A ``figure`` annotation checked on an image: its strokes, its circles and its facts.

    Ink: pixels of the figure's colour (``colour``, RGB 0..255; by distance from the background when not
    given). Layout terms (the reference's picture): stroke_recall / stroke_precision / stroke_f1, ink vs
    the labelled item outlines (label glyphs left out); circle_fit (figures with circles), per labelled
    circle the Hough circle nearest it, refined by a least-squares fit to the ink around it, 1 - (centre
    + radius error - 1 px) / (0.15 r). Layout-free: facts, the construction's facts measured among the
    markers and circles found anywhere in the image, under the reading of which marker is which point
    that fits them best (:func:`identify`)."""
    ink = colour_mask(img, colour) if colour is not None else ink_mask(img)
    polylines = [pl for it in fig.get("items", []) for pl in it.get("image") or []]
    x0, y0, x1, y1 = fig["bbox"]
    region = np.zeros(ink.shape, bool)
    region[int(max(0, y0)):int(y1) + 1, int(max(0, x0)):int(x1) + 1] = True
    labels = np.zeros(ink.shape, np.uint8)
    for lb in fig.get("labels", []):           # label glyphs are text, not strokes
        bx0, by0, bx1, by1 = lb["bbox"]
        labels[int(max(0, by0)) - 2:int(by1) + 3, int(max(0, bx0)) - 2:int(bx1) + 3] = 1
    # a 3 px stroke leaves about three ink pixels per pixel of its length: half of one is a drawing's least
    rec, prec = stroke_recall_precision(ink, polylines, region=region & ~labels.astype(bool), min_ink=0.5)
    # recall alone rewards ink everywhere (noise); the F-measure does not
    out = {"stroke_f1": 2 * rec * prec / (rec + prec) if rec + prec else 0.0, "stroke_recall": rec,
           "stroke_precision": prec}
    g = _hough_gray(img)
    fits = []
    for c, r in labelled_circles(fig).values():
        m = int(r * 1.4) + 4
        ox, oy = int(max(0, c[0] - m)), int(max(0, c[1] - m))
        cand = _hough(np.ascontiguousarray(g[oy:int(c[1] + m), ox:int(c[0] + m)]), int(r * 0.7), int(r * 1.3))
        if not len(cand):
            fits.append(0.0)
            continue
        cand = cand + [ox, oy, 0]
        err = np.hypot(cand[:, 0] - c[0], cand[:, 1] - c[1]) + np.abs(cand[:, 2] - r)
        k = int(np.argmin(err))
        fc, fr = _refine_circle(ink, cand[k, :2], float(cand[k, 2]))
        # errors within a pixel are the antialiased outline's, not the drawing's
        fits.append(float(max(0.0, 1 - max(0.0, np.hypot(*(fc - c)) + abs(fr - r) - 1.0) / (0.15 * r))))
    if fits:                                   # no circle drawn: no term (a constant would credit blank)
        out["circle_fit"] = float(np.mean(fits))
    want = sum(1 for p in fig.get("points", []) if p.get("visible"))
    out["facts"] = identify(fig, find_markers(ink, want), find_circles(img, ink, gray=g), ink, tol=tol)[0]
    return out


def checkable_facts(fig: dict) -> list[float]:
    """Residuals (px) of the annotation's checkable facts at the labelled positions (a suite case needs
    some, and they hold there)."""
    from .facts import residual
    points = {p["name"]: np.asarray(p["image"], np.float64) for p in fig.get("points", []) if p.get("visible")}
    circles = labelled_circles(fig)
    names = [p["name"] for p in fig.get("points", [])]
    out = [residual(f["relation"], f["args"], points, circles, names) for f in fig.get("facts", [])]
    return [r for r in out if r is not None]


# --- plots -----------------------------------------------------------------------------------------------

def _tick_map(ticks, axis: int):
    vals = np.array([t["value"] for t in ticks], np.float64)
    pix = np.array([t["image"][axis] for t in ticks], np.float64)
    a, b = np.polyfit(vals, pix, 1)      # pixel = a * value + b
    return a, b


def plot_terms(img: np.ndarray, plot: dict, colour) -> dict:
    """The plotted curve against the labelled analytic curve, in axis coordinates.

    Per image column of the plot box where the labelled curve runs inside the box: the prediction's curve y is the
    median row of curve-coloured pixels, mapped to axis units by the tick labels; ``curve_error`` is the
    mean |y_pred - y_true| over the view height (a column with no curve pixel counts 0.5), ``coverage``
    the share of columns within 2 % of the view height, ``curve_precision`` the share of curve-coloured
    pixels within 3 px of the labelled curve."""
    ax, bx = _tick_map(plot["axes"]["x_ticks"], 0)
    ay, by = _tick_map(plot["axes"]["y_ticks"], 1)
    view = plot["view"]
    span = view[3] - view[1]
    curve = colour_mask(img, colour)
    x0, y0, x1, y1 = [int(round(v)) for v in plot["bbox"]]
    h, w = curve.shape
    truth = {}
    lines = []
    for c in plot.get("curves", []):
        for piece in c.get("pieces", []):
            p = np.asarray(piece, np.float64)
            lines.append(p)
            for u in range(max(x0, 0), min(x1, w)):
                sel = (p[:-1, 0] <= u + 0.5) & (p[1:, 0] > u + 0.5) | (p[:-1, 0] > u + 0.5) & (p[1:, 0] <= u + 0.5)
                for k in np.nonzero(sel)[0]:
                    t = (u + 0.5 - p[k, 0]) / (p[k + 1, 0] - p[k, 0])
                    truth.setdefault(u, p[k, 1] + t * (p[k + 1, 1] - p[k, 1]))
    errs = []
    for u, v_true in truth.items():
        if not y0 <= v_true <= y1:
            continue            # the labelled curve is outside the plot box here: nothing to draw
        rows = np.nonzero(curve[max(y0, 0):min(y1 + 1, h), u])[0] + max(y0, 0)
        if not len(rows):
            errs.append(0.5)
            continue
        v = rows[np.argmin(np.abs(rows - v_true))] if len(rows) > 1 else rows[0]
        y_pred, y_true = (v - by) / ay, (v_true - by) / ay
        errs.append(min(0.5, abs(y_pred - y_true) / span))
    errs = np.asarray(errs) if errs else np.array([0.5])
    _, prec = stroke_recall_precision(curve, [p for p in lines], tol=3.0)
    return {"curve_error": float(errs.mean()), "coverage": float((errs <= 0.02).mean()), "curve_precision": prec,
            "x_axis_units_per_px": float(1 / ax) if ax else 0.0}


# --- roads -----------------------------------------------------------------------------------------------

def paint_mask(img: np.ndarray, horizon: float) -> np.ndarray:
    """Lane paint below the horizon: bright and unsaturated (white) or yellow."""
    cv2 = _cv2()
    hsv = cv2.cvtColor(img[..., :3], cv2.COLOR_RGB2HSV)
    s, v, hue = hsv[..., 1].astype(int), hsv[..., 2].astype(int), hsv[..., 0].astype(int)
    m = ((v > 150) & (s < 60)) | ((hue > 15) & (hue < 35) & (s > 100) & (v > 120))
    # paint is brighter than the asphalt around it (a local top-hat), which noise mostly is not
    g = cv2.cvtColor(img[..., :3], cv2.COLOR_RGB2GRAY)
    tophat = cv2.morphologyEx(g, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (41, 41)))
    m &= tophat > 25
    m[: int(max(0, horizon)) + 2] = False
    return _open(m, 2)


def _fit_x_of_y(pts):
    pts = np.asarray(pts, np.float64)
    if len(pts) < 2 or np.ptp(pts[:, 1]) < 1:
        return None
    return np.polyfit(pts[:, 1], pts[:, 0], 1)


CULANE_WIDTH, CULANE_ROWS = 30.0, 590.0     # CULane draws lanes 30 px wide on 1640x590 frames


def culane_iou(truth: np.ndarray, pred: np.ndarray, shape) -> float:
    """IoU of two lanes (x, y polylines) drawn CULane-style: 30 px wide at 590 rows, scaled to ``shape``."""
    width = max(1, int(round(CULANE_WIDTH * shape[0] / CULANE_ROWS)))
    a = polyline_mask(shape, [truth], width)
    b = polyline_mask(shape, [pred], width)
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 0.0


def road_terms(img: np.ndarray, road: dict, ref_hits=None) -> dict:
    """Lane facts of a ``road`` annotation checked on an image.

    tusimple_acc: share of labelled TuSimple lane points with paint within 20 px in their row, over the
    rows below the far 15 % of the road (nearer the horizon the paint is sub-pixel: its detection
    flips with any re-encoding); with ``ref_hits`` (the reference's ``point_hits``) only the points the
    reference has paint at are judged: a TuSimple lane runs through the gaps of a dashed line, where
    no paint is right, and the dash ends passing those rows made the term flicker with any re-encoding),
    and a prediction's point is hit with paint within 2 rows of it;
    lanes_found: share of labelled lanes matched TuSimple-style (a line fitted to the paint near the lane
    within 20 px at >= 85 % of its rows); culane: share matched CULane-style, the same fitted line and
    the labelled lane drawn :data:`CULANE_WIDTH` px wide at CULane's 590 rows (scaled to the frame),
    IoU > 0.5; continuity: share of solid/edge lane samples painted;
    dash_profile: the painted/unpainted profile along dashed lanes (every 2 px of the labelled line, near part);
    vp: vanishing point of Hough lines on the paint (median pairwise intersection of left- and right-leaning
    segments), compared with the labelled lanes' common point."""
    cv2 = _cv2()
    horizon = road["camera"]["horizon_y"]
    paint = paint_mask(img, horizon)
    near = _dist_to(paint)
    h, w = paint.shape
    ts = road["tusimple"]
    rows = np.asarray(ts["h_samples"], np.float64)
    point_hits, matched, culane = [], 0, 0
    lanes = [np.asarray(lx, np.float64) for lx in ts["lanes"]]
    near_rows = horizon + 0.15 * (h - horizon)     # far samples are sub-pixel paint: not judged
    ys_idx, xs_idx = np.nonzero(paint)
    for lx in lanes:
        ok = lx >= 0
        if not ok.any():
            continue
        for x, y in zip(lx[ok], rows[ok]):
            if y <= near_rows:
                continue
            yy = int(min(h - 1, y))
            # judging a prediction against the reference's painted points, 2 rows of slack: a dash end
            # on the row moves by a pixel under any re-encoding (the reference is judged on the row)
            dy = 2 if ref_hits is not None else 0
            seg = paint[max(0, yy - dy):yy + dy + 1, int(max(0, x - 20)):int(min(w, x + 21))]
            point_hits.append(bool(seg.any()))
        # TuSimple-style lane match: fit x(y) to the paint near this lane, compare at its rows
        xl = np.interp(ys_idx, rows[ok], lx[ok], left=np.nan, right=np.nan)
        sel = np.abs(xs_idx - xl) <= 20
        fit = _fit_x_of_y(np.stack([xs_idx[sel], ys_idx[sel]], 1)) if sel.sum() > 20 else None
        if fit is not None:
            xf = np.polyval(fit, rows[ok])
            matched += (np.abs(xf - lx[ok]) <= 20).mean() >= 0.85
            culane += culane_iou(np.stack([lx[ok], rows[ok]], 1), np.stack([xf, rows[ok]], 1), (h, w)) > 0.5
    n_lanes = sum((lx >= 0).any() for lx in lanes)
    hits = np.asarray(point_hits, bool)
    judged = hits if ref_hits is None or len(ref_hits) != len(hits) else hits[np.asarray(ref_hits, bool)]
    out = {"tusimple_acc": float(judged.mean()) if len(judged) else 1.0, "point_hits": point_hits, "lanes_found": matched / n_lanes if n_lanes else 1.0,
           "culane": culane / n_lanes if n_lanes else 1.0}
    cont, dash = [], []
    for lane in road.get("lanes", []):
        for piece in lane.get("pieces", []):
            p = sample_polyline(piece, 2.0)       # every 2 image px
            p = p[p[:, 1] > near_rows]
            if not len(p):
                continue
            on = _at(near, p) <= 3.0
            (dash if lane["type"] == "dashed" else cont).append(on)
    out["continuity"] = float(np.mean(np.concatenate(cont))) if cont else 1.0
    out["dash_profile"] = [d.astype(np.uint8).tolist() for d in dash]
    # vanishing point
    gt_lines = [f for lane in road.get("lanes", []) for piece in lane.get("pieces", [])
                if (f := _fit_x_of_y(np.asarray(piece)[: max(2, len(piece) // 3)])) is not None]
    out["vp_error"] = _vp_error(cv2, paint, gt_lines, w, h)
    return out


def _intersections(lines_xy):
    """Median intersection of lines given as x = a*y + b."""
    pts = []
    for i in range(len(lines_xy)):
        for j in range(i + 1, len(lines_xy)):
            (a1, b1), (a2, b2) = lines_xy[i], lines_xy[j]
            if abs(a1 - a2) < 0.05:
                continue
            y = (b2 - b1) / (a1 - a2)
            pts.append((a1 * y + b1, y))
    return np.median(np.asarray(pts), axis=0) if pts else None


def _vp_error(cv2, paint, gt_lines, w, h) -> float:
    """Distance (px, capped at the image diagonal / 4) between the image's and the labels' vanishing points."""
    cap = float(np.hypot(w, h) / 4)
    gt = _intersections(gt_lines)
    if gt is None:
        return 0.0
    segs = cv2.HoughLinesP(paint.astype(np.uint8) * 255, 1, np.pi / 180, threshold=25, minLineLength=20,
                           maxLineGap=30)
    if segs is None:
        return cap
    fits = []
    for x1, y1, x2, y2 in np.asarray(segs).reshape(-1, 4):
        if abs(y2 - y1) < 4:
            continue                      # horizontal: stop lines, not lanes
        a = (x2 - x1) / (y2 - y1)
        fits.append((a, x1 - a * y1))
    left = [f for f in fits if f[0] > 0.1]
    right = [f for f in fits if f[0] < -0.1]
    if not left or not right:
        return cap
    vp = _intersections([tuple(np.median(left, axis=0)), tuple(np.median(right, axis=0))] + left[:20] + right[:20])
    return cap if vp is None else float(min(cap, np.hypot(*(vp - gt))))


def dash_agreement(pred_profiles, ref_profiles) -> float:
    """IoU of painted samples along the dashed lanes, prediction vs reference (1 for no dashed lane)."""
    inter = union = 0
    for p, r in zip(pred_profiles, ref_profiles):
        p, r = np.asarray(p, bool), np.asarray(r, bool)
        n = min(len(p), len(r))
        inter += (p[:n] & r[:n]).sum()
        union += (p[:n] | r[:n]).sum()
    return float(inter / union) if union else 1.0


def dash_period(profile) -> float:
    """Dominant period (in samples) of a painted/unpainted profile by autocorrelation; 0 when none."""
    x = np.asarray(profile, np.float64)
    if len(x) < 8 or x.std() == 0:
        return 0.0
    x = x - x.mean()
    ac = np.correlate(x, x, "full")[len(x) - 1:]
    ac /= ac[0]
    for k in range(2, len(ac) - 1):
        if ac[k] > ac[k - 1] and ac[k] >= ac[k + 1] and ac[k] > 0.2:
            return float(k)
    return 0.0

