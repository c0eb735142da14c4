"""Which earlier documents a history look-up returns for a run's new documents: one rule, used by every
backend of the key index (flows.history) and by the pure reference (`candidates_reference`).

A new document's keys are its LSH band keys (top bit clear) and its containment keys (sampled shingles,
top bit set; see `transforms.dedup.lookup_keys`). An earlier document is a candidate for a new one when
they share a band key, or enough containment keys: at least `MIN_CONTAINMENT_HITS` and `HIT_SHARE` of
the smaller document's containment keys. A containment key held by more than `MAX_KEY_DOCS` earlier
documents is a common phrase, not evidence, and is not followed.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms.lsh import KEY_TAG

__all__ = [
    "HIT_SHARE",
    "MAX_KEY_DOCS",
    "MIN_CONTAINMENT_HITS",
    "TAG",
    "candidate_mask",
    "candidate_rule",
    "candidates_reference",
    "containment_counts",
]

MIN_CONTAINMENT_HITS = 2  # sampled shingles in common before an earlier document is a containment candidate
HIT_SHARE = 0.5  # ...and at least this share of the smaller document's sampled shingles
MAX_KEY_DOCS = 100  # a containment key of more stories than this is a common phrase, not evidence
TAG = int(KEY_TAG)  # containment keys carry the top bit; band keys never do


def candidate_rule(band_hits: int, containment_hits: int, n_new: int, n_old: int) -> bool:
    """Whether an earlier document is a candidate for a new one. A containment C >= 0.8 of the smaller
    document in the larger shares about 80 % of its sampled shingles, so asking for half of them (and at
    least two) loses almost no true pair while an unrelated document sharing a few common phrases, which
    would make the look-up grow with the history, is not fetched."""
    need = max(MIN_CONTAINMENT_HITS, HIT_SHARE * min(n_new, n_old))
    return band_hits > 0 or containment_hits >= need


def candidate_mask(
    band_hits: np.ndarray, containment_hits: np.ndarray, n_new: np.ndarray, n_old: np.ndarray
) -> np.ndarray:
    """`candidate_rule` over arrays of (new document, earlier document) pairs."""
    need = np.maximum(MIN_CONTAINMENT_HITS, HIT_SHARE * np.minimum(n_new, n_old))
    return (np.asarray(band_hits) > 0) | (np.asarray(containment_hits) >= need)


def containment_counts(keys: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """How many of each document's keys (``counts[i]`` of ``keys``, back to back) are containment keys."""
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    out = np.zeros(counts.size, np.int64)
    step = 1 << 17  # documents at a time: the owner and weight arrays stay small at any run size
    for lo in range(0, counts.size, step):
        hi = min(counts.size, lo + step)
        start, end = int(ends[lo] - counts[lo]), int(ends[hi - 1])
        tagged = np.asarray(keys[start:end], dtype=np.uint64) >= np.uint64(TAG)
        owner = np.repeat(np.arange(hi - lo, dtype=np.int32), counts[lo:hi])
        out[lo:hi] = np.bincount(owner, weights=tagged, minlength=hi - lo).astype(np.int64)
    return out


def candidates_reference(
    history: pl.DataFrame, keys: np.ndarray, counts: np.ndarray, registered: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The rows of ``history`` (one per earlier document: ``doc_id``, ``band_keys``, ``containment_keys``)
    that the rule makes candidates for the new documents whose keys are ``keys`` (``counts[i]`` for
    document i). ``registered`` (doc_id, key) overrides the keys each earlier document registered in the
    index (a duplicate registers its band keys only, `transforms.history_keys`); by default all of its
    band and containment keys. Plain polars, one join: the specification the backends are tested against."""
    if registered is None:
        registered = pl.concat(
            [
                history.select("doc_id", key=pl.col(c)).explode("key")
                for c in ("band_keys", "containment_keys")
                if c in history.columns
            ]
        ).drop_nulls("key")
    registered = registered.select("doc_id", pl.col("key").cast(pl.UInt64)).unique()
    tag = pl.lit(TAG, dtype=pl.UInt64)
    key_docs = registered.group_by("key").agg(n_docs=pl.len())
    n_old = registered.filter(pl.col("key") >= tag).group_by("doc_id").agg(n_old=pl.len())
    n_keys = np.asarray(counts, np.int64)
    query = pl.DataFrame(
        {"q": np.repeat(np.arange(n_keys.size), n_keys), "key": np.asarray(keys, np.uint64)},
        schema={"q": pl.Int64, "key": pl.UInt64},
    ).unique()
    n_new = query.filter(pl.col("key") >= tag).group_by("q").agg(n_new=pl.len())
    hits = (
        query.join(key_docs, on="key")
        .filter((pl.col("key") < tag) | (pl.col("n_docs") <= MAX_KEY_DOCS))
        .join(registered, on="key")
        .group_by("q", "doc_id")
        .agg(band=(pl.col("key") < tag).sum(), cont=(pl.col("key") >= tag).sum())
        .join(n_new, on="q", how="left")
        .join(n_old, on="doc_id", how="left")
        .with_columns(pl.col("n_new", "n_old").fill_null(0))
    )
    need = pl.max_horizontal(
        pl.lit(float(MIN_CONTAINMENT_HITS)), HIT_SHARE * pl.min_horizontal("n_new", "n_old")
    )
    wanted = hits.filter((pl.col("band") > 0) | (pl.col("cont") >= need)).select("doc_id").unique()
    return history.join(wanted, on="doc_id", how="semi")
