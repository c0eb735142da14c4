"""From components to the output columns: the canonical copy of each cluster, each duplicate's
columns against it, the roundup links, and the clusters table rebuilt from article rows alone."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from transforms.dedup.history import history_arrays
from transforms.dedup.overlap import jaccard, pair_overlap
from transforms.dedup.schema import CLUSTER_SCHEMA, ROUNDUP_SCHEMA

__all__ = [
    "assign_canonical",
    "clusters_table",
    "copy_columns",
    "history_nodes",
    "match_columns",
    "reelect_canonical",
    "repair_dangling",
    "rank_expr",
    "roundup_links",
]

Overlap = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def rank_expr() -> list[pl.Expr]:
    """Canonical order inside a cluster: full copies first, earliest published, longest, doc_id."""
    return [pl.col("_excerpt"), pl.col("published"), pl.col("clean_chars").neg(), pl.col("doc_id")]


def history_nodes(history: pl.DataFrame, n: int) -> pl.DataFrame:
    """History rows as nodes `n..n+h` with their cluster, canonical id and doc_id."""
    return history.select(
        _hidx=pl.int_range(n, n + history.height, dtype=pl.Int64),
        _hcluster="cluster_id",
        _hcanon="canonical_id",
        _hdoc="doc_id",
    )


def assign_canonical(
    docs: pl.DataFrame, hist_docs: pl.DataFrame, comp: np.ndarray, root: np.ndarray
) -> pl.DataFrame:
    """Each new document's cluster and canonical copy, in input order.

    `docs` (doc_id, published, clean_chars, _idx) are the run's documents, `comp`/`root` every node's
    component and final root. A root in history keeps that history cluster and its canonical copy;
    otherwise the cluster's first document by `rank_expr` is canonical and names the cluster. Adds
    `_comp`, `_root`, `_excerpt`, `cluster_id`, `_canonical`, `_target` (the node to compare a
    duplicate with: the canonical copy, or the matched history document when the history canonical
    is not among the rows given), `is_duplicate` and `duplicate_of`."""
    n = docs.height
    canon_idx = hist_docs.filter(pl.col("_hcanon") == pl.col("_hdoc")).select("_hidx", "_hcanon")
    base = docs.with_columns(
        _comp=pl.Series(comp[:n]),
        _root=pl.Series(root[:n]),
        _excerpt=pl.Series(comp[:n]) != pl.Series(root[:n]),
    ).join(hist_docs.select("_hidx", "_hcluster", "_hcanon"), left_on="_root", right_on="_hidx", how="left")
    canon = (
        base.filter(pl.col("_hcluster").is_null())
        .sort(rank_expr(), nulls_last=True)
        .group_by("_root", maintain_order=True)
        .agg(_canon_doc=pl.col("doc_id").first(), _canon_idx=pl.col("_idx").first())
    )
    return (
        base.join(canon, on="_root", how="left")
        .join(
            canon_idx.rename({"_hidx": "_hcanon_idx", "_hcanon": "_hc"}),
            left_on="_hcanon",
            right_on="_hc",
            how="left",
        )
        .with_columns(
            cluster_id=pl.coalesce("_hcluster", "_canon_doc"),
            _canonical=pl.coalesce("_hcanon", "_canon_doc"),
            _target=pl.coalesce(
                "_hcanon_idx", pl.when(pl.col("_hcluster").is_not_null()).then("_root"), "_canon_idx"
            ),
        )
        .with_columns(is_duplicate=pl.col("_canonical") != pl.col("doc_id"))
        .with_columns(duplicate_of=pl.when(pl.col("is_duplicate")).then("_canonical"))
        .sort("_idx")
    )


def copy_columns(
    assigned: pl.DataFrame, overlap: Overlap, exact: np.ndarray, contained: np.ndarray
) -> pl.DataFrame:
    """`similarity`, `containment` and `copy_kind` of every duplicate against its `_target` (by
    `_idx`): `exact` when the normalised texts are equal, `excerpt` when its component joined as the
    contained side, else `near`. `exact` holds every node's exact hash, `contained` every node's
    contained flag."""
    dup = assigned.filter(pl.col("is_duplicate"))
    dl, dr = dup.get_column("_idx").to_numpy(), dup.get_column("_target").to_numpy()
    inter, sa, sb = overlap(dl, dr)
    return pl.DataFrame(
        {
            "_idx": dl,
            "similarity": jaccard(inter, sa, sb),
            "containment": np.where(sa > 0, inter / np.maximum(sa, 1), 1.0),
            "_same": (exact[dl] == exact[dr]) & (sa > 0),
            "_contained": contained[dl],
        },
        schema={
            "_idx": pl.Int64,
            "similarity": pl.Float64,
            "containment": pl.Float64,
            "_same": pl.Boolean,
            "_contained": pl.Boolean,
        },
    ).select(
        "_idx",
        "similarity",
        "containment",
        copy_kind=pl.when(pl.col("_same"))
        .then(pl.lit("exact"))
        .when(pl.col("_contained"))
        .then(pl.lit("excerpt"))
        .otherwise(pl.lit("near")),
    )


def match_columns(
    pairs: pl.DataFrame, overlap: Overlap, root: np.ndarray, rank: np.ndarray, node_ids: pl.Series, n: int
) -> pl.DataFrame:
    """What each of the run's documents actually matched: among the verified links of the run (`pairs`
    (x, y): exact groups, near edges, confirmed containment relations) to a node of the same final
    cluster (same `root`), the one holding most of the document (then the most similar, then the
    smallest doc_id). Returns (_idx, matched_to, match_similarity, match_containment) for the run's
    documents that have such a link; `node_ids` names every node (the run's documents, then history
    rows), `rank` orders them by doc_id."""
    both = pl.concat([pairs.select("x", "y"), pairs.select(x="y", y="x")]).filter(pl.col("x") < n).unique()
    x, y = both.get_column("x").to_numpy(), both.get_column("y").to_numpy()
    same = root[x] == root[y]
    x, y = x[same], y[same]
    inter, size_x, size_y = overlap(x, y)
    return (
        pl.DataFrame(
            {
                "_idx": x,
                "_y": y,
                "match_similarity": jaccard(inter, size_x, size_y),
                "match_containment": np.where(size_x > 0, inter / np.maximum(size_x, 1), 1.0),
                "_rank": rank[y],
            },
            schema={
                "_idx": pl.Int64,
                "_y": pl.Int64,
                "match_similarity": pl.Float64,
                "match_containment": pl.Float64,
                "_rank": pl.Int64,
            },
        )
        .sort(
            ["_idx", "match_containment", "match_similarity", "_rank"], descending=[False, True, True, False]
        )
        .group_by("_idx", maintain_order=True)
        .first()
        .select(
            "_idx",
            pl.lit(node_ids).gather(pl.col("_y")).alias("matched_to"),
            "match_similarity",
            "match_containment",
        )
    )


def roundup_links(
    assigned: pl.DataFrame, hist_docs: pl.DataFrame, roundups: pl.DataFrame, root: np.ndarray
) -> pl.DataFrame:
    """Roundup doc -> the cluster of each story it quotes (ROUNDUP_SCHEMA). `roundups` has (doc,
    story, containment) by node; `root` maps every node to its final root."""
    node_cluster = pl.concat(
        [
            assigned.select(node="_idx", cluster_id="cluster_id"),
            hist_docs.select(node="_hidx", cluster_id="_hcluster"),
        ]
    )
    story_cluster = pl.DataFrame({"story": np.arange(root.size), "node": root}).join(node_cluster, on="node")
    return (
        roundups.join(story_cluster.select("story", "cluster_id"), on="story")
        .join(assigned.select(doc="_idx", doc_id="doc_id", _own="cluster_id"), on="doc")
        .filter(pl.col("cluster_id") != pl.col("_own"))
        .group_by("doc_id", "cluster_id")
        .agg(pl.col("containment").max())
        .sort("doc_id", "cluster_id")
        .select(list(ROUNDUP_SCHEMA))
        .cast(ROUNDUP_SCHEMA)
    )


def reelect_canonical(
    members: pl.DataFrame, removed: pl.Series | list[str], index_rows: pl.DataFrame | None = None
) -> pl.DataFrame:
    """New canonical copies for the clusters whose canonical copy was removed (a changed input's
    superseded rows): the rows, among `members` (article rows), of every cluster whose canonical
    copy is in `removed`, minus the removed rows, with `is_duplicate`, `duplicate_of`, `copy_kind`,
    `similarity`, `containment` and the `match_*` columns recomputed against the new canonical copy.

    The rule is `dedup_frame`'s: never an excerpt while a fuller copy remains, then earliest
    `published`, then longest `clean_chars`, then smallest `doc_id`. `cluster_id` is kept (it is
    the story's id, named after its first canonical copy). With `index_rows` (the members' history
    rows: doc_id, exact_hash, shingles) the scores are measured against the new canonical copy;
    without them they are null rather than stale. Clusters left with one member are singletons."""
    removed = pl.Series("doc_id", removed, dtype=pl.String).unique()
    affected = members.filter(
        pl.col("duplicate_of").is_in(removed.implode()) | pl.col("doc_id").is_in(removed.implode())
    )
    clusters = affected.get_column("cluster_id").unique()
    rows = members.filter(
        pl.col("cluster_id").is_in(clusters.implode()) & ~pl.col("doc_id").is_in(removed.implode())
    )
    ranked = rows.with_columns(_excerpt=pl.col("copy_kind").fill_null("") == "excerpt").with_columns(
        _canon=pl.col("doc_id")
        .sort_by(
            [
                pl.col("_excerpt"),
                pl.col("published"),
                pl.col("clean_chars").cast(pl.Int64).neg(),
                pl.col("doc_id"),
            ],
            nulls_last=True,
        )
        .first()
        .over("cluster_id"),
        _size=pl.len().over("cluster_id"),
    )
    dup = (pl.col("doc_id") != pl.col("_canon")) & (pl.col("_size") > 1)
    scored = _scores_to_canonical(ranked, index_rows)
    return scored.with_columns(
        is_duplicate=dup,
        duplicate_of=pl.when(dup).then("_canon"),
        copy_kind=pl.when(~dup)
        .then(None)
        .when(pl.col("_excerpt"))
        .then(pl.lit("excerpt"))
        .when(pl.col("_same"))
        .then(pl.lit("exact"))
        .otherwise(pl.lit("near")),
        similarity=pl.when(dup).then("_similarity"),
        containment=pl.when(dup).then("_containment"),
        matched_to=pl.when(dup).then("_canon"),
        match_similarity=pl.when(dup).then("_similarity"),
        match_containment=pl.when(dup).then("_containment"),
    ).select(members.columns)


def repair_dangling(members: pl.DataFrame) -> pl.DataFrame:
    """The rows to rewrite so that no `duplicate_of` points at a document that is gone (its file changed
    and its rows were superseded): `reelect_canonical` for every cluster whose canonical copy is
    missing from `members`. Idempotent: members with no dangling link give no rows, and a repair cut
    short elects the same canonical copy again."""
    ids = members.get_column("doc_id")
    gone = (
        members.filter(pl.col("duplicate_of").is_not_null() & ~pl.col("duplicate_of").is_in(ids.implode()))
        .get_column("duplicate_of")
        .unique()
    )
    if gone.is_empty():
        return members.clear()
    return reelect_canonical(members, gone)


def _scores_to_canonical(ranked: pl.DataFrame, index_rows: pl.DataFrame | None) -> pl.DataFrame:
    """`_similarity`, `_containment` and `_same` (equal normalised text) of each row against its
    `_canon`, from the history rows' shingles and exact hashes; null (and `_same` false) without."""
    if index_rows is None:
        return ranked.with_columns(
            _similarity=pl.lit(None, pl.Float64), _containment=pl.lit(None, pl.Float64), _same=pl.lit(False)
        )
    rows = (
        index_rows.select("doc_id", "exact_hash", "shingles", "band_keys")
        .unique("doc_id")
        .with_row_index("_n")
    )
    hashes, offsets, _ = history_arrays(rows)
    node = rows.select("doc_id", pl.col("_n").cast(pl.Int64), "exact_hash")
    pairs = ranked.join(node, on="doc_id", how="left").join(
        node.rename({"doc_id": "_canon", "_n": "_cn", "exact_hash": "_cexact"}), on="_canon", how="left"
    )
    known = pairs.filter(pl.col("_n").is_not_null() & pl.col("_cn").is_not_null())
    inter, size_a, size_b = pair_overlap(
        hashes, offsets, known.get_column("_n").to_numpy(), known.get_column("_cn").to_numpy()
    )
    scores = known.select(
        "doc_id",
        _similarity=pl.Series(jaccard(inter, size_a, size_b)),
        _containment=pl.Series(np.where(size_a > 0, inter / np.maximum(size_a, 1), 1.0)),
        _same=(pl.col("exact_hash") == pl.col("_cexact")) & pl.Series(size_a > 0),
    )
    return ranked.join(scores, on="doc_id", how="left", maintain_order="left").with_columns(
        pl.col("_same").fill_null(False)
    )


