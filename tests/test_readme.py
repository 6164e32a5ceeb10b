"""The README's examples run as written (docs that match the code)."""
from __future__ import annotations

import re
from pathlib import Path

import symbolreel as sr

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)


def test_readme_starts_with_the_two_commands():
    first = BLOCKS[0]
    assert first[0] == "sh"
    commands = [ln.split("#")[0].strip() for ln in first[1].splitlines() if ln.strip()]
    assert commands == ["make demo", "make test"]


def test_readme_yaml_quickstart_renders(tmp_path):
    (yaml_text,) = [code for lang, code in BLOCKS if lang == "yaml"]
    scene = sr.loads(yaml_text, "hello.yaml")
    frame, objects = sr.render_frame(scene, 30, annotations=True)
    assert objects[0]["text"] == "Hello 你好"


def test_readme_python_quickstart_runs(tmp_path, monkeypatch):
    (code,) = [code for lang, code in BLOCKS if lang == "python"]
    monkeypatch.chdir(tmp_path)
    exec(compile(code.replace("    ...\n", "    pass\n"), "README.md", "exec"), {})
    assert (tmp_path / "clip.mp4").exists() and (tmp_path / "clip.json").exists()
