"""Benchmark configuration: which raw terms make up Mf, Mc and Mt per domain, and the Match weights.

Match = (b1·Mf + b2·Mc + b3·Mt) / (b1 + b2 + b3) for clips; stills have no Mc, so
Match = (b1·Mf + b3·Mt) / (b1 + b3). Every term is first normalised per case between its floor (from a
blank frame and uniform noise, scored the same way; see ``score.normalise``) and the reference render:
n = clip((x - floor) / (ref - floor), 0, 1), so the reference scores 1 and blank/noise 0.
Override the weights with ``symbolreel eval score --weights weights.json`` ({"b1": .., "b2": .., "b3": ..}).
"""
from __future__ import annotations

import json

from .errors import EvalError

# Defaults: prompt match weighs most (the benchmark is about drawing the *right* symbols); per-frame
# quality and temporal consistency share the rest. docs/benchmark.md shows every term and Match moving
# monotonically with each degradation under these weights.
DEFAULT_WEIGHTS = {"b1": 0.3, "b2": 0.3, "b3": 0.4}

_TEXT = {"Mf": ["sharpness", "lap_profile", "ocr_conf", "legibility"],
         "Mt": ["word_f1", "ned", "line_acc", "hungarian"],
         "Mc": ["flicker", "warp_error", "track_jerk", "frozen_share", "modal_share", "consecutive_ned",
                "count_stability", "stable_ned"]}
_MOTION = ["flicker", "warp_error", "track_jerk", "frozen_share"]
GROUPS = {
    "text-en": _TEXT, "text-zh": _TEXT, "formula": _TEXT,
    "geometry": {"Mf": ["sharpness", "stroke_precision"], "Mt": ["stroke_f1", "circle_fit", "facts"],
                 "Mc": _MOTION + ["structure_stability"]},
    "plot": {"Mf": ["sharpness", "curve_precision"], "Mt": ["curve_error", "coverage"],
             "Mc": _MOTION + ["structure_stability"]},
    "road": {"Mf": ["sharpness", "tusimple_acc", "edge_agreement"], "Mt": ["lanes_found", "dash_agreement", "continuity", "vp_error"],
             "Mc": _MOTION + ["lane_stability", "vp_stability"]},
}


def load_weights(path: str | None) -> dict:
    if path is None:
        return dict(DEFAULT_WEIGHTS)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise EvalError(f"{path}: unreadable weights file ({exc})") from None
    out = dict(DEFAULT_WEIGHTS)
    for k, v in data.items():
        if k not in DEFAULT_WEIGHTS:
            raise EvalError(f"{path}: {k}: unknown weight; expected b1, b2, b3")
        if not isinstance(v, (int, float)) or v < 0:
            raise EvalError(f"{path}: {k}: expected a number >= 0, found {v!r}")
        out[k] = float(v)
    if out["b1"] + out["b3"] <= 0:
        raise EvalError(f"{path}: b1 + b3 must be > 0 (stills have no Mc)")
    return out
