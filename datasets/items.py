"""One dataset item as a pure function of (recipe, index): seed -> spec -> scene -> members.

:func:`make_item` is the only place an item is made: the runner (any backend, any worker count)
and ``--only`` both call it, which is why a regenerated item equals the one in the shard.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import Future
from dataclasses import dataclass

from .labels import annotation_document, encode_label_png, lane_rows, languages_of, rendered_text, scene_yaml
from .seeding import item_key, item_rng, item_seed

__all__ = ["Item", "ItemError", "make_item", "choose"]


class ItemError(Exception):
    """An item failed. The message names its key, index, seed and how to reproduce it alone."""

    def __init__(self, message: str, key: str = "", index: int = -1, seed: int = -1):
        super().__init__(message)
        self.key, self.index, self.seed = key, index, seed

    def __reduce__(self):              # picklable across processes and Ray
        return (ItemError, (str(self), self.key, self.index, self.seed))


@dataclass
class Item:
    index: int
    key: str
    seed: int
    domain: str
    media: str
    members: dict          # ext -> bytes (tar member KEY.ext), or a Future of them while encoding
    row: dict              # manifest row, less shard and offset

    def resolved(self) -> "Item":
        """The item with every member's bytes (waits for encodings running on threads)."""
        try:
            self.members = {k: (v.result() if isinstance(v, Future) else v) for k, v in self.members.items()}
        except Exception as exc:
            raise ItemError(f"item {self.key} (index {self.index}, seed {self.seed}, domain {self.domain}, "
                            f"{self.media}) failed: {type(exc).__name__}: {exc}; reproduce it alone with "
                            f"--only {self.index}", self.key, self.index, self.seed) from exc
        return self


def _now(fn, *args):
    return fn(*args)


def choose(rng, weights: dict) -> str:
    """Weighted choice over a mapping, in its (recipe) order; one uniform draw."""
    names = [k for k, w in weights.items() if w > 0]
    cum, total = [], 0.0
    for k in names:
        total += float(weights[k])
        cum.append(total)
    u = rng.random() * total
    for k, c in zip(names, cum):
        if u < c:
            return k
    return names[-1]


def _json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def make_item(recipe, index: int, encode=None) -> Item:
    """Sample, build, caption and render item ``index`` of ``recipe``; see the module docstring.

    ``encode(fn, *args)`` runs the PNG encodings: by default at once; the runner passes a thread
    pool's ``submit`` so that deflating (which releases the GIL) overlaps the next item's drawing, and
    calls :meth:`Item.resolved` before writing. The bytes are the same either way.
    """
    from . import domains

    seed = item_seed(recipe.seed, index)
    key = item_key(index)
    weights = {d.name: d.weight for d in recipe.domains}
    name = choose(item_rng(seed, "domain"), weights)
    entry = recipe.domain(name)
    media = choose(item_rng(seed, "media"), entry.media)
    try:
        domain = domains.get(name)
        spec = domain.sample(item_rng(seed, "sample"), entry.options, media)
        scene = domain.build(spec)
        captions = domain.captions(spec, scene, item_rng(seed, "captions"))
        members, labels, frames = _render(recipe, key, scene, media, encode or _now)
    except Exception as exc:
        raise ItemError(f"item {key} (index {index}, seed {seed}, domain {name}, {media}) failed: "
                        f"{type(exc).__name__}: {exc}; reproduce it alone with --only {index}",
                        key, index, seed) from exc
    doc = {"key": key, "index": index, "seed": seed, "domain": name, "media": media, "spec": spec,
           "captions": captions, **labels}
    members["json"] = _json(doc)
    members["txt"] = (captions.get("en", {}).get("short", "") + "\n").encode("utf-8")
    members["scene.yaml"] = scene_yaml(scene).encode("utf-8")
    texts = rendered_text(scene)
    c = scene.canvas
    row = {"key": key, "index": index, "domain": name, "media": media, "width": c.width, "height": c.height,
           "frames": frames, "fps": float(c.fps) if media == "clip" else None, "seed": seed,
           "caption": captions.get("en", {}).get("short"), "caption_zh": captions.get("zh", {}).get("short"),
           "captions": json.dumps(captions, ensure_ascii=False, sort_keys=True), "text": texts,
           "languages": languages_of(texts)}
    item = Item(index, key, seed, name, media, members, row)
    return item if encode is not None else item.resolved()


