"""World transforms for a batch of times: a Numba kernel and its NumPy reference.

Local transform of a node, applied to a local point p (documented order):

    M = T(position) . R(rotation) . K(skew) . S(scale) . T(-anchor)

* rotation in degrees, positive turns clockwise on screen (y axis points down);
* K = [[1, tan(skew_x), 0], [tan(skew_y), 1, 0]] with skew angles in degrees;
* world = parent_world . M; world opacity = parent opacity * opacity.

Parameters are packed per node as PARAMS columns, in this order.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

PARAMS = ("anchor_x", "anchor_y", "x", "y", "scale_x", "scale_y", "rotation", "skew_x", "skew_y", "opacity")
N_PARAMS = len(PARAMS)


def _libm(fn, x: np.ndarray) -> np.ndarray:
    return np.asarray(np.frompyfunc(fn, 1, 1)(x), dtype=np.float64)


def local_matrices(params: np.ndarray) -> np.ndarray:
    """``params``: (..., N_PARAMS) -> (..., 2, 3) affine matrices."""
    ax, ay, x, y, sx, sy, rot, kx, ky = (params[..., i] for i in range(9))
    r = np.deg2rad(rot)
    # the C library's trig, as the Numba kernel uses: NumPy's SIMD versions (AVX-512) can
    # differ from it in the last bit
    c, s = _libm(math.cos, r), _libm(math.sin, r)
    tx, ty = _libm(math.tan, np.deg2rad(kx)), _libm(math.tan, np.deg2rad(ky))
    # R.K.S columns: R @ [[sx, tx*sy], [ty*sx, sy]]
    a = c * sx - s * ty * sx
    b = c * tx * sy - s * sy
    d = s * sx + c * ty * sx
    e = s * tx * sy + c * sy
    out = np.empty(params.shape[:-1] + (2, 3))
    out[..., 0, 0] = a
    out[..., 0, 1] = b
    out[..., 1, 0] = d
    out[..., 1, 1] = e
    out[..., 0, 2] = x - (a * ax + b * ay)
    out[..., 1, 2] = y - (d * ax + e * ay)
    return out


def compose_world_reference(parents: np.ndarray, params: np.ndarray, root: np.ndarray | None = None):
    """NumPy reference of :func:`compose_world` (same contract; used by the tests).

    ``parents``: int64 (n_nodes,), each parent index < the child's index, -1 for roots.
    ``params``: float64 (n_times, n_nodes, N_PARAMS).
    ``root``: optional (n_times, 2, 3) matrix applied above every root (the camera).
    Returns ``(world (n_times, n_nodes, 2, 3), opacity (n_times, n_nodes))``.
    """
    n_t, n_n = params.shape[0], params.shape[1]
    local = local_matrices(params)
    world = np.empty_like(local)
    opac = np.empty((n_t, n_n))
    for i in range(n_n):
        p = parents[i]
        if p < 0:
            if root is None:
                world[:, i] = local[:, i]
            else:
                world[:, i] = _mul(root, local[:, i])
            opac[:, i] = params[:, i, 9]
        else:
            world[:, i] = _mul(world[:, p], local[:, i])
            opac[:, i] = opac[:, p] * params[:, i, 9]
    return world, opac


def _mul(m: np.ndarray, n: np.ndarray) -> np.ndarray:
    """m . n for stacks of 2x3 affine matrices, written out term by term.

    Not ``@``: NumPy's matmul may go through BLAS, whose fused multiply-adds
    make the last bit depend on the machine; explicit products are exactly
    reproducible and match the Numba kernel bit for bit.
    """
    out = np.empty(np.broadcast_shapes(m.shape, n.shape))
    for r in range(2):
        out[..., r, 0] = m[..., r, 0] * n[..., 0, 0] + m[..., r, 1] * n[..., 1, 0]
        out[..., r, 1] = m[..., r, 0] * n[..., 0, 1] + m[..., r, 1] * n[..., 1, 1]
        out[..., r, 2] = (m[..., r, 0] * n[..., 0, 2] + m[..., r, 1] * n[..., 1, 2]) + m[..., r, 2]
    return out


@njit(cache=True)
def _local(p, out):
    """One node's local matrix; the same operations, in the same order, as :func:`local_matrices`."""
    ax = p[0]
    ay = p[1]
    x = p[2]
    y = p[3]
    sx = p[4]
    sy = p[5]
    r = np.deg2rad(p[6])
    c = np.cos(r)
    s = np.sin(r)
    tx = np.tan(np.deg2rad(p[7]))
    ty = np.tan(np.deg2rad(p[8]))
    a = c * sx - s * ty * sx
    b = c * tx * sy - s * sy
    d = s * sx + c * ty * sx
    e = s * tx * sy + c * sy
    out[0, 0] = a
    out[0, 1] = b
    out[1, 0] = d
    out[1, 1] = e
    out[0, 2] = x - (a * ax + b * ay)
    out[1, 2] = y - (d * ax + e * ay)


