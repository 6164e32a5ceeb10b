"""SVG path data ("M 0 0 L 10 0 ...") to an IR path, with errors that say where the data is wrong."""
from __future__ import annotations

import functools
import re

import numpy as np

from symbolreel import ir, pathops

_TOKEN = re.compile(r"\s*(?:([MmLlHhVvCcSsQqTtAaZz])|([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))\s*,?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def _tokens(d: str):
    pos = 0
    d = d.strip()
    while pos < len(d):
        m = _TOKEN.match(d, pos)
        if not m or m.end() == pos:
            raise ValueError(f"bad SVG path data at character {pos}: {d[pos:pos + 12]!r}")
        yield (m.group(1), None, pos) if m.group(1) else (None, float(m.group(2)), pos)
        pos = m.end()


class _Builder:
    """Collects points, verbs and conic weights."""

    def __init__(self):
        self.pts, self.verbs, self.weights = [], [], []
        self.start, self.closed = (0.0, 0.0), False

    def moveTo(self, x, y):
        self.verbs.append(ir.MOVE)
        self.pts.append((x, y))
        self.start, self.closed = (x, y), False

    def _reopen(self):
        # drawing on after Z starts a new contour at the closed one's start (as SVG and Skia do)
        if self.closed:
            self.moveTo(*self.start)

    def lineTo(self, x, y):
        self._reopen()
        self.verbs.append(ir.LINE)
        self.pts.append((x, y))

    def quadTo(self, x1, y1, x, y):
        self._reopen()
        self.verbs.append(ir.QUAD)
        self.pts += [(x1, y1), (x, y)]

    def cubicTo(self, x1, y1, x2, y2, x, y):
        self._reopen()
        self.verbs.append(ir.CUBIC)
        self.pts += [(x1, y1), (x2, y2), (x, y)]

    def arcTo(self, cur, rx, ry, rot, large, sweep, end):
        self._reopen()
        pts, verbs, weights = pathops.svg_arc(cur, rx, ry, rot, large, sweep, end)
        self.pts += pts
        self.verbs += verbs
        self.weights += weights

    def close(self):
        if self.verbs and not self.closed:
            self.verbs.append(ir.CLOSE)
            self.closed = True

    def path(self, fill_rule) -> ir.Path:
        return ir.Path(np.array(self.pts, dtype=np.float64).reshape(-1, 2), np.array(self.verbs, dtype=np.uint8),
                       np.array(self.weights, dtype=np.float64) if self.weights else None, fill_rule)


@functools.lru_cache(maxsize=512)
def _parse(d: str, fill_rule: str = "nonzero") -> ir.Path:
    path = _Builder()
    toks = list(_tokens(d))
    i, cmd = 0, None
    cur = start = (0.0, 0.0)
    last_ctrl = None  # reflected control point for S/T
    last_cmd = ""
    while i < len(toks):
        letter, _, pos = toks[i]
        if letter:
            cmd = letter
            i += 1
        elif cmd is None:
            raise ValueError(f"SVG path data must start with a command (M), found a number at character {pos}")
        up = cmd.upper()
        n = _ARGS[up]
        args = []
        for _ in range(n):
            if i >= len(toks) or toks[i][0]:
                where = toks[i][2] if i < len(toks) else len(d)
                raise ValueError(f"SVG command '{cmd}' needs {n} numbers, found fewer at character {where}")
            args.append(toks[i][1])
            i += 1
        rel = cmd.islower()
        ox, oy = cur if rel else (0.0, 0.0)
        if up == "M":
            cur = (args[0] + ox, args[1] + oy)
            start = cur
            path.moveTo(*cur)
            cmd = "l" if rel else "L"  # further pairs are line-tos
            last_ctrl = None
        elif up == "L":
            cur = (args[0] + ox, args[1] + oy)
            path.lineTo(*cur)
        elif up == "H":
            cur = (args[0] + (cur[0] if rel else 0.0), cur[1])
            path.lineTo(*cur)
        elif up == "V":
            cur = (cur[0], args[0] + (cur[1] if rel else 0.0))
            path.lineTo(*cur)
        elif up == "C":
            c1 = (args[0] + ox, args[1] + oy)
            c2 = (args[2] + ox, args[3] + oy)
            cur = (args[4] + ox, args[5] + oy)
            path.cubicTo(*c1, *c2, *cur)
            last_ctrl = c2
        elif up == "S":
            c1 = _reflect(cur, last_ctrl) if last_cmd in "CS" else cur
            c2 = (args[0] + ox, args[1] + oy)
            cur = (args[2] + ox, args[3] + oy)
            path.cubicTo(*c1, *c2, *cur)
            last_ctrl = c2
        elif up == "Q":
            c = (args[0] + ox, args[1] + oy)
            cur = (args[2] + ox, args[3] + oy)
            path.quadTo(*c, *cur)
            last_ctrl = c
        elif up == "T":
            c = _reflect(cur, last_ctrl) if last_cmd in "QT" else cur
            cur = (args[0] + ox, args[1] + oy)
            path.quadTo(*c, *cur)
            last_ctrl = c
        elif up == "A":
            rx, ry, rot, large, sweep = args[:5]
            end = (args[5] + ox, args[6] + oy)
            if rx == 0 or ry == 0:
                path.lineTo(*end)
            else:
                path.arcTo(cur, abs(rx), abs(ry), rot, bool(large), bool(sweep), end)
            cur = end
        elif up == "Z":
            path.close()
            cur = start
        last_cmd = up if up in "CSQT" else ""
        if up not in "CSQT":
            last_ctrl = None
    return path.path(fill_rule)


def _reflect(cur, ctrl):
    if ctrl is None:
        return cur
    return (2 * cur[0] - ctrl[0], 2 * cur[1] - ctrl[1])


def parse_svg_path(d: str, fill_rule: str = "nonzero") -> ir.Path:
    """Parse SVG path data into an IR path (shared and cached: treat it as immutable); raises
    ValueError naming the character position of a problem."""
    if not isinstance(d, str) or not d.strip():
        raise ValueError("SVG path data is empty; expected e.g. 'M 0 0 L 100 0 Z'")
    return _parse(d, fill_rule)
