"""Options and spec pieces every domain shares: canvas, background, contrast, clip timing."""
from __future__ import annotations

import math

import numpy as np

from symbolreel.errors import SceneError

from .. import captions as C
from .. import styles

CANVAS_OPTIONS = {
    "width": 512,
    "height": 384,
    "fps": 24.0,
    "duration": 2.0,
    "backgrounds": {"solid": 1.0, "gradient": 0.5, "texture": 0.5, "image": 0.0},
    "background_images": None,
    "min_contrast": 4.5,
}
CANVAS_DOCS = {
    "width": "canvas width in pixels",
    "height": "canvas height in pixels",
    "fps": "frames per second of clips",
    "duration": "length of clips in seconds",
    "backgrounds": "weights of background kinds: solid, gradient, texture (seeded procedural marks), image "
                   "(a picture from background_images)",
    "background_images": "folder of background pictures (PNG, JPEG, WebP, GIF, BMP; subfolders too), sampled "
                         "from its sorted listing; relative to the working directory (null = none)",
    "min_contrast": "minimum WCAG contrast ratio between the content colour and every colour behind it (1..21)",
}


def check_canvas(opts: dict, path: tuple) -> None:
    for key in ("width", "height"):
        if not 16 <= opts[key] <= 8192:
            raise SceneError(f"expected 16..8192 pixels, found {opts[key]}", path + (key,))
    if not 1.0 <= opts["fps"] <= 240.0:
        raise SceneError(f"expected 1..240 frames per second, found {opts['fps']}", path + ("fps",))
    if not 0.1 <= opts["duration"] <= 120.0:
        raise SceneError(f"expected 0.1..120 seconds, found {opts['duration']}", path + ("duration",))
    if not 1.0 <= opts["min_contrast"] <= 21.0:
        raise SceneError(f"expected a contrast ratio 1..21, found {opts['min_contrast']}", path + ("min_contrast",))
    folder = opts.get("background_images")
    wants = opts.get("backgrounds", {}).get("image", 0.0) > 0
    if wants and folder is None:
        raise SceneError("the 'image' background needs the option background_images (a folder of pictures)",
                         path + ("backgrounds", "image"))
    if folder is not None:
        if not wants:
            raise SceneError("background_images is set but backgrounds gives 'image' no weight (add e.g. "
                             "image: 1 to backgrounds)", path + ("background_images",))
        try:
            styles.image_listing(folder)
        except SceneError as exc:
            raise SceneError(exc.message, path + ("background_images",)) from None


def canvas_spec(opts: dict, media: str) -> dict:
    c = {"width": int(opts["width"]), "height": int(opts["height"])}
    if media == "clip":
        c["fps"] = float(opts["fps"])
        c["duration"] = float(opts["duration"])
    return c


def make_canvas(spec: dict, background):
    import symbolreel as sr

    c = spec["canvas"]
    if spec["media"] == "clip":
        return sr.Canvas(width=c["width"], height=c["height"], fps=c["fps"], duration=c["duration"],
                         background=background)
    return sr.Canvas(width=c["width"], height=c["height"], frames=1, background=background)


def check_media(media: str) -> None:
    if media not in ("still", "clip"):
        raise SceneError(f"media must be 'still' or 'clip', found {media!r}")


def timing(rng: np.random.Generator, duration: float, fps: float) -> tuple:
    """(start, end) seconds of a clip's motion: starts in the first quarter, ends by the last frame."""
    last = math.floor((max(1, int(round(duration * fps))) - 1) / fps * 100.0) / 100.0  # time of the last frame
    t0 = round(float(rng.uniform(0.0, 0.25)) * last, 2)
    t1 = math.floor(float(rng.uniform(0.67, 1.0)) * last * 100.0) / 100.0
    return t0, max(t1, min(last, round(t0 + 0.1 * duration, 2)))


