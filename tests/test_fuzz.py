"""The mutation fuzzer, bounded for the test suite (scripts/fuzz.py runs it for as long as asked), and
the agreement of the JSON Schema with the loader on generated inputs."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

import symbolreel as sr

ROOT = Path(__file__).parent.parent
CASES = 80


def test_fuzzer_cases_end_in_success_or_a_clean_error(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "fuzz.py"), "--cases", str(CASES), "--seed", "7",
                           "--render-every", "5", "--timeout", "60", "--no-warm", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    summary = json.loads(proc.stdout)
    assert summary["findings"] == [], summary["findings"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert summary["cases"] == CASES
    counts = summary["outcomes"]
    assert counts["ok"] > 0 and counts["clean"] > 0  # both kinds of scene were generated
    assert summary["peak_rss_mb"] < 1024


def test_fuzz_cases_are_deterministic():
    import fuzzer

    assert fuzzer.make_case(3, 41) == fuzzer.make_case(3, 41)
    assert fuzzer.make_case(3, 41) != fuzzer.make_case(3, 42)


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(sr.json_schema())


def _loader_accepts(data) -> bool:
    try:
        sr.from_dict(data)
        return True
    except sr.SceneError:
        return False


def test_schema_accepts_whatever_the_loader_accepts(validator):
    """On mutated examples: a scene the loader builds is valid against the schema."""
    import fuzzer
    from symbolreel.yamlio import load_yaml

    accepted = 0
    for i in range(300):
        try:
            data, _ = load_yaml(fuzzer.make_case(11, i))
        except sr.SceneError:
            continue
        if _loader_accepts(data):
            accepted += 1
            errors = [e.message for e in validator.iter_errors(data)]
            assert not errors, (i, errors[:3])
    assert accepted > 10


def test_schema_and_loader_agree_on_figure_items(validator):
    """Generated figure items with zero, one or several kind keys (string or null): the schema's tagged
    union accepts exactly the items the loader accepts."""
    from symbolreel.primitives.geometry import construction as C

    rng = random.Random(5)
    kinds = list(C.KINDS)
    seen = {True: 0, False: 0}
    for _ in range(300):
        item = {}
        for k in rng.sample(kinds, rng.choice([0, 1, 1, 2, 3])):
            item[k] = rng.choice(["A", "AB", None])
        if rng.random() < 0.3:
            item["label"] = "x"
        scene = {"canvas": {"width": 32, "height": 32},
                 "nodes": [{"type": "figure", "points": {"A": [0, 0], "B": [1, 0]}, "items": [item]}]}
        schema_ok = validator.is_valid(scene)
        try:
            sr.FigureItem(**item)
            loader_ok = True
        except sr.SceneError:
            loader_ok = False
        assert schema_ok == loader_ok, item
        seen[loader_ok] += 1
    assert seen[True] > 20 and seen[False] > 20
    bad = {"canvas": {"width": 32, "height": 32},
           "nodes": [{"type": "figure", "points": {"A": [0, 0]}, "items": [{"segment": "AB", "circle": "A",
                                                                            "sides": 4}]}]}
    assert not validator.is_valid(bad)
