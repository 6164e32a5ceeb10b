"""Font coverage queries: "which bundled fonts cover this string" (used per sample by generators).

    .venv/bin/python bench/bench_fonts.py

Baseline in the same run: the same question answered naively, by asking each font's cmap (parsed
once with fontTools) character by character. Target: < 50 us per 20-character query.
"""
from __future__ import annotations

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fontTools.ttLib import TTFont  # noqa: E402

from symbolreel import fonts  # noqa: E402


def main():
    reg = fonts.default_registry()
    rng = random.Random(0)
    pool = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:!?") + \
        list("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可") + \
        list("αβγδπΣ∫√") + list("مرحبا") + list("नमस्ते")
    queries = ["".join(rng.choice(pool) for _ in range(20)) for _ in range(2000)]
    for q in queries[:50]:
        reg.fonts_covering(q)
    t0 = time.perf_counter()
    for q in queries:
        reg.fonts_covering(q)
    fast = (time.perf_counter() - t0) / len(queries)

    cmaps = {n: TTFont(str(fonts.font_path(n)), fontNumber=0, lazy=True).getBestCmap() for n in fonts.names()}
    t0 = time.perf_counter()
    for q in queries[:200]:
        [n for n, cmap in cmaps.items() if all(ch.isspace() or ord(ch) in cmap for ch in q)]
    naive = (time.perf_counter() - t0) / 200
    print(f"{len(fonts.names())} bundled fonts, 20-character queries")
    print(f"registry.fonts_covering: {fast * 1e6:8.1f} us/query")
    print(f"naive per-font cmap scan: {naive * 1e6:8.1f} us/query  (ratio {naive / fast:.1f}x)")


if __name__ == "__main__":
    main()
