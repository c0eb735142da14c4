"""Lines of a page's visible text that are a widget's, however they read: markup left in the text, link
texts glued together, a teaser that repeats itself, the head of a comment section. Line-shape tests
for the block scorer (``transforms.blocks``)."""

from __future__ import annotations

import re

__all__ = ["BULLETS", "comments_head", "widget_text"]

BULLETS = frozenset("-*•·–—▪►>")  # a list item's bullet, as inscriptis and scrapers render them

# the page text of a widget, not of an article, however long: markup that a script or noscript block put
# into the visible text ("<div style=...><img ...>"), link texts glued together without a space between
# them ("Sensex todayMutual funds SIP 2021What are"), a teaser whose link and image texts repeat one
# another ("1. Where do rings come from? Where do rings come from?")
_MARKUP = re.compile(
    r"<(?:div|span|img|a|p|iframe|script|style|noscript|li|ul|table|td|tr|input|link|meta)\s[^<>]{0,300}="
    r"[^<>]{0,300}>"
)
# letter case as bytes: a-z and 0-9 -> "a", A-Z -> "A", anything else " " (a non-ASCII character's bytes
# too): one C pass, then a glued link is b"aAa" ("newsSensex", "2021What"); what a regex search cost 2 µs
_CASE = (
    bytes(
        ord("a") if chr(b).islower() or chr(b).isdigit() else ord("A") if chr(b).isupper() else ord(" ")
        for b in range(128)
    )
    + b" " * 128
)
_NOT_UPPER = bytes(b for b in range(256) if not (65 <= b <= 90))
_LIST_MARK = re.compile(r"(?:\d{1,3}[.)]|[-*•·–—▪►>])\s+")


def widget_text(s: str) -> bool:
    """A long line that is a widget's text (see above), not a paragraph. Cheap for a paragraph: the
    repeat compares two halves of the line."""
    if "<" in s and _MARKUP.search(s):
        return True
    n = s.count(" ") + 1
    if n >= 8:
        b = s.encode("utf-8", "replace")
        # each glued link holds a capital: most paragraphs have too few to look further
        if len(b.translate(None, _NOT_UPPER)) * 8 >= n and b.translate(_CASE).count(b"aAa") * 8 >= n:
            return True
    head = _LIST_MARK.match(s) if s[0] in BULLETS or s[0].isdigit() else None
    t = s[head.end() :] if head else s
    m = len(t) // 2
    return len(t) % 2 == 1 and t[m] == " " and t.count(" ", 0, m) >= 2 and t[:m] == t[m + 1 :]


# the head of a comment section or comment form (not a "Leave a comment" link, which themes put under a
# post's title too): the article ends before it
_COMMENTS_HEAD = re.compile(
    r"(?:leave a reply|\d{1,5} (?:responses?|comments?|replies|thoughts) (?:to|on)\b.*|"
    r"your email address will not be published\b.*|"
    r"schreibe einen kommentar|kommentar (?:verfassen|schreiben)|"
    r"\d{1,5} (?:kommentare?|antworten|gedanken) (?:zu|auf)\b.*|"
    r"(?:deine|ihre) e-mail-adresse wird nicht veröffentlicht\b.*|"
    r"laisser un commentaire|deja una respuesta|deixe uma resposta|lascia un commento|"
    r"dodaj komentarz)\W{0,3}",
    re.IGNORECASE,
)


def comments_head(s: str) -> bool:
    """The head of a comment section or form (see above)."""
    return len(s) <= 120 and _COMMENTS_HEAD.fullmatch(s) is not None
