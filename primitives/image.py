"""Raster image node: a PNG / JPEG / WebP / GIF / BMP file drawn into a rectangle.

The file is named by ``src``, resolved like font files: relative to the scene file's folder (the
renderer's ``base_dir``), else to the working directory. It is decoded once per process (cache keyed
by the resolved path, size and modification time, bounded by :data:`CACHE_BYTES`), with limits on
the file size and the decoded size (:data:`MAX_FILE_BYTES`, :data:`MAX_PIXELS`, :data:`MAX_SIDE`).

Drawing is deterministic and the same in every backend: the node picks a pre-reduced level of the
picture (2x2 box averages in NumPy, exact integer rounding) with at most two source pixels per
device pixel, and the backends sample that level bilinearly (``sampling: linear``) or by nearest
pixel, with no mipmapping of their own.

Fit modes (the rectangle is ``size``, centred on the local origin like ``rect``):

* ``cover``   scaled (aspect kept) to fill the rectangle; what overflows is cropped, ``align`` says
  which part is kept ([0, 0] top-left, [0.5, 0.5] centre, [1, 1] bottom-right);
* ``contain`` scaled (aspect kept) to fit inside; ``align`` places it in the spare room;
* ``stretch`` scaled to the rectangle exactly (aspect not kept);
* ``none``    drawn at one image pixel per unit, placed by ``align``, cropped to the rectangle.
"""
from __future__ import annotations

import hashlib
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from symbolreel import ir
from symbolreel.annotate import quad_of
from symbolreel.errors import SceneError
from symbolreel.fields import field
from symbolreel.records import ShapeRecord, bbox_of

from symbolreel.node import Node, register

__all__ = ["Image", "DecodedImage", "decode", "resolve_path", "MAX_FILE_BYTES", "MAX_PIXELS", "MAX_SIDE",
           "CACHE_BYTES", "FITS", "fit_rects"]

MAX_FILE_BYTES = 64 * 1024 * 1024   # size of an image file
MAX_PIXELS = 40_000_000             # decoded width x height (e.g. 7,300 x 5,480)
MAX_SIDE = 16_384                   # decoded width or height
CACHE_BYTES = 512 * 1024 * 1024     # decoded pixels (all levels) kept per process
FITS = ("cover", "contain", "stretch", "none")

# ----------------------------------------------------------------------------- decoding


class DecodedImage:
    """A decoded picture: premultiplied RGBA uint8 ``pixels`` (h, w, 4), ``sha256`` of the file's bytes,
    ``opaque`` (every alpha 255), and its reduced levels (:meth:`level`) built on first use."""

    def __init__(self, path: str, pixels: np.ndarray, sha256: str):
        pixels.setflags(write=False)
        self.path, self.pixels, self.sha256 = path, pixels, sha256
        self.height, self.width = pixels.shape[:2]
        self.opaque = bool((pixels[:, :, 3] == 255).all())
        self._levels = [pixels]
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return sum(lv.nbytes for lv in self._levels)

    def level(self, k: int) -> np.ndarray:
        """Level ``k``: the picture halved ``k`` times (2x2 box average of premultiplied values, rounded
        half up; an odd last row or column is averaged with a copy of itself). Level 0 is the picture."""
        with self._lock:
            while len(self._levels) <= k:
                prev = self._levels[-1]
                h, w = prev.shape[:2]
                if h == 1 and w == 1:
                    return prev
                a = prev.astype(np.uint16)
                if h % 2:
                    a = np.concatenate([a, a[-1:]], axis=0)
                if w % 2:
                    a = np.concatenate([a, a[:, -1:]], axis=1)
                s = a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]
                nxt = ((s + 2) >> 2).astype(np.uint8)
                nxt.setflags(write=False)
                self._levels.append(nxt)
            return self._levels[k]


_CACHE: "OrderedDict[tuple, DecodedImage]" = OrderedDict()
_CACHE_LOCK = threading.Lock()


def resolve_path(src: str, base_dir: str | None) -> str:
    """The file ``src`` names: absolute as given, else relative to ``base_dir`` (or the working directory)."""
    path = os.path.expanduser(src)
    if not os.path.isabs(path) and base_dir is not None:
        path = os.path.join(base_dir, path)
    return os.path.abspath(path)


