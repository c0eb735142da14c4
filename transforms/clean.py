"""The cleaning stage: raw article text -> the article only, with every removed line kept and named.

Per document (``clean_text``), in this order, first decision wins for a line:

1. ``repeated_line`` — the line is site boilerplate of its outlet (``transforms.linestats``);
2. line rules — the outlet's extra rules, then ``transforms.rules.RULES`` (ids are the rule ids); a list
   item ("- Share on Twitter") is matched without its bullet. A ``paywall`` rule opens a block: the short
   promo lines after it (plan names, prices, durations, feature lists) go as ``paywall_block`` until a
   prose line or ``paywall_block_max_lines``;
3. lists of other stories (``related_list``) — the headline lines after a "Related" / "More from" lead,
   and runs of headlines with time/date lines between them;
4. structure — the headline at the top (two words or more) goes to ``title`` (``title_line``); a standalone
   date line goes to ``published`` (``date_line``);
5. block scorer (full-page text only, see ``CleanConfig.structure``) — the article is the run of lines with
   the most prose in it (maximum-sum segment: prose lines score their length, other lines a penalty, and
   the lines the rules removed count as such other lines: they are evidence against the block around
   them); lines outside it go as ``outside_main_block``; inside it, runs of short non-prose lines (menus,
   link lists) go as ``short_line_run``.

``clean_records`` runs that over a frame of records and keeps every row (with its verdict);
``clean_frame`` splits that into (articles, rejected): an article left with too little text is rejected
as ``too_short``, never silently written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from transforms.dates import looks_like_date, parse_date
from transforms.linestats import LineStatsConfig, doc_lines, line_hash, line_hashes_expr, normalise_line
from transforms.rules import RULES, LineRule, RuleSet
from transforms.schema import REJECTED_SCHEMA

__all__ = [
    "REMOVED_DTYPE",
    "CleanConfig",
    "CleanResult",
    "ExplainedLine",
    "RuleSet",
    "clean_frame",
    "clean_records",
    "clean_text",
    "explain",
    "explained_lines",
    "format_explain",
]

REMOVED_DTYPE = pl.List(pl.Struct({"line": pl.Int32(), "rule": pl.String(), "text": pl.String()}))


@dataclass(frozen=True)
class CleanConfig:
    """Knobs of the cleaning stage (the flow exposes them as parameters)."""

    min_clean_chars: int = 200  # fewer characters left -> rejected (too_short)
    min_clean_words: int = 30  # fewer words left -> rejected (too_short)
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
    short_run_min_lines: int = 3  # inside the main block, this many short lines in a row are a link list
    short_run_max_words: int = 12  # ...each of at most this many words
    related_list_max_lines: int = (
        40  # a "Related"/"More from" lead takes at most this many headlines after it
    )

    def linestats(self) -> LineStatsConfig:
        return LineStatsConfig(min_docs=self.repeated_min_docs, min_share=self.repeated_min_share)


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


_DEFAULT_RULESET = RuleSet(RULES)
_RULESETS: dict[tuple[LineRule, ...], RuleSet] = {}


def _ruleset(extra: tuple[LineRule, ...]) -> RuleSet:
    if not extra:
        return _DEFAULT_RULESET
    rs = _RULESETS.get(extra)
    if rs is None:
        rs = _RULESETS[extra] = RuleSet(extra + RULES)
    return rs


# ---------------------------------------------------------------- line shape

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # no spaces between words: 2 chars ~ 1 word
_LETTER = re.compile(r"[^\W\d_]")
_PROSE_END = frozenset('.!?…"”’»。！？')
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」]?$|[.!?。！？][\"'”’»)]? ?[\"'“‘«(]?[A-ZÀ-ÖØ-Þ0-9]")


def _n_words(s: str, cap: int = -1) -> int:
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


def _token_list(s: str) -> bool:
    """A menu, dropdown or tag cloud flattened into one line: more than a quarter of its first tokens
    hold no letter ("/", "|", "-", "•", years, counts)."""
    tokens = s[:1500].split()
    bare = sum(1 for t in tokens if not _LETTER.search(t))
    return bare * 4 > len(tokens)


def _is_prose(s: str, min_words: int) -> bool:
    """A sentence-shaped line: enough words and sentence punctuation (language-agnostic). A long line
    counts without the punctuation unless it is a token list (a dropdown of 2,000 characters is not
    the article)."""
    if len(s) < 25:
        return False
    n = _n_words(s, 3 * min_words)
    # a paragraph ends with punctuation: only the other long lines pay for the token check
    if n >= 3 * min_words and (s[-1] in _PROSE_END or not _token_list(s)):
        return True
    return n >= min_words and _SENTENCE_END.search(s[-200:] if len(s) > 400 else s) is not None


def _is_promo(s: str, config: CleanConfig) -> bool:
    """A line of a paywall block: short and not a sentence of prose."""
    return len(s) <= config.paywall_block_max_chars and not (
        _n_words(s) >= 2 * config.prose_min_words and s[-1] in '.!?"”’»'
    )


_BULLETS = frozenset("-*•·–—▪►>")


def _headline_like(s: str, config: CleanConfig) -> bool:
    n = _n_words(s)
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


def _time_line(s: str) -> bool:
    return len(s) <= 50 and _TIME_LINE.fullmatch(s) is not None


def _list_item(s: str, config: CleanConfig) -> bool:
    """A line of a list of other stories: a headline (no final full stop, not prose) or a time line."""
    if len(s) > config.headline_max_chars:
        return False
    if _time_line(s):
        return True
    return _n_words(s, 20) <= 20 and _headline_like(s, config) and not _is_prose(s, config.prose_min_words)


def _related_lists(lines: list[str], why: list[str | None], config: CleanConfig) -> None:
    """Lists of other stories' headlines go as ``related_list``: the headline lines after a "Related" /
    "More from" / "Trending" lead (``read_more`` with nothing after it), and, without a lead, a run of
    headline lines in which time/date lines alternate with the headlines (two of each at least)."""
    n = len(lines)
    leads = [i for i in range(n) if why[i] == "read_more" and len(lines[i]) <= 40]
    if not leads and sum(1 for s in lines if s and len(s) <= 50 and _time_line(s)) < 2:
        return  # the common case: neither a lead nor two time lines, nothing to look at
    alive = [i for i in range(n) if lines[i] and why[i] is None]
    pos = {i: k for k, i in enumerate(alive)}
    # after a lead
    for i in leads:
        if lines[i].rstrip(" :»›>→|").count(":"):
            continue  # "Related: <a headline>" is a lead with its one headline
        k = next((pos[j] for j in range(i + 1, n) if j in pos), None)
        taken = 0
        while k is not None and k < len(alive) and taken < config.related_list_max_lines:
            j = alive[k]
            if why[j] is not None or not _list_item(lines[j], config):
                break
            why[j] = "related_list"
            taken += 1
            k += 1
    # without a lead: headlines with time lines between them
    k = 0
    while k < len(alive):
        j = k
        times = heads = 0
        while j < len(alive) and why[alive[j]] is None and _list_item(lines[alive[j]], config):
            if _time_line(lines[alive[j]]):
                times += 1
            else:
                heads += 1
            j += 1
        if times >= 2 and heads >= 2 and 2 * times >= heads:
            for m in range(k, j):
                why[alive[m]] = "related_list"
        k = max(j, k + 1)


# ---------------------------------------------------------------- the per-document cleaner


def _decide(
    lines: list[str],
    *,
    title: str | None,
    config: CleanConfig,
    rules: RuleSet,
    repeated_at: frozenset[int],
    structure: bool,
) -> tuple[list[str | None], str | None, str | None]:
    """Rule id per line (None = kept; blank lines are None too), the title and the date line."""
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
        rule = match(s)
        if rule is None and s[0] in _BULLETS and s[1:2] == " ":
            rule = match(s[2:].lstrip())  # a list item ("- Share on Twitter"): the rules read its text
        if rule is not None:
            why[i] = rule.id
            if rule.kind == "paywall":
                block_left = config.paywall_block_max_lines
            continue
        if block_left > 0 and _is_promo(s, config):
            why[i] = "paywall_block"
            block_left -= 1
        else:
            block_left = 0

    _related_lists(lines, why, config)

    # headline and date line, near the top of what is left
    published_line: str | None = None
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
            and parse_date(s) is not None
        ):
            published_line = s
            why[i] = "date_line"
            continue
        if seen > config.headline_search_lines:
            continue
        if _is_prose(s, config.prose_min_words):
            prose_seen = True  # a headline comes before the first paragraph, never after it
        if norm_title is not None:
            if normalise_line(s) == norm_title:
                why[i] = "title_line"
        elif (
            not prose_seen
            and _headline_like(s, config)
            and any(t and w is None for t, w in zip(lines[i + 1 :], why[i + 1 :], strict=True))
        ):
            title, norm_title = s, normalise_line(s)
            why[i] = "title_line"

    if structure:
        _block_scorer(lines, why, config)
    return why, title, published_line


_SENT_END_CHARS = frozenset('.!?"”’»')
_NEUTRAL = frozenset({"title_line", "date_line"})  # moved to their columns: no evidence either way


def _main_block(
    lines: list[str], why: list[str | None], config: CleanConfig
) -> tuple[list[int], list[bool], tuple[int, int] | None, set[int]]:
    """The lines still undecided (``idx``), which of them are prose, the main block as (first, last)
    position in ``idx`` (maximum-sum run: prose lines +len, other lines -penalty; None without prose) and
    the positions inside it that form runs of short non-prose lines (link lists)."""
    idx = [i for i, s in enumerate(lines) if s and why[i] is None]
    prose = [_is_prose(lines[i], config.prose_min_words) for i in idx]
    if not any(prose):
        return idx, prose, None, set()
    # the run is scored over every non-blank line: a line a rule removed is evidence against the block
    # around it (it costs like any other non-prose line), though it is decided already
    base, cap = config.short_line_base, config.short_line_penalty
    short_share = config.short_sentence_share
    best, best_lo, best_hi = float("-inf"), 0, 0
    run, lo = 0.0, 0
    k = 0
    m = len(idx)
    for i, s in enumerate(lines):
        if not s:
            continue
        undecided = k < m and idx[k] == i
        if undecided:
            score = (
                len(s)
                if prose[k]
                else -min(len(s) + base, cap) * (short_share if s[-1] in _SENT_END_CHARS else 1)
            )
        elif why[i] in _NEUTRAL:
            continue
        else:
            score = -min(len(s) + base, cap)
        if run <= 0:
            run, lo = score, k
        else:
            run += score
        if run > best and undecided:
            best, best_lo, best_hi = run, lo, k
        if undecided:
            k += 1
    short: set[int] = set()
    k = best_lo
    while k <= best_hi:
        if prose[k] or _n_words(lines[idx[k]], config.short_run_max_words) > config.short_run_max_words:
            k += 1
            continue
        j = k
        while (
            j <= best_hi
            and not prose[j]
            and _n_words(lines[idx[j]], config.short_run_max_words) <= config.short_run_max_words
        ):
            j += 1
        if j - k >= config.short_run_min_lines and _run_is_links(lines, idx[k:j]):
            short.update(range(k, j))
        k = j
    return idx, prose, (best_lo, best_hi), short


def _link_like(s: str) -> bool:
    """A line of a menu or link list, not of an article's own list: no sentence end, and either very
    short or capitalised like a headline."""
    if s[-1] in '.!?;:,"”’»)':
        return False
    words = s.split()
    if len(words) <= 4:
        return True
    caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return caps * 5 >= len(words) * 3


def _run_is_links(lines: list[str], members: list[int]) -> bool:
    """A run of short lines is a link list when most of its lines read as links (an article's own list
    of short items stays)."""
    return 2 * sum(_link_like(lines[i]) for i in members) > len(members)


def _block_scorer(lines: list[str], why: list[str | None], config: CleanConfig) -> None:
    """Lines outside the main block go as ``outside_main_block``, link-list runs inside it as
    ``short_line_run``."""
    idx, _, block, short = _main_block(lines, why, config)
    if block is None:
        return
    lo, hi = block
    for k, i in enumerate(idx):
        if k < lo or k > hi:
            why[i] = "outside_main_block"
        elif k in short:
            why[i] = "short_line_run"


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
) -> CleanResult:
    """Clean one article's text.

    ``repeated``: hashes (``linestats.line_hash(normalise_line(line))``) of the outlet's boilerplate lines;
    ``repeated_at``: or directly the 1-based numbers of the lines that are repeated (what clean_frame uses);
    ``fmt``: the record's format (``html`` text comes from trafilatura: no block scorer in ``auto`` mode).
    """
    raw = _raw_lines(text)
    lines = [s.strip() for s in raw]
    if repeated:
        repeated_at = repeated_at | frozenset(
            i + 1 for i, s in enumerate(lines) if s and line_hash(normalise_line(s)) in repeated
        )
    why, new_title, published_line = _decide(
        lines,
        title=title,
        config=config,
        rules=_ruleset(extra_rules),
        repeated_at=repeated_at,
        structure=_use_structure(config, fmt),
    )
    kept = [i + 1 for i, (s, w) in enumerate(zip(lines, why, strict=True)) if s and w is None]
    removed = [(i + 1, raw[i], w) for i, w in enumerate(why) if w is not None]
    return CleanResult(
        text="\n".join(lines[i - 1] for i in kept),
        title=new_title,
        published_line=published_line,
        removed=removed,
        kept=kept,
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


def _repeated_line_numbers(
    records: pl.DataFrame, repeated: pl.DataFrame | None, max_chars: int = LineStatsConfig().max_line_chars
) -> pl.DataFrame:
    """doc_id -> list of 1-based line numbers whose normalised hash is a repeated line of the doc's outlet."""
    empty = pl.DataFrame(schema={"doc_id": pl.String(), "_rep": pl.List(pl.Int32())})
    if repeated is None or repeated.is_empty() or records.is_empty():
        return empty
    rep = repeated.select(pl.col("source").fill_null(""), pl.col("line_hash").cast(pl.UInt64)).unique()
    # only the documents of outlets that have repeated lines, and only lines short enough to be evidence
    # (line_evidence never counts a longer one), are normalised and hashed
    docs = records.lazy().select("doc_id", pl.col("source").fill_null(""), "raw_text")
    docs = docs.filter(pl.col("source").is_in(rep["source"].unique().implode()))
    return (
        doc_lines(docs, max_chars=max_chars)
        .with_columns(line_hashes_expr("norm").alias("line_hash"))
        .join(rep.lazy(), on=["source", "line_hash"], how="semi")
        .group_by("doc_id")
        .agg(pl.col("line").sort().alias("_rep"))
        .collect()
    )


