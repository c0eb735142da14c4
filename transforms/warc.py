"""One WARC response record's bytes -> an HTML page as text, with its metadata. Pure: bytes and strings in,
values out; the file reading (FastWARC) lives in flows/warc.py.

Crawls store HTTP as it came off the wire, so each step here tolerates what real crawlers write: a
missing HTTP header block, LF-only header lines, ``Transfer-Encoding: chunked`` bodies stored chunked or
already joined, ``Content-Encoding: gzip`` bodies stored compressed or already decoded, and charsets
declared wrongly, twice, or not at all.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import brotli

from transforms.dates import MAX_YEAR, MIN_YEAR
from transforms.decode import Decoded, decode_bytes, html_declared_charset
from transforms.records import RecordError

__all__ = [
    "HTML_TYPES",
    "HttpMessage",
    "split_http",
    "parse_content_type",
    "is_html",
    "status_reject",
    "decode_chunked",
    "decode_content",
    "charset_label",
    "decode_html",
    "warc_date",
    "target_uri",
]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml"})
MAX_HTTP_HEADER = 64 * 1024  # an HTTP header block longer than this is not one

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(rb"HTTP/\d(?:\.\d)?\s+(\d{3})\b")
_MARKUP_START = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<", re.ASCII)
_HTML_SNIFF = re.compile(
    rb"\s*(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,2000}?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")
_WARC_14_DIGITS = re.compile(r"\d{14}")


@dataclass(frozen=True)
class HttpMessage:
    status: int | None  # None when the record has no HTTP header block
    headers: dict[str, str]  # names lower case; a repeated header keeps its first value
    body: bytes


def split_http(block: bytes) -> HttpMessage:
    """Split a response record's block into status, headers and body. A block that does not start with
    an HTTP status line is taken as the body itself (crawlers that store the page without headers)."""
    if not block.lstrip()[:5].upper().startswith(b"HTTP/"):
        return HttpMessage(status=None, headers={}, body=block)
    offset = len(block) - len(block.lstrip())
    end = _HEADER_END.search(block, offset, offset + MAX_HTTP_HEADER)
    head, body = (block[offset : end.start()], block[end.end() :]) if end else (block[offset:], b"")
    lines = head.decode("latin-1").splitlines()
    m = _STATUS_LINE.match(lines[0].encode("latin-1")) if lines else None
    headers: dict[str, str] = {}
    last = None
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and last is not None:  # obsolete line folding
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        last = name.strip().lower()
        headers.setdefault(last, value.strip())
    return HttpMessage(status=int(m.group(1)) if m else None, headers=headers, body=body)


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """(media type lower case, charset label) of a Content-Type value; either may be None."""
    if not value:
        return None, None
    parts = value.split(";")
    mime = parts[0].strip().lower() or None
    charset = None
    for p in parts[1:]:
        key, _, val = p.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip() or None
            break
    return mime, charset


def is_html(mime: str | None, body: bytes) -> bool:
    """An HTML or XHTML page: by its media type, or, when the type is missing or generic, by its start."""
    if mime in HTML_TYPES:
        return True
    if mime in (None, "", "application/octet-stream", "text/plain", "unknown/unknown"):
        return _HTML_SNIFF.match(body[:2048]) is not None
    return False


def status_reject(status: int | None) -> tuple[str, str] | None:
    """(reason, detail) for a response whose status says it holds no page, else None (2xx, or no
    status line at all)."""
    if status is None or 200 <= status < 300:
        return None
    if 300 <= status < 400:
        return "http_redirect", f"HTTP {status}: a redirect, not a page"
    return "http_error", f"HTTP {status}"


def decode_chunked(body: bytes) -> bytes | None:
    """The body of a ``Transfer-Encoding: chunked`` message joined, or None when the bytes are not
    chunked (the crawler stored them joined). A body cut before the last chunk keeps what arrived."""
    out = []
    pos = 0
    while True:
        m = _CHUNK_SIZE.match(body, pos)
        if m is None:
            return None if pos == 0 else b"".join(out)
        size = int(m.group(1), 16)
        pos = m.end()
        if size == 0:
            return b"".join(out)
        out.append(body[pos : pos + size])
        pos += size
        if pos >= len(body):
            return b"".join(out)
        if body.startswith(b"\r\n", pos):
            pos += 2
        elif body.startswith(b"\n", pos):
            pos += 1


def _inflate(data: bytes, wbits: int, cap: int) -> bytes:
    """zlib/gzip data decompressed up to ``cap`` bytes (a cut stream keeps what it held); concatenated
    gzip members are all read."""
    out: list[bytes] = []
    total = 0
    while data:
        d = zlib.decompressobj(wbits)
        chunk = d.decompress(data, cap + 1 - total)
        out.append(chunk)
        total += len(chunk)
        if total > cap or d.unconsumed_tail:
            raise RecordError("decompression_limit", f"body decompresses to more than {cap} bytes")
        data = d.unused_data if d.eof and wbits > 15 else b""
        if data and not data.startswith(b"\x1f\x8b"):
            break
    return b"".join(out)


def _unbrotli(data: bytes, cap: int) -> bytes:
    d = brotli.Decompressor()
    out = d.process(data, output_buffer_limit=cap + 1)
    if len(out) > cap or not d.can_accept_more_data():
        raise RecordError("decompression_limit", f"body decompresses to more than {cap} bytes")
    return out


def decode_content(body: bytes, content_encoding: str | None, cap: int) -> bytes:
    """The body with its ``Content-Encoding`` (gzip, deflate, br) undone, capped at ``cap`` bytes.
    A body that already reads as markup was stored decoded by the crawler and is returned as it is.
    Raises RecordError(``undecodable`` or ``decompression_limit``)."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):  # undo the last applied first
        if coding in ("identity", "none") or _MARKUP_START.match(body[:64]):
            continue
        try:
            if coding in ("gzip", "x-gzip") and body[:2] == b"\x1f\x8b":
                body = _inflate(body, 31, cap)
            elif coding == "deflate":
                try:
                    body = _inflate(body, 15, cap)
                except zlib.error:  # servers send raw deflate as often as zlib-wrapped
                    body = _inflate(body, -15, cap)
            elif coding == "br":
                body = _unbrotli(body, cap)
            elif coding not in ("gzip", "x-gzip"):
                raise RecordError("undecodable", f"Content-Encoding {coding!r} is not supported")
        except (zlib.error, brotli.error) as exc:
            raise RecordError("undecodable", f"Content-Encoding {coding}: corrupt body: {exc}") from exc
    return body


