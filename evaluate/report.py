"""Writing a score report: report.json (per case and aggregate), report.md, plots/*.png.

Plots are drawn with OpenCV (no plotting dependency): one bar chart per metric group (Mf, Mc, Mt,
Match) with a bar per domain, and one per-frame curve chart per clip (sharpness, text NED or lane
accuracy, flicker). Every file is written to a temporary name and renamed when complete.
"""
from __future__ import annotations

import json
import os

import numpy as np

from .errors import need

COLOURS = [(230, 57, 70), (42, 157, 143), (38, 70, 83), (244, 162, 97), (29, 53, 87), (131, 56, 236)]


def _atomic_write(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(path + ".tmp", path)


def _png(path, img):
    cv2 = need("cv2", "report plots")
    ok, buf = cv2.imencode(".png", img[..., ::-1])
    buf.tofile(path + ".tmp.png")
    os.replace(path + ".tmp.png", path)


def bar_chart(title: str, labels: list[str], values: list[float], w: int = 640, h: int = 360) -> np.ndarray:
    """Bars in [0, 1] with value labels (RGB uint8 image)."""
    cv2 = need("cv2", "report plots")
    img = np.full((h, w, 3), 255, np.uint8)
    x0, y0, x1, y1 = 60, 40, w - 20, h - 60
    cv2.putText(img, title, (x0, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2, cv2.LINE_AA)
    for k in range(6):
        y = int(y1 - (y1 - y0) * k / 5)
        cv2.line(img, (x0, y), (x1, y), (220, 220, 220), 1)
        cv2.putText(img, f"{k / 5:.1f}", (20, y + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (80, 80, 80), 1, cv2.LINE_AA)
    n = max(1, len(values))
    bw = (x1 - x0) / n
    for i, (lab, v) in enumerate(zip(labels, values)):
        v = 0.0 if v is None else float(np.clip(v, 0, 1))
        a, b = int(x0 + i * bw + bw * 0.15), int(x0 + (i + 1) * bw - bw * 0.15)
        cv2.rectangle(img, (a, int(y1 - (y1 - y0) * v)), (b, y1), COLOURS[i % len(COLOURS)], -1)
        cv2.putText(img, f"{v:.2f}", (a, int(y1 - (y1 - y0) * v) - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                    cv2.LINE_AA)
        cv2.putText(img, lab[:12], (a, y1 + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return img


def line_chart(title: str, series: dict[str, list[float]], w: int = 640, h: int = 360,
               x_label: str = "frame") -> np.ndarray:
    """Curves, each scaled to [0, 1] by its own maximum (legend gives the maximum)."""
    cv2 = need("cv2", "report plots")
    img = np.full((h, w, 3), 255, np.uint8)
    x0, y0, x1, y1 = 50, 40, w - 20, h - 70
    cv2.putText(img, title, (x0, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2, cv2.LINE_AA)
    cv2.rectangle(img, (x0, y0), (x1, y1), (200, 200, 200), 1)
    cv2.putText(img, x_label, ((x0 + x1) // 2, y1 + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    for k, (name, vals) in enumerate(series.items()):
        v = np.asarray(vals, np.float64)
        if not len(v):
            continue
        top = max(float(np.abs(v).max()), 1e-9)
        xs = x0 + (x1 - x0) * np.arange(len(v)) / max(1, len(v) - 1)
        ys = y1 - (y1 - y0) * np.clip(v / top, 0, 1)
        pts = np.stack([xs, ys], 1).round().astype(np.int32).reshape(-1, 1, 2)
        col = COLOURS[k % len(COLOURS)]
        cv2.polylines(img, [pts], False, col, 2, cv2.LINE_AA)
        lx = x0 + (k % 3) * 190
        ly = y1 + 36 + (k // 3) * 16
        cv2.line(img, (lx, ly - 4), (lx + 20, ly - 4), col, 2)
        cv2.putText(img, f"{name} (max {top:.3g})", (lx + 24, ly), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return img


def markdown(report: dict) -> str:
    agg = report["aggregate"]
    doms = [d for d in agg if d != "all"] + ["all"]
    lines = ["# symbolreel benchmark report", "",
             f"Suite version {report['suite_version']} (preset `{report['preset']}`), predictions "
             f"`{report['prediction_dir']}`. Weights: b1 = {report['weights']['b1']}, b2 = {report['weights']['b2']}, "
             f"b3 = {report['weights']['b3']}. OCR: {report.get('ocr', 'rapidocr')}. Every score is in [0, 1]: 0 = as bad as a blank or noise input, "
             f"1 = as good as the reference render.", "",
             "| domain | cases | Mf | Mc | Mt | Match |", "|---|---|---|---|---|---|"]
    for d in doms:
        a = agg[d]
        lines.append(f"| {d} | {a['cases']} | " + " | ".join(f"{a[k]:.3f}" if k in a else "–"
                                                             for k in ("Mf", "Mc", "Mt", "Match")) + " |")
    lines += ["", "## Cases", "", "| case | domain | kind | Mf | Mc | Mt | Match | read (first frame) |",
              "|---|---|---|---|---|---|---|---|"]
    for c in report["cases"]:
        s = c["scores"]
        read = (c["readings"][0] if c.get("readings") else "").replace("|", "\\|")
        lines.append(f"| {c['id']} | {c['domain']} | {c['kind']} | " +
                     " | ".join(f"{s[k]:.3f}" if s.get(k) is not None else "–" for k in ("Mf", "Mc", "Mt", "Match"))
                     + f" | {read} |")
    lines += ["", "## Terms (normalised)", ""]
    for c in report["cases"]:
        lines.append(f"- **{c['id']}**: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(c["normalised"].items())))
    lines += ["", "Plots: `plots/bars_<group>.png` (per domain), `plots/frames_<case>.png` (per-frame curves "
              "of clips).", ""]
    return "\n".join(lines)


def write_report(report: dict, out: str) -> None:
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    agg = report["aggregate"]
    doms = [d for d in agg if d != "all"]
    for g in ("Mf", "Mc", "Mt", "Match"):
        _png(os.path.join(out, "plots", f"bars_{g}.png"),
             bar_chart(f"{g} by domain", doms, [agg[d].get(g) for d in doms]))
    for c in report["cases"]:
        if c["kind"] != "clip":
            continue
        keys = [k for k in ("sharpness", "ned", "legibility", "tusimple_acc", "stroke_recall", "flicker",
                            "warp_error") if k in c["series"]]
        _png(os.path.join(out, "plots", f"frames_{c['id']}.png"),
             line_chart(f"{c['id']}: per-frame terms", {k: c["series"][k] for k in keys}))
    _atomic_write(os.path.join(out, "report.md"), markdown(report))
    _atomic_write(os.path.join(out, "report.json"), json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True))
