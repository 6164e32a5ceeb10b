"""sRGB <-> OKLab conversions (Björn Ottosson's matrices), NumPy and Numba forms.

Colour tracks interpolate in OKLab (+ straight alpha): keys are converted to
OKLab at pack time, samples are converted back to sRGB inside the sampling
kernel and clamped to [0, 1].
"""
from __future__ import annotations

import numpy as np
from symbolreel.jit import kernel

_M1 = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                [0.2119034982, 0.6806995451, 0.1073969566],
                [0.0883024619, 0.2817188376, 0.6299787005]])
_M2 = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                [1.9779984951, -2.4285922050, 0.4505937099],
                [0.0259040371, 0.7827717662, -0.8086757660]])


def srgb_to_linear(c):
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c):
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.abs(c) ** (1.0 / 2.4) * np.sign(c) - 0.055)


def srgb_to_oklab(rgb) -> np.ndarray:
    """(..., 3) sRGB in 0..1 -> (..., 3) OKLab (L, a, b)."""
    lin = srgb_to_linear(rgb)
    lms = lin @ _M1.T
    return np.cbrt(lms) @ _M2.T


def oklab_to_srgb(lab) -> np.ndarray:
    """(..., 3) OKLab -> (..., 3) sRGB clamped to 0..1 (NumPy reference of the kernel)."""
    lab = np.asarray(lab, dtype=np.float64)
    out = np.empty_like(lab)
    flat_in = lab.reshape(-1, 3)
    flat_out = out.reshape(-1, 3)
    for i in range(flat_in.shape[0]):
        r, g, b = oklab_to_srgb_px(flat_in[i, 0], flat_in[i, 1], flat_in[i, 2])
        flat_out[i] = (r, g, b)
    return out


@kernel(cache=True)
def _encode(c):
    if c <= 0.0031308:
        v = 12.92 * c
    else:
        v = 1.055 * c ** (1.0 / 2.4) - 0.055
    if v < 0.0:
        return 0.0
    if v > 1.0:
        return 1.0
    return v


@kernel(cache=True)
def oklab_to_srgb_px(L, a, b):
    """One OKLab colour -> sRGB (clamped to [0, 1])."""
    l_ = L + 0.3963377774 * a + 0.2158037573 * b
    m_ = L - 0.1055613458 * a - 0.0638541728 * b
    s_ = L - 0.0894841775 * a - 1.2914855480 * b
    l3 = l_ * l_ * l_
    m3 = m_ * m_ * m_
    s3 = s_ * s_ * s_
    r = 4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3
    g = -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3
    bb = -0.0041960863 * l3 - 0.7034186147 * m3 + 1.7076147010 * s3
    return _encode(r), _encode(g), _encode(bb)

