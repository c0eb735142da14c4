"""Shaping one scraped record into one article row: field aliases, outlet, stable ids. Pure."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "TEXT_KEYS",
    "HTML_KEYS",
    "RecordError",
    "JsonFields",
    "json_fields",
    "make_doc_id",
    "domain_of",
    "derive_source",
    "clean_field",
    "replace_surrogates",
    "has_prose",
]

TEXT_KEYS = ("text", "maintext", "content", "body")
HTML_KEYS = ("html", "raw_html")
PUBLISHED_KEYS = ("published", "date_publish")
SOURCE_KEYS = ("source", "source_domain")
MAX_FIELD_CHARS = 2048  # url, title, source, author: longer is not metadata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# a lone surrogate: JSON's "\ud800" escape decodes to one (a pair decodes to its character), and no UTF-8
# writer (Parquet, polars, lxml) accepts it
_SURROGATE = re.compile("[\ud800-\udfff]")


class RecordError(ValueError):
    """A record that cannot become an article; ``reason`` is the reject reason id."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class JsonFields:
    text: str | None
    html: str | None
    url: str | None
    title: str | None
    published: str | None
    source: str | None
    author: str | None
    replaced: bool = False  # lone surrogates were replaced by U+FFFD in one of the fields


def replace_surrogates(value: str) -> str:
    """``value`` with each lone surrogate (what a JSON ``"\\udc80"`` escape gives) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def clean_field(value: Any) -> str | None:
    """A short metadata field as one clean line: strings (and numbers) only, controls and runs of
    whitespace folded, capped; empty becomes None. Field values are data, never paths."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    return value[:MAX_FIELD_CHARS] or None


def _first_str(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def json_fields(obj: Any) -> JsonFields:
    """The article fields of one scraper JSON object, with the usual aliases.

    Raises RecordError(``not_an_object``) for JSON that is not an object and (``no_text``) when
    none of the text or HTML keys holds a non-empty string.
    """
    if not isinstance(obj, dict):
        raise RecordError("not_an_object", f"JSON line is a {type(obj).__name__}, not an object")
    text = _first_str(obj, TEXT_KEYS)
    html = None if text is not None else _first_str(obj, HTML_KEYS)
    if text is None and html is None:
        keys_of_text = (*TEXT_KEYS, *HTML_KEYS)
        wrong = [k for k in keys_of_text if obj.get(k) is not None and not isinstance(obj[k], str)]
        if wrong:
            k = wrong[0]
            raise RecordError("bad_value", f"field {k!r} is a JSON {_json_type(obj[k])}, not a string")
        keys = ", ".join(sorted(map(str, obj))[:12])
        raise RecordError("no_text", f"no non-empty text ({'/'.join(TEXT_KEYS)}) or html field; keys: {keys}")
    author = (
        obj.get("author")
        if not isinstance(obj.get("authors"), list)
        else ", ".join(a for a in obj["authors"] if isinstance(a, str))
    )
    fields = {
        "text": text,
        "html": html,
        "url": clean_field(obj.get("url")),
        "title": clean_field(obj.get("title")),
        "published": clean_field(_published(obj)),
        "source": clean_field(_first_str(obj, SOURCE_KEYS)),
        "author": clean_field(author),
    }
    fixed = {k: replace_surrogates(v) for k, v in fields.items() if v is not None}
    replaced = any(fixed[k] is not fields[k] for k in fixed)
    return JsonFields(**{**fields, **fixed}, replaced=replaced)


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


# epoch timestamps as scrapers write them: seconds (10 digits) or milliseconds (13), 2001-09-09 onwards
_EPOCH_S, _EPOCH_MS = (1_000_000_000, 9_999_999_999), (1_000_000_000_000, 9_999_999_999_999)


def _published(obj: dict[str, Any]) -> str | None:
    """The publication date field as text: a string as it is, an epoch number (seconds or milliseconds)
    as an ISO 8601 UTC timestamp; anything else None."""
    got = _first_str(obj, PUBLISHED_KEYS)
    if got is not None:
        return got
    for key in PUBLISHED_KEYS:
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        seconds = value if _EPOCH_S[0] <= value <= _EPOCH_S[1] else None
        if _EPOCH_MS[0] <= value <= _EPOCH_MS[1]:
            seconds = value / 1000
        if seconds is not None:
            return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return None


def make_doc_id(source_path: str, source_line: int | None) -> str:
    """Stable id of a record: the same file path (relative to the raw root) and line give the same id
    in every run, on every machine, whatever else is in the folder."""
    key = f"{unicodedata.normalize('NFC', source_path)}\x00{'' if source_line is None else source_line}"
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def domain_of(url: str | None) -> str | None:
    """The host of an http(s) URL, lower case, without ``www.`` and port."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def derive_source(record_source: str | None, url: str | None, source_path: str) -> str:
    """The outlet: the record's own field, else the URL's domain, else the first folder under the raw
    root (users drop files into ``data/raw/<outlet>/``), else ``unknown``."""
    if record_source:
        return record_source.strip()
    domain = domain_of(url)
    if domain:
        return domain
    parts = source_path.split("/")
    return parts[0] if len(parts) > 1 else "unknown"


def has_prose(text: str, min_words: int = 8) -> bool:
    """Whether extracted text holds at least one sentence-sized line. What an extractor finds on a 404
    or a menu page ("Home", "News", "Page not found.") is a list of short labels, not an article."""
    return any(len(line.split()) >= min_words for line in text.splitlines())
