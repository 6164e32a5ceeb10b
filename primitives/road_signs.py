"""Vector traffic signs standing beside a road: world placement, face artwork and labels.

A sign is a flat face on a pole, standing ``offset`` metres beyond the road's outer boundary at
arc length ``s``, facing the oncoming traffic (its face normal points back along the road). The
face is drawn in a local 100 x 100 box (y down, the box's top-left as the driver reads it) and
mapped onto the projected face quad with a perspective matrix, so artwork and labels share one
projection. Conventions of the shapes follow the Vienna Convention's families: a red-ringed
disc for speed limits, a red octagon for stop, a red-bordered triangle for warnings and an
inverted one for yield.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["SIGN_KINDS", "SIGN_CLASSES", "DEFAULT_TEXT", "PlacedSign", "place_sign", "face_outline",
           "visible_signs", "sign_labels"]

SIGN_KINDS = ("speed_limit", "stop", "warning", "yield")
SIGN_CLASSES = tuple(f"sign_{k}" for k in SIGN_KINDS)
DEFAULT_TEXT = {"speed_limit": "60", "stop": "STOP", "warning": "!", "yield": ""}

FACE = 100.0            # side of the local drawing box
POLE_WIDTH = 0.08       # metres
FADE = 0.1              # signs fade in over the last 10 % of the far range instead of popping


@functools.lru_cache(maxsize=None)
def face_outline(kind: str, n: int = 48) -> np.ndarray:
    """The face's outline in the local box (k, 2), clockwise on screen (y down)."""
    c = 0.5 * FACE
    if kind == "speed_limit":
        a = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
        return np.stack([c + c * np.cos(a), c + c * np.sin(a)], axis=1)
    if kind == "stop":
        r = c / np.cos(np.pi / 8)       # across flats = FACE
        a = np.pi / 8 + np.arange(8) * np.pi / 4
        return np.stack([c + r * np.cos(a), c + r * np.sin(a)], axis=1)
    h = FACE * np.sqrt(3) / 2
    top, bottom = c - h / 2, c + h / 2
    if kind == "warning":
        return np.array([[c, top], [FACE, bottom], [0.0, bottom]])
    if kind == "yield":
        return np.array([[0.0, top], [FACE, top], [c, bottom]])
    raise ValueError(f"sign kind {kind!r}: expected one of {', '.join(SIGN_KINDS)}")


@dataclass(frozen=True, eq=False)
class PlacedSign:
    """One sign in world coordinates.

    ``face``: (4, 3) corners of the face's box: top-left, top-right, bottom-right, bottom-left as
    the approaching driver reads it. ``outline``: (k, 3) the face's shape. ``pole``: (4, 3) the
    pole as a thin vertical quad up to the face. ``centre``: (3,) the face centre.
    """

    kind: str
    text: str
    index: int
    s: float
    face: np.ndarray
    outline: np.ndarray
    pole: np.ndarray
    centre: np.ndarray

    @property
    def cls(self) -> str:
        return f"sign_{self.kind}"

    def to_world(self, local) -> np.ndarray:
        """Local face-box points (k, 2) -> world (k, 3) (bilinear in the planar box = affine)."""
        local = np.asarray(local, dtype=np.float64) / FACE
        tl, tr, _, bl = self.face
        return tl + local[:, :1] * (tr - tl) + local[:, 1:2] * (bl - tl)


def place_sign(centreline, layout, kind: str, s: float, side: str = "right", offset: float = 1.0,
               height: float = 2.0, size: float = 0.9, text: str | None = None, index: int = 0,
               reverse: bool = False) -> PlacedSign:
    """A sign of ``kind`` at arc length ``s``, ``offset`` m beyond the outer boundary on ``side``,
    its face ``size`` m across with its bottom edge ``height`` m above the ground, facing the
    traffic that drives towards +s (``reverse``: the traffic driving the other way)."""
    if kind not in SIGN_KINDS:
        raise ValueError(f"sign kind {kind!r}: expected one of {', '.join(SIGN_KINDS)}")
    left_edge, right_edge = layout.lane_span()
    lateral = left_edge + offset if side == "left" else right_edge - offset
    x, y, h = centreline.pose(float(s))
    base = centreline.to_world(float(s), lateral)
    left = np.array([-np.sin(h), np.cos(h), 0.0])
    right, up = (left if reverse else -left), np.array([0.0, 0.0, 1.0])
    half = 0.5 * size
    centre = base + (height + half) * up
    face = np.array([centre - half * right + half * up, centre + half * right + half * up,
                     centre + half * right - half * up, centre - half * right - half * up])
    w = 0.5 * POLE_WIDTH
    top = height + 0.5 * half       # the pole reaches behind the face
    pole = np.array([base - w * right, base + w * right, base + w * right + top * up, base - w * right + top * up])
    sign = PlacedSign(kind, DEFAULT_TEXT[kind] if text is None else text, index, float(s), face,
                      np.empty((0, 3)), pole, centre)
    object.__setattr__(sign, "outline", sign.to_world(face_outline(kind)))
    return sign


