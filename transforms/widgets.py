"""Lines of a page's visible text that are a widget's, however they read: markup left in the text, link
texts glued together, a teaser that repeats itself, the head of a comment section. Line-shape tests
for the block scorer (``transforms.blocks``)."""

from __future__ import annotations

import re

__all__ = ["ACCOUNT_MIN_LINES", "ACCOUNT_RULES", "BULLETS", "account_dialogs", "comments_head", "widget_text"]

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


# a sign-in, sign-up or account dialog rendered into the page's text, each of its messages a line: "Das
# Passwort muss mindestens 8 Zeichen lang sein.", "Diese E-Mail-Adresse ist bereits registriert.",
# "Forgot your password?", "Create an account". One such line alone is left to the rules (an article
# mentions passwords and accounts); a run of them is a dialog.
# account vocabulary, searched in the lowercased line as words (one \b before the whole alternation: a
# \b per branch, or IGNORECASE, made the search 9-26 µs a line instead of 3.5)
_ACCOUNT_WORDS = (
    r"passwor[dt]|e-?mail[- ]?(?:adresse|address)|(?:benutzer|user) ?name|sign(?:ed)?[ -]?(?:in|up)\b|"
    r"log(?:ged)?[ -]?in\b|login\b|anmeld|angemeldet|einlogg|registr|konto\b|account\b|"
    r"nutzungsbedingungen|datenschutz(?:erklärung|bestimmungen)|terms of (?:use|service)\b|"
    r"privacy policy\b|mot de passe\b|se connecter\b|identifiant\b|contraseña\b|iniciar sesión\b"
)
_ACCOUNT_WORD = re.compile(rf"\b(?:{_ACCOUNT_WORDS})")
_ACCOUNT_STEM = re.compile(r"passwor[dt]|anmeld|registr|konto\b|einlogg")  # closing a German compound


def _account_line(low: str) -> bool:
    """A lowercased line with account vocabulary: a word of ``_ACCOUNT_WORDS``, or a compound ending in
    one of its German stems ("Benutzerkonto", "Neuanmeldung")."""
    return _ACCOUNT_WORD.search(low) is not None or _ACCOUNT_STEM.search(low) is not None


# a dialog holds a line a sign-in rule removes ("Forgot your password?", "Anmelden", "Log in"): a page
# without one is not searched (28 of the 30 dialogs of trafilatura_eval's pages have one; searching every
# page's text for "password" first cost 13-24 µs a page)
ACCOUNT_RULES = frozenset({"login_prompt", "signin_prompt"})
ACCOUNT_MIN_LINES = 5  # account lines in a run before it is a dialog
_ACCOUNT_MAX_CHARS = 200  # a longer line is a paragraph: it ends the run
_ACCOUNT_GAP_CHARS = 60  # a short line between them ("Abschicken", "Continue") stays in the run


def account_dialogs(lines: list[str], why: list[str | None]) -> None:
    """Runs of a page's lines that are an account dialog go as ``account_dialog``: a run around a line a
    sign-in rule removed (``ACCOUNT_RULES``) of lines of sign-in / sign-up vocabulary (en, de, fr, es),
    each short, with at most one short line between two of them; it goes when it holds at least
    ``ACCOUNT_MIN_LINES`` such lines and they are most of it. Lines a rule decided count as evidence and
    keep their rule id. Only the lines around such a rule's line are searched."""
    if ACCOUNT_RULES.isdisjoint(why):
        return
    at = [i for i, s in enumerate(lines) if s]  # the non-blank lines
    seen: dict[int, bool] = {}

    def account(k: int) -> bool:
        got = seen.get(k)
        if got is None:
            s, w = lines[at[k]], why[at[k]]
            got = seen[k] = w in ACCOUNT_RULES or (len(s) <= _ACCOUNT_MAX_CHARS and _account_line(s.lower()))
        return got

    def step(k: int, d: int) -> int:
        """The run's next line from ``k`` in direction ``d`` (one short line may be between), or ``k``."""
        if 0 <= k + d < len(at) and account(k + d):
            return k + d
        if 0 <= k + 2 * d < len(at) and len(lines[at[k + d]]) <= _ACCOUNT_GAP_CHARS and account(k + 2 * d):
            return k + 2 * d
        return k

    done = -1
    for a, i in enumerate(at):
        if a <= done or why[i] not in ACCOUNT_RULES:
            continue
        lo = hi = a
        while (nxt := step(lo, -1)) != lo:
            lo = nxt
        while (nxt := step(hi, 1)) != hi:
            hi = nxt
        hits = sum(account(k) for k in range(lo, hi + 1))
        if hits >= ACCOUNT_MIN_LINES and 5 * hits >= 3 * (hi + 1 - lo):
            for k in range(lo, hi + 1):
                if why[at[k]] is None:
                    why[at[k]] = "account_dialog"
        done = hi