def decode(path: str, src: str | None = None) -> DecodedImage:
    """The decoded picture of the file at ``path`` (cached per process by path, size and mtime).

    Raises SceneError naming the file (as ``src`` when given) for a missing, unreadable, oversized
    or undecodable file.
    """
    name = src if src is not None else path
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SceneError(f"image file {name!r} not found (looked at {path})") from None
    except OSError as exc:
        raise SceneError(f"image file {name!r} cannot be read ({exc.strerror})") from None
    if not os.path.isfile(path):
        raise SceneError(f"image file {name!r} is not a file ({path})")
    key = (path, st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    if st.st_size > MAX_FILE_BYTES:
        raise SceneError(f"image file {name!r} is {st.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} "
                         f"(symbolreel.primitives.image.MAX_FILE_BYTES)")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SceneError(f"image file {name!r} cannot be read ({exc.strerror})") from None
    img = DecodedImage(path, _decode_bytes(data, name), hashlib.sha256(data).hexdigest())
    with _CACHE_LOCK:
        _CACHE[key] = img
        total = sum(v.nbytes for v in _CACHE.values())
        while len(_CACHE) > 1 and total > CACHE_BYTES:
            _, old = _CACHE.popitem(last=False)
            total -= old.nbytes
    return img


def _decode_bytes(data: bytes, name: str) -> np.ndarray:
    # Skia's codecs (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP)
    import skia  # deferred: loading a scene stays light (no Skia until a picture is decoded)

    image = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(data)) if data else None
    if image is None:
        raise SceneError(f"image file {name!r} is not an image symbolreel can decode "
                         f"(expected PNG, JPEG, WebP, GIF or BMP)")
    w, h = image.width(), image.height()
    if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS:
        raise SceneError(f"image file {name!r} is {w} x {h} pixels; the limits are {MAX_SIDE:,} per side and "
                         f"{MAX_PIXELS:,} in all (symbolreel.primitives.image.MAX_SIDE, MAX_PIXELS)")
    try:
        arr = image.toarray(colorType=skia.ColorType.kRGBA_8888_ColorType, alphaType=skia.AlphaType.kPremul_AlphaType)
    except Exception as exc:  # a truncated or corrupt file fails when its pixels are decoded
        raise SceneError(f"image file {name!r} could not be decoded ({exc})") from None
    return np.ascontiguousarray(arr, dtype=np.uint8)


def clear_cache() -> None:
    """Forget every decoded picture (tests; long-lived processes that edit files keep working anyway)."""
    with _CACHE_LOCK:
        _CACHE.clear()


# ----------------------------------------------------------------------------- layout


def fit_rects(iw: float, ih: float, w: float, h: float, fit: str, align=(0.5, 0.5)) -> tuple:
    """``(src, dst)`` rectangles of a ``iw`` x ``ih`` picture in a ``w`` x ``h`` rectangle centred on the
    origin; ``src`` in image pixels, ``dst`` in local units. None when nothing is drawn."""
    ax, ay = align
    x0, y0 = -w / 2.0, -h / 2.0
    if iw <= 0 or ih <= 0 or w <= 0 or h <= 0:
        return None
    if fit == "stretch":
        return (0.0, 0.0, iw, ih), (x0, y0, x0 + w, y0 + h)
    if fit == "contain":
        s = min(w / iw, h / ih)
        dw, dh = iw * s, ih * s
        dx, dy = x0 + (w - dw) * ax, y0 + (h - dh) * ay
        return (0.0, 0.0, iw, ih), (dx, dy, dx + dw, dy + dh)
    if fit == "cover":
        s = max(w / iw, h / ih)
        sw, sh = w / s, h / s                     # the part of the picture that shows
        sx, sy = (iw - sw) * ax, (ih - sh) * ay
        return (sx, sy, sx + sw, sy + sh), (x0, y0, x0 + w, y0 + h)
    # none: one picture pixel per unit, placed by align, cropped to the rectangle
    px, py = x0 + (w - iw) * ax, y0 + (h - ih) * ay
    dx0, dy0 = max(px, x0), max(py, y0)
    dx1, dy1 = min(px + iw, x0 + w), min(py + ih, y0 + h)
    if dx1 <= dx0 or dy1 <= dy0:
        return None
    return (dx0 - px, dy0 - py, dx1 - px, dy1 - py), (dx0, dy0, dx1, dy1)


def _scale_of(m) -> float:
    """Largest scale factor of a 2x3 matrix (how many device pixels one local unit spans at most)."""
    a = np.asarray(m, dtype=np.float64)[:, :2]
    return float(np.sqrt(max(np.linalg.eigvalsh(a @ a.T).max(), 0.0)))


def pick_level(src, dst, m) -> int:
    """Reduction level for drawing ``src`` into ``dst`` under ``m``: the largest ``k`` that keeps at
    least one level-``k`` pixel per device pixel (so a backend's bilinear sample stays within 2x2)."""
    sw, sh = src[2] - src[0], src[3] - src[1]
    dw, dh = (dst[2] - dst[0]) * _scale_of(m), (dst[3] - dst[1]) * _scale_of(m)
    if dw <= 0 or dh <= 0:
        return 0
    ratio = min(sw / dw, sh / dh)
    return max(0, int(math.floor(math.log2(ratio)))) if ratio >= 2.0 else 0


