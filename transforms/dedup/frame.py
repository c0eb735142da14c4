"""`dedup_frame`: clean articles (and the index rows of earlier runs) in; the articles with cluster
columns, the clusters table, the roundup links and the run's index rows out. One function a step:
exact groups -> LSH candidates -> exact Jaccard -> components -> near copies of history ->
containment (excerpts, roundups) -> roots -> canonical copy and columns."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from transforms.dedup import containment as ct
from transforms.dedup.clusters import (
    assign_canonical,
    clusters_table,
    copy_columns,
    history_nodes,
    match_columns,
    roundup_links,
)
from transforms.dedup.config import DEFAULT_CONFIG, DedupConfig
from transforms.dedup.graph import connected_components, follow_to_root
from transforms.dedup.history import history_arrays, index_rows
from transforms.dedup.keys import prepared_containment_keys
from transforms.dedup.overlap import KnownOverlap, jaccard, overlap_frame, pair_overlap
from transforms.dedup.quotes import TextSource
from transforms.dedup.rows import HeldSets, concat_csr
from transforms.dedup.schema import DEDUP_COLUMNS, HISTORY_SCHEMA, MEMBER_COLUMNS, DedupResult
from transforms.dedup.sketch import Prepared, prepare, sampled_view
from transforms.lsh import candidate_pairs_array

__all__ = ["dedup_frame"]

_ROUNDUP_NODES = {"doc": pl.Int64, "story": pl.Int64, "containment": pl.Float64}


@dataclass(frozen=True)
class _Nodes:
    """The run's documents (nodes 0..n-1) and the history rows (n..n+h-1), with every node's sorted
    distinct shingles (`HeldSets`: read row by row when the run's are not in memory) and the history
    rows' band keys."""

    n: int
    hist: pl.DataFrame
    sets: HeldSets
    hist_keys: np.ndarray
    sample: tuple[np.ndarray, np.ndarray] | None = None  # every node's containment sample, when given

    @property
    def h(self) -> int:
        return self.hist.height

    @classmethod
    def build(
        cls,
        prep: Prepared,
        history: pl.DataFrame | None,
        sampled: Prepared | None = None,
        sample_bits: int = 3,
    ) -> _Nodes:
        hist = history if history is not None and history.height else pl.DataFrame(schema=HISTORY_SCHEMA)
        h_vals, h_offs, h_keys = history_arrays(hist)
        sample = None
        if sampled is not None:
            h_sample = sampled_view(Prepared(h_vals, h_offs, *_NO_META), sample_bits)
            sample = concat_csr([(sampled.hashes, sampled.offsets), (h_sample.hashes, h_sample.offsets)])
        sets = HeldSets([(prep.hashes, prep.offsets), (h_vals, h_offs)])
        return cls(prep.n_docs, hist, sets, h_keys, sample)


_NO_META = (np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros((0, 0), np.uint64))


def clean_chars_expr(articles: pl.DataFrame) -> pl.Expr:
    """Characters of the clean text; a frame without ``text`` (the sharded run's per-document state)
    gives them as ``clean_chars``."""
    if "text" not in articles.columns and "clean_chars" in articles.columns:
        return pl.col("clean_chars").cast(pl.Int64)
    return pl.col("text").fill_null("").str.len_chars().cast(pl.Int64)


def _doc_frame(articles: pl.DataFrame, prep: Prepared) -> pl.DataFrame:
    return articles.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("published").cast(pl.Datetime("us", "UTC")),
        clean_chars=clean_chars_expr(articles),
    ).with_columns(
        _idx=pl.int_range(articles.height, dtype=pl.Int64),
        _exact=pl.Series(prep.exact),
        _words=pl.Series(prep.n_words),
    )


