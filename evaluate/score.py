"""Scoring a case: raw terms from a prediction's frames, normalisation, Mf / Mc / Mt / Match.

``raw_terms`` reads only frames and the case's labels; OCR runs once over all frames of the case in
batches. The reference's per-frame Laplacian variance and dash profiles come from the reference file
(no OCR); OCR-derived reference values come from the suite's calibration (see :mod:`.calibrate`).
"""
from __future__ import annotations

import json
import os

import numpy as np

from . import media
from .config import GROUPS, load_weights
from .errors import EvalError
from .metrics import structure, temporal
from .metrics.frame import edges, gradient_agreement, gradients, laplacian, laplacian_profile, laplacian_var, \
    profile_similarity, sharpness, symbol_mask
from .metrics.text import ned, normalize, text_scores
from .ocr import Ocr, check_engine, engine_version, joined, make_ocr

# every raw term is a mean over frames unless listed here (then computed over the clip)
MOTION_TERMS = {"flicker", "warp_error", "track_jerk", "frozen_share"}
# Mf terms of pixel statistics alone (no symbol recognised): gated by the symbol-aware Mf terms (gated)
PIXEL_TERMS = {"sharpness", "lap_profile"}
CLIP_TERMS = {"flicker", "warp_error", "track_jerk", "frozen_share", "modal_share", "consecutive_ned",
              "count_stability", "stable_ned", "structure_stability", "lane_stability", "vp_stability"}


class CaseData:
    """What scoring needs of one suite case: its manifest entry, spec, labels and reference frames."""

    def __init__(self, suite: str, entry: dict):
        self.entry = entry
        self.id = entry["id"]
        self.domain = entry["domain"]
        self.kind = entry["kind"]
        self.spec = _read_json(os.path.join(suite, entry["spec"]))
        labels = _read_json(os.path.join(suite, entry["labels"]))
        try:
            self.objects = [f["objects"] for f in labels["frames"]]
        except (KeyError, TypeError):
            raise EvalError(f"{os.path.join(suite, entry['labels'])}: frames[].objects: expected the engine's "
                            f"annotations (symbolreel-annotations/2)") from None
        ref_path = os.path.join(suite, entry["reference"])
        try:
            self.ref = media.read_frames(ref_path)
        except (ValueError, FileNotFoundError) as exc:
            raise EvalError(f"{ref_path}: unreadable reference: {exc}") from None
        self.n = len(self.ref)
        self.h, self.w = self.ref[0].shape[:2]
        self.quoted = entry.get("quoted", [])
        # the few facts the scorer reads besides the labels (suite manifest ``scoring``; older suites
        # kept them in the spec)
        scoring = entry.get("scoring") or {}
        self.fixed_layout = bool(scoring.get("fixed_layout", self.spec.get("fixed_layout", False)))
        # the symbols' colour: a plot's curve, a figure's strokes and markers
        self.ink_color = scoring.get("ink_color", self.spec.get("color"))
        self.masks = [symbol_mask(self.objects[min(i, len(self.objects) - 1)], (self.h, self.w))
                      for i in range(self.n)]
        self._ref_edges = None
        self._ref_grad = None
        self.band = self.masks                 # the symbol regions from the labels (roads: the lane band)
        if self.domain == "road":
            # the prompt pins the camera: sharpness is measured on the reference's lane-paint edges
            # (2 px band); on the whole lane band JPEG's block seams in the asphalt raise the Laplacian
            # variance as much as its quantisation lowers it at the edges
            self.masks = [m & _grow(e, 2) if (m & _grow(e, 2)).any() else m
                          for m, e in zip(self.masks, self.ref_edges)]
        self.ref_var = [laplacian_var(f, m) for f, m in zip(self.ref, self.masks)]
        self._ref_profile = None
        self._ref_dash = None
        self._ref_change = None

    @property
    def ref_profile(self) -> list:
        """Per frame, the reference's |Laplacian| profile inside the symbol regions (text cases)."""
        if self._ref_profile is None:
            self._ref_profile = [laplacian_profile(f, m) for f, m in zip(self.ref, self.masks)]
        return self._ref_profile

    @property
    def ref_edges(self) -> list:
        if self._ref_edges is None:
            self._ref_edges = [edges(f) for f in self.ref]
        return self._ref_edges

    def ref_grad(self, i: int) -> np.ndarray:
        if self._ref_grad is None:
            self._ref_grad = [gradients(f) for f in self.ref]
        return self._ref_grad[i]

    @property
    def ref_change(self) -> list:
        """Per consecutive pair of the reference: its change inside the symbol regions (grey levels)."""
        if self._ref_change is None:
            self._ref_change = temporal.pair_change(self.ref, self.masks)
        return self._ref_change

    def objs(self, i: int, kind: str) -> dict | None:
        for o in self.objects[min(i, len(self.objects) - 1)]:
            if o.get("type") == kind:
                return o
        return None

    def line_quads(self, i: int) -> list:
        """Quads of the quoted lines in frame i (each text node's lines, nodes in order), for fixed layouts."""
        out = []
        for o in self.objects[min(i, len(self.objects) - 1)]:
            if o.get("type") == "text":
                out.extend(ln["quad"] for ln in o["lines"]) if o.get("lines") else out.append(o["quad"])
        return out

    def ref_road(self, i: int) -> dict:
        """The reference's own road terms of frame i (its dash profile and painted TuSimple points)."""
        if self._ref_dash is None:
            self._ref_dash = [structure.road_terms(f, self.objs(k, "road")) for k, f in enumerate(self.ref)]
        return self._ref_dash[i]

    def ref_dash(self, i: int):
        return self.ref_road(i)["dash_profile"]


