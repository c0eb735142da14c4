"""Glue between the flow and the transforms: each stage's config from the flow parameters, the state it
reads and writes under the output folder (line statistics, history index), and the run's artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

import numpy as np

from flows.history import KeyIndex, open_key_index
from flows.params import CleanNewsParams
from flows.store import OutputLayout, write_parquet_atomic
from transforms.clean import CleanConfig, clean_frame
from transforms.dedup import HISTORY_SCHEMA, DedupConfig, clusters_table, dedup_frame, prepare
from transforms.linestats import line_evidence, repeated_lines
from transforms.outlet_rules import parse_outlet_rules
from transforms.summary import summary_markdown

__all__ = ["Cleaned", "Deduped", "Progress", "clean", "dedup", "add_to_history", "rollback_history",
           "rebuild_clusters", "publish_artifacts"]


# per-run side tables that carry source_path, so a changed input's earlier rows can be superseded
PATH_KEYED_SIDE_TABLES = ("roundups", "_state/history")


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


def clean_config(p: CleanNewsParams) -> CleanConfig:
    return CleanConfig(min_clean_chars=p.min_clean_chars, min_clean_words=p.min_clean_words,
                       repeated_min_docs=p.repeated_min_docs, repeated_min_share=p.repeated_min_share)


def dedup_config(p: CleanNewsParams) -> DedupConfig:
    rows = 8 if p.num_perm >= 64 else 4
    return DedupConfig(shingle_size=p.shingle_size, num_perm=p.num_perm, bands=p.num_perm // rows, rows=rows,
                       jaccard_threshold=p.jaccard_threshold, containment_threshold=p.containment_threshold,
                       min_excerpt_shingles=p.min_excerpt_shingles)


def load_outlet_rules(path: str | None) -> dict:
    """Extra rules per outlet from the TOML file; a missing file means none, a broken one fails the run
    before anything is written (a typo must not silently switch rules off)."""
    if not path or not Path(path).is_file():
        return {}
    return parse_outlet_rules(Path(path).read_text(encoding="utf-8"))


def clean(records: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> Cleaned:
    """Line statistics (this run's evidence plus what earlier runs saw of the same lines), then the cleaner."""
    config = clean_config(params)
    evidence = line_evidence(records, config.linestats())
    earlier = layout.scan("_state/linestats")
    if earlier is not None and evidence.height:
        seen = earlier.join(evidence.lazy().select("source", "line_hash").unique(), on=["source", "line_hash"],
                            how="semi").collect()
        pooled = pl.concat([seen, evidence]).unique()
    else:
        pooled = evidence
    repeated = repeated_lines(pooled, config.linestats())
    articles, rejected = clean_frame(records, config, load_outlet_rules(params.outlet_rules), repeated)
    return Cleaned(articles=articles, rejected=rejected, evidence=evidence)


def _key_index(params: CleanNewsParams, layout: OutputLayout) -> KeyIndex:
    return open_key_index(params.history_backend, layout.state, params.redis_url)


def _history_rows(keys: np.ndarray, params: CleanNewsParams, layout: OutputLayout,
                  exclude_paths: list[str]) -> pl.DataFrame:
    """Index rows of the earlier documents that share a key with this run's documents."""
    index = _key_index(params, layout)
    try:
        hits = index.lookup(keys)
    finally:
        index.close()
    if hits.is_empty():
        return pl.DataFrame(schema={**HISTORY_SCHEMA, "source_path": pl.String()})
    frames = []
    for (run_id,), group in hits.group_by(["run_id"], maintain_order=True):
        part = layout.run_part("_state/history", run_id)
        if part.exists():  # gone if that run's documents were all superseded
            frames.append(pl.scan_parquet(part).filter(pl.col("doc_id").is_in(group["doc_id"].to_list())))
    if not frames:
        return pl.DataFrame(schema={**HISTORY_SCHEMA, "source_path": pl.String()})
    # a file processed again supersedes its earlier rows: never match a document against its old self
    return pl.concat(frames).filter(~pl.col("source_path").is_in(exclude_paths)).collect()


def dedup(articles: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> Deduped:
    config = dedup_config(params)
    prepared = prepare(articles.get_column("text"), config)
    history = _history_rows(prepared.keys.reshape(-1), params, layout,
                            articles.get_column("source_path").unique().to_list())
    result = dedup_frame(articles, config, history.drop("source_path"))
    paths = articles.select("doc_id", "source_path")
    new_ids = set(articles.get_column("doc_id"))
    new_clusters = result.clusters.filter(pl.col("canonical_id").is_in(list(new_ids))).height
    return Deduped(
        articles=result.articles,
        side_tables={"roundups": result.roundup_links.join(paths, on="doc_id", how="left")},
        index_rows=result.index_rows.join(paths, on="doc_id", how="left"),
        new_clusters=new_clusters,
    )


def add_to_history(deduped: Deduped, params: CleanNewsParams, layout: OutputLayout, run_id: str) -> None:
    """Register this run's documents in the key index (before the run commits: a run that dies is rolled
    back from the index by the next run) and stage their index rows as a per-run table."""
    rows = deduped.index_rows
    if rows is None or rows.is_empty():
        return
    keys = rows.get_column("band_keys")
    index = _key_index(params, layout)
    try:
        index.add(keys.explode().to_numpy(), keys.list.len().to_numpy(), rows.get_column("doc_id").to_list(),
                  run_id)
    finally:
        index.close()
    deduped.side_tables["_state/history"] = rows


def rollback_history(params: CleanNewsParams, layout: OutputLayout) -> list[str]:
    index = _key_index(params, layout)
    try:
        return index.rollback(layout.committed_runs())
    finally:
        index.close()


def rebuild_clusters(layout: OutputLayout) -> int:
    """The clusters table over every run's articles (a column-projected scan), replaced atomically."""
    lf = layout.scan("articles")
    if lf is None:
        return 0
    members = lf.select("doc_id", "cluster_id", "is_duplicate", "copy_kind", "source", "url", "title",
                        "published", "clean_chars").collect()
    table = clusters_table(members)
    write_parquet_atomic(table, layout.clusters_path())
    return table.height


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
