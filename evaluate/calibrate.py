"""Per-case calibration: raw terms of the reference render and of the two floors (blank, noise).

Computed once per suite (at build time, or at the first scoring when missing) and stored in
``SUITE/calibration.json`` (``calibration-tesseract.json`` for the optional OCR engine: floors and
references are read by the engine that reads the predictions) with the OCR engine's identity and the
metrics version; a suite scored
with another OCR engine version or by metrics of another version is recalibrated (in memory when the suite folder is read-only). Blank = every frame the
reference's border colour; noise = uniform RGB noise, a fixed seed per case and frame.
"""
from __future__ import annotations

import json
import os

import numpy as np

from .errors import EvalError
from .ocr import engine_version, make_ocr

CALIBRATION_FORMAT = "symbolreel-eval-calibration/1"
# The version of the raw terms' definitions: bump it with any change to what a metric computes (a new
# term, another alignment, other thresholds). It is part of a calibration's identity, so a suite
# calibrated by an older version is recalibrated instead of normalising new terms by stale floors.
METRICS_VERSION = "7"


def floors(case) -> dict:
    """The blank and noise inputs of a case, same size and length as its reference."""
    from .metrics.structure import background_colour
    bg = background_colour(case.ref[0]).astype(np.uint8)
    blank = [np.broadcast_to(bg, case.ref[0].shape).copy() for _ in case.ref]
    from .degrade import case_rng
    noise = [case_rng(case.id, "noise-floor", i).integers(0, 256, case.ref[0].shape, dtype=np.uint8)
             for i in range(case.n)]
    return {"blank": blank, "noise": noise}


def calibration_path(suite: str, engine: str = "rapidocr") -> str:
    return os.path.join(suite, "calibration.json" if engine == "rapidocr" else f"calibration-{engine}.json")


def calibrate_case(case, ocr) -> dict:
    from .score import raw_terms
    out = {"reference": raw_terms(case, case.ref, ocr)["terms"]}
    for name, frames in floors(case).items():
        out[name] = raw_terms(case, frames, ocr)["terms"]
    return out


def calibrate_suite(suite: str, manifest: dict, engine: str = "rapidocr") -> dict:
    from .score import load_case
    ocr = make_ocr(engine)
    data = {"format": CALIBRATION_FORMAT, "suite_version": manifest["suite_version"], "ocr": engine_version(engine),
            "metrics_version": METRICS_VERSION,
            "cases": {e["id"]: calibrate_case(load_case(suite, e), ocr) for e in manifest["cases"]}}
    path = calibration_path(suite, engine)
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(path + ".tmp", path)
    except OSError:
        pass                      # read-only suite: keep the calibration in memory
    return data["cases"]


def load_calibration(suite: str, manifest: dict, engine: str = "rapidocr") -> dict:
    path = calibration_path(suite, engine)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return calibrate_suite(suite, manifest, engine)
    except (OSError, ValueError) as exc:
        raise EvalError(f"{path}: unreadable calibration ({exc}); delete it to recalibrate") from None
    if (data.get("format") != CALIBRATION_FORMAT or data.get("ocr") != engine_version(engine)
            or data.get("metrics_version") != METRICS_VERSION
            or data.get("suite_version") != manifest["suite_version"]
            or any(e["id"] not in data.get("cases", {}) for e in manifest["cases"])):
        return calibrate_suite(suite, manifest, engine)
    return data["cases"]
