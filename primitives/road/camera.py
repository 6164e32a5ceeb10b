"""Pinhole camera driving along a centreline; exact projection and near/far clipping.

Camera frame (OpenCV style): X right, Y down, Z forward (Z is the depth).  Pixel coordinates:
x to the right, y DOWN, origin at the top-left CORNER of the image, so pixel (i, j) covers
[i, i+1) x [j, j+1) and its centre is (i + 0.5, j + 0.5) (Skia's convention).  The principal
point is the image centre (width/2, height/2); square pixels, fx = fy = (height/2) / tan(fov_y/2).

Orientation, applied in this order to the vehicle frame (forward = road heading, left, up):
yaw about up (positive turns the view LEFT), then pitch about the camera's right axis (positive
looks DOWN), then roll about the viewing axis (positive lowers the camera's right side, so the
image content rotates counter-clockwise on screen).  Angles are degrees.

Clip polygons against the near plane (and the far plane) BEFORE projecting: points behind the
camera have no meaningful image.  Depth is affine in world coordinates, so clipping in world
space with depth as the plane function is the same as clipping in camera space.
"""
from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np
from symbolreel.jit import kernel
from symbolreel.pathops import clipped_pieces

__all__ = ["PinholeCamera", "PosedCamera", "clip_polygon_planes", "clip_polyline_values", "project_flat",
           "project_flat_arrays", "project_many"]


@dataclass(frozen=True)
class PinholeCamera:
    """Intrinsics and mounting: image size (px), vertical field of view (deg), height above
    the ground (m), pitch/yaw/roll (deg), near and far clip depths (m)."""

    width: int
    height: int
    fov_y_deg: float
    height_m: float
    pitch_deg: float
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    near: float = 0.5
    far: float = 200.0

    @property
    def focal(self) -> float:
        """Focal length in pixels (fx = fy)."""
        return 0.5 * self.height / np.tan(np.radians(0.5 * self.fov_y_deg))

    def intrinsics(self) -> np.ndarray:
        """3x3 matrix K."""
        f = self.focal
        return np.array([[f, 0.0, 0.5 * self.width], [0.0, f, 0.5 * self.height], [0.0, 0.0, 1.0]])

    def rotation(self, heading: float) -> np.ndarray:
        """3x3 R whose rows are the camera's right, down, forward axes in world coordinates."""
        # scalar maths (called once per frame; small NumPy arrays cost more than the arithmetic)
        a = float(heading) + math.radians(self.yaw_deg)
        th, ph = math.radians(self.pitch_deg), math.radians(self.roll_deg)
        ca, sa, ct, st, cp, sp = math.cos(a), math.sin(a), math.cos(th), math.sin(th), math.cos(ph), math.sin(ph)
        f2 = (ct * ca, ct * sa, -st)              # forward, pitched down
        u2 = (st * ca, st * sa, ct)               # up after pitch
        r2 = (sa, -ca, 0.0)                       # right = -left
        r3 = tuple(cp * r - sp * u for r, u in zip(r2, u2))
        u3 = tuple(sp * r + cp * u for r, u in zip(r2, u2))
        return np.array([r3, tuple(-v for v in u3), f2])

    def at_pose(self, x, y, heading) -> "PosedCamera":
        """Camera placed above ground point (x, y), vehicle heading ``heading`` (rad)."""
        centre = np.array([float(x), float(y), float(self.height_m)])
        return PosedCamera(self, self.rotation(heading), centre)

    def at(self, centreline, s, lateral=0.0) -> "PosedCamera":
        """Camera driving along ``centreline`` at arc length ``s``, ``lateral`` m left of it,
        looking along the road heading (plus yaw)."""
        x, y, h = centreline.pose(float(s))
        posed = self.at_pose(x - lateral * np.sin(h), y + lateral * np.cos(h), h)
        return PosedCamera(self, posed.R, posed.C, float(s))


