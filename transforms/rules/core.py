"""The machinery of line rules: a rule (``LineRule``), one pass of many rules over a line (``RuleSet``,
which skips the rules a line's first characters rule out and remembers short lines it has seen)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from transforms.rules.prefixes import branch_prefixes

__all__ = ["KINDS", "SCREEN_CHARS", "LineRule", "RuleSet", "compile_pattern", "first_match", "screen_token"]

KINDS = ("boilerplate", "paywall", "caption")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Rules are case-insensitive and Unicode-aware; a bad pattern raises ``re.error``."""
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class LineRule:
    """One named line rule: ``pattern`` (regex, searched in the line) or ``predicate`` (str -> bool).

    ``max_chars``: lines longer than this are never matched (keeps rules linear and away from paragraphs).
    ``tail_chars``: when set, only the last ``tail_chars`` characters are searched (credits at line end).
    ``screen``: words one of which the lowercased line holds whenever the rule matches it (``keywords``
    when not given), unless the line holds one of ``SCREEN_CHARS``: ``RuleSet.match(line, screened=True)``
    skips the rule on a line a caller found none of them in. Not a filter: the rule decides as before.
    """

    id: str
    description: str
    kind: str = "boilerplate"
    pattern: str | None = None
    predicate: Callable[[str], bool] | None = None
    max_chars: int = 200
    tail_chars: int | None = None
    keywords: tuple[str, ...] = ()  # cheap prefilter: the lowercased line must contain one of these
    screen: tuple[str, ...] = ()
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    # _regex.match when every branch is anchored at the start (search would try every position), else .search
    _find: Callable[..., re.Match[str] | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"rule {self.id!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if (self.pattern is None) == (self.predicate is None):
            raise ValueError(f"rule {self.id!r}: give exactly one of pattern or predicate")
        if self.pattern is not None:
            rx = compile_pattern(self.pattern)
            anchored = not rx.flags & re.MULTILINE and all(
                b.startswith("^") for b in _top_level_branches(self.pattern)
            )
            object.__setattr__(self, "_regex", rx)
            object.__setattr__(self, "_find", rx.match if anchored else rx.search)

    def matches(self, line: str) -> bool:
        """Whether the rule matches a *stripped* line (the cleaner strips lines once)."""
        if len(line) > self.max_chars or not line:
            return False
        if self.keywords:
            low = line.lower()
            for k in self.keywords:  # a plain loop: cheaper than any() over a generator
                if k in low:
                    break
            else:
                return False
        return self._test(line)

    def _test(self, line: str) -> bool:
        """The pattern or predicate alone (``matches`` without the length and keyword prefilters)."""
        if self._regex is not None:
            return (
                self._find(line if self.tail_chars is None else line[-self.tail_chars :]) is not None  # type: ignore[misc]
            )
        return bool(self.predicate(line))  # type: ignore[misc]


# The non-ASCII characters whose str.lower() holds an ASCII character (İ, Kelvin sign) or that the regex
# engine's case folding matches to one (also dotless ı, long ſ): a line holding one is never screened.
SCREEN_CHARS = ("\u0130", "\u0131", "\u017f", "\u212a")


def screen_token(word: str) -> str | None:
    """What a caller looks for, ASCII case-insensitively, in the raw line for a ``screen`` word: its
    longest ASCII run (a line whose lower() holds "crédit" holds "dit" in some case), the word itself
    when it has no letter or mark (no other character lowercases to one: "©"), else None (unusable)."""
    runs = re.findall(r"[\x00-\x7f]+", word)
    if runs:
        return max(runs, key=len).lower()
    if word and all(unicodedata.category(c)[0] not in "LM" for c in word):
        return word
    return None


def first_match(line: str, rules: tuple[LineRule, ...]) -> LineRule | None:
    """The first rule of ``rules`` that matches ``line`` (table order), or None: the reference that
    ``RuleSet.match`` must agree with."""
    for rule in rules:
        if rule.matches(line):
            return rule
    return None


def _top_level_branches(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (not inside a group or a character class)."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += pattern[i + 1 : i + 2] == "^"
            i += pattern[i + 1 : i + 2] == "]"  # a leading ] is a literal
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


_ASCII = [chr(i) for i in range(128)]


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The ASCII characters a match of ``pattern`` (case-insensitive) can start with; None = unknown/any.

    Walks the parsed pattern to its first consuming item and tries that item alone on each ASCII
    character, so case folding is exactly the regex engine's. Anything unexpected answers None (sound).
    """
    try:
        from re import _compiler, _parser  # the stdlib's own parser: exact, no second grammar here

        tree = _parser.parse(pattern, re.IGNORECASE)

        def first(items: list, state: object) -> tuple[set[str] | None, bool]:
            """(possible first chars, whether the sequence can match empty)."""
            acc: set[str] = set()
            for op, av in items:
                name = str(op)
                if name == "AT":
                    continue
                if name == "SUBPATTERN":
                    got, empty = first(list(av[-1]), state)
                elif name == "BRANCH":
                    got, empty = set(), False
                    for b in av[1]:
                        g, e = first(list(b), state)
                        if g is None:
                            return None, True
                        got |= g
                        empty = empty or e
                elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                    got, empty = first(list(av[2]), state)
                    empty = empty or av[0] == 0
                elif name in ("LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY"):
                    one = _compiler.compile(_parser.SubPattern(state, [(op, av)]), re.IGNORECASE)
                    got, empty = {c for c in _ASCII if one.match(c)}, False
                else:
                    return None, True
                if got is None:
                    return None, True
                acc |= got
                if not empty:
                    return acc, False
            return acc, True

        chars, empty = first(list(tree), tree.state)
        return None if chars is None or empty else frozenset(chars)
    except Exception:  # noqa: BLE001 - private parser API changed: fall back to "any first char"
        return None


def _branches(pattern: str) -> tuple[tuple[str, tuple[frozenset[str], frozenset[str]] | None], ...]:
    """An anchored pattern's top-level branches with what each can start with (``branch_prefixes``); the
    whole pattern as its one branch when a branch does not compile alone."""
    texts = _top_level_branches(pattern)
    try:
        for t in texts:
            compile_pattern(t)
    except re.error:
        texts = [pattern]
    return tuple((t, branch_prefixes(t)) for t in texts)


MEMO_LINES = 50_000  # short lines a RuleSet remembers the answer for (a few MB)
MEMO_MAX_CHARS = 160  # ...of at most this many characters (paragraphs are unique: not worth keeping)
_MISSING = object()
HOT_START = 8  # lines with a start before it gets an alternation of its own (``RuleSet._cold``)


class RuleSet:
    """Rules compiled for speed, with the same answer as ``first_match`` (a differential test checks it).

    Rules whose every branch is anchored at the start of the line (most of the table) go into one
    alternation, a group per rule in table order, tried with ``match()`` (position 0 only). The alternation
    holds only the rules whose ``max_chars`` admits the line's length, and of those only the top-level
    branches that can start with the line's first two characters (``prefixes.branch_prefixes``; the first
    character alone when the second is not ASCII, every rule when the first is not): one alternation per
    start and length class, built on first use, so a line costs one short regex pass (none at all for most
    prose), and the group that matched is the first such rule in table order. The
    other rules (unanchored patterns, predicates, rules with keywords) are tried in table order before it,
    each behind its cheap prefilters (length, a keyword in the lowercased line); on a line the caller
    screened (``match(line, screened=True)``: none of ``screen_tokens`` in it) only those without a screen.
    A line longer than every rule's ``max_chars`` is not looked at.
    """

    def __init__(self, rules: Iterable[LineRule]) -> None:
        self.rules = tuple(rules)
        self.max_chars = max((r.max_chars for r in self.rules), default=0)
        self._anchored_ids = tuple(k for k, r in enumerate(self.rules) if self._is_anchored(r))
        self._starts = {k: _first_chars(self.rules[k].pattern) for k in self._anchored_ids}  # type: ignore[arg-type]
        self._branches = {k: _branches(self.rules[k].pattern) for k in self._anchored_ids}  # type: ignore[arg-type]
        # length classes: class i holds lengths in (limits[i-1], limits[i]]; a rule reads a class's lines
        # iff its max_chars >= limits[i]
        self._limits = sorted({r.max_chars for r in self.rules})
        self._class_of = [bisect_left(self._limits, n) for n in range(self.max_chars + 1)]  # length -> class
        # per length class: the line's start (two ASCII characters, else one, "" = non-ASCII first) ->
        # (alternation, group -> rule index) or None
        self._combined: list[dict[str, tuple[re.Pattern[str], tuple[int, ...]] | None]] = [
            {} for _ in self._limits
        ]
        self._cache: dict[tuple, tuple[re.Pattern[str], tuple[int, ...]] | None] = {}
        self._heat: list[dict[str, int]] = [{} for _ in self._limits]  # start -> lines seen, until hot
        self._memo: dict[str, LineRule | None] = {}
        self._others = [
            tuple(
                (k, r.keywords, self._tester(r))
                for k, r in enumerate(self.rules)
                if k not in self._starts and r.max_chars >= limit
            )
            for limit in self._limits
        ]
        # the ASCII tokens of the other rules' screens; a rule with a screen none of whose words has a
        # token is tried on every line
        tokens = {k: self._tokens(r) for k, r in enumerate(self.rules) if k not in self._starts}
        self.screen_tokens = tuple(sorted({t for ts in tokens.values() if ts for t in ts}))
        self._unscreened = [tuple(o for o in others if tokens[o[0]] is None) for others in self._others]

    @staticmethod
    def _tokens(rule: LineRule) -> tuple[str, ...] | None:
        words = rule.screen or rule.keywords
        got = tuple(screen_token(w) for w in words)
        return got if words and None not in got else None  # type: ignore[return-value]

    @staticmethod
    def _tester(rule: LineRule) -> Callable[[str], object]:
        """``rule._test`` without a layer of calls: the predicate itself or the bound regex search."""
        if rule.predicate is not None:
            return rule.predicate
        if rule.tail_chars is None:
            return rule._find  # type: ignore[return-value]
        return rule._test

    @staticmethod
    def _is_anchored(rule: LineRule) -> bool:
        if rule._regex is None or rule.tail_chars is not None or rule.keywords or rule._regex.groups:
            return False
        if not all(b.startswith("^") for b in _top_level_branches(rule.pattern)):  # type: ignore[arg-type]
            return False
        try:
            compile_pattern(f"(?:{rule.pattern})|x")  # e.g. inline global flags cannot be combined
        except re.error:
            return False
        return True

    def _build(self, start: str, length_class: int) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
        """The alternation for lines beginning with ``start`` (see ``_combined``) in ``length_class``:
        group n holds rule ks[n-1]'s branches that can begin so (all of them for a shorter ``start``)."""
        limit = self._limits[length_class]
        first = start[:1] or None  # None: the line starts with a non-ASCII character, no dispatch
        parts = []
        for k in self._anchored_ids:
            if self.rules[k].max_chars < limit:
                continue
            if first is not None and self._starts[k] is not None and first not in self._starts[k]:  # type: ignore[operator]
                continue
            branches = tuple(
                text
                for text, pre in self._branches[k]
                if len(start) < 2 or pre is None or start in pre[0] or first in pre[1]
            )
            if branches:
                parts.append((k, branches))
        key = tuple(parts)
        if key not in self._cache:
            pattern = "|".join(f"({'|'.join(b)})" for _, b in parts)
            self._cache[key] = (compile_pattern(pattern), (-1, *(k for k, _ in parts))) if parts else None
        return self._cache[key]

    def _cold(self, start: str, length_class: int) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
        """The alternation for a start without its own yet: the class's alternation of every rule (that of
        ``start`` ""), until ``start`` has been seen ``HOT_START`` times; then its own, kept. The answer is
        the same (every rule's branches that can begin so are in both, in the same order); building one
        alternation per start and class costs ~1.5 ms, and a page's rare starts are most of them."""
        by_start = self._combined[length_class]
        heat = self._heat[length_class]
        seen = heat.get(start, 0) + 1
        if start and seen < HOT_START:
            heat[start] = seen
            every = by_start.get("", False)
            if every is False:
                every = by_start[""] = self._build("", length_class)
            return every
        heat.pop(start, None)
        got = by_start[start] = self._build(start, length_class)
        return got

    def match(self, line: str, screened: bool = False) -> LineRule | None:
        """The first rule (table order) that matches the stripped ``line``, or None. ``screened``: the
        caller found none of ``screen_tokens`` (ASCII case-insensitively) nor ``SCREEN_CHARS`` in the line,
        so the rules with a screen are skipped (the answer is the same).

        Short lines are remembered (at most ``MEMO_LINES``, forgotten all at once when full): site
        furniture recurs on every page of an outlet, so most short lines have been seen before."""
        n = len(line)
        if n > self.max_chars or not line:
            return None
        if n <= MEMO_MAX_CHARS:
            memo = self._memo
            hit = memo.get(line, _MISSING)
            if hit is not _MISSING:
                return hit  # type: ignore[return-value]
            if len(memo) >= MEMO_LINES:
                memo.clear()
            got = memo[line] = self._match(line, n, screened)
            return got
        return self._match(line, n, screened)

    def _match(self, line: str, n: int, screened: bool = False) -> LineRule | None:
        rules = self.rules
        first = len(rules)
        length_class = self._class_of[n]
        start = line[:2]
        if not start.isascii():
            start = line[0] if line[0].isascii() else ""
        by_start = self._combined[length_class]
        combined = by_start.get(start, False)
        if combined is False:
            combined = self._cold(start, length_class)
        if combined is not None:
            m = combined[0].match(line)
            if m is not None:
                first = combined[1][m.lastindex]  # type: ignore[index]
        low = None
        for k, keywords, test in (self._unscreened if screened else self._others)[length_class]:
            if k >= first:
                break
            if keywords:
                if low is None:
                    low = line.lower()
                for w in keywords:
                    if w in low:
                        break
                else:
                    continue
            if test(line):  # a truthy answer: True or a match object
                return rules[k]
        return rules[first] if first < len(rules) else None


# ---------------------------------------------------------------- predicates
