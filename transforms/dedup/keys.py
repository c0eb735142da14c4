"""A document's lookup keys for the history index: its LSH band keys (near copies) and its
containment keys (sampled shingles, top bit set: excerpts and the stories they come from)."""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.config import DEFAULT_CONFIG, DedupConfig
from transforms.dedup.sketch import Prepared
from transforms.lsh import KEY_TAG, band_key_frame

__all__ = ["band_keys", "containment_keys", "lookup_keys", "prepared_containment_keys"]

_KEY_MIX = np.uint64(0xD6E8FEB86659FD93)


def containment_keys(
    hashes: np.ndarray, offsets: np.ndarray, sample_bits: int, max_sample_df: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each document's containment lookup keys back to back (uint64, top bit set so they never equal
    a band key), and how many each document has.

    The keys are the document's sampled shingles (the same sample as the containment search: a
    shingle of an excerpt that is sampled is sampled in its source too, whatever the source's size),
    minus the samples found in more than `max_sample_df` documents of the batch (boilerplate)."""
    sample, counts = kernels.sampled_values(hashes, offsets, np.uint64(1 << (32 - sample_bits)))
    ordered = np.sort(sample)
    start = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    size = np.diff(np.append(start, ordered.size))
    frequent = ordered[start[size > max_sample_df]]
    del ordered
    return kernels.tagged_keys(sample, counts, kernels.in_set(sample, frequent), _KEY_MIX, KEY_TAG)


def prepared_containment_keys(prepared: Prepared, config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    return containment_keys(prepared.hashes, prepared.offsets, config.sample_bits, config.max_sample_df)


def band_keys(prepared: Prepared) -> pl.DataFrame:
    """Distinct (band, key) of a run's documents (the band keys alone; `lookup_keys` gives all keys)."""
    frame = band_key_frame(np.arange(prepared.n_docs), prepared.keys)
    return frame.select("band", "key").unique().sort("band", "key")


def lookup_keys(prepared: Prepared, config: DedupConfig = DEFAULT_CONFIG) -> tuple[np.ndarray, np.ndarray]:
    """Every document's history keys back to back, and how many each has: its band keys (near
    duplicates) then its containment keys (sampled shingles, top bit set: excerpts and the stories
    they come from). The flow registers these for a run's documents (`index.add(keys, counts, ...)`)
    and looks up all of them for new documents; the same keys are in `index_rows`."""
    n, bands = prepared.keys.shape
    ckeys, ccounts = prepared_containment_keys(prepared, config)
    counts = ccounts + bands
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    keys = np.empty(int(counts.sum()), np.uint64)
    band_pos = (starts[:, None] + np.arange(bands)).reshape(-1)
    keys[band_pos] = prepared.keys.reshape(-1)
    is_c = np.ones(keys.size, bool)
    is_c[band_pos] = False
    keys[is_c] = ckeys  # both in document order
    return keys, counts.astype(np.int64)
