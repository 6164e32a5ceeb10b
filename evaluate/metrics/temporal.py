"""Temporal terms of clips (Mc): the plan's frame-difference and tracked-feature terms, and text stability.

- ``aligned_flicker``: VBench-style mean absolute difference of consecutive frames, after removing the
  global translation between them (phase correlation), so a legitimate pan is not flicker.
- ``warp_error``: mean absolute difference between frame t and frame t+1 warped back by dense optical
  flow (OpenCV DIS, classical; no learned weights), where forward and backward flow agree.
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


def aligned_flicker(frames: list[np.ndarray]) -> list[float]:
    """Per consecutive pair: mean |f(t+1) aligned to f(t) - f(t)| over the interior (grey levels 0..255)."""
    cv2 = need("cv2", "temporal metrics")
    gs = [gray(f).astype(np.float32) for f in frames]
    if len(gs) < 2:
        return []
    h, w = gs[0].shape
    win = cv2.createHanningWindow((w, h), cv2.CV_32F)
    b = max(4, min(h, w) // 16)
    out = []
    for a, c in zip(gs, gs[1:]):
        # copies: phaseCorrelate may window its inputs in place (seen with OpenCV 5)
        (dx, dy), _ = cv2.phaseCorrelate(a.copy(), c.copy(), win.copy())
        if not (np.isfinite(dx) and np.isfinite(dy)):
            dx = dy = 0.0
        back = _shift(cv2, c, -dx, -dy)
        out.append(float(np.abs(back - a)[b:-b, b:-b].mean()))
    return out


def warp_error(frames: list[np.ndarray]) -> list[float]:
    """Per consecutive pair: mean |warp(f(t+1)) - f(t)| where the forward-backward flow check passes."""
    cv2 = need("cv2", "temporal metrics")
    gs = [gray(f) for f in frames]
    if len(gs) < 2:
        return []
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    h, w = gs[0].shape
    xx, yy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    out = []
    for a, c in zip(gs, gs[1:]):
        fw = dis.calc(a, c, None)
        bw = dis.calc(c, a, None)
        mx, my = xx + fw[..., 0], yy + fw[..., 1]
        warped = cv2.remap(c, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        bw_at = cv2.remap(bw, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        ok = np.hypot(fw[..., 0] + bw_at[..., 0], fw[..., 1] + bw_at[..., 1]) < 1.0
        ok &= (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
        err = np.abs(warped - a.astype(np.float32))
        # pixels failing the check count fully (occlusions in a clean clip are few; changing glyphs fail it)
        out.append(float(np.where(ok, err, np.maximum(err, 32.0)).mean()))
    return out


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


def text_stability(readings: list[str]) -> dict:
    """Stability of the strings read in consecutive frames (empty readings are misses)."""
    s = [normalize(r) for r in readings]
    n = len(s)
    nonempty = [x for x in s if x]
    if n == 0 or not nonempty:
        return {"modal_share": 0.0, "consecutive_ned": 0.0, "count_stability": 0.0}
    modal = Counter(nonempty).most_common(1)[0][0]
    counts = Counter(len(x) for x in nonempty).most_common(1)[0][0]
    pairs = [(a, b) for a, b in zip(s, s[1:])]
    cons = [ned(a, b) if a and b else 0.0 for a, b in pairs] if pairs else [1.0]
    return {"modal_share": sum(x == modal for x in s) / n,
            "consecutive_ned": float(np.mean(cons)),
            "count_stability": sum(bool(x) and len(x) == counts for x in s) / n}
