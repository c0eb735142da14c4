"""`prepare` in plain numpy: the readable specification the compiled kernel must equal bit for bit
(tests/test_kernels.py), and the sorted-distinct step history rows go through."""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms.dedup.config import DEFAULT_CONFIG, DedupConfig
from transforms.dedup.sketch import Prepared
from transforms.lsh import band_keys_array
from transforms.minhash import signatures
from transforms.shingle import shingle_batch

__all__ = ["distinct_sorted", "prepare_reference"]


def distinct_sorted(hashes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document's shingle hashes sorted and without repeats (CSR in, CSR out): one sort of
    `doc << 32 | hash` for the whole batch."""
    n = offsets.size - 1
    owner = np.repeat(np.arange(n, dtype=np.uint64), np.diff(offsets))
    keys = np.sort((owner << np.uint64(32)) | np.asarray(hashes, np.uint64))
    keep = np.ones(keys.size, bool)
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    keys = keys[keep]
    counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n)
    return keys.astype(np.uint32), np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def prepare_reference(texts: pl.Series, config: DedupConfig = DEFAULT_CONFIG) -> Prepared:
    """`prepare` in plain numpy, one whole-batch pass per step (shingle hashes, signatures, sort,
    band keys)."""
    batch = shingle_batch(texts, config.shingle_size)
    sig = signatures(batch.hashes, batch.offsets, config.num_perm, config.seed)
    hashes, offsets = distinct_sorted(batch.hashes, batch.offsets)
    keys = band_keys_array(sig, config.bands, config.rows)
    return Prepared(hashes=hashes, offsets=offsets, exact=batch.exact, n_words=batch.n_words, keys=keys)
