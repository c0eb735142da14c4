"""The cleaning stage: raw article text -> the article only, with every removed line kept and named.

Per document (``clean_text``), in this order, first decision wins for a line:

1. ``repeated_line`` — the line is site boilerplate of its outlet (``transforms.linestats``);
2. line rules — the outlet's extra rules, then ``transforms.rules.RULES`` (ids are the rule ids), a list
   item ("- Share on Twitter") without its bullet; after a ``paywall`` rule's line, the short promo lines
   (plans, prices, durations, features) go as ``paywall_block`` up to prose or ``paywall_block_max_lines``;
3. lists of other stories (``related_list``, ``transforms.related``) — the headline lines after a
   "Related" / "More from" lead, and runs of headlines with time/date lines between them;
4. structure — the headline at the top (two words or more) goes to ``title`` (``title_line``); a standalone
   date line goes to ``published`` (``date_line``);
5. block scorer (full-page text only, see ``CleanConfig.structure``) — the article is the run of lines with
   the most prose (maximum-sum segment: prose scores its length, other lines and removed ones a penalty),
   and the sentences next to it (in text that is mostly prose, also past captions); the rest goes as
   ``outside_main_block``; inside, runs of short lines that read as links as ``short_line_run``, a short
   line repeated in the page as ``repeated_in_page``.

``clean_records`` runs that over a frame of records (every row kept, with its verdict); ``clean_frame``
splits it into (articles, rejected): an article left with too little text is rejected ``too_short``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from transforms.blocks import block_scorer
from transforms.clean_config import CleanConfig
from transforms.dates import looks_like_date, parse_date
from transforms.linescreen import screen_hits
from transforms.lineshape import BULLETS, headline_like, is_promo, is_prose
from transforms.linestats import (
    line_hash,
    may_normalise_to,
    normalise_line,
    repeated_line_numbers,
    word_count_expr,
)
from transforms.related import related_lists
from transforms.rules import RULES, LineRule, RuleSet
from transforms.schema import REJECTED_SCHEMA
from transforms.widgets import account_dialogs

__all__ = [
    "REMOVED_DTYPE",
    "CleanConfig",
    "CleanResult",
    "ExplainedLine",
    "RuleSet",
    "clean_frame",
    "clean_records",
    "clean_split",
    "clean_text",
    "explain",
    "explained_lines",
    "format_explain",
    "too_short_rows",
]

REMOVED_DTYPE = pl.List(pl.Struct({"line": pl.Int32(), "rule": pl.String(), "text": pl.String()}))


@dataclass(frozen=True)
class ExplainedLine:
    line_no: int  # 1-based line number in the input text
    text: str
    kept: bool
    rule_id: str | None  # why it was removed (None when kept or blank)


@dataclass
class CleanResult:
    text: str
    title: str | None
    published_line: str | None  # the raw date line that went to ``published`` (parse with parse_date)
    removed: list[tuple[int, str, str]] = field(default_factory=list)  # (line_no, text, rule_id)
    kept: list[int] = field(default_factory=list)  # line numbers of the kept non-blank lines
    published: datetime | None = None  # parse_date(published_line), parsed once


_DEFAULT_RULESET = RuleSet(RULES)
_RULESETS: dict[tuple[LineRule, ...], RuleSet] = {}


def _ruleset(extra: tuple[LineRule, ...]) -> RuleSet:
    if not extra:
        return _DEFAULT_RULESET
    rs = _RULESETS.get(extra)
    if rs is None:
        rs = _RULESETS[extra] = RuleSet(extra + RULES)
    return rs


def _decide(
    lines: list[str],
    *,
    title: str | None,
    config: CleanConfig,
    rules: RuleSet,
    repeated_at: frozenset[int],
    structure: bool,
    hits: frozenset[int] | None,
) -> tuple[list[str | None], str | None, str | None, datetime | None]:
    """Rule id per line (None = kept; blank lines are None too), the title, the date line and its date."""
    n = len(lines)
    why: list[str | None] = [None] * n
    block_left = 0  # lines a paywall block may still swallow
    match = rules.match
    for i, s in enumerate(lines):
        if not s:
            continue
        if repeated_at and i + 1 in repeated_at:
            why[i] = "repeated_line"
            continue
        screened = hits is not None and i + 1 not in hits
        rule = match(s, screened)
        if rule is None and s[0] in BULLETS and s[1:2] == " ":  # a list item ("- Share on Twitter"):
            rule = match(s[2:].lstrip(), screened)  # the rules read its text
        if rule is not None:
            why[i] = rule.id
            if rule.kind == "paywall":
                block_left = config.paywall_block_max_lines
            continue
        if block_left > 0 and is_promo(s, config):
            why[i] = "paywall_block"
            block_left -= 1
        else:
            block_left = 0

    related_lists(lines, why, config)
    account_dialogs(lines, why)

    # headline and date line, near the top of what is left
    published_line: str | None = None
    published: datetime | None = None
    seen = 0
    prose_seen = False
    norm_title = normalise_line(title) if title else None
    for i, s in enumerate(lines):
        if not s or why[i] is not None:
            continue
        seen += 1
        if seen > config.headline_search_lines + 2:
            break
        if (
            published_line is None
            and len(s) <= config.date_line_max_chars
            and looks_like_date(s)
            and (published := parse_date(s)) is not None
        ):
            published_line = s
            why[i] = "date_line"
            continue
        if seen > config.headline_search_lines:
            continue
        if is_prose(s, config.prose_min_words):
            prose_seen = True  # a headline comes before the first paragraph, never after it
        if norm_title is not None:
            if may_normalise_to(s, norm_title) and normalise_line(s) == norm_title:
                why[i] = "title_line"
        elif (
            not prose_seen
            and headline_like(s, config)
            and any(t and w is None for t, w in zip(lines[i + 1 :], why[i + 1 :], strict=True))
        ):
            title, norm_title = s, normalise_line(s)
            why[i] = "title_line"

    if structure:
        block_scorer(lines, why, config)
    return why, title, published_line, published


def _use_structure(config: CleanConfig, fmt: str | None) -> bool:
    if config.structure == "always":
        return True
    if config.structure == "never":
        return False
    return fmt not in ("html", "warc")  # WARC pages are trafilatura's output too


def _raw_lines(text: str | None) -> list[str]:
    """The input's lines, numbered as ``removed`` and ``explain`` number them (any newline convention)."""
    text = text or ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def clean_text(
    text: str,
    *,
    title: str | None = None,
    config: CleanConfig = CleanConfig(),
    extra_rules: tuple[LineRule, ...] = (),
    repeated: frozenset[int] = frozenset(),
    fmt: str | None = None,
    repeated_at: frozenset[int] = frozenset(),
    screen_hits: frozenset[int] | None = None,
) -> CleanResult:
    """Clean one article's text.

    ``repeated``: hashes (``linestats.line_hash(normalise_line(line))``) of the outlet's boilerplate lines;
    ``repeated_at``: or directly the 1-based numbers of the lines that are repeated (what clean_frame uses);
    ``fmt``: the record's format (``html`` text comes from trafilatura: no block scorer in ``auto`` mode);
    ``screen_hits``: the numbers of the lines that hold a screen word of the rules (``linescreen``), so
    the other lines skip the screened rules (what clean_frame passes); None: not looked for.
    """
    raw = _raw_lines(text)
    lines = [s.strip() for s in raw]
    if repeated:
        repeated_at = repeated_at | frozenset(
            i + 1 for i, s in enumerate(lines) if s and line_hash(normalise_line(s)) in repeated
        )
    why, new_title, published_line, published = _decide(
        lines,
        title=title,
        config=config,
        rules=_ruleset(extra_rules),
        repeated_at=repeated_at,
        structure=_use_structure(config, fmt),
        hits=screen_hits,
    )
    kept = [i + 1 for i, (s, w) in enumerate(zip(lines, why, strict=True)) if s and w is None]
    removed = [(i + 1, raw[i], w) for i, w in enumerate(why) if w is not None]
    return CleanResult(
        text="\n".join(lines[i - 1] for i in kept),
        title=new_title,
        published_line=published_line,
        removed=removed,
        kept=kept,
        published=published,
    )


