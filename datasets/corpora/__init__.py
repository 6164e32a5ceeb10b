"""Bundled word lists (EN, ZH) with frequencies, and user corpora (one entry per line).

Files (built by ``scripts/build_corpora.py``; provenance and licences in README.md beside them):

* ``en_words.tsv``: 8,000 frequent English words with their Zipf frequency (wordfreq, CC BY-SA 4.0);
* ``zh_words.tsv``: 16,000 frequent Chinese words of 1-4 characters, every character a level-1
  character of the 2013 Table of General Standard Chinese Characters (jieba's dictionary, MIT);
* ``zh_chars.tsv``: all 3,500 level-1 characters with a frequency (dictionary counts summed).

Sampling is frequency-aware with a temperature (weight = frequency ** temperature, so 1 follows the
corpus and 0 is uniform); :class:`ZhSampler` also mixes in a share of rare characters.
"""
from __future__ import annotations

import functools
import os

import numpy as np

from symbolreel.errors import SceneError

HERE = os.path.dirname(os.path.abspath(__file__))


@functools.lru_cache(maxsize=None)
def _tsv(name: str) -> tuple:
    entries, freqs = [], []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            entry, freq = line.rstrip("\n").split("\t")
            entries.append(entry)
            freqs.append(float(freq))
    return tuple(entries), np.array(freqs, dtype=float)


def en_words() -> tuple:
    """``(words, frequencies per billion)``, most frequent first."""
    words, zipf = _tsv("en_words.tsv")
    return words, 10.0 ** zipf


def zh_words() -> tuple:
    """``(words, counts)``, most frequent first."""
    return _tsv("zh_words.tsv")


def zh_chars() -> tuple:
    """``(the 3,500 level-1 characters, counts)``, most frequent first."""
    return _tsv("zh_chars.tsv")


@functools.lru_cache(maxsize=64)
def load_user(path: str) -> tuple:
    """A user corpus: one entry per line (UTF-8; blank lines skipped). Errors name the file and line."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        raise SceneError(f"corpus file {path!r} not found") from None
    except UnicodeDecodeError as exc:
        raise SceneError(f"corpus file {path!r} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    out = []
    for i, line in enumerate(lines):
        entry = line.rstrip("\r").strip()
        if entry:
            if "\t" in entry:
                entry = entry.split("\t")[0].strip()
            out.append(entry)
    if not out:
        raise SceneError(f"corpus file {path!r} has no entries (expected one entry per line)")
    return tuple(out)


def _cdf(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights)
    return c / c[-1]


@functools.lru_cache(maxsize=32)
def _cdf_of(kind: str, temperature: float) -> np.ndarray:
    freqs = {"en": en_words, "zh": zh_words, "zhc": zh_chars}[kind]()[1]
    return _cdf(freqs ** float(temperature))


def _draw(rng: np.random.Generator, cdf: np.ndarray) -> int:
    return int(min(np.searchsorted(cdf, rng.random(), side="right"), len(cdf) - 1))


class EnSampler:
    """English words by frequency (or a user corpus, uniformly)."""

    def __init__(self, temperature: float = 0.5, user: str | None = None):
        self.user = load_user(user) if user else None
        self.temperature = temperature

    def word(self, rng: np.random.Generator) -> str:
        if self.user:
            return self.user[int(rng.integers(len(self.user)))]
        return en_words()[0][_draw(rng, _cdf_of("en", self.temperature))]


class ZhSampler:
    """Chinese words from the level-1 vocabulary by frequency, plus ``rare_share`` rare characters.

    With probability ``rare_share`` a token is one character drawn uniformly from the level-1
    characters outside the ``common`` most frequent ones, so the long tail of the table appears at a
    rate the recipe sets instead of almost never. A user corpus replaces the word list.
    """

    def __init__(self, temperature: float = 0.5, rare_share: float = 0.1, common: int = 1500,
                 user: str | None = None):
        self.user = load_user(user) if user else None
        self.temperature = temperature
        self.rare_share = rare_share
        self.common = common

    def char(self, rng: np.random.Generator) -> str:
        chars = zh_chars()[0]
        return chars[self.common + int(rng.integers(len(chars) - self.common))]

    def word(self, rng: np.random.Generator) -> str:
        if rng.random() < self.rare_share:
            return self.char(rng)
        if self.user:
            return self.user[int(rng.integers(len(self.user)))]
        return zh_words()[0][_draw(rng, _cdf_of("zh", self.temperature))]
