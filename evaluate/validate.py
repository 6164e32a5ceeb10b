"""Validation of the benchmark: graded degradations of the suite's references must lower the scores.

For each case and each degradation that applies to its domain, levels 0 (the reference) to 5 are scored;
Spearman's rho between level and score is computed per metric group (Mf, Mc, Mt, Match) on the mean
over the cases of a (domain, kind). A row passes when its *target* group (the one the degradation is
meant to hit) and Match have rho <= -0.9. Also checked per case: the reference ranks first and blank and
noise last among all the variants scored. Used by scripts/validate_benchmark.py (docs/benchmark.md)
and, on a few cases and levels, by tests/test_evaluate.py. Needs the renderer (content degradations
re-render the case).
"""
from __future__ import annotations

import numpy as np

from . import degrade, suite as suite_mod
from .calibrate import floors
from .config import DEFAULT_WEIGHTS
from .score import CaseData, combine, load_case, normalise, raw_terms

TEXT_STILL = ["blur", "noise", "jpeg", "glyph_swap", "drop_extra"]
MOTION = ["jitter", "frame_drop"]
APPLIES = {
    ("text", "still"): TEXT_STILL,
    ("text", "clip"): TEXT_STILL + MOTION + ["text_change"],
    ("geometry", "still"): ["blur", "noise", "jpeg", "figure_points"],
    ("geometry", "clip"): ["blur", "noise", "jpeg", "figure_points"] + MOTION,
    ("plot", "still"): ["blur", "noise", "jpeg", "figure_points"],
    ("road", "still"): ["blur", "noise", "jpeg", "dash_break", "lane_flicker"],
    ("road", "clip"): ["blur", "noise", "jpeg", "dash_break", "lane_flicker"] + MOTION,
}
TARGET = {"blur": "Mf", "noise": "Mf", "jpeg": "Mf", "glyph_swap": "Mt", "drop_extra": "Mt", "jitter": "Mc",
          "frame_drop": "Mc", "text_change": "Mc", "dash_break": "Mt", "lane_flicker": "Mc", "figure_points": "Mt"}


def family(domain: str) -> str:
    return "text" if domain in ("text-en", "text-zh", "formula") else domain


def spearman(x, y) -> float | None:
    """Spearman's rho (average ranks for ties); None when either side is constant."""
    def ranks(v):
        v = np.asarray(v, np.float64)
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for val in np.unique(v):
            sel = v == val
            r[sel] = r[sel].mean()
        return r
    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() < 1e-12 or np.ptp(np.asarray(y, np.float64)) < 1e-9:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def render_variant(case_row: dict, kind: str, level: int, ref_frames) -> list[np.ndarray]:
    """Frames of a content degradation (re-rendered); ``text_change`` mixes swapped frames into the clip."""
    import symbolreel as sr
    var = degrade.variant_case(case_row, kind, level)
    frames = [f[..., :3].copy() for f in sr.frames(suite_mod.case_scene(var))]
    if kind != "text_change":
        return frames
    share = degrade.LEVELS[kind][level - 1]
    rng = degrade.case_rng(case_row["id"], kind, level)
    n = len(ref_frames)
    changed = set(rng.choice(n, max(1, int(round(share * n))), replace=False).tolist())
    return [frames[i] if i in changed else ref_frames[i] for i in range(n)]


def variant_frames(case: CaseData, case_row: dict, kind: str, level: int) -> list[np.ndarray]:
    if kind in degrade.FRAME_OPS:
        return degrade.degrade_frames(case.ref, kind, level, case.id, case.objects)
    return render_variant(case_row, kind, level, case.ref)


