"""A document's lookup keys for the history index: its LSH band keys (near copies) and its
containment keys (sampled shingles, top bit set: excerpts and the stories they come from)."""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.config import DEFAULT_CONFIG, DedupConfig
from transforms.dedup.sketch import Prepared
from transforms.lsh import KEY_TAG, band_key_frame

__all__ = [
    "band_keys",
    "containment_keys",
    "frequent_samples",
    "lookup_keys",
    "prepared_containment_keys",
    "slice_prepared",
]

_KEY_MIX = np.uint64(0xD6E8FEB86659FD93)


def frequent_samples(sample: np.ndarray, max_sample_df: int) -> np.ndarray:
    """The sampled shingles found in more than `max_sample_df` documents of a batch (boilerplate),
    sorted: `sample` holds each document's sample back to back (a document holds a value once)."""
    ordered = np.sort(sample)
    # a value in more than max_sample_df documents has a run longer than max_sample_df in the sorted
    # sample, i.e. equals the value max_sample_df places after it
    ahead = ordered[max_sample_df:]
    return np.unique(ahead[ahead == ordered[: ahead.size]])


def _sample(hashes: np.ndarray, offsets: np.ndarray, sample_bits: int) -> tuple[np.ndarray, np.ndarray]:
    limit = np.uint64(1 << (32 - sample_bits))
    if hashes.size and hashes.max() < limit:  # a sampled view already (sampled_view): no copy of it
        return hashes, np.diff(offsets)
    return kernels.sampled_values(hashes, offsets, limit)


def containment_keys(
    hashes: np.ndarray,
    offsets: np.ndarray,
    sample_bits: int,
    max_sample_df: int,
    frequent: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each document's containment lookup keys back to back (uint64, top bit set so they never equal
    a band key), and how many each document has.

    The keys are the document's sampled shingles (the same sample as the containment search: a
    shingle of an excerpt that is sampled is sampled in its source too, whatever the source's size),
    minus the samples found in more than `max_sample_df` documents of the batch (boilerplate), or
    minus `frequent` when given (`frequent_samples` of a whole run whose documents come here a slice
    at a time: the same keys as one call over the run)."""
    sample, counts = _sample(hashes, offsets, sample_bits)
    if frequent is None:
        frequent = frequent_samples(sample, max_sample_df)
    return kernels.tagged_keys(sample, counts, kernels.in_set(sample, frequent), _KEY_MIX, KEY_TAG)


def prepared_containment_keys(prepared: Prepared, config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    return containment_keys(prepared.hashes, prepared.offsets, config.sample_bits, config.max_sample_df)


def band_keys(prepared: Prepared) -> pl.DataFrame:
    """Distinct (band, key) of a run's documents (the band keys alone; `lookup_keys` gives all keys)."""
    frame = band_key_frame(np.arange(prepared.n_docs), prepared.keys)
    return frame.select("band", "key").unique().sort("band", "key")


def lookup_keys(
    prepared: Prepared, config: DedupConfig = DEFAULT_CONFIG, frequent: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every document's history keys back to back, and how many each has: its band keys (near
    duplicates) then its containment keys (sampled shingles, top bit set: excerpts and the stories
    they come from). The flow registers these for a run's documents (`index.add(keys, counts, ...)`)
    and looks up all of them for new documents; the same keys are in `index_rows`. `frequent`: see
    `containment_keys` (for a run's documents given a slice at a time)."""
    bands = prepared.keys.shape[1]
    ckeys, ccounts = containment_keys(
        prepared.hashes, prepared.offsets, config.sample_bits, config.max_sample_df, frequent
    )
    keys = kernels.interleaved_keys(np.ascontiguousarray(prepared.keys, np.uint64), ckeys, ccounts)
    return keys, (ccounts + bands).astype(np.int64)


def slice_prepared(prepared: Prepared, lo: int, hi: int) -> Prepared:
    """Documents ``lo..hi-1`` of an in-memory `Prepared` (views, no copy)."""
    start, end = int(prepared.offsets[lo]), int(prepared.offsets[hi])
    return Prepared(
        prepared.hashes[start:end],
        prepared.offsets[lo : hi + 1] - start,
        prepared.exact[lo:hi],
        prepared.n_words[lo:hi],
        prepared.keys[lo:hi],
    )