def background_and_ink(rng: np.random.Generator, opts: dict, tries: int = 32, box=None) -> tuple:
    """(background spec, content colour name) with the contrast the options ask for. A picture is
    measured over ``box`` (default: the whole canvas) and gets a scrim when it needs one
    (``styles.image_ink``)."""
    w, h = opts["width"], opts["height"]
    for _ in range(tries):
        bg = styles.sample_background(rng, opts["backgrounds"], w, h, opts.get("background_images"))
        if bg["kind"] == "image":
            got = styles.image_ink(rng, bg, w, h, opts["min_contrast"], box)
            if got is not None:
                return got
            continue
        ink = styles.pick_color(rng, styles.background_colors(bg), opts["min_contrast"])
        if ink is not None:
            return bg, ink
    # always possible: black or white against a plain mid-grey-free colour
    bg = {"kind": "solid", "color": "white"}
    return bg, "black"


def content_box(position, box, rotation: float, motion: dict | None, pad: float = 2.0) -> tuple:
    """Box of the scene (world) coordinates holding the content in every frame, grown by ``pad``: its
    extent over rotation / zoom, at both ends of a scroll (a straight move stays inside the box of its
    two ends). A camera pan moves the background with the content, so it leaves the box unchanged."""
    ext = frames_extent(box, rotation, motion)
    px, py = position
    spots = [(px, py)]
    if motion is not None and motion["kind"] == "scroll":
        spots.append(tuple(motion["to"]))
    return (min(x for x, _ in spots) + ext[0] - pad, min(y for _, y in spots) + ext[1] - pad,
            max(x for x, _ in spots) + ext[2] + pad, max(y for _, y in spots) + ext[3] + pad)


def ink_over_image(rng: np.random.Generator, bg: dict, opts: dict, box) -> tuple | None:
    """``(background, colour)`` measured over the content's own ``box`` of a picture background (the
    scrim chosen for the whole canvas is dropped and chosen again for the region); None when no colour
    has the contrast even under the darkest scrim."""
    base = dict(bg)
    base["scrim"] = None
    return styles.image_ink(rng, base, opts["width"], opts["height"], opts["min_contrast"], box)


# ---------------------------------------------------------------- placement and motion

def extent(box, rotation: float, scale: float = 1.0) -> tuple:
    """(x0, y0, x1, y1) of a local box rotated (degrees, clockwise on screen) and scaled about the origin."""
    a = math.radians(rotation)
    ca, sa = math.cos(a), math.sin(a)
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])):
        xs.append(scale * (ca * x - sa * y))
        ys.append(scale * (sa * x + ca * y))
    return min(xs), min(ys), max(xs), max(ys)


def union(boxes) -> tuple:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def motion_spec(rng, opts: dict, weights: dict) -> dict:
    """A clip motion drawn from ``weights``: kind, start/end seconds, ease, and from/to of rotate and zoom."""
    kind = styles.weighted_choice(rng, weights)
    t0, t1 = timing(rng, opts["duration"], opts["fps"])
    m = {"kind": kind, "start": t0, "end": t1, "ease": "linear" if rng.random() < 0.4 else "ease-in-out"}
    if kind == "rotate":
        a = round(float(rng.uniform(8.0, 25.0)), 1)
        m["from"], m["to"] = (-a, a) if rng.random() < 0.5 else (a, -a)
    elif kind == "zoom":
        lo, hi = round(float(rng.uniform(0.6, 0.85)), 2), round(float(rng.uniform(1.05, 1.3)), 2)
        m["from"], m["to"] = (lo, hi) if rng.random() < 0.6 else (hi, lo)
    return m


def frames_extent(box, rotation: float, motion: dict | None) -> tuple:
    """Union of the text's extents over the clip (rotation and scale about the node's origin)."""
    if motion is None or motion["kind"] not in ("rotate", "zoom"):
        return extent(box, rotation)
    if motion["kind"] == "rotate":
        n = 33
        return union([extent(box, motion["from"] + (motion["to"] - motion["from"]) * i / (n - 1))
                       for i in range(n)])
    return union([extent(box, rotation, motion["from"]), extent(box, rotation, motion["to"])])


