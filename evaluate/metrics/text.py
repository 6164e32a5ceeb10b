"""Text-recognition scores: line accuracy, NED, word precision/recall/F1, Hungarian-matched edit distance.

Strings are compared after ``normalize`` (Unicode NFKC, whitespace removed for NED/line accuracy, so
"a²" and "a2" compare equal, as do full- and half-width forms). Chinese is tokenised by characters
(OneIG's rule), Latin text by words, so a prompt mixing both gives one token per Han character plus one
per Latin word.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np

_SPACE = re.compile(r"\s+")
# Han ideographs (CJK Unified, Extension A, Compatibility): one token per character
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]|[^\s{_HAN}]+")
# punctuation an OCR engine tends to drop or add around words; stripped from word tokens
_EDGE_PUNCT = ".,;:!?\"'()[]{}“”‘’、，。：；！？（）《》"


def normalize(s: str) -> str:
    """NFKC without whitespace: the form compared by line accuracy and NED."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", s or ""))


def tokens(s: str) -> list[str]:
    """Words for Latin text, single characters for Chinese (punctuation at word edges dropped)."""
    out = []
    for t in _TOKEN.findall(unicodedata.normalize("NFKC", s or "")):
        t = t.strip(_EDGE_PUNCT)
        if t:
            out.append(t)
    return out


def edit_distance(a, b) -> int:
    """Levenshtein distance between two sequences (strings or token lists)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def ned(pred: str, target: str) -> float:
    """AnyText's normalised edit similarity, 1 - ED / max(len): 1 for a perfect read, 0 for nothing read."""
    p, t = normalize(pred), normalize(target)
    if not p and not t:
        return 1.0
    return 1.0 - edit_distance(p, t) / max(len(p), len(t))


def line_accuracy(pred: str, target: str) -> float:
    """1 when the normalised strings are identical, else 0."""
    return float(normalize(pred) == normalize(target))


def word_prf(pred: str, target: str, by_char: bool = False) -> dict:
    """MARIO-Eval style precision / recall / F1 of the predicted tokens against the wanted ones.

    Tokens are matched as multisets (a word wanted twice must be read twice). Nothing read gives
    precision 0 (not undefined: a blank image must score as a miss). ``by_char``: every character is a
    token (formulas, where OCR spacing around operators is arbitrary)."""
    p, t = (list(normalize(pred)), list(normalize(target))) if by_char else (tokens(pred), tokens(target))
    if not t:
        return {"precision": float(not p), "recall": 1.0, "f1": float(not p)}
    pool: dict = {}
    for w in t:
        pool[w] = pool.get(w, 0) + 1
    hit = 0
    for w in p:
        if pool.get(w, 0) > 0:
            pool[w] -= 1
            hit += 1
    prec = hit / len(p) if p else 0.0
    rec = hit / len(t)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}


def assignment(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost assignment of rows to columns (Hungarian algorithm with potentials, O(n^3)).

    Rectangular matrices are padded with a cost above every entry; only real pairs are returned."""
    cost = np.asarray(cost, dtype=np.float64)
    nr, nc = cost.shape
    if nr == 0 or nc == 0:
        return []
    n = max(nr, nc)
    big = (cost.max() if cost.size else 0.0) + 1.0
    c = np.full((n, n), big)
    c[:nr, :nc] = cost
    u = np.zeros(n + 1)
    v = np.zeros(n + 1)
    p = np.zeros(n + 1, dtype=int)      # p[j]: row (1-based) assigned to column j
    way = np.zeros(n + 1, dtype=int)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            cur = c[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            better = free & (cur < minv[1:])
            minv[1:][better] = cur[better]
            way[1:][better] = j0
            cand = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(cand)) + 1
            delta = cand[j1 - 1]
            u[p[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = [(int(p[j]) - 1, j - 1) for j in range(1, n + 1) if p[j] and p[j] - 1 < nr and j - 1 < nc]
    return sorted(pairs)


def matched_similarity(pred_lines: list[str], targets: list[str]) -> float:
    """LeX-style score: Hungarian matching of read lines to wanted lines on edit distance.

    Returns the mean NED over the wanted lines; an unmatched wanted line scores 0, so reading
    nothing scores 0 and reading extra lines does not raise the score."""
    if not targets:
        return 1.0
    if not pred_lines:
        return 0.0
    sim = np.array([[ned(p, t) for p in pred_lines] for t in targets])
    pairs = assignment(1.0 - sim)
    return float(sum(sim[i, j] for i, j in pairs) / len(targets))


def text_scores(pred: str, target: str, pred_lines: list[str] | None = None,
                target_lines: list[str] | None = None, by_char: bool = False) -> dict:
    """All text scores of one reading against one wanted text."""
    prf = word_prf(pred, target, by_char)
    return {"line_acc": line_accuracy(pred, target), "ned": ned(pred, target),
            "word_p": prf["precision"], "word_r": prf["recall"], "word_f1": prf["f1"],
            "hungarian": matched_similarity(pred_lines if pred_lines is not None else [pred],
                                            target_lines if target_lines is not None else [target])}
