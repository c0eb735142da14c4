"""Exact overlaps of documents' shingle sets: `(|A ∩ B|, |A|, |B|)` per pair by a compiled merge of
two sorted lists, Jaccard from them, and a memo of the pairs verified already."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.rows import HeldSets

__all__ = ["KnownOverlap", "jaccard", "overlap_frame", "pair_overlap"]


# below this many pairs one thread does the merges: a thread's start-up would cost more than it saves
_THREADED_PAIRS = 1 << 16


def pair_overlap(
    hashes: np.ndarray,
    offsets: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    workers: int = 1,
    need: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact `(|A ∩ B|, |A|, |B|)` for each pair (left[i], right[i]) of documents whose shingles are
    distinct and sorted (as `prepare` gives them): one linear merge per pair (compiled, releases the
    GIL), no sort. With `workers` > 1 and many pairs, contiguous slices of the pairs run on threads
    (pairs sorted by left keep each thread's reads of A in cache). `need` (pairs sorted by left):
    only `|A ∩ B| >= need[i]` matters; an overlap that cannot reach it is given as a bound below it,
    without the merge (`kernels.overlap_counts_reaching`)."""
    left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)

    def count(lo: int, hi: int) -> np.ndarray:
        if need is None:
            return kernels.overlap_counts(hashes, offsets, left[lo:hi], right[lo:hi])
        return kernels.overlap_counts_reaching(hashes, offsets, left[lo:hi], right[lo:hi], need[lo:hi])

    parts = max(1, min(int(workers), left.size // _THREADED_PAIRS))
    if parts > 1:
        bounds = np.linspace(0, left.size, parts + 1).astype(np.int64).tolist()
        with ThreadPoolExecutor(parts) as pool:
            slices = zip(bounds[:-1], bounds[1:], strict=True)
            inter = np.concatenate(list(pool.map(lambda r: count(*r), slices)))
    else:
        inter = count(0, left.size)
    size_a = offsets[left + 1] - offsets[left]
    size_b = offsets[right + 1] - offsets[right]
    return inter, size_a.astype(np.int64), size_b.astype(np.int64)


def jaccard(inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    union = size_a + size_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


_OVERLAP_SCHEMA = {
    "lo": pl.Int64,
    "hi": pl.Int64,
    "inter": pl.Int64,
    "size_lo": pl.Int64,
    "size_hi": pl.Int64,
}


def overlap_frame(
    left: np.ndarray, right: np.ndarray, inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray
) -> pl.DataFrame:
    """Overlaps computed already, keyed by the unordered pair (lo, hi)."""
    swap = np.asarray(left) > np.asarray(right)
    return pl.DataFrame(
        {
            "lo": np.where(swap, right, left),
            "hi": np.where(swap, left, right),
            "inter": inter,
            "size_lo": np.where(swap, size_b, size_a),
            "size_hi": np.where(swap, size_a, size_b),
        },
        schema=_OVERLAP_SCHEMA,
    )


class KnownOverlap:
    """`pair_overlap` that reuses the pairs verified already (the LSH and containment checks) and
    merges only the pairs it has not seen."""

    def __init__(self, known: pl.DataFrame, sets: HeldSets) -> None:
        self.known = known.unique(["lo", "hi"])
        self.sets = sets

    def __call__(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        left, right = np.asarray(left), np.asarray(right)
        q = pl.DataFrame(
            {"lo": np.minimum(left, right), "hi": np.maximum(left, right)},
            schema={"lo": pl.Int64, "hi": pl.Int64},
        )
        hit = q.join(self.known, on=["lo", "hi"], how="left", maintain_order="left")
        inter = hit.get_column("inter").to_numpy(allow_copy=True).copy()
        size_lo, size_hi = (
            hit.get_column("size_lo").to_numpy().copy(),
            hit.get_column("size_hi").to_numpy().copy(),
        )
        miss = np.flatnonzero(hit.get_column("inter").is_null().to_numpy())
        if miss.size:
            i, a, b = pair_overlap(*self.sets.rows(left[miss], right[miss]), left[miss], right[miss])
            swap = left[miss] > right[miss]
            inter[miss] = i
            size_lo[miss], size_hi[miss] = np.where(swap, b, a), np.where(swap, a, b)
        swap = left > right
        inter = inter.astype(np.int64)
        size_a = np.where(swap, size_hi, size_lo).astype(np.int64)
        size_b = np.where(swap, size_lo, size_hi).astype(np.int64)
        return inter, size_a, size_b