def explain(
    text: str,
    *,
    title: str | None = None,
    config: CleanConfig = CleanConfig(),
    extra_rules: tuple[LineRule, ...] = (),
    repeated: frozenset[int] = frozenset(),
    fmt: str | None = None,
) -> list[ExplainedLine]:
    """Every input line, marked kept or removed and by which rule (for ``wirewash explain``)."""
    res = clean_text(text, title=title, config=config, extra_rules=extra_rules, repeated=repeated, fmt=fmt)
    return explained_lines(text, {n: r for n, _, r in res.removed})


def explained_lines(raw_text: str | None, removed: Mapping[int, str]) -> list[ExplainedLine]:
    """Every line of ``raw_text`` marked from a cleaning result's ``removed`` (line number -> rule id): a
    non-blank line not in it was kept. ``wirewash explain`` renders ``clean_records``' own row with it."""
    return [
        ExplainedLine(i + 1, s, bool(s.strip()) and (i + 1) not in removed, removed.get(i + 1))
        for i, s in enumerate(_raw_lines(raw_text))
    ]


def format_explain(lines: list[ExplainedLine], width: int = 110) -> str:
    """``+`` kept, ``-`` removed (with the rule id), blank lines as ``·``; one output line per input line."""
    out = []
    rule_w = max((len(e.rule_id) for e in lines if e.rule_id), default=0)
    for e in lines:
        mark = "+" if e.kept else ("-" if e.rule_id else "·")
        text = e.text if len(e.text) <= width else e.text[: width - 1] + "…"
        out.append(f"{e.line_no:>5} {mark} {(e.rule_id or ''):<{rule_w}}  {text}")
    return "\n".join(out)


