"""Partial copies: containment C(A in B) = |A ∩ B| / |A| on the same word shingles as near duplicates.

Search: a content-defined sample of each document's shingles (hashes whose top `sample_bits` bits
are zero, 1 in 8 by default) in an inverted index (compiled, `transforms.kernels`). Unlike MinHash (whose
collision probability tracks Jaccard, 0.02-0.1 for an excerpt of a long story), a sampled shingle of
A that is in B is *always* sampled in B, so the number of shared samples is Binomial(|A ∩ B|, 1/8)
whatever the size of B. Samples shared by more than `max_sample_df` documents (agency footers,
site boilerplate) are dropped. Candidates are confirmed by exact containment on shingles.
Shared samples are counted once per pair (a < b), from the smaller document, in a dense counter.

Against history: the same samples, tagged (`transforms.dedup.keys.containment_keys`), are a
document's second kind of lookup key: an excerpt run today shares samples with yesterday's full
story (and the reverse) even though their Jaccard is far too low for any band key to match.

Resolution (component level, no chaining): a page that quotes >= 2 different stories is a roundup
and links to them without merging; every other contained component attaches to the one container
that holds most of it; history clusters never move.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.config import DedupConfig
from transforms.dedup.graph import connected_components, follow_to_root
from transforms.dedup.overlap import pair_overlap
from transforms.dedup.quotes import TextSource, unquoted_containment
from transforms.dedup.rows import HeldSets

__all__ = [
    "ATTACH_CONTAINED",
    "ATTACH_CONTAINS",
    "ATTACH_NONE",
    "confirm_relations",
    "containment_relations",
    "resolve_attachments",
]

# how a component joined another one (first hop), see `resolve_attachments`
ATTACH_NONE, ATTACH_CONTAINED, ATTACH_CONTAINS = 0, 1, 2


def _shared_sample_pairs(
    node: np.ndarray, run_end: np.ndarray, need: np.ndarray, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Directed pairs (a, b) sharing at least `need[a]` samples, sorted. `node` is sorted by
    (sample, node), `run_end[p]` the end of p's sample run. Each unordered pair is counted once, from
    its smaller document (compiled, `kernels.containment_pairs`); the left documents are cut into
    `workers` ranges of equal work run on threads. The pairs travel as one int64 key `a << 32 | b`
    (sorting it sorts by (a, b)): 8 bytes a pair until the split at the end."""
    order, start = kernels.group_positions(node, need.size)
    work = np.cumsum(kernels.partner_work(node, run_end, need.size))
    parts = max(1, min(workers, need.size))
    cuts = np.searchsorted(work, work[-1] * np.arange(1, parts) / parts) if work.size else []
    bounds = np.unique(np.concatenate([[0], cuts, [need.size]])).astype(np.int64)

    def run(lo: int, hi: int) -> np.ndarray:
        return kernels.containment_pairs(node, run_end, order, start, need, lo, hi)

    ranges = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
    if len(ranges) > 1:
        with ThreadPoolExecutor(len(ranges)) as pool:
            found = list(pool.map(lambda r: run(*r), ranges))
    else:
        found = [run(*r) for r in ranges]
    key = np.concatenate(found) if found else np.zeros(0, np.int64)
    del found  # the kernels' buffers (up to twice their pairs) go before the sort
    key.sort()
    return key >> 32, key & 0xFFFFFFFF


def _sorted_postings(
    hashes: np.ndarray, offsets: np.ndarray, nodes: np.ndarray, sample_bits: int, workers: int
) -> np.ndarray:
    """Postings `sample << 32 | node` of the nodes' sampled shingles, sorted. They are written split by
    the sample's top 8 bits (`kernels.packed_postings`), then each part is sorted on its own, in
    cache, the parts on `workers` threads (numpy's sort releases the GIL). One sort of the whole
    array cost 3x more per posting at 1M documents than at 100K."""
    limit = np.uint64(1 << (32 - sample_bits))
    key, starts = kernels.packed_postings(hashes, offsets, nodes, limit, 8)
    bounds = zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)
    parts = [key[lo:hi] for lo, hi in bounds if hi - lo > 1]
    if workers > 1 and key.size > 1 << 16:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(np.ndarray.sort, parts))
    else:
        for part in parts:
            part.sort()
    return key


