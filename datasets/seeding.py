"""Per-item seeds and random streams: item i of a dataset is a pure function of (master seed, i).

The item seed is blake2b-64 of the master seed and the index (never Python's ``hash()``, which is
salted per process), so any worker on any machine derives the same seed for the same item, and an
item can be regenerated alone (``--only``). Each use of randomness inside an item draws from its
own stream, keyed by a name, so adding a draw to one stage never shifts another stage's numbers.
"""
from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["item_seed", "item_rng", "item_key"]

_DOMAIN = b"symbolreel.datasets.item"


def _stable_u63(*parts) -> int:
    payload = b"\x00".join([_DOMAIN, *(str(p).encode("utf-8") for p in parts)])
    return int.from_bytes(hashlib.blake2b(payload, digest_size=8).digest(), "little") >> 1


def item_seed(master_seed: int, index: int) -> int:
    """Seed of item ``index`` under ``master_seed``: a stable 63-bit hash (fits int64 and scene seeds)."""
    return _stable_u63(int(master_seed), int(index))


def item_rng(seed: int, stream: str) -> np.random.Generator:
    """Independent generator for one stage of an item (``"choose"``, ``"sample"``, ``"captions"``, ...)."""
    return np.random.default_rng([int(seed), _stable_u63("stream", stream)])


def item_key(index: int) -> str:
    """WebDataset key of item ``index``: zero-padded digits (no dots, sorts in index order)."""
    return f"{int(index):08d}"
