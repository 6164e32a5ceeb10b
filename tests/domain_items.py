"""Sampled dataset items for the domain tests: ``(spec, scene, captions, options)`` per index."""
from __future__ import annotations

import numpy as np

from symbolreel.datasets import domains as D


def items(name: str, n: int, seed: int, **over):
    """``n`` items of domain ``name`` with options ``over``; every fourth one is a clip."""
    dom = D.get(name)
    opts = D.validate_options(name, over)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        media = "clip" if i % 4 == 3 else "still"
        spec = dom.sample(rng, opts, media)
        scene = dom.build(spec)
        caps = dom.captions(spec, scene, np.random.default_rng([seed, i, 1]))
        yield spec, scene, caps, opts