def validate_case(suite: str, entry: dict, calib: dict, ocr, kinds=None, levels=(1, 2, 3, 4, 5),
                  weights=None) -> dict:
    """Scores of one case's reference, floors and degraded variants: {kind: [scores per level 0..]}."""
    weights = weights or DEFAULT_WEIGHTS
    case = load_case(suite, entry)
    row = suite_mod.case_by_id(entry["id"])

    def score(frames):
        raw = raw_terms(case, frames, ocr)
        norm = normalise(raw["terms"], calib)
        return {"scores": combine(norm, case.domain, case.kind, weights), "terms": norm, "raw": raw["terms"]}

    base = score(case.ref)
    fl = {name: score(fr) for name, fr in floors(case).items()}
    out = {"id": case.id, "domain": case.domain, "kind": case.kind, "reference": base, "floors": fl, "levels": {}}
    for kind in kinds or APPLIES[(family(case.domain), case.kind)]:
        if kind not in APPLIES[(family(case.domain), case.kind)]:
            continue
        out["levels"][kind] = [base] + [score(variant_frames(case, row, kind, lv)) for lv in levels]
    out["level_values"] = [0, *levels]
    return out


def rank_check(res: dict) -> dict:
    """Does the reference rank first and do blank and noise rank last (by Match) among the variants?"""
    ref = res["reference"]["scores"]["Match"]
    variants = [v["scores"]["Match"] for lv in res["levels"].values() for v in lv[1:]]
    floors_ = [v["scores"]["Match"] for v in res["floors"].values()]
    return {"reference_first": all(ref >= v - 1e-9 for v in variants),
            "floors_last": all(f <= min(variants, default=1.0) + 1e-9 for f in floors_),
            "reference": ref, "worst_variant": min(variants, default=None), "floors": floors_}


def summarise(results: list[dict]) -> list[dict]:
    """One row per (domain, kind, degradation): rho per group on the mean over the cases."""
    rows = []
    keys = sorted({(r["domain"], r["kind"], k) for r in results for k in r["levels"]})
    for dom, kind, deg in keys:
        rs = [r for r in results if r["domain"] == dom and r["kind"] == kind and deg in r["levels"]]
        lv = rs[0]["level_values"]
        # stills have no Mc: a temporal degradation applied to a still (lane paint erased) targets Mt
        target = "Mt" if kind == "still" and TARGET[deg] == "Mc" else TARGET[deg]
        row = {"domain": dom, "kind": kind, "degradation": deg, "target": target, "cases": len(rs)}
        for g in ("Mf", "Mc", "Mt", "Match"):
            vals = [[v["scores"].get(g) for v in r["levels"][deg]] for r in rs]
            if any(x is None for vs in vals for x in vs):
                row[g] = None
                continue
            mean = np.mean(np.asarray(vals, np.float64), axis=0)
            row[g] = {"rho": spearman(lv, mean), "values": mean.tolist()}
        t = row[row["target"]]
        m = row["Match"]
        row["pass"] = bool(t and t["rho"] is not None and t["rho"] <= -0.9 and m and m["rho"] is not None
                           and m["rho"] <= -0.9)
        rows.append(row)
    return rows


PLAN_TERMS = ("sharpness", "flicker", "warp_error", "track_jerk")


def separation(results: list[dict]) -> list[dict]:
    """Right text vs wrong text, both sharp: the worst glyph-swap level against the reference, per text case.

    The plan's proxies (Laplacian variance ratio, flicker, warp error, track jerk) barely move; the
    glyph-aware terms (NED, legibility, word F1, text stability) drop."""
    out = []
    for r in results:
        if "glyph_swap" not in r["levels"]:
            continue
        ref, wrong = r["reference"], r["levels"]["glyph_swap"][-1]
        row = {"id": r["id"], "plan": {}, "glyph": {}}
        for t in PLAN_TERMS:
            if t in ref["terms"]:
                row["plan"][t] = (ref["terms"][t], wrong["terms"][t])
        for t in ("ned", "legibility", "word_f1", "ocr_conf", "modal_share"):
            if t in ref["terms"]:
                row["glyph"][t] = (ref["terms"][t], wrong["terms"][t])
        row["Match"] = (ref["scores"]["Match"], wrong["scores"]["Match"])
        out.append(row)
    return out
