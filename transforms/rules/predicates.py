"""Rules no bounded pattern says well alone: share widgets, photo credits, dated scene captions and
syndication disclaimers, as predicates over one line."""

from __future__ import annotations

import re

__all__ = [
    "_CAPTION_SCENE",
    "_CAPTION_SCENE_EU",
    "_CREDIT",
    "_CREDIT_END_SLACK",
    "_CREDIT_FIXED",
    "_CREDIT_FIXED_TAIL",
    "_CREDIT_PAREN",
    "_CREDIT_TRIGGERS",
    "_CREDIT_WORDS",
    "_DISCLAIMER_HEAD",
    "_DISCLAIMER_PHRASE",
    "_DISCLAIMER_PHRASE_WORDS",
    "_DISCLAIMER_SCREEN",
    "_ENDS_WITH_DATE",
    "_ENDS_WITH_DATE_EU",
    "_FIRST_WORD",
    "_MONTHS",
    "_SHARE_CORE",
    "_SHARE_WORDS",
    "_WORD",
    "_credit_start",
    "_dated_scene_caption",
    "_disclaimer",
    "_photo_credit",
    "_share_widget",
]


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
# what _disclaimer needs (LineRule.screen): a head word, or a phrase keyword
_DISCLAIMER_SCREEN = (
    "disclaimer",
    "haftungsausschluss",
    "avertissement",
    "aviso legal",
    "descargo de responsabilidad",
    *_DISCLAIMER_PHRASE_WORDS,
)


def _disclaimer(s: str) -> bool:
    if _DISCLAIMER_HEAD.match(s):
        return True
    low = s.lower()
    for w in _DISCLAIMER_PHRASE_WORDS:
        if w in low:
            return _DISCLAIMER_PHRASE.search(s) is not None
    return False
