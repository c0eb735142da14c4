"""The frames the dedup stage returns: the columns it adds to articles, the index rows a run persists
for later runs, the clusters table and the roundup links."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = [
    "CLUSTER_SCHEMA",
    "DEDUP_COLUMNS",
    "HISTORY_SCHEMA",
    "MEMBER_COLUMNS",
    "ROUNDUP_SCHEMA",
    "DedupResult",
]

DEDUP_COLUMNS: dict[str, pl.DataType] = {
    "cluster_id": pl.String(),
    "is_duplicate": pl.Boolean(),
    "duplicate_of": pl.String(),
    "similarity": pl.Float64(),
    "containment": pl.Float64(),
    # exact | near | excerpt (see dedup_frame); null for canonical copies and singletons
    "copy_kind": pl.String(),
    "is_roundup": pl.Boolean(),
    # the document this one actually matched (a copy of its cluster, perhaps not the canonical one)
    # and its scores against it; null for canonical copies and singletons
    "matched_to": pl.String(),
    "match_similarity": pl.Float64(),
    "match_containment": pl.Float64(),
}

# What a run persists so that later runs can dedup against its documents (one row per document).
HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "cluster_id": pl.String(),
    "is_canonical": pl.Boolean(),
    "canonical_id": pl.String(),  # doc_id of the cluster's canonical copy
    "published": pl.Datetime("us", "UTC"),
    "clean_chars": pl.Int64(),
    "exact_hash": pl.UInt64(),  # hash of the normalised word sequence
    "band_keys": pl.List(pl.UInt64()),  # one per band, in band order, top bit clear
    "containment_keys": pl.List(pl.UInt64()),  # sampled shingles, top bit set (see `lookup_keys`)
    "shingles": pl.List(pl.UInt32()),  # distinct shingle hashes, ascending, for exact checks
}

CLUSTER_SCHEMA: dict[str, pl.DataType] = {
    "cluster_id": pl.String(),
    "canonical_id": pl.String(),
    "title": pl.String(),
    "size": pl.UInt32(),
    "n_full": pl.UInt32(),
    "n_excerpt": pl.UInt32(),
    "sources": pl.List(pl.String()),
    "urls": pl.List(pl.String()),
    "first_published": pl.Datetime("us", "UTC"),
    "last_published": pl.Datetime("us", "UTC"),
}

ROUNDUP_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "cluster_id": pl.String(),
    "containment": pl.Float64(),  # share of the roundup's shingles found in that story
}

# The article columns the clusters table is computed from (so it can be rebuilt over every run's output).
MEMBER_COLUMNS = (
    "doc_id",
    "cluster_id",
    "is_duplicate",
    "copy_kind",
    "source",
    "url",
    "title",
    "published",
    "clean_chars",
)


@dataclass(frozen=True)
class DedupResult:
    articles: pl.DataFrame
    clusters: pl.DataFrame
    roundup_links: pl.DataFrame
    index_rows: pl.DataFrame
