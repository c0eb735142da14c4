"""Bytes -> text for scraped files: BOM first, then UTF-16 told by where its NUL bytes sit, then strict
UTF-8, then a detected legacy encoding. Trailing NUL padding is dropped.

A whole file is never decoded as UTF-8 with replacement characters: one that decodes to nothing sensible
is reported, so the reader can reject it with a reason instead of writing garbled text. A single JSONL
line (``decode_line``) is mostly valid UTF-8 around a stray byte, and keeps its record with that byte
replaced; ``Decoded.encoding`` says which way each text was decoded.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = [
    "DecodeError",
    "Decoded",
    "UTF8_REPLACED",
    "decode_bytes",
    "decode_line",
    "html_declared_charset",
    "looks_binary",
]

UTF8_REPLACED = "utf-8-replace"  # UTF-8 with its invalid bytes replaced by U+FFFD

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings we accept from detection; anything else exotic is more likely a misdetection of binary.
_FALLBACKS = (
    "cp1252",
    "latin-1",
    "iso-8859-15",
    "cp1250",
    "iso-8859-2",
    "cp1251",
    "koi8-r",
    "mac-roman",
    "shift_jis",
    "euc-jp",
    "gb18030",
    "big5",
    "euc-kr",
    "iso-8859-7",
    "cp1253",
    "iso-8859-9",
    "cp1254",
    "windows-1256",
    "iso-8859-6",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)


class DecodeError(ValueError):
    """The bytes are not text we can decode; ``reason`` is the reject reason id."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec that decoded it (Python's name), or UTF8_REPLACED


def looks_binary(data: bytes, sample: int = 8192) -> bool:
    """NUL bytes or a high share of control bytes in the head of a file without a UTF-16/32 BOM."""
    head = data[:sample]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return controls / len(head) > 0.05


def html_declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (<meta charset> or http-equiv), if Python knows it."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode scraped bytes: BOM, else strict UTF-8, else the declared charset, else detection.

    Raises DecodeError with reason ``empty``, ``binary`` or ``undecodable``.
    """
    if not data.strip():
        raise DecodeError("empty", "no content (0 bytes or whitespace only)")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            unit = 4 if enc == "utf-32" else 2 if enc == "utf-16" else 1
            body = data.rstrip(b"\x00")  # NUL padding; then back to whole code units
            body += b"\x00" * (-len(body) % unit)
            try:
                text = body.decode(enc)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    "undecodable", f"starts with a {enc} byte-order mark but is not {enc}: {exc}"
                ) from exc
            return _checked(text, enc)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    data = data.rstrip(b"\x00")  # NUL padding after the text (a fixed-size buffer written out whole)
    if looks_binary(data):
        raise DecodeError("binary", "binary content (NUL or control bytes), not text")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if declared and codecs.lookup(declared).name not in ("utf-8",):
        try:
            return _checked(data.decode(declared), declared)
        except (UnicodeError, LookupError):  # some codecs ("undefined") raise plain UnicodeError
            pass
    for enc in _detect(data) + ["cp1252"]:
        try:
            return _checked(data.decode(enc), enc)
        except UnicodeError:
            continue
    raise DecodeError("undecodable", "not valid UTF-8 and no legacy encoding decodes it")


def _utf16_without_bom(data: bytes, sample: int = 8192) -> Decoded | None:
    """UTF-16 text without a byte-order mark: in the high byte of most code units of Latin, Greek or
    Cyrillic text (ASCII, spaces, punctuation) there is a NUL, always on the same side of each pair,
    where binary data has NULs on both sides. None where the bytes do not read that way."""
    body = data.rstrip(b"\x00")  # padding: NULs on both sides
    head = body[: sample - sample % 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if pairs < 8 or min(even, odd) > pairs * 0.01 or max(even, odd) < max(4, pairs * 0.1):
        return None
    body += b"\x00" * (len(body) % 2)  # the last code unit's NUL went with the padding
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in text[:4096])
    if printable < 0.95 * len(text[:4096]):
        return None
    return _checked(text, encoding)


def decode_line(data: bytes) -> Decoded:
    """One JSONL line: strict UTF-8; else cp1252 (the legacy default ``.txt`` detection prefers; a
    line is too short to detect more) when the line holds no valid UTF-8 sequence beyond ASCII; else
    UTF-8 with the invalid bytes replaced (``UTF8_REPLACED``), as a legacy codec would garble the
    line's valid characters."""
    try:
        return Decoded(text=data.decode("utf-8"), encoding="utf-8")
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", "replace")
    if all(c.isascii() or c == "\ufffd" for c in replaced):
        with contextlib.suppress(UnicodeDecodeError):  # cp1252 leaves 5 bytes undefined
            return _checked(data.decode("cp1252"), "cp1252")
    return Decoded(text=replaced, encoding=UTF8_REPLACED)


def _detect(data: bytes) -> list[str]:
    """Detected encodings, best first. cp1252 wins whenever it reads the bytes as cleanly as the best
    guess: it is WHATWG's default for legacy Western pages, and short French or German text scores the
    same under cp1250 or cp1257 (whose coherence score then picks the wrong one). Polish or Cyrillic
    bytes read as cp1252 produce symbols inside words, so cp1252 drops out for them."""
    matches = list(from_bytes(data[:262144], cp_isolation=list(_FALLBACKS)))
    if not matches:
        return []
    best = min(m.chaos for m in matches)
    ranked = [m.encoding for m in sorted(matches, key=lambda m: (m.chaos, -m.coherence))]
    if any(m.encoding == "cp1252" and m.chaos <= best + 0.01 for m in matches):
        ranked.remove("cp1252")
        ranked.insert(0, "cp1252")
    return ranked


def _checked(text: str, encoding: str) -> Decoded:
    text = text.lstrip("\ufeff").rstrip("\x00")
    if not text.strip():
        raise DecodeError("empty", "no content after decoding (whitespace only)")
    if len(_CONTROL.findall(text[:8192])) > max(8, len(text[:8192]) // 50):
        raise DecodeError("binary", f"decodes as {encoding} but is mostly control characters")
    return Decoded(text=text, encoding=encoding)
