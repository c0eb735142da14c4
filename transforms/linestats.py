"""Repeated-line statistics per outlet: lines that recur across many *stories* of one outlet are site
boilerplate.

Evidence is one row per (outlet, normalised line, story): ``line_evidence`` builds it from a frame of
documents; it is small, stable across runs (blake2b hashes of normalised text, not polars' seeded hash) and
can be concatenated with the evidence persisted by earlier runs before ``repeated_lines`` thresholds it.

A story run ten times by the wire is one piece of evidence, not ten: each document gets an ``evidence_key``,
a one-permutation MinHash of its long normalised lines (the smallest line hash). Two copies of a story share
that key with probability equal to the Jaccard similarity of their long-line sets, so near-duplicate copies
collapse into one key, while different stories have different keys. A footer or menu line is short or
shared by all stories, so it is rarely the minimum of a document's long *prose* lines.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = [
    "EVIDENCE_SCHEMA",
    "LINE_HASH_SCHEMA",
    "LineStatsConfig",
    "SPACE_RUNS",
    "doc_lines",
    "hashed_lines",
    "line_evidence",
    "line_hash",
    "line_hashes_expr",
    "may_normalise_to",
    "normalise_line",
    "normalise_line_expr",
    "repeated_line_numbers",
    "repeated_lines",
    "word_count_expr",
]

EVIDENCE_SCHEMA = {"source": pl.String(), "line_hash": pl.UInt64(), "evidence_key": pl.UInt64()}


@dataclass(frozen=True)
class LineStatsConfig:
    """``min_docs``: distinct stories of one outlet a line must appear in to count as boilerplate;
    ``min_share``: ...and at least this share of the outlet's stories (0 = count only);
    ``max_line_chars``: longer lines are never counted (paragraphs are not site furniture);
    ``key_min_chars``/``key_min_words``: which normalised lines make up a story's evidence key."""

    min_docs: int = 4
    min_share: float = 0.0
    max_line_chars: int = 400
    key_min_chars: int = 60
    key_min_words: int = 8


# Fold case, digit runs, punctuation/symbols and whitespace. The same regexes run in Python (normalise_line)
# and in polars (normalise_line_expr); a differential test keeps them in step.
_DIGITS = r"\d+"
_NON_WORD = r"[^\w\s]|_"
_SPACES = r"\s+"
_RE_DIGITS, _RE_NON_WORD, _RE_SPACES = re.compile(_DIGITS), re.compile(_NON_WORD), re.compile(_SPACES)
# What polars replaces instead of _SPACES, with the same result: every whitespace run that is not already a
# lone " " (a run of two or more, or one other whitespace character). A lone space is left alone rather
# than replaced by itself: replace_all pays per match, and prose has a space between every two words (the
# plain _SPACES pass was 60% of a 500-word document's normalisation).
SPACE_RUNS = r"\s\s+|[^\S ]"


def normalise_line(line: str) -> str:
    """'Press TV’s website, 2017!' -> 'press tvs website 0'."""
    s = _RE_DIGITS.sub("0", line.lower())
    s = _RE_NON_WORD.sub("", s)
    return _RE_SPACES.sub(" ", s).strip()


_FIRST_KEPT = re.compile(r"[^\W_]")  # the first character normalise_line keeps: a word character, not "_"


def may_normalise_to(line: str, normalised: str) -> bool:
    """False when ``normalise_line(line)`` cannot be ``normalised``: their first characters differ (the
    first word character of the line, lower-cased, "0" for a digit). A cheap test before the three
    regex passes over a long line; True says nothing."""
    m = _FIRST_KEPT.search(line)
    if m is None:
        return normalised == ""
    if not normalised:
        return False
    c = m.group()
    first = "0" if _RE_DIGITS.match(c) else c.lower()[:1]
    return first == normalised[0]


