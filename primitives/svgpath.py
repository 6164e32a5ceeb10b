"""SVG path data ("M 0 0 L 10 0 ...") to skia.Path, with errors that say where the data is wrong."""
from __future__ import annotations

import functools
import re

import skia

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


@functools.lru_cache(maxsize=512)
def _parse(d: str) -> skia.Path:
    path = skia.Path()
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
                path.arcTo(abs(rx), abs(ry), rot,
                           skia.Path.ArcSize.kLarge_ArcSize if large else skia.Path.ArcSize.kSmall_ArcSize,
                           skia.PathDirection.kCW if sweep else skia.PathDirection.kCCW, *end)
            cur = end
        elif up == "Z":
            path.close()
            cur = start
        last_cmd = up if up in "CSQT" else ""
        if up not in "CSQT":
            last_ctrl = None
    return path


def _reflect(cur, ctrl):
    if ctrl is None:
        return cur
    return (2 * cur[0] - ctrl[0], 2 * cur[1] - ctrl[1])


def parse_svg_path(d: str) -> skia.Path:
    """Parse SVG path data; raises ValueError naming the character position of a problem."""
    if not isinstance(d, str) or not d.strip():
        raise ValueError("SVG path data is empty; expected e.g. 'M 0 0 L 100 0 Z'")
    return skia.Path(_parse(d))
