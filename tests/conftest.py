"""Shared test helpers: golden-image comparison with a tolerance and readable failure artefacts."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"
FAILURE_DIR = Path(__file__).parent / "_failures"
EXAMPLES = Path(__file__).parent.parent / "examples"


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite golden images from the current renderer instead of comparing")


def _png(path: Path, rgba: np.ndarray) -> None:
    from symbolreel.sinks import write_png

    write_png(str(path), rgba, premultiplied=False)


def _read_png(path: Path) -> np.ndarray:
    import skia

    img = skia.Image.open(str(path))
    return np.array(img.convert(colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kUnpremul_AlphaType))


@pytest.fixture
def golden(request):
    """``golden(name, rgba)``: compare an unpremultiplied RGBA frame with tests/golden/<name>.png.

    Passes when the largest channel difference is <= max_diff, or when at most ``max_share`` of
    pixels differ by more than ``pixel_tol``. On failure writes expected/actual/diff PNGs to
    tests/_failures/. Regenerate with ``pytest --regen-golden`` (or SYMBOLREEL_REGEN_GOLDEN=1).
    """
    regen = request.config.getoption("--regen-golden") or os.environ.get("SYMBOLREEL_REGEN_GOLDEN") == "1"

    def check(name: str, rgba: np.ndarray, max_diff: int = 8, pixel_tol: int = 24, max_share: float = 0.002):
        from symbolreel.sinks import unpremultiply

        actual = unpremultiply(rgba)
        path = GOLDEN_DIR / f"{name}.png"
        if regen or not path.exists():
            if not regen:
                pytest.fail(f"golden image {path} missing; run pytest --regen-golden to create it")
            GOLDEN_DIR.mkdir(exist_ok=True)
            _png(path, actual)
            return
        expected = _read_png(path)
        assert expected.shape == actual.shape, f"{name}: size {actual.shape} != golden {expected.shape}"
        diff = np.abs(expected.astype(np.int16) - actual.astype(np.int16)).max(axis=2)
        share = float((diff > pixel_tol).mean())
        if diff.max() > max_diff and share > max_share:
            FAILURE_DIR.mkdir(exist_ok=True)
            _png(FAILURE_DIR / f"{name}.expected.png", expected)
            _png(FAILURE_DIR / f"{name}.actual.png", actual)
            vis = np.zeros_like(actual)
            vis[..., 0] = np.clip(diff * 4, 0, 255)
            vis[..., 3] = 255
            _png(FAILURE_DIR / f"{name}.diff.png", vis)
            pytest.fail(f"{name}: {share:.3%} of pixels differ by more than {pixel_tol} (max {diff.max()}); "
                        f"see {FAILURE_DIR}")

    return check