_CASES: dict = {}


def _stamp(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def load_case(suite: str, entry: dict) -> CaseData:
    """The case's data, its reference decoded once per scoring run: calibration, scoring and the FVD
    plugin of one run share it (keyed by the suite folder, the case id and the files' size and mtime).
    :func:`forget_cases` ends the run; worker processes decode their own cases once each."""
    key = (os.path.realpath(suite), entry["id"], json.dumps(entry, sort_keys=True),
           *(_stamp(os.path.join(suite, entry[k])) for k in ("reference", "labels", "spec")))
    case = _CASES.get(key)
    if case is None:
        case = _CASES[key] = CaseData(suite, entry)
    return case


def forget_cases() -> None:
    _CASES.clear()


def _grow(mask, px: int):
    import cv2
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(mask.astype(np.uint8), k).astype(bool)


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise EvalError(f"{path}: missing from the suite") from None
    except (OSError, ValueError) as exc:
        raise EvalError(f"{path}: unreadable JSON ({exc})") from None


def raw_terms(case: CaseData, frames: list[np.ndarray], ocr: Ocr | None = None) -> dict:
    """Raw (unnormalised) terms of a prediction already conformed to the reference's size and length.

    Returns {"terms": {name: float}, "series": {name: [per frame]}, "readings": [str per frame]}."""
    series: dict[str, list] = {}
    terms: dict[str, float] = {}
    readings = None
    if case.domain in ("text-en", "text-zh", "formula"):
        laps = [laplacian(f) for f in frames]
        series["sharpness"] = [sharpness(f, v, m, lap)
                               for f, v, m, lap in zip(frames, case.ref_var, case.masks, laps)]
        series["lap_profile"] = [profile_similarity(f, p, m, lap)
                                 for f, p, m, lap in zip(frames, case.ref_profile, case.masks, laps)]
        readings = _text_terms(case, frames, ocr or Ocr(), series)
    else:
        series["sharpness"] = [sharpness(f, v, m) for f, v, m in zip(frames, case.ref_var, case.masks)]
    if case.domain == "geometry":
        for i, f in enumerate(frames):
            for k, v in structure.figure_terms(f, case.objs(i, "figure"), _hex(case.ink_color)).items():
                series.setdefault(k, []).append(v)
    elif case.domain == "plot":
        colour = _hex(case.ink_color)
        for i, f in enumerate(frames):
            for k, v in structure.plot_terms(f, case.objs(i, "plot"), colour).items():
                series.setdefault(k, []).append(v)
    elif case.domain == "road":
        for i, f in enumerate(frames):
            r = structure.road_terms(f, case.objs(i, "road"), case.ref_road(i)["point_hits"])
            r.pop("point_hits")
            prof = r.pop("dash_profile")
            r["dash_agreement"] = structure.dash_agreement(prof, case.ref_dash(i))
            r["dash_period"] = float(np.mean([structure.dash_period(p) for p in prof])) if prof else 0.0
            # the prompt pins the camera: the lane structure must be where the reference has it
            r["edge_agreement"] = gradient_agreement(f, case.ref_grad(i), case.band[i])
            for k, v in r.items():
                series.setdefault(k, []).append(v)
    for k, v in series.items():
        terms[k] = float(np.mean(v))
    if case.kind == "clip":
        _clip_terms(case, frames, readings, series, terms)
    return {"terms": terms, "series": series, "readings": readings}


def _hex(s: str):
    if not s.startswith("#"):                 # a CSS colour name (a sampler spec)
        from symbolreel.datasets.styles import hex_of
        s = hex_of(s)
    s = s.lstrip("#")
    return [int(s[i:i + 2], 16) for i in (0, 2, 4)]


def _text_terms(case, frames, ocr, series) -> list[str]:
    wanted = case.quoted
    want_all = " ".join(wanted)
    reads = ocr.read(frames)
    crops = None
    if case.fixed_layout:
        quads = [case.line_quads(i) for i in range(len(frames))]
        flat = ocr.read([_crop for i, f in enumerate(frames) for _crop in _crops(f, quads[i])])
        crops, k = [], 0
        for q in quads:
            crops.append(flat[k:k + len(q)])
            k += len(q)
    readings = []
    for i, lines in enumerate(reads):
        texts = [ln.text for ln in lines]
        s = text_scores(joined(lines), want_all, texts, wanted, by_char=case.domain == "formula")
        readings.append(joined(lines))
        for k in ("word_f1", "ned", "hungarian"):
            series.setdefault(k, []).append(s[k])
        # line accuracy: each wanted line read exactly by some line (Hungarian-free: exact matches are unique)
        pool = [normalize(t) for t in texts]
        exact = sum(1 for w in wanted if normalize(w) in pool)
        series.setdefault("line_acc", []).append(exact / len(wanted) if wanted else 1.0)
        # legibility: per wanted line, NED of its crop's reading (fixed layouts) or of its matched line
        if crops is not None:
            leg = [ned(joined(c), w) for c, w in zip(crops[i], wanted)]
            conf = [np.mean([ln.score for ln in c]) if c else 0.0 for c in crops[i]]
        else:
            leg = [max([ned(t, w) for t in texts], default=0.0) for w in wanted]
            conf = [max([ln.score for ln in lines if ned(ln.text, w) > 0.5], default=0.0) for w in wanted]
        series.setdefault("legibility", []).append(float(np.mean(leg)) if leg else 1.0)
        # confidence only counts when the text is right: a confidently read wrong word is not legible
        series.setdefault("ocr_conf", []).append(float(np.mean(conf) * np.mean(leg)) if leg else 1.0)
    return readings


def _crops(frame, quads):
    from .ocr import padded_crop
    return [padded_crop(frame, q) for q in quads]


def _clip_terms(case, frames, readings, series, terms):
    mt = temporal.motion_terms(frames)
    fl, we = mt["flicker"], mt["warp_error"]
    series["flicker"] = fl
    series["warp_error"] = we
    terms["flicker"] = float(np.mean(fl)) if fl else 0.0
    terms["warp_error"] = float(np.mean(we)) if we else 0.0
    terms["track_jerk"] = temporal.track_jerk(frames)
    terms["frozen_share"] = temporal.frozen_share(frames, case.ref_change, case.masks)
    if readings is not None:
        terms.update(temporal.text_stability(readings, " ".join(case.quoted)))
    if case.domain in ("geometry", "plot"):
        # stable *and* right: the mean of the structure term minus its mean change between frames
        # (a blank clip is perfectly stable and scores 0 here)
        key = "stroke_f1" if case.domain == "geometry" else "coverage"
        s = np.asarray(series[key])
        terms["structure_stability"] = float(s.mean() - np.abs(np.diff(s)).mean()) if len(s) > 1 else float(s.mean())
    if case.domain == "road":
        s = np.asarray(series["tusimple_acc"])
        terms["lane_stability"] = float(s.mean() - np.abs(np.diff(s)).mean()) if len(s) > 1 else float(s.mean())
        v = np.asarray(series["vp_error"])
        # vanishing point right and steady: mean error plus mean change between frames (px)
        terms["vp_stability"] = float(v.mean() + (np.abs(np.diff(v)).mean() if len(v) > 1 else 0.0))


# --- normalisation and the combined score -----------------------------------------------------------------

def normalise(terms: dict, calib: dict) -> dict:
    """Each term mapped to [0, 1]: 1 at the reference, 0 at the floor.

    The floor is the better of blank and noise when both lie on the same side of the reference (an
    input no better than either earns nothing: noise's chance hits of a curve colour are no credit),
    the worse one when they lie on opposite sides (blank has no flicker at all, better than any
    reference: the floor there is noise's). ``sharpness`` keeps the worse floor (blank, 0): noise's
    Laplacian variance is high, and taking it as the floor would clip every strong blur to 0 alike;
    its credit without the symbols is removed in Mf instead (:func:`gated`)."""
    out = {}
    for k, x in terms.items():
        if k not in calib["reference"]:
            continue
        ref = calib["reference"][k]
        b, z = calib["blank"].get(k, ref), calib["noise"].get(k, ref)
        if (b - ref) * (z - ref) > 0 and k != "sharpness":
            floor = b if abs(b - ref) <= abs(z - ref) else z
        else:
            floor = b if abs(b - ref) >= abs(z - ref) else z
        if abs(ref - floor) < 1e-9:
            out[k] = 1.0
        else:
            out[k] = float(np.clip((x - floor) / (ref - floor), 0.0, 1.0))
    return out


def gated(norm: dict, term: str, mf_terms) -> float:
    """The credit of a pixel-statistics Mf term (:data:`PIXEL_TERMS`), times the presence of the
    symbols: the mean of the other (glyph- or structure-aware) Mf terms. Sharp pixels without the
    symbols (noise, or a blur that washed the curve out of its colour while noise keeps some Laplacian
    variance) earn nothing."""
    others = [norm[t] for t in mf_terms if t in norm and t not in PIXEL_TERMS]
    return float(norm[term] * (np.mean(others) if others else 1.0))


def combine(norm: dict, domain: str, kind: str, weights: dict) -> dict:
    g = GROUPS[domain]
    parts = {}
    for name in ("Mf", "Mc", "Mt"):
        if name == "Mc" and kind != "clip":
            continue
        vals = [gated(norm, t, g["Mf"]) if name == "Mf" and t in PIXEL_TERMS else norm[t]
                for t in g[name] if t in norm]
        parts[name] = float(np.mean(vals)) if vals else None
    if parts.get("Mc") is not None:
        # Mc = (symbol stability) x (motion smoothness): a clip without the symbols (blank, a still frame
        # of something else) is smooth but has nothing consistent about its symbols, so it scores 0
        motion = [norm[t] for t in g["Mc"] if t in norm and t in MOTION_TERMS]
        symbols = [norm[t] for t in g["Mc"] if t in norm and t not in MOTION_TERMS]
        if motion and symbols:
            parts["Mc"] = float(np.mean(motion) * np.mean(symbols))
    if kind == "clip" and parts.get("Mc") is not None:
        wsum = weights["b1"] + weights["b2"] + weights["b3"]
        match = (weights["b1"] * parts["Mf"] + weights["b2"] * parts["Mc"] + weights["b3"] * parts["Mt"]) / wsum
    else:
        match = (weights["b1"] * parts["Mf"] + weights["b3"] * parts["Mt"]) / (weights["b1"] + weights["b3"])
    parts["Match"] = float(match)
    return parts


def score_case(case: CaseData, frames: list[np.ndarray], calib: dict, weights: dict, ocr: Ocr | None = None) -> dict:
    frames = media.conform(frames, case.n, case.w, case.h)
    raw = raw_terms(case, frames, ocr)
    norm = normalise(raw["terms"], calib)
    return {"id": case.id, "domain": case.domain, "kind": case.kind, "raw": raw["terms"], "normalised": norm,
            "scores": combine(norm, case.domain, case.kind, weights), "series": raw["series"],
            "readings": raw["readings"]}


def _score_one(suite: str, entry: dict, path: str, calib: dict, weights: dict, clip_weights: str | None,
               ocr_engine: str = "rapidocr"):
    """Score one case from its prediction file: ("ok", result) or ("unreadable", message)."""
    try:
        frames = media.read_frames(path)
    except ValueError as exc:
        return "unreadable", f"{path}: unreadable: {exc}"
    case = load_case(suite, entry)
    res = score_case(case, frames, calib, weights, _worker_ocr(ocr_engine))
    if clip_weights is not None:
        from . import plugins
        res["plugins"] = {"clipsim": plugins.clipsim(media.conform(frames, case.n, case.w, case.h),
                                                     entry.get("prompt_en", ""), clip_weights)}
    return "ok", res


_OCR: dict = {}


def _worker_ocr(engine: str = "rapidocr"):
    if engine not in _OCR:
        _OCR[engine] = make_ocr(engine)
    return _OCR[engine]


def _worker_init(owner: int) -> None:
    import signal

    from symbolreel.lifecycle import exit_with_parent
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with_parent(owner=owner)       # no orphan scorers after the run that started them is killed


def _run_cases(jobs: list[tuple], workers: int, progress=None) -> list:
    """``_score_one`` over the jobs, in order; in ``workers`` processes (whole cases per worker) when > 1."""
    if workers <= 1 or len(jobs) <= 1:
        out = []
        for k, job in enumerate(jobs):
            out.append(_score_one(*job))
            if progress:
                progress(k + 1, len(jobs))
        return out
    from concurrent.futures import ProcessPoolExecutor

    from symbolreel.parallel import context
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context(),
                             initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_score_one, *job) for job in jobs]
        out = []
        for k, f in enumerate(futures):           # collected in case order: the report does not depend on N
            out.append(f.result())
            if progress:
                progress(k + 1, len(jobs))
    return out


