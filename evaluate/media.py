"""Reading predictions and references: images (OpenCV, Pillow fallback), videos (imageio-ffmpeg), frame folders.

A prediction for case ``ID`` is ``ID.<ext>`` in the prediction folder, with an image extension (one
frame) or a video extension (any length), or a folder ``ID/`` of numbered images. Any resolution:
frames are resized to the reference's size before scoring; clips are resampled in time to the
reference's frame count (nearest frame at the same relative time).
"""
from __future__ import annotations

import os

import numpy as np

from .errors import EvalError, need

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
VIDEO_EXT = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".gif")
MAX_FRAMES = 2000


def find_prediction(pred_dir: str, case_id: str) -> str | None:
    for ext in IMAGE_EXT + VIDEO_EXT:
        for e in (ext, ext.upper()):
            p = os.path.join(pred_dir, case_id + e)
            if os.path.isfile(p):
                return p
    p = os.path.join(pred_dir, case_id)
    return p if os.path.isdir(p) else None


def read_image(path: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB; raises ValueError with the reason when it cannot be decoded."""
    cv2 = need("cv2", "reading images")
    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        try:
            from PIL import Image
            with Image.open(path) as im:
                return np.asarray(im.convert("RGB"))
        except Exception:
            raise ValueError("not a decodable image") from None
    if img.dtype != np.uint8:
        img = (img / (img.max() or 1) * 255).astype(np.uint8) if img.dtype != np.uint16 else (img >> 8).astype(np.uint8)
    if img.ndim == 2:
        return np.repeat(img[..., None], 3, axis=2)
    if img.shape[2] == 4:        # composite over white: generated images with alpha are rare but legal
        a = img[..., 3:4].astype(np.float32) / 255
        img = (img[..., :3] * a + 255 * (1 - a)).astype(np.uint8)
    return np.ascontiguousarray(img[..., 2::-1])


def read_video(path: str) -> list[np.ndarray]:
    from symbolreel.sinks import read_video_frames
    try:
        out = []
        for f in read_video_frames(path):
            out.append(f.copy())
            if len(out) >= MAX_FRAMES:
                break
    except (OSError, RuntimeError, StopIteration) as exc:
        raise ValueError(f"not a decodable video ({str(exc).strip().splitlines()[-1] if str(exc).strip() else exc})")
    if not out:
        raise ValueError("the video has no frames")
    return out


def read_frames(path: str) -> list[np.ndarray]:
    """All frames of an image, a video or a folder of images, as RGB uint8 arrays."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_EXT))
        if not names:
            raise ValueError("the folder holds no images (" + ", ".join(IMAGE_EXT) + ")")
        return [read_image(os.path.join(path, n)) for n in names[:MAX_FRAMES]]
    if path.lower().endswith(VIDEO_EXT):
        return read_video(path)
    return [read_image(path)]


def find_predictions(pred_dir: str, case_ids: list[str]) -> dict[str, str]:
    """The prediction file (or folder) of every case; when some are missing, one EvalError naming every
    missing file and every unreadable one among the others (those are decoded to check)."""
    if not os.path.isdir(pred_dir):
        raise EvalError(f"{pred_dir}: prediction folder not found")
    out, problems = {}, []
    for cid in case_ids:
        p = find_prediction(pred_dir, cid)
        if p is None:
            problems.append(f"{os.path.join(pred_dir, cid)}.*: missing (expected {cid}.png/.jpg/... for a still, "
                            f"{cid}.mp4/... for a clip, or a folder {cid}/ of frames)")
        else:
            out[cid] = p
    if problems:
        for cid, p in out.items():
            try:
                read_frames(p)
            except ValueError as exc:
                problems.append(f"{p}: unreadable: {exc}")
        raise EvalError(f"{len(problems)} of {len(case_ids)} predictions cannot be scored:\n  " + "\n  ".join(problems))
    return out


def conform(frames: list[np.ndarray], n: int, width: int, height: int) -> list[np.ndarray]:
    """Resize to (width, height) and resample to ``n`` frames (nearest at the same relative time)."""
    cv2 = need("cv2", "resizing frames")
    m = len(frames)
    idx = [0] * n if m == 1 else [int(round(i * (m - 1) / max(n - 1, 1))) for i in range(n)]
    if n == 1 and m > 1:
        idx = [m // 2]
    out = []
    for i in idx:
        f = frames[i]
        if f.shape[1] != width or f.shape[0] != height:
            interp = cv2.INTER_AREA if f.shape[1] > width else cv2.INTER_LINEAR
            f = cv2.resize(f, (width, height), interpolation=interp)
        out.append(np.ascontiguousarray(f[..., :3]))
    return out


def write_frames(path: str, frames: list[np.ndarray], fps: float = 12) -> None:
    """Write frames as a PNG (one frame) or an H.264 MP4 (lossless-ish crf 12); temp name, then rename."""
    cv2 = need("cv2", "writing frames")
    root, ext = os.path.splitext(path)
    tmp = f"{root}.tmp{ext}"
    if ext.lower() == ".png":
        ok, buf = cv2.imencode(".png", frames[0][..., 2::-1])
        if not ok:
            raise EvalError(f"{path}: PNG encoding failed")
        buf.tofile(tmp)
    else:
        import imageio_ffmpeg
        h, w = frames[0].shape[:2]
        gen = imageio_ffmpeg.write_frames(tmp, (w, h), fps=fps, codec="libx264", quality=None,
                                          output_params=["-crf", "12", "-preset", "fast"],
                                          pix_fmt_out="yuv420p", macro_block_size=1, ffmpeg_log_level="error")
        gen.send(None)
        for f in frames:
            gen.send(np.ascontiguousarray(f[..., :3]))
        gen.close()
    os.replace(tmp, path)
