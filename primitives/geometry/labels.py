"""Label placement that is continuous in the figure: a smooth cost over candidate positions, blended.

Each label has an anchor (a point, an angle vertex, a segment midpoint), a box size, a preferred
direction and a presence weight.  Candidates are 16 directions (starting at the preferred one,
alternating to either side) at three distances.  Every candidate gets a cost that is a
*continuous* function of the geometry (no counts, no thresholds):

    10 * sum_k w_k * near_k * ramp(clearance between the box and figure segment k)
    + sum_k w_k * (CLEAR_COST * clear(gap between the ink box and stroke k) + CROSS_COST * cross_k)
    + 10 * sum_l w_l * (ramp(clearance to placed label l) + overlap area / own area)
    + 4 * ramp(how far the box leaves the view)
    + 8 * (1 - cos(angle from the preferred direction)) + 1 * ring

where ``ramp(d) = clamp(1 - d / MARGIN, 0, 1)`` (1 when touching, 0 from MARGIN = 15 px away), the
weights ``w`` (0..1) let obstacles fade in with the step-by-step reveal, and ``near_k`` keeps only
segments passing near the label's anchor (a point label: within 6 px, fading out over the next
REACH_FADE = 12 px, so a line passing just beside the point counts too; an item label: within its
gap): those turn about the anchor slowly, while far lines sweeping past would change costs fast.
A point label also keeps its glyphs' ink box off *every* stroke but its own marker (any segment, circle, arc,
tick or other marker, however far from the point): ``clear`` is 1 up to CLEAR_NEAR px from the stroke's
centre line and falls to 0 over CLEAR_RAMP px more (a steep ramp, only for strokes that come that close to a
candidate; far segments are rejected by their bounds, in runs), and ``cross_k`` (0..1) grows as the leader
from the anchor to the ink's centre crosses stroke k: with the crossing's distance from the anchor over
CROSS_NEAR px and from the ink's centre and the stroke's ends over CROSS_RAMP px.  That keeps a label on its
point's side of a line passing near the point, so the candidates left cheap lie together and their blend
does not land on the line (a line through the point, or sweeping through it, costs nothing to cross).  The
point's own marker counts for neither term nor for the near term (which would make every candidate of the
first ring dearer alike, pushing the label a ring further out).
The wide, gentle ramps keep the costs smooth, so the blend can stay sharp enough to keep a label
off a line it would otherwise straddle (candidates on both sides of a line average onto it).  The label is then put at
the softmin blend (T = 5) of the candidate centres, ``sum_j c_j exp(-cost_j / T) / sum_j exp(-cost_j / T)``.
The blend is a continuous function of the anchors, sizes, preferred directions and obstacles, so
when a figure moves a little its labels move a little: no candidate flips between frames, and a
frame stays a pure function of (scene, t) (no hysteresis state).  When one candidate is clearly
cheapest (the usual case) the blend sits on it; when costs trade places the label slides over a few
frames instead of jumping.

An angle's value is placed differently (:func:`_place_angle`): inside the angle, just beyond its arc,
its glyph ink a fixed clearance from the lines through the vertex (sides, bisectors), found by a
search along rays from the vertex rather than by the clearance ramps above (which would keep it out
of an angle split by a bisector, or let it straddle the arc).

Labels are placed in a fixed order (points in definition order, then item labels in item order);
placed labels (at their blended centre, with their weight) are obstacles for the next ones.  The
search runs in one Numba kernel (a few microseconds per label, some ten for an angle's value).
"""
from __future__ import annotations

import math

import numpy as np
from symbolreel.jit import kernel

N_DIRECTIONS = 16
N_RINGS = 3
MARGIN = 15.0         # px: obstacles closer than this start to cost
TEMPERATURE = 5.0     # softmin temperature (cost units)
DEVIATION_COST = 8.0  # * (1 - cos(angle from the preferred direction))
RING_COST = 1.0       # per ring outwards
PUSH_CAP = 1.25       # the blended centre is pushed back out to the blended ring distance, by at most this factor
POINT_REACH = 6.0     # px: a point label avoids figure segments passing this close to the point (+ REACH_FADE)
REACH_FADE = 12.0     # px: a segment's weight fades from 1 to 0 over this distance beyond the label's reach
# a point label's ink box keeps off every stroke (lines, circles, arcs, ticks, other markers), near its point or not
CLEAR_COST = 15.0     # cost when a stroke's centre line comes closer than CLEAR_NEAR to the ink box ...
CLEAR_NEAR = 2.5      # px (a 2 px stroke's half width + 1.5 px)
CLEAR_RAMP = 8.0      # ... falling to 0 over this many px beyond (steeper or dearer: labels slide too fast)
CROSS_COST = 20.0     # a stroke between the anchor and the ink (it crosses the leader): this much once the crossing
CROSS_RAMP = 8.0      # is this many px from the ink's centre and from the stroke's ends,
CROSS_NEAR = 3.0      # and this many from the anchor
# angle values (rows with a sweep), see _place_angle; lengths in px, "heights" in heights of the value's ink
ANGLE_REACH = 0.5       # (+ REACH_FADE) segments passing this close to the vertex (sides, bisectors) are "near" ...
ANGLE_CLEAR = 3.0       # ... and the ink keeps this clear of their centre lines and of the arc's outer edge,
ANGLE_CLEAR_MIN = 2.25  # down to this as a "far" line (an incircle) comes closer to the ink than
ANGLE_CLEAR_FAR = 2.0   # this, which costs ANGLE_FAR per px
ANGLE_FAR = 3.0
ANGLE_CELLS = 4         # cells of direction across the angle (even: the bisector is a boundary), each searched
ANGLE_ITERS = 10        # golden-section steps per cell (it shrinks to 0.618^10 < 1 %)
ANGLE_EXCESS = 2.0      # cost per px the ink stands beyond the arc
ANGLE_DEV = 4.0         # * (offset from the bisector / half the angle)^2
ANGLE_SIDE = 40.0       # for the half of the angle towards its second side (ramped in past the bisector): where
                        # a bisector splits the angle the value keeps to the part at its first side (unless the
                        # other is 20 px closer) instead of hopping between two parts of about equal cost
