"""Which lines of a frame's texts may hold a line rule's screen word (``LineRule.screen``): one
Aho-Corasick pass in polars over every line at once, so the cleaner skips the screened rules on all the
other lines, most of an article's prose, instead of looking for their words line by line in Python."""

from __future__ import annotations

import polars as pl

from transforms.rules import SCREEN_CHARS

__all__ = ["screen_hits"]


def screen_hits(text: pl.Expr, tokens: tuple[str, ...]) -> pl.Expr:
    """Per text, the 1-based numbers (numbered as ``clean_text`` numbers lines, any newline convention)
    of its lines that hold one of ``tokens`` (``RuleSet.screen_tokens``) ASCII case-insensitively, or
    one of ``SCREEN_CHARS``. A null text has one line, and no hit."""
    lines = (
        text.fill_null("")
        .str.replace_all("\r\n", "\n", literal=True)
        .str.replace_all("\r", "\n", literal=True)
        .str.split("\n")
    )
    hit = pl.element().str.contains_any([*tokens, *SCREEN_CHARS], ascii_case_insensitive=True)
    return lines.list.eval(hit.arg_true().cast(pl.Int32) + 1)
