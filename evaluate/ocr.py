"""Offline OCR for the benchmark: rapidocr 3.x (PP-OCRv6-small detection and recognition, weights in the
wheel), or tesseract as an optional second engine (:class:`TesseractOcr`; the system's ``tesseract``
binary with its ``eng`` and ``chi_sim`` data, e.g. Debian's tesseract-ocr and tesseract-ocr-chi-sim).

``Ocr.read(images)`` detects text lines in each image and recognises the crops of *all* images in
batches (one recognition call per batch of line crops, whatever image they came from), so a clip's
frames go through the recogniser together. ``read_crops`` pads each crop onto a canvas first: the
detector misses text that fills a small tight crop.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

from .errors import EvalError, need

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


ENGINES = ("rapidocr", "tesseract")


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise EvalError(f"--ocr {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "tesseract":
        _tesseract()
    return engine


def engine_version(engine: str = "rapidocr") -> str:
    """Identity of the OCR engine, stored with calibrations so a change of engine recalibrates."""
    if engine == "tesseract":
        t = _tesseract()
        return f"tesseract {t['version']} langs {t['langs']} psm {TESS_PSM}"
    from importlib.metadata import version
    return f"rapidocr=={version('rapidocr')} PP-OCRv6-small det<= {DET_MAX_SIDE}px"


def make_ocr(engine: str = "rapidocr"):
    """The reader of ``engine`` (rapidocr or tesseract); both have ``read`` and ``read_crops``."""
    return TesseractOcr() if check_engine(engine) == "tesseract" else Ocr()


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
        return _reading_order(out)

    def read_crops(self, image, quads, pad: float = 1.0) -> list[list[Line]]:
        """Read each region ``quads[i]`` (4 corners) of ``image`` on its own padded canvas."""
        return self.read([padded_crop(image, q, pad) for q in quads])


def _reading_order(pages: list[list[Line]]) -> list[list[Line]]:
    """Each page's lines in reading order: rows (by the box top, in bands of 20 px), then left to right."""
    for lines in pages:
        lines.sort(key=lambda ln: (min(p[1] for p in ln.box) // 20, min(p[0] for p in ln.box)))
    return pages


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


# --- tesseract (optional) --------------------------------------------------------------------------------

TESS_PSM = 3          # automatic page segmentation (whole frames); crops are read as one line (psm 7)
TESS_LANGS = ("eng", "chi_sim")


@functools.lru_cache(maxsize=1)
def _tesseract() -> dict:
    import shutil
    import subprocess
    exe = shutil.which("tesseract")
    if exe is None:
        raise EvalError("--ocr tesseract: the tesseract binary is not on PATH (Debian: apt-get install "
                        "tesseract-ocr tesseract-ocr-chi-sim); the default engine, rapidocr, needs nothing")
    ver = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.split("\n")[0].split()[-1]
    listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split()
    langs = [lang for lang in TESS_LANGS if lang in listed]
    if not langs:
        raise EvalError(f"--ocr tesseract: no language data for {' or '.join(TESS_LANGS)} "
                        f"(Debian: apt-get install tesseract-ocr-eng tesseract-ocr-chi-sim)")
    return {"exe": exe, "version": ver, "langs": "+".join(langs)}


def parse_tsv(tsv: str, n_pages: int) -> list[list[Line]]:
    """Lines per page of tesseract's TSV output: words grouped by (block, paragraph, line), joined by
    spaces; score = the words' mean confidence / 100; box = the words' bounding box. Lines below
    :data:`MIN_SCORE` are dropped, as rapidocr's are."""
    words: dict = {}
    rows = tsv.splitlines()
    for row in rows[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        page, block, par, line = (int(v) for v in f[1:5])
        x, y, w, h = (int(v) for v in f[6:10])
        words.setdefault((page, block, par, line), []).append((f[11].strip(), float(f[10]), x, y, w, h))
    out: list[list[Line]] = [[] for _ in range(n_pages)]
    for (page, *_), ws in sorted(words.items()):
        if not 1 <= page <= n_pages:
            continue
        score = float(np.mean([c for _, c, *_ in ws])) / 100.0
        if score < MIN_SCORE:
            continue
        x0 = min(x for *_, x, _, _, _ in ws)
        y0 = min(y for *_, y, _, _ in ws)
        x1 = max(x + w for *_, x, _, w, _ in ws)
        y1 = max(y + h for *_, y, _, h in ws)
        out[page - 1].append(Line(" ".join(t for t, *_ in ws), score,
                                  ((x0, y0), (x1, y0), (x1, y1), (x0, y1))))
    return out


class TesseractOcr:
    """The :class:`Ocr` interface over the tesseract binary: all images of a call in one tesseract run
    (a list file), so its models load once per call, not per frame."""

    def __init__(self):
        self.t = _tesseract()

    def read(self, images, psm: int = TESS_PSM) -> list[list[Line]]:
        import subprocess
        import tempfile
        cv2 = need("cv2", "tesseract input")
        images = list(images)
        if not images:
            return []
        with tempfile.TemporaryDirectory(prefix="symbolreel-tess-") as tmp:
            paths = []
            for k, img in enumerate(images):
                path = f"{tmp}/{k:05d}.png"
                cv2.imwrite(path, np.ascontiguousarray(np.asarray(img)[..., 2::-1]))
                paths.append(path)
            with open(f"{tmp}/list.txt", "w") as fh:
                fh.write("\n".join(paths) + "\n")
            run = subprocess.run([self.t["exe"], f"{tmp}/list.txt", "stdout", "-l", self.t["langs"], "--psm",
                                  str(psm), "tsv"], capture_output=True, text=True,
                                 env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        if run.returncode != 0:
            raise EvalError(f"tesseract failed ({run.returncode}): {run.stderr.strip()[-300:]}")
        return _reading_order(parse_tsv(run.stdout, len(images)))

    def read_crops(self, image, quads, pad: float = 1.0) -> list[list[Line]]:
        return self.read([padded_crop(image, q, pad) for q in quads], psm=7)