ANGLE_FIT = 3.0         # heights beyond the arc: further than this the value does not fit inside the angle ...
ANGLE_FALLBACK = 4.0    # ... and from this far on it sits on the bisector just beyond the arc (blended between)
_OFFSETS = np.array(([0] + [s * k for k in range(1, N_DIRECTIONS // 2 + 1) for s in (1, -1)])[:N_DIRECTIONS],
                    dtype=np.float64)


@kernel(cache=True)
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


@kernel(cache=True)
def _pt_box(x, y, x0, y0, x1, y1) -> float:
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return math.sqrt(dx * dx + dy * dy)


@kernel(cache=True)
def _pt_box2(x, y, x0, y0, x1, y1) -> float:
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return dx * dx + dy * dy


@kernel(cache=True)
def _pt_seg(x, y, px, py, qx, qy) -> float:
    return math.sqrt(_pt_seg2(x, y, px, py, qx, qy))


@kernel(cache=True)
def _pt_seg2(x, y, px, py, qx, qy) -> float:
    dx, dy = qx - px, qy - py
    l2 = dx * dx + dy * dy
    t = 0.0
    if l2 > 0.0:
        t = min(max(((x - px) * dx + (y - py) * dy) / l2, 0.0), 1.0)
    ex, ey = px + t * dx - x, py + t * dy - y
    return ex * ex + ey * ey


@kernel(cache=True)
def _seg_box_dist2(px, py, qx, qy, x0, y0, x1, y1) -> float:
    """Squared distance between a segment and an axis-aligned box (0 when they meet), continuous in
    all inputs; callers take one square root of the minimum (sqrt is monotonic, so the minimum
    commutes with it)."""
    if _seg_hits_box(px, py, qx, qy, x0, y0, x1, y1):
        return 0.0
    d = min(_pt_box2(px, py, x0, y0, x1, y1), _pt_box2(qx, qy, x0, y0, x1, y1))
    d = min(d, _pt_seg2(x0, y0, px, py, qx, qy))
    d = min(d, _pt_seg2(x1, y0, px, py, qx, qy))
    d = min(d, _pt_seg2(x1, y1, px, py, qx, qy))
    d = min(d, _pt_seg2(x0, y1, px, py, qx, qy))
    return d


@kernel(cache=True)
def _disc_exit(ux, uy, hw, hh, r) -> float:
    """How far along the unit direction (ux, uy) from a disc's centre a box of half sizes (hw, hh), centred
    on the ray, must go to clear the disc of radius ``r``: where the ray leaves the box grown by the disc (a
    rounded rectangle).  Continuous in all inputs."""
    bx, by = abs(ux), abs(uy)
    t = 1e300
    if bx > 0.0:
        t = (hw + r) / bx
    if by > 0.0:
        t = min(t, (hh + r) / by)
    if t * bx > hw and t * by > hh:       # through a rounded corner: |t u - (hw, hh)| = r
        b = bx * hw + by * hh
        t = b + math.sqrt(max(b * b - hw * hw - hh * hh + r * r, 0.0))
    return t


@kernel(cache=True)
def _ray_clear(ux, uy, rho0, cap, obs, n_obs, lo_buf, hi_buf) -> float:
    """The first distance >= ``rho0`` along the unit direction (ux, uy) from the anchor at which the box
    centred there is clear of every obstacle (at most ``cap``).  ``obs`` rows (relative to the anchor)
    ``x0, x1, y0, y1, nx, ny, q, extent, weight``: the set of centres c where the (grown) box meets a
    segment is the intersection of the x and y slabs of the segment's bounds grown by the box and the slab
    ``|n . c + q| <= extent`` along the segment (extent < 0: a box, no such slab), so the ray meets it in
    one interval.  An obstacle of weight w < 1 blocks the first w of that interval beyond ``rho0``: the
    result is continuous in the weights."""
    n = 0
    bx = ux > 1e-12 or ux < -1e-12
    by = uy > 1e-12 or uy < -1e-12
    iux = 1.0 / ux if bx else 0.0
    iuy = 1.0 / uy if by else 0.0
    for m in range(n_obs):
        o = obs[m]
        lo, hi = -1e300, 1e300
        if bx:
            t0, t1 = o[0] * iux, o[1] * iux
            lo, hi = min(t0, t1), max(t0, t1)
        elif o[0] > 0.0 or o[1] < 0.0:
            continue
        if by:
            t0, t1 = o[2] * iuy, o[3] * iuy
            lo, hi = max(lo, min(t0, t1)), min(hi, max(t0, t1))
        elif o[2] > 0.0 or o[3] < 0.0:
            continue
        if hi <= rho0 or lo >= hi:
            continue
        ext = o[7]
        if ext >= 0.0:
            d = o[4] * ux + o[5] * uy
            q = o[6]
            if d > 1e-12 or d < -1e-12:
                t0, t1 = (-ext - q) / d, (ext - q) / d
                lo, hi = max(lo, min(t0, t1)), min(hi, max(t0, t1))
            elif q > ext or q < -ext:
                continue
        if hi <= rho0 or lo >= hi:
            continue
        lo = max(lo, rho0)
        lo_buf[n], hi_buf[n] = lo, lo + o[8] * (hi - lo)
        n += 1
    cur = rho0
    moved = True
    while moved and cur < cap:
        moved = False
        for m in range(n):
            if lo_buf[m] <= cur < hi_buf[m]:
                cur = hi_buf[m]
                moved = True
    return min(cur, cap)


@kernel(cache=True)
def _angle_obstacles(ax, ay, hw, hh, lx, ly, dx, dy, clear, r_mark, reach_max, lseg, local, n_local, placed, pweights,
                     n_placed):
    """The rows of :func:`_ray_clear` for an ink box (half sizes hw, hh) kept ``clear`` px from the local
    segments, whose label box (half sizes lx, ly, centred (dx, dy) away from the ink's centre) keeps
    ``clear`` px from the placed labels; all for the ink's centre, relative to the anchor (ax, ay).
    Segments inside the arc's disc (the arcs, the vertex's marker) are left out, and so is what no ray
    reaches within ``reach_max``."""
    gx, gy = hw + clear, hh + clear
    obs = np.empty((n_local + n_placed, 9))
    n_obs = 0
    r_in2 = (r_mark + 0.5) * (r_mark + 0.5)
    for m in range(n_local):
        px, py, qx, qy = lseg[m, 0], lseg[m, 1], lseg[m, 2], lseg[m, 3]
        if (px - ax) ** 2 + (py - ay) ** 2 <= r_in2 and (qx - ax) ** 2 + (qy - ay) ** 2 <= r_in2:
            continue
        o = obs[n_obs]
        o[0], o[1] = min(px, qx) - gx - ax, max(px, qx) + gx - ax
        o[2], o[3] = min(py, qy) - gy - ay, max(py, qy) + gy - ay
        if _pt_box(0.0, 0.0, o[0], o[2], o[1], o[3]) > reach_max:
            continue
        ex, ey = qx - px, qy - py
        ln = math.sqrt(ex * ex + ey * ey)
        if ln > 1e-12:
            o[4], o[5] = -ey / ln, ex / ln
            o[6] = o[4] * (ax - px) + o[5] * (ay - py)
            o[7] = abs(o[4]) * hw + abs(o[5]) * hh + clear     # the box's support along the normal + clear
        else:
            o[4] = o[5] = o[6] = 0.0
            o[7] = -1.0
        o[8] = min(local[m], 1.0)
        n_obs += 1
    for k in range(n_placed):
        if pweights[k] <= 0.0:
            continue
        o = obs[n_obs]
        o[0], o[1] = placed[k, 0] - lx - clear + dx - ax, placed[k, 2] + lx + clear + dx - ax
        o[2], o[3] = placed[k, 1] - ly - clear + dy - ay, placed[k, 3] + ly + clear + dy - ay
        if _pt_box(0.0, 0.0, o[0], o[2], o[1], o[3]) > reach_max:
            continue
        o[4] = o[5] = o[6] = 0.0
        o[7] = -1.0
        o[8] = min(pweights[k], 1.0)
        n_obs += 1
    return obs, n_obs


@kernel(cache=True)
def _far_lines(ax, ay, segs, sweights, circles, reach, reach_fade, r_in, reach_max, hw, hh):
    """Rows ``x0, y0, x1, y1 (bounds), px, py (an end), nx, ny (normal), support, weight`` of the segments *not*
    local to the anchor (weight: the complement of the local weight, 1 beyond reach + fade) that come
    within ``reach_max`` of it, leaving out those within ``r_in`` of it (the arcs: the search starts
    beyond) and the segments of circles (``circles`` rows ``..., first, end`` segment: measured whole);
    support: the half extent of a box (hw, hh) along the normal."""
    far = np.empty((segs.shape[0], 10))
    n = 0
    r_in2 = r_in * r_in
    skip = np.zeros(segs.shape[0], dtype=np.bool_)
    for c in range(circles.shape[0]):
        skip[int(circles[c, 4]):int(circles[c, 5])] = True
    for k in range(segs.shape[0]):
        if sweights[k] <= 0.0 or skip[k]:
            continue
        s = segs[k]
        if (s[0] - ax) ** 2 + (s[1] - ay) ** 2 <= r_in2 and (s[2] - ax) ** 2 + (s[3] - ay) ** 2 <= r_in2:
            continue
        if max(min(s[0], s[2]) - ax, ax - max(s[0], s[2]), min(s[1], s[3]) - ay, ay - max(s[1], s[3])) > reach_max:
            continue
        d = _pt_seg(ax, ay, s[0], s[1], s[2], s[3])
        wk = min(sweights[k], 1.0) * (1.0 - min(max(1.0 - (d - reach) / reach_fade, 0.0), 1.0))
        if wk <= 0.0 or d > reach_max:
            continue
        o = far[n]
        o[0], o[1], o[2], o[3] = min(s[0], s[2]), min(s[1], s[3]), max(s[0], s[2]), max(s[1], s[3])
        o[4], o[5] = s[0], s[1]
        ex, ey = s[2] - s[0], s[3] - s[1]
        ln = math.sqrt(ex * ex + ey * ey)
        o[6], o[7] = (-ey / ln, ex / ln) if ln > 1e-12 else (0.0, 0.0)
        o[8] = abs(o[6]) * hw + abs(o[7]) * hh
        o[9] = wk
        n += 1
    return far, n


@kernel(cache=True)
def _far_sep(cx, cy, hw, hh, far, n_far, circ, n_circ, upto) -> float:
    """Signed clearance (at most ``upto``; < 0: overlap) between the box (hw, hh) centred (cx, cy) and the far
    lines: per segment the largest gap along the box's axes and the segment's normal (separating axes:
    the distance where a side faces the segment, minus the depth of an overlap); per circle (rows
    ``x, y, r, weight``) the gap between its radius and the box's nearest and farthest points.  A line of
    weight w counts ``(1 - w) * upto`` further away, so this is continuous in the positions and weights."""
    x0, y0, x1, y1 = cx - hw, cy - hh, cx + hw, cy + hh
    out = upto
    for k in range(n_circ):
        c = circ[k]
        ex, ey = abs(cx - c[0]), abs(cy - c[1])
        near = math.sqrt(max(ex - hw, 0.0) ** 2 + max(ey - hh, 0.0) ** 2)
        sep = max(near - c[2], c[2] - math.sqrt((ex + hw) ** 2 + (ey + hh) ** 2))
        out = min(out, sep + (1.0 - c[3]) * upto)
    for k in range(n_far):
        s = far[k]
        sep = max(s[0] - x1, x0 - s[2], s[1] - y1, y0 - s[3])
        if sep >= out:
            continue
        sep = max(sep, abs(s[6] * (cx - s[4]) + s[7] * (cy - s[5])) - s[8])
        out = min(out, sep + (1.0 - s[9]) * upto)
    return out


@kernel(cache=True)
def _sector_lines(ax, ay, th0, th1, r0, r1, gx, gy, far, n_far, out) -> int:
    """Copies into ``out`` the far lines that can come within (gx, gy) of a point A + rho (cos th, sin th),
    th between th0 and th1, r0 <= rho <= r1 (the bounds of that piece of annulus, grown); returns their
    number."""
    lo, hi = min(th0, th1), max(th0, th1)
    x0 = y0 = 1e300
    x1 = y1 = -1e300
    for th in (lo, hi):
        for rr in (r0, r1):
            x, y = ax + rr * math.cos(th), ay + rr * math.sin(th)
            x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    k = math.ceil(lo / (0.5 * math.pi))
    while k * 0.5 * math.pi <= hi:              # the annulus bulges out where it crosses an axis
        th = k * 0.5 * math.pi
        x, y = ax + r1 * math.cos(th), ay + r1 * math.sin(th)
        x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
        k += 1
    x0, y0, x1, y1 = x0 - gx, y0 - gy, x1 + gx, y1 + gy
    n = 0
    for m in range(n_far):
        s = far[m]
        if s[0] > x1 or s[2] < x0 or s[1] > y1 or s[3] < y0:
            continue
        out[n] = s
        n += 1
    return n


# the packed scalars of one angle's search
_AX, _AY, _START, _SWEEP, _HW, _HH, _R, _CAP, _LX, _LY, _DX, _DY = range(12)


@kernel(cache=True)
def _angle_eval(f, q, obs, n_obs, far, n_far, circ, n_circ, lo_buf, hi_buf, view, has_view, margin, aparams):
    """Cost, distance and arc-clearing distance of the ink box on the ray at fraction ``f`` across the angle
    (``q``: the packed scalars): ANGLE_EXCESS per px beyond the arc + ANGLE_DEV * (offset from the
    bisector / half the angle)^2 + ANGLE_SIDE past the bisector + ANGLE_FAR per px a far line comes
    closer than ANGLE_CLEAR_FAR + the view ramp of the label's box."""
    th = q[_START] + q[_SWEEP] * f
    ux, uy = math.cos(th), math.sin(th)
    hw, hh = q[_HW], q[_HH]
    rho0 = _disc_exit(ux, uy, hw, hh, q[_R])
    rho = _ray_clear(ux, uy, rho0, rho0 + q[_CAP], obs, n_obs, lo_buf, hi_buf)
    dv = 2.0 * f - 1.0
    cost = aparams[3] * (rho - rho0) + aparams[4] * dv * dv + aparams[8] * min(max((f - 0.5) * 10.0, 0.0), 1.0)
    cx, cy = q[_AX] + ux * rho, q[_AY] + uy * rho
    if n_far > 0 or n_circ > 0:
        cost += aparams[10] * (aparams[9] - _far_sep(cx, cy, hw, hh, far, n_far, circ, n_circ, aparams[9]))
    if has_view:
        cx, cy = cx - q[_DX], cy - q[_DY]
        lx, ly = q[_LX], q[_LY]
        o = max(view[0] - cx + lx, view[1] - cy + ly, cx + lx - view[2], cy + ly - view[3], -margin)
        if o > -margin:
            cost += 4.0 * min(1.0 + o / margin, 1.0)
    return cost, rho, rho0


@kernel(cache=True)
def _golden(a, b, n_iter, q, obs, n_obs, far, n_far, circ, n_circ, lo_buf, hi_buf, view, has_view, margin, aparams):
    """Golden-section search of :func:`_angle_eval` over the fractions [a, b] of the angle: the best
    fraction, its cost, distance and arc-clearing distance."""
    gr = 0.6180339887498949
    f1, f2 = b - gr * (b - a), a + gr * (b - a)
    c1, r1, z1 = _angle_eval(f1, q, obs, n_obs, far, n_far, circ, n_circ, lo_buf, hi_buf, view, has_view, margin,
                             aparams)
    c2, r2, z2 = _angle_eval(f2, q, obs, n_obs, far, n_far, circ, n_circ, lo_buf, hi_buf, view, has_view, margin,
                             aparams)
    for _ in range(n_iter):
        if c1 <= c2:
            b, f2, c2, r2, z2 = f2, f1, c1, r1, z1
            f1 = b - gr * (b - a)
            c1, r1, z1 = _angle_eval(f1, q, obs, n_obs, far, n_far, circ, n_circ, lo_buf, hi_buf, view, has_view,
                                     margin, aparams)
        else:
            a, f1, c1, r1, z1 = f1, f2, c2, r2, z2
            f2 = a + gr * (b - a)
            c2, r2, z2 = _angle_eval(f2, q, obs, n_obs, far, n_far, circ, n_circ, lo_buf, hi_buf, view, has_view,
                                     margin, aparams)
    if c2 < c1:
        return f2, c2, r2, z2
    return f1, c1, r1, z1


@kernel(cache=True)
def _place_angle(ax, ay, w, h, ink, prefer, sweep, r_mark, lseg, local, n_local, placed, pweights, n_placed, view,
                 has_view, margin, temp, aparams, segs, sweights, circles, reach, reach_fade):
    """Centre of the box (w, h) of an angle's value: its ink box (``ink``: centre offset from the box's
    centre, width, height) inside the angle, just beyond the arc, clear of the lines through the vertex,
    and the box clear of the labels placed before.

    The angle is cut into ANGLE_CELLS cells of direction; in each, a golden-section search finds the
    direction whose *first clear distance* (the ink box moved out along the ray from just beyond the arc
    until it is ANGLE_CLEAR px from every segment through the vertex, and the box from every placed label)
    is cheapest (:func:`_angle_eval`).  The cells' best positions are blended (softmin, ``temp``); a blend
    that fell short of the clear region (inside the arc's rounded frontier, or between two parts of an
    angle split by a bisector) is moved out along its ray to the first clear distance (by at most half the
    ink's height).  A cell's minimum moves continuously (at a cell boundary both cells hold the same
    point), so the label does.

    Where a line that does not pass through the vertex (an incircle) still comes closer than
    ANGLE_CLEAR_FAR, the direction is searched again keeping ANGLE_CLEAR_MIN from the lines through the
    vertex, within a cell's width, and the label goes between the two results as far as balances the two
    clearances (linearly).  When even the best cell stands more than ANGLE_FIT ink heights beyond the arc
    the value does not fit inside: it slides (smoothly, until ANGLE_FALLBACK heights) to the bisector just
    beyond the arc."""
    n_cells, n_iter = int(aparams[0]), int(aparams[1])
    clear, k_fit, k_fall, clear_min, clear_far = aparams[2], aparams[5], aparams[6], aparams[7], aparams[9]
    dx, dy, hw, hh = ink[0], ink[1], ink[2] / 2, ink[3] / 2
    lx, ly = w / 2, h / 2
    r = r_mark + clear
    cap = k_fall * 2.0 * hh
    reach_max = r + cap + hw + hh + 1.0
    start = prefer - sweep / 2
    q = np.array((ax, ay, start, sweep, hw, hh, r, cap, lx, ly, dx, dy))
    obs, n_obs = _angle_obstacles(ax, ay, hw, hh, lx, ly, dx, dy, clear, r_mark, reach_max, lseg, local, n_local,
                                  placed, pweights, n_placed)
    far, n_far = _far_lines(ax, ay, segs, sweights, circles, reach, reach_fade, r_mark + 0.5,
                            reach_max + hw + hh + clear_far, hw, hh)
    circ = np.empty((circles.shape[0], 4))
    n_circ = 0
    for k in range(circles.shape[0]):       # the circles that pass within reach of the vertex
        c = circles[k]
        if c[3] > 0.0 and abs(math.sqrt((c[0] - ax) ** 2 + (c[1] - ay) ** 2) - c[2]) <= reach_max + hw + hh + clear_far:
            circ[n_circ] = c[:4]
            n_circ += 1
    cell_far = np.empty_like(far)
    r_out = r + math.sqrt(hw * hw + hh * hh) + cap       # no ray's first clear distance goes further
    lo_buf = np.empty(n_local + n_placed + 1)
    hi_buf = np.empty(n_local + n_placed + 1)
    cost = np.empty(n_cells)
    cx = np.empty(n_cells)
    cy = np.empty(n_cells)
    best = 1e300
    e_min = 1e300
    for j in range(n_cells):
        a_, b_ = j / n_cells, (j + 1) / n_cells
        n_cf = _sector_lines(ax, ay, start + sweep * a_, start + sweep * b_, r, r_out, hw + clear_far, hh + clear_far,
                             far, n_far, cell_far)
        f, c, rho, rho0 = _golden(a_, b_, n_iter, q, obs, n_obs, cell_far, n_cf, circ, n_circ, lo_buf, hi_buf, view,
                                  has_view, margin, aparams)
        th = start + sweep * f
        cx[j], cy[j], cost[j] = ax + math.cos(th) * rho, ay + math.sin(th) * rho, c
        best = min(best, c)
        e_min = min(e_min, rho - rho0)
    sw = sx = sy = 0.0
    for j in range(n_cells):
        e = math.exp(-(cost[j] - best) / temp)
        sw += e
        sx += e * cx[j]
        sy += e * cy[j]
    bx, by = sx / sw, sy / sw
    ex, ey = bx - ax, by - ay
    en = math.sqrt(ex * ex + ey * ey)
    if en > 1e-9:
        ux, uy = ex / en, ey / en
        # a blend short of the clear region goes out along its ray to the first clear distance
        rho0 = _disc_exit(ux, uy, hw, hh, r)
        rho = _ray_clear(ux, uy, rho0, rho0 + cap, obs, n_obs, lo_buf, hi_buf)
        if rho > en:
            # by at most half the ink's height: a blend between two parts of the angle (of about equal
            # cost) stays near the vertex, as it slides from one part to the other, instead of going far out
            rho = min(rho, en + hh)
            bx, by = ax + ux * rho, ay + uy * rho
        # a far line closer than `clear_far`: towards the best place `clear_min` from the lines at the vertex
        f_hi = _far_sep(bx, by, hw, hh, far, n_far, circ, n_circ, clear_far)
        if f_hi < clear_far and clear_min < clear:
            obs, n_obs = _angle_obstacles(ax, ay, hw, hh, lx, ly, dx, dy, clear_min, r_mark, reach_max, lseg, local,
                                          n_local, placed, pweights, n_placed)
            q[_R] = r_mark + clear_min
            su, sv = math.cos(start), math.sin(start)
            f = math.atan2(su * uy - sv * ux, su * ux + sv * uy) / sweep
            a_, b_ = max(f - 1.0 / n_cells, 0.0), min(f + 1.0 / n_cells, 1.0)
            n_cf = _sector_lines(ax, ay, start + sweep * a_, start + sweep * b_, q[_R], r_out, hw + clear_far,
                                 hh + clear_far, far, n_far, cell_far)
            f, c, rho, rho0 = _golden(a_, b_, n_iter, q, obs, n_obs, cell_far, n_cf, circ, n_circ, lo_buf, hi_buf,
                                      view, has_view, margin, aparams)
            th = start + sweep * f
            px, py = ax + math.cos(th) * rho, ay + math.sin(th) * rho
            f_lo = _far_sep(px, py, hw, hh, far, n_far, circ, n_circ, clear_far)
            # the far clearance and the near one (clear -> clear_min) meet at t (<= 1)
            t = min((clear_far - f_hi) / (clear - clear_min + max(f_lo - f_hi, 0.0)), 1.0)
            bx += t * (px - bx)
            by += t * (py - by)
    # too narrow for the ink: on the bisector, just beyond the arc
    s = min(max((e_min - k_fit * 2.0 * hh) / ((k_fall - k_fit) * 2.0 * hh), 0.0), 1.0)
    if s > 0.0:
        s = s * s * (3.0 - 2.0 * s)
        ux, uy = math.cos(prefer), math.sin(prefer)
        rho0 = _disc_exit(ux, uy, hw, hh, r)
        bx += s * (ax + ux * rho0 - bx)
        by += s * (ay + uy * rho0 - by)
    return bx - dx, by - dy


@kernel(cache=True, inline="always")
def _stroke_cost(ax, ay, pcx, pcy, hw, hh, fseg, gbox, gstart, n_grp, fcirc, n_fcirc, cparams) -> float:
    """The strokes' cost of a point label's ink box (half sizes hw, hh) centred (pcx, pcy), its anchor at (ax, ay):
    per stroke (``fseg`` rows, in runs ``gstart`` with bounds ``gbox``; circles ``fcirc`` rows ``x, y, r,
    weight, anchor's signed distance``) CLEAR_COST * ramp(gap to the ink box: full from CLEAR_NEAR, 0 from
    CLEAR_RAMP further) + CROSS_COST * (the leader from the anchor to the ink's centre crosses it: by how far
    from the anchor / CROSS_NEAR, from the ink's centre and the stroke's ends / CROSS_RAMP, at most 1); both
    times the stroke's weight.  Continuous in all inputs."""
    clear_cost, clear_near, clear_ramp = cparams[0], cparams[1], cparams[2]
    cross_cost, cross_ramp, cross_near = cparams[3], cparams[4], cparams[5]
    reach = clear_near + clear_ramp
    ix0, iy0, ix1, iy1 = pcx - hw, pcy - hh, pcx + hw, pcy + hh
    lvx, lvy = pcx - ax, pcy - ay
    lx0, lx1, ly0, ly1 = min(ax, pcx), max(ax, pcx), min(ay, pcy), max(ay, pcy)
    lln = math.sqrt(lvx * lvx + lvy * lvy)
    cost = 0.0
    for gi in range(n_grp):
        g = gbox[gi]
        if (g[0] - ix1 >= reach or ix0 - g[2] >= reach or g[1] - iy1 >= reach or iy0 - g[3] >= reach) and \
                (g[0] > lx1 or g[2] < lx0 or g[1] > ly1 or g[3] < ly0):
            continue                    # the run is far from the ink box and from the leader
        for m in range(gstart[gi], gstart[gi + 1]):
            f = fseg[m]
            sp = f[9] * pcx + f[10] * pcy - f[11]       # the ink centre's signed distance to the line
            # the gap between the ink box and the segment: the largest along the box's axes and the segment's
            # normal (separating axes: a lower bound, exact but where an end of the segment faces a corner)
            d = max(f[0] - ix1, ix0 - f[2], f[1] - iy1, iy0 - f[3], abs(sp) - f[12])
            if d < reach:
                cost += clear_cost * f[8] * min((reach - d) / clear_ramp, 1.0)
            sa = f[13]
            if sa * sp < 0.0 and f[0] <= lx1 and f[2] >= lx0 and f[1] <= ly1 and f[3] >= ly0:
                t = sa / (sa - sp)      # where the leader meets the line, and how far along the segment
                ln = f[14]
                u = ((ax + t * lvx - f[4]) * (f[6] - f[4]) + (ay + t * lvy - f[5]) * (f[7] - f[5])) / (ln * ln)
                if 0.0 < u < 1.0:
                    dep = min(t * lln / cross_near, min((1.0 - t) * lln, min(u, 1.0 - u) * ln) / cross_ramp)
                    cost += cross_cost * f[8] * min(dep, 1.0)
    for m in range(n_fcirc):
        f = fcirc[m]
        ex, ey = abs(pcx - f[0]), abs(pcy - f[1])
        dp = math.sqrt(ex * ex + ey * ey) - f[2]
        if -reach - hw - hh < dp < reach + hw + hh:
            near = math.sqrt(max(ex - hw, 0.0) ** 2 + max(ey - hh, 0.0) ** 2)
            d = max(near - f[2], f[2] - math.sqrt((ex + hw) ** 2 + (ey + hh) ** 2), 0.0)
            if d < reach:
                cost += clear_cost * f[3] * min((reach - d) / clear_ramp, 1.0)
        da = f[4]
        if da * dp < 0.0:               # the anchor and the ink's centre on two sides of the circle
            cost += cross_cost * f[3] * min(abs(da) / cross_near, abs(dp) / cross_ramp, 1.0)
    return cost


@kernel(cache=True)
def _own_fade(s, ax, ay, own, own2) -> float:
    """0 for a segment of a point's own marker (a square of half size ``mark`` about the anchor: its ends are
    ``own`` = mark * sqrt 2 + 0.25 away), 1 for one whose far end reaches 1 px further, linear between."""
    e2 = max((s[0] - ax) ** 2 + (s[1] - ay) ** 2, (s[2] - ax) ** 2 + (s[3] - ay) ** 2)
    if e2 >= own2:
        return 1.0
    return min(max(math.sqrt(e2) - own, 0.0), 1.0)


@kernel(cache=True)
def _place(req, segs, sweights, view, has_view, offsets, n_rings, margin, temp, dev_cost, ring_cost, reach_fade,
           push_cap, aparams, circles, cparams):
    """``req``: (n, 14) rows ``anchor x, anchor y, width, height, prefer, gap, weight, reach, sweep, mark,
    ink dx, ink dy, ink width, ink height`` (sweep != 0: an angle's value, see :func:`_place_angle`; sweep 0
    and mark >= 0: a point label, mark its marker's radius, held clear of every stroke by :func:`_stroke_cost`;
    mark < 0: an item's label, which only avoids the strokes near its anchor).  ``cparams``: CLEAR_COST,
    CLEAR_NEAR, CLEAR_RAMP, CROSS_COST, CROSS_RAMP, CROSS_NEAR."""
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
    clear_reach = cparams[1] + cparams[2]
    # the strokes a point label's candidates can reach: segments (bounds, ends, weight, unit normal, offset,
    # the ink's half extent along it, the anchor's signed distance, length) in runs (gbox bounds, gstart),
    # circles measured whole (x, y, r, weight, the anchor's signed distance)
    fseg = np.empty((segs.shape[0], 15))
    gbox = np.empty((segs.shape[0], 4))
    gstart = np.zeros(segs.shape[0] + 1, dtype=np.int64)
    fcirc = np.empty((circles.shape[0], 5))
    on_circle = np.zeros(segs.shape[0], dtype=np.bool_)
    for k in range(circles.shape[0]):
        on_circle[int(circles[k, 4]):int(circles[k, 5])] = True
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
        n_fseg = 0
        n_grp = 0
        last_k = -2
        # a point label (no sweep, mark >= 0: its marker's radius) keeps clear of every stroke but its own marker
        point_like = req[i, 8] == 0.0 and req[i, 9] >= 0.0
        own = req[i, 9] * math.sqrt(2.0) + 0.25
        own2 = (own + 1.0) ** 2
        ink_dx, ink_dy, ink_hw, ink_hh = req[i, 10], req[i, 11], req[i, 12] / 2, req[i, 13] / 2
        # how far from the anchor a candidate's ink box (and its clearance ramp) can reach
        r_cand = gap_i + 0.5 * (w + h) + (n_rings - 1) * (0.5 * min(w, h) + 4.0) + clear_reach + 1.0
        for k in range(segs.shape[0]):
            if sweights[k] <= 0.0:
                continue
            s = segs[k]
            bd = max(min(s[0], s[2]) - ax, ax - max(s[0], s[2]), min(s[1], s[3]) - ay, ay - max(s[1], s[3]))
            # a segment whose bounding box is beyond the fade distance has weight 0: skip the distance
            wk = 0.0
            if bd <= reach_i + reach_fade + 1e-6:
                d = _pt_seg(ax, ay, s[0], s[1], s[2], s[3])
                fade = min(max(1.0 - (d - reach_i) / reach_fade, 0.0), 1.0)
                wk = sweights[k] * fade
                if point_like:
                    wk *= _own_fade(s, ax, ay, own, own2)
                if wk > 0.0:
                    local[n_local] = wk
                    lseg[n_local, 0], lseg[n_local, 1], lseg[n_local, 2], lseg[n_local, 3] = s[0], s[1], s[2], s[3]
                    lbox[n_local, 0], lbox[n_local, 1] = min(s[0], s[2]), min(s[1], s[3])
                    lbox[n_local, 2], lbox[n_local, 3] = max(s[0], s[2]), max(s[1], s[3])
                    n_local += 1
            if point_like and bd <= r_cand and not on_circle[k]:
                wf = sweights[k] * _own_fade(s, ax, ay, own, own2)
                if wf > 0.0 and _pt_seg(ax, ay, s[0], s[1], s[2], s[3]) <= r_cand:
                    f = fseg[n_fseg]
                    f[0], f[1], f[2], f[3] = min(s[0], s[2]), min(s[1], s[3]), max(s[0], s[2]), max(s[1], s[3])
                    f[4], f[5], f[6], f[7] = s[0], s[1], s[2], s[3]
                    f[8] = wf
                    ex, ey = s[2] - s[0], s[3] - s[1]
                    ln = math.sqrt(ex * ex + ey * ey)
                    if ln > 1e-12:
                        f[9], f[10] = -ey / ln, ex / ln            # the unit normal,
                        f[11] = f[9] * s[0] + f[10] * s[1]         # the line's offset along it,
                    else:
                        f[9] = f[10] = f[11] = 0.0
                    f[12] = abs(f[9]) * ink_hw + abs(f[10]) * ink_hh   # the ink box's half extent along it,
                    f[13] = f[9] * ax + f[10] * ay - f[11]         # the anchor's signed distance
                    f[14] = ln
                    # runs of up to 8 consecutive segments (an arc, a marker) share a bounding box, tested first
                    if n_fseg > 0 and k == last_k + 1 and n_fseg - gstart[n_grp - 1] < 8:
                        g = gbox[n_grp - 1]
                        g[0], g[1], g[2], g[3] = min(g[0], f[0]), min(g[1], f[1]), max(g[2], f[2]), max(g[3], f[3])
                    else:
                        g = gbox[n_grp]
                        g[0], g[1], g[2], g[3] = f[0], f[1], f[2], f[3]
                        gstart[n_grp] = n_fseg
                        n_grp += 1
                    gstart[n_grp] = n_fseg + 1
                    last_k = k
                    n_fseg += 1
        n_fcirc = 0
        if point_like:
            for k in range(circles.shape[0]):
                cc = circles[k]
                if cc[3] <= 0.0:
                    continue
                d = abs(math.sqrt((cc[0] - ax) ** 2 + (cc[1] - ay) ** 2) - cc[2])
                if d > r_cand:
                    continue
                fc = fcirc[n_fcirc]
                fc[0], fc[1], fc[2], fc[3] = cc[0], cc[1], cc[2], cc[3]
                fc[4] = math.sqrt((cc[0] - ax) ** 2 + (cc[1] - ay) ** 2) - cc[2]     # the anchor's signed distance
                n_fcirc += 1
        if req[i, 8] != 0.0:
            bx, by = _place_angle(ax, ay, w, h, req[i, 10:14], prefer_i, req[i, 8], req[i, 9], lseg, local, n_local,
                                  placed, req[:, 6], i, view, has_view, margin, temp, aparams, segs, sweights,
                                  circles, reach_i, reach_fade)
            out[i, 0], out[i, 1] = bx, by
            placed[i, 0], placed[i, 1] = bx - w / 2, by - h / 2
            placed[i, 2], placed[i, 3] = bx + w / 2, by + h / 2
            all_costs[i, :] = 0.0
            continue
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
                if point_like:
                    cost += _stroke_cost(ax, ay, cx + ink_dx, cy + ink_dy, ink_hw, ink_hh, fseg, gbox, gstart, n_grp,
                                         fcirc, n_fcirc, cparams)
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


_CLEAR_PARAMS = np.array((CLEAR_COST, CLEAR_NEAR, CLEAR_RAMP, CROSS_COST, CROSS_RAMP, CROSS_NEAR), dtype=np.float64)
_ANGLE_PARAMS = np.array((ANGLE_CELLS, ANGLE_ITERS, ANGLE_CLEAR, ANGLE_EXCESS, ANGLE_DEV, ANGLE_FIT, ANGLE_FALLBACK,
                          ANGLE_CLEAR_MIN, ANGLE_SIDE, ANGLE_CLEAR_FAR, ANGLE_FAR), dtype=np.float64)


def place_labels(requests: list, segments, view_box=None, weights=None, circles=None) -> list:
    """Centres ``[(x, y)]`` for ``requests`` = ``[{"anchor": (x, y), "size": (w, h), "prefer": radians,
    "gap": px, "weight": 0..1, "reach": px, "sweep": radians, "mark": px, "ink": (dx, dy, w, h)}]`` in local
    pixels (y down);
    ``segments``: (N, 4) obstacles with optional ``weights`` (N,) in 0..1; ``view_box``: (x0, y0, x1, y1).
    A request's ``weight`` (default 1) scales how much the labels placed after it avoid it; figure segments
    count for it when they pass within ``reach`` (default 1) + REACH_FADE px of its anchor.  An angle's
    value has the angle's vertex as anchor, its bisector as ``prefer``, its signed ``sweep`` (the angle
    runs from ``prefer - sweep / 2`` to ``prefer + sweep / 2``), ``mark`` the outer radius of its arcs and
    ``ink`` the box of the text's ink (centre offset from the label's centre, size; default the label's box):
    the ink keeps clear of the lines at the vertex, the label's box of the other labels.  ``circles`` (M, 6)
    rows ``x, y, radius, weight, first, end``: circles drawn by ``segments[first:end]``, which angle values
    measure their clearance to whole (point labels too).  A request without a sweep is a point label: its ink
    keeps clear of every segment but those of its marker, a square of half size ``mark`` (default 0) about
    the anchor; ``mark < 0`` turns that off (an item's label: only the segments near its anchor count)."""
    if not requests:
        return []
    segs = np.ascontiguousarray(np.asarray(segments, dtype=np.float64).reshape(-1, 4))
    sw = np.ones(len(segs)) if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    req = np.array([(r["anchor"][0], r["anchor"][1], r["size"][0], r["size"][1], r.get("prefer", -math.pi / 4),
                     r.get("gap", 4.0), r.get("weight", 1.0), r.get("reach", 1.0), r.get("sweep", 0.0),
                     r.get("mark", 0.0), *r.get("ink", (0.0, 0.0, r["size"][0], r["size"][1])))
                    for r in requests], dtype=np.float64)
    view = np.array(view_box if view_box is not None else (0.0, 0.0, 0.0, 0.0), dtype=np.float64)
    circ = np.asarray(circles if circles is not None else np.zeros((0, 6)), dtype=np.float64).reshape(-1, 6)
    out, _costs = _place(req, segs, sw, view, view_box is not None, _OFFSETS, N_RINGS, MARGIN, TEMPERATURE,
                         DEVIATION_COST, RING_COST, REACH_FADE, PUSH_CAP, _ANGLE_PARAMS, circ,
                         _CLEAR_PARAMS)
    return [(float(x), float(y)) for x, y in out]


def place_label_rows(req, segments, seg_weights, view_box, circles) -> list:
    """:func:`place_labels` on prepared float64 arrays: ``req`` (n, 14) rows ``anchor x, anchor y, width,
    height, prefer, gap, weight, reach, sweep, mark, ink dx, ink dy, ink width, ink height``; ``segments``
    (N, 4) C-contiguous with ``seg_weights`` (N,); ``circles`` (M, 6); ``view_box`` a 4-tuple. The
    per-frame fast path of figures."""
    if req.shape[0] == 0:
        return []
    out, _costs = _place(req, segments, seg_weights, np.array(view_box, dtype=np.float64), True, _OFFSETS,
                         N_RINGS, MARGIN, TEMPERATURE, DEVIATION_COST, RING_COST, REACH_FADE, PUSH_CAP,
                         _ANGLE_PARAMS, circles, _CLEAR_PARAMS)
    return out.tolist()
