"""The wheel ships every package folder and the bundled fonts (package-dir mappings do not auto-discover)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MAPPING = {"engine": "symbolreel", "primitives": "symbolreel/primitives", "animators": "symbolreel/animators",
           "fonts": "symbolreel/fonts", "evaluate": "symbolreel/evaluate"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(out), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = out.glob("symbolreel-*.whl")
    return zipfile.ZipFile(whl)


def test_every_package_folder_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    missing = []
    for folder, target in MAPPING.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.relative_to(ROOT / folder).as_posix()
            if "__pycache__" in rel:
                continue
            if f"{target}/{rel}" not in names:
                missing.append(f"{folder}/{rel}")
        for mod in (ROOT / folder).rglob("*.py"):
            rel = mod.relative_to(ROOT / folder).as_posix()
            if f"{target}/{rel}" not in names:
                missing.append(f"{folder}/{rel}")
    assert not missing, f"not shipped in the wheel (add to [tool.setuptools] packages): {missing}"


def test_fonts_and_licences_are_in_the_wheel(wheel):
    names = wheel.namelist()
    font_files = [p for p in (ROOT / "fonts").iterdir() if p.suffix in (".ttf", ".otf")]
    assert font_files, "no bundled fonts"
    for p in font_files:
        assert f"symbolreel/fonts/{p.name}" in names
    assert "symbolreel/fonts/manifest.json" in names
    assert any(n.startswith("symbolreel/fonts/licenses/") for n in names)


def test_console_scripts_declared(wheel):
    (ep,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    text = wheel.read(ep).decode()
    assert "render = symbolreel.cli:render_main" in text
    assert "symbolreel = symbolreel.cli:main" in text
