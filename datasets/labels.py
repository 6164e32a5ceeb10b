"""What an item stores as labels: the engine's per-frame annotations, lane rows and label masks.

Everything here goes through :func:`annotation_document`, the one place that turns the engine's
per-frame annotations into the stored document, so the switch to typed annotation records
(``symbolreel-annotations/2``) is a change in one function.
"""
from __future__ import annotations

from symbolreel.records import FORMAT as ANNOTATION_FORMAT  # symbolreel-annotations/2
from symbolreel.sinks import encode_label_png  # noqa: F401  (items store masks with it)

__all__ = ["ANNOTATION_FORMAT", "annotation_document", "lane_rows", "encode_label_png", "rendered_text",
           "languages_of", "scene_yaml"]


def annotation_document(scene, frames: list) -> dict:
    """The stored labels of one item: ``frames`` is ``[(index, records)]`` from the engine (typed
    annotation records, :mod:`symbolreel.records`); the document reads back with
    ``symbolreel.records.read_annotations``."""
    c = scene.canvas
    return {"format": ANNOTATION_FORMAT, "width": c.width, "height": c.height, "fps": c.fps, "seed": scene.seed,
            "frames": [{"frame": i, "t": c.time(i), "objects": [o.to_json() for o in objects]}
                       for i, objects in frames]}


def lane_rows(scene, frames: list, raw_file, formats) -> dict:
    """TuSimple records and CULane text per frame of the road nodes in ``frames`` (``[(i, objects)]``).

    ``raw_file(i)`` names frame i inside the dataset (``KEY.png`` or ``KEY.mp4#i``). Returns
    ``{"tusimple": [record, ...], "culane": [{"frame": i, "lines": text}, ...]}`` for the formats asked.
    """
    from symbolreel.lane_export import LaneLabelWriter
    from symbolreel.primitives.road.labels import culane_lines

    # the writer collects rows in memory on add(); its files are never written here (no close())
    writer = LaneLabelWriter("tusimple" if "tusimple" in formats else None,
                             "culane" if "culane" in formats else None, raw_file, scene.canvas.height)
    for i, objects in frames:
        writer.add(i, objects)
    out = {}
    if "tusimple" in formats:
        out["tusimple"] = writer.records
    if "culane" in formats:
        out["culane"] = [{"frame": i, "lines": culane_lines(lanes)} for i, lanes in sorted(writer.culane.items())]
    return out


def rendered_text(scene) -> list:
    """The strings of the scene's text nodes, in drawing order."""
    out = []
    for node, _, _ in scene.walk():
        text = getattr(node, "text", None)
        if isinstance(text, str) and text.strip():
            out.append(text)
    return out


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF or 0xF900 <= o <= 0xFAFF


def languages_of(texts) -> list:
    """``["en"]``, ``["zh"]``, ``["en", "zh"]`` or ``[]``: scripts present in the rendered text
    (Han characters count as zh, Latin letters as en)."""
    han = latin = False
    for t in texts:
        for ch in t:
            if _is_han(ch):
                han = True
            elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
                latin = True
    return [lang for lang, present in (("en", latin), ("zh", han)) if present]


def _c_dumper():
    """libyaml's emitter with the engine's representers, or None without libyaml."""
    import yaml

    from symbolreel import yamlio

    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class _CDumper(yaml.CSafeDumper):
        pass

    for kind in (list, tuple, float):
        _CDumper.add_representer(kind, yamlio._Dumper.yaml_representers[kind])
    return _CDumper


_C_DUMPER = _c_dumper()


def scene_yaml(scene) -> str:
    """The text of ``scene.dumps()``, emitted by libyaml when present (the same text, about twice
    as fast as the pure-Python emitter: tests compare the two on generated items)."""
    if _C_DUMPER is None:
        return scene.dumps()
    import yaml

    return yaml.dump(scene.to_data(), Dumper=_C_DUMPER, sort_keys=False, allow_unicode=True, width=100)
