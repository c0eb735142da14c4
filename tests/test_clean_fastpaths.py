"""Differential tests for the cleaning stage's fast paths: each one against the plain reference it replaces,
on hostile generated input and on hand-picked edge cases (the speed itself is measured in bench/, never
asserted here)."""

from __future__ import annotations

import hashlib
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_rules import _LINES, _PIECES, CASES
from transforms.clean import clean_records, clean_text
from transforms.dates import parse_date
from transforms.linescreen import screen_hits
from transforms.linestats import SPACE_RUNS, _line_hashes, line_hash, word_count_expr
from transforms.rules import (
    RULES,
    SCREEN_CHARS,
    LineRule,
    RuleSet,
    compile_pattern,
    first_match,
    screen_token,
)
from transforms.rules.core import HOT_START, _top_level_branches
from transforms.rules.prefixes import branch_prefixes
from transforms.schema import RECORD_SCHEMA

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
    got = df.select(word_count_expr(pl.col("t")).cast(pl.Int64).alias("n"))["n"].to_list()
    want = df.select(pl.col("t").str.count_matches(r"\S+").cast(pl.Int64).alias("n"))["n"].to_list()
    assert got == want


def test_word_count_values() -> None:
    df = pl.DataFrame({"t": ["", "  ", "one", " two  words ", "a\u3000b\tc\nd"]})
    assert df.select(word_count_expr(pl.col("t")).alias("n"))["n"].to_list() == [0, 0, 1, 2, 4]


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


# ---------------------------------------------------------------- rule dispatch on the first two characters


def test_branch_prefixes_values() -> None:
    cases = {
        "^(?:you(?:'|’)ve|you have) x": ({"yo", "Yo", "yO", "YO"}, set()),
        "^a?b": ({"ab", "aB", "Ab", "AB"}, {"b", "B"}),
        "^7\\b": (set(), {"7"}),  # a one-character match: anything may follow
        "^…$": (set(), set()),  # starts with a non-ASCII character: never by an ASCII start
        "^(?:x|y{2,9})z": ({"xz", "xZ", "Xz", "XZ", "yy", "yY", "Yy", "YY"}, set()),
    }
    for pattern, (pairs, singles) in cases.items():
        assert branch_prefixes(pattern) == (frozenset(pairs), frozenset(singles)), pattern
    assert branch_prefixes("^(?:x)?") is None  # can match the empty string
    assert branch_prefixes("^(a)\\1") is None  # a reference: not followed
    assert branch_prefixes("^(?-i:a)b") is None  # a local flag change: not followed


_STARTS = st.sampled_from([*"aB7 -_(©éİſK$€./»"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_STARTS, min_size=2, max_size=6).map("".join), st.sampled_from(_LINES))
def test_branch_prefixes_never_rule_out_a_match(head: str, tail: str) -> None:
    """Whatever a branch matches begins with one of its pairs or singles (when the start is ASCII)."""
    for line in (head + tail, tail, tail.upper(), tail.swapcase(), head):
        if not line[:2].isascii() or len(line) < 2:
            continue
        for rule in RULES:
            if rule.pattern is None:
                continue
            for branch in _top_level_branches(rule.pattern):
                found = branch_prefixes(branch)
                if found is None or not branch.startswith("^") or not compile_pattern(branch).match(line):
                    continue
                assert line[:2] in found[0] or line[0] in found[1], (rule.id, branch, line)


@pytest.mark.parametrize("line", [v for s in _LINES for v in (s, s.upper(), s.swapcase(), s.lower())])
def test_rule_set_agrees_with_first_match_in_any_case(line: str) -> None:
    assert RuleSet(RULES).match(line) is first_match(line, RULES)


def test_a_start_seen_often_gets_its_own_alternation_with_the_same_answers() -> None:
    """A start's first lines go through its class's alternation of every rule, the later ones through
    the start's own (``RuleSet._cold``): both give ``first_match``'s answer."""
    rs = RuleSet(RULES)
    lines = [v for s in _LINES for v in (s, s.upper(), s.swapcase())]
    for _ in range(HOT_START + 1):
        for line in lines:
            rs._memo.clear()  # the alternations themselves, not a remembered answer
            assert rs.match(line) is first_match(line, RULES), line
    own = {start for by_start in rs._combined for start in by_start if len(start) == 2}
    assert {"Ph", "Co", "SH"} <= own  # "Photo by: ...", "Copyright", "SHARE" have their own now
    assert all(not heat for heat in rs._heat)  # every start seen that often is hot


# ---------------------------------------------------------------- the screen: rules skipped on most lines


def _hits(lines: list[str], tokens: tuple[str, ...]) -> list[bool]:
    got = pl.DataFrame({"t": lines}).select(screen_hits(pl.col("t"), tokens).alias("h"))["h"].to_list()
    return [h == [1] for h in got]


