"""compose_world (Numba) equals its NumPy reference on random trees."""
import hashlib

import numba
import numpy as np
import pytest

from symbolreel.animators.transforms import N_PARAMS, compose_world, compose_world_reference, local_matrices


def random_tree(rng, n_nodes, n_t):
    parents = np.array([-1 if i == 0 or rng.random() < 0.2 else int(rng.integers(0, i)) for i in range(n_nodes)],
                       np.int64)
    params = np.empty((n_t, n_nodes, N_PARAMS))
    params[..., 0:2] = rng.uniform(-50, 50, (n_t, n_nodes, 2))     # anchor
    params[..., 2:4] = rng.uniform(-500, 500, (n_t, n_nodes, 2))   # position
    params[..., 4:6] = rng.uniform(-2, 2, (n_t, n_nodes, 2))       # scale (mirroring too)
    params[..., 6] = rng.uniform(-720, 720, (n_t, n_nodes))        # rotation, degrees
    params[..., 7:9] = rng.uniform(-60, 60, (n_t, n_nodes, 2))     # skew
    params[..., 9] = rng.uniform(0, 1, (n_t, n_nodes))             # opacity
    return parents, params


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("with_root", [False, True])
def test_kernel_matches_reference(seed, with_root):
    rng = np.random.default_rng([seed, 99])
    parents, params = random_tree(rng, int(rng.integers(1, 40)), int(rng.integers(1, 30)))
    root = None
    if with_root:
        root = rng.uniform(-2, 2, (params.shape[0], 2, 3))
    w, o = compose_world(parents, params, root)
    wr, orf = compose_world_reference(parents, params, root)
    assert w.shape == wr.shape and o.shape == orf.shape
    # same operations in the same order (no BLAS, no FMA): bitwise equal
    np.testing.assert_array_equal(w, wr)
    np.testing.assert_array_equal(o, orf)


def test_simple_tree_semantics():
    # parent translated by (10, 20), child rotated 90 deg (clockwise on screen) about its anchor (1, 0)
    parents = np.array([-1, 0], np.int64)
    p = np.zeros((1, 2, N_PARAMS))
    p[..., 4:6] = 1.0
    p[..., 9] = [0.5, 0.5]
    p[0, 0, 2:4] = (10, 20)
    p[0, 1, 0:2] = (1, 0)
    p[0, 1, 6] = 90
    w, o = compose_world(parents, p)
    pt = w[0, 1] @ np.array([2.0, 0.0, 1.0])  # one unit right of the anchor -> one unit down
    np.testing.assert_allclose(pt, [10.0, 21.0], atol=1e-12)
    assert o.tolist() == [[0.5, 0.25]]
    np.testing.assert_allclose(w[0, 0], local_matrices(p[0, 0]))


def test_threads_do_not_change_bytes():
    rng = np.random.default_rng(5)
    parents, params = random_tree(rng, 30, 64)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = compose_world(parents, params)[0]
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = compose_world(parents, params)[0]
    finally:
        numba.set_num_threads(before)
    assert hashlib.sha256(a.tobytes()).digest() == hashlib.sha256(b.tobytes()).digest()


def test_bad_inputs():
    with pytest.raises(ValueError, match="parent index"):
        compose_world(np.array([0]), np.zeros((1, 1, N_PARAMS)))
    with pytest.raises(ValueError, match="params must be"):
        compose_world(np.array([-1]), np.zeros((1, 2, N_PARAMS)))
    w, o = compose_world(np.array([-1], np.int64), np.zeros((0, 1, N_PARAMS)))
    assert w.shape == (0, 1, 2, 3) and o.shape == (0, 1)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("with_root", [False, True])
def test_single_time_python_path_matches_kernel_bit_for_bit(seed, with_root):
    from symbolreel.animators.transforms import compose_world_one

    rng = np.random.default_rng([seed, 7])
    parents, params = random_tree(rng, int(rng.integers(1, 40)), 1)
    root = rng.uniform(-2, 2, (1, 2, 3)) if with_root else None
    w, o = compose_world(parents, params, root)
    w1, o1 = compose_world_one(parents, params[0], None if root is None else root[0])
    np.testing.assert_array_equal(w1, w[0])
    np.testing.assert_array_equal(o1, o[0])
