"""The line-rule table: one named rule per kind of boilerplate, as data (id, description, kind, matcher).

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

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["KINDS", "LineRule", "RULES", "RULES_BY_ID", "RuleSet", "compile_pattern", "first_match"]

KINDS = ("boilerplate", "paywall", "caption")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Rules are case-insensitive and Unicode-aware; a bad pattern raises ``re.error``."""
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class LineRule:
    """One named line rule: ``pattern`` (regex, searched in the line) or ``predicate`` (str -> bool).

    ``max_chars``: lines longer than this are never matched (keeps rules linear and away from paragraphs).
    ``tail_chars``: when set, only the last ``tail_chars`` characters are searched (credits at line end).
    """

    id: str
    description: str
    kind: str = "boilerplate"
    pattern: str | None = None
    predicate: Callable[[str], bool] | None = None
    max_chars: int = 200
    tail_chars: int | None = None
    keywords: tuple[str, ...] = ()  # cheap prefilter: the lowercased line must contain one of these
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


MEMO_LINES = 50_000  # short lines a RuleSet remembers the answer for (a few MB)
MEMO_MAX_CHARS = 160  # ...of at most this many characters (paragraphs are unique: not worth keeping)
_MISSING = object()


class RuleSet:
    """Rules compiled for speed, with the same answer as ``first_match`` (a differential test checks it).

    Rules whose every branch is anchored at the start of the line (most of the table) go into one
    alternation, a group per rule in table order, tried with ``match()`` (position 0 only). The alternation
    holds only the rules that can start with the line's first character and whose ``max_chars`` admits the
    line's length (one alternation per first character and length class, built on first use), so a line
    costs one short regex pass, and the group that matched is the first such rule in table order. The
    other rules (unanchored patterns, predicates, rules with keywords) are tried in table order before it,
    each behind its cheap prefilters (length, a keyword in the lowercased line). A line longer than every
    rule's ``max_chars`` is not looked at.
    """

    def __init__(self, rules: Iterable[LineRule]) -> None:
        self.rules = tuple(rules)
        self.max_chars = max((r.max_chars for r in self.rules), default=0)
        self._anchored_ids = tuple(k for k, r in enumerate(self.rules) if self._is_anchored(r))
        self._starts = {k: _first_chars(self.rules[k].pattern) for k in self._anchored_ids}  # type: ignore[arg-type]
        # length classes: class i holds lengths in (limits[i-1], limits[i]]; a rule reads a class's lines
        # iff its max_chars >= limits[i]
        self._limits = sorted({r.max_chars for r in self.rules})
        self._class_of = [bisect_left(self._limits, n) for n in range(self.max_chars + 1)]  # length -> class
        # per length class: first character ("" = non-ASCII) -> (alternation, group -> rule index) or None
        self._combined: list[dict[str, tuple[re.Pattern[str], tuple[int, ...]] | None]] = [
            {} for _ in self._limits
        ]
        self._cache: dict[tuple[int, ...], tuple[re.Pattern[str], tuple[int, ...]] | None] = {}
        self._memo: dict[str, LineRule | None] = {}
        self._others = [
            tuple(
                (k, r.keywords, self._tester(r))
                for k, r in enumerate(self.rules)
                if k not in self._starts and r.max_chars >= limit
            )
            for limit in self._limits
        ]

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

    def _build(self, first: str, length_class: int) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
        """The alternation for lines starting with ``first`` in ``length_class``; group n is rule ks[n-1]."""
        limit = self._limits[length_class]
        ascii_first = first or None  # "": the line starts with a non-ASCII character, no dispatch
        ks = tuple(
            k
            for k in self._anchored_ids
            if self.rules[k].max_chars >= limit
            and (ascii_first is None or self._starts[k] is None or ascii_first in self._starts[k])  # type: ignore[operator]
        )
        if ks not in self._cache:
            self._cache[ks] = (
                (compile_pattern("|".join(f"({self.rules[k].pattern})" for k in ks)), (-1, *ks))
                if ks
                else None
            )
        return self._cache[ks]

    def match(self, line: str) -> LineRule | None:
        """The first rule (table order) that matches the stripped ``line``, or None.

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
            got = memo[line] = self._match(line, n)
            return got
        return self._match(line, n)

    def _match(self, line: str, n: int) -> LineRule | None:
        rules = self.rules
        first = len(rules)
        length_class = self._class_of[n]
        c = line[0] if line[0].isascii() else ""
        by_first = self._combined[length_class]
        combined = by_first.get(c, False)
        if combined is False:
            combined = by_first[c] = self._build(c, length_class)
        if combined is not None:
            m = combined[0].match(line)
            if m is not None:
                first = combined[1][m.lastindex]  # type: ignore[index]
        low = None
        for k, keywords, test in self._others[length_class]:
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

_WORD = re.compile(r"[\w'’&+-]{1,40}")
_FIRST_WORD = re.compile(r"[^\w'’&+-]*+([\w'’&+-]{1,40})")  # what _WORD.findall(s)[0] is

_SHARE_WORDS = frozenset(
    """share shared sharing on this article story page via tweet twitter x facebook email e-mail mail print
    whatsapp linkedin pinterest reddit telegram flipboard messenger copy link copied url comments comment
    save bookmark follow us teilen drucken kommentare merken partager imprimer commentaires enregistrer
    compartir imprimir comentarios guardar enviar""".split()  # noqa: SIM905 - a word list reads best as text
)
_SHARE_CORE = frozenset(
    """share shared tweet facebook whatsapp linkedin pinterest reddit telegram flipboard print email e-mail
    teilen drucken partager imprimer compartir imprimir""".split()  # noqa: SIM905
)


def _share_widget(s: str) -> bool:
    if len(s) > 120:
        return False
    first = _FIRST_WORD.match(s)  # every word must be a share word: try the first one alone (cheap gate)
    if first is None or first.group(1).lower() not in _SHARE_WORDS:
        return False
    words = [w.lower() for w in _WORD.findall(s)]
    if not words or len(words) > 10 or len(s) > 120:
        return False
    return all(w in _SHARE_WORDS for w in words) and any(w in _SHARE_CORE for w in words)


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CAPTION_SCENE = re.compile(
    r"\b(?:attends?|shakes? hands|meets?|listens?|speaks?|gestures?|poses?|arrives?|waves?|looks? on|"
    r"is seen|are seen|walks?|reacts?|holds?|sits?|stands?|delivers?|addresses|greets?|smiles?|"
    r"in a photo taken|pictured)\b",
    re.IGNORECASE,
)
_ENDS_WITH_DATE = re.compile(rf"\b{_MONTHS} \d{{1,2}}, (?:19|20)\d\d\.?$", re.IGNORECASE)

# German, French and Spanish agency captions: the same shape, the date after a comma at the end
# ("…in Berlin, 21. November 2017." / "…à Bruxelles, le 19 octobre 2017." / "…en Madrid, el 19 de octubre
# de 2017."). The comma is required: "Der Minister trifft ihn am 13. November 2017." is a sentence.
_CAPTION_SCENE_EU = re.compile(
    r"\b(?:spricht|sprechen|trifft|treffen|begrüßt|begrüßen|schüttelt|schütteln|besucht|besuchen|posiert|"
    r"posieren|winkt|winken|lächelt|gestikuliert|ist zu sehen|sind zu sehen|hält eine rede|"
    r"arrivent|arrive|parlent|parle|serrent la main|serre la main|rencontrent|rencontre|assistent|assiste|"
    r"posent|pose|saluent|salue|s['’]exprime|prononce|écoutent|écoute|sourit|gesticule|est photographiée?|"
    r"llegan|llega|hablan|habla|saludan|saluda|asisten|asiste|posan|posa|estrechan la mano|estrecha la mano|"
    r"se reúnen|se reúne|pronuncia|sonríe|gesticula|escucha|a su llegada)\b",
    re.IGNORECASE,
)
_ENDS_WITH_DATE_EU = re.compile(
    r", (?:am )?\d{1,2}\. ?(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|"
    r"november|dezember) (?:19|20)\d\d\.?$"
    r"|, (?:le )?\d{1,2}(?:er)? (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre) (?:19|20)\d\d\.?$"
    r"|, (?:el |este )?\d{1,2} de (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    r"octubre|noviembre|diciembre) de(?:l)? (?:19|20)\d\d\.?$",
    re.IGNORECASE,
)


def _dated_scene_caption(s: str) -> bool:
    """One descriptive sentence in the present tense that ends on a date: a photo caption (en/de/fr/es)."""
    if len(s) < 30 or (s[-1] if s[-1] != "." else s[-2]) not in "0123456789":
        return False  # the date ends the line: "... November 13, 2017." (cheapest test first)
    if any(q in s for q in '"“”«»'):
        return False
    tail = s[-40:]
    if _ENDS_WITH_DATE.search(tail):
        body, scene = (s[:-1] if s.endswith(".") else s), _CAPTION_SCENE
    else:
        m = _ENDS_WITH_DATE_EU.search(tail)
        if m is None or "„" in s:
            return False
        body, scene = s[: len(s) - len(tail) + m.start()], _CAPTION_SCENE_EU  # "13. November" is no full stop
    if ". " in body.replace("St. ", "").replace("Jr. ", "").replace("U.S. ", ""):
        return False  # more than one sentence: a paragraph, not a caption
    return scene.search(s) is not None


# ---------------------------------------------------------------- the table

# Possessive runs ({1,50}+): what a run gives back could only feed \W{0,3}$, which the shorter rest after the
# full run satisfies as well, so the matches are the same; without them "Photo: a Photo: a ..." backtracks.
_CREDIT = re.compile(
    r"(?:\((?:photos?|pictures?|images?|file photo)(?: by|:| credit:?| courtesy(?: of)?) ?[^()]{1,60}+\)|"
    r"©\s?[\w .&/-]{1,40}+|\b(?:photo|foto|bild|image|crédit photo|photo credit|credit|picture|fotografía|"
    r"crédito|imagen)s? ?:"
    r" ?[\w .,&/-]{1,50}+|\bgetty images|\bap photo[^()]{0,40}+\)?|\bfile photo\)?)\W{0,3}$",
    re.IGNORECASE,
)
_CREDIT_WORDS = ("photo", "foto", "bild", "image", "©", "credit", "crédit", "getty", "picture")


# Where a credit match can start, at the earliest. Each branch of _CREDIT but the last three begins at a
# ':' '(' or '©' (at most 14 characters before it: "crédit photos :"), and its run cannot cross another one
# of that character; the run ends at most 5 characters before the end (\W{0,3}, "$" before a final newline).
# A '(' only starts a credit when "photo", "picture", "image" or "file photo" follows it. The last three
# branches ("getty images", "ap photo…", "file photo") lie within the last 56 characters.
_CREDIT_END_SLACK = 5
_CREDIT_FIXED_TAIL = 56
_CREDIT_FIXED = re.compile(r"getty images|ap photo|file photo", re.IGNORECASE)
_CREDIT_PAREN = re.compile(r"\((?:photos?|pictures?|images?|file photo)", re.IGNORECASE)
_CREDIT_TRIGGERS = ((":", 14, None), ("(", 0, _CREDIT_PAREN), ("©", 0, None))


def _credit_start(tail: str) -> int:
    """The first position where ``_CREDIT`` can match ``tail`` (searching from it finds what a full search
    finds: ``search(s, pos)`` still sees the characters before ``pos`` for ``\b``)."""
    n = len(tail)
    start = n
    if _CREDIT_FIXED.search(tail, max(0, n - _CREDIT_FIXED_TAIL)):
        start = max(0, n - _CREDIT_FIXED_TAIL)
    for ch, lead, opener in _CREDIT_TRIGGERS:
        i = tail.rfind(ch, 0, max(0, n - _CREDIT_END_SLACK))
        if i < 0:
            i = tail.find(ch, max(0, n - _CREDIT_END_SLACK))
        if i >= 0 and (opener is None or opener.match(tail, i)):
            start = min(start, max(0, i - lead))
    return start


def _photo_credit(s: str) -> bool:
    """A caption that ends in a photo credit (cheap checks first: most lines have none)."""
    tail = s[-120:]
    if ":" not in tail and "(" not in tail and "©" not in tail:  # what every credit but the fixed ones needs
        end = tail[-_CREDIT_FIXED_TAIL:].lower()
        if "photo" not in end and "getty" not in end:  # "getty images", "ap photo", "file photo"
            return False
    low = tail.lower()
    for w in _CREDIT_WORDS:
        if w in low:
            break
    else:
        return False
    return _CREDIT.search(tail, _credit_start(tail)) is not None


# A disclaimer opens the line ("Disclaimer:", "Haftungsausschluss:", ...) or holds one of the syndication
# phrases; a line is tested against the phrases only when one of their keywords is in it.
_DISCLAIMER_HEAD = re.compile(
    r"\(?(?:disclaimer|haftungsausschluss|avertissement|aviso legal|descargo de responsabilidad)\s?:",
    re.IGNORECASE,
)
_DISCLAIMER_PHRASE = re.compile(
    r"\b(?:auto-generated from a syndicated feed|"
    r"has not been edited by \w{1,20}(?: \w{1,20}){0,3} staff|"
    r"published from a syndicated feed|"
    r"only the headline (?:and picture )?(?:of this report )?may have been)",
    re.IGNORECASE,
)
_DISCLAIMER_PHRASE_WORDS = ("syndicated", "edited by", "headline")


def _disclaimer(s: str) -> bool:
    if _DISCLAIMER_HEAD.match(s):
        return True
    low = s.lower()
    for w in _DISCLAIMER_PHRASE_WORDS:
        if w in low:
            return _DISCLAIMER_PHRASE.search(s) is not None
    return False


_PRICE = r"(?:[$€£¥₹]|rs\.?|usd|eur|inr)"

RULES: tuple[LineRule, ...] = (
    # --- paywall markers (open a paywall block) ---
    LineRule(
        "paywall_limit",
        "Metered paywall: 'You've reached your limit of N free articles' (en/de/fr/es)",
        "paywall",
        r"^(?:you(?:'|’)ve|you have) (?:reached|hit|used)\b.{0,50}\b(?:free (?:articles?|stories|reads)|"
        r"article limit|"
        r"\{\{)"
        r"|^sie haben (?:ihr|das|die)\b.{0,60}\b(?:limit|kostenlosen? artikel|maximale anzahl)"
        r"|^vous avez (?:atteint|consulté)\b.{0,60}\b(?:limite|articles? gratuits?)"
        r"|^(?:has|ha) (?:alcanzado|llegado)\b.{0,60}\b(?:límite|artículos? gratuitos?)",
        max_chars=200,
    ),
    LineRule(
        "paywall_subscribe_to_read",
        "Hard paywall: 'Subscribe to read the full story', 'for subscribers only' (en/de/fr/es)",
        "paywall",
        r"^(?:please )?(?:subscribe|sign up|register|log ?in|sign in) (?:now )?(?:to|and) "
        r"(?:read|continue reading|keep reading|unlock|access|get full access)\b"
        r"|^(?:to )?continue reading,? (?:please )?(?:subscribe|sign in|log ?in|register)"
        r"|^(?:this (?:article|story|content) is )?(?:(?:only )?(?:available )?(?:exclusively )?for|"
        r"reserved for)"
        r" (?:premium |paying |digital )?(?:subscribers|members)(?: only)?\b"
        r"|^(?:dieser|der) (?:artikel|beitrag|inhalt) ist (?:nur |exklusiv )?für (?:abonnenten|abonnentinnen|"
        r"abonnierende|plus-|\w{1,20}\+?-?leser)"
        r"|^(?:jetzt )?(?:abonnieren|abo abschließen|testen) und (?:weiterlesen|weiter lesen)"
        r"|^(?:weiterlesen|lesen sie weiter) mit\b"
        r"|^(?:cet|l'|l’)\s?(?:article|contenu) (?:est )?(?:réservé|exclusivement réservé) aux abonnés"
        r"|^il vous reste \d{1,3} ?% de cet article"
        r"|^(?:abonnez-vous|inscrivez-vous) pour (?:lire|continuer)"
        r"|^(?:este|el) (?:contenido|artículo) es (?:exclusivo )?(?:para|solo para) (?:suscriptores|socios)"
        r"|^(?:suscríbete|suscribete|regístrate) (?:para|y) (?:seguir leyendo|leer|continuar)",
        max_chars=200,
    ),
    # --- subscription, login, newsletter, cookie prompts ---
    LineRule(
        "subscribe_prompt",
        "Short subscription call to action: 'Subscribe now for unlimited access', 'Start your free trial'",
        "boilerplate",
        r"^(?:subscribe|subscription|start (?:your )?(?:free )?trial|try (?:it )?(?:for )?free|"
        r"get (?:unlimited|"
        r"full|digital) access|unlock (?:unlimited|full|this)|become a (?:subscriber|member)|support (?:our|"
        r"independent) journalism|jetzt (?:abonnieren|abo|testen|gratis testen|registrieren)|abonnieren sie|"
        r"abonnez-vous|je m'abonne|je m’abonne|s'abonner|suscríbete|suscribete|hazte (?:socio|suscriptor))\b"
        r"[^.!?]{0,80}[.!?→»]?\s*$",
        max_chars=120,
    ),
    LineRule(
        "plan_terms",
        "Subscription plan terms: 'Renews automatically, cancel anytime', 'per month, billed annually'",
        "boilerplate",
        r"^(?:renews automatically|auto-?renews|cancel (?:at )?any ?time|billed (?:annually|monthly|yearly)|"
        r"jederzeit kündbar|monatlich kündbar|sans engagement|résiliable à tout moment|"
        r"cancela cuando quieras|"
        r"sin permanencia)\b[^.!?]{0,60}[.!]?$"
        r"|^here(?:'|’)s what(?:'|’)s included in\b",
        max_chars=120,
    ),
    LineRule(
        "price_line",
        "A price on its own: '₹900', '$4.99/month', '9,99 € pro Monat'",
        "boilerplate",
        rf"^(?:(?:only |just |nur |seulement |solo )?{_PRICE} ?\d{{1,6}}(?:[.,]\d{{1,3}}){{0,2}}|"
        rf"\d{{1,6}}(?:[.,]\d{{1,3}}){{0,2}} ?{_PRICE})"
        r"(?: ?(?:/|per|a|pro|par|al|por) ?(?:month|mo|year|yr|week|monat|jahr|woche|mois|an|semaine|mes|año|"
        r"semana))?\.?\*?$",
        max_chars=40,
    ),
    LineRule(
        "login_prompt",
        "Login nag: 'Already subscribed? Log in', 'Sign in', 'Bereits Abonnent? Anmelden' (en/de/fr/es)",
        "boilerplate",
        r"^(?:already (?:a )?(?:subscribed|subscriber|member|registered|have an account)\??|"
        r"have an account\?|"
        r"bereits (?:abonnent(?:in)?|registriert|kunde)\??|schon (?:abonnent|registriert)\??|"
        r"déjà (?:abonné|inscrit)(?:\s?\?)?|¿?ya (?:eres|estás) (?:suscriptor|registrado)\??)"
        r"\s*(?:[-–|]\s*)?(?:log ?in|sign ?in|login|anmelden|einloggen|hier anmelden|se connecter|"
        r"connectez-vous|"
        r"inicia sesión|iniciar sesión|entrar)?[.!→ ]{0,3}$"
        r"|^(?:log ?in|sign ?in|login|register|anmelden|einloggen|registrieren|se connecter|connexion|"
        r"s'inscrire|iniciar sesión|inicia sesión|registrarse)(?:\s?(?:/|\||or|oder|ou|o)\s?"
        r"(?:register|sign up|subscribe|registrieren|abonnieren|s'inscrire|s’abonner|registrarse|"
        r"suscribirse))?$",
        max_chars=80,
    ),
    LineRule(
        "newsletter_box",
        "Newsletter sign-up box: 'Sign up for our newsletter', 'Newsletter abonnieren' (en/de/fr/es)",
        "boilerplate",
        r"^(?:sign up|subscribe|register) (?:for|to) (?:our|the|a)\b.{0,40}\b(?:newsletter|briefing|email|"
        r"alerts?|digest)"
        r"|^(?:get|receive) (?:the|our) .{0,40}\b(?:newsletter|briefing|headlines)\b.{0,40}(?:inbox|email)"
        r"|^(?:enter your e-?mail(?: address)?|your e-?mail address|e-?mail address)\b.{0,30}$"
        r"|^newsletters?(?: (?:abonnieren|bestellen|anmelden))?$"
        r"|^(?:jetzt )?(?:zum |für den )?newsletter (?:anmelden|abonnieren|bestellen)"
        r"|^(?:inscrivez-vous|abonnez-vous) à (?:notre|la) (?:newsletter|lettre)"
        r"|^(?:suscríbete|suscribete|apúntate) a (?:nuestro|nuestra|la|el) (?:newsletter|boletín)",
        max_chars=160,
    ),
    LineRule(
        "cookie_notice",
        "Cookie/consent banner: 'We use cookies…', 'Accept all' (en/de/fr/es)",
        "boilerplate",
        r"^(?:this (?:web)?site uses cookies|we (?:use|"
        r"and our partners use) cookies(?: and similar \w{1,15})?"
        r" (?:to|on|so|for)\b|by (?:continuing to "
        r"(?:use|browse)|using) (?:this|our) (?:site|website)\b.{0,40}\bcookies|"
        r"(?:diese|unsere) (?:website|webseite|seite) (?:verwendet|nutzt) cookies|wir (?:verwenden|nutzen|"
        r"setzen) cookies|"
        r"ce site (?:web )?utilise des cookies|nous utilisons des cookies|en poursuivant votre navigation|"
        r"(?:este|nuestro) sitio web (?:utiliza|usa) cookies|(?:utilizamos|usamos) cookies)"
        r"|^(?:accept|reject|allow|decline)(?: all)?(?: cookies)?$|^cookie (?:settings|policy|preferences)$"
        r"|^(?:alle )?(?:akzeptieren|ablehnen)$|^cookie-einstellungen$|^tout (?:accepter|refuser)$"
        r"|^(?:aceptar|rechazar)(?: todas?)?(?: las cookies)?$|^(?:manage|customi[sz]e) (?:cookies|consent|"
        r"preferences|options)$",
        max_chars=400,
    ),
    LineRule(
        "paywall_counter",
        "Metered-paywall counter: 'You've read 3 stories this month', '2 of 5 free articles' (en/de/fr/es)",
        "boilerplate",
        r"^(?:you(?:'|’)ve read|you have read|you have) (?:\d{1,3}|one|two|three|four|five)\b"
        r"[^.!?]{0,40}\b(?:articles?|stories|free|left|remaining)\b[^.!?]{0,60}[.!?]?$"
        r"|^(?:this is )?your (?:\d{1,3}(?:st|nd|rd|th)|first|second|third|last) "
        r"free (?:article|story)\b.{0,60}$"
        r"|^\d{1,3} (?:of|/|von) \d{1,3} (?:free |kostenlosen? |gratuits? )?(?:articles?|stories|artikeln?)"
        r"\b.{0,60}$"
        r"|^(?:sie haben|du hast) (?:bereits |noch )?(?:\d{1,3}|einen?|zwei|drei)\b"
        r".{0,40}\b(?:artikeln?|beiträgen?)\b.{0,60}$"
        r"|^il vous reste \d{1,3} articles?\b.{0,60}$"
        r"|^(?:te|le) quedan? \d{1,3} (?:artículos?|noticias)\b.{0,60}$",
        max_chars=160,
    ),
    LineRule(
        "donation_prompt",
        "Donation/membership prompt: 'Help us deliver journalism…', 'Become a member from £4 a month'",
        "boilerplate",
        r"^(?:please )?(?:donate|give) (?:now|today|to (?:us|our|the)\b)[^\n]{0,80}$"
        r"|^(?:please )?support (?:us|our (?:work|journalism|newsroom|reporting)|independent journalism|"
        r"local (?:journalism|news)|quality journalism)\b[^\n]{0,160}$"
        r"|^help us (?:deliver|keep|fund|continue|produce|do)\b"
        r".{0,80}\b(?:journalism|reporting|news|coverage|newsroom)\b.{0,120}$"
        r"|^become a (?:member|supporter|patron|subscriber)(?:\W{0,3}$|(?: today| now)?\s?(?:from|for|and|to|"
        r"—|-|–|:|,)\s[^.!?]{0,100}[.!?]?$)"
        r"|^(?:make a|your) (?:one-off |one-time |single |monthly |annual )?(?:contribution|donation|gift)\b"
        r".{0,80}$"
        r"|^(?:jetzt |einfach )?spenden\b.{0,60}$|^unterstützen sie (?:uns|unsere arbeit|unabhängigen "
        r"journalismus|\w{1,20}\.\w{2,4})\b.{0,120}$|^werden sie (?:mitglied|unterstützer)\b.{0,80}$"
        r"|^soutenez(?:-nous| notre| le journalisme)\b.{0,100}$|^faire un don\b.{0,60}$"
        r"|^(?:hazte|hágase) (?:socio|miembro|mecenas)\b.{0,80}$|^apoya (?:nuestro|el) periodismo\b.{0,80}$",
        max_chars=300,
    ),
    LineRule(
        "signin_prompt",
        "Sign-in and visitor widgets: 'Sign in to comment', 'Create a free account', 'Welcome, guest'",
        "boilerplate",
        r"^(?:please )?(?:sign|log) ?(?:in|up) (?:to|or|with|for)\b[^.!?]{0,50}[.!?]?$"
        r"|^(?:create|open) (?:a |an |your )?(?:free )?account\b[^.!?]{0,40}[.!?]?$"
        r"|^register (?:for free|now|here)\b[^.!?]{0,40}[.!?]?$"
        r"|^(?:welcome|hello|hi),? (?:visitor|guest|reader)\b[^.!?]{0,40}[.!?]?$"
        r"|^you are (?:not )?(?:currently )?(?:logged|signed) (?:in|out)\b[^.!?]{0,40}[.!?]?$"
        r"|^(?:forgot (?:your )?password\??|my account|my profile|not a (?:member|subscriber)\?.{0,40}|"
        r"don(?:'|’)t have an account\?.{0,40}|need an account\?.{0,40}|anmelden oder registrieren|"
        r"(?:noch )?kein konto\?.{0,40}|mein konto|passwort vergessen\??|mon compte|mi cuenta)$",
        max_chars=120,
    ),
    LineRule(
        "weather_widget",
        "Weather and opening-hours widgets: '72°F Sunny', 'Mon-Fri: 9am - 5pm', 'Öffnungszeiten: …'",
        "boilerplate",
        r"^-?\d{1,3} ?°(?: ?[cf])?(?:\s?/\s?-?\d{1,3} ?°(?: ?[cf])?)?(?:\s[\w ,.-]{0,30})?$"
        r"|^(?:weather|wetter|météo|el tiempo|forecast)\b.{0,40}-?\d{1,3} ?°.{0,30}$"
        r"|^(?:sunny|cloudy|partly cloudy|mostly (?:sunny|cloudy)|rain|showers|clear|overcast|fog|snow|"
        r"thunderstorms?|sonnig|bewölkt|regen)\s?-?\d{1,3} ?°.{0,20}$"
        r"|^(?:opening hours|office hours|hours|öffnungszeiten|horaires(?: d'ouverture)?|horario)\s?:.{0,80}$"
        r"|^(?:mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|lun|mar|mer|jeu|ven|sam|dim)[a-z.]{0,7}"
        r"(?:\s?[-–]\s?[a-z]{2,9}\.?)?\s?:?\s?\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm|uhr|h)?\s?[-–]\s?"
        r"\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm|uhr|h)?$",
        max_chars=120,
    ),
    LineRule(
        "newsletter_de",
        "German newsletter prompt: 'Melden Sie sich für unseren Newsletter an', 'Ihre E-Mail-Adresse'",
        "boilerplate",
        r"^(?:jetzt |hier )?(?:melden sie sich|registrieren sie sich|tragen sie sich) "
        r"(?:jetzt |hier |kostenlos )?(?:für|zu|zum|bei) (?:unseren?|den|dem|unserem) "
        r"[^.!?]{0,40}newsletter\b[^\n]{0,120}$"
        r"|^(?:abonnieren|bestellen) sie (?:jetzt |hier |kostenlos )?(?:unseren?|den) "
        r"[^.!?]{0,40}newsletter\b[^\n]{0,120}$"
        r"|^(?:hier |jetzt )?(?:zum|für den) [^.!?]{0,30}newsletter "
        r"(?:anmelden|abonnieren|registrieren)\b.{0,60}$"
        r"|^(?:jetzt )?(?:kostenlos(?:en)? )?(?:[\w-]{1,30}-)?newsletter(?: kostenlos)? "
        r"(?:abonnieren|bestellen|anmelden|erhalten)\b.{0,60}$"
        r"|^newsletter ?: ?(?:jetzt |hier )?(?:anmelden|abonnieren|bestellen|registrieren)\b.{0,80}$"
        r"|^ich möchte (?:den|einen|unseren) [^.!?]{0,30}newsletter\b.{0,80}$"
        r"|^(?:ihre|deine) e-?mail-?adresse\b.{0,40}$"
        r"|^mit (?:unserem|dem kostenlosen) [^.!?]{0,30}newsletter\b.{0,100}$",
        max_chars=260,
        keywords=("newsletter", "mail"),
    ),
    LineRule(
        "ad_marker",
        "Ad and widget markers: 'Advertisement', 'Buy photo', 'Posted!', 'less', 'Now watching', '1 of 5'",
        "boilerplate",
        r"^(?:advertisement|advertising|advert|ad|ads|anzeige|werbung|publicité|publicidad|"
        r"sponsored(?: content)?|paid (?:content|post)|buy (?:this )?photo|posted!|less|more|"
        r"show (?:more|less)|read less|"
        r"view (?:photo|photos|gallery|comments?|image)|now (?:watching|playing)|up next|skip ad|close ad|"
        r"story continues below(?: advertisement)?|article continues below(?: advertisement)?|"
        r"continue reading (?:below|the main story)|"
        r"next video starts in\b.{0,20}|(?:photo|image|slide) \d{1,3} (?:of|/) \d{1,3}|"
        r"\d{1,3} (?:of|/) \d{1,3}|"
        r"\d{1,6} comments?|comments? \(\d{1,6}\)|(?:\d{1,6} )?(?:shares?|likes?|views?)|"
        r"video (?:ad )?feedback|report this ad|ad feedback)\W{0,3}$",
        max_chars=60,
    ),
    LineRule(
        "separator_line",
        "A separator: a line of '_', '*', '…', '=', '-' or bullets only ('* * *', '____', '……')",
        "boilerplate",
        r"^(?:[_*…=~\-–—•·.#+|/\\<>]\s?){2,200}$|^…$",
        max_chars=400,
    ),
    # --- navigation ---
    LineRule(
        "skip_link",
        "Accessibility/navigation links: 'Skip to content', 'Skip to toolbar', 'Zum Inhalt springen'",
        "boilerplate",
        r"^(?:skip to (?:main )?(?:content|navigation|toolbar|search|footer)|jump to (?:content|navigation)|"
        r"zum (?:inhalt|hauptinhalt|seitenanfang)(?: springen)?|aller au (?:contenu|menu)|"
        r"saltar al (?:contenido|menú)|back to top|nach oben|retour en haut|volver arriba)\W{0,3}$",
        max_chars=60,
    ),
    LineRule(
        "breadcrumb",
        "Breadcrumb trail: 'News / Syria', 'Home > World > Europe'",
        "boilerplate",
        # possessive word runs ({1,25}+): a separator never starts with a word character, so giving back
        # part of a word or of a phrase can never let the rest match; without them prose backtracks a lot
        r"^[\w&'’.-]{1,25}+(?:[ \u00a0][\w&'’.-]{1,25}+){0,3}+"
        r"(?:(?:[ \u00a0]{1,4}(?:/|>|\|)[ \u00a0]{1,4}|[ \u00a0]{0,4}[›»][ \u00a0]{0,4})"
        r"[\w&'’.-]{1,25}+(?:[ \u00a0][\w&'’.-]{1,25}+){0,3}+){1,6}$",
        max_chars=100,
    ),
    LineRule(
        "read_more",
        "Lead to another article: 'Read More:', 'Related:', 'Lesen Sie auch', 'Lire aussi', 'Lee también'",
        "boilerplate",
        r"^(?:read more|read also|also read|read next|more reading|related(?: articles?| stories| content| "
        r"news| coverage| posts| links| topics)?|see also|recommended(?: for you| stories)?|more (?:stories|"
        r"news)|"
        r"most (?:read|popular|viewed)|trending(?: now)?|top stories|editor(?:'|’)s picks|you may also like|"
        r"you might also like|lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|das könnte sie auch "
        r"interessieren|weitere artikel|lire aussi|à lire aussi|a lire aussi|sur le même sujet|voir aussi|"
        r"lire la suite|lee también|leer más|te puede interesar|noticias relacionadas|más noticias|"
        r"continue reading|weiterlesen|more on this (?:story|topic)|more like this|related reading|"
        r"you may also be interested in|mehr themen|schon gelesen\??|empfohlene (?:beiträge|artikel)|"
        r"ähnliche (?:beiträge|artikel)|das könnte dich auch interessieren|"
        r"weitere (?:beiträge|artikel|meldungen|nachrichten)(?: [\w -]{1,40})?|à lire également|"
        r"sur le même thème|más sobre(?: [\w -]{1,40})?|te puede interesar también)"
        r"(?:\s?[:»›>→|]\s?[^\n]{0,160}|\W{0,3})$"
        r"|^more (?:from|in) [\w'’ &.-]{1,40}$|^(?:latest|more) (?:headlines|videos)\W{0,3}$",
        max_chars=200,
    ),
    LineRule(
        "share_widget",
        "Share/print/comment widget text: 'Share this article', 'Facebook Twitter WhatsApp', 'shared on'",
        "boilerplate",
        predicate=_share_widget,
        max_chars=120,
    ),
    LineRule(
        "app_promo",
        "App/TV platform links: 'Press TV News Roku', 'Download our app on Google Play'",
        "boilerplate",
        r"^(?:download (?:our|the) app|get (?:our|the) app)\b"
        r"|^[^.!?]{0,50}\b(?:roku|app store|google play|apple tv|android tv|fire tv)$",
        max_chars=80,
        keywords=("app", "roku", "google play", " tv"),
    ),
    # --- footers and notices ---
    LineRule(
        "alternate_address",
        "Site footer listing alternate addresses/mirrors of the site",
        "paywall",
        r"\b(?:can also be accessed at|alternate (?:addresses|domains)|mirror sites?)\b",
        max_chars=200,
        keywords=("accessed", "alternate", "mirror"),
    ),
    LineRule(
        "copyright_footer",
        "Copyright footer: '© 2024 Example Media. All rights reserved.'",
        "boilerplate",
        r"^(?:copyright|©|\(c\))\s?.{0,80}(?:\d{4}|rights reserved|alle rechte|tous droits|"
        r"todos los derechos)"
        r"|\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|"
        r"todos los derechos reservados)"
        r"\W{0,3}$"
        r"|^this (?:article|story|content|material) is (?:the )?copyrighted property of\b"
        r"|^(?:written )?permission must be obtained before (?:any )?(?:reprint|republication)",
        max_chars=200,
        keywords=("copyright", "©", "(c)", "rights", "rechte", "droits", "derechos", "permission"),
    ),
    LineRule(
        "disclaimer",
        "Syndication/auto-generation disclaimer: 'Disclaimer: No … journalist was involved…'",
        "boilerplate",
        predicate=_disclaimer,
        max_chars=400,
    ),
    LineRule(
        "template_placeholder",
        "Unrendered template placeholder: '{{free_limit}}', '{% if %}', '${name}'",
        "boilerplate",
        r"\{\{ ?[\w.\-]{1,40} ?\}\}|\{% ?\w{1,20}|\$\{[\w.]{1,40}\}",
        max_chars=400,
        keywords=("{",),
    ),
    # --- captions and photo credits ---
    LineRule(
        "photo_credit",
        "Caption ending in a photo credit: '(Photo by Reuters)', '©AFP', 'Foto: dpa', 'Getty Images'",
        "caption",
        predicate=_photo_credit,  # its own prefilters look at the tail it reads
        max_chars=500,
    ),
    LineRule(
        "caption_position",
        "Caption with a position marker: 'Vladimir Putin (L) shakes hands…', '(l.)', '(à gauche)', '(izq.)'",
        "caption",
        r"\((?:l|r|c|left|right|centre|center|front|back|top|bottom|\d(?:st|nd|rd|th) (?:l|r|left|right)"
        r"|l to r|l-r"
        r"|l\.|r\.|m\.|links|rechts|mitte|v\. ?l\.(?: ?n\. ?r\.)?"  # de
        r"|à gauche|à droite|au centre|de g\. à d\."  # fr
        r"|izq\.|izda\.|der\.|dcha\.|centro|a la izquierda|a la derecha|de izq\. a dcha\.)\)",  # es
        max_chars=400,
        keywords=("(",),
    ),
    LineRule(
        "caption_dated_scene",
        "One present-tense scene sentence ending on a date (photo caption without credit, en/de/fr/es)",
        "caption",
        predicate=_dated_scene_caption,
        max_chars=400,
    ),
)

RULES_BY_ID: dict[str, LineRule] = {r.id: r for r in RULES}