def score_predictions(suite: str, pred: str, out: str, *, weights_path: str | None = None, cases=None,
                      progress=None, clip_weights: str | None = None, fvd_weights: str | None = None,
                      workers: int = 1, ocr_engine: str = "rapidocr") -> dict:
    """Score every case of ``suite`` with the prediction of the same id in ``pred``; write the report to ``out``.

    ``ocr_engine``: ``rapidocr`` (default, weights in the wheel) or ``tesseract`` (the system binary; the
    suite is calibrated again with it, into its own calibration file).
    ``clip_weights`` / ``fvd_weights``: optional plugins (see :mod:`.plugins`), reported beside Match.
    ``workers``: processes scoring whole cases (each reads its prediction and runs its own OCR); the
    report is the same for any number."""
    from .calibrate import load_calibration
    from .report import write_report
    from .suite import read_manifest

    try:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise EvalError(f"--workers {workers!r}: expected a positive integer")
        check_engine(ocr_engine)
        manifest = read_manifest(suite)
        entries = [e for e in manifest["cases"] if cases is None or e["id"] in cases]
        weights = load_weights(weights_path)
        from . import plugins
        for path, what, opt in ((clip_weights, "CLIPSIM", "--clip-weights"), (fvd_weights, "FVD", "--fvd-weights")):
            if path is not None:
                plugins._load(path, what, opt)          # fail before any work when a plugin cannot load
        paths = media.find_predictions(pred, [e["id"] for e in entries])    # every missing file reported at once
        calib = load_calibration(suite, manifest, ocr_engine)
        for e in entries:
            if e["id"] not in calib:
                raise EvalError(f"{suite}: calibration.json has no entry for case {e['id']!r}; rebuild the suite")
        jobs = [(suite, e, paths[e["id"]], calib[e["id"]], weights, clip_weights, ocr_engine) for e in entries]
        done = _run_cases(jobs, workers, progress)
        problems = [r for status, r in done if status != "ok"]
        if problems:                                   # nothing is written: every unreadable file named at once
            raise EvalError(f"{len(problems)} of {len(entries)} predictions cannot be scored:\n  " + "\n  ".join(problems))
        results = [r for _, r in done]
        extra = {}
        if fvd_weights is not None:
            clips = [e for e in entries if e["kind"] == "clip"]
            extra["fvd"] = plugins.fvd([load_case(suite, e).ref for e in clips],
                                       [media.read_frames(paths[e["id"]]) for e in clips], fvd_weights)
        report = {"format": "symbolreel-eval-report/1", "plugins": extra, "ocr": engine_version(ocr_engine),
                  "suite_version": manifest["suite_version"],
                  "preset": manifest["preset"], "weights": weights, "prediction_dir": os.path.basename(os.path.abspath(pred)),
                  "aggregate": aggregate(results), "cases": results}
        write_report(report, out)
        return report
    finally:
        forget_cases()             # the references are decoded once per run, not kept past it


def aggregate(results: list[dict]) -> dict:
    by: dict[str, dict[str, list]] = {}
    for r in results:
        for key in (r["domain"], "all"):
            d = by.setdefault(key, {})
            for name, v in r["scores"].items():
                if v is not None:
                    d.setdefault(name, []).append(v)
    return {dom: {name: float(np.mean(v)) for name, v in d.items()} | {"cases": max(len(v) for v in d.values())}
            for dom, d in by.items()}
