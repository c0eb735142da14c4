"""Where the article is in a page of text: the main block of prose (``block_scorer``), the sentences that
join it, and the short-line runs inside it that read as links. Line shapes are ``lineshape``'s, lists of
other stories' headlines ``related``'s. Each pass marks lines in ``why`` (the rule id of a removed line),
the cleaner's one list of verdicts."""

from __future__ import annotations

import re

from transforms.clean_config import CleanConfig
from transforms.lineshape import BULLETS, headline_like, is_prose, n_words, time_line
from transforms.widgets import comments_head, widget_text

__all__ = ["block_scorer", "main_block"]


# ---------------------------------------------------------------- the per-document cleaner


_SENT_END_CHARS = frozenset('.!?"”’»')
_PARA_END = frozenset('.!?…"”’»)。！？」')
_NEUTRAL = frozenset({"title_line", "date_line"})  # moved to their columns: no evidence either way


def _scores(
    lines: list[str], why: list[str | None], idx: list[int], prose: list[bool], config: CleanConfig
) -> tuple[list[float], list[int]]:
    """The score of every non-blank line for the block and its position in ``idx`` (-1 for a line a rule
    decided). A prose line scores its length, a share of it (``open_prose_share``) when it does not end
    like a paragraph (a headline with a full stop inside, a teaser, a title list); any other line costs
    its length plus ``short_line_base`` up to ``short_line_penalty`` (half that when it ends like a
    sentence). A line a rule removed costs the same: it is evidence against the block around it, though
    it is decided already; title and date lines score nothing."""
    base, cap = config.short_line_base, config.short_line_penalty
    open_share = config.open_prose_share
    short_share = config.short_sentence_share
    scores: list[float] = []
    owner: list[int] = []
    k = 0
    m = len(idx)
    for i, s in enumerate(lines):
        if not s:
            continue
        if k < m and idx[k] == i:
            scores.append(
                (len(s) if s[-1] in _PARA_END else len(s) * open_share)
                if prose[k]
                else -min(len(s) + base, cap) * (short_share if s[-1] in _SENT_END_CHARS else 1)
            )
            owner.append(k)
            k += 1
        elif why[i] not in _NEUTRAL:
            scores.append(-min(len(s) + base, cap))
            owner.append(-1)
        else:
            continue
        if comments_head(s) and any(x > 0 for x in scores):
            # the comment section starts: the article is before it (comments are prose too, and a long
            # thread would outweigh it)
            scores.pop()
            owner.pop()
            break
    return scores, owner


def _best_run(scores: list[float], owner: list[int]) -> tuple[float, int, int]:
    """The maximum-sum run of ``scores`` that ends on an undecided line: (sum, first, last), first moved
    on to the run's first undecided line."""
    best, best_lo, best_hi = float("-inf"), 0, 0
    run, lo = 0.0, 0
    for p in range(len(scores)):
        if run <= 0:
            run, lo = scores[p], p
        else:
            run += scores[p]
        if run > best and owner[p] >= 0:
            best, best_lo, best_hi = run, lo, p
    while owner[best_lo] < 0 and best_lo < best_hi:
        best_lo += 1
    return best, best_lo, best_hi


def _prose_and_scores(
    lines: list[str], why: list[str | None], config: CleanConfig
) -> tuple[list[int], list[bool], list[float], list[int]]:
    """The undecided lines (``idx``), which of them are prose, and the block scores (``_scores``)."""
    idx = [i for i, s in enumerate(lines) if s and why[i] is None]
    # a paragraph ends with a full stop: only the other prose lines pay for the widget check
    prose = [
        is_prose(s := lines[i], config.prose_min_words) and (s[-1] in ".。" or not widget_text(s))
        for i in idx
    ]
    if not any(prose):
        return idx, prose, [], []
    _teasers(lines, idx, prose, config)
    return idx, prose, *_scores(lines, why, idx, prose, config)


