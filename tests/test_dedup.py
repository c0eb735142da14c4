import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dedup import DedupConfig, dedup_frame, prepare, reelect_canonical

SEEDS = sorted((Path(__file__).resolve().parent / "fixtures" / "seeds").glob("*.txt"))
WORDS = [f"w{i}" for i in range(5000)]


def frame(texts, published=None):
    n = len(texts)
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "doc_id": [f"d{i:03d}" for i in range(n)],
            "source": [f"s{i}" for i in range(n)],
            "url": [f"u{i}" for i in range(n)],
            "title": [f"t{i}" for i in range(n)],
            "published": published or [t0 + dt.timedelta(hours=i) for i in range(n)],
            "text": texts,
        }
    ).with_columns(pl.col("published").cast(pl.Datetime("us", "UTC")))


def story(rng_seed, n=300):
    import random

    r = random.Random(rng_seed)
    return " ".join(r.choice(WORDS) for _ in range(n))


def test_seeds_never_merge():
    assert len(SEEDS) == 5  # checked in under tests/fixtures/seeds: the test cannot pass vacuously
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    out = dedup_frame(frame(texts)).articles
    assert not out["is_duplicate"].any()


def test_canonical_is_earliest_then_longest_then_doc_id():
    s = story(1)
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    pub = [t0 + dt.timedelta(hours=2), t0 + dt.timedelta(hours=1), t0 + dt.timedelta(hours=1)]
    out = dedup_frame(frame([s, s + " extra words here", s], pub)).articles
    assert out["duplicate_of"].to_list() == ["d001", None, "d001"]
    # copy_kind is relative to the canonical copy: d002 is an exact copy of d000, a near one of d001
    assert out["copy_kind"].to_list() == ["near", None, "near"]


def test_excerpt_joins_story_and_roundup_never_merges():
    a, b, c = (" . ".join(story(k * 10 + j, 40) for j in range(8)) for k in range(3))
    paras = [x.split(" . ") for x in (a, b, c)]
    excerpt = " . ".join(paras[0][:3])
    roundup = " . ".join(paras[0][:2] + paras[1][:2] + paras[2][:2])
    res = dedup_frame(frame([a, b, c, excerpt, roundup]))
    out = res.articles
    assert out["cluster_id"][3] == out["cluster_id"][0] and out["copy_kind"][3] == "excerpt"
    assert out["is_roundup"][4] and out["cluster_id"].n_unique() == 4
    assert res.roundup_links.height == 3


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.permutations(range(6)))
def test_identical_cluster_unrelated_do_not_and_order_is_irrelevant(seed, perm):
    texts = [
        story(seed),
        story(seed),
        story(seed + 1),
        story(seed + 2),
        story(seed) + " tail",
        story(seed + 3),
    ]
    f = frame(texts)
    a = dedup_frame(f).articles.sort("doc_id")
    b = dedup_frame(f[list(perm)]).articles.sort("doc_id")
    assert a.equals(b)
    assert a["cluster_id"][0] == a["cluster_id"][1] == a["cluster_id"][4]
    assert a["cluster_id"].n_unique() == 4


def test_history_copy_joins_history_cluster():
    s = story(5)
    first = dedup_frame(frame([s, story(6)]))
    new = frame([s]).with_columns(doc_id=pl.lit("new"))
    out = dedup_frame(new, DedupConfig(), first.index_rows).articles
    assert out["duplicate_of"].to_list() == ["d000"] and out["cluster_id"].to_list() == ["d000"]


def test_prepared_is_reused_and_must_match():
    f = frame([story(1), story(1) + " tail", story(2), ""])
    config = DedupConfig()
    prep = prepare(f["text"], config)
    a, b = dedup_frame(f, config), dedup_frame(f, config, prepared=prep)
    assert a.articles.equals(b.articles) and a.index_rows.equals(b.index_rows)
    with pytest.raises(ValueError, match="prepared has 1 documents"):
        dedup_frame(f, config, prepared=prepare(pl.Series(["x"]), config))


def test_threads_and_batches_do_not_change_the_result():
    texts = [story(i % 40, 120) for i in range(2100)]
    one = dedup_frame(frame(texts), DedupConfig(workers=1)).articles
    two = dedup_frame(frame(texts), DedupConfig(workers=2, batch_size=700)).articles
    assert one.equals(two) and one["is_duplicate"].sum() == 2060


