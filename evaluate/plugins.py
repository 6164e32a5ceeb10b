"""Optional learned metrics, CLIPSIM and FVD, with model weights the user supplies by path.

Nothing is downloaded. Each takes a TorchScript file:

- CLIPSIM: a module with ``encode_image(images)`` ((N, 3, 224, 224) float, CLIP-normalised) and
  ``encode_text(list[str])`` (the module does its own tokenising); the score is the mean cosine
  similarity of each frame with the prompt.
- FVD: a module mapping videos (N, 3, T, 224, 224) float in [-1, 1] to features (N, D), e.g. an I3D
  export; the score is the Fréchet distance between the feature statistics of the references and the
  predictions (needs several clips).

Without a path, or without torch installed, a clear EvalError says what is missing.
"""
from __future__ import annotations

import os

import numpy as np

from .errors import EvalError, need

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)


def _load(path: str | None, what: str, option: str):
    if not path:
        raise EvalError(f"{what} needs model weights supplied by path ({option} FILE, a TorchScript file); "
                        f"none were given, and symbolreel downloads nothing")
    if not os.path.isfile(path):
        raise EvalError(f"{path}: {what} weights not found ({option})")
    torch = need("torch", what)
    try:
        return torch, torch.jit.load(path, map_location="cpu").eval()
    except Exception as exc:
        raise EvalError(f"{path}: not a loadable TorchScript model for {what} ({exc})") from None


def _resize(frames, size=224):
    cv2 = need("cv2", "plugin preprocessing")
    return np.stack([cv2.resize(f[..., :3], (size, size), interpolation=cv2.INTER_AREA) for f in frames])


def clipsim(frames: list[np.ndarray], prompt: str, weights: str | None) -> float:
    torch, model = _load(weights, "CLIPSIM", "--clip-weights")
    x = (_resize(frames).astype(np.float32) / 255 - CLIP_MEAN) / CLIP_STD
    with torch.no_grad():
        im = model.encode_image(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()))
        tx = model.encode_text([prompt])
    im = im / im.norm(dim=-1, keepdim=True)
    tx = tx / tx.norm(dim=-1, keepdim=True)
    return float((im @ tx.T).mean())


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets a (N, D) and b (M, D)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) < 2 or len(b) < 2:
        raise EvalError("FVD needs at least 2 clips on each side")
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    # trace of sqrt(s1 s2) via the symmetric form sqrt(s1)^(1/2) s2 sqrt(s1)^(1/2)
    w, v = np.linalg.eigh(s1)
    r1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    ev = np.linalg.eigvalsh(r1 @ s2 @ r1)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(ev, 0, None)).sum())


def fvd(ref_clips: list[list[np.ndarray]], pred_clips: list[list[np.ndarray]], weights: str | None) -> float:
    torch, model = _load(weights, "FVD", "--fvd-weights")

    def feats(clips):
        out = []
        for c in clips:
            x = _resize(c).astype(np.float32) / 127.5 - 1
            with torch.no_grad():
                out.append(model(torch.from_numpy(x.transpose(3, 0, 1, 2)[None].copy())).numpy().reshape(-1))
        return np.stack(out)
    return frechet_distance(feats(ref_clips), feats(pred_clips))