def main_block(
    lines: list[str], why: list[str | None], config: CleanConfig
) -> tuple[list[int], list[bool], tuple[int, int] | None, set[int]]:
    """The lines still undecided (``idx``), which of them are prose, the main block as (first, last)
    position in ``idx`` (``_main_run``, see ``_scores``; None without prose) and the positions inside
    it that form runs of short non-prose lines (link lists)."""
    idx, prose, scores, owner = _prose_and_scores(lines, why, config)
    if not scores:
        return idx, prose, None, set()
    _, lo_p, hi_p = _main_run(scores, owner, config)
    lo, hi = owner[lo_p], owner[hi_p]
    return idx, prose, (lo, hi), _short_runs(lines, idx, prose, lo, hi, config)


def _main_run(scores: list[float], owner: list[int], config: CleanConfig) -> tuple[float, int, int]:
    """The main block: the maximum-sum run (``_best_run``), unless that run starts in the last part of the
    page (``tail_block_start`` of the scored lines) and the best run before it scores at least
    ``earlier_block_share`` of it: then the earlier one. What outweighs a short article at the end of a
    page is a cookie-consent panel, a licence footer, a title list or a comment thread; losing the
    article costs more than keeping a widget."""
    best, lo, hi = _best_run(scores, owner)
    if lo >= config.tail_block_start * len(scores) and any(o >= 0 for o in owner[:lo]):
        sec, a, b = _best_run(scores[:lo], owner[:lo])
        if sec > 0 and sec >= config.earlier_block_share * best:
            return sec, a, b
    return best, lo, hi


def _more_blocks(
    lines: list[str],
    idx: list[int],
    prose: list[bool],
    scores: list[float],
    owner: list[int],
    config: CleanConfig,
) -> list[tuple[int, int]]:
    """The main block (first, ``_main_run``) and the further blocks of the same article, as score
    positions: on each side, the best run of what is left, while it holds ``extra_block_min_paragraphs``
    paragraphs, scores ``extra_block_min_share`` of the main block and the lines between cost at most
    ``extra_block_max_gap`` times its score (an article split by an inline ad, a gallery, a box)."""
    main, lo_p, hi_p = _main_run(scores, owner, config)
    spans = [(lo_p, hi_p)]
    for side in (-1, 1):
        lo_s, hi_s = lo_p, hi_p
        while True:
            start, end = (0, lo_s) if side < 0 else (hi_s + 1, len(scores))
            if not any(o >= 0 for o in owner[start:end]):
                break
            sec, a, b = _best_run(scores[start:end], owner[start:end])
            a, b = a + start, b + start
            gap = sum(scores[b + 1 : lo_s]) if side < 0 else sum(scores[hi_s + 1 : a])
            paras = sum(
                1
                for p in range(a, b + 1)
                if owner[p] >= 0 and prose[owner[p]] and lines[idx[owner[p]]][-1] in _PARA_END
            )
            if (
                sec < config.extra_block_min_share * main
                or -gap > config.extra_block_max_gap * sec
                or paras < config.extra_block_min_paragraphs
            ):
                break
            spans.append((a, b))
            lo_s, hi_s = min(a, lo_s), max(b, hi_s)
    return spans


def _short_runs(
    lines: list[str], idx: list[int], prose: list[bool], best_lo: int, best_hi: int, config: CleanConfig
) -> set[int]:
    """The positions in ``idx[best_lo : best_hi + 1]`` that form runs of short non-prose lines that read
    as links."""
    short: set[int] = set()
    k = best_lo
    while k <= best_hi:
        if prose[k] or n_words(lines[idx[k]], config.short_run_max_words) > config.short_run_max_words:
            k += 1
            continue
        j = k
        while (
            j <= best_hi
            and not prose[j]
            and n_words(lines[idx[j]], config.short_run_max_words) <= config.short_run_max_words
        ):
            j += 1
        if j - k >= config.short_run_min_lines and _run_is_links(lines, idx[k:j]):
            short.update(range(k, j))
        k = j
    return short


_CODE = re.compile(r"\S ?= ?\S|[$%]\w|[{};]\s*$|^\$ |/\w+/")


def _teaser(head: str, summary: str, config: CleanConfig) -> bool:
    """A list item that is a headline, then a short paragraph that is not one (an article's list with a
    paragraph per item has longer ones)."""
    return (
        head[0] in BULLETS
        and head[1:2] == " "
        and headline_like(head[2:].lstrip() or head, config)
        and summary[0] not in BULLETS
        and len(summary) <= _TEASER_MAX_CHARS
    )


