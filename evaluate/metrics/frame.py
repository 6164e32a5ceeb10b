"""Per-frame image terms: the plan's variance of the Laplacian, measured inside the symbol regions.

``sharpness(pred, ref, mask)`` is the ratio r of the Laplacian variance of the prediction to the
reference's, both at the reference's resolution, folded to ``min(r, 1/r)``: 1 when the prediction is
as sharp as the reference, falling for blur (r < 1) *and* for noise or ringing (r > 1; pure noise has
a far higher Laplacian variance than any clean render, which a bare "variance > 100" test rates sharp).

``profile_similarity(pred, ref_profile, mask)`` compares the whole distribution of |Laplacian| inside
the symbol regions instead of its variance alone: JPEG's ringing adds small values where the reference
has none while its quantisation lowers the stroke edges' peaks, so the variance can stay level while
the distribution moves away from the reference (see docs/benchmark.md).
"""
from __future__ import annotations

import numpy as np

from ..errors import need


def gray(img: np.ndarray) -> np.ndarray:
    cv2 = need("cv2", "image metrics")
    return cv2.cvtColor(np.ascontiguousarray(img[..., :3]), cv2.COLOR_RGB2GRAY)


def laplacian(img: np.ndarray) -> np.ndarray:
    """3x3 Laplacian of the grey image (float32)."""
    cv2 = need("cv2", "image metrics")
    return cv2.Laplacian(gray(img), cv2.CV_32F, ksize=3)


def laplacian_var(img: np.ndarray, mask: np.ndarray | None = None, lap: np.ndarray | None = None) -> float:
    lap = laplacian(img) if lap is None else lap
    vals = lap[mask] if mask is not None and mask.any() else lap
    return float(vals.astype(np.float64).var())


# quantile levels of a |Laplacian| profile: 255 inner levels of 256 equal bins
_PROFILE_Q = np.linspace(0.0, 1.0, 257)[1:-1]


def laplacian_profile(img: np.ndarray, mask: np.ndarray | None = None, lap: np.ndarray | None = None) -> np.ndarray:
    """Quantiles of |Laplacian| inside ``mask``: the distribution :func:`profile_similarity` compares."""
    lap = laplacian(img) if lap is None else lap
    vals = np.abs(lap[mask] if mask is not None and mask.any() else lap)
    return np.quantile(vals, _PROFILE_Q).astype(np.float64)


def profile_similarity(pred: np.ndarray, ref_profile: np.ndarray, mask: np.ndarray | None = None,
                       lap: np.ndarray | None = None) -> float:
    """1 − W1(|Laplacian| of the prediction, of the reference) / mean |Laplacian| of the reference, at 0..1.

    W1 (the Wasserstein-1 distance of the two distributions, the mean gap of their quantiles) is the
    reference's mean for a blank frame, so blank scores 0, the reference 1; blur (the values shrink),
    noise and JPEG ringing (values where the reference has none) all move it down. A distribution, not
    a picture: the prediction's strokes need not lie on the reference's pixels."""
    scale = float(np.mean(ref_profile))
    if scale <= 0:
        return 1.0
    w1 = float(np.mean(np.abs(laplacian_profile(pred, mask, lap) - ref_profile)))
    return max(0.0, 1.0 - w1 / scale)


def sharpness(pred: np.ndarray, ref_var: float, mask: np.ndarray | None = None,
              lap: np.ndarray | None = None) -> float:
    v = laplacian_var(pred, mask, lap)
    if ref_var <= 0:
        return 1.0 if v <= 0 else 0.0
    r = v / ref_var
    return float(min(r, 1 / r)) if r > 0 else 0.0


def polygon_mask(shape, polygons, grow: int = 0) -> np.ndarray:
    """Boolean mask of the filled polygons (image points), dilated by ``grow`` px."""
    cv2 = need("cv2", "image metrics")
    m = np.zeros(shape[:2], np.uint8)
    for poly in polygons:
        pts = np.round(np.asarray(poly, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2)
        if len(pts) >= 3:
            cv2.fillPoly(m, [pts], 1)
    if grow > 0:
        m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return m.astype(bool)


def polyline_mask(shape, polylines, width: int) -> np.ndarray:
    cv2 = need("cv2", "image metrics")
    m = np.zeros(shape[:2], np.uint8)
    for pl in polylines:
        pts = np.round(np.asarray(pl, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2)
        if len(pts) >= 2:
            cv2.polylines(m, [pts], False, 1, thickness=max(1, width))
    return m.astype(bool)


def symbol_mask(objects: list[dict], shape) -> np.ndarray:
    """Where the symbols are in a frame, from its annotations: text/formula/figure/plot quads (grown
    6 px), road lane centre lines (drawn 16 px wide). The whole frame when nothing is annotated."""
    polys, lines = [], []
    for o in objects:
        if o.get("type") == "road":
            for lane in o.get("lanes", []):
                lines.extend(lane.get("pieces", []))
        elif o.get("type") in ("text", "formula", "figure", "plot") and o.get("quad"):
            polys.append(o["quad"])
    m = polygon_mask(shape, polys, grow=6) if polys else np.zeros(shape[:2], bool)
    if lines:
        m |= polyline_mask(shape, lines, 16)
    return m if m.any() else np.ones(shape[:2], bool)



def gradients(img: np.ndarray) -> np.ndarray:
    """(H, W, 2) float32 Sobel gradient of the grey image."""
    cv2 = need("cv2", "image metrics")
    g = gray(img).astype(np.float32)
    return np.dstack([cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)])


def gradient_agreement(pred: np.ndarray, ref_grad: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Cosine similarity of the prediction's gradient field with the reference's inside ``mask``, in [0, 1].

    Edge agreement with the reference, for cases whose prompt pins the camera (roads): the symbols'
    edges must be where and as the reference has them. 1 for the reference, about 0 for noise (random
    gradients) and 0 for a blank frame; JPEG's block seams add gradients the reference does not have and
    its quantisation removes some it has, so unlike the Laplacian variance (which the seams *raise*)
    it falls with the quality, as it does with blur and noise."""
    gp = gradients(pred)
    if mask is not None:
        gp, gr = gp[mask], ref_grad[mask]
    else:
        gp, gr = gp.reshape(-1, 2), ref_grad.reshape(-1, 2)
    num = float((gp.astype(np.float64) * gr).sum())
    den = float(np.sqrt((gp.astype(np.float64) ** 2).sum() * (gr.astype(np.float64) ** 2).sum()))
    return max(0.0, num / den) if den > 0 else 0.0


def edges(img: np.ndarray) -> np.ndarray:
    """Canny edges (hysteresis 60/150 on the grey image) as a boolean mask."""
    cv2 = need("cv2", "image metrics")
    return cv2.Canny(gray(img), 60, 150) > 0
