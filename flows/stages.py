"""Glue between the flow and the transforms: each stage's config from the flow parameters, the state it
reads and writes under the output folder (line statistics, history index). The run's artifacts are in
flows/artifacts.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from flows.history import KeyIndex, open_key_index
from flows.params import CleanNewsParams
from flows.state import compact, load_manifest
from flows.store import OutputLayout, write_parquet_atomic
from transforms.clean import CleanConfig, clean_frame
from transforms.dedup import (
    HISTORY_SCHEMA,
    MEMBER_COLUMNS,
    DedupConfig,
    clusters_table,
    dedup_frame,
    lookup_keys,
    prepare,
)
from transforms.history_keys import keys_to_register
from transforms.incremental import superseded
from transforms.linestats import line_evidence, repeated_lines
from transforms.outlet_rules import parse_outlet_rules

__all__ = [
    "Cleaned",
    "Deduped",
    "clean",
    "dedup",
    "add_to_history",
    "rollback_history",
    "rebuild_clusters",
]


# per-run side tables that carry source_path, so a changed input's earlier rows can be superseded
PATH_KEYED_SIDE_TABLES = ("roundups",)


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
    keys: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.uint64), np.zeros(0, np.int64))
    new_clusters: int = 0


def clean_config(p: CleanNewsParams) -> CleanConfig:
    return CleanConfig(
        min_clean_chars=p.min_clean_chars,
        min_clean_words=p.min_clean_words,
        repeated_min_docs=p.repeated_min_docs,
        repeated_min_share=p.repeated_min_share,
    )


def dedup_config(p: CleanNewsParams) -> DedupConfig:
    rows = 8 if p.num_perm >= 64 else 4
    return DedupConfig(
        shingle_size=p.shingle_size,
        num_perm=p.num_perm,
        bands=p.num_perm // rows,
        rows=rows,
        jaccard_threshold=p.jaccard_threshold,
        containment_threshold=p.containment_threshold,
        min_excerpt_shingles=p.min_excerpt_shingles,
    )


def load_outlet_rules(path: str | None) -> dict:
    """Extra rules per outlet from the TOML file; a missing file means none, a broken one fails the run
    before anything is written (a typo must not silently switch rules off)."""
    if not path or not Path(path).is_file():
        return {}
    return parse_outlet_rules(Path(path).read_text(encoding="utf-8"))


def clean(records: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> Cleaned:
    """Line statistics (this run's evidence plus earlier runs' evidence for the same lines), then clean."""
    config = clean_config(params)
    evidence = line_evidence(records, config.linestats())
    earlier = layout.scan("_state/linestats")
    if earlier is not None and evidence.height:
        seen = earlier.join(
            evidence.lazy().select("source", "line_hash").unique(), on=["source", "line_hash"], how="semi"
        ).collect()
        pooled = pl.concat([seen, evidence]).unique()
    else:
        pooled = evidence
    repeated = repeated_lines(pooled, config.linestats())
    articles, rejected = clean_frame(records, config, load_outlet_rules(params.outlet_rules), repeated)
    return Cleaned(articles=articles, rejected=rejected, evidence=evidence)


def _key_index(params: CleanNewsParams, layout: OutputLayout) -> KeyIndex:
    config = dedup_config(params)
    index = open_key_index(params.history_backend, layout.state, params.redis_url)
    index.ensure_config(
        f"shingle_size={config.shingle_size} num_perm={config.num_perm} bands={config.bands} "
        f"rows={config.rows} seed={config.seed} sample_bits={config.sample_bits}"
    )
    return index


_HISTORY_ROW_SCHEMA = {**HISTORY_SCHEMA, "source_path": pl.String()}


def _history_rows(
    keys: np.ndarray,
    counts: np.ndarray,
    params: CleanNewsParams,
    layout: OutputLayout,
    exclude_paths: list[str],
) -> pl.DataFrame:
    """Index rows of the earlier documents that share a key with this run's documents."""
    index = _key_index(params, layout)
    try:
        rows = index.fetch(keys, counts, _HISTORY_ROW_SCHEMA)
    finally:
        index.close()
    # a file processed again supersedes its earlier rows: never match a document against its old self
    return rows.filter(~pl.col("source_path").is_in(exclude_paths)).drop("run_id")


def dedup(articles: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> Deduped:
    config = dedup_config(params)
    prepared = prepare(articles.get_column("text"), config)
    keys, counts = lookup_keys(prepared, config)
    history = _history_rows(
        keys, counts, params, layout, articles.get_column("source_path").unique().to_list()
    )
    result = dedup_frame(articles, config, history.drop("source_path"), prepared=prepared)
    paths = articles.select("doc_id", "source_path")
    new_ids = articles.get_column("doc_id").to_list()
    new_clusters = result.clusters.filter(pl.col("canonical_id").is_in(new_ids)).height
    return Deduped(
        articles=result.articles,
        side_tables={"roundups": result.roundup_links.join(paths, on="doc_id", how="left")},
        index_rows=result.index_rows.join(paths, on="doc_id", how="left"),
        keys=(keys, counts),
        new_clusters=new_clusters,
    )


def add_to_history(deduped: Deduped, params: CleanNewsParams, layout: OutputLayout, run_id: str) -> None:
    """Register this run's documents in the history index before the run commits: a run that dies is
    rolled back from the index by the next run."""
    rows = deduped.index_rows
    if rows is None or rows.is_empty():
        return
    keys, counts = keys_to_register(
        *deduped.keys, dedup_config(params).bands, rows.get_column("is_canonical").to_numpy()
    )
    index = _key_index(params, layout)
    try:
        index.add(keys, counts, rows.select(list(_HISTORY_ROW_SCHEMA)), run_id)
    finally:
        index.close()


def rollback_history(params: CleanNewsParams, layout: OutputLayout) -> list[str]:
    index = _key_index(params, layout)
    try:
        return index.rollback(layout.committed_runs())
    finally:
        index.close()


def supersede(params: CleanNewsParams, layout: OutputLayout) -> int:
    """Drop what a later run superseded (a changed input processed again): from the history index first,
    then from the Parquet parts, the manifest last (so a crash midway is finished by the next run)."""
    stale = superseded(load_manifest(layout))
    if stale.is_empty():
        return 0
    index = _key_index(params, layout)
    try:
        index.drop_paths(stale)
    finally:
        index.close()
    return compact(layout, extra_tables=PATH_KEYED_SIDE_TABLES)


def rebuild_clusters(layout: OutputLayout) -> int:
    """The clusters table over every run's articles (a column-projected scan), replaced atomically."""
    lf = layout.scan("articles")
    if lf is None:
        return 0
    members = lf.select(MEMBER_COLUMNS).collect()
    table = clusters_table(members)
    write_parquet_atomic(table, layout.clusters_path())
    return table.height
