"""Glue between the flow and the transforms: each stage's config from the flow parameters, the state it
reads and writes under the output folder (line statistics, history index), and the run's artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from flows.params import CleanNewsParams
from flows.store import OutputLayout, write_parquet_atomic
from transforms.summary import summary_markdown

__all__ = ["Cleaned", "Deduped", "Progress", "clean", "dedup", "add_to_history", "rollback_history",
           "rebuild_clusters", "publish_artifacts"]


@dataclass
class Cleaned:
    articles: pl.DataFrame
    rejected: pl.DataFrame
    evidence: pl.DataFrame


@dataclass
class Deduped:
    articles: pl.DataFrame
    side_tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    index_rows: pl.DataFrame | None = None
    new_clusters: int = 0


class Progress:
    """A Prefect progress artifact for long runs (updated per read batch); silent outside a flow run."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.id = total, 0, None
        if total >= 2000:
            from prefect.artifacts import create_progress_artifact

            self.id = create_progress_artifact(progress=0.0, key="wirewash-progress",
                                               description="Files read in this run")

    def advance(self, n: int) -> None:
        self.done += n
        if self.id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self.id, progress=100.0 * self.done / max(self.total, 1))


def clean(records: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> Cleaned:
    raise NotImplementedError


def dedup(articles: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> Deduped:
    raise NotImplementedError


def add_to_history(deduped: Deduped, params: CleanNewsParams, layout: OutputLayout, run_id: str) -> None:
    raise NotImplementedError


def rollback_history(params: CleanNewsParams, layout: OutputLayout) -> None:
    raise NotImplementedError


def rebuild_clusters(layout: OutputLayout) -> None:
    raise NotImplementedError


def publish_artifacts(summary: dict[str, Any], layout: OutputLayout) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(markdown=summary_markdown(summary), key="wirewash-summary",
                             description=f"wirewash run {summary['run_id']}")
    path = layout.clusters_path()
    if path.exists():
        top = pl.read_parquet(path).sort("size", descending=True).head(20)
        rows = [{k: (", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in r.items()}
                for r in top.iter_rows(named=True)]  # 20 rows for a UI table, not a hot path
        if rows:
            create_table_artifact(table=rows, key="wirewash-largest-clusters",
                                  description="The largest story clusters and the outlets that ran them")
