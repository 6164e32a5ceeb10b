"""``symbolreel eval suite`` and ``symbolreel eval score``."""
from __future__ import annotations

import argparse
import sys

EVAL_EPILOG = """examples:
  symbolreel eval suite --preset all --out suite/                   prompts, references, labels, specs
  symbolreel eval score --suite suite/ --pred my_model/ --out rep/  my_model/<case id>.png|.mp4 -> rep/report.md
"""


def add_eval_parser(sub) -> None:
    from .suite import PRESETS
    e = sub.add_parser("eval", help="benchmark: build the suite, score generated images/videos",
                       epilog=EVAL_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Score how well generated images and videos reproduce symbols "
                                   "(docs/benchmark.md).")
    es = e.add_subparsers(dest="eval_command", metavar="STEP")
    s = es.add_parser("suite", help="write the benchmark suite (prompts, reference renders, labels, specs)")
    s.add_argument("--preset", default="all", choices=PRESETS + ("all",), help="which domain(s); default all")
    s.add_argument("--out", required=True, metavar="SUITE", help="folder to write the suite into")
    s.add_argument("--no-calibrate", action="store_true",
                   help="skip scoring the references and floors now (done at the first `eval score`)")
    s.add_argument("-q", "--quiet", action="store_true")
    s.set_defaults(func=cmd_suite)
    c = es.add_parser("score", help="score a folder of generated images/videos named by case id")
    c.add_argument("--suite", required=True, metavar="SUITE", help="a folder written by `symbolreel eval suite`")
    c.add_argument("--pred", required=True, metavar="DIR", help="predictions: DIR/<case id>.png|.jpg|.mp4|... "
                                                                "(any resolution, any length)")
    c.add_argument("--out", required=True, metavar="REPORT", help="folder for report.json, report.md, plots/")
    c.add_argument("--weights", metavar="FILE.json", help='Match weights {"b1": .., "b2": .., "b3": ..}')
    c.add_argument("--cases", nargs="+", metavar="ID", help="score only these case ids")
    c.add_argument("--clip-weights", metavar="FILE.pt", help="optional CLIPSIM plugin: TorchScript CLIP (by path; "
                                                          "nothing is downloaded)")
    c.add_argument("--fvd-weights", metavar="FILE.pt", help="optional FVD plugin: TorchScript video feature "
                                                         "extractor (by path)")
    c.add_argument("--ocr", default="rapidocr", choices=("rapidocr", "tesseract"),
                   help="OCR engine: rapidocr (default, weights ship in the wheel) or tesseract (the system binary "
                        "with eng/chi_sim data; calibrated into its own calibration file)")
    c.add_argument("--workers", type=int, default=1, metavar="N",
                   help="score N cases at a time in worker processes (same report for any N; default 1)")
    c.add_argument("-q", "--quiet", action="store_true")
    c.set_defaults(func=cmd_score)
    e.set_defaults(func=lambda args: (e.print_help(sys.stderr), 2)[1])


def _progress(quiet, what):
    """A ``(done, total)`` callback drawing a tqdm bar (rate and ETA), as ``generate`` and ``render`` do."""
    if quiet:
        return None
    from tqdm import tqdm  # deferred: --help stays light

    bar = None

    def update(done, total):
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="case", file=sys.stderr, desc=what, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
    return update


def cmd_suite(args) -> int:
    from .suite import build_suite
    m = build_suite(args.preset, args.out, calibrate=not args.no_calibrate, progress=_progress(args.quiet, "suite"))
    if not args.quiet:
        print(f"{args.out}: suite v{m['suite_version']}, {len(m['cases'])} cases ({args.preset})")
    return 0


def cmd_score(args) -> int:
    from .score import score_predictions
    r = score_predictions(args.suite, args.pred, args.out, weights_path=args.weights, cases=args.cases,
                          progress=_progress(args.quiet, "score"), clip_weights=args.clip_weights,
                          fvd_weights=args.fvd_weights, workers=args.workers, ocr_engine=args.ocr)
    if not args.quiet:
        a = r["aggregate"]["all"]
        print(f"{args.out}/report.md: {len(r['cases'])} cases, Match {a['Match']:.3f} "
              f"(Mf {a['Mf']:.3f}, Mt {a['Mt']:.3f}" + (f", Mc {a['Mc']:.3f})" if "Mc" in a else ")"))
    return 0