def _render(recipe, key: str, scene, media: str, encode):
    """Members of the picture (PNG or MP4, masks) and the label fields of the JSON member."""
    from symbolreel.session import Session as _Session
    from symbolreel.sinks import encode_png

    scene.check_limits()
    # one compiled scene for the picture, the annotations and the masks
    session = _Session(scene, None)
    frames = []
    members = {}
    drawn = _DrawnMasks(recipe, scene, session)
    if media == "still":
        for i, arr, objects in session.iter_render([0], True):
            members["png"] = encode(encode_png, arr, recipe.png_compress)
            frames.append((i, objects))
            drawn.take(i)
    else:
        members["mp4"] = _encode_clip(recipe, session, frames, encode, drawn)
    labels = {"labels": annotation_document(scene, frames)}
    has_road = any(o.type == "road" for _, objs in frames for o in objs)
    if recipe.lanes and has_road:
        def raw_file(i):
            return f"{key}.png" if media == "still" else f"{key}.mp4#{i}"
        labels["lanes"] = lane_rows(scene, frames, raw_file, recipe.lanes)
    if recipe.masks:
        members.update(_masks(recipe, scene, session.renderer, frames, labels, media, has_road, encode, drawn))
    return members, labels, len(frames)


class _DrawnMasks:
    """The recipe's masks of each frame, taken from the display list the frame was just drawn from
    (:func:`symbolreel.masks.masks_of`) instead of sampling and emitting the frame again per mask
    kind. The session emits the mask kinds' mask-only items (never drawn), so the pixels are the
    same. Off for motion-blurred scenes, whose last display list is a sub-frame's."""

    def __init__(self, recipe, scene, session):
        from symbolreel.masks import MASK_KINDS

        blur = scene.motion_blur
        blurred = blur is not None and blur.samples > 1 and blur.shutter > 0
        self.kinds = () if blurred else tuple(k for k in MASK_KINDS if k in recipe.masks)
        self.session, self.by_frame = session, {}
        if self.kinds:
            session.mask_kinds = frozenset(self.kinds)

    def take(self, i: int) -> None:
        """Keep the masks of frame ``i``, drawn last."""
        if self.kinds:
            from symbolreel.masks import masks_of

            s = self.session
            self.by_frame[i] = masks_of(s.last_frame, s.renderer.backend, self.kinds)

    def of(self, i: int) -> dict:
        """``{kind: mask}`` kept for frame ``i`` (empty when none was)."""
        return self.by_frame.get(i, {})


def _encode_clip(recipe, session, frames: list, encode, drawn=None):
    """Draw the clip into ffmpeg; its bytes come from ``encode(_finished_clip, ...)``: with the
    runner's thread pool, waiting for x264 to flush its last frames (and for the 10 ms polls of
    imageio-ffmpeg's close) overlaps the next item instead of holding up this one."""
    from symbolreel.sinks import Mp4Writer

    c = session.compiled.scene.canvas
    tmp = tempfile.mkdtemp(prefix="symbolreel-item-")
    try:
        path = os.path.join(tmp, "clip.mp4")
        # one x264 thread: the bytes of an MP4 depend on the encoder's thread count
        writer = Mp4Writer(path, c.width, c.height, c.fps, crf=recipe.video_crf, preset=recipe.video_preset,
                           threads=1)
        try:
            for i, arr, objects in session.iter_render(list(range(c.n_frames)), True):
                writer.write(arr, i)
                frames.append((i, objects))
                if drawn is not None:
                    drawn.take(i)
        except BaseException:
            writer.abort()
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return encode(_finished_clip, writer, path, tmp)


def _finished_clip(writer, path: str, tmp: str) -> bytes:
    """Close ``writer`` (ffmpeg finishes the file) and return the file's bytes; ``tmp`` is removed."""
    try:
        writer.close()
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _masks(recipe, scene, renderer, frames, labels, media, has_road, encode, drawn=None) -> dict:
    """``charmask``/``instancemask``/``lanemask`` PNG members (``KEY.charmask.png`` for stills,
    ``KEY.charmask.0003.png`` per frame for clips); the id -> character and id -> node tables of
    character and instance masks go into the JSON member."""
    from symbolreel.masks import char_mask, instance_mask, lane_mask

    out = {}
    tables = []
    instances = []
    for i, _ in frames:
        suffix = "png" if media == "still" else f"{i:04d}.png"
        known = {} if drawn is None else drawn.of(i)
        if "char" in recipe.masks:
            mask, mapping = known.get("char") or char_mask(scene, i, renderer=renderer)
            out[f"charmask.{suffix}"] = encode(encode_label_png, mask.astype("uint16"), recipe.png_compress)
            tables.append({"frame": i, "ids": mapping})
        if "instance" in recipe.masks:
            mask, mapping = known.get("instance") or instance_mask(scene, i, renderer=renderer)
            out[f"instancemask.{suffix}"] = encode(encode_label_png, mask.astype("uint16"), recipe.png_compress)
            instances.append({"frame": i, "ids": mapping})
        if "lane" in recipe.masks and has_road:
            lane = known.get("lane")
            out[f"lanemask.{suffix}"] = encode(encode_label_png,
                                               lane if lane is not None else lane_mask(scene, i, renderer=renderer),
                                               recipe.png_compress)
    if tables:
        labels["char_masks"] = tables
    if instances:
        labels["instance_masks"] = instances
    return out