# ----------------------------------------------------------------------------- node


@register
@dataclass(frozen=True, kw_only=True)
class Image(Node):
    """A raster image file (PNG, JPEG, WebP, GIF, BMP) drawn into a rectangle centred on the local origin."""

    TYPE = "image"
    DOC_NOTES = """
Fit modes, with the rectangle `size` centred on the local origin like `rect`: `cover` scales the
picture (aspect kept) to fill the rectangle and crops what overflows, keeping the part `align` names;
`contain` scales it to fit inside, placed by `align` in the spare room (the rest stays empty);
`stretch` fills the rectangle exactly; `none` draws one picture pixel per unit, placed by `align`
and cropped to the rectangle. Opacity, position, rotation, scale and skew come from `transform`.

`src` is resolved like font files: an absolute path as given, a relative one from the scene file's
folder (from the working directory for scenes built in Python). Formats: PNG, JPEG, WebP, GIF (first
frame), BMP, decoded by Skia whichever backend draws. Each file is decoded once per process (cached by
path, size and modification time, at most 512 MiB of pixels; an edited file is read again). Limits:
64 MiB per file, 16,384 pixels per side, 40,000,000 pixels in all (`symbolreel.primitives.image`
`MAX_FILE_BYTES`, `MAX_SIDE`, `MAX_PIXELS`); a missing, unreadable, oversized or undecodable file is
an error at `nodes[i].src` naming the file. Drawing is the same in both backends: the node picks a
level of the picture halved k times (exact 2x2 box averages) with at most two of its pixels per
device pixel, which the backend samples bilinearly (`sampling: linear`) or by nearest pixel.
The annotation is a `shape` record of the drawn rectangle (the letterboxed picture for `contain`).
"""
    src: str = field("", "string", "image file; relative paths start at the scene file's folder")
    size: tuple | None = field(None, "vec2", "[width, height] of the rectangle in pixels; null = the image's "
                               "own size", anim=True, nullable=True, min=0.0)
    fit: str = field("cover", "enum", "how the image fills the rectangle: cover (crop), contain (letterbox), "
                     "stretch, none (one image pixel per unit, cropped)", choices=FITS)
    align: tuple = field((0.5, 0.5), "vec2", "which part stays in view (cover, none) or where the image sits "
                         "(contain): [0, 0] top-left .. [1, 1] bottom-right", min=0.0, max=1.0)
    sampling: str = field("linear", "enum", "pixel sampling when scaled", choices=("linear", "nearest"))

    def __post_init__(self):
        super().__post_init__()
        if not self.src.strip():
            raise SceneError("expected the path of an image file", ("src",))

    def _decoded(self, ctx) -> DecodedImage:
        hit = ctx.cache.get("_image")
        if hit is None:
            try:
                hit = decode(resolve_path(self.src, ctx.base_dir), self.src)
            except SceneError as exc:
                raise SceneError(exc.message, ("src",)) from None
            ctx.cache["_image"] = hit
        return hit

    def prepare(self, ctx) -> None:
        self._decoded(ctx)

    def _rects(self, ctx, img: DecodedImage):
        size = ctx.p["size"]
        w, h = (float(img.width), float(img.height)) if size is None else (float(size[0]), float(size[1]))
        return fit_rects(img.width, img.height, w, h, self.fit, self.align)

    def emit(self, ctx) -> list:
        img = self._decoded(ctx)
        rects = self._rects(ctx, img)
        if rects is None or ctx.opacity <= 0:
            return []
        src, dst = rects
        k = pick_level(src, dst, ctx.matrix)
        key = (k, src, dst, ctx.opacity)
        hit = ctx.cache.get("_items")
        if hit is not None and hit[0] == key:
            return hit[1]
        px = img.level(k)
        fx, fy = px.shape[1] / img.width, px.shape[0] / img.height
        item = ir.Image(px, (src[0] * fx, src[1] * fy, src[2] * fx, src[3] * fy), dst, float(ctx.opacity),
                        self.sampling == "linear")
        items = [item]
        ctx.cache["_items"] = (key, items)
        return items

    def annotate(self, ctx):
        """Quad and bbox of the drawn part of the rectangle (the letterboxed picture for ``contain``)."""
        img = self._decoded(ctx)
        rects = self._rects(ctx, img)
        if rects is None:
            return None
        q = quad_of(ctx.matrix, rects[1])
        return ShapeRecord(id=self.id, type=self.TYPE, quad=q, bbox=bbox_of(q))

    def describe(self) -> dict:
        return {"type": self.TYPE, "src": os.path.basename(self.src), "fit": self.fit}