def normalise_line_expr(col: str | pl.Expr) -> pl.Expr:
    """``normalise_line`` as a polars expression (Rust regex: linear time)."""
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.to_lowercase()
        .str.replace_all(_DIGITS, "0")
        .str.replace_all(_NON_WORD, "")
        .str.replace_all(SPACE_RUNS, " ")
        .str.strip_chars()
    )


def word_count_expr(text: pl.Expr) -> pl.Expr:
    r"""``text.str.count_matches(r"\S+")`` (the whitespace tokens), counted as the spaces between them once
    every whitespace run is one " ": count_matches pays per match, a match per word."""
    runs = text.str.replace_all(SPACE_RUNS, " ").str.strip_chars(" ")
    return pl.when(runs == "").then(0).otherwise(runs.str.count_matches(" ", literal=True) + 1)


def line_hash(normalised: str) -> int:
    """Stable 64-bit hash of a normalised line (the same in every run and every polars version)."""
    return int.from_bytes(hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest(), "little")


def line_hashes_expr(normalised: str | pl.Expr) -> pl.Expr:
    """``line_hash`` over a column of normalised lines (the hash itself is the one black box)."""
    e = pl.col(normalised) if isinstance(normalised, str) else normalised
    return e.map_batches(_line_hashes, return_dtype=pl.UInt64)


def _line_hashes(s: pl.Series) -> pl.Series:
    """``line_hash`` of every value: the UTF-8 bytes straight from polars (no str.encode per line) and the
    digests read as little-endian uint64 in one go (no int.from_bytes per line)."""
    if s.null_count():
        return pl.Series([line_hash(v) for v in s.to_list()], dtype=pl.UInt64)  # None raises, as it did
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(v, digest_size=8).digest() for v in s.cast(pl.Binary).to_list()])
    return pl.Series(np.frombuffer(digests, dtype="<u8"), dtype=pl.UInt64)


def doc_lines(
    docs: pl.DataFrame | pl.LazyFrame, text_col: str = "raw_text", max_chars: int | None = None
) -> pl.LazyFrame:
    """One row per non-blank line: doc_id, source, line (1-based Int32), norm (normalised text), _chars
    (length of the raw line). ``max_chars``: lines longer than this are left out before they are
    normalised (the normalisation is the expensive part, and long lines are never evidence)."""
    lines = (
        docs.lazy()
        .select("doc_id", "source", pl.col(text_col).fill_null("").str.split("\n").alias("_line"))
        .with_columns(pl.int_ranges(1, pl.col("_line").list.len() + 1, dtype=pl.Int32).alias("line"))
        .explode("_line", "line")
        .with_columns(pl.col("_line").str.len_chars().alias("_chars"))
    )
    if max_chars is not None:
        lines = lines.filter(pl.col("_chars") <= max_chars)
    return lines.with_columns(normalise_line_expr("_line").alias("norm")).filter(pl.col("norm") != "")


LINE_HASH_SCHEMA = {
    "doc_id": pl.String(),
    "source": pl.String(),
    "line": pl.Int32(),
    "line_hash": pl.UInt64(),
}


def hashed_lines(
    docs: pl.DataFrame, config: LineStatsConfig = LineStatsConfig(), text_col: str = "raw_text"
) -> pl.DataFrame:
    """``doc_lines`` (the lines that can be evidence) with their ``line_hash``: computed once a run, by the
    read pass, for both the evidence and the cleaning pass's look-up of repeated lines."""
    if docs.is_empty():
        return pl.DataFrame(schema={**LINE_HASH_SCHEMA, "norm": pl.String()})
    return (
        doc_lines(docs, text_col, config.max_line_chars)
        .select(
            "doc_id",
            pl.col("source").fill_null(""),
            "line",
            "norm",
            line_hashes_expr("norm").alias("line_hash"),
        )
        .collect()
    )


