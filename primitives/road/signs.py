"""Vector traffic signs standing beside a road: world placement, face artwork and labels.

A sign is a flat face on a pole, standing ``offset`` metres beyond the road's outer boundary at
arc length ``s``, facing the oncoming traffic (its face normal points back along the road). The
face is drawn in a local 100 x 100 box (y down, the box's top-left as the driver reads it) and
its outlines are mapped onto the projected face quad through the face's homography (before the
display list, which holds affine matrices only), so artwork and labels share one projection. Conventions of the shapes follow the Vienna Convention's families: a red-ringed
disc for speed limits, a red octagon for stop, a red-bordered triangle for warnings and an
inverted one for yield.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from symbolreel import ir
from symbolreel.records import RoadSign, bbox_of

from .projective import Outline, homography, map_outline, rounded_polygon

__all__ = ["SIGN_KINDS", "SIGN_STYLES", "SIGN_CLASSES", "default_text", "PlacedSign", "place_sign",
           "face_outline", "visible_signs", "sign_labels", "sign_items"]

SIGN_KINDS = ("speed_limit", "stop", "warning", "yield")
#: vienna: the Vienna Convention's common shapes (red-ringed disc, red-bordered triangles);
#: cn: China (GB 5768), warnings are black-bordered yellow triangles; us: the MUTCD, a white
#: SPEED LIMIT rectangle and yellow warning diamonds.
SIGN_STYLES = ("vienna", "cn", "us")
SIGN_CLASSES = tuple(f"sign_{k}" for k in SIGN_KINDS)
_DEFAULT_TEXT = {"speed_limit": "60", "stop": "STOP", "warning": "!", "yield": ""}
_STYLE_TEXT = {("stop", "cn"): "停", ("yield", "cn"): "让", ("yield", "us"): "YIELD", ("speed_limit", "us"): "55"}


def default_text(kind: str, style: str = "vienna") -> str:
    """The text a sign of ``kind`` carries when none is given."""
    return _STYLE_TEXT.get((kind, style), _DEFAULT_TEXT[kind])

FACE = 100.0            # side of the local drawing box
POLE_WIDTH = 0.08       # metres
FADE = 0.1              # signs fade in over the last 10 % of the far range instead of popping


def _shape(kind: str, style: str) -> str:
    if kind == "speed_limit":
        return "rectangle" if style == "us" else "disc"
    if kind == "warning":
        return "diamond" if style == "us" else "triangle_up"
    return {"stop": "octagon", "yield": "triangle_down"}[kind]


@functools.lru_cache(maxsize=None)
def face_outline(kind: str, style: str = "vienna", n: int = 48) -> np.ndarray:
    """The face's outline in the local box (k, 2), clockwise on screen (y down)."""
    if kind not in SIGN_KINDS:
        raise ValueError(f"sign kind {kind!r}: expected one of {', '.join(SIGN_KINDS)}")
    shape = _shape(kind, style)
    c = 0.5 * FACE
    if shape == "disc":
        a = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
        return np.stack([c + c * np.cos(a), c + c * np.sin(a)], axis=1)
    if shape == "octagon":
        r = c / np.cos(np.pi / 8)       # across flats = FACE
        a = np.pi / 8 + np.arange(8) * np.pi / 4
        return np.stack([c + r * np.cos(a), c + r * np.sin(a)], axis=1)
    if shape == "rectangle":            # 4:5 portrait, as the MUTCD's 24 x 30 in
        return np.array([[10.0, 0.0], [90.0, 0.0], [90.0, FACE], [10.0, FACE]])
    if shape == "diamond":
        return np.array([[c, 0.0], [FACE, c], [c, FACE], [0.0, c]])
    h = FACE * np.sqrt(3) / 2
    top, bottom = c - h / 2, c + h / 2
    if shape == "triangle_up":
        return np.array([[c, top], [FACE, bottom], [0.0, bottom]])
    return np.array([[0.0, top], [FACE, top], [c, bottom]])


@dataclass(frozen=True, eq=False)
class PlacedSign:
    """One sign in world coordinates.

    ``face``: (4, 3) corners of the face's box: top-left, top-right, bottom-right, bottom-left as
    the approaching driver reads it. ``outline``: (k, 3) the face's shape. ``pole``: (4, 3) the
    pole as a thin vertical quad up to the face. ``centre``: (3,) the face centre.
    """

    kind: str
    style: str
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
        """Local face-box points (k, 2) -> world (k, 3)."""
        return _box_to_world(self.face, local)


