"""Temporal terms of clips (Mc): the plan's frame-difference and tracked-feature terms, and text stability.

- ``aligned_flicker``: VBench-style mean absolute difference of consecutive frames, after removing the
  global translation between them (the median dense flow), so a legitimate pan is not flicker.
- ``warp_error``: mean absolute difference between frame t and frame t+1 warped back by dense optical
  flow (OpenCV DIS at half resolution, classical; no learned weights), where forward and backward flow
  agree; the same flow's median over textured pixels is the alignment of ``aligned_flicker``.
- ``frozen_share``: share of consecutive pairs that barely change (a repeated frame) while the reference
  moves: dropped-and-repeated frames.
- ``track_jerk``: KLT (pyramidal Lucas-Kanade) tracks of corners from the first frame; mean magnitude of
  the third difference of positions (px / frame^3); jitter and dropped/repeated frames raise it.
- ``text_stability``: over the frames' OCR strings, the share of frames equal to the modal string, the
  mean consecutive-frame NED and the share of frames with the modal character count. Frames with no text
  read count as misses (never as stable).
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from ..errors import need
from .frame import gray
from .text import ned, normalize


def _shift(cv2, g, dx, dy):
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(g, m, (g.shape[1], g.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


FLOW_SCALE = 2          # dense flow runs at 1/2 resolution (4x fewer pixels; the suite's motion is smooth)


def motion_terms(frames: list[np.ndarray]) -> dict:
    """One dense-flow pass over consecutive pairs, giving both per-pair series:

    ``flicker``: mean |f(t+1) aligned to f(t) - f(t)| over the interior (grey levels, full resolution),
    the alignment being the global translation = the median DIS flow over the textured pixels of f(t)
    (a legitimate pan is not flicker; untextured areas carry no motion information);
    ``warp_error``: mean |warp(f(t+1)) - f(t)| by that flow at 1/``FLOW_SCALE`` resolution, pixels failing
    the forward-backward check (or leaving the frame) counting at least 32 grey levels."""
    cv2 = need("cv2", "temporal metrics")
    gs = [gray(f) for f in frames]
    if len(gs) < 2:
        return {"flicker": [], "warp_error": []}
    h, w = gs[0].shape
    hs, ws = max(8, h // FLOW_SCALE), max(8, w // FLOW_SCALE)
    small = [cv2.resize(g, (ws, hs), interpolation=cv2.INTER_AREA) for g in gs]
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    xx, yy = np.meshgrid(np.arange(ws, dtype=np.float32), np.arange(hs, dtype=np.float32))
    b = max(4, min(h, w) // 16)
    flicker, warp = [], []
    fs = [g.astype(np.float32) for g in gs]
    for k, (a, c) in enumerate(zip(small, small[1:])):
        fw = dis.calc(a, c, None)
        bw = dis.calc(c, a, None)
        mx, my = xx + fw[..., 0], yy + fw[..., 1]
        warped = cv2.remap(c, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        bw_at = cv2.remap(bw, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        ok = np.hypot(fw[..., 0] + bw_at[..., 0], fw[..., 1] + bw_at[..., 1]) < 1.0 / FLOW_SCALE
        ok &= (mx >= 0) & (mx <= ws - 1) & (my >= 0) & (my <= hs - 1)
        err = np.abs(warped - a.astype(np.float32))
        # pixels failing the check count fully (occlusions in a clean clip are few; changing glyphs fail it)
        warp.append(float(np.where(ok, err, np.maximum(err, 32.0)).mean()))
        gx = cv2.Sobel(a, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(a, cv2.CV_32F, 0, 1, ksize=3)
        tex = (np.hypot(gx, gy) > 40) & ok
        if tex.sum() >= 16:
            dx, dy = (float(np.median(fw[..., 0][tex])) * w / ws, float(np.median(fw[..., 1][tex])) * h / hs)
        else:
            dx = dy = 0.0
        back = _shift(cv2, fs[k + 1], -dx, -dy)
        flicker.append(float(np.abs(back - fs[k])[b:-b, b:-b].mean()))
    return {"flicker": flicker, "warp_error": warp}


def aligned_flicker(frames: list[np.ndarray]) -> list[float]:
    """Per consecutive pair: mean |f(t+1) aligned to f(t) - f(t)| (see :func:`motion_terms`)."""
    return motion_terms(frames)["flicker"]


def warp_error(frames: list[np.ndarray]) -> list[float]:
    """Per consecutive pair: mean |warp(f(t+1)) - f(t)| by dense flow (see :func:`motion_terms`)."""
    return motion_terms(frames)["warp_error"]


def pair_change(frames: list[np.ndarray], masks=None) -> list[float]:
    """Per consecutive pair: mean |f(t+1) - f(t)| (grey levels) inside the symbol regions of both frames."""
    out = []
    gs = [gray(f).astype(np.int16) for f in frames]
    for k, (a, c) in enumerate(zip(gs, gs[1:])):
        d = np.abs(c - a)
        if masks is not None:
            m = masks[min(k, len(masks) - 1)] | masks[min(k + 1, len(masks) - 1)]
            d = d[m] if m.any() else d
        out.append(float(d.mean()))
    return out


def frozen_share(frames: list[np.ndarray], ref_change: list[float], masks=None) -> float:
    """Share of consecutive pairs that are frozen (a repeated frame) while the reference moves.

    A pair is frozen when its change inside the symbol regions is below a fifth of the reference
    clip's median change; dropping frames and repeating the last one (then jumping) freezes pairs, which
    neither the aligned flicker (a repeat differs by nothing) nor the warp error (the jump is one large
    but flow-explained motion) sees. 0 when the reference itself does not move (nothing to freeze)."""
    if len(frames) < 2 or not ref_change:
        return 0.0
    moving = float(np.median(ref_change))
    if moving < 0.5:
        return 0.0
    ch = pair_change(frames, masks)
    return float(np.mean([c < 0.2 * moving for c in ch]))


def track_jerk(frames: list[np.ndarray], max_corners: int = 150) -> float:
    """Mean |third difference| of KLT track positions (px/frame^3); lost tracks add a 2 px penalty each."""
    cv2 = need("cv2", "temporal metrics")
    if len(frames) < 4:
        return 0.0
    gs = [gray(f) for f in frames]
    p = cv2.goodFeaturesToTrack(gs[0], maxCorners=max_corners, qualityLevel=0.01, minDistance=6, blockSize=5)
    if p is None or len(p) < 3:
        return 20.0          # nothing trackable: as bad as noise
    pts = [p.reshape(-1, 2)]
    alive = np.ones(len(p), bool)
    lk = dict(winSize=(15, 15), maxLevel=3, criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03))
    for a, c in zip(gs, gs[1:]):
        nxt, st, _ = cv2.calcOpticalFlowPyrLK(a, c, pts[-1].reshape(-1, 1, 2).astype(np.float32), None, **lk)
        alive &= st.reshape(-1).astype(bool)
        pts.append(nxt.reshape(-1, 2))
    P = np.stack(pts)                       # (T, K, 2)
    if not alive.any():
        return 20.0
    jerk = np.diff(P[:, alive], n=3, axis=0)
    lost = 1 - alive.mean()
    return float(np.hypot(jerk[..., 0], jerk[..., 1]).mean() + 2.0 * lost)


def text_stability(readings: list[str], wanted: str | None = None) -> dict:
    """Stability of the strings read in consecutive frames (empty readings are misses).

    With ``wanted`` (the quoted text) also ``stable_ned``: the mean NED of each frame's reading to the
    wanted text minus its mean change between frames: right *and* steady, as ``structure_stability`` is
    for figures (the modal-string terms alone rate a steady wrong text, e.g. one with a dropped or an
    extra character, as stable as the right one)."""
    s = [normalize(r) for r in readings]
    n = len(s)
    nonempty = [x for x in s if x]
    extra = {}
    if wanted is not None:
        v = np.asarray([ned(x, wanted) if x else 0.0 for x in s] or [0.0])
        extra["stable_ned"] = float(v.mean() - (np.abs(np.diff(v)).mean() if len(v) > 1 else 0.0))
    if n == 0 or not nonempty:
        return {"modal_share": 0.0, "consecutive_ned": 0.0, "count_stability": 0.0} | extra
    modal = Counter(nonempty).most_common(1)[0][0]
    counts = Counter(len(x) for x in nonempty).most_common(1)[0][0]
    pairs = [(a, b) for a, b in zip(s, s[1:])]
    cons = [ned(a, b) if a and b else 0.0 for a, b in pairs] if pairs else [1.0]
    return {"modal_share": sum(x == modal for x in s) / n,
            "consecutive_ned": float(np.mean(cons)),
            "count_stability": sum(bool(x) and len(x) == counts for x in s) / n} | extra