def clean_records(
    records: pl.DataFrame,
    config: CleanConfig = CleanConfig(),
    outlet_rules: Mapping[str, tuple[LineRule, ...]] | None = None,
    repeated: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every record cleaned, none split off: the record columns plus ``text``, ``removed``, ``clean_chars``,
    ``title``/``published`` filled from the headline/date line where null, and ``reject_detail`` (null for
    an article, the ``too_short`` detail for a reject). ``clean_frame`` is this plus the split; ``explain``
    renders one row of it."""
    rules_by_source = dict(outlet_rules or {})

    def batch(s: pl.Series) -> pl.Series:
        """The black box over a whole struct column: columns to Python lists once, one Python list per
        output column (no dict per row), the removed lines as flat lists with offsets."""
        cols = s.struct.unnest()
        texts, titles, dates, counts = [], [], [], []
        r_line, r_rule, r_text = [], [], []
        rows = zip(
            *(cols[c].to_list() for c in ("raw_text", "title", "source", "format", "_rep")), strict=True
        )
        for raw_text, title, source, fmt, rep in rows:
            res = clean_text(
                raw_text or "",
                title=title,
                config=config,
                extra_rules=rules_by_source.get(source or "", ()),
                fmt=fmt,
                repeated_at=frozenset(rep) if rep else frozenset(),
            )
            texts.append(res.text)
            titles.append(res.title)
            dates.append(parse_date(res.published_line) if res.published_line else None)
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

    reps = _repeated_line_numbers(records, repeated, config.linestats().max_line_chars)
    too_short = (pl.col("clean_chars") < config.min_clean_chars) | (pl.col("_words") < config.min_clean_words)
    return (
        records.lazy()
        .join(reps.lazy(), on="doc_id", how="left", maintain_order="left")
        .with_columns(
            pl.struct("raw_text", "title", "source", "format", "_rep")
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
            pl.col("text").str.count_matches(r"\S+").cast(pl.Int64).alias("_words"),
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
        .drop("_res", "_rep", "_words")
        .collect()
    )


def clean_frame(
    records: pl.DataFrame,
    config: CleanConfig = CleanConfig(),
    outlet_rules: Mapping[str, tuple[LineRule, ...]] | None = None,
    repeated: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Clean every record; return (articles, rejected).

    ``articles``: the record columns plus ``text``, ``removed`` (line, rule, text) and ``clean_chars``;
    ``title``/``published`` filled from the headline/date line where null.
    ``rejected``: REJECTED_SCHEMA rows, reason ``too_short``.
    ``repeated``: ``linestats.repeated_lines(...)`` output ``[source, line_hash]``.
    """
    out = clean_records(records, config, outlet_rules, repeated)
    is_reject = pl.col("reject_detail").is_not_null()
    rejected = out.filter(is_reject).select(
        "source_path",
        "source_line",
        "doc_id",
        "source",
        pl.lit("too_short").alias("reason"),
        pl.col("reject_detail").alias("detail"),
    )
    articles = out.filter(~is_reject).drop("reject_detail")
    return articles, rejected.cast(REJECTED_SCHEMA)  # type: ignore[arg-type]