def _box_to_world(face, local) -> np.ndarray:
    """Local face-box points (k, 2) -> world (k, 3): the face is a planar rectangle, so affine."""
    local = np.asarray(local, dtype=np.float64) / FACE
    tl, tr, _, bl = face
    return tl + local[:, :1] * (tr - tl) + local[:, 1:2] * (bl - tl)


def place_sign(centreline, layout, kind: str, s: float, side: str = "right", offset: float = 1.0,
               height: float = 2.0, size: float = 0.9, text: str | None = None, index: int = 0,
               reverse: bool = False, style: str = "vienna") -> PlacedSign:
    """A sign of ``kind`` at arc length ``s``, ``offset`` m beyond the outer boundary on ``side``,
    its face ``size`` m across with its bottom edge ``height`` m above the ground, facing the
    traffic that drives towards +s (``reverse``: the traffic driving the other way)."""
    if kind not in SIGN_KINDS:
        raise ValueError(f"sign kind {kind!r}: expected one of {', '.join(SIGN_KINDS)}")
    if style not in SIGN_STYLES:
        raise ValueError(f"sign style {style!r}: expected one of {', '.join(SIGN_STYLES)}")
    left_edge, right_edge = layout.lane_span()
    lateral = left_edge + offset if side == "left" else right_edge - offset
    h = centreline.heading(float(s))
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
    return PlacedSign(kind, style, default_text(kind, style) if text is None else text, index, float(s), face,
                      _box_to_world(face, face_outline(kind, style)), pole, centre)


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


def sign_labels(posed, visible) -> list[RoadSign]:
    """Labels (:class:`symbolreel.records.RoadSign`) for the drawn signs, ``visible`` as
    :func:`visible_signs` returns them, in the camera's image coordinates: as
    ``labels.object_labels``, plus ``distance`` (the face centre's depth in metres) and ``alpha``."""
    out = []
    w, h = posed.width, posed.height
    for sign, uv, alpha in visible:
        poly, _ = posed.project(sign.outline)
        if poly[:, 0].max() < 0 or poly[:, 0].min() > w or poly[:, 1].max() < 0 or poly[:, 1].min() > h:
            continue
        inside = bool(((poly >= 0) & (poly <= (w, h))).all())
        outline = poly.tolist()
        out.append(RoadSign(cls=sign.cls, kind="sign", text=sign.text, lane=-1, index=sign.index,
                            polygon=[outline], bbox=bbox_of(outline), quad=uv.tolist(), truncated=not inside,
                            distance=round(float(posed.depth(sign.centre[None])[0]), 4),
                            alpha=round(float(alpha), 4)))
    return out


# -- artwork -------------------------------------------------------------------------------------

RED = (0.784, 0.063, 0.180)
WHITE = (1.0, 1.0, 1.0)
BLACK = (0.07, 0.07, 0.07)
BACK = (0.54, 0.56, 0.58)
POLE = (0.48, 0.50, 0.52)

YELLOW = (0.98, 0.78, 0.08)


@dataclass(frozen=True)
class _Face:
    """How a face is painted in the local box: an ``outer`` shape, the ``inner`` colour filling the
    shape scaled by ``scale`` about ``centre``, corner rounding, and text fitted into ``box``
    (width, height) centred at ``at``; ``caption``: fixed text above it, (text, box, at)."""

    outer: tuple
    inner: tuple
    scale: float
    centre: tuple
    rounded: float
    ink: tuple
    box: tuple
    at: tuple
    caption: tuple | None = None