_TEASER_MAX_CHARS = 320


def _teasers(lines: list[str], idx: list[int], prose: list[bool], config: CleanConfig) -> None:
    """Other stories' teasers: list items that are headlines, each followed by one short prose line (its
    summary), three pairs or more with no other prose between them (at most two other lines). Neither
    counts as prose for the main block (both are kept where the article surrounds them)."""
    pairs = [
        k
        for k in range(len(idx) - 1)
        if lines[idx[k]][0] in BULLETS and prose[k + 1] and _teaser(lines[idx[k]], lines[idx[k + 1]], config)
    ]
    run: list[int] = []
    for k in [*pairs, len(idx) + 9]:  # the last one flushes the run
        if run and (k - run[-1] > 5 or any(prose[run[-1] + 2 : k])):
            if len(run) >= 3:
                for h in run:
                    prose[h] = prose[h + 1] = False
            run = []
        run.append(k)


_ITEM_MARK = re.compile(r"(?:[-*•·–—▪►>]|(\d{1,3})[.)])\s+")  # "- ", "• ", "3. ", "3) "


def _link_like(s: str) -> bool:
    """A line of a menu or link list, not of an article's own list: no sentence end, and either very
    short or capitalised like a headline. A list item is read without its bullet, and its shortness
    proves nothing ("- Still no VR support" is a verdict's point, "- Sports" a menu's entry: only the
    capitals tell them apart)."""
    if s[-1] in '.!?;:,"”’»)。！？」' or "   " in s or _CODE.search(s):
        return False  # a sentence, a table row (columns padded with spaces), a line of code or config
    mark = _ITEM_MARK.match(s)
    words = s[mark.end() :].split() if mark else s.split()
    if not mark and len(words) <= 4:
        return True
    caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return caps * 5 >= len(words) * 3


def _numbered(lines: list[str], members: list[int]) -> bool:
    """Most of the run numbered 1, 2, 3... or 10, 9, 8... in order: a ranking, a countdown or a list of
    steps, which menus are not."""
    nums = [int(m.group(1)) for i in members if (m := _ITEM_MARK.match(lines[i])) and m.group(1)]
    diffs = [b - a for a, b in zip(nums, nums[1:], strict=False)]
    steps = max(diffs.count(1), diffs.count(-1))
    return 2 * (steps + 1) > len(members) and steps >= 2


def _run_is_links(lines: list[str], members: list[int]) -> bool:
    """A run of short lines is a link list when most of its lines read as links and it is not numbered
    in order (an article's own list of short items stays)."""
    return 2 * sum(_link_like(lines[i]) for i in members) > len(members) and not _numbered(lines, members)


# a sentence, however short: a capital (or a quote, a digit) first, two words or more, a sentence end last
_SENTENCE_LIKE = re.compile(r"^[\"'“‘«(]?[A-ZÀ-ÖØ-Þ0-9\u3040-\u9fff].*\S [^\s]+[.!?…。！？] ?[\"'”’»)]?$")


def _sentence_like(s: str) -> bool:
    return _SENTENCE_LIKE.match(s) is not None


def _question(s: str) -> bool:
    """A short question at an article's edge asks the reader ("Did you feel the earthquake?"): it does
    not join the block (a question inside the article stays with the lines around it)."""
    return s.rstrip("\"'”’»)").endswith("?")


def _keep_sentences(
    lines: list[str],
    idx: list[int],
    prose: list[bool],
    inside: list[bool],
    owner: list[int],
    config: CleanConfig,
) -> None:
    """Losing the article costs more than keeping a widget: the sentences next to a block (a short last
    paragraph, a one-line quote) join it, walking out from it line by line in the scored order
    (``owner``: nothing after a comment section's head) until a line that is not a sentence or one that a
    rule removed. In text that is mostly prose already (a scraper's or an extractor's article text:
    ``article_text_prose_share`` of its lines prose) the walk goes on past lines that are not sentences
    (captions between the paragraphs), only not keeping them, and past one removed line, not two; then
    the short lines between kept ones stay too (``_keep_short_between``)."""
    scored = [k for k in owner if k >= 0]  # not a comment section's lines: they are prose too
    lenient = sum(prose[k] for k in scored) >= config.article_text_prose_share * len(scored)
    for order in (owner, owner[::-1]):
        near = False  # walking out from a block
        removed = 0  # removed lines in a row
        for k in order:
            if k < 0:
                removed += 1
                near = near and lenient and removed < 2
                continue
            removed = 0
            if inside[k]:
                near = True
            elif near and (prose[k] or _sentence_like(lines[idx[k]]) and not _question(lines[idx[k]])):
                inside[k] = True
            elif not lenient:
                near = False
    if lenient:
        _keep_short_between(lines, idx, inside, scored, config)