# ---------------------------------------------------------------- the frame entry point

_RESULT_DTYPE = pl.Struct(
    {
        "text": pl.String(),
        "title": pl.String(),
        "published": pl.Datetime("us", "UTC"),
        "removed": REMOVED_DTYPE,
    }
)


def _lists_from_offsets(values: pl.Series, offsets: list[int]) -> pl.Series:
    """A list column from its flat values and offsets (len(offsets) = rows + 1), built in arrow."""
    import pyarrow as pa

    arr = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), values.to_arrow())
    return pl.Series("removed", arr).cast(REMOVED_DTYPE)


def _clean_batch(
    config: CleanConfig, rules_by_source: dict[str, tuple[LineRule, ...]]
) -> Callable[[pl.Series], pl.Series]:
    """The cleaner as a black box over a struct column (raw_text, title, source, format, _rep, _hits)."""

    def batch(s: pl.Series) -> pl.Series:
        """The black box over a whole struct column: columns to Python lists once, one Python list per
        output column (no dict per row), the removed lines as flat lists with offsets."""
        cols = s.struct.unnest()
        texts, titles, dates, counts = [], [], [], []
        r_line, r_rule, r_text = [], [], []
        names = ("raw_text", "title", "source", "format", "_rep", "_hits")
        for raw_text, title, source, fmt, rep, hits in zip(*(cols[c].to_list() for c in names), strict=True):
            res = clean_text(
                raw_text or "",
                title=title,
                config=config,
                extra_rules=rules_by_source.get(source or "", ()),
                fmt=fmt,
                repeated_at=frozenset(rep) if rep else frozenset(),
                screen_hits=frozenset(hits),
            )
            texts.append(res.text)
            titles.append(res.title)
            dates.append(res.published)
            counts.append(len(res.removed))
            for n, t, r in res.removed:
                r_line.append(n)
                r_rule.append(r)
                r_text.append(t)
        removed = pl.DataFrame(
            {"line": r_line, "rule": r_rule, "text": r_text},
            schema={"line": pl.Int32(), "rule": pl.String(), "text": pl.String()},
        ).to_struct("removed")
        offsets = [0]
        for c in counts:
            offsets.append(offsets[-1] + c)
        removed_lists = _lists_from_offsets(removed, offsets)
        return pl.DataFrame(
            {
                "text": pl.Series(texts, dtype=pl.String()),
                "title": pl.Series(titles, dtype=pl.String()),
                "published": pl.Series(dates, dtype=pl.Datetime("us", "UTC")),
                "removed": removed_lists,
            }
        ).to_struct("_res")

    return batch