def clusters_table(members: pl.DataFrame) -> pl.DataFrame:
    """One row per cluster with more than one member, from article rows alone (doc_id, cluster_id,
    is_duplicate, copy_kind, source, url, title, published, clean_chars): rebuildable over all runs.
    The canonical is the non-duplicate member (or, when the canonical is in an earlier run's output
    not given here, the cluster_id)."""
    return (
        members.lazy()
        .with_columns(_canon=~pl.col("is_duplicate"))
        .group_by("cluster_id")
        .agg(
            canonical_id=pl.col("doc_id").filter(pl.col("_canon")).first(),
            title=pl.col("title").sort_by("_canon", descending=True).first(),
            size=pl.len().cast(pl.UInt32),
            n_full=(pl.col("copy_kind").fill_null("full") != "excerpt").sum().cast(pl.UInt32),
            n_excerpt=(pl.col("copy_kind") == "excerpt").sum().cast(pl.UInt32),
            sources=pl.col("source").drop_nulls().unique().sort(),
            urls=pl.col("url").drop_nulls().unique().sort(),
            first_published=pl.col("published").min(),
            last_published=pl.col("published").max(),
        )
        .filter(pl.col("size") > 1)
        .with_columns(canonical_id=pl.coalesce("canonical_id", "cluster_id"))
        .sort("cluster_id")
        .select(list(CLUSTER_SCHEMA))
        .collect()
        .cast(CLUSTER_SCHEMA)
    )
