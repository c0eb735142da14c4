"""The run's Prefect artifacts: the summary, the largest clusters, and a progress bar over the shards."""

from __future__ import annotations

import sys
from typing import Any

import polars as pl

from flows.store import OutputLayout
from transforms.summary import summary_markdown

__all__ = ["Progress", "publish_artifacts"]


class Progress:
    """Progress of one pass over the shards: a line on stderr (the CLI's progress), and a Prefect
    progress artifact when the run has more than one shard."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.done, self.what, self.id = total, 0, what, None
        if total > 1:
            from prefect.artifacts import create_progress_artifact

            self.id = create_progress_artifact(
                progress=0.0, key="wirewash-progress", description=f"Shards {what} in this run"
            )

    def advance(self, n: int = 1) -> None:
        self.done += n
        print(f"wirewash: {self.what} {self.done:,}/{self.total:,} shards", file=sys.stderr, flush=True)
        if self.id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self.id, progress=100.0 * self.done / max(self.total, 1))


def publish_artifacts(summary: dict[str, Any], layout: OutputLayout) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(
        markdown=summary_markdown(summary),
        key="wirewash-summary",
        description=f"wirewash run {summary['run_id']}",
    )
    path = layout.clusters_path()
    if path.exists():
        top = pl.read_parquet(path).sort("size", descending=True).head(20)
        rows = [
            {k: (", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in r.items()}
            for r in top.iter_rows(named=True)
        ]  # 20 rows for a UI table, not a hot path
        if rows:
            create_table_artifact(
                table=rows,
                key="wirewash-largest-clusters",
                description="The largest story clusters and the outlets that ran them",
            )
