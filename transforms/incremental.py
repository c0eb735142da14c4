"""Which inputs a run must process, from the manifest of earlier runs. Pure polars over small frames."""

from __future__ import annotations

import polars as pl

__all__ = ["MANIFEST_SCHEMA", "plan_inputs", "current_manifest", "select_todo", "superseded"]

MANIFEST_SCHEMA: dict[str, pl.DataType] = {
    "source_path": pl.String(),
    "size": pl.Int64(),
    "mtime_ns": pl.Int64(),
    "sha256": pl.String(),
    "run_id": pl.String(),
}


def current_manifest(manifest: pl.LazyFrame) -> pl.LazyFrame:
    """One row per path: the entry of the latest run that processed it (run ids sort by time)."""
    return manifest.sort("run_id").group_by("source_path", maintain_order=True).last()


def plan_inputs(found: pl.DataFrame, manifest: pl.DataFrame, full: bool = False) -> pl.DataFrame:
    """Tag each found file (source_path, size, mtime_ns) as ``new``, ``changed``, ``touched`` (mtime or
    size differ, content to be hashed and compared) or ``unchanged``. ``full`` makes every file ``new``-like
    (``changed`` where it was seen before)."""
    known = current_manifest(manifest.lazy()).select(
        "source_path", pl.col("size").alias("m_size"), pl.col("mtime_ns").alias("m_mtime"), "sha256"
    )
    status = (
        pl.when(pl.col("m_size").is_null())
        .then(pl.lit("new"))
        .when(pl.lit(full))
        .then(pl.lit("changed"))
        .when((pl.col("size") == pl.col("m_size")) & (pl.col("mtime_ns") == pl.col("m_mtime")))
        .then(pl.lit("unchanged"))
        .otherwise(pl.lit("touched"))
    )
    return (
        found.lazy()
        .join(known, on="source_path", how="left")
        .with_columns(status.alias("status"))
        .select("source_path", "size", "mtime_ns", pl.col("sha256").alias("known_sha256"), "status")
        .sort("source_path")
        .collect()
    )


def superseded(manifest: pl.DataFrame) -> pl.DataFrame:
    """(run_id, source_path) entries that a later run re-processed: their rows are stale."""
    latest = current_manifest(manifest.lazy()).select("source_path", pl.col("run_id").alias("latest"))
    return (
        manifest.lazy()
        .join(latest, on="source_path")
        .filter(pl.col("run_id") != pl.col("latest"))
        .select("run_id", "source_path")
        .unique()
        .sort("run_id", "source_path")
        .collect()
    )


def select_todo(plan: pl.DataFrame, hashes: pl.DataFrame, run_id: str) -> tuple[list[str], pl.DataFrame]:
    """From a plan (``plan_inputs``) and the content hashes of its not-unchanged files
    (source_path, sha256): the paths to process, sorted, and this run's manifest rows. A ``touched``
    file whose content hash is the one seen before is not processed again."""
    todo = (
        plan.filter(pl.col("status") != "unchanged")
        .join(hashes, on="source_path", how="left")
        .filter((pl.col("status") != "touched") | (pl.col("sha256") != pl.col("known_sha256")))
        .sort("source_path")
    )
    manifest = todo.select(
        *[pl.col(c) for c in ("source_path", "size", "mtime_ns", "sha256")], pl.lit(run_id).alias("run_id")
    ).cast(MANIFEST_SCHEMA)
    return todo.get_column("source_path").to_list(), manifest
