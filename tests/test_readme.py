"""The README's examples run as written (docs that match the code)."""
from __future__ import annotations

import re
import sys

import pytest
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
    (tmp_path / "examples").symlink_to(Path(__file__).parent.parent / "examples")  # as from a checkout
    monkeypatch.chdir(tmp_path)
    exec(compile(code.replace("    ...\n", "    pass\n"), "README.md", "exec"), {})
    assert (tmp_path / "clip.mp4").exists() and (tmp_path / "clip.json").exists()
    assert (tmp_path / "card.mp4").stat().st_size > 1000


def test_roads_doc_examples_run():
    """docs/roads.md: the node's YAML and its Python twin build the same road and render."""
    doc = (Path(__file__).parent.parent / "docs" / "roads.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", doc, re.S)
    yaml_node = blocks[0][1]
    python = next(code for lang, code in blocks if lang == "python" and "sr.Road(" in code)
    env = {}
    exec(compile(python, "roads.md", "exec"), env)
    objects = env["objects"]
    assert objects[0]["type"] == "road" and len(objects[0]["tusimple"]["lanes"]) == 4
    assert {"arrow_straight_left", "sign_speed_limit"} <= {o["class"] for o in objects[0]["objects"]}
    indented = "\n".join("  " + ln for ln in yaml_node.splitlines())
    scene = sr.loads("canvas: {width: 320, height: 180, fps: 30, frames: 1}\nnodes:\n" + indented + "\n")
    road = env["road"]
    assert scene.nodes[0].segments == road.segments and scene.nodes[0].boundaries == road.boundaries
    sr.render_frame(scene, 0)


DOCS = sorted((Path(__file__).parent.parent / "docs").glob("*.md"))


def _doc_blocks(lang: str):
    for doc in DOCS:
        for k, (fence, code) in enumerate(re.findall(r"```(\w+)[^\n]*\n(.*?)```", doc.read_text("utf-8"), re.S)):
            if fence == lang:
                yield pytest.param(doc, code, id=f"{doc.name}#{k}")


@pytest.mark.parametrize("doc,code", list(_doc_blocks("python")))
def test_every_python_example_in_docs_runs(doc, code, tmp_path, monkeypatch):
    """Each ```python block of docs/*.md runs as written (listings that are not code use ```text), in a
    scratch folder where ``examples/`` is the repository's."""
    import types

    from symbolreel.node import NODE_TYPES

    (tmp_path / "examples").symlink_to(Path(__file__).parent.parent / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    module = types.ModuleType("__doc_example__")  # dataclasses defined in an example look up their module
    monkeypatch.setitem(sys.modules, module.__name__, module)
    registered = dict(NODE_TYPES)
    try:
        exec(compile(code, str(doc.name), "exec"), module.__dict__)
    finally:  # node types an example registers do not leak into other tests
        NODE_TYPES.clear()
        NODE_TYPES.update(registered)


@pytest.mark.parametrize("doc,code", list(_doc_blocks("yaml")))
def test_every_yaml_example_in_docs_loads(doc, code):
    """Each ```yaml block parses; a whole scene loads and renders its first frame, a node (list item)
    loads inside a minimal scene."""
    import yaml

    data = yaml.safe_load(code)
    if isinstance(data, dict) and "nodes" in data:
        sr.render_frame(sr.loads(code, doc.name), 0)
    elif isinstance(data, list) and data and isinstance(data[0], dict) and "type" in data[0]:
        indented = "\n".join("  " + ln for ln in code.splitlines())
        sr.loads("canvas: {width: 160, height: 120}\nnodes:\n" + indented + "\n", doc.name)
