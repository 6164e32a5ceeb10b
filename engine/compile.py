"""Compile a Scene into flat arrays: node table, packed tracks, transform parameters.

Compilation happens once per scene (per process); after it, a frame needs one
batch call to sample all tracks and one to compose all world matrices.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .animators import noise_key, pack_tracks, sample_tracks
from .animators.tracks import Track
from .animators.transforms import N_PARAMS, compose_world, compose_world_one
from .animators.warm import warm_up
from .fields import specs
from .scene import Scene

_NO_TRACKS = pack_tracks([], [], [])

_TRANSFORM_COLS = {"anchor": (0, 2), "position": (2, 4), "scale": (4, 6), "rotation": (6, 7),
                   "skew": (7, 9), "opacity": (9, 10)}


# animated props that change paint, not the local outline (so paths/layouts can be cached)
_STYLE_PROPS = {"fill", "reveal"}


def _noise_key(seed: int, node_id: str, prop: str) -> int:
    return noise_key(seed, node_id, prop)


def _shift(col, offset: int):
    """A packed column selector moved ``offset`` columns right (slices and index arrays alike)."""
    if isinstance(col, slice):
        return slice(col.start + offset, col.stop + offset, col.step)
    return np.asarray(col) + offset


def node_properties(node):
    """``(name, value, kind, noise name or None)`` of every property of a node but id / transform /
    visible / children, walking nested structs (``stroke.width``), lists of structs
    (``items.3.param``) and mappings (``points.A``) to any depth. A node class may override this
    with a ``properties()`` method (e.g. to expose tracks it keeps in another form)."""
    own = getattr(node, "properties", None)
    if own is not None:
        yield from own()
        return
    for name, spec, _ in specs(type(node)):
        if name in ("id", "transform", "visible", "children"):
            continue
        yield from _walk_value(name, spec, getattr(node, name))


def _walk_value(name, spec, v):
    if spec.kind == "struct" and v is not None:
        for sub, sspec, _ in specs(type(v)):
            yield from _walk_value(f"{name}.{sub}", sspec, getattr(v, sub))
    elif spec.kind == "structs" and v:
        for k, item in enumerate(v):
            if dataclasses.is_dataclass(item):
                for sub, sspec, _ in specs(type(item)):
                    sv = getattr(item, sub)
                    if _has_track(sspec, sv):
                        yield from _walk_value(f"{name}.{k}.{sub}", sspec, sv)
    elif spec.kind == "mapping" and isinstance(v, dict):
        for key, sv in v.items():
            if isinstance(sv, Track):
                yield f"{name}.{key}", sv, "number" if sv.dim == 1 else "vector", None
    yield name, v, spec.kind, None


def _has_track(spec, v) -> bool:
    if isinstance(v, Track):
        return True
    if spec.kind == "struct" and v is not None:
        return any(_has_track(ss, getattr(v, n)) for n, ss, _ in specs(type(v)))
    return False


@dataclass
class NodeEntry:
    index: int
    node: object
    parent: int
    path: tuple
    window: tuple           # effective visibility [start, end) in seconds (end may be inf)
    static: dict            # prop name -> literal value (non-animated props)
    animated: list          # (prop name, column slice, kind) sampled per frame
    geometry_static: bool   # local path can be built once
    style_static: bool = True  # fill/stroke never change (paints can be reused)


class CompiledScene:
    """Flat, render-ready form of a Scene; picklable inputs only (Skia objects live in the renderer)."""

    def __init__(self, scene: Scene, base_dir: str | None = None):
        self.scene = scene
        self.canvas = scene.canvas
        self.base_dir = base_dir
        self.n_frames = scene.canvas.n_frames
        walked = scene.walk()
        self.entries: list = []
        tracks, colour_flags, noise_keys = [], [], []
        n = len(walked)
        self.parents = np.full(n, -1, dtype=np.int64)
        self.base_params = np.zeros((n, N_PARAMS))
        transform_tracks = []  # (node index, col a, col b, track slot)
        clocked_tracks: dict = {}  # node index -> [(prop, Track, kind, noise name)] sampled at the node's clock

        def add_track(tr: Track, is_colour: bool, node_id: str, prop: str) -> int:
            tracks.append(tr)
            colour_flags.append(is_colour)
            noise_keys.append(_noise_key(scene.seed, node_id, prop))
            return len(tracks) - 1

        for i, (node, parent, path) in enumerate(walked):
            self.parents[i] = parent
            start, end = node.visible
            end = np.inf if end is None else end
            if parent >= 0:
                pw = self.entries[parent].window
                start, end = max(start, pw[0]), min(end, pw[1])
            static, animated = {}, []
            tf = node.transform
            for name, spec, _ in specs(type(tf)):
                a, b = _TRANSFORM_COLS[name]
                v = getattr(tf, name)
                if isinstance(v, Track):
                    slot = add_track(v, False, node.id, f"transform.{name}")
                    transform_tracks.append((i, a, b, slot))
                    v = v.keys[0].value
                self.base_params[i, a:b] = v if isinstance(v, tuple) else (v,)
            clock = getattr(type(node), "CLOCK", None)
            clocked = tuple(getattr(type(node), "CLOCKED", ()))
            for name, v, kind, noise_name in node_properties(node):
                if isinstance(v, Track):
                    key = noise_name or name
                    if clock is not None and name != clock and name.split(".", 1)[0] in clocked:
                        clocked_tracks.setdefault(i, []).append((name, v, kind, key))
                    else:
                        animated.append((name, add_track(v, kind == "colour", node.id, key), kind))
                else:
                    static[name] = v
            geometry_static = all(a[0] in _STYLE_PROPS or a[0].startswith("stroke.") for a in animated)
            style_static = not any(a[0] == "fill" or a[0].startswith("stroke.") for a in animated)
            self.entries.append(NodeEntry(i, node, parent, path, (start, end), static, animated, geometry_static,
                                          style_static))
        # camera: its animated parts are sampled with everything else
        self.camera = scene.camera
        self.camera_tracks = {}
        if self.camera is not None:
            for name in ("position", "zoom", "rotation"):
                v = getattr(self.camera, name)
                if isinstance(v, Track):
                    self.camera_tracks[name] = add_track(v, False, "camera", name)
        # a scene without tracks (most dataset stills) is the same at every t: its matrices are
        # computed once, in plain Python (same bits as the kernel), and Numba is never loaded
        self.static = not tracks and not clocked_tracks
        self._static_sample = None
        self.packed = pack_tracks(tracks, colour_flags, noise_keys) if tracks else _NO_TRACKS
        cols = self.packed.columns
        self.transform_tracks = [(i, a, b, cols[slot]) for i, a, b, slot in transform_tracks]
        self.camera_tracks = {k: cols[slot] for k, slot in self.camera_tracks.items()}
        for e in self.entries:
            e.animated = [(name, cols[slot], kind) for name, slot, kind in e.animated]
        # tracks on a node's own clock (CLOCK / CLOCKED): one pack per node, sampled at the clock's value,
        # written into columns after the scene's own
        self.width = self.packed.width
        self.clocked = []
        for i, items in clocked_tracks.items():
            e = self.entries[i]
            node = e.node
            pack = pack_tracks([tr for _, tr, _, _ in items], [k == "colour" for _, _, k, _ in items],
                               [_noise_key(scene.seed, node.id, key) for _, _, _, key in items])
            offset = self.width
            self.width += pack.width
            clock = type(node).CLOCK
            clock_col = next((col for name, col, _ in e.animated if name == clock), None)
            self.clocked.append((pack, offset, clock_col, e.static.get(clock, 0.0)))
            for (name, _, kind, _), col in zip(items, pack.columns):
                e.animated.append((name, _shift(col, offset), kind))
            e.geometry_static = False  # clocked props are geometry (points, angles)

    def times(self, frames) -> np.ndarray:
        return np.asarray(frames, dtype=np.float64) / self.canvas.fps

    def sample(self, times):
        """Sample all tracks and world transforms at ``times`` (seconds).

        Returns ``(samples (n_t, width), world (n_t, n_nodes, 2, 3), opacity (n_t, n_nodes))``.
        """
        times = np.asarray(times, dtype=np.float64)
        if self.static:
            return self._sample_static(len(times))
        warm_up()   # first use in a process: compile/load the kernels (with a notice when it is slow)
        samples = sample_tracks(self.packed, times) if self.packed.width else np.zeros((len(times), 0))
        if self.clocked:
            samples = np.concatenate([samples, np.zeros((len(times), self.width - samples.shape[1]))], axis=1)
            for pack, offset, clock_col, clock_value in self.clocked:
                clock = samples[:, clock_col].reshape(len(times), -1)[:, 0] if clock_col is not None else \
                    np.full(len(times), float(clock_value))
                samples[:, offset:offset + pack.width] = sample_tracks(pack, np.ascontiguousarray(clock))
        params = np.broadcast_to(self.base_params, (len(times),) + self.base_params.shape).copy()
        for i, a, b, col in self.transform_tracks:
            params[:, i, a:b] = samples[:, col]
        world, opacity = compose_world(self.parents, params, self.root_matrices(times, samples))
        return samples, world, opacity

    def _sample_static(self, n: int):
        if self._static_sample is None:
            root = self.root_matrices(np.zeros(1), np.zeros((1, 0)))
            world, opacity = compose_world_one(self.parents, self.base_params, None if root is None else root[0])
            world.setflags(write=False)
            opacity.setflags(write=False)
            self._static_sample = world, opacity
        world, opacity = self._static_sample
        # read-only views: every frame of a static scene shares one set of matrices
        if n == 1:   # one still (most dataset items): a view without broadcast_to's cost
            return np.zeros((1, 0)), world[None], opacity[None]
        return (np.zeros((n, 0)), np.broadcast_to(world, (n,) + world.shape),
                np.broadcast_to(opacity, (n,) + opacity.shape))

    def root_matrices(self, times, samples):
        """Matrix applied above every top-level node (the camera); None for identity.

        This is the hook for other cameras: override it (or set ``camera``) to map the whole scene.
        """
        cam = self.camera
        if cam is None:
            return None
        n = len(times)
        cx, cy = self.canvas.width / 2, self.canvas.height / 2

        def value(name, default):
            if name in self.camera_tracks:
                return samples[:, self.camera_tracks[name]]
            v = getattr(cam, name)
            v = default if v is None else v
            return np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(1, -1), (n, np.size(v)))

        pos = value("position", (cx, cy))
        zoom = value("zoom", 1.0)[:, 0]
        rot = np.deg2rad(-value("rotation", 0.0)[:, 0])
        c, s = np.cos(rot) * zoom, np.sin(rot) * zoom
        m = np.zeros((n, 2, 3))
        m[:, 0, 0], m[:, 0, 1] = c, -s
        m[:, 1, 0], m[:, 1, 1] = s, c
        m[:, 0, 2] = cx - (c * pos[:, 0] - s * pos[:, 1])
        m[:, 1, 2] = cy - (s * pos[:, 0] + c * pos[:, 1])
        return m

    def props_at(self, entry: NodeEntry, times) -> list:
        """Property values of a node at several ``times`` (one batch sample)."""
        samples, _, _ = self.sample(times)
        return [self.props(entry, row) for row in samples]

    def props(self, entry: NodeEntry, row) -> dict:
        """Current property values of a node given one sample row."""
        if not entry.animated:
            return entry.static
        p = dict(entry.static)
        for name, col, kind in entry.animated:
            v = row[col]
            if kind == "number":
                p[name] = float(v[0])
            elif kind == "points":
                p[name] = tuple((float(v[k]), float(v[k + 1])) for k in range(0, len(v), 2))
            else:
                p[name] = tuple(float(x) for x in v)
        return p
