"""Graph steps over node indices: connected components by vectorised union-find, and following
parent pointers to their roots."""

from __future__ import annotations

import numpy as np

__all__ = ["connected_components", "follow_to_root"]


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Union-find over edges, vectorised (hooking to the smaller root + pointer jumping).
    Returns for each node the smallest node index of its component."""
    parent = np.arange(n, dtype=np.int64)
    left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
    while left.size:
        rl, rr = parent[left], parent[right]
        if np.array_equal(rl, rr):
            break
        np.minimum.at(parent, np.maximum(rl, rr), np.minimum(rl, rr))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def follow_to_root(parent: np.ndarray, max_jumps: int = 64) -> np.ndarray:
    """Parent pointers jumped until they stop changing (at most `max_jumps` times, which bounds any
    cycle a tie could make)."""
    for _ in range(max_jumps):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    return parent
