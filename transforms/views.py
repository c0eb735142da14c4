"""Combine several extractions of one page into one article text (pure: strings in, string out).

An HTML page goes through trafilatura twice (its default, balanced mode and its recall mode) and through
resiliparse's main-content extraction (``transforms.extract``). Each has its own failure: the balanced mode
sometimes takes in a block of links or teasers that neither of the others calls content, and sometimes
leaves out a paragraph that both of them have. ``combine_views`` keeps the balanced output as the base and
lets the two other views vote on it, line by line:

- a base line of ``min_words`` words or more that neither the recall-mode text nor resiliparse's text
  contains (under ``keep_min`` of its word 3-grams found in either) is dropped (only when both views are
  there: one view alone does not outvote the base);
- a line of the recall-mode text that the base does not have (under ``keep_min`` of its 3-grams in the
  base) is added, at its place, when resiliparse's text confirms it (``add_min`` of its 3-grams);
- short lines (fewer than ``min_words`` words: headings, datelines) follow the base.

Without a second view the base comes back unchanged.

``recall_can_matter`` tells, from the base and resiliparse's text alone, whether the recall-mode text
(the dearest view: a second trafilatura run) is worth computing. It can only drop a base line that
resiliparse does not have either, and only add a line resiliparse confirms: when resiliparse has every
base line and nothing the base lacks but short lines, the vote is the base. On the eval pages that skips
the recall view on 157 of 679 pages with no change to either F1 (bench/results/run.md).
"""

from __future__ import annotations

import re

__all__ = ["combine_views", "recall_can_matter"]

_WORD = re.compile(r"\w+")


def _grams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return list(zip(*(words[i:] for i in range(n)), strict=False))  # shifted copies: the shortest ends it


def _line_grams(text: str | None, n: int) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Each line of ``text`` with its word n-grams (lower-cased)."""
    return [(s, _grams(_WORD.findall(s.lower()), n)) for s in (text or "").split("\n")]


def _share(grams: list[tuple[str, ...]], pool: set[tuple[str, ...]]) -> float:
    return sum(g in pool for g in grams) / len(grams) if grams else 0.0


def combine_views(
    base: str,
    recall: str | None,
    support: str | None,
    *,
    n: int = 3,
    min_words: int = 3,
    keep_min: float = 0.5,
    add_min: float = 0.8,
) -> str:
    """The base text with the other views' votes applied (see the module docstring)."""
    if not recall and not support:
        return base
    base_lines = base.split("\n")
    base_grams = [gs for _, gs in _line_grams(base, n)]
    recall_lines = _line_grams(recall, n)  # once: for the pool and for the additions
    pool_recall = {g for _, gs in recall_lines for g in gs}
    pool_support = {g for _, gs in _line_grams(support, n) for g in gs}
    where: dict[tuple[str, ...], int] = {}  # 3-gram -> index of the first base line holding it
    for i, gs in enumerate(base_grams):
        for g in gs:
            where.setdefault(g, i)
    # additions: recall-mode lines the base lacks and resiliparse confirms, after the base line they follow
    after: dict[int, list[str]] = {}
    if recall and pool_support:
        anchor = -1
        for line, gs in recall_lines:
            if not gs:
                continue
            found = [where[g] for g in gs if g in where]
            if len(found) >= keep_min * len(gs):
                anchor = max(anchor, max(found))
            elif _share(gs, pool_support) >= add_min:
                after.setdefault(anchor, []).append(line.strip())
    vote = bool(pool_recall) and bool(pool_support)  # one view alone does not outvote the base
    out = after.get(-1, [])[:]
    for i, line in enumerate(base_lines):
        gs = base_grams[i]
        words = len(gs) + n - 1 if gs else 0
        if (
            not vote
            or words < min_words
            or _share(gs, pool_recall) >= keep_min
            or _share(gs, pool_support) >= keep_min
        ):
            out.append(line)
        out.extend(after.get(i, ()))
    return "\n".join(out)


def recall_can_matter(
    base: str,
    support: str | None,
    *,
    n: int = 3,
    keep_min: float = 0.5,
    max_missing_grams: int = 8,
) -> bool:
    """False when combine_views(base, recall, support) would be (all but) the base whatever the recall
    text: no support (no vote, no confirmation), or every base line of ``min_words`` words held by the
    support (nothing can be dropped) and no support line the base lacks longer than
    ``max_missing_grams`` n-grams (only such short lines could be added)."""
    if not support or not support.strip():
        return False
    base_lines = _line_grams(base, n)
    support_lines = _line_grams(support, n)
    pool_base = {g for _, gs in base_lines for g in gs}
    pool_support = {g for _, gs in support_lines for g in gs}
    if any(gs and _share(gs, pool_support) < keep_min for _, gs in base_lines):
        return True  # a base line resiliparse lacks: the recall text decides whether it stays
    return any(len(gs) > max_missing_grams and _share(gs, pool_base) < keep_min for _, gs in support_lines)
