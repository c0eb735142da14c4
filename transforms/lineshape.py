"""The shape of one line of page text, language-agnostic: its words, whether it is prose (a sentence or a
paragraph), a promo line, a headline, a time or date line of a headline list."""

from __future__ import annotations

import re

from transforms.clean_config import CleanConfig
from transforms.widgets import BULLETS

__all__ = ["BULLETS", "headline_like", "is_promo", "is_prose", "n_words", "time_line"]


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # no spaces between words: 2 chars ~ 1 word
_LETTER = re.compile(r"[^\W\d_]")
_PROSE_END = frozenset('.!?…"”’»。！？')
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」]?$|[.!?。！？][\"'”’»)]? ?[\"'“‘«(]?[A-ZÀ-ÖØ-Þ0-9]")


def n_words(s: str, cap: int = -1) -> int:
    """Words, language-agnostic: whitespace tokens, plus CJK characters counted two to a word.

    ``cap``: count whitespace tokens only up to ``cap + 1`` (the answer compares the same against any
    threshold <= cap + 1, and a long line is not split to the end).
    """
    if len(s) >= 2000:
        return s.count(" ") + 1 + len(_CJK.findall(s[:2000])) // 2
    n = len(s.split(None, cap))  # = len(re.findall(r"\S+", s)): str.split and re's \s agree everywhere
    if 0 <= cap < n or s.isascii():
        return n  # past the cap already, or no CJK possible
    return n + len(_CJK.findall(s)) // 2


# a whitespace token with no letter in it: every character a non-word one, a digit or "_" (the complement
# of _LETTER among non-space characters), so one C-speed scan counts what a loop over tokens would
_BARE_TOKEN = re.compile(r"(?<!\S)(?:[^\w\s]|[\d_])+(?!\S)")


def _token_list(s: str) -> bool:
    """A menu, dropdown or tag cloud flattened into one line: more than a quarter of its first tokens
    hold no letter ("/", "|", "-", "•", years, counts)."""
    head = s[:1500]
    return len(_BARE_TOKEN.findall(head)) * 4 > len(head.split())


def is_prose(s: str, min_words: int) -> bool:
    """A sentence-shaped line: enough words and sentence punctuation (language-agnostic). A long line
    counts without the punctuation unless it is a token list (a dropdown of 2,000 characters is not
    the article)."""
    if len(s) < 25:
        return False
    n = n_words(s, 3 * min_words)
    # a paragraph ends with punctuation: only the other long lines pay for the token check
    if n >= 3 * min_words and (s[-1] in _PROSE_END or not _token_list(s)):
        return True
    return n >= min_words and _SENTENCE_END.search(s[-200:] if len(s) > 400 else s) is not None


def is_promo(s: str, config: CleanConfig) -> bool:
    """A line of a paywall block: short and not a sentence of prose."""
    return len(s) <= config.paywall_block_max_chars and not (
        n_words(s) >= 2 * config.prose_min_words and s[-1] in '.!?"”’»'
    )


def headline_like(s: str, config: CleanConfig) -> bool:
    n = n_words(s)
    return 2 <= n <= 30 and len(s) <= config.headline_max_chars and s[-1] not in ".:;,"


# a time or date line of a headline list: "3 hours ago", "12:45", "March 3, 2026", "03.12.2026",
# "vor 2 Stunden"
_TIME_LINE = re.compile(
    r"(?:\d{1,2}[:.]\d\d(?:\s?[ap]\.?m\.?)?(?: [A-Z]{2,4})?"
    r"|\d{1,3} ?(?:min(?:ute)?s?|hours?|hrs?|h|days?|weeks?|months?|stunden?|minuten?|tagen?|heures?|"
    r"jours?|horas?|días?)(?: ago)?"
    r"|(?:vor|il y a|hace) \d{1,3} \w{1,10}"
    r"|(?:updated|published|posted|aktualisiert)\b.{0,40}"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)\w{0,6},? .{0,30}\d"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w{0,7}\.? \d{1,2}(?:,? \d{4})?.{0,20}"
    r"|\d{1,2}\.? (?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec)\w{0,7}\.?"
    r"(?: \d{4})?.{0,20}"
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}.{0,20})",
    re.IGNORECASE,
)


def time_line(s: str) -> bool:
    """A time or date line of a headline list (``_TIME_LINE``), 50 characters at most."""
    return len(s) <= 50 and _TIME_LINE.fullmatch(s) is not None
