import random

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_dedup import WORDS, frame, story
from transforms.dedup import (
    DedupConfig,
    candidates_from_history,
    containment_keys,
    dedup_frame,
    lookup_keys,
    prepare,
)

FOOTER = (
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed."
)
PHOTO_CREDIT = (
    "Photo: Reuters/File. Image courtesy of the agency; all photographs are subject to copyright. "
    "Pictures may not be reproduced, archived or sold without the written permission of the agency "
    "and the photographer named in the caption above, except for personal use on this site."
)


def sentences(seed: int, n: int) -> list[str]:
    """n news-length sentences (20-30 words) of random words."""
    r = random.Random(seed)
    return [" ".join(r.choice(WORDS) for _ in range(r.randint(20, 30))) + "." for _ in range(n)]


def test_shared_footer_alone_never_links():
    out = dedup_frame(frame([story(1, 120) + " " + FOOTER, story(2, 120) + " " + FOOTER])).articles
    assert not out["is_duplicate"].any()


def test_shared_photo_credit_block_never_links():
    """A 40-word credit block (36 shingles: more than min_excerpt_shingles) under different stories,
    and on a short gallery page: no cluster, no roundup."""
    texts = [story(1) + " " + PHOTO_CREDIT, story(2) + " " + PHOTO_CREDIT, PHOTO_CREDIT + " " + story(3)]
    out = dedup_frame(frame(texts)).articles
    assert not out["is_duplicate"].any() and not out["is_roundup"].any()


def test_shared_long_quote_never_links():
    quote = story(99, 40)
    out = dedup_frame(frame([story(1) + " " + quote, quote + " " + story(2)])).articles
    assert not out["is_duplicate"].any()


def test_write_through_joins_earlier_version():
    v = story(3)
    out = dedup_frame(frame([v, story(4, 150) + " " + v])).articles
    assert out["cluster_id"].n_unique() == 1 and out["is_duplicate"].sum() == 1


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 10_000), st.integers(8, 14), st.data())
def test_any_excerpt_of_three_sentences_links_to_its_source(seed, n_sentences, data):
    source = sentences(seed, n_sentences)
    length = data.draw(st.integers(3, n_sentences - 1))
    start = data.draw(st.integers(0, n_sentences - length))
    excerpt = " ".join(source[start : start + length])
    other = " ".join(sentences(seed + 1, n_sentences))
    out = dedup_frame(frame([" ".join(source), other, excerpt])).articles
    assert out["duplicate_of"].to_list() == [None, None, "d000"]
    # a long excerpt is a near duplicate as well (Jaccard about length / n_sentences)
    expected = {"excerpt"} if length * 5 < n_sentences * 2 else {"excerpt", "near"}
    assert out["copy_kind"][2] in expected


def test_excerpt_contained_in_two_stories_goes_to_the_fuller_one():
    """Two stories quote one passage (one in full, one with its last sentence cut); the passage run
    alone joins the story that holds more of it, and the two stories stay apart."""
    passage = sentences(7, 4)
    full = " ".join(sentences(8, 20) + passage + sentences(9, 6))
    cut = " ".join(sentences(10, 22) + passage[:3] + [passage[3][: len(passage[3]) // 2]])
    out = dedup_frame(frame([cut, full, " ".join(passage)])).articles
    assert out["duplicate_of"].to_list() == [None, None, "d001"]
    assert out["copy_kind"][2] == "excerpt" and not out["is_roundup"].any()


def test_containment_keys_are_tagged_sampled_shingles():
    prep = prepare(pl.Series([story(1), story(2), ""]))
    keys, counts = containment_keys(prep.hashes, prep.offsets, 3, 200)
    assert (keys >> np.uint64(63) == 1).all() and counts[2] == 0 and counts.sum() == keys.size
    sampled = [int(((prep.hashes[prep.offsets[i] : prep.offsets[i + 1]] >> 29) == 0).sum()) for i in range(3)]
    assert counts.tolist() == sampled
    assert containment_keys(prep.hashes, prep.offsets, 3, 1)[0].size == keys.size  # none in 2 docs
    shared = prepare(pl.Series([story(1)] * 3))
    assert containment_keys(shared.hashes, shared.offsets, 3, 2)[0].size == 0  # in 3 docs: dropped


def test_lookup_keys_are_band_keys_then_containment_keys_per_doc():
    config = DedupConfig()
    f = frame([story(1), story(2)])
    prep = prepare(f["text"], config)
    keys, counts = lookup_keys(prep, config)
    rows = dedup_frame(f, config, prepared=prep).index_rows
    per_doc = np.split(keys, np.cumsum(counts)[:-1])
    for i, doc_keys in enumerate(per_doc):
        assert doc_keys[: config.bands].tolist() == rows["band_keys"][i].to_list()
        assert doc_keys[config.bands :].tolist() == rows["containment_keys"][i].to_list()
    assert (prep.keys >> np.uint64(63) == 0).all()  # band keys never equal a containment key


def _history_run(texts, first_id, config):
    return frame(texts).with_columns(doc_id=pl.format("{}{}", pl.lit(first_id), pl.int_range(pl.len())))


def test_excerpt_against_history_both_directions():
    """Run 1 has the full story, run 2 an excerpt (and the reverse): the band keys do not find the
    other run's copy, the containment keys do, and the new copy joins the earlier cluster."""
    config = DedupConfig()
    full_text = " ".join(sentences(3, 16))
    excerpt_text = " ".join(sentences(3, 16)[2:6])
    for first, second, kind in ((full_text, excerpt_text, "excerpt"), (excerpt_text, full_text, "near")):
        run1 = _history_run([first, " ".join(sentences(4, 12))], "a", config)
        history = dedup_frame(run1, config).index_rows
        run2 = _history_run([second], "b", config)
        prep = prepare(run2["text"], config)
        keys, _ = lookup_keys(prep, config)
        assert candidates_from_history(history, prep.keys.reshape(-1)).is_empty()
        found = candidates_from_history(history, keys)
        assert found["doc_id"].to_list() == ["a0"]
        out = dedup_frame(run2, config, found, prepared=prep).articles
        assert out.select("cluster_id", "duplicate_of", "copy_kind").row(0) == ("a0", "a0", kind)