def place(rng, ext, w: float, h: float, margin: float, motion: dict | None):
    """Position(s) keeping ``ext`` inside the canvas; None when it cannot fit.

    Returns ``(position, extra)``: ``extra`` holds the scroll end or the camera shift of a clip.
    """
    lo_x, hi_x = margin - ext[0], w - margin - ext[2]
    lo_y, hi_y = margin - ext[1], h - margin - ext[3]
    if lo_x > hi_x or lo_y > hi_y:
        return None
    kind = motion["kind"] if motion else None
    if kind == "scroll":
        # scroll along the roomier axis, at least a fifth of the room
        if hi_x - lo_x < 0.05 * w and hi_y - lo_y < 0.05 * h:
            return None
        axis = 0 if (hi_x - lo_x) / w >= (hi_y - lo_y) / h else 1
        lo, hi = (lo_x, hi_x) if axis == 0 else (lo_y, hi_y)
        a, b = sorted(float(v) for v in rng.uniform(lo, hi, size=2))
        if b - a < 0.2 * (hi - lo):
            a, b = lo, hi
        if rng.random() < 0.5:
            a, b = b, a
        other = float(rng.uniform(lo_y, hi_y)) if axis == 0 else float(rng.uniform(lo_x, hi_x))
        p0 = (a, other) if axis == 0 else (other, a)
        p1 = (b, other) if axis == 0 else (other, b)
        return (round(p0[0], 2), round(p0[1], 2)), {"to": [round(p1[0], 2), round(p1[1], 2)]}
    if kind == "camera_pan":
        # the camera moves by d: the text appears at p - d; both ends must stay inside
        room_x, room_y = hi_x - lo_x, hi_y - lo_y
        if room_x < 0.05 * w and room_y < 0.05 * h:
            return None
        axis = 0 if room_x / w >= room_y / h else 1
        room = room_x if axis == 0 else room_y
        d = float(rng.uniform(0.4, 0.9)) * room * (1 if rng.random() < 0.5 else -1)
        d0, d1 = -d / 2.0, d / 2.0
        if axis == 0:
            px = (lo_x + hi_x) / 2.0
            py = float(rng.uniform(lo_y, hi_y))
            shift = [[round(d0, 2), 0.0], [round(d1, 2), 0.0]]
        else:
            px = float(rng.uniform(lo_x, hi_x))
            py = (lo_y + hi_y) / 2.0
            shift = [[0.0, round(d0, 2)], [0.0, round(d1, 2)]]
        return (round(px, 2), round(py, 2)), {"camera_shift": shift}
    return (round(float(rng.uniform(lo_x, hi_x)), 2), round(float(rng.uniform(lo_y, hi_y)), 2)), {}


def start_bbox(spec: dict) -> tuple:
    """Canvas box of the content at the time the detailed caption describes (the clip's start)."""
    box = spec["local_box"]
    m = spec.get("motion")
    rot = spec["rotation"]
    scale = 1.0
    px, py = spec["position"]
    if m is not None:
        if m["kind"] == "rotate":
            rot = m["from"]
        elif m["kind"] == "zoom":
            scale = m["from"]
        elif m["kind"] == "camera_pan":
            px -= m["camera_shift"][0][0]
            py -= m["camera_shift"][0][1]
    e = extent(box, rot, scale)
    return (px + e[0], py + e[1], px + e[2], py + e[3])


