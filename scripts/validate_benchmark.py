"""Validate the benchmark: graded degradations of every suite case must lower the scores monotonically.

    .venv/bin/python scripts/validate_benchmark.py [--suite out/eval-suite] [--preset all] [--write-docs]
    .venv/bin/python scripts/validate_benchmark.py --cases road-000 --kinds jpeg frame_drop   # to iterate

Builds the suite (when the folder has none, or one whose cases or specs differ from this code's), scores
each case's reference, blank and noise floors and five levels of every degradation that applies, prints
the table and, with --write-docs, replaces the validation block of docs/benchmark.md and the plots in docs/benchmark/.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END = "<!-- validation:start -->", "<!-- validation:end -->"


def fmt(x):
    return "–" if x is None or x.get("rho") is None else f"{x['rho']:+.2f}"


def table(rows, ranks, sep, seconds, command) -> str:
    lines = [f"Made by `{command}` ({seconds:.0f} s on 2 shared CPU cores).", "",
             "Spearman's ρ between degradation level (0 = reference, 1..5) and the score, on the mean over the "
             "cases of each domain and kind; **target** is the group the degradation is meant to hit; a row passes "
             "when ρ(target) ≤ −0.9 and ρ(Match) ≤ −0.9. – = the group does not move (or does not apply: stills "
             "have no Mc).", "",
             "| domain | kind | degradation | target | cases | ρ Mf | ρ Mc | ρ Mt | ρ Match | Match at levels 0..5 | pass |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        vals = " ".join(f"{v:.2f}" for v in r["Match"]["values"]) if r["Match"] else ""
        lines.append(f"| {r['domain']} | {r['kind']} | {r['degradation']} | {r['target']} | {r['cases']} | "
                     f"{fmt(r['Mf'])} | {fmt(r['Mc'])} | {fmt(r['Mt'])} | {fmt(r['Match'])} | {vals} | "
                     f"{'yes' if r['pass'] else '**no**'} |")
    n_pass = sum(r["pass"] for r in rows)
    lines += ["", f"{n_pass} of {len(rows)} rows pass.", "",
              "Ranking (Match): reference first and blank/noise last among all variants of the case:", "",
              "| case | reference | worst variant | blank | noise | reference first | floors last |",
              "|---|---|---|---|---|---|---|"]
    for cid, rk in ranks:
        lines.append(f"| {cid} | {rk['reference']:.3f} | {rk['worst_variant']:.3f} | {rk['floors'][0]:.3f} | "
                     f"{rk['floors'][1]:.3f} | {'yes' if rk['reference_first'] else '**no**'} | "
                     f"{'yes' if rk['floors_last'] else '**no**'} |")
    lines += ["", "Right text vs wrong text, both sharp (reference vs glyph swap level 5: every swappable "
              "character replaced by a look-alike). All terms normalised (1 = the reference); the plan's terms "
              "are the Laplacian-variance sharpness and, for clips, flicker, warp error and track jerk:", "",
              "| case | plan terms: reference → wrong text | glyph-aware terms: reference → wrong text | Match |",
              "|---|---|---|---|"]
    for s in sep:
        plan = ", ".join(f"{k} {a:.3g} → {b:.3g}" for k, (a, b) in s["plan"].items())
        glyph = ", ".join(f"{k} {a:.2f} → {b:.2f}" for k, (a, b) in s["glyph"].items())
        lines.append(f"| {s['id']} | {plan} | {glyph} | {s['Match'][0]:.2f} → {s['Match'][1]:.2f} |")
    return "\n".join(lines)


def plots(results, rows, folder):
    from symbolreel.evaluate.report import _png, line_chart
    os.makedirs(folder, exist_ok=True)
    by = {}
    for r in rows:
        by.setdefault(f"{r['domain']}_{r['kind']}", {})[r["degradation"]] = r["Match"]["values"]
    for name, series in by.items():
        _png(os.path.join(folder, f"match_{name}.png"),
             line_chart(f"Match vs degradation level: {name}", series, x_label="level 0..5"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", default=os.path.join(ROOT, "out", "eval-suite"))
    ap.add_argument("--preset", default="all")
    ap.add_argument("--cases", nargs="+", help="only these case ids (to iterate; the docs need a full run)")
    ap.add_argument("--kinds", nargs="+", help="only these degradations, e.g. jpeg frame_drop")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--json", help="also write the raw results here")
    args = ap.parse_args(argv)
    if args.write_docs and (args.cases or args.kinds):
        ap.error("--write-docs needs the full run (no --cases / --kinds)")
    from symbolreel.evaluate import validate as V
    from symbolreel.evaluate.calibrate import load_calibration
    from symbolreel.evaluate.ocr import Ocr
    from symbolreel.evaluate.suite import build_suite, is_current, read_manifest

    t0 = time.time()
    if not is_current(args.suite, args.preset):
        print(f"building the suite in {args.suite} (none there, or one that differs from this code's cases)", file=sys.stderr)
        build_suite(args.preset, args.suite)
    manifest = read_manifest(args.suite)
    calib = load_calibration(args.suite, manifest)
    ocr = Ocr()
    results = []
    for e in manifest["cases"]:
        if args.cases and e["id"] not in args.cases:
            continue
        t = time.time()
        results.append(V.validate_case(args.suite, e, calib[e["id"]], ocr, kinds=args.kinds))
        print(f"{e['id']}: {time.time() - t:.0f} s", file=sys.stderr, flush=True)
    rows = V.summarise(results)
    ranks = [(r["id"], V.rank_check(r)) for r in results]
    sep = V.separation(results)
    cmd = "python scripts/validate_benchmark.py --write-docs" + (f" --preset {args.preset}" if args.preset != "all" else "")
    text = table(rows, ranks, sep, time.time() - t0, cmd)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"rows": rows, "ranks": ranks, "separation": sep}, fh, indent=1, default=float)
    if args.write_docs:
        path = os.path.join(ROOT, "docs", "benchmark.md")
        doc = open(path, encoding="utf-8").read()
        a, b = doc.index(START) + len(START), doc.index(END)
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            fh.write(doc[:a] + "\n" + text + "\n\n![Match vs level](benchmark/match_text-en_still.png)\n" + doc[b:])
        os.replace(path + ".tmp", path)
        plots(results, rows, os.path.join(ROOT, "docs", "benchmark"))
    return 0 if all(r["pass"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