_VIENNA = {
    "speed_limit": _Face(RED, WHITE, 0.80, (50.0, 50.0), 0.0, BLACK, (60.0, 56.0), (50.0, 50.0)),
    "stop": _Face(WHITE, RED, 0.91, (50.0, 50.0), 5.0, WHITE, (78.0, 50.0), (50.0, 50.0)),
    "warning": _Face(RED, WHITE, 0.70, (50.0, 64.4), 5.0, BLACK, (30.0, 40.0), (50.0, 66.0)),
    "yield": _Face(RED, WHITE, 0.62, (50.0, 35.6), 5.0, BLACK, (30.0, 24.0), (50.0, 31.0)),
}
_FACES = {
    **{(k, "vienna"): f for k, f in _VIENNA.items()},
    **{(k, "cn"): f for k, f in _VIENNA.items()},
    ("warning", "cn"): _Face(BLACK, YELLOW, 0.84, (50.0, 64.4), 5.0, BLACK, (30.0, 40.0), (50.0, 66.0)),
    **{(k, "us"): f for k, f in _VIENNA.items()},
    ("speed_limit", "us"): _Face(BLACK, WHITE, 0.93, (50.0, 50.0), 4.0, BLACK, (64.0, 50.0), (50.0, 70.0),
                                 ("SPEED\nLIMIT", (62.0, 34.0), (50.0, 25.0))),
    ("warning", "us"): _Face(BLACK, YELLOW, 0.90, (50.0, 50.0), 6.0, BLACK, (26.0, 46.0), (50.0, 50.0)),
    ("yield", "us"): _Face(RED, WHITE, 0.62, (50.0, 35.6), 5.0, RED, (38.0, 12.0), (50.0, 29.0)),
}


FACE_BOX = ((0.0, 0.0), (FACE, 0.0), (FACE, FACE), (0.0, FACE))


@functools.lru_cache(maxsize=None)
def _face_outlines(kind: str, style: str) -> tuple:
    """(outer, inner) outlines ``(points, verbs)`` of a face in the local box, corners rounded
    (constant: built once per kind and style)."""
    face = _FACES[kind, style]
    out = []
    for k, r in ((1.0, face.rounded), (face.scale, face.rounded * face.scale)):
        pts = (face_outline(kind, style) - face.centre) * k + face.centre
        out.append(Outline(*rounded_polygon(pts, r)))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _fill(rgb) -> ir.Paint:
    """A cached opaque fill (never modified after creation, so its backend form is reused)."""
    return ir.Paint((rgb[0], rgb[1], rgb[2], 1.0))


@functools.lru_cache(maxsize=64)
def _polygon_verbs(n: int) -> np.ndarray:
    """Verbs of one closed polygon of ``n`` points (shared: IR items are never modified)."""
    return ir.polygon_verbs([n])


def _fit(bounds, box, at) -> np.ndarray:
    """3x3 affine placing a layout with ``bounds`` scaled to fit ``box`` (w, h), centred at ``at``."""
    x0, y0, x1, y1 = bounds
    k = min(box[0] / max(x1 - x0, 1e-9), box[1] / max(y1 - y0, 1e-9))
    return np.array([[k, 0.0, at[0] - k * 0.5 * (x0 + x1)], [0.0, k, at[1] - k * 0.5 * (y0 + y1)],
                     [0.0, 0.0, 1.0]])


def sign_items(sign: PlacedSign, uv, alpha: float, pole_polys, text_outline) -> list:
    """Display-list items of one sign: its (already clipped and projected) pole polygons, then the
    face, corner-rounded outlines and fitted text mapped through the face's homography onto the
    image quad ``uv`` (image coordinates, no perspective left); ``text_outline(text)`` returns
    ``(bounds, projective.Outline)`` of a centred layout. A face seen from behind is a grey plate;
    ``alpha`` < 1 draws the sign as one layer."""
    items = []
    poles = [q for q in pole_polys if len(q) >= 3]
    if len(poles) == 1:
        items.append(ir.Draw(ir.Path(poles[0], _polygon_verbs(len(poles[0]))), _fill(POLE)))
    elif poles:
        items.append(ir.Draw(ir.Path.polygons(poles), _fill(POLE)))
    try:
        hm = homography(FACE_BOX, uv)
    except ValueError:
        hm = None
    if hm is not None:
        outer, inner = _face_outlines(sign.kind, sign.style)
        face = _FACES[sign.kind, sign.style]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = uv.tolist()
        # the corners run clockwise on screen (positive shoelace area, y down) when seen from the front
        front = (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3) > 0
        if not front:
            items.append(ir.Draw(map_outline(outer, hm), _fill(BACK)))
        else:
            items.append(ir.Draw(map_outline(outer, hm), _fill(face.outer)))
            items.append(ir.Draw(map_outline(inner, hm), _fill(face.inner)))
            texts = [(sign.text, face.box, face.at)] + ([face.caption] if face.caption else [])
            for text, box, at in texts:
                if text:
                    bounds, outline = text_outline(text)
                    if len(outline.verbs):
                        items.append(ir.Draw(map_outline(outline, hm @ _fit(bounds, box, at)),
                                             _fill(face.ink)))
    if alpha < 1.0:
        return [ir.Group(items, opacity=alpha)]
    return items
