"""After the run's parts are staged: register its documents in the history index, move its parts into
place and commit, drop what it superseded, rebuild the clusters table. Plus the start-of-run repairs
(roll back what a dead run left in the history index)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from flows.history import key_index
from flows.state import drop_superseded, load_manifest
from flows.store import OutputLayout, write_parquet_atomic
from transforms.dedup import DEDUP_COLUMNS, MEMBER_COLUMNS, clusters_table, repair_dangling
from transforms.history_keys import keys_to_register
from transforms.incremental import superseded

__all__ = ["repair_canonicals", "add_to_history", "rebuild_clusters", "rollback_history", "supersede"]

# per-run side tables that carry source_path, so a changed input's earlier rows can be superseded
PATH_KEYED_SIDE_TABLES = ("roundups",)

History = tuple[str, Path, str, str]  # backend, state dir, redis url, settings fingerprint


def add_to_history(
    index_rows: Path, keys_path: Path, counts_path: Path, bands: int, history: History, run_id: str
) -> int:
    """Register the run's documents before the run commits: a run that dies is rolled back from the
    index by the next run."""
    if not index_rows.is_file():
        return 0
    rows = pl.read_parquet(index_rows)
    if rows.is_empty():
        return 0
    with np.load(counts_path) as z:
        counts = z["counts"]
    keys, counts = keys_to_register(
        np.fromfile(keys_path, np.uint64), counts, bands, rows.get_column("is_canonical").to_numpy()
    )
    with key_index(*history) as index:
        index.add(keys, counts, rows, run_id)
    return rows.height


def rollback_history(history: History, layout: OutputLayout) -> list[str]:
    with key_index(*history) as index:
        return index.rollback(layout.committed_runs())


def supersede(history: History, layout: OutputLayout) -> int:
    """Drop what a later run superseded (a changed input processed again): from the history index first,
    then from the Parquet parts, the manifest last (so a crash midway is finished by the next run)."""
    stale = superseded(load_manifest(layout))
    if stale.is_empty():
        return 0
    with key_index(*history) as index:
        index.drop_paths(stale)
    return drop_superseded(layout, extra_tables=PATH_KEYED_SIDE_TABLES)


# what a re-election reads of every article (no text), and what it rewrites
_REPAIR_READ = ("doc_id", "run_id", "published", "clean_chars", *DEDUP_COLUMNS)


def repair_canonicals(layout: OutputLayout, row_group_size: int = 1000) -> int:
    """After a supersede: where a story's canonical copy was removed, elect a new one among its other
    copies and rewrite their rows (``transforms.dedup.repair_dangling``), part by part, atomically. A
    crash midway is finished by the next run's repair. Returns the rows rewritten."""
    lf = layout.scan("articles")
    if lf is None:
        return 0
    # every run asks, so ask cheaply first: two columns, stopping at the first dangling link
    links = lf.select("duplicate_of").drop_nulls()
    dangling = links.join(lf.select("doc_id"), left_on="duplicate_of", right_on="doc_id", how="anti")
    if dangling.head(1).collect().is_empty():
        return 0
    fixed = repair_dangling(lf.select(_REPAIR_READ).collect())
    if fixed.is_empty():
        return 0
    new = fixed.select("doc_id", *DEDUP_COLUMNS)
    for run_id in fixed.get_column("run_id").unique().sort():
        for part in layout.run_parts("articles", run_id):
            df = pl.read_parquet(part)
            if df.join(new, on="doc_id", how="semi").height:
                out = df.update(new, on="doc_id", include_nulls=True).select(df.columns).cast(df.schema)
                write_parquet_atomic(out, part, row_group_size)
    return fixed.height


def rebuild_clusters(layout: OutputLayout) -> int:
    """The clusters table over every run's articles (a column-projected scan), replaced atomically."""
    lf = layout.scan("articles")
    if lf is None:
        return 0
    table = clusters_table(lf.select(MEMBER_COLUMNS).collect())
    write_parquet_atomic(table, layout.clusters_path())
    return table.height
