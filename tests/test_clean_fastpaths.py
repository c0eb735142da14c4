"""Differential tests for the cleaning stage's fast paths: each one against the plain reference it replaces,
on hostile generated input and on hand-picked edge cases (the speed itself is measured in bench/, never
asserted here)."""

from __future__ import annotations

import hashlib

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean import _word_count
from transforms.linestats import SPACE_RUNS, _line_hashes, line_hash

# every kind of whitespace the engines know (Rust's White_Space, Python's extra \x1c-\x1f), words between
_WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2003\u200a\u2028\u2029\u202f\u205f\u3000"
_TEXT = st.text(st.sampled_from([*_WS, "a", "Ü", "_", "-", "7", "字", "\u200b"]), max_size=40)
_EDGES = ["", " ", "  ", "\t", " \t ", "a", " a ", "a  b", "a\u00a0b", "a \u3000 b", "\x1ca\x1f", "a\n\nb "]


def _plain_space_runs(s: pl.Series) -> pl.Series:
    return s.str.replace_all(r"\s+", " ")


@settings(max_examples=500, deadline=None)
@given(st.lists(_TEXT, max_size=20))
def test_space_runs_replace_like_the_plain_pattern(values: list[str]) -> None:
    s = pl.Series(values + _EDGES, dtype=pl.String)
    assert s.str.replace_all(SPACE_RUNS, " ").to_list() == _plain_space_runs(s).to_list()


def test_space_runs_on_edge_cases() -> None:
    s = pl.Series(["a \t b", "a\u00a0b", "a b", "  ", "\t"])
    assert s.str.replace_all(SPACE_RUNS, " ").to_list() == ["a b", "a b", "a b", " ", " "]


@settings(max_examples=500, deadline=None)
@given(st.lists(_TEXT, max_size=20))
def test_word_count_counts_like_count_matches(values: list[str]) -> None:
    df = pl.DataFrame({"t": [*values, *_EDGES, None]}, schema={"t": pl.String})
    got = df.select(_word_count(pl.col("t")).cast(pl.Int64).alias("n"))["n"].to_list()
    want = df.select(pl.col("t").str.count_matches(r"\S+").cast(pl.Int64).alias("n"))["n"].to_list()
    assert got == want


def test_word_count_values() -> None:
    df = pl.DataFrame({"t": ["", "  ", "one", " two  words ", "a\u3000b\tc\nd"]})
    assert df.select(_word_count(pl.col("t")).alias("n"))["n"].to_list() == [0, 0, 1, 2, 4]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=30))
def test_line_hashes_are_line_hash(values: list[str]) -> None:
    got = _line_hashes(pl.Series(values, dtype=pl.String))
    assert got.dtype == pl.UInt64
    assert got.to_list() == [line_hash(v) for v in values]


def test_line_hashes_golden_and_empty() -> None:
    assert _line_hashes(pl.Series(["press tvs website 0", "abc"])).to_list() == [
        14438085831660417601,
        int.from_bytes(hashlib.blake2b(b"abc", digest_size=8).digest(), "little"),
    ]
    assert _line_hashes(pl.Series([], dtype=pl.String)).to_list() == []
