"""Tolerant date parsing for record fields and dateline strings: ``parse_date(s) -> UTC datetime | None``."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime

from dateutil import parser as _dateutil

__all__ = ["MAX_YEAR", "MIN_YEAR", "looks_like_date", "parse_date"]

MIN_YEAR = 1990  # scraped news: earlier years are parsing accidents ("1 Year", page counters)
MAX_YEAR = 2100

_MAX_INPUT = 100  # a date string is short; longer input is cut (dateutil is slow on long strings)

# "Published: …", "Updated on …", "Veröffentlicht am …", "Publié le …", "Publicado el …"
_PREFIX = re.compile(
    r"^(?:published|posted|updated|last updated|first published|modified|date|"
    r"veröffentlicht|aktualisiert|stand|erstellt|publié|mis à jour|modifié|publicado|actualizado)"
    r"(?: (?:on|at|am|um|le|el))?\s?:?\s*",
    re.IGNORECASE,
)
_MONTHS = {
    # de
    "januar": "January", "jänner": "January", "februar": "February", "märz": "March", "april": "April",
    "mai": "May", "juni": "June", "juli": "July", "august": "August", "september": "September",
    "oktober": "October", "november": "November", "dezember": "December",
    # fr
    "janvier": "January", "février": "February", "fevrier": "February", "mars": "March", "avril": "April",
    "juin": "June", "juillet": "July", "août": "August", "aout": "August", "septembre": "September",
    "octobre": "October", "novembre": "November", "décembre": "December", "decembre": "December",
    # es
    "enero": "January", "febrero": "February", "marzo": "March", "abril": "April", "mayo": "May",
    "junio": "June", "julio": "July", "agosto": "August", "septiembre": "September", "setiembre": "September",
    "octubre": "October", "noviembre": "November", "diciembre": "December",
}  # fmt: skip
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_FILLER = re.compile(r"\b(?:de|del|um|à|a las|uhr|h)\b\.?", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
_DOTTED_DAY_FIRST = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b")  # 12.03.2019 is 12 March in Europe
_DAY_MONTH_DOT = re.compile(r"\b(\d{1,2})\.\s?(?=[A-Za-z])")  # German "9. September 2016"

# What a standalone date line is made of: numbers, month and weekday names, am/pm, zone names, separators.
_DATE_TOKEN = re.compile(
    r"^(?:\d{1,4}(?:st|nd|rd|th)?|\d{1,2}t\d{1,2}|[ap]\.?m\.?|utc|gmt|[a-z]{2,4}t|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-zé]{0,7}|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    + "|".join(_MONTHS)
    + r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|uhr|de|del|le|am|um|à|at|on|el)$",
    re.IGNORECASE,
)
_TOKENS = re.compile(r"[^\s,./:\-–|()+]{1,20}")


def _to_utc(d: datetime) -> datetime | None:
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    try:
        d = d.astimezone(UTC)
    except (ValueError, OverflowError):  # an impossible offset ("+99:00") is no date
        return None
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None


_EN_MONTHS = {
    m: i
    for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october")
        + ("november", "december"),
        1,
    )
}
# The commonest dateline, "September 9, 2016" with an optional "8:00 am": parsed directly, the same as
# dateutil does (a differential test holds them together); dateutil costs ~50 µs a call.
_EN_DATE = re.compile(
    r"(" + "|".join(_EN_MONTHS) + r") (\d{1,2}), (\d{4})(?: ([1-9]|1[0-2]):([0-5]\d) ?([ap]m))?",
    re.IGNORECASE,
)


def _en_date(s: str) -> datetime | None:
    m = _EN_DATE.fullmatch(s)
    if m is None:
        return None
    month, day, year, hour, minute, ampm = m.groups()
    h = 0 if hour is None else int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return datetime(int(year), _EN_MONTHS[month.lower()], int(day), h, int(minute or 0))
    except ValueError:
        return None


def parse_date(s: str) -> datetime | None:
    """A timezone-aware UTC datetime from a date string, or None.

    Accepts ISO 8601 ("2016-09-09", "2016-09-09T08:00:00+03:00"), English dates with times
    ("September 9, 2016 8:00 am"), German/French/Spanish month names ("9. September 2016", "9 juin 2016"),
    and "Published: …"-style prefixes. Naive times are taken as UTC. Years outside 1990..2100 are refused.
    """
    if not s:
        return None
    s = _PREFIX.sub("", s.strip()[:_MAX_INPUT]).strip()
    if not s or not _HAS_DIGIT.search(s):
        return None
    try:
        return _to_utc(datetime.fromisoformat(s))
    except ValueError:
        pass
    if (d := _en_date(s)) is not None:
        return _to_utc(d)
    s = _MONTH_WORD.sub(lambda m: _MONTHS[m.group(1).lower()], s)
    s = _DAY_MONTH_DOT.sub(r"\1 ", s)
    s = _FILLER.sub(" ", s)
    try:
        with warnings.catch_warnings():  # unknown zone names ("CST") are taken as UTC, quietly
            warnings.simplefilter("ignore")
            d = _dateutil.parse(s, fuzzy=False, dayfirst=bool(_DOTTED_DAY_FIRST.match(s)))
    except (ValueError, OverflowError, TypeError):
        return None
    return _to_utc(d)


def looks_like_date(line: str, max_chars: int = 60) -> bool:
    """True when a line is only a date (and time): made of date tokens, with a year or a month name."""
    s = _PREFIX.sub("", line.strip())
    if not s or len(s) > max_chars or not _HAS_DIGIT.search(s):
        return False
    tokens = _TOKENS.findall(s)
    return bool(tokens) and all(_DATE_TOKEN.match(t) for t in tokens)