@njit(cache=True)
def _mul_into(m, n, out):
    """out = m . n for 2x3 affine matrices (implicit last row 0 0 1)."""
    out[0, 0] = m[0, 0] * n[0, 0] + m[0, 1] * n[1, 0]
    out[0, 1] = m[0, 0] * n[0, 1] + m[0, 1] * n[1, 1]
    out[1, 0] = m[1, 0] * n[0, 0] + m[1, 1] * n[1, 0]
    out[1, 1] = m[1, 0] * n[0, 1] + m[1, 1] * n[1, 1]
    out[0, 2] = (m[0, 0] * n[0, 2] + m[0, 1] * n[1, 2]) + m[0, 2]
    out[1, 2] = (m[1, 0] * n[0, 2] + m[1, 1] * n[1, 2]) + m[1, 2]


@njit(cache=True)
def _compose_row(t, parents, params, root, has_root, world, opac):
    loc = np.empty((2, 3))
    for i in range(params.shape[1]):
        _local(params[t, i], loc)
        p = parents[i]
        if p < 0:
            if has_root:
                _mul_into(root[t], loc, world[t, i])
            else:
                world[t, i, :, :] = loc
            opac[t, i] = params[t, i, 9]
        else:
            _mul_into(world[t, p], loc, world[t, i])
            opac[t, i] = opac[t, p] * params[t, i, 9]


@njit(cache=True, parallel=True)
def _compose_kernel(parents, params, root, has_root, world, opac):
    for t in prange(params.shape[0]):
        _compose_row(t, parents, params, root, has_root, world, opac)


# separate function, not a second compile of the same one (the on-disk cache is keyed by function);
# a thread pool wake-up costs more than small batches (see sampling.py)
@njit(cache=True)
def _compose_kernel_serial(parents, params, root, has_root, world, opac):
    for t in range(params.shape[0]):
        _compose_row(t, parents, params, root, has_root, world, opac)


PARALLEL_MIN_NODES = 20_000  # times x nodes before the parallel kernel pays off


def compose_world(parents: np.ndarray, params: np.ndarray, root: np.ndarray | None = None):
    """Compose world matrices through the tree.

    ``parents``: int64 (n_nodes,), each parent index < the child's index, -1 for roots.
    ``params``: float64 (n_times, n_nodes, N_PARAMS).
    ``root``: optional (n_times, 2, 3) matrix applied above every root (the camera).
    Returns ``(world (n_times, n_nodes, 2, 3), opacity (n_times, n_nodes))``.

    One Numba call (``prange`` over times; each time row is computed by one
    thread, so results do not depend on the thread count).
    """
    parents = np.ascontiguousarray(np.asarray(parents, dtype=np.int64).reshape(-1))
    params = np.ascontiguousarray(np.asarray(params, dtype=np.float64))
    if params.ndim != 3 or params.shape[2] != N_PARAMS or params.shape[1] != parents.shape[0]:
        raise ValueError(f"compose_world: params must be (n_times, {parents.shape[0]}, {N_PARAMS}), "
                         f"got {params.shape}")
    if parents.size and np.any(parents >= np.arange(parents.shape[0])):
        raise ValueError("compose_world: every parent index must be < its child's index (-1 for roots)")
    n_t, n_n = params.shape[0], params.shape[1]
    if root is None:
        root_arr = np.zeros((1, 2, 3))
        has_root = False
    else:
        root_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(root, dtype=np.float64), (n_t, 2, 3)))
        has_root = True
    world = np.empty((n_t, n_n, 2, 3))
    opac = np.empty((n_t, n_n))
    if n_t and n_n:
        kernel = _compose_kernel if n_t * n_n >= PARALLEL_MIN_NODES else _compose_kernel_serial
        kernel(parents, params, root_arr, has_root, world, opac)
    return world, opac
