"""Pure helpers of the sharded run: a run's dedup sketch (`Prepared`) put together from its shards', and
history rows rebuilt from earlier documents' clean text (the history index keeps no shingles)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from transforms.dedup import HISTORY_SCHEMA, DedupConfig, Prepared, containment_keys

__all__ = ["concat_prepared", "history_rows"]


def concat_prepared(parts: list[Prepared], bands: int = 16) -> Prepared:
    """The `Prepared` of the shards' documents back to back, in the parts' order: the same arrays as
    `prepare` over all their texts at once (sketches are per document). Each part's offsets are shifted
    by the shingles before it (``offsets[-1]``, so a part whose hashes are held elsewhere, e.g. in a
    memory-mapped file, still gives the right offsets)."""
    if not parts:
        return Prepared(
            np.zeros(0, np.uint32),
            np.zeros(1, np.int64),
            np.zeros(0, np.uint64),
            np.zeros(0, np.int64),
            np.zeros((0, bands), np.uint64),
        )
    shift = np.cumsum([0] + [int(p.offsets[-1]) for p in parts[:-1]])
    offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, shift, strict=True)])
    return Prepared(
        hashes=np.concatenate([p.hashes for p in parts]).astype(np.uint32, copy=False),
        offsets=offsets.astype(np.int64),
        exact=np.concatenate([p.exact for p in parts]).astype(np.uint64, copy=False),
        n_words=np.concatenate([p.n_words for p in parts]).astype(np.int64, copy=False),
        keys=np.concatenate([p.keys.reshape(-1, parts[0].keys.shape[1]) for p in parts]).astype(
            np.uint64, copy=False
        ),
    )


def _list_column(values: np.ndarray, offsets: np.ndarray, dtype: pa.DataType) -> pl.Series:
    """A list column from CSR arrays, zero-copy through arrow."""
    arr = pa.LargeListArray.from_arrays(
        pa.array(np.asarray(offsets, np.int64), pa.int64()), pa.array(values, dtype)
    )
    return pl.from_arrow(arr)


def history_rows(docs: pl.DataFrame, prepared: Prepared, config: DedupConfig) -> pl.DataFrame:
    """History rows (`HISTORY_SCHEMA`) of earlier documents from their index entries (``docs``: doc_id,
    cluster_id, is_canonical, canonical_id, published, clean_chars) and their sketch recomputed from
    their stored clean text (``prepared``, same order): the index keeps no shingles, the articles table
    has the text they come from, and `prepare` gives the same shingles and band keys from it."""
    n = docs.height
    ckeys, ccounts = containment_keys(
        prepared.hashes, prepared.offsets, config.sample_bits, config.max_sample_df
    )
    bands = prepared.keys.shape[1] if prepared.keys.ndim == 2 else config.bands
    return (
        docs.with_columns(
            exact_hash=pl.Series(prepared.exact, dtype=pl.UInt64),
            band_keys=_list_column(
                prepared.keys.reshape(-1), np.arange(0, n * bands + 1, bands), pa.uint64()
            ),
            containment_keys=_list_column(ckeys, np.concatenate([[0], np.cumsum(ccounts)]), pa.uint64()),
            shingles=_list_column(prepared.hashes, prepared.offsets, pa.uint32()),
        )
        .select(list(HISTORY_SCHEMA))
        .cast(HISTORY_SCHEMA)
    )
