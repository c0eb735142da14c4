"""Sketches of a batch of texts: each document's distinct shingle hashes (sorted), exact hash, word
count and LSH band keys, computed by the compiled kernel in batches on worker threads."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.config import DEFAULT_CONFIG, DedupConfig
from transforms.minhash import permutations
from transforms.shingle import SHINGLE_MULT, case_folded_bytes

__all__ = ["Prepared", "prepare", "sampled_view", "sketch_batch"]


@dataclass(frozen=True)
class Prepared:
    """Per-document sketches of a batch of texts: each document's distinct shingle hashes (sorted, CSR),
    exact hash, word count and band keys. What `dedup_frame` and the history lookup both need."""

    hashes: np.ndarray  # uint32, every document's distinct shingles in ascending order, back to back
    offsets: np.ndarray  # int64, n_docs + 1
    exact: np.ndarray  # uint64 per document
    n_words: np.ndarray  # int64 per document
    keys: np.ndarray  # (n_docs, bands) uint64 band keys (top bit clear)

    @property
    def n_docs(self) -> int:
        return self.offsets.size - 1


def sketch_batch(texts: pl.Series, config: DedupConfig = DEFAULT_CONFIG) -> tuple[Prepared, np.ndarray]:
    """One batch through the compiled kernel: its `Prepared` and its signatures `(n, num_perm)`."""
    k = config.shingle_size
    if not 1 <= k <= SHINGLE_MULT.size:
        raise ValueError(f"shingle size must be in 1..{SHINGLE_MULT.size}, got {k}")
    buf, doc_bytes = case_folded_bytes(texts, pad=8, sep=False)
    # room for every word of each document: a word takes at least one byte and one separator
    room = (np.diff(doc_bytes) + 1) // 2 + 1
    bound = np.concatenate([[0], np.cumsum(room)]).astype(np.int64)
    a, b = permutations(config.num_perm, config.seed)
    vals, counts, sig, exact, n_words, keys = kernels.prepare_batch(
        buf, doc_bytes, k, SHINGLE_MULT, a, b, config.bands, config.rows, bound
    )
    hashes, offsets = kernels.compact(vals, bound, counts)
    return Prepared(hashes=hashes, offsets=offsets, exact=exact, n_words=n_words, keys=keys), sig


def _prepare_batch(texts: pl.Series, config: DedupConfig) -> Prepared:
    return sketch_batch(texts, config)[0]


class _Gather:
    """The run's `Prepared`, filled batch by batch in input order. Each batch is copied in as soon as
    it is done and then dropped, so the batches never all exist beside the final arrays (on a VM,
    first-touching memory is costly: concatenating every batch at the end doubles the peak).
    The shingle array grows by half when a batch does not fit (an estimate from the text size)."""

    def __init__(self, n: int, bands: int, estimate: int) -> None:
        self.hashes = np.empty(max(estimate, 1024), np.uint32)
        self.offsets = np.zeros(n + 1, np.int64)
        self.exact = np.empty(n, np.uint64)
        self.n_words = np.empty(n, np.int64)
        self.keys = np.empty((n, bands), np.uint64)
        self.docs = 0

    def add(self, part: Prepared) -> None:
        lo, hi = self.docs, self.docs + part.n_docs
        start, count = int(self.offsets[lo]), part.hashes.size
        if start + count > self.hashes.size:
            grown = np.empty(max(start + count, self.hashes.size * 3 // 2), np.uint32)
            grown[:start] = self.hashes[:start]
            self.hashes = grown
        self.hashes[start : start + count] = part.hashes
        self.offsets[lo + 1 : hi + 1] = part.offsets[1:] + start
        self.exact[lo:hi], self.n_words[lo:hi], self.keys[lo:hi] = part.exact, part.n_words, part.keys
        self.docs = hi

    def result(self) -> Prepared:
        end = int(self.offsets[self.docs])
        return Prepared(self.hashes[:end], self.offsets, self.exact, self.n_words, self.keys)


def prepare(texts: pl.Series, config: DedupConfig = DEFAULT_CONFIG) -> Prepared:
    """Shingle, sign and band `texts` in batches of at most `config.batch_size` (bounded memory; only
    the distinct shingle hashes, 4 bytes each, are kept for the whole input). Batches run on
    `config.workers` threads (the kernels release the GIL), at most two per thread in flight."""
    n = texts.len()
    workers = max(1, config.workers)
    size = max(1, min(config.batch_size, -(-n // workers) if n >= 2_000 else n))
    # a shingle per word, a word per ~6 bytes of English prose: reserve one per 3 bytes (only the pages
    # written are ever touched, so the reserve costs address space, not memory)
    out = _Gather(n, config.bands, int(texts.str.len_bytes().sum() or 0) // 3)
    starts = range(0, n, size)
    if workers == 1 or len(starts) == 1:
        for lo in starts:
            out.add(_prepare_batch(texts.slice(lo, size), config))
        return out.result()
    with ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for lo in starts:
            pending.append(pool.submit(_prepare_batch, texts.slice(lo, size), config))
            if len(pending) >= 2 * workers:
                out.add(pending.popleft().result())
        while pending:
            out.add(pending.popleft().result())
    return out.result()


def sampled_view(prep: Prepared, sample_bits: int) -> Prepared:
    """`prep` with each document's shingles cut to its containment sample (the hashes below
    ``2**(32 - sample_bits)``, the head of its sorted set): an eighth of the hashes at the default
    ``sample_bits=3``. Whatever reads only the sample (containment keys, the containment search's
    postings) gives the same answer on it, and never reads the full sets."""
    values, counts = kernels.sampled_values(prep.hashes, prep.offsets, np.uint64(1 << (32 - sample_bits)))
    offsets = np.zeros(counts.size + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Prepared(np.asarray(values, np.uint32), offsets, prep.exact, prep.n_words, prep.keys)
