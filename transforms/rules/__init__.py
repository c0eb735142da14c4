"""Line rules: the table one named rule per kind of boilerplate, as data (id, description, kind, matcher).

Rules look at one line at a time. They are anchored and bounded so that a regex never backtracks over a
long line: every rule has a ``max_chars`` above which it does not look at a line at all (boilerplate lines
are short; a 1 MB line is never a cookie notice), and patterns use bounded quantifiers only.

Kinds:
- ``boilerplate`` — the line goes;
- ``paywall`` — the line goes and opens a paywall block: the short promo lines that follow go with it;
- ``caption`` — a photo caption or credit: the line goes.

A rule never matches a real sentence that merely mentions a word ("Subscribers to the service rose 10%"):
phrases are anchored at the start of the line and the line must be short, or the phrase is one that only
appears in boilerplate ("can also be accessed at the following alternate addresses").
"""

from __future__ import annotations

from transforms.rules.core import (
    KINDS,
    SCREEN_CHARS,
    LineRule,
    RuleSet,
    compile_pattern,
    first_match,
    screen_token,
)
from transforms.rules.predicates import _CREDIT, _CREDIT_WORDS, _photo_credit
from transforms.rules.table import RULES, RULES_BY_ID

__all__ = [
    "KINDS",
    "LineRule",
    "RULES",
    "RULES_BY_ID",
    "RuleSet",
    "SCREEN_CHARS",
    "_CREDIT",
    "_CREDIT_WORDS",
    "_photo_credit",
    "compile_pattern",
    "first_match",
    "screen_token",
]
