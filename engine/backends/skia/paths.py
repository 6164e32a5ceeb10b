"""IR geometry <-> skia.Path.

``to_skia_path`` writes Skia's own path serialisation (format version 5: a header word holding the
version and the fill type, point / conic weight / verb counts, float32 points, float32 weights,
uint8 verbs padded to 4 bytes) and reads it back, so no Python runs per point; when Skia rejects
the buffer (another format version) it falls back to building the path verb by verb. The IR verb
codes are Skia's, so the verbs are copied as they are.
"""
from __future__ import annotations

import numpy as np
import skia

from ... import ir

_VERB_CODE = {skia.Path.kMove_Verb: ir.MOVE, skia.Path.kLine_Verb: ir.LINE, skia.Path.kQuad_Verb: ir.QUAD,
              skia.Path.kConic_Verb: ir.CONIC, skia.Path.kCubic_Verb: ir.CUBIC, skia.Path.kClose_Verb: ir.CLOSE}
_FILL = {"nonzero": skia.PathFillType.kWinding, "evenodd": skia.PathFillType.kEvenOdd}
_FILL_BITS = {"nonzero": 0, "evenodd": 1}


def to_skia_path(path: ir.Path) -> skia.Path:
    """A new skia.Path with the IR path's contours and fill rule."""
    pts32 = np.ascontiguousarray(path.points, dtype=np.float32).reshape(-1, 2)
    verbs = np.ascontiguousarray(path.verbs, dtype=np.uint8)
    weights = np.zeros(0, np.float32) if path.weights is None else \
        np.ascontiguousarray(path.weights, dtype=np.float32)
    out = skia.Path()
    if len(verbs) == 0:
        out.setFillType(_FILL[path.fill_rule])
        return out
    pad = (-len(verbs)) % 4
    header = np.array([5 | (_FILL_BITS[path.fill_rule] << 8), len(pts32), len(weights), len(verbs)], np.int32)
    buf = b"".join((header.tobytes(), pts32.tobytes(), weights.tobytes(), verbs.tobytes(), b"\0" * pad))
    if out.readFromMemory(buf) == len(buf):
        return out
    return _build(pts32, verbs, weights, path.fill_rule)


def _build(pts, verbs, weights, fill_rule) -> skia.Path:
    out = skia.Path()
    out.setFillType(_FILL[fill_rule])
    pts = pts.tolist()
    k = w = 0
    for v in verbs.tolist():
        if v == ir.MOVE:
            out.moveTo(*pts[k])
        elif v == ir.LINE:
            out.lineTo(*pts[k])
        elif v == ir.QUAD:
            out.quadTo(*pts[k], *pts[k + 1])
        elif v == ir.CONIC:
            out.conicTo(*pts[k], *pts[k + 1], float(weights[w]))
            w += 1
        elif v == ir.CUBIC:
            out.cubicTo(*pts[k], *pts[k + 1], *pts[k + 2])
        elif v == ir.CLOSE:
            out.close()
        k += ir.VERB_POINTS[v] if v != ir.CLOSE else 0
    return out


def from_skia_path(path: skia.Path) -> ir.Path:
    """The IR form of a skia.Path (points, verbs, conic weights, fill rule)."""
    pts, verbs, weights = [], [], []
    it = skia.Path.RawIter(path)
    while True:
        verb, p = it.next()
        if verb == skia.Path.kDone_Verb:
            break
        code = _VERB_CODE[verb]
        verbs.append(code)
        if code == ir.MOVE:
            pts.append((p[0].x(), p[0].y()))
        elif code != ir.CLOSE:
            pts.extend((q.x(), q.y()) for q in p[1:])
            if code == ir.CONIC:
                weights.append(it.conicWeight())
    rule = "evenodd" if path.getFillType() in (skia.PathFillType.kEvenOdd, skia.PathFillType.kInverseEvenOdd) \
        else "nonzero"
    return ir.Path(np.array(pts, dtype=np.float64).reshape(-1, 2), np.array(verbs, dtype=np.uint8),
                   np.array(weights, dtype=np.float64) if weights else None, rule)


def native_path(geom) -> skia.Path:
    """skia.Path of any IR geometry (cached on Path objects); used for clips, bounds and measures."""
    if isinstance(geom, ir.Path):
        nat = geom.native
        if nat is None or nat[0] != "skia":
            nat = geom.native = ("skia", to_skia_path(geom))
        return nat[1]
    out = skia.Path()
    if isinstance(geom, ir.Rect):
        r = skia.Rect.MakeLTRB(geom.x0, geom.y0, geom.x1, geom.y1)
        if geom.rx > 0 or geom.ry > 0:
            out.addRRect(skia.RRect.MakeRectXY(r, geom.rx, geom.ry))
        else:
            out.addRect(r)
    elif isinstance(geom, ir.Oval):
        w, h = geom.x1 - geom.x0, geom.y1 - geom.y0
        if w == h:  # a circle: the same contour as addCircle (start point and direction)
            out.addCircle((geom.x0 + geom.x1) / 2, (geom.y0 + geom.y1) / 2, w / 2)
        else:
            out.addOval(skia.Rect.MakeLTRB(geom.x0, geom.y0, geom.x1, geom.y1))
    elif isinstance(geom, ir.Line):
        out.moveTo(geom.x0, geom.y0)
        out.lineTo(geom.x1, geom.y1)
    else:
        raise TypeError(f"not an IR geometry: {type(geom).__name__}")
    return out
