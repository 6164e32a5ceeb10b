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
    assert _modules_after(code) == {"skia": False, "numba": False}


def test_every_example_loads_without_skia_or_numba():
    # roads (camera kernels), figures (label kernels), formulas and plots (SymPy) included
    code = ("import glob, symbolreel as sr\n"
            "paths = sorted(glob.glob('examples/*.yaml'))\n"
            "assert len(paths) > 5, paths\n"
            "for p in paths:\n"
            "    sr.loads(sr.load(p).dumps())\n")
    assert _modules_after(code) == {"skia": False, "numba": False}


def test_reading_annotations_imports_neither_skia_nor_numba(tmp_path):
    # a real annotation file of a rendered road and text scene, read back in a fresh process
    import symbolreel as sr

    ann = tmp_path / "road.json"
    sr.render(ROOT / "examples/road_signs.yaml", tmp_path / "f.png", frames=[0], annotations=ann)
    code = ("from symbolreel.records import read_annotations, RoadRecord\n"
            f"doc = read_annotations({str(ann)!r})\n"
            "assert any(isinstance(o, RoadRecord) and o.lanes for f in doc.frames for o in f.objects)\n")
    assert _modules_after(code) == {"skia": False, "numba": False}


def test_a_render_after_a_light_load_still_works():
    # the deferred imports happen at first render: Skia draws, the road kernels compile or load from cache
    code = ("import symbolreel as sr, sys\n"
            "scene = sr.load('examples/lanes_perspective.yaml')\n"
            "assert 'numba' not in sys.modules\n"
            "arr = sr.render_frame(scene, 0, base_dir='examples')\n"
            "assert arr.shape[2] == 4 and arr[..., :3].std() > 0\n")
    assert _modules_after(code) == {"skia": True, "numba": True}


def test_lazy_kernels_compile_on_first_call_and_use_the_disk_cache(tmp_path):
    # what `make` runs at install: the road kernels compile on warm_up and land in Numba's disk cache
    import os

    code = ("import sys, symbolreel.primitives.road.camera as r\n"
            "assert 'numba' not in sys.modules and 'not compiled' in repr(r._project_clip_all)\n"
            "r.warm_up()\n"
            "assert type(r._project_clip_all).__name__ == 'CPUDispatcher'\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, capture_output=True, text=True)
    cached = {p.name.split("-")[0] for p in tmp_path.rglob("*.nbi")}
    assert {"camera._project_clip_all", "camera._clip_planes"} <= cached


def test_a_static_still_renders_without_numba():
    # a still's matrices are composed in plain Python: the first render of a warm start skips
    # Numba's import (about 0.2 s); an animated frame loads the kernels
    code = ("import symbolreel as sr\n"
            "sr.render_frame(sr.Scene(canvas=sr.Canvas(width=64, height=64), nodes=[sr.Text(text='hi', size=20)]))\n")
    assert _modules_after(code) == {"skia": True, "numba": False}
    code += ("sr.render_frame(sr.Scene(canvas=sr.Canvas(width=64, height=64, frames=4), nodes=[sr.Text(text='hi', "
             "size=20, transform=sr.Transform(position=sr.keys((0, (10, 10)), (1, (50, 50)))))]), 2)\n")
    assert _modules_after(code) == {"skia": True, "numba": True}