def line_evidence(
    docs: pl.DataFrame,
    config: LineStatsConfig = LineStatsConfig(),
    text_col: str = "raw_text",
    lines: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Evidence rows ``[source, line_hash, evidence_key]`` (unique) from documents
    ``[doc_id, source, text]``; ``lines``: their ``hashed_lines`` when the caller has them already."""
    if docs.is_empty():
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    lines = (hashed_lines(docs, config, text_col) if lines is None else lines).lazy()
    is_key_line = (pl.col("norm").str.len_chars() >= config.key_min_chars) & (
        pl.col("norm").str.count_matches(" ") + 1 >= config.key_min_words
    )
    # A document without long lines is its own evidence (its doc_id hash): it cannot be a wire copy.
    keys = lines.filter(is_key_line).group_by("doc_id").agg(pl.col("line_hash").min().alias("evidence_key"))
    own = docs.lazy().select("doc_id", line_hashes_expr(pl.col("doc_id").fill_null("")).alias("_own"))
    return (
        lines.join(keys, on="doc_id", how="left")
        .join(own, on="doc_id", how="left")
        .select(
            "source",
            "line_hash",
            pl.coalesce("evidence_key", "_own").alias("evidence_key"),
        )
        .unique()
        .sort("source", "line_hash", "evidence_key")
        .collect()
    )


def repeated_lines(
    evidence: pl.DataFrame, config: LineStatsConfig = LineStatsConfig(), distinct: bool = False
) -> pl.DataFrame:
    """Lines ``[source, line_hash]`` seen in >= ``min_docs`` distinct stories (and >= ``min_share`` of
    them), sorted. ``distinct``: the rows are unique already (not made unique again). ``source`` may be
    any sortable key of the outlet (the flow codes outlets as integers while it pools the rows)."""
    if evidence.is_empty():
        return pl.DataFrame(
            schema={"source": evidence.schema.get("source", pl.String()), "line_hash": pl.UInt64()}
        )
    ev = evidence.lazy() if distinct else evidence.lazy().unique()
    stories = ev.group_by("source").agg(pl.col("evidence_key").n_unique().alias("_stories"))
    return (
        ev.group_by("source", "line_hash")
        .agg(pl.col("evidence_key").n_unique().alias("_n"))
        .join(stories, on="source")
        .filter((pl.col("_n") >= config.min_docs) & (pl.col("_n") >= config.min_share * pl.col("_stories")))
        .select("source", "line_hash")
        .sort("source", "line_hash")
        .collect()
    )


def repeated_line_numbers(
    records: pl.DataFrame,
    repeated: pl.DataFrame | None,
    max_chars: int = LineStatsConfig().max_line_chars,
    lines: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """doc_id -> list of 1-based line numbers whose normalised hash is a repeated line of the doc's outlet.
    ``lines``: the records' ``linestats.hashed_lines`` when the read pass staged them (not hashed again)."""
    empty = pl.DataFrame(schema={"doc_id": pl.String(), "_rep": pl.List(pl.Int32())})
    if repeated is None or repeated.is_empty() or records.is_empty():
        return empty
    rep = repeated.select(pl.col("source").fill_null(""), pl.col("line_hash").cast(pl.UInt64)).unique()
    if lines is None:
        # only the documents of outlets that have repeated lines, and only lines short enough to be
        # evidence (line_evidence never counts a longer one), are normalised and hashed
        docs = records.lazy().select("doc_id", pl.col("source").fill_null(""), "raw_text")
        docs = docs.filter(pl.col("source").is_in(rep["source"].unique().implode()))
        hashed = doc_lines(docs, max_chars=max_chars).with_columns(
            line_hashes_expr("norm").alias("line_hash")
        )
    else:
        hashed = lines.lazy().select("doc_id", "source", "line", "line_hash")
    return (
        hashed.join(rep.lazy(), on=["source", "line_hash"], how="semi")
        .group_by("doc_id")
        .agg(pl.col("line").sort().alias("_rep"))
        .collect()
    )
