"""Label placement that is continuous in the figure: a smooth cost over candidate positions, blended.

Each label has an anchor (a point, an angle vertex, a segment midpoint), a box size, a preferred
direction and a presence weight.  Candidates are 16 directions (starting at the preferred one,
alternating to either side) at three distances.  Every candidate gets a cost that is a
*continuous* function of the geometry (no counts, no thresholds):

    10 * sum_k w_k * near_k * ramp(clearance between the box and figure segment k)
    + 10 * sum_l w_l * (ramp(clearance to placed label l) + overlap area / own area)
    + 4 * ramp(how far the box leaves the view)
    + 8 * (1 - cos(angle from the preferred direction)) + 1 * ring

where ``ramp(d) = clamp(1 - d / MARGIN, 0, 1)`` (1 when touching, 0 from MARGIN = 15 px away), the
weights ``w`` (0..1) let obstacles fade in with the step-by-step reveal, and ``near_k`` keeps only
segments passing near the label's anchor (a point label: within 6 px, fading out over the next
REACH_FADE = 12 px, so a line passing just beside the point counts too; an item label: within its
gap): those turn about the anchor slowly, while far lines sweeping past would change costs fast.
The wide, gentle ramps keep the costs smooth, so the blend can stay sharp enough to keep a label
off a line it would otherwise straddle (candidates on both sides of a line average onto it).  The label is then put at
the softmin blend (T = 5) of the candidate centres, ``sum_j c_j exp(-cost_j / T) / sum_j exp(-cost_j / T)``.
The blend is a continuous function of the anchors, sizes, preferred directions and obstacles, so
when a figure moves a little its labels move a little: no candidate flips between frames, and a
frame stays a pure function of (scene, t) (no hysteresis state).  When one candidate is clearly
cheapest (the usual case) the blend sits on it; when costs trade places the label slides over a few
frames instead of jumping.

Labels are placed in a fixed order (points in definition order, then item labels in item order);
placed labels (at their blended centre, with their weight) are obstacles for the next ones.  The
search runs in one Numba kernel (a few microseconds per label).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

N_DIRECTIONS = 16
N_RINGS = 3
MARGIN = 15.0         # px: obstacles closer than this start to cost
TEMPERATURE = 5.0     # softmin temperature (cost units)
DEVIATION_COST = 8.0  # * (1 - cos(angle from the preferred direction))
RING_COST = 1.0       # per ring outwards
PUSH_CAP = 1.25       # the blended centre is pushed back out to the blended ring distance, by at most this factor
POINT_REACH = 6.0     # px: a point label avoids figure segments passing this close to the point (+ REACH_FADE)
REACH_FADE = 12.0     # px: a segment's weight fades from 1 to 0 over this distance beyond the label's reach
_OFFSETS = np.array(([0] + [s * k for k in range(1, N_DIRECTIONS // 2 + 1) for s in (1, -1)])[:N_DIRECTIONS],
                    dtype=np.float64)


@njit(cache=True)
def _seg_hits_box(px, py, qx, qy, x0, y0, x1, y1) -> bool:
    dx, dy = qx - px, qy - py
    t0, t1 = 0.0, 1.0
    for k in range(4):
        if k == 0:
            p, q = -dx, px - x0
        elif k == 1:
            p, q = dx, x1 - px
        elif k == 2:
            p, q = -dy, py - y0
        else:
            p, q = dy, y1 - py
        if p == 0.0:
            if q < 0.0:
                return False
        else:
            r = q / p
            if p < 0.0:
                if r > t0:
                    t0 = r
            else:
                if r < t1:
                    t1 = r
    return t0 <= t1


@njit(cache=True)
def _pt_box(x, y, x0, y0, x1, y1) -> float:
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True)
def _pt_box2(x, y, x0, y0, x1, y1) -> float:
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return dx * dx + dy * dy


@njit(cache=True)
def _pt_seg(x, y, px, py, qx, qy) -> float:
    dx, dy = qx - px, qy - py
    l2 = dx * dx + dy * dy
    t = 0.0
    if l2 > 0.0:
        t = min(max(((x - px) * dx + (y - py) * dy) / l2, 0.0), 1.0)
    ex, ey = px + t * dx - x, py + t * dy - y
    return math.sqrt(ex * ex + ey * ey)


@njit(cache=True)
def _pt_seg2(x, y, px, py, qx, qy) -> float:
    dx, dy = qx - px, qy - py
    l2 = dx * dx + dy * dy
    t = 0.0
    if l2 > 0.0:
        t = min(max(((x - px) * dx + (y - py) * dy) / l2, 0.0), 1.0)
    ex, ey = px + t * dx - x, py + t * dy - y
    return ex * ex + ey * ey


@njit(cache=True)
def _seg_box_dist2(px, py, qx, qy, x0, y0, x1, y1) -> float:
    """The square of :func:`_seg_box_dist` (its square root is the same value, bit for bit: sqrt is
    monotonic, so the minimum commutes with it)."""
    if _seg_hits_box(px, py, qx, qy, x0, y0, x1, y1):
        return 0.0
    d = min(_pt_box2(px, py, x0, y0, x1, y1), _pt_box2(qx, qy, x0, y0, x1, y1))
    d = min(d, _pt_seg2(x0, y0, px, py, qx, qy))
    d = min(d, _pt_seg2(x1, y0, px, py, qx, qy))
    d = min(d, _pt_seg2(x1, y1, px, py, qx, qy))
    d = min(d, _pt_seg2(x0, y1, px, py, qx, qy))
    return d


@njit(cache=True)
def _seg_box_dist(px, py, qx, qy, x0, y0, x1, y1) -> float:
    """Distance between a segment and an axis-aligned box (0 when they meet): continuous in all inputs."""
    if _seg_hits_box(px, py, qx, qy, x0, y0, x1, y1):
        return 0.0
    d = min(_pt_box(px, py, x0, y0, x1, y1), _pt_box(qx, qy, x0, y0, x1, y1))
    d = min(d, _pt_seg(x0, y0, px, py, qx, qy))
    d = min(d, _pt_seg(x1, y0, px, py, qx, qy))
    d = min(d, _pt_seg(x1, y1, px, py, qx, qy))
    d = min(d, _pt_seg(x0, y1, px, py, qx, qy))
    return d


@njit(cache=True)
def _place(req, segs, sweights, view, has_view, offsets, n_rings, margin, temp, dev_cost, ring_cost, reach_fade,
           push_cap):
    """``req``: (n, 8) rows ``anchor x, anchor y, width, height, prefer, gap, weight, reach``."""
    n = req.shape[0]
    nd = offsets.shape[0]
    nc = n_rings * nd
    out = np.zeros((n, 2))
    placed = np.zeros((n, 4))
    step = 2.0 * math.pi / nd
    cxs = np.empty(nc)
    cys = np.empty(nc)
    all_costs = np.empty((n, nc))
    local = np.empty(segs.shape[0])
    lseg = np.empty((segs.shape[0], 4))
    lbox = np.empty((segs.shape[0], 4))
    margin2 = margin * margin
    dux = np.empty(nd)
    duy = np.empty(nd)
    ddev = np.empty(nd)
    for i in range(n):
        costs = all_costs[i]
        ax, ay = req[i, 0], req[i, 1]
        w, h = req[i, 2], req[i, 3]
        prefer_i, gap_i, reach_i = req[i, 4], req[i, 5], req[i, 7]
        best = 1e300
        c = 0
        # local obstacles only: lines through (or within a few px of) the anchor, fading with distance,
        # so costs change as fast as lines turn about the anchor, not as fast as far lines sweep past
        n_local = 0
        for k in range(segs.shape[0]):
            if sweights[k] <= 0.0:
                continue
            s = segs[k]
            # a segment whose bounding box is beyond the fade distance has weight 0: skip the distance
            if max(min(s[0], s[2]) - ax, ax - max(s[0], s[2]), min(s[1], s[3]) - ay, ay - max(s[1], s[3])) > \
                    reach_i + reach_fade + 1e-6:
                continue
            d = _pt_seg(ax, ay, s[0], s[1], s[2], s[3])
            wk = sweights[k] * min(max(1.0 - (d - reach_i) / reach_fade, 0.0), 1.0)
            if wk > 0.0:
                local[n_local] = wk
                lseg[n_local, 0], lseg[n_local, 1], lseg[n_local, 2], lseg[n_local, 3] = s[0], s[1], s[2], s[3]
                lbox[n_local, 0], lbox[n_local, 1] = min(s[0], s[2]), min(s[1], s[3])
                lbox[n_local, 2], lbox[n_local, 3] = max(s[0], s[2]), max(s[1], s[3])
                n_local += 1
        for j in range(nd):
            ang = prefer_i + offsets[j] * step
            dux[j], duy[j] = math.cos(ang), math.sin(ang)
            ddev[j] = dev_cost * (1.0 - math.cos(offsets[j] * step))
        for ring in range(n_rings):
            for j in range(nd):
                ux, uy = dux[j], duy[j]
                dist = gap_i + abs(ux) * w / 2 + abs(uy) * h / 2 + ring * (0.5 * min(w, h) + 4.0)
                cx, cy = ax + ux * dist, ay + uy * dist
                x0, y0, x1, y1 = cx - w / 2 + 0.5, cy - h / 2 + 0.5, cx + w / 2 - 0.5, cy + h / 2 - 0.5
                cost = ddev[j] + ring_cost * ring
                bx0, by0, bx1, by1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
                for m in range(n_local):
                    if lbox[m, 2] < bx0 or lbox[m, 0] > bx1 or lbox[m, 3] < by0 or lbox[m, 1] > by1:
                        continue
                    d2 = _seg_box_dist2(lseg[m, 0], lseg[m, 1], lseg[m, 2], lseg[m, 3], x0, y0, x1, y1)
                    if d2 < margin2:      # sqrt is monotonic: the same test as sqrt(d2) < margin
                        d = math.sqrt(d2)
                        if d < margin:
                            cost += 10.0 * local[m] * (1.0 - d / margin)
                for k in range(i):
                    wl = req[k, 6]
                    if wl <= 0.0:
                        continue
                    gx = max(placed[k, 0] - x1, x0 - placed[k, 2])
                    gy = max(placed[k, 1] - y1, y0 - placed[k, 3])
                    sep = max(gx, gy)
                    if sep < margin:
                        cost += 10.0 * wl * min(1.0 - sep / margin, 1.0)
                        if gx < 0.0 and gy < 0.0:
                            cost += 10.0 * wl * gx * gy / max(w * h, 1e-9)
                if has_view:
                    o = max(view[0] - x0, view[1] - y0, x1 - view[2], y1 - view[3], -margin)
                    if o > -margin:
                        cost += 4.0 * min(1.0 + o / margin, 1.0)
                cxs[c], cys[c], costs[c] = cx, cy, cost
                if cost < best:
                    best = cost
                c += 1
        sw = sx = sy = sr = 0.0
        for c in range(nc):
            e = math.exp(-(costs[c] - best) / temp)
            sw += e
            sx += e * cxs[c]
            sy += e * cys[c]
            sr += e * (c // nd)
        bx, by = sx / sw, sy / sw
        # blending candidates on a ring pulls the centre towards the anchor: push it back out to the
        # blended ring distance (bounded, so this stays continuous where the blend nears the anchor)
        ex, ey = bx - ax, by - ay
        en = math.sqrt(ex * ex + ey * ey)
        if en > 1e-9:
            ux, uy = ex / en, ey / en
            want = gap_i + abs(ux) * w / 2 + abs(uy) * h / 2 + sr / sw * (0.5 * min(w, h) + 4.0)
            f = min(want / en, push_cap)
            if f > 1.0:
                bx, by = ax + ex * f, ay + ey * f
        out[i, 0], out[i, 1] = bx, by
        placed[i, 0], placed[i, 1] = bx - w / 2, by - h / 2
        placed[i, 2], placed[i, 3] = bx + w / 2, by + h / 2
    return out, all_costs


def place_labels(requests: list, segments, view_box=None, weights=None) -> list:
    """Centres ``[(x, y)]`` for ``requests`` = ``[{"anchor": (x, y), "size": (w, h), "prefer": radians,
    "gap": px, "weight": 0..1, "reach": px}]`` in local pixels (y down); ``segments``: (N, 4) obstacles with optional
    ``weights`` (N,) in 0..1; ``view_box``: (x0, y0, x1, y1).  A request's ``weight`` (default 1) scales
    how much the labels placed after it avoid it; figure segments count for it when they pass within
    ``reach`` (default 1) + REACH_FADE px of its anchor."""
    if not requests:
        return []
    segs = np.ascontiguousarray(np.asarray(segments, dtype=np.float64).reshape(-1, 4))
    sw = np.ones(len(segs)) if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    req = np.array([(r["anchor"][0], r["anchor"][1], r["size"][0], r["size"][1], r.get("prefer", -math.pi / 4),
                     r.get("gap", 4.0), r.get("weight", 1.0), r.get("reach", 1.0)) for r in requests], dtype=np.float64)
    view = np.array(view_box if view_box is not None else (0.0, 0.0, 0.0, 0.0), dtype=np.float64)
    out, _costs = _place(req, segs, sw, view, view_box is not None, _OFFSETS, N_RINGS, MARGIN, TEMPERATURE,
                         DEVIATION_COST, RING_COST, REACH_FADE, PUSH_CAP)
    return [(float(x), float(y)) for x, y in out]


def place_label_rows(req, segments, seg_weights, view_box) -> list:
    """:func:`place_labels` on prepared float64 arrays: ``req`` (n, 8) rows ``anchor x, anchor y, width,
    height, prefer, gap, weight, reach``; ``segments`` (N, 4) C-contiguous with ``seg_weights`` (N,);
    ``view_box`` a 4-tuple. The per-frame fast path of figures."""
    if req.shape[0] == 0:
        return []
    out, _costs = _place(req, segments, seg_weights, np.array(view_box, dtype=np.float64), True, _OFFSETS,
                         N_RINGS, MARGIN, TEMPERATURE, DEVIATION_COST, RING_COST, REACH_FADE, PUSH_CAP)
    return out.tolist()
