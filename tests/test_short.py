"""attach_short: a text too short to be an article is kept only as a copy of one kept story (golden
cases per rule: containment, shared shingles, quotations, one story only, boilerplate, history), never
as a canonical copy or a link between stories."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_dedup import frame, story
from transforms.dedup import DEDUP_COLUMNS, DedupConfig, attach_short, dedup_frame, prepare

CONFIG = DedupConfig()


def words(seed: int, n: int, start: int = 0) -> str:
    return " ".join(story(seed).split()[start : start + n])


def attach(
    kept_texts: list[str],
    short_texts: list[str],
    config: DedupConfig = CONFIG,
    history=None,
    orders: tuple[list[int], list[int]] | None = None,
):
    """dedup_frame over the kept texts (d000...), then attach_short of the short ones (s0...); `orders`
    permutes both inputs."""
    kept = frame(kept_texts).with_columns(pl.col("text").cast(pl.String))
    short = pl.DataFrame(
        {"doc_id": [f"s{i}" for i in range(len(short_texts))], "text": short_texts},
        schema={"doc_id": pl.String, "text": pl.String},
    )
    if orders:
        kept, short = kept[orders[0]], short[orders[1]]
    result = dedup_frame(kept, config, history)
    out = attach_short(
        result.articles.select("doc_id", *DEDUP_COLUMNS),
        prepare(kept["text"], config),
        short,
        prepare(short["text"], config),
        history,
        config,
    )
    return result.articles, out


def test_brief_of_a_story_joins_its_cluster_as_an_excerpt_never_canonical():
    # d000 the story, d001 a reprint with a new tail (near copy, J 296/306), d002 unrelated
    a = story(1)
    brief = words(1, 20, start=100)  # 16 shingles, all in the story
    kept, out = attach([a, a + " " + words(9, 10), story(2)], [brief])
    assert kept["duplicate_of"].to_list() == [None, "d000", None]
    row = out.row(0, named=True)
    assert row == {
        "doc_id": "s0",
        "cluster_id": "d000",
        "is_duplicate": True,
        "duplicate_of": "d000",
        "similarity": pytest.approx(16 / 296),
        "containment": 1.0,
        "copy_kind": "excerpt",
        "is_roundup": False,
        "matched_to": "d000",  # both hold all of it: the more similar (shorter) one
        "match_similarity": pytest.approx(16 / 296),
        "match_containment": 1.0,
    }


def test_matched_to_is_the_copy_holding_most_and_scores_are_against_the_canonical():
    a = story(1)
    extra = words(7, 30)
    brief = extra + " " + words(1, 5)  # 31 shingles: 26 only in the write-through d001
    kept, out = attach([a, a + " " + extra], [brief])
    row = out.row(0, named=True)
    assert (row["duplicate_of"], row["matched_to"]) == ("d000", "d001")
    # 26 shingles of `extra` and the story's first one; the 4 across the join are in neither copy
    assert row["match_containment"] == pytest.approx(27 / 31)
    assert row["containment"] == pytest.approx(1 / 31)


@pytest.mark.parametrize(
    ("brief", "kept"),
    [
        pytest.param(words(1, 16), True, id="16 words is 12 shingles: enough"),
        pytest.param(words(1, 15), False, id="15 words: 11 shingles"),
        pytest.param(words(1, 20) + " " + words(5, 5), True, id="containment 16/21 = 0.76"),
        pytest.param(words(1, 16) + " " + words(5, 10), False, id="containment 12/22 = 0.55 < 0.6"),
        pytest.param(words(3, 20), False, id="unrelated"),
        pytest.param('"' + words(1, 24) + '"', False, id="all quotation: no own text"),
        pytest.param(words(1, 14) + ' "' + words(1, 16, 14) + '"', False, id="quote-free part too small"),
        pytest.param(words(1, 16) + ' "' + words(1, 16, 16) + '"', True, id="quote-free part 12 shingles"),
    ],
)
def test_rules_for_a_short_copy(brief, kept):
    _, out = attach([story(1), story(2)], [brief])
    assert out.height == int(kept)
    if kept:
        assert out["cluster_id"].item() == "d000"


def test_a_brief_held_by_two_stories_joins_neither():
    shared = words(4, 25)
    a, b = story(1) + " " + shared, shared + " " + story(2)
    kept, out = attach([a, b], [shared])
    assert kept["cluster_id"].n_unique() == 2  # two stories sharing a passage stay apart
    assert out.height == 0


def test_a_roundup_page_never_holds_a_short_copy():
    paras = [[words(10 * k + j, 40) for j in range(8)] for k in range(3)]
    texts = [" . ".join(p) for p in paras]
    roundup = " . ".join(paras[0][:2] + paras[1][:2] + paras[2][:2])
    brief = words(20, 20)  # in the roundup's paragraph of story 2, which is also in story 2
    kept, out = attach([*texts, roundup], [brief, roundup.split(" . ")[0][:200]])
    assert kept["is_roundup"].to_list() == [False, False, False, True]
    assert out["doc_id"].to_list() == ["s0", "s1"]
    assert out["matched_to"].to_list() == ["d002", "d000"]


def test_boilerplate_shingles_count_for_nothing():
    brief = words(1, 20)
    copies = [story(1)] * 3
    assert attach(copies, [brief])[1].height == 1
    assert attach(copies, [brief], DedupConfig(max_sample_df=2))[1].height == 0


def test_brief_of_a_story_kept_in_an_earlier_run_joins_the_history_cluster():
    first = dedup_frame(frame([story(1), story(2)]))
    hist = first.index_rows.with_columns(doc_id=pl.col("doc_id") + "-old")
    hist = hist.with_columns(
        cluster_id=pl.col("cluster_id") + "-old", canonical_id=pl.col("canonical_id") + "-old"
    )
    _, out = attach([story(3)], [words(2, 20, 50)], history=hist)
    assert out.select("cluster_id", "duplicate_of", "matched_to").row(0) == ("d001-old",) * 3


def test_no_kept_documents_or_no_short_texts():
    assert attach([], [words(1, 20)])[1].height == 0
    assert attach([story(1)], [])[1].height == 0
    assert attach([story(1)], [words(1, 20)])[1].columns == ["doc_id", *DEDUP_COLUMNS]


@settings(max_examples=10, deadline=None)
@given(st.permutations(range(4)), st.permutations(range(3)))
def test_output_does_not_depend_on_input_order(kept_order, short_order):
    kept_texts = [story(1), story(1) + " " + words(9, 10), story(2), story(3)]
    shorts = [words(1, 20, 30), words(2, 18, 7), words(8, 20)]
    base = attach(kept_texts, shorts)[1]
    out = attach(kept_texts, shorts, orders=(list(kept_order), list(short_order)))[1]
    assert base["doc_id"].to_list() == ["s0", "s1"]
    assert out.sort("doc_id").equals(base.sort("doc_id"))