@dataclass(frozen=True, eq=False)
class PosedCamera:
    """A camera with a world pose: ``R`` (rows right, down, forward) and centre ``C`` (3,);
    ``s`` is the centreline arc length it was placed at (None for :meth:`PinholeCamera.at_pose`)."""

    camera: PinholeCamera
    R: np.ndarray
    C: np.ndarray
    s: float | None = None

    @property
    def width(self) -> int:
        return self.camera.width

    @property
    def height(self) -> int:
        return self.camera.height

    def to_camera(self, points) -> np.ndarray:
        """World points (N, 3) -> camera coordinates (N, 3) (X right, Y down, Z depth)."""
        return (np.asarray(points, dtype=np.float64) - self.C) @ self.R.T

    def depth(self, points) -> np.ndarray:
        """Depth Z (distance along the optical axis) of world points (N, 3)."""
        return (np.asarray(points, dtype=np.float64) - self.C) @ self.R[2]

    def project(self, points):
        """World points (N, 3) -> (pixels (N, 2), depth (N,)).  Pixels of points with depth <= 0
        are meaningless (inf/nan): clip first."""
        pc = self.to_camera(points)
        z = pc[:, 2]
        f = self.camera.focal
        with np.errstate(divide="ignore", invalid="ignore"):
            uv = np.stack([f * pc[:, 0] / z + 0.5 * self.width,
                           f * pc[:, 1] / z + 0.5 * self.height], axis=1)
        return uv, z

    def clip_polygon_near(self, poly_world, near=None, far=None) -> np.ndarray:
        """Sutherland-Hodgman clip of a closed world polygon (N, 3) to near <= depth <= far
        (defaults: the camera's near and far).  Returns (M, 3), M == 0 when nothing is left."""
        near = self.camera.near if near is None else near
        far = self.camera.far if far is None else far
        p = np.asarray(poly_world, dtype=np.float64)
        d = self.depth(p)
        return clip_polygon_planes(p, np.stack([d - near, far - d], axis=1))

    def project_polygon(self, poly_world, near=None, far=None) -> np.ndarray:
        """Clip to the near/far planes, then project: image polygon (M, 2) (M may be 0)."""
        p = self.clip_polygon_near(poly_world, near, far)
        return self.project(p)[0] if len(p) else np.empty((0, 2))

    def clip_polyline_near(self, line_world, near=None, far=None) -> list[np.ndarray]:
        """Clip an open world polyline (N, 3) to near <= depth <= far; returns the pieces."""
        near = self.camera.near if near is None else near
        far = self.camera.far if far is None else far
        p = np.asarray(line_world, dtype=np.float64)
        d = self.depth(p)
        return clip_polyline_values(p, np.stack([d - near, far - d], axis=1))

    def horizon_line(self) -> np.ndarray:
        """Line (a, b, c) with a*x + b*y + c = 0 through the image of the ground's horizon
        (vanishing line of z = 0); ground points appear on the side where a*x+b*y+c > 0."""
        K = self.camera.intrinsics()
        line = np.linalg.inv(K).T @ self.R[:, 2]     # rays with zero world-z component
        return -line   # sign: a ray pointing down (ground) has world z < 0 -> positive value

    def horizon_row(self, x=None) -> float:
        """Image row y of the horizon at column x (default: image centre).  With no roll this is
        the same for every column: height/2 - focal * tan(pitch)."""
        a, b, c = self.horizon_line()
        x = 0.5 * self.width if x is None else x
        return float(-(a * x + c) / b)

    def ground_homography(self) -> np.ndarray:
        """3x3 H mapping ground points (x, y, 1) (z = 0) to homogeneous pixels.  Valid only for
        points in front of the camera (depth > 0)."""
        K = self.camera.intrinsics()
        t = -self.R @ self.C
        return K @ np.stack([self.R[:, 0], self.R[:, 1], t], axis=1)

    def visible_stretch(self, s=None, behind=None, margin=10.0) -> tuple[float, float]:
        """A conservative arc-length window [s - behind, s + far + margin] holding everything the
        camera at arc length ``s`` (default: where :meth:`PinholeCamera.at` put it) can see
        (arc length >= straight-line distance >= depth); ``margin`` covers lateral offsets and
        height. ``behind`` defaults to 10 m, or to far + margin when the yaw turns part of the
        view backwards (yaw plus half the diagonal field of view beyond 80 degrees)."""
        s = self.s if s is None else s
        if s is None:
            raise ValueError("visible_stretch: pass s (camera placed with at_pose)")
        if behind is None:
            cam = self.camera
            half_diag = math.degrees(math.atan(math.hypot(0.5 * cam.width, 0.5 * cam.height) / cam.focal))
            yaw = abs((cam.yaw_deg + 180.0) % 360.0 - 180.0)
            behind = cam.far + margin if yaw + half_diag > 80.0 else 10.0
        return float(s) - behind, float(s) + self.camera.far + margin