def containment_relations(
    sets: HeldSets,
    nodes: np.ndarray,
    config: DedupConfig,
    comp: np.ndarray | None = None,
    sample: tuple[np.ndarray, np.ndarray] | None = None,
) -> pl.DataFrame:
    """Confirmed relations (a, b, inter, size_a, size_b) between `nodes`, a != b, where the shared
    shingles (exact, `pair_overlap`) are at least `min_excerpt_shingles` and make up at least
    `roundup_min_share` of a. With `comp` (component of every node), pairs inside one component are
    skipped: they are clustered already. `sets` holds every node's full set (`HeldSets`); `sample`
    every node's containment sample as (values, offsets) (`sampled_view`), when the caller has it
    (required when `sets` is not in memory): the search then reads the full sets only for the pairs
    it checks exactly."""
    # postings sorted by (sample, node); samples in more than max_sample_df documents are boilerplate
    s_hashes, s_offsets = sample if sample is not None else sets.full()
    key = _sorted_postings(
        s_hashes, s_offsets, np.asarray(nodes, np.int64), config.sample_bits, config.workers
    )
    if key.size >= 2**31 or sets.n >= 2**31:  # the posting kernels index in int32
        raise ValueError(f"{key.size} sampled shingles in one dedup batch: split the run")
    node, run_end, n_samples = kernels.posting_runs(key, sets.n, config.max_sample_df)
    del key  # the largest array of the search (8 bytes a sampled shingle): not needed past here
    # loose filter on the estimate (shared samples); the exact check below decides
    expected_min = config.min_excerpt_shingles / (1 << config.sample_bits)
    floor = max(1.0, 0.4 * expected_min)
    need = np.maximum(floor, 0.5 * config.roundup_min_share * n_samples)
    a, b = _shared_sample_pairs(node, run_end, need, config.workers)
    if comp is not None:
        same = comp[a] == comp[b]
        a, b = a[~same], b[~same]
    return _confirmed_overlaps(sets, a, b, config).with_columns(
        containment=pl.col("inter") / pl.col("size_a")
    )


def _mirror_positions(
    a: np.ndarray, b: np.ndarray, start: np.ndarray, lo: int, hi: int, workers: int
) -> np.ndarray:
    """``kernels.mirror_positions`` for the pairs [lo, hi), its halves on ``workers`` threads (each
    position's answer is its own: the halves write disjoint parts)."""
    parts = max(1, min(int(workers), (hi - lo) >> 16))
    if parts == 1:
        return kernels.mirror_positions(a, b, start, lo, hi)
    cuts = np.linspace(lo, hi, parts + 1).astype(np.int64).tolist()
    with ThreadPoolExecutor(parts) as pool:
        halves = zip(cuts[:-1], cuts[1:], strict=True)
        return np.concatenate(list(pool.map(lambda r: kernels.mirror_positions(a, b, start, *r), halves)))


# candidate pairs checked exactly at a time: only the few that pass are kept between slices, so this
# step's memory does not grow with the candidates (tens of millions when sentences recur across documents)
_CHECK_SLICE = 1 << 22
_OVERLAP_SCHEMA = dict.fromkeys(("a", "b", "inter", "size_a", "size_b"), pl.Int64)


