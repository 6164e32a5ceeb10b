"""Typed annotation records: every example's files validate against the generated JSON Schema, read
back into records equal to the ones the builders made, reject malformed input by path, migrate /1."""
from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import symbolreel as sr
from conftest import EXAMPLES
from symbolreel import records as R

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
SCENES = sorted(EXAMPLES.glob("*.yaml")) + [DATA / "all_records.yaml"]


def _frames(scene) -> list:
    n = scene.n_frames
    return sorted({0, n // 3, n // 2, n - 1})


def _render(scene_path, tmp_path, frames=None) -> tuple:
    """Annotation file of ``frames`` (default: four spread over the clip) through the real writer, and
    the records of the same frames straight from the renderer."""
    scene = sr.load(scene_path)
    frames = _frames(scene) if frames is None else frames
    out = tmp_path / f"{scene_path.stem}.json"
    base = str(scene_path.parent)        # files a scene names (pictures, fonts) start at its folder
    sr.render(scene, tmp_path / "f" / "%05d.png", frames=frames, annotations=out, compress_level=1, base_dir=base)
    direct = [ann for _, _, ann in sr.iter_frames(scene, frames, annotations="records", base_dir=base)]
    return out, direct


@pytest.fixture(scope="module")
def validator():
    schema = R.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SCENES, ids=lambda p: p.stem)
def test_example_annotations_validate_and_round_trip(path, tmp_path, validator):
    out, direct = _render(path, tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == R.FORMAT
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, f"{path.name}: {errors[0].json_path}: {errors[0].message}"
    ann = R.read_annotations(out)
    assert isinstance(ann, R.AnnotationFile) and len(ann.frames) == len(direct) >= 2
    # the file reads back into records equal to the ones the builders made (values, types, order)
    assert [f.objects for f in ann.frames] == [tuple(objs) for objs in direct]
    assert R.AnnotationFile.from_json(ann.to_json()) == ann
    assert json.loads(R.dumps(ann)) == doc          # and writes back to the same JSON
    kinds = {type(o) for f in ann.frames for o in f.objects}
    assert kinds, f"{path.name}: no objects annotated"


def test_mixed_scene_has_every_record_kind(tmp_path):
    out, _ = _render(DATA / "all_records.yaml", tmp_path, frames=[2])
    (frame,) = R.read_annotations(out).frames
    by_kind = {type(o): o for o in frame.objects}
    assert set(by_kind) == {R.ShapeRecord, R.TextRecord, R.FormulaRecord, R.PlotRecord, R.FigureRecord,
                            R.RoadRecord}
    road = by_kind[R.RoadRecord]
    assert {type(o) for o in road.objects} == {R.RoadMarking, R.RoadSign}
    assert {ln.type for ln in road.lanes} == {"edge", "dashed"} and all(ln.color == "white" for ln in road.lanes)
    for o in road.objects:     # the bbox bounds the polygon exactly
        pts = [p for poly in o.polygon for p in poly]
        assert o.bbox == (min(x for x, _ in pts), min(y for _, y in pts), max(x for x, _ in pts),
                          max(y for _, y in pts))
    texts = [o for o in frame.objects if isinstance(o, R.TextRecord)]
    assert {t.orientation for t in texts} == {"horizontal", "curved"}
    assert any(t.fit_scale is not None and t.fit_scale < 1 for t in texts)
    title = next(t for t in texts if t.id == "title")
    assert [c.span for c in title.chars] == [0, 0, 1, 1]
    assert all(c.cluster is not None and c.cluster <= c.index for c in title.chars)
    for w in title.words:
        assert w.bbox == R.bbox_of(w.quad)
    fig = by_kind[R.FigureRecord]
    assert fig.exact is not None and fig.exact.facts and all(f.exact is True for f in fig.exact.facts)
    assert all(f.holds for f in fig.facts) and "c" in fig.measures.radii
    plot = by_kind[R.PlotRecord]
    assert plot.curves[0].expr == "1/x" and 0.0 in plot.curves[0].singular and plot.axes.x_ticks


def test_schema_file_and_cli_match_the_records(tmp_path):
    assert json.loads((ROOT / "docs" / "annotations.schema.json").read_text(encoding="utf-8")) == R.json_schema(), \
        "docs/annotations.schema.json is stale: run symbolreel schema --annotations -o docs/annotations.schema.json"
    out = tmp_path / "s.json"
    r = subprocess.run([sys.executable, "-m", "symbolreel", "schema", "--annotations", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == R.json_schema()
    assert R.FORMAT in json.loads(R.json_schema_text())["title"]


@pytest.fixture(scope="module")
def mixed_doc(tmp_path_factory):
    out, _ = _render(DATA / "all_records.yaml", tmp_path_factory.mktemp("mixed"), frames=[0, 1, 2, 3])
    return json.loads(out.read_text(encoding="utf-8"))


def _obj(doc, frame, kind):
    return next(i for i, o in enumerate(doc["frames"][frame]["objects"]) if o["kind"] == kind)


def _corrupt(doc, where, value):
    """Copy of ``doc`` with ``value`` at the path ``where`` (a tuple of keys/indices; None deletes)."""
    bad = copy.deepcopy(doc)
    node = bad
    for k in where[:-1]:
        node = node[k]
    if value is None:
        del node[where[-1]]
    else:
        node[where[-1]] = value
    return bad


@pytest.mark.parametrize("case", ["quad", "kind", "missing", "extra", "char", "nested", "sign", "type"])
def test_reader_rejects_malformed_files_by_path(case, mixed_doc, tmp_path, validator):
    shape = _obj(mixed_doc, 3, "shape")
    text = _obj(mixed_doc, 3, "text")
    road = _obj(mixed_doc, 3, "road")
    sign = next(i for i, o in enumerate(mixed_doc["frames"][3]["objects"][road]["objects"]) if o["kind"] == "sign")
    where, value, path, what = {
        "quad": (("frames", 3, "objects", shape, "quad"), [[0, 0], [1, 0], [1, 1]],
                 f"frames[3].objects[{shape}].quad", "4 points"),
        "kind": (("frames", 1, "objects", shape, "kind"), "blob", f"frames[1].objects[{shape}]", "kind: expected one of"),
        "missing": (("frames", 2, "objects", text, "bbox"), None, f"frames[2].objects[{text}]", "missing key 'bbox'"),
        "extra": (("frames", 0, "objects", text, "colour"), "red", f"frames[0].objects[{text}]", "unknown key 'colour'"),
        "char": (("frames", 3, "objects", text, "chars", 1, "codepoint"), "72",
                 f"frames[3].objects[{text}].chars[1].codepoint", "expected an integer"),
        "nested": (("frames", 3, "objects", road, "lanes", 0, "pieces", 0, 2), [1.0, float("nan")],
                   f"frames[3].objects[{road}].lanes[0].pieces[0][2][1]", "finite number"),
        "sign": (("frames", 3, "objects", road, "objects", sign, "distance"), None,
                 f"frames[3].objects[{road}].objects[{sign}]", "missing key 'distance'"),
        "type": (("frames", 3, "objects", road, "lanes", 0, "type"), "wavy",
                 f"frames[3].objects[{road}].lanes[0].type", "expected one of solid"),
    }[case]
    bad = _corrupt(mixed_doc, where, value)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(R.AnnotationError) as err:
        R.read_annotations(f)
    msg = str(err.value)
    assert msg.startswith(f"{f}: {path}: "), msg
    assert what in msg, msg
    assert isinstance(err.value, sr.SymbolreelError) and isinstance(err.value, ValueError)
    if case != "nested":        # NaN is not JSON; everything else the schema rejects too
        assert not validator.is_valid(bad)


def test_reader_rejects_non_json_and_other_formats(tmp_path, mixed_doc):
    f = tmp_path / "a.json"
    f.write_text('{"format": "symbolreel-annotations/2", "frames": [', encoding="utf-8")
    with pytest.raises(R.AnnotationError, match=r"a\.json: <root>: not JSON"):
        R.read_annotations(f)
    with pytest.raises(R.AnnotationError, match=r"^format: expected symbolreel-annotations/2"):
        R.read_annotations(dict(mixed_doc, format="symbolreel-annotations/9"))
    with pytest.raises(R.AnnotationError, match=r"^<root>: expected an object"):
        R.read_annotations([1, 2])


def _close(a, b, path="", tol=0.01):
    """Same JSON structure, strings, ints and booleans; floats within ``tol`` (a rounding flip of
    1/1000 px when the drawing code changes is not a format change)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            _close(a[k], b[k], f"{path}.{k}", tol)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]", tol)
    elif isinstance(a, float) or isinstance(b, float):
        assert not isinstance(b, (bool, str)) and abs(a - b) <= tol, f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_migrate_v1_fixture_matches_todays_writer(tmp_path, validator):
    """tests/data/all_records.v1.json was written by the /1 writer (before records existed) for frames
    1-2 of all_records.yaml; migrated, it is what the /2 writer writes today, less the /2-only
    character clusters and visibility flags."""
    v1 = json.loads((DATA / "all_records.v1.json").read_text(encoding="utf-8"))
    assert v1["format"] == R.FORMAT_V1
    before = copy.deepcopy(v1)
    v2 = R.migrate_v1(v1)
    assert v1 == before                                  # the input is left untouched
    assert validator.is_valid(v2)
    out, _ = _render(DATA / "all_records.yaml", tmp_path, frames=[1, 2])
    now = R.read_annotations(out)
    migrated = R.read_annotations(DATA / "all_records.v1.json")     # the reader migrates by itself
    assert migrated == R.read_annotations(v2)

    def no_clusters(f):
        return dataclasses.replace(f, frames=tuple(dataclasses.replace(fr, objects=tuple(
            dataclasses.replace(o, chars=tuple(dataclasses.replace(c, cluster=None) for c in o.chars))
            if isinstance(o, R.TextRecord) else o for o in fr.objects)) for fr in f.frames))

    def no_flags(data):
        # the visibility flags (outside, occluded) are /2-only like the clusters
        if isinstance(data, dict):
            return {k: no_flags(v) for k, v in data.items() if k not in ("outside", "occluded")}
        if isinstance(data, list):
            return [no_flags(v) for v in data]
        return data

    now_json = no_clusters(now).to_json()
    assert any("occluded" in o for fr in now_json["frames"] for o in fr["objects"])
    _close(no_flags(now_json), migrated.to_json())
    chars = [c for fr in migrated.frames for o in fr.objects if isinstance(o, R.TextRecord) for c in o.chars]
    assert chars and all(c.cluster is None for c in chars)
    with pytest.raises(R.AnnotationError, match=r"^format: expected format symbolreel-annotations/1"):
        R.migrate_v1(v2)
    bad = copy.deepcopy(v1)
    road = next(o for o in bad["frames"][1]["objects"] if o["type"] == "road")
    road["objects"][0]["polygon"] = 5
    i = bad["frames"][1]["objects"].index(road)
    with pytest.raises(R.AnnotationError, match=rf"^frames\[1\]\.objects\[{i}\]\.objects\[0\]\.polygon: "):
        R.migrate_v1(bad)


def test_lane_export_from_a_read_file_equals_render(tmp_path):
    """A converter working from a file's records writes the same TuSimple labels as the render path."""
    from symbolreel.lane_export import LaneLabelWriter

    scene = sr.load(EXAMPLES / "lanes_perspective.yaml")
    frames = [0, 5, 10]
    direct, ann = tmp_path / "direct.json", tmp_path / "ann.json"
    sr.render(scene, tmp_path / "f" / "%05d.png", frames=frames, annotations=ann, tusimple=direct,
              compress_level=1)
    again = tmp_path / "again.json"
    w = LaneLabelWriter(again, raw_file=lambda i: str(tmp_path / "f" / f"{i:05d}.png"), height=scene.canvas.height)
    for fr in R.read_annotations(ann).frames:
        w.add(fr.frame, fr.objects)
    w.close()
    assert again.read_text() == direct.read_text() and direct.read_text().count("\n") == len(frames)


def test_records_are_frozen_tuples_and_omit_absent_fields():
    q = [[0, 0], [2, 0], [2, 1], [0, 1]]
    c = R.TextChar(char="a", codepoint=97, index=0, line=0, word=0, quad=q, bbox=R.bbox_of(q))
    assert c.quad == ((0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 1.0)) and c.bbox == (0, 0, 2, 1)
    assert hash(c) == hash(R.TextChar.from_json(c.to_json()))
    assert "span" not in c.to_json() and "cluster" not in c.to_json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.char = "b"
    with pytest.raises(TypeError, match="expected TextChar"):
        R.TextRecord(id="t", type="text", text="a", orientation="horizontal", quad=q, bbox=(0, 0, 2, 1),
                     chars=[{"char": "a"}], words=[], lines=[])
    s = R.ShapeRecord(id="r", type="rect", quad=q, bbox=(0, 0, 2, 1))
    assert list(s.to_json()) == ["id", "type", "kind", "quad", "bbox"] and s.to_json()["kind"] == "shape"
    assert R.bbox_of([(3, 1), (-1, 4), (2, -2)]) == (-1, -2, 3, 4)
    with pytest.raises(ValueError, match="taken"):
        @R.register_object
        @R._record
        class Other(R.Record):
            KIND = "text"
            id: str = R._field(R.STR, "id")


def test_reading_annotations_imports_neither_skia_nor_numba():
    code = ("import sys, symbolreel.records as R; "
            f"R.read_annotations({str(DATA / 'all_records.v1.json')!r}); "
            "print(sorted(m for m in ('skia', 'numba') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_records_module_needs_neither_skia_nor_numba():
    """records.py itself imports nothing heavy (checked under a bare package, whatever the root imports)."""
    code = ("import sys, types; pkg = types.ModuleType('symbolreel'); "
            f"pkg.__path__ = [{str(ROOT / 'engine')!r}]; sys.modules['symbolreel'] = pkg; "
            "import symbolreel.records as R; "
            f"R.read_annotations({str(DATA / 'all_records.v1.json')!r}); "
            "print(sorted(m for m in ('skia', 'numba', 'numpy') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


DOC = (ROOT / "docs" / "annotations.md").read_text(encoding="utf-8")


def test_annotations_doc_reference_is_current():
    assert DOC.endswith(R.reference_markdown() + "\n"), \
        "docs/annotations.md is stale: regenerate its Record reference (see the command there)"
    for cls in R._records_in_order():
        assert f"### {cls.__name__}" in DOC


def test_annotations_doc_python_example_runs(tmp_path, monkeypatch):
    import re

    (code,) = [c for lang, c in re.findall(r"```(\w+)\n(.*?)```", DOC, re.S) if lang == "python"]
    monkeypatch.chdir(tmp_path)
    exec(compile(code.replace('"examples/', f'"{EXAMPLES}/'), "annotations.md", "exec"), {})
    assert (tmp_path / "card.json").exists()


def test_records_cross_worker_processes_unchanged():
    """Workers send records back pickled: the same records as one process renders."""
    scene = sr.load(DATA / "all_records.yaml")
    one = [ann for _, _, ann in sr.iter_frames(scene, range(4), annotations="records")]
    two = [ann for _, _, ann in sr.iter_frames(scene, range(4), annotations="records", workers=2, chunk=1)]
    assert one == two and all(isinstance(o, R.Record) for objs in two for o in objs)


def test_schema_rejects_v1_files(validator):
    v1 = json.loads((DATA / "all_records.v1.json").read_text(encoding="utf-8"))
    assert not validator.is_valid(v1)           # /1 has no kind tags: migrate first
    assert validator.is_valid(R.migrate_v1(v1))
