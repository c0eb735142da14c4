"""Pure helpers of the sharded run: a run's dedup sketch (`Prepared`) put together from its shards'."""

from __future__ import annotations

import numpy as np

from transforms.dedup import Prepared

__all__ = ["concat_prepared"]


def concat_prepared(parts: list[Prepared], bands: int = 16) -> Prepared:
    """The `Prepared` of the shards' documents back to back, in the parts' order: the same arrays as
    `prepare` over all their texts at once (sketches are per document). Each part's offsets are shifted
    by the shingles before it (``offsets[-1]``, so a part whose hashes are held elsewhere, e.g. in a
    memory-mapped file, still gives the right offsets)."""
    if not parts:
        return Prepared(
            np.zeros(0, np.uint32), np.zeros(1, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.int64),
            np.zeros((0, bands), np.uint64),
        )
    shift = np.cumsum([0] + [int(p.offsets[-1]) for p in parts[:-1]])
    offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, shift, strict=True)])
    return Prepared(
        hashes=np.concatenate([p.hashes for p in parts]).astype(np.uint32, copy=False),
        offsets=offsets.astype(np.int64),
        exact=np.concatenate([p.exact for p in parts]).astype(np.uint64, copy=False),
        n_words=np.concatenate([p.n_words for p in parts]).astype(np.int64, copy=False),
        keys=np.concatenate([p.keys.reshape(-1, parts[0].keys.shape[1]) for p in parts]).astype(np.uint64, copy=False),
    )
