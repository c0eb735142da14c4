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


def _edited(paras: list[str], seed: int, every: int) -> list[str]:
    """Copy-edited paragraphs: one word in `every` replaced (what outlets do to a reprint)."""
    r = random.Random(seed)
    out = []
    for p in paras:
        words = p.split()
        for i in range(0, len(words), every):
            words[r.randrange(i, min(i + every, len(words)))] = r.choice(WORDS)
        out.append(" ".join(words))
    return out


def test_edited_excerpt_below_plain_containment_links():
    """An excerpt whose shingles are only ~65 % in the source (a word edited in every 20) is a
    partial copy at the default 0.6; with containment_threshold 0.8 it is not."""
    source = sentences(21, 14)
    excerpt = " ".join(_edited(source[:5], 1, 20))
    texts = [" ".join(source), " ".join(sentences(22, 14)), excerpt]
    out = dedup_frame(frame(texts)).articles
    assert 0.6 <= out["containment"][2] < 0.8
    assert out["duplicate_of"].to_list() == [None, None, "d000"] and out["copy_kind"][2] == "excerpt"
    strict = dedup_frame(frame(texts), DedupConfig(containment_threshold=0.8)).articles
    assert not strict["is_duplicate"].any()


def test_articles_sharing_only_quotations_stay_apart():
    """A rewrite that shares only the quoted statements (70 % of its shingles) with another article
    on the event is not a copy: outside the quotation marks nothing is shared."""
    quotes = [f"“{s}”" for s in sentences(31, 5)]
    first = " ".join(sentences(32, 10) + quotes + sentences(33, 4))
    rewrite = " ".join([*quotes[:4], *sentences(34, 2), quotes[4]])
    out = dedup_frame(frame([first, rewrite])).articles
    assert not out["is_duplicate"].any() and not out["is_roundup"].any()
    # the same text with the quotation marks removed is an excerpt
    plain = dedup_frame(
        frame([first.replace("“", "").replace("”", ""), rewrite.replace("“", "").replace("”", "")])
    )
    assert plain.articles["duplicate_of"].to_list() == [None, "d000"]


def test_the_fullest_source_of_one_storys_excerpt_is_its_copy_not_a_roundup():
    """A story that also shares a paragraph with each of two unrelated stories would be a roundup,
    but it is the fullest source of an edited excerpt of itself: it is that story's copy, and the
    excerpt joins it."""
    own, u1, u2 = sentences(41, 10), sentences(42, 10), sentences(43, 10)
    page = " ".join(own + u1[:2] + u2[:2])
    excerpt = " ".join(_edited(own[:6], 2, 20))
    res = dedup_frame(frame([page, " ".join(u1), " ".join(u2), excerpt]))
    out = res.articles
    assert not out["is_roundup"].any() and res.roundup_links.height == 0
    assert out["duplicate_of"].to_list() == [None, None, None, "d000"]


def test_a_page_of_two_stories_pieces_is_a_roundup_when_they_have_fuller_copies():
    """A page made of the leads of two unrelated stories holds each lead whole; with the fuller
    stories present it is a roundup linked to both, and each lead joins its own story."""
    a, b = sentences(51, 10), sentences(52, 10)
    page = " ".join(a[:3] + b[:3])
    lead_a, lead_b = " ".join(a[:3]), " ".join(b[:3])
    res = dedup_frame(frame([page, lead_a, lead_b, " ".join(a), " ".join(b)]))
    out = res.articles
    assert out["is_roundup"].to_list() == [True, False, False, False, False]
    assert res.roundup_links.height == 2
    assert out["duplicate_of"].to_list() == [None, "d003", "d004", None, None]


def test_edited_excerpt_in_a_later_run_joins_the_story_from_history():
    source = sentences(61, 14)
    first = frame([" ".join(source), " ".join(sentences(62, 14))])
    one = dedup_frame(first)
    excerpt = " ".join(_edited(source[:5], 3, 20))
    second = frame([excerpt]).with_columns(doc_id=pl.lit("e000"))
    prep = prepare(second.get_column("text"))
    keys, _ = lookup_keys(prep)
    history = candidates_from_history(one.index_rows, keys)
    out = dedup_frame(second, history=history, prepared=prep).articles
    assert out.select("duplicate_of", "copy_kind", "matched_to").row(0) == ("d000", "excerpt", "d000")
    assert 0.6 <= out["match_containment"][0] < 0.8
