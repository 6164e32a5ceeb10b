"""Offline OCR for the benchmark: rapidocr 3.x (PP-OCRv6-small detection and recognition, weights in the wheel).

``Ocr.read(images)`` detects text lines in each image and recognises the crops of *all* images in
batches (one recognition call per batch of line crops, whatever image they came from), so a clip's
frames go through the recogniser together. ``read_crops`` pads each crop onto a canvas first: the
detector misses text that fills a small tight crop.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .errors import need

# Detection runs on the image scaled so its long side is at most this (rapidocr's default scales the
# *short* side up to 736, 5-10x slower on our frames and no better on clean text).
DET_MAX_SIDE = 960
REC_BATCH = 16
MIN_SCORE = 0.5        # lines recognised below this confidence are dropped (rapidocr's default)


@dataclass(frozen=True)
class Line:
    text: str
    score: float
    box: tuple          # 4 corners (x, y) in the image read


def engine_version() -> str:
    """Identity of the OCR engine, stored with calibrations so a change of engine recalibrates."""
    from importlib.metadata import version
    return f"rapidocr=={version('rapidocr')} PP-OCRv6-small det<= {DET_MAX_SIDE}px"


@functools.lru_cache(maxsize=1)
def _engine():
    rapidocr = need("rapidocr", "OCR (text metrics of symbolreel eval score)")
    return rapidocr.RapidOCR(params={
        "Global.log_level": "error", "Global.use_cls": False, "Global.text_score": MIN_SCORE,
        "Det.limit_type": "max", "Det.limit_side_len": DET_MAX_SIDE, "Rec.rec_batch_num": REC_BATCH})


def bare_engine():
    """The rapidocr engine itself, configured as here (the baseline of bench/bench_evaluate.py)."""
    return _engine()


class Ocr:
    """Batched line reader; images are RGB (or RGBA) uint8 arrays."""

    def __init__(self):
        self.engine = _engine()
        from rapidocr.utils.process_img import map_boxes_to_original
        self._map = map_boxes_to_original

    def read(self, images) -> list[list[Line]]:
        e = self.engine
        crops, owner, boxes = [], [], []
        for k, img in enumerate(images):
            bgr = np.ascontiguousarray(np.asarray(img)[..., 2::-1])
            pre, record = e.preprocess_img(bgr)
            try:
                cut, det = e.detect_and_crop(pre, record)
            except Exception as exc:          # rapidocr raises its own error type when nothing is detected
                if type(exc).__name__ != "RapidOCRError":
                    raise
                continue
            mapped = self._map(np.array(det.boxes, dtype=np.float64), record, *bgr.shape[:2])
            for crop, box in zip(cut, mapped):
                crops.append(crop)
                owner.append(k)
                boxes.append(tuple(map(tuple, np.round(box, 2).tolist())))
        out: list[list[Line]] = [[] for _ in images]
        if crops:
            rec = e.recognize_txt(crops)
            for k, box, txt, score in zip(owner, boxes, rec.txts, rec.scores):
                if txt.strip() and score >= MIN_SCORE:
                    out[k].append(Line(txt, float(score), box))
        for lines in out:  # reading order: rows (by the box top, in bands of 20 px), then left to right
            lines.sort(key=lambda ln: (min(p[1] for p in ln.box) // 20, min(p[0] for p in ln.box)))
        return out

    def read_crops(self, image, quads, pad: float = 1.0) -> list[list[Line]]:
        """Read each region ``quads[i]`` (4 corners) of ``image`` on its own padded canvas."""
        return self.read([padded_crop(image, q, pad) for q in quads])


def padded_crop(image, quad, pad: float = 1.0) -> np.ndarray:
    """The bounding box of ``quad`` (grown by 10 %) centred on a canvas ``1 + pad`` times its size,
    filled with the crop's border colour (the detector needs context around small text)."""
    img = np.asarray(image)[..., :3]
    h, w = img.shape[:2]
    q = np.asarray(quad, dtype=np.float64)
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    mx, my = 0.1 * (x1 - x0) + 2, 0.1 * (y1 - y0) + 2
    x0, x1 = int(max(0, np.floor(x0 - mx))), int(min(w, np.ceil(x1 + mx)))
    y0, y1 = int(max(0, np.floor(y0 - my))), int(min(h, np.ceil(y1 + my)))
    crop = img[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)]
    ch, cw = crop.shape[:2]
    border = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]])
    fill = np.median(border, axis=0).astype(np.uint8)
    side = int(max(ch, cw) * (1 + pad)) + 8
    H, W = max(ch + 16, int(ch * (1 + pad)), 48), max(cw + 16, side // 2, 96)
    canvas = np.empty((H, W, 3), np.uint8)
    canvas[:] = fill
    oy, ox = (H - ch) // 2, (W - cw) // 2
    canvas[oy:oy + ch, ox:ox + cw] = crop
    return canvas


def joined(lines: list[Line]) -> str:
    return " ".join(ln.text for ln in lines)
