"""Duplicate detection: exact, near (MinHash LSH + exact Jaccard) and partial copies (containment).

`dedup_frame` takes clean articles (and optionally the index rows of earlier runs) and returns the
articles with cluster columns, a clusters table, the roundup links and the index rows to persist.
Steps: `prepare` (shingle + sign + band in batches on `workers` threads; each document's distinct
shingles kept sorted, so every later exact check is a merge, never a sort) -> exact groups -> LSH
candidates -> exact Jaccard verification -> union-find -> containment (excerpts, roundups;
transforms.containment) -> canonical copy per cluster.

History: a run persists `index_rows` (HISTORY_SCHEMA). A later run looks up `lookup_keys` of its
documents in a key index of earlier documents' keys: band keys find near copies, containment keys
(sampled shingles) find excerpts of earlier stories and fuller versions of earlier excerpts;
`candidates_from_history` is the pure reference of that lookup. The rows found go to
`dedup_frame(..., history=rows, prepared=...)`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from transforms import containment as ct
from transforms import kernels
from transforms.lsh import KEY_TAG, band_key_frame, band_keys_array, candidate_pairs_array
from transforms.minhash import permutations, signatures
from transforms.shingle import SHINGLE_MULT, case_folded_bytes, shingle_batch

__all__ = [
    "CLUSTER_SCHEMA",
    "DEDUP_COLUMNS",
    "HISTORY_SCHEMA",
    "MEMBER_COLUMNS",
    "ROUNDUP_SCHEMA",
    "DedupConfig",
    "DedupResult",
    "Prepared",
    "band_keys",
    "candidates_from_history",
    "clusters_table",
    "connected_components",
    "dedup_frame",
    "distinct_sorted",
    "lookup_keys",
    "pair_overlap",
    "prepare",
    "prepare_reference",
    "sketch_batch",
]


@dataclass(frozen=True)
class DedupConfig:
    """Knobs of the dedup stage (see bench/results/*.md for the measurements behind the defaults)."""

    shingle_size: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations
    bands: int = 16  # LSH bands ...
    rows: int = 8  # ... of this many rows (bands * rows <= num_perm)
    jaccard_threshold: float = 0.5  # exact Jaccard on shingles to confirm a near duplicate
    containment_threshold: float = 0.8  # share of an excerpt's shingles found in its source
    min_excerpt_shingles: int = 20  # shared shingles below this never link (a sentence, a footer)
    roundup_min_share: float = 0.15  # share of a page from one story to count it as quoted there
    sample_bits: int = 3  # containment index keeps shingles whose hash has this many top zero bits
    max_sample_df: int = 200  # sampled shingles in more documents than this are boilerplate
    seed: int = 1  # MinHash permutation seed (datasketch's)
    batch_size: int = 2_000  # documents shingled and signed at once (at most; small stays in cache)
    workers: int = 2  # threads shingling and signing batches
    containment: bool = True  # search partial copies (excerpts, roundups); off: exact + near only

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError("bands * rows must not exceed num_perm")
        if not 0.0 < self.jaccard_threshold <= 1.0 or not 0.0 < self.containment_threshold <= 1.0:
            raise ValueError("thresholds must be in (0, 1]")


DEDUP_COLUMNS: dict[str, pl.DataType] = {
    "cluster_id": pl.String(),
    "is_duplicate": pl.Boolean(),
    "duplicate_of": pl.String(),
    "similarity": pl.Float64(),
    "containment": pl.Float64(),
    # exact | near | excerpt (see dedup_frame); null for canonical copies and singletons
    "copy_kind": pl.String(),
    "is_roundup": pl.Boolean(),
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


@dataclass(frozen=True)
class DedupResult:
    articles: pl.DataFrame
    clusters: pl.DataFrame
    roundup_links: pl.DataFrame
    index_rows: pl.DataFrame


@dataclass(frozen=True)
class Prepared:
    """Per-document sketches of a batch of texts: each document's distinct shingle hashes (sorted, CSR),
    exact hash, word count and band keys. What `dedup_frame` and the history lookup both need."""

    hashes: np.ndarray  # uint32, every document's distinct shingles in ascending order, back to back
    offsets: np.ndarray  # int64, n_docs + 1
    exact: np.ndarray  # uint64 per document
    n_words: np.ndarray  # int64 per document
    keys: np.ndarray  # (n_docs, bands) uint64 band keys (top bit clear)

    @property
    def n_docs(self) -> int:
        return self.offsets.size - 1


def distinct_sorted(hashes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document's shingle hashes sorted and without repeats (CSR in, CSR out): one sort of
    `doc << 32 | hash` for the whole batch."""
    n = offsets.size - 1
    owner = np.repeat(np.arange(n, dtype=np.uint64), np.diff(offsets))
    keys = np.sort((owner << np.uint64(32)) | np.asarray(hashes, np.uint64))
    keep = np.ones(keys.size, bool)
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    keys = keys[keep]
    counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n)
    return keys.astype(np.uint32), np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def prepare_reference(texts: pl.Series, config: DedupConfig = DedupConfig()) -> Prepared:
    """`prepare` in plain numpy, one whole-batch pass per step (shingle hashes, signatures, sort,
    band keys): the readable specification the compiled path must equal bit for bit."""
    batch = shingle_batch(texts, config.shingle_size)
    sig = signatures(batch.hashes, batch.offsets, config.num_perm, config.seed)
    hashes, offsets = distinct_sorted(batch.hashes, batch.offsets)
    keys = band_keys_array(sig, config.bands, config.rows)
    return Prepared(hashes=hashes, offsets=offsets, exact=batch.exact, n_words=batch.n_words, keys=keys)


def sketch_batch(texts: pl.Series, config: DedupConfig = DedupConfig()) -> tuple[Prepared, np.ndarray]:
    """One batch through the compiled kernel: its `Prepared` and its signatures `(n, num_perm)`."""
    k = config.shingle_size
    if not 1 <= k <= SHINGLE_MULT.size:
        raise ValueError(f"shingle size must be in 1..{SHINGLE_MULT.size}, got {k}")
    buf, doc_bytes = case_folded_bytes(texts, pad=8, sep=False)
    # room for every word of each document: a word takes at least one byte and one separator
    room = (np.diff(doc_bytes) + 1) // 2 + 1
    bound = np.concatenate([[0], np.cumsum(room)]).astype(np.int64)
    a, b = permutations(config.num_perm, config.seed)
    vals, counts, sig, exact, n_words, keys = kernels.prepare_batch(
        buf, doc_bytes, k, SHINGLE_MULT, a, b, config.bands, config.rows, bound
    )
    hashes, offsets = kernels.compact(vals, bound, counts)
    return Prepared(hashes=hashes, offsets=offsets, exact=exact, n_words=n_words, keys=keys), sig


def _prepare_batch(texts: pl.Series, config: DedupConfig) -> Prepared:
    return sketch_batch(texts, config)[0]


class _Gather:
    """The run's `Prepared`, filled batch by batch in input order. Each batch is copied in as soon as
    it is done and then dropped, so the batches never all exist beside the final arrays (on a VM,
    first-touching memory costs ~2 s a GB: concatenating 1M documents' batches at the end took 4 s).
    The shingle array grows by half when a batch does not fit (an estimate from the text size)."""

    def __init__(self, n: int, bands: int, estimate: int) -> None:
        self.hashes = np.empty(max(estimate, 1024), np.uint32)
        self.offsets = np.zeros(n + 1, np.int64)
        self.exact = np.empty(n, np.uint64)
        self.n_words = np.empty(n, np.int64)
        self.keys = np.empty((n, bands), np.uint64)
        self.docs = 0

    def add(self, part: Prepared) -> None:
        lo, hi = self.docs, self.docs + part.n_docs
        start, count = int(self.offsets[lo]), part.hashes.size
        if start + count > self.hashes.size:
            grown = np.empty(max(start + count, self.hashes.size * 3 // 2), np.uint32)
            grown[:start] = self.hashes[:start]
            self.hashes = grown
        self.hashes[start : start + count] = part.hashes
        self.offsets[lo + 1 : hi + 1] = part.offsets[1:] + start
        self.exact[lo:hi], self.n_words[lo:hi], self.keys[lo:hi] = part.exact, part.n_words, part.keys
        self.docs = hi

    def result(self) -> Prepared:
        end = int(self.offsets[self.docs])
        return Prepared(self.hashes[:end], self.offsets, self.exact, self.n_words, self.keys)


def prepare(texts: pl.Series, config: DedupConfig = DedupConfig()) -> Prepared:
    """Shingle, sign and band `texts` in batches of at most `config.batch_size` (bounded memory; only
    the distinct shingle hashes, 4 bytes each, are kept for the whole input). Batches run on
    `config.workers` threads (the kernels release the GIL), at most two per thread in flight."""
    n = texts.len()
    workers = max(1, config.workers)
    size = max(1, min(config.batch_size, -(-n // workers) if n >= 2_000 else n))
    # a shingle per word, a word per ~6 bytes of English prose: reserve one per 3 bytes (only the pages
    # written are ever touched, so the reserve costs address space, not memory)
    out = _Gather(n, config.bands, int(texts.str.len_bytes().sum() or 0) // 3)
    starts = range(0, n, size)
    if workers == 1 or len(starts) == 1:
        for lo in starts:
            out.add(_prepare_batch(texts.slice(lo, size), config))
        return out.result()
    with ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for lo in starts:
            pending.append(pool.submit(_prepare_batch, texts.slice(lo, size), config))
            if len(pending) >= 2 * workers:
                out.add(pending.popleft().result())
        while pending:
            out.add(pending.popleft().result())
    return out.result()


def band_keys(prepared: Prepared) -> pl.DataFrame:
    """Distinct (band, key) of a run's documents (the band keys alone; `lookup_keys` gives all keys)."""
    frame = band_key_frame(np.arange(prepared.n_docs), prepared.keys)
    return frame.select("band", "key").unique().sort("band", "key")


def _containment_keys(prepared: Prepared, config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    return ct.containment_keys(prepared.hashes, prepared.offsets, config.sample_bits, config.max_sample_df)


def lookup_keys(prepared: Prepared, config: DedupConfig = DedupConfig()) -> tuple[np.ndarray, np.ndarray]:
    """Every document's history keys back to back, and how many each has: its band keys (near
    duplicates) then its containment keys (sampled shingles, top bit set: excerpts and the stories
    they come from). The flow registers these for a run's documents (`index.add(keys, counts, ...)`)
    and looks up all of them for new documents; the same keys are in `index_rows`."""
    n, bands = prepared.keys.shape
    ckeys, ccounts = _containment_keys(prepared, config)
    counts = ccounts + bands
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    keys = np.empty(int(counts.sum()), np.uint64)
    band_pos = (starts[:, None] + np.arange(bands)).reshape(-1)
    keys[band_pos] = prepared.keys.reshape(-1)
    is_c = np.ones(keys.size, bool)
    is_c[band_pos] = False
    keys[is_c] = ckeys  # both in document order
    return keys, counts.astype(np.int64)


def candidates_from_history(
    history: pl.DataFrame, keys: np.ndarray | pl.Series | pl.DataFrame, counts: np.ndarray | None = None
) -> pl.DataFrame:
    """History rows sharing at least one key with `keys` (band or containment keys, e.g. from
    `lookup_keys`; a frame's `key` column). With `counts` (keys per new document, as `lookup_keys`
    gives them): the rows the key index returns, by the same rule (`transforms.history_policy`)."""
    if counts is not None:
        from transforms.history_policy import candidates_reference

        return candidates_reference(history, np.asarray(keys, np.uint64), counts)
    if isinstance(keys, pl.DataFrame):
        keys = keys.get_column("key")
    wanted = pl.Series("key", np.asarray(keys, np.uint64)).unique()
    cols = [c for c in ("band_keys", "containment_keys") if c in history.columns]
    hist_keys = pl.concat([history.select("doc_id", key=pl.col(c)).explode("key") for c in cols])
    hits = hist_keys.join(wanted.to_frame(), on="key", how="semi").select("doc_id").unique()
    return history.join(hits, on="doc_id", how="semi")


# ---------------------------------------------------------------- verification and clustering


def pair_overlap(
    hashes: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact `(|A ∩ B|, |A|, |B|)` for each pair (left[i], right[i]) of documents whose shingles are
    distinct and sorted (as `prepare` gives them): one linear merge per pair (compiled), no sort."""
    left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
    inter = kernels.overlap_counts(hashes, offsets, left, right)
    size_a = offsets[left + 1] - offsets[left]
    size_b = offsets[right + 1] - offsets[right]
    return inter, size_a.astype(np.int64), size_b.astype(np.int64)


def _jaccard(inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    union = size_a + size_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Union-find over edges, vectorised (hooking to the smaller root + pointer jumping).
    Returns for each node the smallest node index of its component."""
    parent = np.arange(n, dtype=np.int64)
    left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
    while left.size:
        rl, rr = parent[left], parent[right]
        if np.array_equal(rl, rr):
            break
        np.minimum.at(parent, np.maximum(rl, rr), np.minimum(rl, rr))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


# ---------------------------------------------------------------- canonical choice and columns


def _rank_expr() -> list[pl.Expr]:
    """Canonical order inside a cluster: full copies first, earliest published, longest, doc_id."""
    return [pl.col("_excerpt"), pl.col("published"), pl.col("clean_chars").neg(), pl.col("doc_id")]


def _to_list_column(values: np.ndarray, offsets: np.ndarray, dtype: pa.DataType) -> pl.Series:
    """A list column from CSR arrays, zero-copy through arrow. pyarrow stays because polars has no
    offsets -> list constructor: the polars-only way (group_by + agg) took 1.25 s instead of 0.04 s
    for 100K documents' shingles."""
    arr = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), pa.array(values, dtype))
    return pl.from_arrow(arr)


def _history_arrays(history: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """History rows' shingles as sorted distinct CSR (rows written before they were stored sorted are
    sorted here), and their band keys `(h, bands)`."""
    shingles = history.get_column("shingles")
    lens = shingles.list.len().fill_null(0).to_numpy().astype(np.int64)
    values = shingles.explode().drop_nulls().to_numpy().astype(np.uint32)
    values, offsets = distinct_sorted(values, np.concatenate([[0], np.cumsum(lens)]).astype(np.int64))
    keys = history.get_column("band_keys").explode().drop_nulls().to_numpy().astype(np.uint64)
    keys = keys & ~KEY_TAG  # rows written before band keys kept the top bit clear
    keys = keys.reshape(history.height, -1) if history.height else np.zeros((0, 0), np.uint64)
    return values, offsets, keys


def _clean_chars(articles: pl.DataFrame) -> pl.Expr:
    """Characters of the clean text; a frame without ``text`` (the sharded run's per-document state)
    gives them as ``clean_chars``."""
    if "text" not in articles.columns and "clean_chars" in articles.columns:
        return pl.col("clean_chars").cast(pl.Int64)
    return pl.col("text").fill_null("").str.len_chars().cast(pl.Int64)


def dedup_frame(
    articles: pl.DataFrame,
    config: DedupConfig = DedupConfig(),
    history: pl.DataFrame | None = None,
    prepared: Prepared | None = None,
) -> DedupResult:
    """Flag exact, near and partial duplicates of `articles` (within the run and against `history`,
    rows of earlier runs' `index_rows`, e.g. those `candidates_from_history` finds with
    `lookup_keys`). Nothing is dropped; the output keeps the input order.

    `prepared` is `prepare(articles["text"], config)` when the caller has it already (the flow needs
    it for the history lookup first); it is computed here otherwise.

    `copy_kind` of a duplicate: `exact` (same normalised text as the canonical copy), `excerpt` (its
    component joined the cluster through a containment relation in which it is the contained side:
    an excerpt or trimmed reprint of a fuller copy, whatever its containment in the canonical copy
    itself), else `near` (joined through verified near-duplicate edges, or a fuller version, e.g. a
    write-through, that joined an earlier cluster by containing that cluster's copy: it is no excerpt).
    """
    n = articles.height
    if prepared is None:
        prepared = prepare(articles.get_column("text").cast(pl.String), config)
    elif prepared.n_docs != n:
        raise ValueError(f"prepared has {prepared.n_docs} documents, articles {n}")
    prep = prepared
    # the run's containment keys (for its index rows) need nothing but `prep`: computed on a second
    # thread while this one verifies and clusters (both are numpy/numba work that releases the GIL)
    keys_pool = ThreadPoolExecutor(1) if config.workers > 1 else None
    ckeys_future = keys_pool.submit(_containment_keys, prep, config) if keys_pool else None
    if keys_pool:
        keys_pool.shutdown(wait=False)
    hist = history if history is not None and history.height else pl.DataFrame(schema=HISTORY_SCHEMA)
    h = hist.height
    h_vals, h_offs, h_keys = _history_arrays(hist)
    hashes = np.concatenate([prep.hashes, h_vals]) if h else prep.hashes
    offsets = np.concatenate([prep.offsets, h_offs[1:] + prep.offsets[-1]]) if h else prep.offsets

    docs = articles.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("published").cast(pl.Datetime("us", "UTC")),
        clean_chars=_clean_chars(articles),
    ).with_columns(
        _idx=pl.int_range(n, dtype=pl.Int64),
        _exact=pl.Series(prep.exact),
        _words=pl.Series(prep.n_words),
    )

    # 1. exact duplicates: a star from every member to the group's smallest doc_id
    nonempty = docs.filter(pl.col("_words") > 0)
    exact_groups = nonempty.with_columns(
        _rep=pl.col("_idx").sort_by("doc_id").first().over("_exact"),
    )
    exact_edges = exact_groups.filter(pl.col("_idx") != pl.col("_rep")).select(left="_rep", right="_idx")
    reps = exact_groups.filter(pl.col("_idx") == pl.col("_rep")).get_column("_idx").to_numpy()

    # 2. LSH candidates among representatives, and against history
    left, right = candidate_pairs_array(reps, prep.keys[reps])
    if h:
        hl, hr = candidate_pairs_array(reps, prep.keys[reps], np.arange(n, n + h), h_keys)
        left, right = np.concatenate([left, hl]), np.concatenate([right, hr])

    # 3. exact Jaccard verification
    inter, size_a, size_b = pair_overlap(hashes, offsets, left, right)
    known = _overlap_frame(left, right, inter, size_a, size_b)
    jac = _jaccard(inter, size_a, size_b)
    near = jac >= config.jaccard_threshold
    near_edges = pl.DataFrame({"left": left[near], "right": right[near], "similarity": jac[near]})

    # 4. components of new docs (exact + near edges inside the run); history docs keep their cluster
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
    rank = all_ids.rank("ordinal").cast(pl.Int64).to_numpy()

    # 5. near duplicates of history: a component joins the history cluster it matches best
    parent = np.arange(n + h, dtype=np.int64)
    to_hist = near_edges.filter(pl.col("right") >= n)
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

    # 6. containment: excerpts attach to the component that contains them, roundups are linked
    via = np.full(n + h, ct.ATTACH_NONE, np.int8)
    if config.containment:
        nodes = np.concatenate([reps, np.arange(n, n + h)]).astype(np.int64)
        rel = ct.containment_relations(hashes, offsets, nodes, config, pair_overlap, comp)
        cparent, roundups, cvia = ct.resolve_attachments(comp, rel, rank, n, config)
        free = parent == np.arange(n + h)  # near-history matches take precedence over containment
        parent = np.where(free, cparent, parent)
        via = np.where(free, cvia, via)
    else:
        roundups = pl.DataFrame(schema={"doc": pl.Int64, "story": pl.Int64, "containment": pl.Float64})
    parent = parent[parent]  # a containment target may itself have joined a history cluster
    for _ in range(64):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    root = parent[comp]
    contained = via[comp] == ct.ATTACH_CONTAINED  # per node: its component joined as an excerpt
    if config.containment and rel.height:
        known = pl.concat(
            [
                known,
                _overlap_frame(
                    *(rel.get_column(c).to_numpy() for c in ("a", "b", "inter", "size_a", "size_b"))
                ),
            ]
        )
    overlap = _known_overlap(known, hashes, offsets)
    containment_keys = ckeys_future.result() if ckeys_future else _containment_keys(prep, config)
    return _assemble(
        articles, docs, hist, comp, root, contained, roundups, overlap, prep, containment_keys, config
    )


def _overlap_frame(
    left: np.ndarray, right: np.ndarray, inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray
) -> pl.DataFrame:
    """Overlaps computed already, keyed by the unordered pair (lo, hi)."""
    swap = np.asarray(left) > np.asarray(right)
    return pl.DataFrame(
        {
            "lo": np.where(swap, right, left),
            "hi": np.where(swap, left, right),
            "inter": inter,
            "size_lo": np.where(swap, size_b, size_a),
            "size_hi": np.where(swap, size_a, size_b),
        },
        schema={"lo": pl.Int64, "hi": pl.Int64, "inter": pl.Int64, "size_lo": pl.Int64, "size_hi": pl.Int64},
    )


def _known_overlap(
    known: pl.DataFrame, hashes: np.ndarray, offsets: np.ndarray
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """`pair_overlap` that reuses the pairs verified already (the LSH and containment checks)."""
    known = known.unique(["lo", "hi"])

    def overlap(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        q = pl.DataFrame(
            {"lo": np.minimum(left, right), "hi": np.maximum(left, right)},
            schema={"lo": pl.Int64, "hi": pl.Int64},
        )
        hit = q.join(known, on=["lo", "hi"], how="left", maintain_order="left")
        inter = hit.get_column("inter").to_numpy(allow_copy=True).copy()
        size_lo, size_hi = (
            hit.get_column("size_lo").to_numpy().copy(),
            hit.get_column("size_hi").to_numpy().copy(),
        )
        miss = np.flatnonzero(hit.get_column("inter").is_null().to_numpy())
        if miss.size:
            i, a, b = pair_overlap(hashes, offsets, np.asarray(left)[miss], np.asarray(right)[miss])
            swap = np.asarray(left)[miss] > np.asarray(right)[miss]
            inter[miss] = i
            size_lo[miss], size_hi[miss] = np.where(swap, b, a), np.where(swap, a, b)
        swap = np.asarray(left) > np.asarray(right)
        inter = inter.astype(np.int64)
        size_a = np.where(swap, size_hi, size_lo).astype(np.int64)
        size_b = np.where(swap, size_lo, size_hi).astype(np.int64)
        return inter, size_a, size_b

    return overlap


def _assemble(
    articles: pl.DataFrame,
    docs: pl.DataFrame,
    hist: pl.DataFrame,
    comp: np.ndarray,
    root: np.ndarray,
    contained: np.ndarray,
    roundups: pl.DataFrame,
    overlap: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
    prep: Prepared,
    containment_keys: tuple[np.ndarray, np.ndarray],
    config: DedupConfig,
) -> DedupResult:
    n, h = articles.height, hist.height
    hist_docs = hist.select(
        _hidx=pl.int_range(n, n + h, dtype=pl.Int64),
        _hcluster="cluster_id",
        _hcanon="canonical_id",
        _hdoc="doc_id",
    )
    canon_idx = pl.concat(
        [
            hist_docs.filter(pl.col("_hcanon") == pl.col("_hdoc")).select("_hidx", "_hcanon"),
        ]
    )
    base = docs.with_columns(
        _comp=pl.Series(comp[:n]),
        _root=pl.Series(root[:n]),
        _excerpt=pl.Series(comp[:n]) != pl.Series(root[:n]),
    )
    # roots in history: cluster and canonical of that history cluster
    base = base.join(
        hist_docs.select("_hidx", "_hcluster", "_hcanon"), left_on="_root", right_on="_hidx", how="left"
    )
    canon = (
        base.filter(pl.col("_hcluster").is_null())
        .sort(_rank_expr(), nulls_last=True)
        .group_by("_root", maintain_order=True)
        .agg(_canon_doc=pl.col("doc_id").first(), _canon_idx=pl.col("_idx").first())
    )
    base = (
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
            # compare with the history canonical when it was given, else with the matched history doc
            _target=pl.coalesce(
                "_hcanon_idx", pl.when(pl.col("_hcluster").is_not_null()).then("_root"), "_canon_idx"
            ),
        )
        .with_columns(is_duplicate=pl.col("_canonical") != pl.col("doc_id"))
        .with_columns(duplicate_of=pl.when(pl.col("is_duplicate")).then("_canonical"))
        .sort("_idx")
    )
    # similarity and containment of every duplicate to its canonical copy
    dup = base.filter(pl.col("is_duplicate"))
    dl, dr = dup.get_column("_idx").to_numpy(), dup.get_column("_target").to_numpy()
    inter, sa, sb = overlap(dl, dr)
    all_exact = np.concatenate([prep.exact, hist.get_column("exact_hash").to_numpy().astype(np.uint64)])
    dup_cols = pl.DataFrame(
        {
            "_idx": dl,
            "similarity": _jaccard(inter, sa, sb),
            "containment": np.where(sa > 0, inter / np.maximum(sa, 1), 1.0),
            "_same": (all_exact[dl] == all_exact[dr]) & (sa > 0),
            "_contained": contained[dl],
        },
        schema={
            "_idx": pl.Int64,
            "similarity": pl.Float64,
            "containment": pl.Float64,
            "_same": pl.Boolean,
            "_contained": pl.Boolean,
        },
    ).with_columns(
        copy_kind=pl.when(pl.col("_same"))
        .then(pl.lit("exact"))
        .when(pl.col("_contained"))
        .then(pl.lit("excerpt"))
        .otherwise(pl.lit("near"))
    )
    roundup_comps = (
        pl.Series(comp)[roundups.get_column("doc")].unique()
        if roundups.height
        else pl.Series([], dtype=pl.Int64)
    )
    cols = base.join(dup_cols.drop("_same", "_contained"), on="_idx", how="left").with_columns(
        is_roundup=pl.col("_comp").is_in(roundup_comps.implode())
    )
    result_cols = cols.sort("_idx").select(list(DEDUP_COLUMNS)).cast(DEDUP_COLUMNS)
    out = pl.concat([articles.drop(list(DEDUP_COLUMNS), strict=False), result_cols], how="horizontal")

    # roundup side table: roundup doc -> the cluster of each story it quotes
    node_cluster = pl.concat(
        [
            cols.select(node="_idx", cluster_id="cluster_id"),
            hist_docs.select(node="_hidx", cluster_id="_hcluster"),
        ]
    )
    story_cluster = pl.DataFrame({"story": np.arange(n + h), "node": root}).join(node_cluster, on="node")
    roundup_links = (
        roundups.join(story_cluster.select("story", "cluster_id"), on="story")
        .join(cols.select(doc="_idx", doc_id="doc_id", _own="cluster_id"), on="doc")
        .filter(pl.col("cluster_id") != pl.col("_own"))
        .group_by("doc_id", "cluster_id")
        .agg(pl.col("containment").max())
        .sort("doc_id", "cluster_id")
        .select(list(ROUNDUP_SCHEMA))
        .cast(ROUNDUP_SCHEMA)
    )

    members = out.with_columns(clean_chars=_clean_chars(out)).select(MEMBER_COLUMNS)
    ckeys, ccounts = containment_keys
    index_rows = (
        cols.sort("_idx")
        .select(
            "doc_id",
            "cluster_id",
            "published",
            "clean_chars",
            is_canonical=~pl.col("is_duplicate"),
            canonical_id=pl.col("_canonical"),
        )
        .with_columns(
            exact_hash=pl.Series(prep.exact),
            band_keys=_to_list_column(
                prep.keys.reshape(-1), np.arange(0, n * config.bands + 1, config.bands), pa.uint64()
            ),
            containment_keys=_to_list_column(ckeys, np.concatenate([[0], np.cumsum(ccounts)]), pa.uint64()),
            shingles=_to_list_column(prep.hashes, prep.offsets, pa.uint32()),
        )
        .select(list(HISTORY_SCHEMA))
        .cast(HISTORY_SCHEMA)
    )
    return DedupResult(
        articles=out, clusters=clusters_table(members), roundup_links=roundup_links, index_rows=index_rows
    )


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
