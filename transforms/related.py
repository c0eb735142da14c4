"""Lists of other stories' headlines (related, trending, "more from"), one headline a line, often with a
time or date line beside each: the lines of such a list go as ``related_list``."""

from __future__ import annotations

from transforms.clean_config import CleanConfig
from transforms.lineshape import headline_like, is_prose, n_words, time_line

__all__ = ["related_lists"]


def _list_item(s: str, config: CleanConfig) -> bool:
    """A line of a list of other stories: a headline (no final full stop, not prose) or a time line."""
    if len(s) > config.headline_max_chars:
        return False
    if time_line(s):
        return True
    return n_words(s, 20) <= 20 and headline_like(s, config) and not is_prose(s, config.prose_min_words)


def _two_time_lines(lines: list[str]) -> bool:
    """Whether at least two lines are time lines (the count stops at two)."""
    seen = 0
    for s in lines:
        if s and len(s) <= 50 and time_line(s):
            seen += 1
            if seen == 2:
                return True
    return False


def related_lists(lines: list[str], why: list[str | None], config: CleanConfig) -> None:
    """Lists of other stories' headlines go as ``related_list``: the headline lines after a "Related" /
    "More from" / "Trending" lead (``read_more`` with nothing after it), and, without a lead, a run of
    headline lines in which time/date lines alternate with the headlines (two of each at least)."""
    n = len(lines)
    leads = [i for i in range(n) if why[i] == "read_more" and len(lines[i]) <= 40]
    if not leads and not _two_time_lines(lines):
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
            if time_line(lines[alive[j]]):
                times += 1
            else:
                heads += 1
            j += 1
        if times >= 2 and heads >= 2 and 2 * times >= heads:
            for m in range(k, j):
                why[alive[m]] = "related_list"
        k = max(j, k + 1)