def _confirmed_overlaps(sets: HeldSets, a: np.ndarray, b: np.ndarray, config: DedupConfig) -> pl.DataFrame:
    """The candidate pairs (a, b), sorted by (a, b), whose exact overlap is at least
    `min_excerpt_shingles` and at least `roundup_min_share` of a, with (inter, size_a, size_b);
    checked slice by slice. The overlap is symmetric: a pair whose reverse is a candidate too (a
    quarter of them when sentences recur across documents) takes the reverse's count, computed
    earlier (it sorts first), instead of a second merge; a pair whose overlap cannot reach what
    either direction needs is not merged at all (`pair_overlap`'s `need`)."""
    values, offsets = sets.rows(a, b)
    start = np.searchsorted(a, np.arange(sets.n + 1, dtype=np.int64))
    counted = np.zeros(a.size, np.int32)  # the merged candidates' overlaps, for their reverses
    kept = []
    for lo in range(0, a.size, _CHECK_SLICE):
        hi = min(lo + _CHECK_SLICE, a.size)
        sa, sb = a[lo:hi], b[lo:hi]
        mirror = _mirror_positions(a, b, start, lo, hi, config.workers)
        own, mirrored = np.flatnonzero(mirror < 0), np.flatnonzero(mirror >= 0)
        size_a, size_b = offsets[sa + 1] - offsets[sa], offsets[sb + 1] - offsets[sb]
        # what either direction needs (the reverse may take this count): a count that cannot reach
        # it is a bound below it, which fails both directions' test as the exact count would
        need = np.maximum(config.min_excerpt_shingles, config.roundup_min_share * np.minimum(size_a, size_b))
        inter = np.zeros(hi - lo, np.int64)
        inter[own] = pair_overlap(values, offsets, sa[own], sb[own], config.workers, need[own])[0]
        counted[lo:hi] = inter
        inter[mirrored] = counted[mirror[mirrored]]  # a reverse has a < b: its own, set by now
        ok = (inter >= config.min_excerpt_shingles) & (inter >= config.roundup_min_share * size_a)
        kept.append(
            pl.DataFrame(
                {"a": sa[ok], "b": sb[ok], "inter": inter[ok], "size_a": size_a[ok], "size_b": size_b[ok]},
                schema=_OVERLAP_SCHEMA,
            )
        )
    return pl.concat(kept) if kept else pl.DataFrame(schema=_OVERLAP_SCHEMA)


def confirm_relations(
    rel: pl.DataFrame,
    texts: TextSource,
    sets: HeldSets,
    config: DedupConfig,
    n_new: int | None = None,
) -> pl.DataFrame:
    """`rel` with `confirmed`: a is a partial copy of b. At or above `plain_containment`, containment
    alone confirms; from `containment_threshold` up to it, a's text outside quotation marks must be
    found in b too, at least `unquoted_share` of a's containment, with at least
    `min_excerpt_shingles` such shingles (`transforms.dedup.quotes`). Only a run's own documents
    (nodes below `n_new`, default `texts.len()`, whose text is given) can be checked; a history
    document as the contained side needs `plain_containment`."""
    n_new = texts.len() if n_new is None else n_new
    low = max(config.containment_threshold, 0.0)
    plain = max(config.plain_containment, low)
    rel = rel.with_columns(_row=pl.int_range(pl.len(), dtype=pl.Int64))
    band = rel.filter(
        (pl.col("containment") >= low) & (pl.col("containment") < plain) & (pl.col("a") < n_new)
    )
    a, b = band.get_column("a").to_numpy(), band.get_column("b").to_numpy()
    own, share = unquoted_containment(texts, a, b, *sets.rows(a, b), config.shingle_size)
    checked = band.select(
        "_row",
        _quote_ok=pl.Series(own >= config.min_excerpt_shingles, dtype=pl.Boolean)
        & (pl.Series(share) >= config.unquoted_share * pl.col("containment")),
    )
    return (
        rel.join(checked, on="_row", how="left", maintain_order="left")
        .with_columns(
            confirmed=(pl.col("containment") >= plain)
            | ((pl.col("containment") >= low) & pl.col("_quote_ok").fill_null(False))
        )
        .drop("_row", "_quote_ok")
    )


