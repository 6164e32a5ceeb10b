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
from symbolreel.jit import kernel

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


def compose_world_one(parents: np.ndarray, params: np.ndarray, root: np.ndarray | None = None):
    """:func:`compose_world` at a single time, in plain Python floats: for static scenes, where a
    Numba call (and its first-use load) or the NumPy reference would cost more than the work.

    ``params``: (n_nodes, N_PARAMS); ``root``: optional (2, 3). Returns ``(world (n, 2, 3), opacity (n,))``,
    equal bit for bit to the kernel and the reference (same libm calls, same operations in the same order).
    """
    n = params.shape[0]
    rot = np.deg2rad(params[:, 6]).tolist()
    kx = np.deg2rad(params[:, 7]).tolist()
    ky = np.deg2rad(params[:, 8]).tolist()
    rows = params.tolist()
    par = [int(p) for p in parents]
    rt = None if root is None else np.asarray(root, dtype=np.float64).reshape(2, 3).tolist()
    world: list = [None] * n
    opac = [0.0] * n
    for i in range(n):
        ax, ay, x, y, sx, sy = rows[i][:6]
        c, s = math.cos(rot[i]), math.sin(rot[i])
        tx, ty = math.tan(kx[i]), math.tan(ky[i])
        a = c * sx - s * ty * sx
        b = c * tx * sy - s * sy
        d = s * sx + c * ty * sx
        e = s * tx * sy + c * sy
        f = x - (a * ax + b * ay)
        g = y - (d * ax + e * ay)
        p = par[i]
        m = rt if p < 0 else world[p]
        if m is None:
            world[i] = [[a, b, f], [d, e, g]]
        else:
            world[i] = [[m[r][0] * a + m[r][1] * d, m[r][0] * b + m[r][1] * e, (m[r][0] * f + m[r][1] * g) + m[r][2]]
                        for r in range(2)]
        opac[i] = rows[i][9] if p < 0 else opac[p] * rows[i][9]
    return np.array(world, dtype=np.float64).reshape(n, 2, 3), np.array(opac, dtype=np.float64)


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


# the one signature the engine calls it with (compose_world makes every array C-contiguous and
# writable); warm_up() compiles exactly this, lazily, so importing the package compiles nothing
COMPOSE_SIGNATURE = "void(int64[::1], float64[:, :, ::1], float64[:, :, ::1], boolean, float64[:, :, :, ::1], float64[:, ::1])"


@kernel(cache=True)
def _compose_kernel_serial(parents, params, root, has_root, world, opac):
    """world[t, i] = world[t, parent] . local(params[t, i]); one function, scalars only.

    Written as one explicitly typed function of scalar operations: it compiles in about a second
    (helpers and array temporaries each cost a compile of their own), and the operations are the
    ones of :func:`local_matrices` / :func:`_mul` in the same order, so results match bit for bit.
    """
    for t in range(params.shape[0]):
        for i in range(params.shape[1]):
            q = params[t, i]
            r = np.deg2rad(q[6])
            c = np.cos(r)
            s = np.sin(r)
            tx = np.tan(np.deg2rad(q[7]))
            ty = np.tan(np.deg2rad(q[8]))
            sx = q[4]
            sy = q[5]
            a = c * sx - s * ty * sx
            b = c * tx * sy - s * sy
            d = s * sx + c * ty * sx
            e = s * tx * sy + c * sy
            f = q[2] - (a * q[0] + b * q[1])
            g = q[3] - (d * q[0] + e * q[1])
            p = parents[i]
            if p < 0 and not has_root:
                m00, m01, m02, m10, m11, m12 = a, b, f, d, e, g
            else:
                if p < 0:
                    n00, n01, n02 = root[t, 0, 0], root[t, 0, 1], root[t, 0, 2]
                    n10, n11, n12 = root[t, 1, 0], root[t, 1, 1], root[t, 1, 2]
                else:
                    n00, n01, n02 = world[t, p, 0, 0], world[t, p, 0, 1], world[t, p, 0, 2]
                    n10, n11, n12 = world[t, p, 1, 0], world[t, p, 1, 1], world[t, p, 1, 2]
                m00 = n00 * a + n01 * d
                m01 = n00 * b + n01 * e
                m02 = (n00 * f + n01 * g) + n02
                m10 = n10 * a + n11 * d
                m11 = n10 * b + n11 * e
                m12 = (n10 * f + n11 * g) + n12
            w = world[t, i]
            w[0, 0] = m00
            w[0, 1] = m01
            w[0, 2] = m02
            w[1, 0] = m10
            w[1, 1] = m11
            w[1, 2] = m12
            opac[t, i] = q[9] if p < 0 else opac[t, p] * q[9]


def compose_world(parents: np.ndarray, params: np.ndarray, root: np.ndarray | None = None):
    """Compose world matrices through the tree.

    ``parents``: int64 (n_nodes,), each parent index < the child's index, -1 for roots.
    ``params``: float64 (n_times, n_nodes, N_PARAMS).
    ``root``: optional (n_times, 2, 3) matrix applied above every root (the camera).
    Returns ``(world (n_times, n_nodes, 2, 3), opacity (n_times, n_nodes))``.

    One serial Numba call: worker processes, not threads, are the unit of parallelism here, so
    results cannot depend on a thread count.
    """
    # C-contiguous and writable: the kernel is compiled for exactly these array types
    parents = np.require(np.asarray(parents, dtype=np.int64).reshape(-1), requirements=("C", "W"))
    params = np.require(np.asarray(params, dtype=np.float64), requirements=("C", "W"))
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
        # a writable C copy: a read-only broadcast view would be a different Numba type
        root_arr = np.array(np.broadcast_to(np.asarray(root, dtype=np.float64), (n_t, 2, 3)), order="C")
        has_root = True
    world = np.empty((n_t, n_n, 2, 3))
    opac = np.empty((n_t, n_n))
    if n_t and n_n:
        _compose_kernel_serial(parents, params, root_arr, has_root, world, opac)
    return world, opac