def visible_signs(posed, signs) -> list:
    """``(sign, image quad (4, 2), alpha)`` for the signs whose face is wholly between the near
    and far planes, farthest first (the painter's order); ``alpha`` fades a sign in over the
    last :data:`FADE` of the far range."""
    far, near = posed.camera.far, posed.camera.near
    out = []
    for sign in signs:
        uv, z = posed.project(sign.face)
        if z.min() < near or z.max() > far:
            continue
        alpha = min(1.0, (far - z.max()) / (FADE * far))
        if alpha > 0:
            out.append((float(z.mean()), sign, uv, alpha))
    out.sort(key=lambda item: -item[0])
    return [(sign, uv, alpha) for _, sign, uv, alpha in out]


def sign_labels(posed, signs) -> list[dict]:
    """Object labels for the drawn signs (same keys as ``lane_labels.object_labels``, plus
    ``distance``: the face centre's depth in metres, and ``alpha``)."""
    out = []
    w, h = posed.width, posed.height
    for sign, uv, alpha in visible_signs(posed, signs):
        poly, _ = posed.project(sign.outline)
        if poly[:, 0].max() < 0 or poly[:, 0].min() > w or poly[:, 1].max() < 0 or poly[:, 1].min() > h:
            continue
        inside = bool(((poly >= 0) & (poly <= (w, h))).all())
        out.append({"class": sign.cls, "kind": "sign", "text": sign.text, "lane": -1, "index": sign.index,
                    "polygon": [poly.tolist()], "quad": uv.tolist(), "truncated": not inside,
                    "distance": round(float(posed.depth(sign.centre[None])[0]), 4), "alpha": round(alpha, 4)})
    return out


# -- artwork -------------------------------------------------------------------------------------

RED = (0.784, 0.063, 0.180)
WHITE = (1.0, 1.0, 1.0)
BLACK = (0.07, 0.07, 0.07)
BACK = (0.54, 0.56, 0.58)
POLE = (0.48, 0.50, 0.52)

# per kind: (inner shape scale about its centre, centre of the inner shape, text colour,
# text box (width, height) in the local box, text centre)
_STYLE = {
    "speed_limit": (0.80, (50.0, 50.0), BLACK, (60.0, 56.0), (50.0, 50.0)),
    "stop": (0.91, (50.0, 50.0), WHITE, (78.0, 50.0), (50.0, 50.0)),
    "warning": (0.70, (50.0, 64.4), BLACK, (30.0, 40.0), (50.0, 66.0)),
    "yield": (0.62, (50.0, 35.6), BLACK, (30.0, 24.0), (50.0, 33.0)),
}


@functools.lru_cache(maxsize=None)
def _face_paths(kind: str) -> tuple:
    """(outer, inner) skia paths of a face in the local box (constant: built once per kind)."""
    import skia

    scale, centre = _STYLE[kind][:2]
    out = []
    for k in (1.0, scale):
        pts = (face_outline(kind) - centre) * k + centre
        path = skia.Path()
        path.addPoly([skia.Point(float(x), float(y)) for x, y in pts], True)
        out.append(path)
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _fill(rgb, rounded=0.0):
    """A cached fill paint (never modified after creation)."""
    import skia

    paint = skia.Paint(Color4f=skia.Color4f(rgb[0], rgb[1], rgb[2], 1.0), AntiAlias=True)
    if rounded:
        paint.setPathEffect(skia.CornerPathEffect.Make(rounded))
    return paint


def draw_sign(canvas, sign: PlacedSign, uv, alpha: float, pole_polys, text_layout) -> None:
    """Draw one sign: its (already clipped and projected) pole polygons, then the face mapped onto
    the image quad ``uv``; ``text_layout(text)`` returns a centred ``TextLayout``. A face seen
    from behind is a grey plate."""
    import skia

    layer = alpha < 1.0
    if layer:
        canvas.saveLayerAlpha(None, int(round(alpha * 255)))
    pole = skia.Path()
    for q in pole_polys:
        if len(q) >= 3:
            pole.addPoly([skia.Point(float(x), float(y)) for x, y in q], True)
    canvas.drawPath(pole, _fill(POLE))
    src = [skia.Point(0, 0), skia.Point(FACE, 0), skia.Point(FACE, FACE), skia.Point(0, FACE)]
    dst = [skia.Point(x, y) for x, y in uv.tolist()]
    m = skia.Matrix()
    if m.setPolyToPoly(src, dst):
        canvas.save()
        canvas.concat(m)
        outer_path, inner_path = _face_paths(sign.kind)
        rounded = 0.0 if sign.kind == "speed_limit" else 5.0
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = uv.tolist()
        # the corners run clockwise on screen (positive shoelace area, y down) when seen from the front
        front = (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3) > 0
        if not front:
            canvas.drawPath(outer_path, _fill(BACK, rounded))
        else:
            scale, _, ink, (tw, th), (tx, ty) = _STYLE[sign.kind]
            outer, inner = (WHITE, RED) if sign.kind == "stop" else (RED, WHITE)
            canvas.drawPath(outer_path, _fill(outer, rounded))
            canvas.drawPath(inner_path, _fill(inner, rounded * scale))
            if sign.text:
                lay = text_layout(sign.text)
                x0, y0, x1, y1 = lay.bounds
                k = min(tw / max(x1 - x0, 1e-9), th / max(y1 - y0, 1e-9))
                canvas.translate(tx - k * 0.5 * (x0 + x1), ty - k * 0.5 * (y0 + y1))
                canvas.scale(k, k)
                paint = _fill(ink)
                for blob in lay.blobs_upto(1 << 30):
                    canvas.drawTextBlob(blob, 0, 0, paint)
        canvas.restore()
    if layer:
        canvas.restore()
