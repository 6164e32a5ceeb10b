"""World transforms for a batch of times (NumPy reference; issue 3 ports it to Numba).

Local transform of a node, applied to a local point p (documented order):

    M = T(position) . R(rotation) . K(skew) . S(scale) . T(-anchor)

* rotation in degrees, positive turns clockwise on screen (y axis points down);
* K = [[1, tan(skew_x), 0], [tan(skew_y), 1, 0]] with skew angles in degrees;
* world = parent_world . M; world opacity = parent opacity * opacity.

Parameters are packed per node as PARAMS columns, in this order.
"""
from __future__ import annotations

import numpy as np

PARAMS = ("anchor_x", "anchor_y", "x", "y", "scale_x", "scale_y", "rotation", "skew_x", "skew_y", "opacity")
N_PARAMS = len(PARAMS)


def local_matrices(params: np.ndarray) -> np.ndarray:
    """``params``: (..., N_PARAMS) -> (..., 2, 3) affine matrices."""
    ax, ay, x, y, sx, sy, rot, kx, ky = (params[..., i] for i in range(9))
    r = np.deg2rad(rot)
    c, s = np.cos(r), np.sin(r)
    tx, ty = np.tan(np.deg2rad(kx)), np.tan(np.deg2rad(ky))
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


def compose_world(parents: np.ndarray, params: np.ndarray, root: np.ndarray | None = None):
    """Compose world matrices through the tree.

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
    out = np.empty_like(n)
    out[..., :, :2] = m[..., :, :2] @ n[..., :, :2]
    out[..., :, 2] = (m[..., :, :2] @ n[..., :, 2:3])[..., 0] + m[..., :, 2]
    return out
