"""Write lane labels of road nodes in the formats lane-detection code reads: TuSimple and CULane.

Labels come from the per-frame annotations (the same projection that drew the paint).
"""
from __future__ import annotations

import json
import os

import numpy as np

from .lane_formats import culane_lines, culane_points, tusimple_record
from .records import RoadRecord
from .sinks import atomic_output


class LaneLabelWriter:
    """Collects road annotations frame by frame (``add(index, records)``: the frame's annotation
    records, of which the :class:`~symbolreel.records.RoadRecord` are used); ``close()`` writes the
    files atomically.

    ``tusimple``: path of a JSON-lines file, one record per frame and road node
    (``{"lanes", "h_samples", "raw_file"}``, lanes left to right, -2 where absent).
    ``culane_dir``: folder receiving ``<frame>.lines.txt`` per frame (one lane per line,
    ``x y`` pairs from the bottom of the image up). ``raw_file(i)`` names frame i's image.
    """

    def __init__(self, tusimple=None, culane_dir=None, raw_file=lambda i: f"{i:05d}.png", height=None):
        self.tusimple, self.culane_dir, self.raw_file, self.height = tusimple, culane_dir, raw_file, height
        self.records: list = []
        self.culane: dict = {}

    @property
    def wants(self) -> tuple:
        """What :func:`frame_lane_rows` must compute for this writer: (tusimple, culane, height)."""
        return self.tusimple is not None, self.culane_dir is not None, self.height

    def add(self, index: int, objects: list) -> None:
        self.add_rows(index, frame_lane_rows(objects, *self.wants))

    def add_rows(self, index: int, rows: tuple) -> None:
        """Add what :func:`frame_lane_rows` computed for frame ``index`` (possibly in a worker process)."""
        tusimple, culane = rows
        for rec in tusimple:
            self.records.append({**rec, "raw_file": str(self.raw_file(index))})
        if culane:
            self.culane.setdefault(index, []).extend(culane)

    def close(self) -> None:
        if self.tusimple is not None:
            with atomic_output(os.fspath(self.tusimple)) as tmp:
                with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                    for rec in self.records:
                        fh.write(json.dumps(rec) + "\n")
        if self.culane_dir is not None:
            os.makedirs(self.culane_dir, exist_ok=True)
            for index, lanes in sorted(self.culane.items()):
                name = os.path.splitext(os.path.basename(self.raw_file(index)))[0] + ".lines.txt"
                with atomic_output(os.path.join(self.culane_dir, name)) as tmp:
                    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                        fh.write(culane_lines(lanes))


def frame_lane_rows(objects: list, tusimple: bool, culane: bool, height=None) -> tuple:
    """Lane labels of one frame's road records: ``(tusimple records without raw_file, culane points)``.

    A pure function of the annotations, so the worker process that drew the frame computes it and
    only these rows travel back.
    """
    records, points = [], []
    for obj in objects:
        if not isinstance(obj, RoadRecord):
            continue
        lanes = [[np.asarray(p, dtype=np.float64) for p in ln.pieces] for ln in obj.lanes]
        h_samples = obj.tusimple.h_samples
        if tusimple:
            rec = tusimple_record(lanes, h_samples, "")
            del rec["raw_file"]
            records.append(rec)
        if culane:
            h = height or (max(h_samples) + 10 if h_samples else 0)
            points.extend(culane_points(ln, h) for ln in lanes)
    return records, points
