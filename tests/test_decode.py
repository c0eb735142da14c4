import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.decode import (
    Decoded,
    DecodeError,
    decode_bytes,
    decode_line,
    html_declared_charset,
    looks_binary,
)

ACCENTED = "Le café à Zürich — “déjà vu”, naïve façade, crème brûlée"


@pytest.mark.parametrize(
    ("encoding", "expected_encoding"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),  # no BOM: told apart from binary by where its NUL bytes are
        ("utf-16-be", "utf-16-be"),
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


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text",
    [
        "Dockworkers at Eastmouth walked out on Tuesday.\nThe port was silent by noon.\n",
        "Привет, как дела? Это тест кодировки для новостей, сказал он.",
        "Zażółć gęślą jaźń — “déjà vu”, said the minister in Warsaw.",
    ],
)
def test_utf16_without_bom_is_text_not_binary(text, encoding):
    got = decode_bytes(text.encode(encoding))
    assert (got.text, got.encoding) == (text, encoding)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(0, 256, 2)) * 64,  # NUL at every other byte, but control-character soup
        b"\x01\x00\x02\x00\x03\x00\x04\x00" * 256,
        b"ab\x00\x00cd\x00\x00" * 256,  # NULs on both parities: UTF-32-ish or binary, not UTF-16
    ],
)
def test_binary_with_nul_bytes_stays_binary(data):
    with pytest.raises(DecodeError) as err:
        decode_bytes(data)
    assert err.value.reason == "binary"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16", "utf-16-le"])
@pytest.mark.parametrize("padding", [1, 7, 4096])
def test_trailing_nul_padding_is_stripped(encoding, padding):
    text = "Le café à Zürich a rouvert ses portes lundi matin, a dit la mairie.\n" * 3
    got = decode_bytes(text.encode(encoding) + b"\x00" * padding)
    assert got.text == text


def test_nul_inside_the_text_is_still_binary():
    with pytest.raises(DecodeError) as err:
        decode_bytes(b"first half of an article" + b"\x00" * 64 + b"second half of it" * 20)
    assert err.value.reason == "binary"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"plain ascii line", "plain ascii line", "utf-8"),
        ("caf\u00e9 cr\u00e8me".encode(), "caf\u00e9 cr\u00e8me", "utf-8"),
        (b"caf\xe9 in a cp1252 line", "caf\u00e9 in a cp1252 line", "cp1252"),
        # valid UTF-8 around one stray byte: a legacy codec would garble the rest, so replace the byte
        (
            "caf\u00e9 ".encode() + b"\xff" + " cr\u00e8me".encode(),
            "caf\u00e9 \ufffd cr\u00e8me",
            "utf-8-replace",
        ),
    ],
)
def test_decode_line(data, text, encoding):
    assert decode_line(data) == Decoded(text=text, encoding=encoding)