def test_empty_input():
    res = dedup_frame(frame([]))
    assert res.articles.height == res.index_rows.height == res.clusters.height == 0


def test_matched_to_names_the_copy_an_excerpt_joined_through():
    """A reprint adds a paragraph to the story; an excerpt of that paragraph joins the story through
    the reprint, not through the canonical copy (the earlier original, which lacks the paragraph):
    `matched_to` and `match_containment` say so, while `containment` (against the canonical copy)
    is low."""
    original = story(5, 300)
    extra = story(6, 60)
    texts = [original, original + " " + extra, extra + " " + " ".join(original.split()[:20])]
    out = dedup_frame(frame(texts)).articles
    assert out["duplicate_of"].to_list() == [None, "d000", "d000"]
    assert out["copy_kind"].to_list() == [None, "near", "excerpt"]
    assert out["matched_to"].to_list() == [None, "d000", "d001"]
    assert out["match_containment"][2] > 0.9 and out["containment"][2] < 0.3
    assert out["match_containment"][1] == out["containment"][1]
    assert out["match_similarity"][1] == out["similarity"][1]


def _cluster_rows(published_hours, copy_kinds, chars, canonical="d000"):
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    n = len(published_hours)
    ids = [f"d{i:03d}" for i in range(n)]
    return pl.DataFrame(
        {
            "doc_id": ids,
            "cluster_id": ["d000"] * n,
            "is_duplicate": [i != canonical for i in ids],
            "duplicate_of": [None if i == canonical else canonical for i in ids],
            "copy_kind": copy_kinds,
            "published": [t0 + dt.timedelta(hours=h) for h in published_hours],
            "clean_chars": chars,
            "similarity": [None if i == canonical else 0.9 for i in ids],
            "containment": [None if i == canonical else 0.9 for i in ids],
            "matched_to": [None if i == canonical else canonical for i in ids],
            "match_similarity": [None if i == canonical else 0.9 for i in ids],
            "match_containment": [None if i == canonical else 0.9 for i in ids],
        },
        schema_overrides={"published": pl.Datetime("us", "UTC")},
    )


def test_reelect_canonical_never_an_excerpt_then_earliest_then_longest_then_doc_id():
    # d000 canonical (removed); d001 an excerpt published first; d002, d003 full copies at the same
    # hour, d003 longer; d004 a later full copy
    rows = _cluster_rows(
        [0, 1, 2, 2, 3], [None, "excerpt", "near", "exact", "near"], [900, 300, 800, 850, 900]
    )
    out = reelect_canonical(rows, ["d000"])
    assert out["doc_id"].to_list() == ["d001", "d002", "d003", "d004"]
    assert out["duplicate_of"].to_list() == ["d003", "d003", None, "d003"]
    assert out["is_duplicate"].to_list() == [True, True, False, True]
    assert out["cluster_id"].unique().to_list() == ["d000"]  # the story keeps its id
    assert out["copy_kind"].to_list() == ["excerpt", "near", None, "near"]
    assert out["matched_to"].to_list() == ["d003", "d003", None, "d003"]
    # without the members' shingles the scores are unknown, not stale
    assert out["similarity"].null_count() == 4
    # whatever the order of the rows
    shuffled = reelect_canonical(rows.reverse(), ["d000"]).sort("doc_id")
    assert shuffled.equals(out)


def test_reelect_canonical_takes_an_excerpt_when_only_excerpts_remain_and_leaves_other_clusters():
    rows = _cluster_rows([0, 2, 1], [None, "excerpt", "excerpt"], [900, 300, 200])
    other = _cluster_rows([0, 1], [None, "near"], [500, 500]).with_columns(
        pl.col("doc_id").str.replace("d", "e"),
        cluster_id=pl.lit("e000"),
        duplicate_of=pl.lit(None, pl.String),
    )
    out = reelect_canonical(pl.concat([rows, other]), ["d000"])
    assert out["doc_id"].to_list() == ["d001", "d002"]
    assert out["duplicate_of"].to_list() == ["d002", None]
    # a cluster left with one member is a singleton
    single = reelect_canonical(rows.head(2), ["d000"])
    assert single.select("is_duplicate", "duplicate_of", "copy_kind").row(0) == (False, None, None)