def exact_groups(docs: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """Edges (left, right) from each exact group's representative (smallest doc_id) to its other
    members, and the representatives (the only documents the later steps compare)."""
    groups = docs.filter(pl.col("_words") > 0).with_columns(
        _rep=pl.col("_idx").sort_by("doc_id").first().over("_exact"),
    )
    edges = groups.filter(pl.col("_idx") != pl.col("_rep")).select(left="_rep", right="_idx")
    reps = groups.filter(pl.col("_idx") == pl.col("_rep")).get_column("_idx").to_numpy()
    return edges, reps


def lsh_candidates(nodes: _Nodes, keys: np.ndarray, reps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of representatives sharing a band key, then (representative, history node) pairs."""
    left, right = candidate_pairs_array(reps, keys[reps])
    if nodes.h:
        hl, hr = candidate_pairs_array(
            reps, keys[reps], np.arange(nodes.n, nodes.n + nodes.h), nodes.hist_keys
        )
        left, right = np.concatenate([left, hl]), np.concatenate([right, hr])
    return left, right


def verify_near(
    nodes: _Nodes, left: np.ndarray, right: np.ndarray, config: DedupConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Exact Jaccard of every candidate pair: the near edges (left, right, similarity) and the
    overlaps computed (reused later)."""
    inter, size_a, size_b = pair_overlap(*nodes.sets.rows(left, right), left, right, config.workers)
    jac = jaccard(inter, size_a, size_b)
    near = jac >= config.jaccard_threshold
    edges = pl.DataFrame({"left": left[near], "right": right[near], "similarity": jac[near]})
    return edges, overlap_frame(left, right, inter, size_a, size_b)


def components(
    nodes: _Nodes, docs: pl.DataFrame, exact_edges: pl.DataFrame, near_edges: pl.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Every node's component (the run's documents over exact and near edges inside the run; history
    documents keep their cluster), and every node's rank by doc_id (for tie-breaks)."""
    n, hist = nodes.n, nodes.hist
    within = near_edges.filter(pl.col("right") < n)
    edges = pl.concat([exact_edges.cast(pl.Int64), within.select("left", "right").cast(pl.Int64)])
    comp_new = connected_components(
        n, edges.get_column("left").to_numpy(), edges.get_column("right").to_numpy()
    )
    hist_comp = (
        hist.with_row_index("_h")
        .select(pl.col("_h").cast(pl.Int64).min().over("cluster_id") + n)
        .to_series()
        .to_numpy()
    )
    comp = np.concatenate([comp_new, hist_comp]).astype(np.int64)
    all_ids = pl.concat([docs.get_column("doc_id"), hist.get_column("doc_id")])
    return comp, all_ids.rank("ordinal").cast(pl.Int64).to_numpy()


def join_history_near(
    nodes: _Nodes, comp: np.ndarray, rank: np.ndarray, near_edges: pl.DataFrame
) -> np.ndarray:
    """Parent of every component: a component with a near copy in history joins the history cluster
    it matches best (highest Jaccard, then smallest doc_id); every other one is its own parent."""
    parent = np.arange(nodes.n + nodes.h, dtype=np.int64)
    to_hist = near_edges.filter(pl.col("right") >= nodes.n)
    if to_hist.height:
        best = (
            to_hist.with_columns(
                _c=pl.lit(pl.Series(comp)).gather(pl.col("left")),
                _r=pl.lit(pl.Series(rank)).gather(pl.col("right")),
            )
            .sort(["_c", "similarity", "_r"], descending=[False, True, False])
            .group_by("_c", maintain_order=True)
            .first()
        )
        parent[best.get_column("_c").to_numpy()] = comp[best.get_column("right").to_numpy()]
    return parent


@dataclass(frozen=True)
class _Containment:
    parent: np.ndarray  # every component's parent after containment
    via: np.ndarray  # how it joined (ct.ATTACH_*)
    roundups: pl.DataFrame  # (doc, story, containment) by node
    relations: pl.DataFrame  # the confirmed relations (a, b, inter, size_a, size_b, containment)


def join_containment(
    nodes: _Nodes,
    texts: TextSource,
    comp: np.ndarray,
    rank: np.ndarray,
    reps: np.ndarray,
    parent: np.ndarray,
    config: DedupConfig,
) -> _Containment:
    """Excerpts attach to the component that contains them and roundups are linked
    (`transforms.dedup.containment`); a near match to history takes precedence."""
    total = nodes.n + nodes.h
    if not config.containment:
        empty = pl.DataFrame(schema=_ROUNDUP_NODES)
        return _Containment(parent, np.full(total, ct.ATTACH_NONE, np.int8), empty, pl.DataFrame())
    graph_nodes = np.concatenate([reps, np.arange(nodes.n, total)]).astype(np.int64)
    rel = ct.containment_relations(nodes.sets, graph_nodes, config, comp, nodes.sample)
    rel = ct.confirm_relations(rel, texts, nodes.sets, config, nodes.n)
    plain = max(config.plain_containment, config.containment_threshold)
    cparent, roundups, cvia = ct.resolve_attachments(comp, rel, rank, nodes.n, plain, nodes.sets)
    free = parent == np.arange(total)
    via = np.where(free, cvia, np.full(total, ct.ATTACH_NONE, np.int8))
    return _Containment(np.where(free, cparent, parent), via, roundups, rel)


def _prepared(articles: pl.DataFrame, config: DedupConfig, prepared: Prepared | None) -> Prepared:
    n = articles.height
    if prepared is None:
        return prepare(articles.get_column("text").cast(pl.String), config)
    if prepared.n_docs != n:
        raise ValueError(f"prepared has {prepared.n_docs} documents, articles {n}")
    return prepared


def _containment_keys_async(prep: Prepared, config: DedupConfig) -> Future | None:
    """The run's containment keys (for its index rows) need nothing but `prep` (or its sampled view:
    they read only the sample): computed on a second thread while this one verifies and clusters
    (numpy/numba work that releases the GIL)."""
    if config.workers <= 1:
        return None
    pool = ThreadPoolExecutor(1)
    future = pool.submit(prepared_containment_keys, prep, config)
    pool.shutdown(wait=False)
    return future


def dedup_frame(
    articles: pl.DataFrame,
    config: DedupConfig = DEFAULT_CONFIG,
    history: pl.DataFrame | None = None,
    prepared: Prepared | None = None,
    texts: TextSource | None = None,
    sampled: Prepared | None = None,
    index_sketch: bool = True,
) -> DedupResult:
    """Flag exact, near and partial duplicates of `articles` (within the run and against `history`,
    rows of earlier runs' `index_rows`, e.g. those `candidates_from_history` finds with
    `lookup_keys`). Nothing is dropped; the output keeps the input order.

    `prepared` is `prepare(articles["text"], config)` when the caller has it already (the flow needs
    it for the history lookup first); it is computed here otherwise. `texts` is for a caller whose
    `articles` carry no `text` (the sharded run's per-document state): a function from positions to
    their texts, asked only for the few documents whose quotations must be checked. `sampled` is
    `sampled_view(prepared, config.sample_bits)` when the caller has it; it is required when
    `prepared.hashes` is not an in-memory array but a flat source read by slices (the sharded run's
    file of the run's shingles, `transforms.dedup.rows`): the steps that read only the sample use it,
    and the full sets are read, and held, only for the documents compared exactly. The result is the
    same either way. `index_sketch=False` leaves the index rows' sketch columns null (the
    sharded run writes the run's keys itself and keeps only the rows' other columns): the run's
    shingles are then never copied into a list column.

    `copy_kind` of a duplicate: `exact` (same normalised text as the canonical copy), `excerpt` (its
    component joined the cluster through a containment relation in which it is the contained side:
    an excerpt or trimmed reprint of a fuller copy, whatever its containment in the canonical copy
    itself), else `near` (joined through verified near-duplicate edges, or a fuller version, e.g. a
    write-through, that joined an earlier cluster by containing that cluster's copy: it is no excerpt).
    """
    prep = _prepared(articles, config, prepared)
    sample_prep = sampled if sampled is not None else prep
    ckeys_future = _containment_keys_async(sample_prep, config) if index_sketch else None
    nodes = _Nodes.build(prep, history, sampled, config.sample_bits)
    docs = _doc_frame(articles, prep)
    exact_edges, reps = exact_groups(docs)
    near_edges, known = verify_near(nodes, *lsh_candidates(nodes, prep.keys, reps), config)
    comp, rank = components(nodes, docs, exact_edges, near_edges)
    parent = join_history_near(nodes, comp, rank, near_edges)
    if texts is None:
        texts = articles.get_column("text").cast(pl.String)
    joined = join_containment(nodes, texts, comp, rank, reps, parent, config)
    # a containment target may itself have joined a history cluster
    root = follow_to_root(joined.parent[joined.parent])[comp]
    contained = joined.via[comp] == ct.ATTACH_CONTAINED  # per node: its component joined as an excerpt
    if joined.relations.height:
        rel = joined.relations
        known = pl.concat(
            [
                known,
                overlap_frame(
                    *(rel.get_column(c).to_numpy() for c in ("a", "b", "inter", "size_a", "size_b"))
                ),
            ]
        )
    links = _Links(
        comp, rank, root, contained, joined.roundups, _matched_pairs(exact_edges, near_edges, joined)
    )
    ckeys = None
    if index_sketch:
        ckeys = ckeys_future.result() if ckeys_future else prepared_containment_keys(sample_prep, config)
    overlap = KnownOverlap(known, nodes.sets)
    return _assemble(articles, docs, nodes, links, overlap, prep, ckeys, config)


@dataclass(frozen=True)
class _Links:
    """Where every node ended up: component, rank by doc_id, final root, whether its component
    joined as an excerpt, the roundups (doc, story, containment) and the verified pairs (x, y)."""

    comp: np.ndarray
    rank: np.ndarray
    root: np.ndarray
    contained: np.ndarray
    roundups: pl.DataFrame
    pairs: pl.DataFrame


def _matched_pairs(exact_edges: pl.DataFrame, near_edges: pl.DataFrame, joined: _Containment) -> pl.DataFrame:
    """Every verified link of the run as (x, y): exact groups, near edges, confirmed containment."""
    parts = [
        exact_edges.select(x=pl.col("left").cast(pl.Int64), y=pl.col("right").cast(pl.Int64)),
        near_edges.select(x=pl.col("left").cast(pl.Int64), y=pl.col("right").cast(pl.Int64)),
    ]
    if joined.relations.height:
        confirmed = joined.relations.filter(pl.col("confirmed"))
        parts.append(confirmed.select(x=pl.col("a").cast(pl.Int64), y=pl.col("b").cast(pl.Int64)))
    return pl.concat(parts)


def _assemble(
    articles: pl.DataFrame,
    docs: pl.DataFrame,
    nodes: _Nodes,
    links: _Links,
    overlap: KnownOverlap,
    prep: Prepared,
    ckeys: tuple[np.ndarray, np.ndarray] | None,
    config: DedupConfig,
) -> DedupResult:
    comp, root, roundups = links.comp, links.root, links.roundups
    hist_docs = history_nodes(nodes.hist, nodes.n)
    assigned = assign_canonical(docs, hist_docs, comp, root)
    node_ids = pl.concat([docs.get_column("doc_id"), nodes.hist.get_column("doc_id")])
    matches = match_columns(links.pairs, overlap, root, links.rank, node_ids, nodes.n)
    all_exact = np.concatenate([prep.exact, nodes.hist.get_column("exact_hash").to_numpy().astype(np.uint64)])
    roundup_comps = (
        pl.Series(comp)[roundups.get_column("doc")].unique()
        if roundups.height
        else pl.Series([], dtype=pl.Int64)
    )
    cols = (
        assigned.join(copy_columns(assigned, overlap, all_exact, links.contained), on="_idx", how="left")
        .join(matches, on="_idx", how="left")
        .with_columns(
            [
                pl.when(pl.col("is_duplicate")).then(c).alias(c)
                for c in ("matched_to", "match_similarity", "match_containment")
            ]
        )
        .with_columns(is_roundup=pl.col("_comp").is_in(roundup_comps.implode()))
        .sort("_idx")
    )
    result_cols = cols.select(list(DEDUP_COLUMNS)).cast(DEDUP_COLUMNS)
    out = pl.concat([articles.drop(list(DEDUP_COLUMNS), strict=False), result_cols], how="horizontal")
    members = out.with_columns(clean_chars=clean_chars_expr(out)).select(MEMBER_COLUMNS)
    return DedupResult(
        articles=out,
        clusters=clusters_table(members),
        roundup_links=roundup_links(cols, hist_docs, roundups, root),
        index_rows=index_rows(cols, prep, ckeys, config),
    )