# WHATWG's Encoding Standard maps these labels to a superset decoder; browsers read pages that way, and
# servers that say "iso-8859-1" or "gb2312" mean windows-1252 or GBK.
_SUPERSETS = {
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "utf-16-le": "utf-8",  # HTML's rule: a page whose bytes declare UTF-16 cannot be UTF-16
    "utf-16-be": "utf-8",
    "utf-16": "utf-8",
}


def charset_label(label: str | None) -> str | None:
    """A declared charset label as the Python codec a browser would use for it, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined", "replacement"):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _decodes(data: bytes, encoding: str | None) -> bool:
    if encoding is None:
        return False
    try:
        data.decode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def decode_html(body: bytes, http_charset: str | None) -> Decoded:
    """An HTML body as text. The charset is the HTTP ``Content-Type`` charset, else the page's
    ``<meta charset>`` / http-equiv, else detection (charset-normalizer), with two guards, so a wrong
    declaration never yields U+FFFD or mojibake on a well-formed page:
    - a declared charset is used only if it decodes the bytes strictly; otherwise the next step is tried;
    - a byte-order mark, and bytes that are valid UTF-8, are read as such whatever is declared. Legacy
      text is almost never valid multi-byte UTF-8 by chance, while servers that label UTF-8 pages
      "iso-8859-1" are the commonest charset bug in crawls ("é" would become "Ã©").

    Raises DecodeError (``empty``, ``binary``, ``undecodable``) as transforms.decode does.
    """
    candidates = (charset_label(http_charset), charset_label(html_declared_charset(body)))
    declared = next((c for c in candidates if _decodes(body, c)), None)
    return decode_bytes(body, declared=declared)


def warc_date(value: str | None) -> datetime | None:
    """A ``WARC-Date`` (WARC 1.0/1.1 ISO 8601 with optional fraction, or WARC 0.17's 14 digits) as a UTC
    datetime; anything unparseable is None."""
    if not value:
        return None
    value = value.strip()
    try:
        if _WARC_14_DIGITS.fullmatch(value):
            d = datetime.strptime(value, "%Y%m%d%H%M%S")
        else:
            d = datetime.fromisoformat(value)
    except ValueError:
        return None
    d = d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None


def target_uri(value: str | None) -> str | None:
    """``WARC-Target-URI`` without the angle brackets some WARC 1.0 writers put around it."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value or None
