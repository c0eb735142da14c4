"""The knobs of the cleaning stage, shared by the cleaner and its structure passes."""

from __future__ import annotations

from dataclasses import dataclass

from transforms.linestats import LineStatsConfig

__all__ = ["CleanConfig"]


@dataclass(frozen=True)
class CleanConfig:
    """Knobs of the cleaning stage (the flow exposes them as parameters)."""

    min_clean_chars: int = 200  # fewer characters left -> rejected (too_short)
    min_clean_words: int = 30  # fewer words left -> rejected (too_short)
    # ...but a too-short text of at least this many words (a one-sentence wire brief) is still offered
    # to dedup: kept if it is a copy of a kept story (`transforms.dedup.short`), else too_short
    min_copy_words: int = 16
    repeated_min_docs: int = 4  # a line in >= this many distinct stories of an outlet is repeated_line
    repeated_min_share: float = 0.0  # ...and in >= this share of the outlet's stories
    paywall_block_max_lines: int = 80  # a paywall block swallows at most this many lines after its marker
    paywall_block_max_chars: int = 160  # promo lines in a paywall block are at most this long
    headline_search_lines: int = 3  # the headline is among the first N non-blank lines left
    headline_max_chars: int = 250
    date_line_max_chars: int = 60  # a standalone date line is at most this long
    structure: str = "auto"  # block scorer: "auto" (not for html: trafilatura did it), "always", "never"
    prose_min_words: int = 8  # a prose line has >= this many words and sentence punctuation
    short_line_penalty: int = 80  # most a non-prose line costs the block (prose lines score their length)
    short_line_base: int = 20  # a non-prose line costs its length plus this, up to short_line_penalty
    short_sentence_share: float = 0.5  # ...and half that when it ends like a sentence (a short paragraph)
    # a prose line that does not end like a paragraph (a headline with a full stop inside it, a teaser, a
    # line of a title list) scores this share of its length for the main block
    open_prose_share: float = 0.5
    # a main block that starts in the last part of the page (this share of its scored lines) gives way to
    # the best run before it when that scores at least this share of it (a short article above a
    # cookie-consent panel, a licence footer or a title list)
    tail_block_start: float = 0.85
    earlier_block_share: float = 0.3
    # a further block of the same article beside the main one (split by an inline ad, a gallery, a box):
    # at least this many paragraphs, this share of the main block's score, and lines between that cost at
    # most this many times its score
    extra_block_min_paragraphs: int = 3
    extra_block_min_share: float = 0.1
    extra_block_max_gap: float = 1.5
    # text with this share of prose lines is an article already: its sentences stay wherever they are
    article_text_prose_share: float = 0.5
    short_run_min_lines: int = 3  # inside the main block, this many short lines in a row are a link list
    short_run_max_words: int = 12  # ...each of at most this many words
    related_list_max_lines: int = (
        40  # a "Related"/"More from" lead takes at most this many headlines after it
    )

    def linestats(self) -> LineStatsConfig:
        return LineStatsConfig(min_docs=self.repeated_min_docs, min_share=self.repeated_min_share)