_EXTRA = (
    LineRule("o_kw", "a keyword rule", pattern=r"\bminister\b", keywords=("minister", "präsi")),
    LineRule("o_ungated", "a keyword with no ASCII", pattern=r"über", keywords=("ü",)),
    LineRule("o_pred", "a predicate without screen", predicate=lambda s: s.endswith("?")),
)


@pytest.mark.parametrize("rules", [RULES, _EXTRA + RULES], ids=["table", "with outlet rules"])
def test_screened_lines_get_the_same_answer(rules: tuple[LineRule, ...]) -> None:
    rs = RuleSet(rules)
    lines = [v for s in _LINES for v in (s, s.upper(), "x " + s)] + ["The minister spoke.", "Was it über?"]
    checked = 0
    for line, hit in zip(lines, _hits(lines, rs.screen_tokens), strict=True):
        if not hit:
            rs._memo.clear()  # the screened path itself, not a remembered answer
            assert rs.match(line, screened=True) is first_match(line, rules), line
            checked += 1
    assert checked > 100


_RS = RuleSet(RULES)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=14).map(" ".join))
def test_screened_generated_lines_get_the_same_answer(line: str) -> None:
    line = line.strip()
    if line and not _hits([line], _RS.screen_tokens)[0]:
        _RS._memo.clear()
        assert _RS.match(line, screened=True) is first_match(line, RULES)


def test_every_line_a_screened_rule_fires_on_is_a_hit() -> None:
    rs = RuleSet(RULES)
    screened = {r.id for r in RULES if r.screen or r.keywords}
    assert {"share_widget", "disclaimer", "photo_credit", "copyright_footer"} <= screened
    yes = [s for rid, (fire, _) in CASES.items() if rid in screened for s in fire]
    assert yes and all(_hits(yes, rs.screen_tokens))


def test_screen_tokens_and_lines() -> None:
    assert screen_token("crédit") == "dit" and screen_token(" TV") == " tv"
    assert screen_token("©") == "©" and screen_token("ü") is None
    rs = RuleSet(_EXTRA + RULES)
    assert "minister" in rs.screen_tokens and "ü" not in rs.screen_tokens
    text = "Talks go on\r\nShare this\rPHOTO: AFP\n\nThe İnn\n"
    got = pl.DataFrame({"t": [text, None, ""]}).select(screen_hits(pl.col("t"), rs.screen_tokens))
    assert got.to_series().to_list() == [[2, 3, 5], [], []]


def test_screen_chars_are_every_case_folding_into_ascii() -> None:
    """No character outside SCREEN_CHARS lowercases to something holding ASCII, or matches an ASCII
    letter or digit case-insensitively; no character but itself lowercases to hold a non-ASCII token."""
    alnum = re.compile("[a-z0-9]", re.IGNORECASE)
    odd = set()
    tokens = [t for t in RuleSet(RULES).screen_tokens if not t.isascii()]
    for cp in range(128, 0x110000):
        c = chr(cp)
        low = c.lower()
        if alnum.match(c) or not low.isascii() and any(ord(x) < 128 for x in low):
            odd.add(c)
        assert not any(t in low and c not in t for t in tokens), hex(cp)
    assert odd == set(SCREEN_CHARS)


def test_clean_records_with_the_screen_is_clean_text_without_it() -> None:
    """The frame path (screen, repeated lines, word counts) against clean_text line by line, no screen."""
    body = "Talks resumed on Monday after a week of delays, officials in both capitals said in a statement."
    texts = [
        "\n".join([_LINES[i % len(_LINES)], body, _LINES[(3 * i) % len(_LINES)], body + " More.", "©AFP"])
        for i in range(len(_LINES))
    ]
    texts += ["Was it über?\r\nThe minister spoke.\r" + body, "", "Share this\n\n" + body]
    n = len(texts)
    records = pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "source": ["o" if i % 2 else "p" for i in range(n)],
            "source_path": ["x"] * n,
            "format": ["txt"] * n,
            "raw_text": texts,
        }
    )
    records = records.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in RECORD_SCHEMA.items() if c not in records.columns]
    ).select(list(RECORD_SCHEMA))
    out = clean_records(records.cast(RECORD_SCHEMA), outlet_rules={"o": _EXTRA})  # type: ignore[arg-type]
    for row in out.iter_rows(named=True):
        extra = _EXTRA if row["source"] == "o" else ()
        res = clean_text(row["raw_text"], fmt="txt", extra_rules=extra)
        assert row["text"] == res.text
        assert [(r["line"], r["text"], r["rule"]) for r in row["removed"]] == res.removed


@pytest.mark.parametrize("date", ["March 10, 2017", "Published: 2016-09-09T08:00:00+03:00", "9. Mai 2016"])
def test_the_date_is_parsed_once_and_the_same(date: str) -> None:
    body = "Talks resumed on Monday after a week of delays, officials in both capitals said in a statement."
    res = clean_text(f"Talks resume in Geneva\n{date}\n{body}", fmt="txt")
    assert res.published_line == date and res.published == parse_date(date) and res.published is not None
    assert clean_text(body, fmt="txt").published is None