def clean_records(
    records: pl.DataFrame,
    config: CleanConfig = CleanConfig(),
    outlet_rules: Mapping[str, tuple[LineRule, ...]] | None = None,
    repeated: pl.DataFrame | None = None,
    lines: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every record cleaned, none split off: the record columns plus ``text``, ``removed``, ``clean_chars``,
    ``title``/``published`` filled from the headline/date line where null, and ``reject_detail`` (null for
    an article, the ``too_short`` detail for a reject). ``clean_frame`` is this plus the split; ``explain``
    renders one row of it."""
    by_source = dict(outlet_rules or {})
    batch = _clean_batch(config, by_source)
    reps = repeated_line_numbers(records, repeated, config.linestats().max_line_chars, lines)
    # every rule set's screen words: more words than a record's own rules have only screen fewer lines
    tokens = {t for extra in {(), *by_source.values()} for t in _ruleset(tuple(extra)).screen_tokens}
    too_short = (pl.col("clean_chars") < config.min_clean_chars) | (pl.col("_words") < config.min_clean_words)
    return (
        records.lazy()
        .join(reps.lazy(), on="doc_id", how="left", maintain_order="left")
        .with_columns(screen_hits(pl.col("raw_text"), tuple(sorted(tokens))).alias("_hits"))
        .with_columns(
            pl.struct("raw_text", "title", "source", "format", "_rep", "_hits")
            .map_batches(batch, return_dtype=_RESULT_DTYPE)
            .alias("_res")
        )
        .with_columns(
            pl.col("_res").struct.field("text").alias("text"),
            pl.coalesce("title", pl.col("_res").struct.field("title")).alias("title"),
            pl.coalesce("published", pl.col("_res").struct.field("published")).alias("published"),
            pl.col("_res").struct.field("removed").alias("removed"),
        )
        .with_columns(
            pl.col("text").str.len_chars().cast(pl.Int64).alias("clean_chars"),
            word_count_expr(pl.col("text")).cast(pl.Int64).alias("_words"),
        )
        .with_columns(
            pl.when(too_short)
            .then(
                pl.format(
                    "{} chars / {} words left after cleaning (min {} / {}); {} of {} lines removed",
                    "clean_chars",
                    "_words",
                    pl.lit(config.min_clean_chars),
                    pl.lit(config.min_clean_words),
                    pl.col("removed").list.len(),
                    pl.col("raw_text").fill_null("").str.count_matches("\n") + 1,
                )
            )
            .alias("reject_detail")
        )
        .drop("_res", "_rep", "_hits", "_words")
        .collect()
    )


def too_short_rows(cleaned: pl.DataFrame) -> pl.DataFrame:
    """REJECTED_SCHEMA rows (reason ``too_short``, ``reject_detail`` as the detail) of cleaned rows."""
    return cleaned.select(
        "source_path",
        "source_line",
        "doc_id",
        "source",
        pl.lit("too_short").alias("reason"),
        pl.col("reject_detail").alias("detail"),
    ).cast(REJECTED_SCHEMA)  # type: ignore[arg-type]


def clean_frame(
    records: pl.DataFrame,
    config: CleanConfig = CleanConfig(),
    outlet_rules: Mapping[str, tuple[LineRule, ...]] | None = None,
    repeated: pl.DataFrame | None = None,
    lines: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Clean every record; return (articles, rejected).

    ``articles``: the record columns plus ``text``, ``removed`` (line, rule, text) and ``clean_chars``;
    ``title``/``published`` filled from the headline/date line where null.
    ``rejected``: REJECTED_SCHEMA rows, reason ``too_short``.
    ``repeated``: ``linestats.repeated_lines(...)`` output ``[source, line_hash]``; ``lines``: the records'
    ``linestats.hashed_lines`` (computed here when not given).
    """
    out = clean_records(records, config, outlet_rules, repeated, lines)
    is_reject = pl.col("reject_detail").is_not_null()
    return out.filter(~is_reject).drop("reject_detail"), too_short_rows(out.filter(is_reject))


def clean_split(
    records: pl.DataFrame,
    config: CleanConfig = CleanConfig(),
    outlet_rules: Mapping[str, tuple[LineRule, ...]] | None = None,
    repeated: pl.DataFrame | None = None,
    lines: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``clean_frame`` with its too-short rows of at least ``min_copy_words`` words split off: (articles,
    short, rejected). ``short`` are article rows plus their ``reject_detail``: the run keeps one if dedup
    finds it is a copy of a kept story, else rejects it with that detail (``too_short_rows``).
    ``lines``: as for ``clean_frame``."""
    out = clean_records(records, config, outlet_rules, repeated, lines)
    is_reject = pl.col("reject_detail").is_not_null()
    is_short = is_reject & (word_count_expr(pl.col("text").fill_null("")) >= config.min_copy_words)
    return (
        out.filter(~is_reject).drop("reject_detail"),
        out.filter(is_short),
        too_short_rows(out.filter(is_reject & ~is_short)),
    )
