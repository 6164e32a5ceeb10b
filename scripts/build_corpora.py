"""Build the bundled word lists of ``symbolreel.datasets`` (datasets/corpora/) from PyPI packages.

Sources (installed into a throwaway venv, never a dependency of symbolreel):

* English: ``wordfreq`` 3.1.1 (code Apache-2.0, word-frequency data CC BY-SA 4.0): the most frequent
  alphabetic English words with their Zipf frequency.
* Chinese: ``jieba`` 0.42.1 (MIT): its dictionary ``dict.txt`` (word, count, part of speech); kept are
  words of 1-4 characters whose every character is one of the 3,500 level-1 characters of the 2013
  Table of General Standard Chinese Characters (``fonts/charsets.json``). Character frequencies are the
  dictionary counts summed over the words each character occurs in; level-1 characters absent from the
  dictionary get count 1, so every level-1 character is listed.

Usage::

    python3 -m venv /tmp/corpora-venv && /tmp/corpora-venv/bin/pip install wordfreq==3.1.1 jieba==0.42.1
    /tmp/corpora-venv/bin/python scripts/build_corpora.py          # writes datasets/corpora/*.tsv
    /tmp/corpora-venv/bin/python scripts/build_corpora.py --check  # compare with the committed files

Output is sorted (frequency descending, then the entry) so a rebuild is byte-identical.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "datasets", "corpora")
EN_WORDS = 8000
ZH_WORDS = 16000


def _level1() -> str:
    with open(os.path.join(ROOT, "fonts", "charsets.json"), encoding="utf-8") as f:
        return json.load(f)["tgh2013_level1"]


def build_en() -> list:
    import wordfreq

    rows = []
    for w in wordfreq.top_n_list("en", EN_WORDS * 3):
        if w.isascii() and w.isalpha() and (len(w) > 1 or w in ("a", "i")):
            rows.append((w, round(wordfreq.zipf_frequency(w, "en"), 2)))
        if len(rows) == EN_WORDS:
            break
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows


def build_zh(level1: str) -> tuple:
    import jieba

    allowed = set(level1)
    words = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            w, n = parts[0], int(parts[1])
            if 1 <= len(w) <= 4 and all(c in allowed for c in w) and n > 0:
                words[w] = max(words.get(w, 0), n)
    chars = {c: 1 for c in level1}
    for w, n in words.items():
        for c in w:
            chars[c] += n
    top = sorted(words.items(), key=lambda r: (-r[1], r[0]))[:ZH_WORDS]
    return top, sorted(chars.items(), key=lambda r: (-r[1], r[0]))


def _write(folder: str, name: str, header: str, rows) -> None:
    with open(os.path.join(folder, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for entry, freq in rows:
            f.write(f"{entry}\t{freq}\n")


def build(folder: str) -> None:
    level1 = _level1()
    assert len(level1) == 3500, len(level1)
    _write(folder, "en_words.tsv", "# word\tzipf (wordfreq 3.1.1, CC BY-SA 4.0)", build_en())
    words, chars = build_zh(level1)
    _write(folder, "zh_words.tsv", "# word\tcount (jieba 0.42.1 dict.txt, MIT)", words)
    _write(folder, "zh_chars.tsv", "# level-1 character\tcount summed over jieba words (MIT)", chars)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="rebuild into a temp folder and compare")
    args = ap.parse_args(argv)
    if not args.check:
        build(OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(tmp)
        bad = [n for n in sorted(os.listdir(tmp))
               if open(os.path.join(tmp, n), "rb").read() != open(os.path.join(OUT, n), "rb").read()]
    if bad:
        print("differs:", ", ".join(bad), file=sys.stderr)
        return 1
    print("corpora are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
