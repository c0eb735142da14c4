"""The run's global dedup step, from what the shards staged: small per-document state (``docs``) and the
shards' sketches, looked up against the history index, clustered once over the whole run.

The step holds the run's per-document state (about 150 bytes an article) and its shingle hashes, which
are memory-mapped from one file written shard by shard (``flows.shards.gather_prepared``); it never
holds a text. It writes the dedup assignments (``doc_id`` + ``DEDUP_COLUMNS``), the roundup links and
what the history index needs, and returns a small summary.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from flows.history import key_index
from flows.shards import gather_prepared
from flows.store import savez, write_atomic, write_parquet_atomic
from transforms.dedup import DEDUP_COLUMNS, HISTORY_SCHEMA, DedupConfig, dedup_frame, lookup_keys

__all__ = ["HISTORY_ROW_SCHEMA", "DedupOutputs", "run_dedup"]

HISTORY_ROW_SCHEMA = {**HISTORY_SCHEMA, "source_path": pl.String()}


class DedupOutputs:
    """Where the dedup step writes, under the run's staging folder."""

    def __init__(self, staging: Path) -> None:
        self.root = staging / "dedup"
        self.assignments = self.root / "assignments.parquet"
        self.roundups = staging / "parts" / "roundups" / "part-00000.parquet"
        self.index_rows = self.root / "index_rows.parquet"
        self.keys = self.root / "keys.npz"


def _history_rows(index, keys: np.ndarray, counts: np.ndarray, exclude_paths: pl.Series) -> pl.DataFrame:
    rows = index.fetch(keys, counts, HISTORY_ROW_SCHEMA)
    # a file processed again supersedes its earlier rows: never match a document against its old self
    return rows.filter(~pl.col("source_path").is_in(exclude_paths.implode())).drop("run_id")


def run_dedup(
    docs_paths: list[Path],
    sketch_paths: list[Path],
    config: DedupConfig,
    history: tuple[str, Path, str, str],
    out: DedupOutputs,
) -> dict[str, int]:
    """``history`` = (backend, state dir, redis url, settings fingerprint) of the history index."""
    docs = (
        pl.read_parquet([str(p) for p in docs_paths]) if docs_paths else pl.DataFrame(schema={"doc_id": pl.String})
    )
    prepared = gather_prepared(sketch_paths, out.root)
    if prepared.n_docs != docs.height:
        raise RuntimeError(f"staged sketches hold {prepared.n_docs} documents, staged docs {docs.height}")
    keys, counts = lookup_keys(prepared, config)
    with key_index(*history) as index:
        hist = _history_rows(index, keys, counts, docs.get_column("source_path").unique())
    result = dedup_frame(docs, config, hist.drop("source_path"), prepared=prepared)
    del prepared
    paths = docs.select("doc_id", "source_path")
    write_parquet_atomic(result.articles.select("doc_id", *DEDUP_COLUMNS), out.assignments)
    roundups = result.roundup_links.join(paths, on="doc_id", how="left")
    if roundups.height:
        write_parquet_atomic(roundups, out.roundups)
    write_parquet_atomic(result.index_rows.join(paths, on="doc_id", how="left"), out.index_rows)
    write_atomic(out.keys, lambda tmp: savez(tmp, keys=keys, counts=counts))
    new_ids = docs.get_column("doc_id")
    return {
        "history_candidates": hist.height,
        "new_clusters": result.clusters.filter(pl.col("canonical_id").is_in(new_ids.implode())).height,
        "roundups": roundups.height,
    }