def test_reelect_canonical_measures_scores_against_the_new_canonical_from_index_rows():
    s = story(7)
    texts = [s, s + " one two three", s, " ".join(s.split()[:100])]
    res = dedup_frame(frame(texts))
    arts = res.articles.with_columns(clean_chars=pl.col("text").str.len_chars())
    assert arts["duplicate_of"].to_list() == [None, "d000", "d000", "d000"]
    out = reelect_canonical(arts.drop("text"), ["d000"], res.index_rows)
    # d001 and d002: same hour order gives d001 (published first); d002 is then a near copy of it
    assert out["duplicate_of"].to_list() == [None, "d001", "d001"]
    assert out["copy_kind"].to_list() == [None, "near", "excerpt"]
    fresh = dedup_frame(frame(texts[1:], [dt.datetime(2024, 1, 1, h, tzinfo=dt.UTC) for h in (1, 2, 3)]))
    assert out["similarity"].to_list() == fresh.articles["similarity"].to_list()
    assert out["containment"].to_list() == fresh.articles["containment"].to_list()


def test_fingerprint_names_every_setting_persisted_keys_depend_on():
    # the string earlier indexes were stamped with: an index built before stays usable
    assert DedupConfig().fingerprint() == "shingle_size=5 num_perm=128 bands=16 rows=8 seed=1 sample_bits=3"
    base = DedupConfig().fingerprint()
    for change in (
        {"shingle_size": 4},
        {"num_perm": 256},
        {"bands": 8},
        {"rows": 4},
        {"seed": 2},
        {"sample_bits": 2},
    ):
        assert DedupConfig(**change).fingerprint() != base, change
    # query-time thresholds do not change the keys
    assert DedupConfig(containment_threshold=0.7, jaccard_threshold=0.6).fingerprint() == base


def test_index_rows_without_the_sketch_keep_every_other_column():
    """dedup_frame(index_sketch=False), the sharded run's way: the same rows, the three sketch columns
    null (the run's keys are written apart; building them copied every shingle set)."""
    from bench.corpus_gen import generate

    frame = generate(400, seed=11)
    config = DedupConfig(workers=1)
    full = dedup_frame(frame, config).index_rows
    bare = dedup_frame(frame, config, index_sketch=False).index_rows
    sketch = ["band_keys", "containment_keys", "shingles"]
    assert bare.columns == full.columns and bare.height == full.height == 400
    assert bare.drop(sketch).equals(full.drop(sketch))
    assert all(bare.get_column(c).null_count() == 400 for c in sketch)
    assert full.get_column("shingles").list.len().min() > 0


def test_lookup_keys_a_slice_at_a_time_equal_one_call_over_the_run() -> None:
    """The sharded run looks up its history keys a slice of documents at a time, with the boilerplate
    samples of the whole run (`frequent_samples`): the keys are those of one call."""
    from bench.corpus_gen import generate
    from transforms.dedup import frequent_samples, lookup_keys, prepare, sampled_view, slice_prepared

    config = DedupConfig(workers=1, max_sample_df=3)
    texts = generate(400, seed=11).get_column("text")
    # a boilerplate paragraph in 40 documents: its sampled shingles are left out of everyone's keys
    boiler = " Subscribe to our newsletter for the latest headlines delivered to your inbox every morning."
    texts = pl.concat([texts.slice(0, 40) + boiler, texts.slice(40)])
    sampled = sampled_view(prepare(texts, config), config.sample_bits)
    whole_keys, whole_counts = lookup_keys(sampled, config)
    frequent = frequent_samples(sampled.hashes, config.max_sample_df)
    assert frequent.size > 0
    parts = [
        lookup_keys(slice_prepared(sampled, lo, min(400, lo + 64)), config, frequent)
        for lo in range(0, 400, 64)
    ]
    assert np.array_equal(np.concatenate([k for k, _ in parts]), whole_keys)
    assert np.array_equal(np.concatenate([c for _, c in parts]), whole_counts)
    # without the run's boilerplate a slice keeps keys the run leaves out
    alone, _ = lookup_keys(slice_prepared(sampled, 0, 64), config)
    assert alone.size > parts[0][0].size
