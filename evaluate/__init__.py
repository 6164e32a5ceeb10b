"""symbolreel.evaluate: a benchmark of how well generated images and videos reproduce symbols.

Two steps, each also a CLI command::

    from symbolreel.evaluate import build_suite, score_predictions
    build_suite("all", "suite/")                       # symbolreel eval suite --preset all --out suite/
    score_predictions("suite/", "pred/", "report/")    # symbolreel eval score --suite suite/ --pred pred/ --out report/

Scoring reads files and annotations only (no rendering backend): OCR (rapidocr, weights in its wheel),
OpenCV for images, flow and Hough transforms, imageio-ffmpeg for MP4. See docs/benchmark.md.
"""
from __future__ import annotations

from .errors import EvalError

__all__ = ["EvalError", "build_suite", "score_predictions"]


def build_suite(preset, out, **kw):
    """Write the benchmark suite for ``preset`` into folder ``out`` (see :mod:`.suite`)."""
    from .suite import build_suite as _build
    return _build(preset, out, **kw)


def score_predictions(suite, pred, out, **kw):
    """Score a folder of generated images/videos against a suite; writes JSON, Markdown and plots."""
    from .score import score_predictions as _score
    return _score(suite, pred, out, **kw)
