"""The dedup stage's side of history: the index rows a run persists for later runs, the history rows
as arrays the verification reads, and the pure reference of the key index's look-up."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from transforms.dedup.config import DedupConfig
from transforms.dedup.history_policy import candidates_reference
from transforms.dedup.reference import distinct_sorted
from transforms.dedup.rows import all_rows
from transforms.dedup.schema import HISTORY_SCHEMA
from transforms.dedup.sketch import Prepared
from transforms.lsh import KEY_TAG

__all__ = ["candidates_from_history", "history_arrays", "index_rows", "to_list_column"]


def candidates_from_history(
    history: pl.DataFrame, keys: np.ndarray | pl.Series | pl.DataFrame, counts: np.ndarray | None = None
) -> pl.DataFrame:
    """History rows sharing at least one key with `keys` (band or containment keys, e.g. from
    `lookup_keys`; a frame's `key` column). With `counts` (keys per new document, as `lookup_keys`
    gives them): the rows the key index returns, by the same rule (`transforms.dedup.history_policy`)."""
    if counts is not None:
        return candidates_reference(history, np.asarray(keys, np.uint64), counts)
    if isinstance(keys, pl.DataFrame):
        keys = keys.get_column("key")
    wanted = pl.Series("key", np.asarray(keys, np.uint64)).unique()
    cols = [c for c in ("band_keys", "containment_keys") if c in history.columns]
    hist_keys = pl.concat([history.select("doc_id", key=pl.col(c)).explode("key") for c in cols])
    hits = hist_keys.join(wanted.to_frame(), on="key", how="semi").select("doc_id").unique()
    return history.join(hits, on="doc_id", how="semi")


def to_list_column(values: np.ndarray, offsets: np.ndarray, dtype: pa.DataType) -> pl.Series:
    """A list column from CSR arrays, zero-copy through arrow. pyarrow stays because polars has no
    offsets -> list constructor (the polars-only way, group_by + agg, is ~30x slower)."""
    arr = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), pa.array(values, dtype))
    return pl.from_arrow(arr)


def history_arrays(history: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """History rows' shingles as sorted distinct CSR (rows written before they were stored sorted are
    sorted here), and their band keys `(h, bands)`."""
    shingles = history.get_column("shingles")
    lens = shingles.list.len().fill_null(0).to_numpy().astype(np.int64)
    values = shingles.explode().drop_nulls().to_numpy().astype(np.uint32)
    values, offsets = distinct_sorted(values, np.concatenate([[0], np.cumsum(lens)]).astype(np.int64))
    keys = history.get_column("band_keys").explode().drop_nulls().to_numpy().astype(np.uint64)
    keys = keys & ~KEY_TAG  # rows written before band keys kept the top bit clear
    keys = keys.reshape(history.height, -1) if history.height else np.zeros((0, 0), np.uint64)
    return values, offsets, keys


def index_rows(
    assigned: pl.DataFrame,
    prepared: Prepared,
    containment_keys: tuple[np.ndarray, np.ndarray] | None,
    config: DedupConfig,
) -> pl.DataFrame:
    """The run's rows for the history index (HISTORY_SCHEMA), from its documents in input order with
    their cluster and canonical copy (`doc_id, cluster_id, published, clean_chars, is_duplicate,
    _canonical`) and their sketches. Without `containment_keys` the three sketch columns (band keys,
    containment keys, shingles: ~2.5 KB a document) are left null: for a caller that keeps the sketch
    elsewhere (the sharded run's key files), building them would copy every shingle set."""
    n = prepared.n_docs
    rows = assigned.select(
        "doc_id",
        "cluster_id",
        "published",
        "clean_chars",
        is_canonical=~pl.col("is_duplicate"),
        canonical_id=pl.col("_canonical"),
    ).with_columns(exact_hash=pl.Series(prepared.exact))
    if containment_keys is None:
        sketch = [
            pl.lit(None, HISTORY_SCHEMA[c]).alias(c) for c in ("band_keys", "containment_keys", "shingles")
        ]
        return rows.with_columns(sketch).select(list(HISTORY_SCHEMA)).cast(HISTORY_SCHEMA)
    ckeys, ccounts = containment_keys
    band_offsets = np.arange(0, n * config.bands + 1, config.bands)
    return (
        rows.with_columns(
            band_keys=to_list_column(prepared.keys.reshape(-1), band_offsets, pa.uint64()),
            containment_keys=to_list_column(ckeys, np.concatenate([[0], np.cumsum(ccounts)]), pa.uint64()),
            shingles=to_list_column(*all_rows(prepared.hashes, prepared.offsets), pa.uint32()),
        )
        .select(list(HISTORY_SCHEMA))
        .cast(HISTORY_SCHEMA)
    )
