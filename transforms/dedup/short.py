"""Short copies: a text too short to stand as an article (a one-sentence wire brief) is kept only as
a copy of a story kept on its own, never as a story.

`attach_short` runs after `dedup_frame` has clustered the long documents, so a short text can neither
become a cluster's canonical copy nor link two stories (no bridging: the clusters are final before
it is looked at). It joins the cluster of the one story that holds it:

- candidates: the kept documents (the run's and the history rows given) sharing at least
  `min_short_shingles` shingles with it, by a hash-set probe of every kept shingle against the short
  texts' shingles (shingles in more than `max_sample_df` kept documents are boilerplate and count
  for nothing); roundup pages are no candidates;
- confirmed: containment of the short text at least `containment_threshold`, with at least
  `min_short_shingles` shared, and its text outside quotation marks found there too, at least
  `unquoted_share` of its containment, whatever the containment (a short text that is mostly a quoted
  statement is no evidence of a copy: every article quoting it holds it);
- one story only: a short text confirmed in documents of two or more clusters joins none.

It takes the container holding most of it (then the most similar, then the smallest doc_id) as
`matched_to`, the cluster's canonical copy as `duplicate_of`, and `copy_kind` `excerpt` (`exact` when
its normalised text equals the canonical copy's).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.config import DEFAULT_CONFIG, DedupConfig
from transforms.dedup.history import history_arrays
from transforms.dedup.overlap import jaccard, pair_overlap
from transforms.dedup.quotes import unquoted_containment
from transforms.dedup.rows import gather_segments
from transforms.dedup.schema import DEDUP_COLUMNS, HISTORY_SCHEMA
from transforms.dedup.sketch import Prepared

__all__ = ["attach_short"]

_CHUNK = 1 << 22  # kept shingles probed at once (bounded memory however large the run)


def _shared_counts(
    sources: list[tuple[np.ndarray, np.ndarray]], short: Prepared, config: DedupConfig
) -> pl.DataFrame:
    """(short, node, shared) for every short text and kept node sharing `min_short_shingles` shingles
    or more, boilerplate shingles (in more than `max_sample_df` kept nodes) left out."""
    members = np.unique(short.hashes)
    pos_v, pos_n = [], []
    base = 0
    for hashes, offsets in sources:
        for lo in range(0, int(offsets[-1]), _CHUNK):
            chunk = np.asarray(hashes[lo : lo + _CHUNK])
            hit = np.flatnonzero(kernels.in_set(chunk, members))
            pos_v.append(chunk[hit])
            pos_n.append(np.searchsorted(offsets, hit + lo, side="right") - 1 + base)
        base += offsets.size - 1
    hits = pl.DataFrame(
        {
            "value": np.concatenate(pos_v or [np.zeros(0, np.uint32)]),
            "node": np.concatenate(pos_n or [np.zeros(0, np.int64)]).astype(np.int64),
        },
        schema={"value": pl.UInt32, "node": pl.Int64},
    ).filter(pl.len().over("value") <= config.max_sample_df)
    postings = pl.DataFrame(
        {"value": short.hashes, "short": np.repeat(np.arange(short.n_docs), np.diff(short.offsets))},
        schema={"value": pl.UInt32, "short": pl.Int64},
    )
    return (
        postings.join(hits, on="value")
        .group_by("short", "node")
        .agg(shared=pl.len())
        .filter(pl.col("shared") >= config.min_short_shingles)
        .sort("short", "node")
    )


def _nodes(kept: pl.DataFrame, history: pl.DataFrame, exact: np.ndarray) -> pl.DataFrame:
    """Every kept node (the run's documents, then history rows): doc_id, cluster, canonical doc_id,
    exact hash and whether it may hold a short copy (roundup pages may not)."""
    run = kept.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("cluster_id").cast(pl.String),
        canonical=pl.coalesce("duplicate_of", "doc_id").cast(pl.String),
        exact=pl.Series(exact, dtype=pl.UInt64),
        may_hold=~pl.col("is_roundup").fill_null(False),
    )
    hist = history.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("cluster_id").cast(pl.String),
        canonical=pl.col("canonical_id").cast(pl.String),
        exact=pl.col("exact_hash").cast(pl.UInt64),
        may_hold=pl.lit(True),
    )
    return pl.concat([run, hist]).with_columns(node=pl.int_range(pl.len(), dtype=pl.Int64))


def _scored(
    pairs: pl.DataFrame,
    sources: list[tuple[np.ndarray, np.ndarray]],
    short: pl.DataFrame,
    short_prepared: Prepared,
    config: DedupConfig,
) -> pl.DataFrame:
    """The candidate pairs (short, node, target) that confirm, with the short text's scores against
    the node (``match_*``) and against the target, its cluster's canonical copy (or the node)."""
    # one small CSR: the short texts first (so a short text's node is its position), then the kept
    # nodes the pairs name
    wanted = np.unique(np.concatenate([pairs["node"].to_numpy(), pairs["target"].to_numpy()]))
    k_vals, k_offs = gather_segments(sources, wanted)
    m = short_prepared.n_docs
    hashes = np.concatenate([np.asarray(short_prepared.hashes, np.uint32), k_vals])
    offsets = np.concatenate([short_prepared.offsets, k_offs[1:] + short_prepared.offsets[-1]])
    local = pl.DataFrame({"node": wanted, "_local": np.arange(m, m + wanted.size)})
    pairs = pairs.join(local, on="node").join(
        local.rename({"node": "target", "_local": "_tlocal"}), on="target"
    )
    a, b = pairs["short"].to_numpy(), pairs["_local"].to_numpy()
    inter, size_s, size_k = pair_overlap(hashes, offsets, a, b)
    texts = short.get_column("text").cast(pl.String)
    own, share = unquoted_containment(texts, a, b, hashes, offsets, config.shingle_size)
    t_inter, _, t_size = pair_overlap(hashes, offsets, a, pairs["_tlocal"].to_numpy())
    contained = inter / np.maximum(size_s, 1)
    return pairs.with_columns(
        match_containment=pl.Series(contained),
        match_similarity=pl.Series(jaccard(inter, size_s, size_k)),
        containment=pl.Series(t_inter / np.maximum(size_s, 1)),
        similarity=pl.Series(jaccard(t_inter, size_s, t_size)),
    ).filter(
        pl.Series(
            (inter >= config.min_short_shingles)
            & (contained >= config.containment_threshold)
            & (own >= config.min_short_shingles)
            & (share >= config.unquoted_share * contained)
        )
    )


def attach_short(
    kept: pl.DataFrame,
    prepared: Prepared,
    short: pl.DataFrame,
    short_prepared: Prepared,
    history: pl.DataFrame | None = None,
    config: DedupConfig = DEFAULT_CONFIG,
) -> pl.DataFrame:
    """The short texts that are copies of a kept story, as ``doc_id`` + `DEDUP_COLUMNS` rows (the others
    are absent: they stay rejected).

    `kept` is `dedup_frame`'s output (doc_id and its `DEDUP_COLUMNS`) in `prepared`'s order; `short`
    has the short texts' ``doc_id`` and ``text`` in `short_prepared`'s order; `history` holds rows of
    earlier runs (`HISTORY_SCHEMA`) they may be copies of. See the module docstring for the rule."""
    hist = history if history is not None and history.height else pl.DataFrame(schema=HISTORY_SCHEMA)
    out_schema = {"doc_id": pl.String(), **DEDUP_COLUMNS}
    if not short.height or not (kept.height or hist.height):
        return pl.DataFrame(schema=out_schema)
    h_vals, h_offs, _ = history_arrays(hist)
    sources = [(prepared.hashes, prepared.offsets), (h_vals, h_offs)]
    nodes = _nodes(kept, hist, prepared.exact)
    pairs = _shared_counts(sources, short_prepared, config).join(
        nodes.filter("may_hold").select("node", "cluster_id", "canonical"), on="node"
    )
    if not pairs.height:
        return pl.DataFrame(schema=out_schema)
    # each pair's canonical copy as a node, when it is one of the nodes (a history canonical copy not
    # among the rows given is not): the scores against the canonical copy are measured on it
    ids = nodes.select(canonical="doc_id", canon_node="node", canon_exact="exact")
    pairs = pairs.join(ids, on="canonical", how="left").with_columns(target=pl.coalesce("canon_node", "node"))
    best = (
        _scored(pairs, sources, short, short_prepared, config)
        .join(nodes.select("node", matched_to="doc_id"), on="node")
        .filter(pl.col("cluster_id").n_unique().over("short") == 1)  # one story only
        .sort(
            ["short", "match_containment", "match_similarity", "matched_to"],
            descending=[False, True, True, False],
        )
        .group_by("short", maintain_order=True)
        .first()
    )
    ids_short = short.select(
        pl.col("doc_id").cast(pl.String),
        short=pl.int_range(pl.len(), dtype=pl.Int64),
        _exact=pl.Series(short_prepared.exact, dtype=pl.UInt64),
    )
    return (
        best.join(ids_short, on="short")
        .with_columns(
            is_duplicate=pl.lit(True),
            duplicate_of="canonical",
            copy_kind=pl.when((pl.col("_exact") == pl.col("canon_exact")).fill_null(False))
            .then(pl.lit("exact"))
            .otherwise(pl.lit("excerpt")),
            is_roundup=pl.lit(False),
        )
        .sort("short")
        .select(list(out_schema))
        .cast(out_schema)
    )