_SHORT_BETWEEN_WORDS = 6


def _keep_short_between(
    lines: list[str], idx: list[int], inside: list[bool], scored: list[int], config: CleanConfig
) -> None:
    """In an article's text, the short lines between two kept ones that no rule removed (a subheading, a
    spec list's items, a lyric's lines) stay, unless they run as links; longer ones (captions) go.
    ``scored``: the undecided lines' positions in scored order."""
    kept = [k for k in scored if inside[k]]
    if len(kept) < 2:
        return
    run: list[int] = []
    for k in scored:
        if not (kept[0] < k < kept[-1]):
            continue
        if not inside[k] and n_words(lines[idx[k]], _SHORT_BETWEEN_WORDS) <= _SHORT_BETWEEN_WORDS:
            run.append(k)
            continue
        _keep_run(lines, idx, inside, run, config)
        run = []
    _keep_run(lines, idx, inside, run, config)


def _keep_run(
    lines: list[str], idx: list[int], inside: list[bool], run: list[int], config: CleanConfig
) -> None:
    """``run`` (positions in ``idx``) joins the article unless it is a link list."""
    if run and not (len(run) >= config.short_run_min_lines and _run_is_links(lines, [idx[k] for k in run])):
        for k in run:
            inside[k] = True


def block_scorer(lines: list[str], why: list[str | None], config: CleanConfig) -> None:
    """Lines outside the article's blocks (the main block and the further ones, ``_more_blocks``, grown by
    ``_keep_sentences``) go as ``outside_main_block``, link-list runs inside them as ``short_line_run``."""
    idx, prose, scores, owner = _prose_and_scores(lines, why, config)
    if not scores:
        return
    inside = [False] * len(idx)
    short: set[int] = set()
    for a, b in _more_blocks(lines, idx, prose, scores, owner, config):
        lo, hi = owner[a], owner[b]
        inside[lo : hi + 1] = [True] * (hi + 1 - lo)
        short |= _short_runs(lines, idx, prose, lo, hi, config)
    _keep_sentences(lines, idx, prose, inside, owner, config)
    for k, i in enumerate(idx):
        if not inside[k]:
            why[i] = "outside_main_block"
        elif k in short:
            why[i] = "short_line_run"
    _repeated_in_page(lines, why, idx, prose, inside)


_PAGE_REPEAT_MIN = 3
_PAGE_REPEAT_MAX_CHARS = 80


def _repeated_in_page(
    lines: list[str], why: list[str | None], idx: list[int], prose: list[bool], inside: list[bool]
) -> None:
    """A short non-prose line kept in the block that the page holds three times or more word for word
    goes as ``repeated_in_page``: a widget's label between the paragraphs ('Bild anzeigen Bild
    schließen', 'Empfohlener redaktioneller Inhalt', a byline repeated on every teaser, a photo credit).
    A date or time line stays (a table of releases repeats its dates)."""
    seen: dict[str, int] = {}
    for k, i in enumerate(idx):
        if not prose[k] and len(lines[i]) <= _PAGE_REPEAT_MAX_CHARS and not time_line(lines[i]):
            seen[lines[i]] = seen.get(lines[i], 0) + 1
    if not seen or max(seen.values()) < _PAGE_REPEAT_MIN:
        return
    for k, i in enumerate(idx):
        if inside[k] and why[i] is None and not prose[k] and seen.get(lines[i], 0) >= _PAGE_REPEAT_MIN:
            why[i] = "repeated_in_page"
