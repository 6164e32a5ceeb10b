"""Legibility: clean renders are read back by an offline OCR engine that ships its own weights.

Uses RapidOCR (PP-OCRv6-small models bundled in the ``rapidocr`` 3.x wheel, run by onnxruntime on the CPU;
nothing is downloaded at run time). Skipped with a reason when the package is not installed.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pytest

import symbolreel as sr

rapidocr = pytest.importorskip("rapidocr", reason="OCR legibility test needs rapidocr "
                                                  "(pip install 'symbolreel[eval]')")


@functools.lru_cache(maxsize=1)
def engine():
    return rapidocr.RapidOCR(params={"Global.log_level": "error"})


def read(rgba: np.ndarray) -> str:
    rgb = np.ascontiguousarray(rgba[..., :3])
    out = engine()(rgb[..., ::-1])  # BGR, as OpenCV reads images
    found = list(zip(out.boxes, out.txts)) if out.txts else []
    boxes = sorted(found, key=lambda r: (r[0][0][1] // 20, r[0][0][0]))  # rows, then left to right
    return " ".join(r[1] for r in boxes)


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def card(text, size=48, font="sans", width=640, height=120, **kw):
    scene = sr.Scene(canvas=sr.Canvas(width=width, height=height), nodes=[
        sr.Text(text=text, size=size, font=font, fill="#111111",
                transform=sr.Transform(position=(width / 2, height / 2)), **kw)])
    return sr.render_frame(scene, 0)


@pytest.mark.parametrize("text,font", [
    ("The quick brown fox", "sans"),
    ("Serif fonts matter", "serif"),
    ("Bold words", "sans-bold"),
    ("中文识别测试", "sans"),
    ("符号数据集", "serif-sc"),
    ("Hello 你好 世界", "sans"),
])
def test_clean_renders_read_back(text, font):
    assert norm(read(card(text, font=font))) == norm(text)


def test_wrapped_paragraph_reads_back_line_by_line():
    text = "Training data for symbols"
    scene = sr.Scene(canvas=sr.Canvas(width=420, height=200), nodes=[
        sr.Text(text=text, size=40, width=300, align="left", valign="top", fill="#111111",
                transform=sr.Transform(position=(40, 30)))])
    frame = sr.render_frame(scene, 0)
    assert norm(read(frame)) == norm(text)