def clip_polygon_planes(poly, values) -> np.ndarray:
    """Sutherland-Hodgman: clip closed polygon ``poly`` (N, D) to the half-spaces values >= 0,
    where ``values`` (N, K) holds K plane functions, each affine along the polygon's edges."""
    p = poly
    v = values
    for k in range(v.shape[1]):
        if len(p) == 0:
            break
        p, v = _clip_one_plane(p, v, k)
    return p


def _clip_one_plane(p, v, k):
    """One Sutherland-Hodgman pass against plane k (vectorised over edges)."""
    d = v[:, k]
    inside = d >= 0
    if inside.all():
        return p, v
    if not inside.any():
        return p[:0], v[:0]
    d_next = np.roll(d, -1)
    cross = inside != np.roll(inside, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(cross, d / (d - d_next), 0.0)[:, None]
    p_x = p + t * (np.roll(p, -1, axis=0) - p)
    v_x = v + t * (np.roll(v, -1, axis=0) - v)
    v_x[:, k] = np.where(cross, 0.0, v_x[:, k])        # exactly on the plane
    keep = np.stack([inside, cross], axis=1).reshape(-1)
    pts = np.stack([p, p_x], axis=1).reshape(-1, p.shape[1])[keep]
    vals = np.stack([v, v_x], axis=1).reshape(-1, v.shape[1])[keep]
    return pts, vals


def clip_polyline_values(line, values) -> list[np.ndarray]:
    """Clip an open polyline (N, D) to the half-spaces values >= 0 (``values`` (N, K), affine
    along each segment); returns the list of inside pieces (each >= 2 points)."""
    line = np.asarray(line, dtype=np.float64)
    if len(line) < 2:
        return []
    a, b = values[:-1], values[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        tc = a / (a - b)
    t_lo = np.max(np.where((a < 0) & (b >= 0), tc, 0.0), axis=1)
    t_hi = np.min(np.where((a >= 0) & (b < 0), tc, 1.0), axis=1)
    dead = np.any((a < 0) & (b < 0), axis=1) | (t_lo >= t_hi)
    return clipped_pieces(line, t_lo, t_hi, dead)


# -- compiled batch projection (what a road frame draws, masks and labels) ----------------------

def project_flat_arrays(posed, pts, sizes, near=None, far=None):
    """:func:`project_flat` for polygons already concatenated: ``pts`` (N, 3), ``sizes``."""
    if not len(sizes):
        return np.empty((0, 2)), np.zeros(0, np.int64)
    cam = posed.camera
    return _project_clip_all(np.ascontiguousarray(pts, dtype=np.float64), np.asarray(sizes, np.int64),
                             np.ascontiguousarray(posed.R), np.ascontiguousarray(posed.C), cam.focal,
                             0.5 * posed.width, 0.5 * posed.height, cam.near if near is None else near,
                             cam.far if far is None else far)


def project_flat(posed, polys, near=None, far=None):
    """Project world polygons, clipped to the near and far planes (default: the camera's; the same
    Sutherland-Hodgman construction as ``posed.project_polygon``), in one compiled call. Drawing,
    masks and object labels of a road frame all come from this one projection.

    Returns ``(points (M, 2), sizes (len(polys),))``; a polygon wholly out of range has size 0.
    """
    if not len(polys):
        return np.empty((0, 2)), np.zeros(0, np.int64)
    sizes = np.array([len(p) for p in polys], dtype=np.int64)
    return project_flat_arrays(posed, np.concatenate(polys), sizes, near, far)


def project_many(posed, polys, near=None, far=None) -> list:
    """Like :func:`project_flat`, as a list of (k, 2) arrays."""
    out, sizes = project_flat(posed, polys, near, far)
    return np.split(out, np.cumsum(sizes)[:-1]) if len(sizes) else []


@kernel(cache=True)
def _project_clip_all(pts, sizes, R, C, focal, cx, cy, near, far):
    n_total = 0
    for n in sizes:
        n_total += 4 * n + 8
    out = np.empty((n_total, 2))
    out_sizes = np.zeros(sizes.shape[0], np.int64)
    start = 0
    m = 0
    for i in range(sizes.shape[0]):
        n = sizes[i]
        poly = pts[start:start + n]
        cam = np.empty((n, 3))
        for j in range(n):
            for r in range(3):
                cam[j, r] = (R[r, 0] * (poly[j, 0] - C[0]) + R[r, 1] * (poly[j, 1] - C[1])
                             + R[r, 2] * (poly[j, 2] - C[2]))
        lo = cam[:, 2].min()
        hi = cam[:, 2].max()
        start += n
        if hi < near or lo > far:
            continue
        if lo >= near and hi <= far:
            clipped = cam
        else:
            vals = np.empty((n, 2))
            for j in range(n):
                vals[j, 0] = cam[j, 2] - near
                vals[j, 1] = far - cam[j, 2]
            clipped = _clip_planes(cam, vals)
        k = clipped.shape[0]
        for j in range(k):
            z = clipped[j, 2]
            out[m + j, 0] = focal * clipped[j, 0] / z + cx
            out[m + j, 1] = focal * clipped[j, 1] / z + cy
        out_sizes[i] = k
        m += k
    return out[:m], out_sizes


@kernel(cache=True)
def _clip_planes(p, v):
    """Sutherland-Hodgman against the half-spaces v[:, k] >= 0 (values affine along edges).

    Same construction as clip_polygon_planes (t = d / (d - d_next) on crossing
    edges), compiled: the per-polygon NumPy version costs ~0.2 ms, this a few microseconds.
    """
    for k in range(v.shape[1]):
        n = p.shape[0]
        if n == 0:
            break
        out_p = np.empty((2 * n, p.shape[1]))
        out_v = np.empty((2 * n, v.shape[1]))
        m = 0
        for i in range(n):
            j = (i + 1) % n
            di, dj = v[i, k], v[j, k]
            if di >= 0:
                out_p[m] = p[i]
                out_v[m] = v[i]
                m += 1
            if (di >= 0) != (dj >= 0):
                t = di / (di - dj)
                out_p[m] = p[i] + t * (p[j] - p[i])
                out_v[m] = v[i] + t * (v[j] - v[i])
                out_v[m, k] = 0.0
                m += 1
        p = out_p[:m].copy()
        v = out_v[:m].copy()
    return p


def warm_up() -> None:
    """Compile (or load from Numba's disk cache) the projection kernels with the argument types a
    road frame uses, so the first road render after install does not spend seconds compiling."""
    square = np.array([[-1.0, 5.0, 0.0], [1.0, 5.0, 0.0], [1.0, 50.0, 0.0], [-1.0, 50.0, 0.0]])
    _project_clip_all(square, np.array([4], np.int64), np.eye(3), np.zeros(3), 100.0, 64.0, 64.0, 10.0, 20.0)
