"""Repeated-line statistics: normalisation, story-keyed evidence, thresholds."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.linestats import (
    LineStatsConfig,
    line_evidence,
    line_hash,
    may_normalise_to,
    normalise_line,
    normalise_line_expr,
    repeated_lines,
)

FOOTER = "Press TV’s website can also be accessed at the following alternate addresses:"


def _docs(texts: list[str], source: str = "presstv") -> pl.DataFrame:
    return pl.DataFrame(
        {"doc_id": [f"d{i}" for i in range(len(texts))], "source": [source] * len(texts), "raw_text": texts}
    )


def _story(i: int) -> str:
    return "\n".join(
        f"Story {i} paragraph {k} tells of event {chr(97 + i) * 3}{k} in a long sentence of words."
        for k in range(3)
    )


def test_normalise_line() -> None:
    assert normalise_line("  Press TV’s website, 2017!  ") == "press tvs website 0"
    assert normalise_line("Page 12 of 30") == normalise_line("page 3 of 4")


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.characters(
            max_codepoint=0x24F, categories=("Lu", "Ll", "Nd", "Po", "Pd", "Zs", "Sc"), exclude_characters="İ"
        ),
        max_size=60,
    )
)
def test_python_and_polars_normalisers_agree(s: str) -> None:
    assert pl.select(normalise_line_expr(pl.lit(s, dtype=pl.String))).item() == normalise_line(s)


def test_line_hash_is_stable() -> None:
    # a golden value: the hash is persisted under _state/; a change orphans every earlier run's evidence
    assert line_hash("press tvs website 0") == 14438085831660417601
    assert line_hash("abc") == int.from_bytes(
        __import__("hashlib").blake2b(b"abc", digest_size=8).digest(), "little"
    )


def test_footer_across_stories_is_repeated() -> None:
    ev = line_evidence(_docs([_story(i) + "\n" + FOOTER for i in range(5)]))
    rep = repeated_lines(ev, LineStatsConfig(min_docs=4))
    assert rep.to_dicts() == [{"source": "presstv", "line_hash": line_hash(normalise_line(FOOTER))}]


def test_wire_story_run_ten_times_is_one_piece_of_evidence() -> None:
    ev = line_evidence(_docs([_story(1) + "\n" + FOOTER] * 10))
    assert ev["evidence_key"].n_unique() == 1
    assert repeated_lines(ev, LineStatsConfig(min_docs=2)).is_empty()


def test_evidence_from_earlier_runs_counts() -> None:
    old = line_evidence(_docs([_story(i) + "\n" + FOOTER for i in range(3)]))
    new = line_evidence(_docs([_story(7) + "\n" + FOOTER]).with_columns(pl.lit("n7").alias("doc_id")))
    assert repeated_lines(new, LineStatsConfig(min_docs=4)).is_empty()
    assert repeated_lines(pl.concat([old, new]), LineStatsConfig(min_docs=4)).height == 1


def test_outlets_are_separate_and_share_threshold() -> None:
    a = line_evidence(_docs([_story(i) + "\n" + FOOTER for i in range(4)], "a"))
    b = line_evidence(_docs([_story(i) + "\n" + FOOTER for i in range(2)], "b"))
    rep = repeated_lines(pl.concat([a, b]), LineStatsConfig(min_docs=3))
    assert rep["source"].to_list() == ["a"]
    assert repeated_lines(a, LineStatsConfig(min_docs=1, min_share=1.0)).height == 1 + 0


def test_empty() -> None:
    assert line_evidence(_docs([])).is_empty()
    assert repeated_lines(line_evidence(_docs([]))).is_empty()


_LINE_CHARS = st.characters(
    max_codepoint=0x3FF, categories=("Lu", "Ll", "Lt", "Nd", "No", "Mn", "Po", "Pd", "Zs", "Sc", "Sm")
)


@settings(max_examples=2000, deadline=None)
@given(st.text(_LINE_CHARS, max_size=40), st.text(_LINE_CHARS, max_size=40))
def test_may_normalise_to_never_rules_out_an_equal_line(line: str, other: str) -> None:
    """The cleaner's cheap pre-test before comparing a line with the title: never False for a line that
    does normalise to it (Greek final sigma, "İ", digits, combining marks, "_" included)."""
    for target in (normalise_line(line), normalise_line(other), normalise_line(line + other)):
        if normalise_line(line) == target:
            assert may_normalise_to(line, target)
    assert may_normalise_to(line, normalise_line(line))


def test_may_normalise_to_rules_out_other_first_characters() -> None:
    assert not may_normalise_to("Breaking: storm hits coast", "storm hits coast")
    assert may_normalise_to("  «Storm» hits", "storm hits")
    assert may_normalise_to("2017 in review", "0 in review")
    assert may_normalise_to("İstanbul", normalise_line("İstanbul"))
    assert may_normalise_to("...", "") and not may_normalise_to("...", "a")
    assert not may_normalise_to("_x", "")  # "_" goes, "x" stays