def motion_caption(m: dict, spec: dict, what: str, what_zh: str) -> tuple:
    """(EN, ZH) motion captions of a clip motion applied to ``what`` ("text", "formula", ...)."""
    a, b = C.seconds(m["start"]), C.seconds(m["end"])
    az, bz = C.seconds_zh(m["start"]), C.seconds_zh(m["end"])
    k = m["kind"]
    if k == "typewriter":
        return (f"The {what} types itself out character by character from {a} to {b}, then stays.",
                f"{what_zh}从{az}到{bz}逐字打出，之后保持不动。")
    if k == "fade":
        return (f"The {what} fades in from invisible to fully opaque between {a} and {b}.",
                f"{what_zh}在{az}到{bz}之间由透明渐渐显现。")
    if k == "scroll":
        dx = m["to"][0] - spec["position"][0]
        dy = m["to"][1] - spec["position"][1]
        en, zh = (("right", "向右") if dx > 0 else ("left", "向左")) if abs(dx) >= abs(dy) else \
            (("down", "向下") if dy > 0 else ("up", "向上"))
        return (f"The {what} slides {en} across the frame from {a} to {b} and stays fully visible.",
                f"{what_zh}在{az}到{bz}之间{zh}平移，始终完整可见。")
    if k == "rotate":
        cw = m["to"] > m["from"]
        return (f"The {what} turns {'clockwise' if cw else 'counterclockwise'} from {abs(m['from']):.0f} degrees "
                f"{'counterclockwise' if m['from'] < 0 else 'clockwise'} to {abs(m['to']):.0f} degrees "
                f"{'counterclockwise' if m['to'] < 0 else 'clockwise'} between {a} and {b}.",
                f"{what_zh}在{az}到{bz}之间{'顺时针' if cw else '逆时针'}旋转，从"
                f"{'逆时针' if m['from'] < 0 else '顺时针'}{abs(m['from']):.0f}度转到"
                f"{'逆时针' if m['to'] < 0 else '顺时针'}{abs(m['to']):.0f}度。")
    if k == "zoom":
        grow = m["to"] > m["from"]
        return (f"The {what} {'grows' if grow else 'shrinks'} from {m['from']:.2f} to {m['to']:.2f} times its size "
                f"between {a} and {b}.",
                f"{what_zh}在{az}到{bz}之间从{m['from']:.2f}倍{'放大' if grow else '缩小'}到{m['to']:.2f}倍。")
    (ax, ay), (bx, by) = m["camera_shift"]
    dx, dy = bx - ax, by - ay
    if abs(dx) >= abs(dy):
        cam, txt, cz, tz = ("right", "left", "向右", "向左") if dx > 0 else ("left", "right", "向左", "向右")
    else:
        cam, txt, cz, tz = ("down", "up", "向下", "向上") if dy > 0 else ("up", "down", "向上", "向下")
    return (f"The camera pans {cam} from {a} to {b}, so the {what} drifts {txt} while staying in view.",
            f"镜头在{az}到{bz}之间{cz}平移，{what_zh}随之{tz}移动，始终在画面内。")




def motion_transform(spec: dict) -> tuple:
    """``(Transform, Camera or None)`` of a spec's content node: position, rotation and the clip motion.

    Handles fade, scroll, rotate, zoom and camera_pan; other motions (typewriter, drawing order,
    driving) are applied by the domain itself and leave the transform static.
    """
    import symbolreel as sr

    tkw, camera = motion_kwargs(spec)
    return sr.Transform(**tkw), camera


def motion_kwargs(spec: dict) -> tuple:
    """``(Transform keyword arguments, Camera or None)``: what :func:`motion_transform` builds, before
    the Transform is made (for domains that reuse a keyframed value, e.g. a plate fading with its text)."""
    import symbolreel as sr

    px, py = spec["position"]
    tkw = {"position": (px, py), "rotation": spec.get("rotation", 0.0)}
    camera = None
    m = spec.get("motion")
    if m is not None:
        t0, t1, ease = m["start"], m["end"], m["ease"]
        if m["kind"] == "fade":
            tkw["opacity"] = sr.keys((t0, 0.0), (t1, 1.0, ease))
        elif m["kind"] == "scroll":
            tkw["position"] = sr.keys((t0, (px, py)), (t1, tuple(m["to"]), ease))
        elif m["kind"] == "rotate":
            tkw["rotation"] = sr.keys((t0, m["from"]), (t1, m["to"], ease))
        elif m["kind"] == "zoom":
            tkw["scale"] = sr.keys((t0, (m["from"], m["from"])), (t1, (m["to"], m["to"]), ease))
        elif m["kind"] == "camera_pan":
            w, h = spec["canvas"]["width"], spec["canvas"]["height"]
            (ax, ay), (bx, by) = m["camera_shift"]
            camera = sr.Camera(position=sr.keys((t0, (w / 2.0 + ax, h / 2.0 + ay)),
                                                (t1, (w / 2.0 + bx, h / 2.0 + by), ease)))
    return tkw, camera