def _story_groups(quoted: pl.DataFrame, related: pl.DataFrame) -> pl.DataFrame:
    """How many stories each page quotes: its quoted components (a, c) grouped by the relations
    among them, closed transitively (two versions of one story, each related to a third, are one
    story even when they share little with each other). Returns (a, stories)."""
    nodes = quoted.with_columns(_n=pl.int_range(pl.len(), dtype=pl.Int64))
    # a relation in either direction links two components: compared as (smaller, larger), one join
    either = related.select(lo=pl.min_horizontal("c1", "c2"), hi=pl.max_horizontal("c1", "c2")).unique()
    edges = (
        nodes.join(nodes, on="a", suffix="_2")
        .filter(pl.col("_n") < pl.col("_n_2"))
        .with_columns(lo=pl.min_horizontal("c", "c_2"), hi=pl.max_horizontal("c", "c_2"))
        .join(either, on=["lo", "hi"], how="semi")
    )
    root = connected_components(
        nodes.height, edges.get_column("_n").to_numpy(), edges.get_column("_n_2").to_numpy()
    )
    return nodes.with_columns(_root=pl.Series(root)).group_by("a").agg(stories=pl.col("_root").n_unique())


_FELLOWS = 8  # the largest members of an excerpt's own component checked for a fuller copy of it


def _held_in_own_story(a: np.ndarray, comp: np.ndarray, sets: HeldSets) -> np.ndarray:
    """For each node of `a`, the highest containment of it in one of the `_FELLOWS` largest other
    members of its own component (0 where it is alone)."""
    if not a.size:
        return np.zeros(0)
    nodes = pl.DataFrame({"f": np.arange(comp.size), "comp": comp, "size": sets.sizes[: comp.size]})
    top = (
        nodes.sort(["comp", "size", "f"], descending=[False, True, False]).group_by("comp").head(_FELLOWS + 1)
    )
    pairs = (
        pl.DataFrame({"a": a, "comp": comp[a]})
        .with_row_index("_i")
        .join(top.select("comp", "f"), on="comp")
        .filter(pl.col("f") != pl.col("a"))
    )
    left, right = pairs.get_column("a").to_numpy(), pairs.get_column("f").to_numpy()
    inter, size_a, _ = pair_overlap(*sets.rows(left, right), left, right)
    best = (
        pairs.with_columns(_c=pl.Series(inter / np.maximum(size_a, 1))).group_by("_i").agg(pl.col("_c").max())
    )
    out = np.zeros(a.size)
    out[best.get_column("_i").to_numpy()] = best.get_column("_c").to_numpy()
    return out


def _single_story_holders(
    rel: pl.DataFrame, related: pl.DataFrame, comp: np.ndarray, sets: HeldSets
) -> pl.Series:
    """Pages that are the fullest source of excerpts of one story only: that page is the story's
    copy, not a roundup. A page is an excerpt's fullest source when it holds strictly more of the
    excerpt than any other container and than the large members of the excerpt's own component
    (a roundup can quote an excerpt whole, but the excerpt's story then has a copy at least as
    full)."""
    ranked = (
        rel.filter(pl.col("confirmed") & (pl.col("size_a") < pl.col("size_b")))
        .sort(["a", "containment", "inter", "size_b", "_rank_b"], descending=[False, True, True, True, False])
        .group_by("a", maintain_order=True)
        .agg(
            pl.col("b").first(),
            pl.col("comp_a").first(),
            c1=pl.col("containment").first(),
            c2=pl.col("containment").get(1, null_on_oob=True),
        )
    )
    inside = _held_in_own_story(ranked.get_column("a").to_numpy(), comp, sets)
    held = (
        ranked.filter(
            (pl.Series(inside) < pl.col("c1")) & (pl.col("c2").is_null() | (pl.col("c2") < pl.col("c1")))
        )
        .select(a="b", c="comp_a")
        .unique()
    )
    return _story_groups(held, related).filter(pl.col("stories") == 1).get_column("a")


