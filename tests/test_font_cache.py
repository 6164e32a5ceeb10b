"""User font files are parsed once per process and file identity; an edited file is read again."""
from __future__ import annotations

import os
import shutil

import numpy as np

import symbolreel as sr
from symbolreel import fonts
from symbolreel.fonts.registry import FontRegistry


def _scene(font_file: str) -> sr.Scene:
    return sr.Scene(canvas=sr.Canvas(width=160, height=64), fonts={"mine": [font_file]},
                    nodes=[sr.Text(text="Agx", size=40, font="mine", fill="black",
                                   transform=sr.Transform(position=(80, 32)))])


def test_user_font_parsed_once_per_identity(tmp_path, monkeypatch):
    user = tmp_path / "Mine.ttf"
    shutil.copyfile(fonts.font_path("noto-sans"), user)
    reg = fonts.default_registry()
    calls = []
    real = FontRegistry._parse_file

    def counting(self, path):
        calls.append(path)
        return real(self, path)

    monkeypatch.setattr(FontRegistry, "_parse_file", counting)
    first = sr.render_frame(_scene(str(user)))
    for _ in range(5):                                   # new Scene objects, same file
        assert np.array_equal(sr.render_frame(_scene(str(user))), first)
    assert len(calls) == 1

    # replace the file with another font (different size and mtime): read again, drawn with the new font
    shutil.copyfile(fonts.font_path("noto-serif"), user)
    st = os.stat(user)
    os.utime(user, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    changed = sr.render_frame(_scene(str(user)))
    assert len(calls) == 2
    assert not np.array_equal(changed, first)
    serif = sr.Scene(canvas=sr.Canvas(width=160, height=64),
                     nodes=[sr.Text(text="Agx", size=40, font="noto-serif", fill="black",
                                    transform=sr.Transform(position=(80, 32)))])
    assert np.array_equal(changed, sr.render_frame(serif))
    assert reg.file_generation(user) == (st.st_size, st.st_mtime_ns + 10_000_000)


def test_registry_add_path_reads_file_once(tmp_path, monkeypatch):
    user = tmp_path / "Heb.ttf"
    shutil.copyfile(fonts.font_path("noto-sans-hebrew"), user)
    reg = FontRegistry()
    reads = []
    real = FontRegistry._parse_file
    monkeypatch.setattr(FontRegistry, "_parse_file", lambda self, p: reads.append(p) or real(self, p))
    names = {reg.add_path(user) for _ in range(3)}
    assert names == {"Heb"} and len(reads) == 1
