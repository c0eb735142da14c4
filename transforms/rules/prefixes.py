"""What a match of a rule's pattern can start with: the first two characters, for the RuleSet's dispatch.

A prose line starting "Wh" need not try a rule that starts "we use cookies" or "werden sie": the RuleSet
builds its alternation from the top-level branches that can start with a line's first two characters.
The analysis walks the stdlib's own parse of the pattern and tries each consuming item alone on every
ASCII character, so case folding is exactly the regex engine's; whatever it does not know (a reference,
a flag change, the private parser's API moving) answers "anything" (sound, never a missed rule).
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["branch_prefixes"]

_ASCII = [chr(i) for i in range(128)]
_CHARS = ("LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")  # skipped: dropping a condition only admits more
_CHAR_SETS: dict[tuple[str, str, object], frozenset[str]] = {}  # one item's ASCII matches, by its parse
_Found = tuple[set[str], set[str]]  # (open: after it anything may follow, ended: the items end there)


class _Unknown(Exception):
    """An item the analysis does not know: the caller answers "any start"."""


def _seq(items: list, budget: int, state: object) -> _Found:
    """The prefixes (at most ``budget`` characters) of the strings a sequence of parsed items matches."""
    opened: set[str] = set()
    ended = {""}
    for op, av in items:
        nxt: set[str] = set()
        for p in ended:
            got_open, got_ended = _item(str(op), op, av, budget - len(p), state)
            opened |= {p + q for q in got_open}
            for q in got_ended:
                (opened if len(p + q) >= budget else nxt).add(p + q)
        ended = nxt
        if not ended:
            break
    return opened, ended


def _repeat(lo: int, hi: int, sub: list, budget: int, state: object) -> _Found:
    opened: set[str] = set()
    ended = {""} if lo == 0 else set()
    cur = {""}
    reps = min(hi, budget + 1)
    for rep in range(1, reps + 1):
        nxt: set[str] = set()
        for p in cur:
            got_open, got_ended = _seq(sub, budget - len(p), state)
            opened |= {p + q for q in got_open}
            for q in got_ended:
                (opened if len(p + q) >= budget else nxt).add(p + q)
        cur = nxt
        if rep >= lo:
            ended |= cur
        if not cur:
            break
    if cur and (hi > reps or lo > reps):
        opened |= cur  # more repetitions could follow: anything after these
    return opened, ended


def _item(name: str, op: object, av: object, budget: int, state: object) -> _Found:
    from re import _compiler, _parser

    if name in _ZERO_WIDTH:
        return set(), {""}
    if name in _CHARS:
        key = (name, repr(av), getattr(state, "flags", None))
        if key not in _CHAR_SETS:
            one = _compiler.compile(_parser.SubPattern(state, [(op, av)]), re.IGNORECASE)
            _CHAR_SETS[key] = frozenset(c for c in _ASCII if one.match(c))
        return set(), set(_CHAR_SETS[key])
    if name == "SUBPATTERN":
        if av[1] or av[2]:  # type: ignore[index]  # a local flag change: not followed here
            raise _Unknown
        return _seq(list(av[3]), budget, state)  # type: ignore[index]
    if name == "ATOMIC_GROUP":
        return _seq(list(av), budget, state)  # type: ignore[arg-type]
    if name == "BRANCH":
        opened: set[str] = set()
        ended: set[str] = set()
        for b in av[1]:  # type: ignore[index]
            o, e = _seq(list(b), budget, state)
            opened |= o
            ended |= e
        return opened, ended
    if name in _REPEATS:
        lo, hi, sub = av  # type: ignore[misc]
        return _repeat(lo, hi, list(sub), budget, state)
    raise _Unknown


@cache
def branch_prefixes(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(pairs, singles) for ``pattern`` matched case-insensitively at the start of a line: a match can
    begin with the two ASCII characters of a string in ``pairs``, or with the one character of a string in
    ``singles`` followed by anything. None: unknown, any start (also when the match can be empty)."""
    try:
        from re import _parser

        tree = _parser.parse(pattern, re.IGNORECASE)
        opened, ended = _seq(list(tree), 2, tree.state)
    except Exception:  # noqa: BLE001 - _Unknown, or the private parser changed: "any start" is sound
        return None
    found = opened | ended
    if "" in found:
        return None
    return frozenset(s for s in found if len(s) == 2), frozenset(s for s in found if len(s) == 1)