def _roundups(
    rel: pl.DataFrame, plain: float, comp: np.ndarray, sets: HeldSets
) -> tuple[pl.DataFrame, pl.Series]:
    """Roundup pages among the relations' `a` sides, with the story components they quote, and the
    roundups' components.

    A roundup quotes substantial parts (`roundup_min_share` of the page, see `containment_relations`)
    of >= 2 stories: groups of quoted components with no relation between the groups
    (`_story_groups`). A story quoted by two roundups is related to both, but those two roundups
    share the quoted part, so the story is not a roundup. A page that is an excerpt at `plain`
    containment, or the fullest source of one story's excerpts (`_single_story_holders`), is no
    roundup; an excerpt below it whose rest comes from another story is one (the rest of an
    excerpt is new text, or more of the same story)."""
    strong = pl.col("containment") >= plain
    related = rel.select(c1="comp_a", c2="comp_b").unique()
    excerpts = rel.filter(strong & pl.col("confirmed") & (pl.col("size_a") < pl.col("size_b")))
    holders = _single_story_holders(rel, related, comp, sets)
    excluded = pl.concat([excerpts.get_column("a"), holders]).unique()
    stories = rel.filter(~pl.col("a").is_in(excluded.implode()) & ~strong).select(
        "a", "comp_a", "comp_b", "containment"
    )
    groups = _story_groups(stories.select("a", c="comp_b").unique(), related)
    roundup_rows = stories.join(groups.filter(pl.col("stories") >= 2), on="a", how="semi")
    roundups = roundup_rows.select(doc="a", story="comp_b", containment="containment")
    return roundups, roundup_rows.get_column("comp_a").unique()


def resolve_attachments(
    comp: np.ndarray,
    rel: pl.DataFrame,
    rank: np.ndarray,
    n_new: int,
    plain: float,
    sets: HeldSets,
) -> tuple[np.ndarray, pl.DataFrame, np.ndarray]:
    """Where each component goes, and which nodes are roundups.

    `comp` gives every node (new docs first, then history docs) its component (a node index; history
    components are terminal), `rel` comes from `confirm_relations`, `rank` orders nodes by doc_id for
    tie-breaks, `plain` is the containment that alone confirms an excerpt, `sets` every node's
    distinct sorted shingles (`HeldSets`). Returns `(parent,
    roundups, via)`: `parent[c]` is the component that component c finally belongs to, `roundups`
    has (doc, story, containment) for each roundup node and each story component it quotes,
    `via[c]` how c joined (ATTACH_*).
    """
    total = comp.size
    rel = rel.with_columns(
        comp_a=pl.lit(pl.Series(comp)).gather(pl.col("a")),
        comp_b=pl.lit(pl.Series(comp)).gather(pl.col("b")),
        _rank_b=pl.lit(pl.Series(rank)).gather(pl.col("b")),
    ).filter(pl.col("comp_a") != pl.col("comp_b"))
    roundups, roundup_comps = _roundups(rel, plain, comp, sets)
    edges = rel.filter(
        pl.col("confirmed")
        & (pl.col("size_a") < pl.col("size_b"))
        & ~pl.col("comp_b").is_in(roundup_comps.implode())
        & ~pl.col("comp_a").is_in(roundup_comps.implode())
    )
    # a history component never moves: the new container joins it instead (write-through)
    edges = edges.select(
        src=pl.when(pl.col("comp_a") >= n_new).then("comp_b").otherwise("comp_a"),
        dst=pl.when(pl.col("comp_a") >= n_new).then("comp_a").otherwise("comp_b"),
        reverse=pl.col("comp_a") >= n_new,
        containment="containment",
        inter="inter",
        size_b="size_b",
        _rank_b="_rank_b",
    ).filter(pl.col("src") < n_new)
    best = (
        edges.sort(
            ["src", "reverse", "containment", "inter", "size_b", "_rank_b"],
            descending=[False, False, True, True, True, False],
        )
        .group_by("src", maintain_order=True)
        .first()
    )
    parent = np.arange(total, dtype=np.int64)
    src = best.get_column("src").to_numpy()
    parent[src] = best.get_column("dst").to_numpy()
    via = np.full(total, ATTACH_NONE, np.int8)
    via[src] = np.where(best.get_column("reverse").to_numpy(), ATTACH_CONTAINS, ATTACH_CONTAINED)
    # follow to the root: forward edges go to a strictly larger container or to a terminal history
    # component
    return follow_to_root(parent), roundups, via
