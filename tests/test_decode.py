import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.decode import DecodeError, decode_bytes, html_declared_charset, looks_binary

ACCENTED = "Le café à Zürich — “déjà vu”, naïve façade, crème brûlée"


@pytest.mark.parametrize(
    ("encoding", "expected_encoding"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", None),  # no BOM: NUL bytes, reported as binary
        ("utf-32", "utf-32"),
        ("cp1252", "cp1252"),
    ],
)
def test_encodings(encoding, expected_encoding):
    data = ACCENTED.encode(encoding)
    if expected_encoding is None:
        with pytest.raises(DecodeError) as err:
            decode_bytes(data)
        assert err.value.reason == "binary"
        return
    got = decode_bytes(data)
    assert got.text == ACCENTED
    assert got.encoding == expected_encoding


def test_latin1_bytes_decode_as_cp1252_not_garbled():
    got = decode_bytes("Fußball in München, déjà vu".encode("latin-1"))
    assert got.text == "Fußball in München, déjà vu"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, как дела? Это тест кодировки для новостей.", "cp1251"),
        ("Zażółć gęślą jaźń, powiedział minister w Warszawie.", "cp1250"),
    ],
)
def test_other_legacy_encodings(text, encoding):
    assert decode_bytes(text.encode(encoding)).text == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n", "empty"),
        (codecs.BOM_UTF8 + b"  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 100, "binary"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable"),  # lone surrogate
    ],
)
def test_rejects(data, reason):
    with pytest.raises(DecodeError) as err:
        decode_bytes(data)
    assert err.value.reason == reason


def test_declared_charset_is_used_for_html():
    page = '<html><head><meta charset="windows-1251"></head><body>Новости дня</body></html>'
    data = page.encode("cp1251")
    assert html_declared_charset(data) == "cp1251"
    assert decode_bytes(data, declared="cp1251").text == page


def test_looks_binary():
    assert looks_binary(b"abc\x00def")
    assert not looks_binary(b"plain text\nwith lines\n")


@given(st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s))
def test_utf8_round_trip(text):
    try:
        got = decode_bytes(text.encode("utf-8"))
    except DecodeError as err:  # only control-character soup may be refused
        assert err.reason in ("binary", "empty")
        return
    assert got.text == text.lstrip("\ufeff")
