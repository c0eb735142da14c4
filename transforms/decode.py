"""Bytes -> text for scraped files: BOM first, then strict UTF-8, then a detected legacy encoding.

Never guesses UTF-8 with replacement characters: a file that decodes to nothing sensible is reported,
so the reader can reject it with a reason instead of writing garbled text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = ["DecodeError", "Decoded", "decode_bytes", "looks_binary", "html_declared_charset"]

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
    encoding: str


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
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    "undecodable", f"starts with a {enc} byte-order mark but is not {enc}: {exc}"
                ) from exc
            return _checked(text, enc)
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
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DecodeError("empty", "no content after decoding (whitespace only)")
    if len(_CONTROL.findall(text[:8192])) > max(8, len(text[:8192]) // 50):
        raise DecodeError("binary", f"decodes as {encoding} but is mostly control characters")
    return Decoded(text=text, encoding=encoding)
