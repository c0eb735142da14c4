"""What a run shows in the Prefect UI: the summary, the largest clusters and the progress of long runs.

Artifacts are views: nothing reads them back. Creating one outside a flow run is a no-op in Prefect, so
``wirewash run`` and the tests call these freely.
"""

from __future__ import annotations

import sys
from typing import Any

import polars as pl

from flows.store import OutputLayout
from transforms.summary import summary_markdown

__all__ = ["Progress", "largest_clusters_rows", "publish_artifacts", "CLUSTER_COLUMNS"]

# What a reader scans for first, left; the 16-hex ids, which only a join needs, right.
CLUSTER_COLUMNS = (
    "sources",
    "size",
    "title",
    "n_full",
    "n_excerpt",
    "first_published",
    "last_published",
    "urls",
    "cluster_id",
    "canonical_id",
)
TITLE_CHARS = 80


class Progress:
    """Progress of one pass over the shards: a line on stderr (the CLI's progress), and a Prefect
    progress artifact when the run has more than one shard. The first pass also says how many files the
    run has: ``files`` to read and ``unread``, the files rejected at discovery (symlinks, unsupported
    types), which are part of the run's files but never read."""

    def __init__(self, total: int, what: str, files: int | None = None, unread: int = 0) -> None:
        self.total, self.done, self.what, self.id = total, 0, what, None
        self.files, self.unread = files, unread
        if total > 1:
            from prefect.artifacts import create_progress_artifact

            self.id = create_progress_artifact(
                progress=0.0, key="wirewash-progress", description=f"Shards {what} in this run"
            )

    def line(self) -> str:
        text = f"wirewash: {self.what} {self.done:,}/{self.total:,} shards"
        if self.files is None:
            return text
        of = f"{self.files + self.unread:,} files: {self.files:,} to read"
        if self.unread:
            of += f", {self.unread:,} rejected unread (symlink or unsupported type)"
        return f"{text} ({of})"

    def advance(self, n: int = 1) -> None:
        self.done += n
        print(self.line(), file=sys.stderr, flush=True)
        if self.id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self.id, progress=100.0 * self.done / max(self.total, 1))


def largest_clusters_rows(clusters: pl.DataFrame, n: int = 20) -> list[dict[str, str]]:
    """The ``n`` largest clusters as table rows of text, outlets first, ids last, titles shortened, so
    the columns a reader wants fit a normal window."""
    text = pl.String
    top = clusters.sort(["size", "cluster_id"], descending=[True, False]).head(n)
    title = pl.col("title").fill_null("")
    return top.select(
        pl.col("sources").list.join(", ").alias("sources"),
        pl.col("size").cast(text),
        pl.when(title.str.len_chars() > TITLE_CHARS)
        .then(title.str.slice(0, TITLE_CHARS - 1) + "…")
        .otherwise(title)
        .alias("title"),
        pl.col("n_full").cast(text),
        pl.col("n_excerpt").cast(text),
        pl.col("first_published").dt.strftime("%Y-%m-%d %H:%M").fill_null(""),
        pl.col("last_published").dt.strftime("%Y-%m-%d %H:%M").fill_null(""),
        pl.col("urls").list.join(" ").alias("urls"),
        pl.col("cluster_id"),
        pl.col("canonical_id"),
    ).to_dicts()


def publish_artifacts(summary: dict[str, Any], layout: OutputLayout) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(
        markdown=summary_markdown(summary),
        key="wirewash-summary",
        description=f"wirewash run {summary['run_id']}",
    )
    path = layout.clusters_path()
    rows = largest_clusters_rows(pl.read_parquet(path)) if path.exists() else []
    if rows:
        create_table_artifact(
            table=rows,
            key="wirewash-largest-clusters",
            description="The largest story clusters and the outlets that ran them",
        )
