"""WARC input: the pure steps (transforms/warc.py) on bytes, then the reader (flows/warc.py) on real and
hand-made WARC files: every HTML response ends as one record or one reject, the rest is counted."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import brotli
import polars as pl
import pytest
from fastwarc.stream_io import ZstdWriter

from flows import rows
from flows.readers import ReadLimits, discover, read_file, read_files
from flows.warc import read_warc, warc_record_ranges
from transforms.clean import clean_frame
from transforms.decode import DecodeError
from transforms.dedup import dedup_frame
from transforms.records import RecordError, make_doc_id
from transforms.summary import run_summary, summary_markdown
from transforms.warc import (
    charset_label,
    decode_chunked,
    decode_content,
    decode_html,
    is_html,
    parse_content_type,
    split_http,
    status_reject,
    target_uri,
    warc_date,
)

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "warc" / "warcfile.warc.gz"
CLIPPED = FIXTURES / "warc" / "clipped.warc.gz"

# ---------------------------------------------------------------------------------------------------------
# pure steps


@pytest.mark.parametrize(
    ("block", "status", "headers", "body"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>",
            200,
            {"content-type": "text/html"},
            b"<p>x</p>",
        ),
        (b"HTTP/1.0 404 Not Found\nServer: x\n\n<h1>gone</h1>", 404, {"server": "x"}, b"<h1>gone</h1>"),
        (b"HTTP/2 301\r\nLocation: /a\r\n\r\n", 301, {"location": "/a"}, b""),
        (b"HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nx-long: c\r\n\r\nB", 200, {"x-long": "a b"}, b"B"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html", 200, {"content-type": "text/html"}, b""),
        (
            b"<html><body>no header block</body></html>",
            None,
            {},
            b"<html><body>no header block</body></html>",
        ),
        (b"", None, {}, b""),
    ],
)
def test_split_http(block, status, headers, body):
    msg = split_http(block)
    assert (msg.status, msg.headers, msg.body) == (status, headers, body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=UTF-8", ("text/html", "UTF-8")),
        ('Text/HTML;Charset="windows-1251"', ("text/html", "windows-1251")),
        ("application/xhtml+xml", ("application/xhtml+xml", None)),
        ("text/html; charset=", ("text/html", None)),
        (None, (None, None)),
    ],
)
def test_parse_content_type(value, expected):
    assert parse_content_type(value) == expected


@pytest.mark.parametrize(
    ("mime", "body", "expected"),
    [
        ("text/html", b"anything", True),
        ("application/xhtml+xml", b"<?xml version='1.0'?><html/>", True),
        ("image/jpeg", b"<html>", False),
        ("application/pdf", b"%PDF-1.4", False),
        (None, b"  <!DOCTYPE html><html>", True),
        (None, b"\xef\xbb\xbf<!-- c --><html lang=en>", True),
        ("application/octet-stream", b"<html><body>", True),
        (None, b"\x89PNG\r\n", False),
        ("text/plain", b"just text", False),
    ],
)
def test_is_html(mime, body, expected):
    assert is_html(mime, body) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, None),
        (206, None),
        (None, None),
        (301, ("http_redirect", "HTTP 301: a redirect, not a page")),
        (404, ("http_error", "HTTP 404")),
        (503, ("http_error", "HTTP 503")),
    ],
)
def test_status_reject(status, expected):
    assert status_reject(status) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", b"hello world"),
        (b"5;ext=1\r\nhello\r\n0\r\n\r\n", b"hello"),
        (b"5\nhello\n6\n world\n0\n\n", b"hello world"),
        (b"A\r\n0123456789\r\n", b"0123456789"),  # cut before the last chunk: what arrived
        (b"<html>already joined</html>", None),
        (b"", None),
    ],
)
def test_decode_chunked(body, expected):
    assert decode_chunked(body) == expected


HTML = b"<html><body><p>caf\xc3\xa9</p></body></html>"


@pytest.mark.parametrize(
    ("body", "coding"),
    [
        (gzip.compress(HTML), "gzip"),
        (gzip.compress(HTML[:20]) + gzip.compress(HTML[20:]), "x-gzip"),
        (HTML, "gzip"),  # stored decoded by the crawler, header kept
        (zlib.compress(HTML), "deflate"),
        (zlib.compress(HTML)[2:-4], "deflate"),  # raw deflate
        (brotli.compress(HTML), "br"),
        (HTML, "identity"),
        (HTML, None),
        (gzip.compress(zlib.compress(HTML)), "deflate, gzip"),
    ],
)
def test_decode_content(body, coding):
    assert decode_content(body, coding, cap=1 << 20) == HTML


def test_decode_content_caps_decompression_and_reports_corrupt_bodies():
    bomb = gzip.compress(b"<" + b"a" * 5_000_000)
    with pytest.raises(RecordError) as exc:
        decode_content(bomb, "gzip", cap=1 << 20)
    assert exc.value.reason == "decompression_limit"
    with pytest.raises(RecordError) as exc:
        decode_content(b"\x1f\x8b\x08\x00garbage-not-deflate", "gzip", cap=1 << 20)
    assert exc.value.reason == "undecodable"
    with pytest.raises(RecordError) as exc:
        decode_content(b"\x00\x01binary", "compress", cap=1 << 20)
    assert exc.value.reason == "undecodable" and "compress" in exc.value.detail
    # a body the server cut keeps what arrived: without its trailer, and inside its data
    assert decode_content(gzip.compress(HTML)[:-8], "gzip", cap=1 << 20) == HTML
    cut = decode_content(gzip.compress(HTML)[:-14], "gzip", cap=1 << 20)
    assert 0 < len(cut) < len(HTML) and HTML.startswith(cut)


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("windows-1251", "cp1251"),
        ("utf8", "utf-8"),
        ("Shift_JIS", "cp932"),
        ("utf-16", "utf-8"),
        ("no-such-charset", None),
        ("x-user-defined", None),
        (None, None),
    ],
)
def test_charset_label(label, codec):
    assert charset_label(label) == codec


RU = "Стратегия пожарной безопасности: новости компании"
ZH = "关于我们的最新新闻报道和天气预报"


@pytest.mark.parametrize(
    ("body", "http_charset", "expected"),
    [
        (f"<html><body>{RU}</body></html>".encode("cp1251"), "windows-1251", RU),  # HTTP charset
        (f'<html><head><meta charset="gb2312"></head><body>{ZH}</body></html>'.encode("gb18030"), None, ZH),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>{RU}'.encode(
                "cp1251"
            ),
            None,
            RU,
        ),
        ("<p>Café déjà vu – naïve</p>".encode(), "ISO-8859-1", "Café déjà vu – naïve"),  # mislabelled UTF-8
        ("<p>Café déjà vu</p>".encode("cp1252"), "ISO-8859-1", "Café déjà vu"),
        # HTTP says UTF-8 but the bytes are not: the page's meta charset is next
        (f'<meta charset="windows-1251"><p>{RU}'.encode("cp1251"), "utf-8", RU),
        # nothing declared: detection
        (f"<html><body><p>{RU} {RU} {RU}</p></body></html>".encode("cp1251"), None, RU),
        ("\ufeff<p>BOM wins over a wrong header: é</p>".encode("utf-8"), "windows-1251", "é"),
    ],
)
def test_decode_html_charset_chain(body, http_charset, expected):
    text = decode_html(body, http_charset).text
    assert expected in text
    assert "\ufffd" not in text


def test_decode_html_rejects_empty_and_binary():
    with pytest.raises(DecodeError) as exc:
        decode_html(b"  \r\n", None)
    assert exc.value.reason == "empty"
    with pytest.raises(DecodeError) as exc:
        decode_html(b"<html>\x00\x00\x00\x01\x02" * 50, None)
    assert exc.value.reason == "binary"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),  # WARC 1.1
        ("2024-01-02T05:04:05+02:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("20240102030405", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # WARC 0.17
        ("yesterday", None),
        ("1900-01-01T00:00:00Z", None),
        ("2024-13-45T99:00:00Z", None),
        ("", None),
        (None, None),
    ],
)
def test_warc_date(value, expected):
    assert warc_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://a.example/x", "http://a.example/x"),
        ("<http://a.example/x>", "http://a.example/x"),
        ("  http://a.example/x \r", "http://a.example/x"),
        ("<>", None),
        (None, None),
    ],
)
def test_target_uri(value, expected):
    assert target_uri(value) == expected


# ---------------------------------------------------------------------------------------------------------
# WARC files: a builder for hand-made edge cases

SENTENCES = [
    "The harbour council voted on Tuesday to extend the night ferry service until the end of the year",
    "Officials said the decision followed months of complaints from shift workers on the eastern shore",
    "A spokesperson for the operator confirmed that two additional crews would be hired next month",
    "Residents at the public meeting asked whether fares would rise to pay for the longer timetable",
    "The council treasurer replied that the regional transport fund would cover most of the cost",
    "Opposition members warned that the fund was already stretched by repairs to the old pier",
]


def page(n: int, *, lang: str = "en", date: str | None = None) -> str:
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    if lang == "ru":
        paras = [f"Городской совет в понедельник обсудил новый бюджет района номер {n} и планы на год."] * 6
    else:
        paras = [f"{s} (story {n}, part {i})." for i, s in enumerate(SENTENCES)]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return f"<html><head><title>Story {n}</title>{meta}</head><body><article>{body}</article></body></html>"


def http(
    body: bytes, status: str = "200 OK", ctype: str = "text/html; charset=utf-8", extra: str = ""
) -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{extra}\r\n".encode() + body


def warc_record(
    uri: str | None,
    block: bytes,
    *,
    rtype: str = "response",
    version: str = "1.0",
    date: str = "2024-01-02T03:04:05Z",
    ctype: str = "application/http; msgtype=response",
    eol: bytes = b"\r\n",
    rid: str | None = None,
) -> bytes:
    rid = rid or f"<urn:uuid:{abs(hash((uri, block, rtype))):032x}>"
    lines = [f"WARC/{version}", f"WARC-Type: {rtype}", f"WARC-Record-ID: {rid}", f"WARC-Date: {date}"]
    if uri is not None:
        lines.append(f"WARC-Target-URI: {uri}")
    lines += [f"Content-Type: {ctype}", f"Content-Length: {len(block)}"]
    return eol.join(x.encode() for x in lines) + eol + eol + block + eol + eol


def write_warc(path: Path, records: list[bytes], compression: str | None = None) -> Path:
    """``None``: plain; ``gz``: one gzip member per record; ``zst``: one zstd frame per record;
    ``gz-stream``: the whole file as one gzip stream (not addressable by record)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if compression == "gz":
        path.write_bytes(b"".join(gzip.compress(r) for r in records))
    elif compression == "gz-stream":
        path.write_bytes(gzip.compress(b"".join(records)))
    elif compression == "zst":
        path.write_bytes(b"")
        for r in records:
            w = ZstdWriter(str(path) if False else path.open("ab"))
            w.write(r)
            w.close()
    else:
        path.write_bytes(b"".join(records))
    return path


def edge_case_records() -> list[bytes]:
    """One of each kind a crawl holds; the comments give the outcome the reader must reach."""
    return [
        warc_record(None, b"software: test\r\n", rtype="warcinfo", ctype="application/warc-fields"),  # skip
        warc_record("http://news.example/0", b"GET /0 HTTP/1.1\r\n\r\n", rtype="request"),  # skip
        warc_record("http://news.example/0", http(page(0).encode())),  # article
        warc_record("http://news.example/0", b"fetchTimeMs: 12\r\n", rtype="metadata"),  # skip
        warc_record("http://news.example/gone", http(b"<html><body>gone</body></html>", "404 Not Found")),
        warc_record(
            "http://news.example/old", http(b"<html>moved</html>", "301 Moved", extra="Location: /0\r\n")
        ),
        warc_record("http://news.example/a.jpg", http(b"\xff\xd8\xff\xe0JFIF", ctype="image/jpeg")),  # skip
        warc_record("http://news.example/0", b"HTTP/1.1 304 Not Modified\r\n\r\n", rtype="revisit"),  # skip
        warc_record(
            "dns:news.example", b"news.example. 300 IN A 10.0.0.1", rtype="resource", ctype="text/dns"
        ),
        # WARC/1.1, chunked transfer encoding stored chunked
        warc_record(
            "http://www.news.example/1",
            http(
                b"".join(
                    f"{len(c):x}\r\n".encode() + c + b"\r\n"
                    for c in (page(1).encode()[:300], page(1).encode()[300:])
                )
                + b"0\r\n\r\n",
                extra="Transfer-Encoding: chunked\r\n",
            ),
            version="1.1",
            date="2024-01-02T03:04:05.123456Z",
        ),
        warc_record(
            "http://news.example/2", http(gzip.compress(page(2).encode()), extra="Content-Encoding: gzip\r\n")
        ),
        warc_record(
            "http://news.example/3", http(page(3).encode(), extra="Content-Encoding: gzip\r\n")
        ),  # decoded
        warc_record("http://news.example/4", page(4).encode(), ctype="text/html"),  # no HTTP header block
        warc_record("<http://news.example/5>", http(page(5).encode()), version="0.18"),
        warc_record("http://mirror.example/0-copy", http(page(0).encode())),  # identical payload
        warc_record(
            "http://news.example/6",
            http(page(6, lang="ru").encode("cp1251"), ctype="text/html; charset=windows-1251"),
        ),
        warc_record("http://news.example/7", http(page(7, date="2023-05-06T07:08:09Z").encode())),
        warc_record("http://news.example/8", http(page(8).encode()), date="not a date"),
    ]


EDGE_URLS = [f"http://news.example/{i}" for i in (0, 2, 3, 4, 5)] + [
    "http://www.news.example/1",
    "http://mirror.example/0-copy",
    "http://news.example/6",
    "http://news.example/7",
    "http://news.example/8",
]
EDGE_SKIPPED = {
    "warcinfo": 1,
    "request": 1,
    "metadata": 1,
    "non_html_response": 1,
    "revisit": 1,
    "resource": 1,
}


def by_url(rows: list[dict]) -> dict[str, dict]:
    return {r["url"]: r for r in rows}


@pytest.fixture(scope="module")
def real():
    return read_warc(FIXTURES, REAL)


def test_real_fixture_every_html_response_is_a_record_or_a_reject(real):
    from fastwarc import ArchiveIterator, WarcRecordType

    with REAL.open("rb") as fh:
        responses = {
            r.stream_pos: r.headers["WARC-Target-URI"]
            for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True)
            if r.http_content_type == "text/html"
        }
    assert len(responses) == 16
    assert len(real.records) + len(real.rejected) == 16
    assert {r["source_line"] for r in real.records + real.rejected} == set(responses)
    assert real.skipped == {"warcinfo": 1, "request": 17, "metadata": 16}
    for row in real.records:
        assert row["url"] == responses[row["source_line"]]  # from WARC-Target-URI
        assert row["doc_id"] == make_doc_id("warc/warcfile.warc.gz", row["source_line"])
        assert row["format"] == "warc" and row["warc_record_id"].startswith("<urn:uuid:")
        assert row["source"] == row["url"].split("/")[2]
        assert "\ufffd" not in row["raw_text"] and row["published"] is not None
    assert {r["reason"] for r in real.rejected} == {"no_article"}


def test_real_fixture_charsets(real):
    rows = {r["source"]: r for r in real.records}
    assert rows["01spb.ru"]["title"] == "О компании - Стратегия пожарной безопасности"  # windows-1251 by HTTP
    assert "пожарной безопасности" in rows["01spb.ru"]["raw_text"]
    assert rows["037426.cn"]["title"].startswith("亚洲精品无码免费视频")  # gb2312 read as GBK
    assert rows["044545.com"]["raw_text"].startswith("好消息！好消息！")  # no charset anywhere but meta
    assert "Hovenier in Oosterbeek" in rows["0900-hovenier.nl"]["raw_text"]


def test_clipped_fixture_records_the_cut():
    got = read_warc(FIXTURES, CLIPPED)
    assert got.records == [] and got.skipped == {}
    assert [(r["source_line"], r["reason"], r["source"]) for r in got.rejected] == [
        (0, "truncated_warc", "houstonpress.com")
    ]
    assert "75207 of 88275 bytes" in got.rejected[0]["detail"]


def test_cut_file_keeps_every_record_before_the_cut(real, tmp_path):
    cut = write_warc(tmp_path / "cut.warc.gz", [REAL.read_bytes()[:65000]])  # inside the record at 61090
    got = read_warc(tmp_path, cut)
    strip = lambda rows: [{**r, "source_path": None, "doc_id": None} for r in rows]  # noqa: E731
    assert strip(got.records) == strip([r for r in real.records if r["source_line"] < 61090])
    assert strip(got.rejected[:-1]) == strip([r for r in real.rejected if r["source_line"] < 61090])
    assert (got.rejected[-1]["source_line"], got.rejected[-1]["reason"]) == (61090, "truncated_warc")


def test_a_cut_anywhere_leaves_a_row_for_every_record_it_reaches(tmp_path):
    """Cut a .warc.gz (one member a record) at every 3rd byte: each record whose member starts before
    the cut is an article or a reject, never missing; a member cut near its start or in the file's last
    member is ``truncated_warc`` (the reader itself stops there without an error)."""
    recs = [warc_record(f"http://cut.example/{i}", http(page(i).encode())) for i in range(4)]
    sizes = [len(gzip.compress(r)) for r in recs]
    starts = [sum(sizes[:i]) for i in range(4)]
    full = write_warc(tmp_path / "full.warc.gz", recs, "gz").read_bytes()
    assert [r["source_line"] for r in read_warc(tmp_path, tmp_path / "full.warc.gz").records] == starts
    for cut in range(starts[1] + 1, len(full), 3):
        path = tmp_path / "cut.warc.gz"
        path.write_bytes(full[:cut])
        got = read_warc(tmp_path, path)
        seen = {r["source_line"] for r in got.records + got.rejected}
        assert {s for s in starts if s < cut} <= seen, (cut, got.rejected, got.skipped)
        assert len(got.records) + len(got.rejected) <= 4 + 1, cut  # one row for the cut at most
        last = max(s for s in starts if s < cut)
        if last not in {r["source_line"] for r in got.records}:
            assert (last, "truncated_warc") in {(r["source_line"], r["reason"]) for r in got.rejected}, cut


def test_find_next_ends_at_the_files_end_whatever_its_length(tmp_path):
    """The search for the next record start ends at the end of the file, also when the last read is
    exactly the 8 bytes it overlaps by (it looped for ever there)."""
    from flows.warc_layout import find_next

    path = tmp_path / "tail.warc.gz"
    path.write_bytes(b"\x00" * 100)
    assert find_next(path, 83, 100) is None  # the read from 84 is 16 bytes
    assert find_next(path, 91, 100) is None  # ...and here exactly 8
    path.write_bytes(b"\x00" * 50 + b"\x1f\x8b\x08" + b"\x00" * 47)
    assert find_next(path, 0, 100) == 50


@pytest.mark.parametrize("compression", [None, "gz", "zst"])
def test_edge_cases_every_format(tmp_path, compression):
    name = {None: "a.warc", "gz": "a.warc.gz", "zst": "a.warc.zst"}[compression]
    path = write_warc(tmp_path / "crawl" / name, edge_case_records(), compression)
    got = read_warc(tmp_path, path)
    assert got.skipped == EDGE_SKIPPED
    assert sorted(r["url"] for r in got.records) == sorted(EDGE_URLS)
    assert {(r["reason"], r["detail"]) for r in got.rejected} == {
        ("http_error", "HTTP 404"),
        ("http_redirect", "HTTP 301: a redirect, not a page"),
    }
    rows = by_url(got.records)
    for i in range(9):
        url = "http://www.news.example/1" if i == 1 else f"http://news.example/{i}"
        assert f"(story {i}, part 5)" in rows[url]["raw_text"] or i == 6, url
    assert "бюджет района номер 6" in rows["http://news.example/6"]["raw_text"]
    assert rows["http://www.news.example/1"]["source"] == "news.example"  # domain, www. dropped
    assert rows["http://news.example/0"]["raw_text"] == rows["http://mirror.example/0-copy"]["raw_text"]
    assert rows["http://news.example/0"]["published"] == datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=UTC
    )  # WARC-Date
    # the page's own date first (trafilatura keeps the day)
    assert rows["http://news.example/7"]["published"] == datetime(2023, 5, 6, tzinfo=UTC)
    assert rows["http://news.example/8"]["published"] is None  # unparseable WARC-Date
    offsets = [r["source_line"] for r in got.records + got.rejected]
    assert len(set(offsets)) == len(offsets) and all(o >= 0 for o in offsets)
    assert all(r["doc_id"] == make_doc_id(f"crawl/{name}", r["source_line"]) for r in got.records)
    for row in got.records + got.rejected:
        assert row["source_line"] in {p for p, _ in _record_offsets(path)}


def _record_offsets(path: Path) -> list[tuple[int, str]]:
    from fastwarc import ArchiveIterator

    with path.open("rb") as fh:
        return [(r.stream_pos, str(r.record_type)) for r in ArchiveIterator(fh, parse_http=False)]


def test_lf_only_headers_are_read(tmp_path):
    rec = warc_record("http://news.example/lf", http(page(9).encode()).replace(b"\r\n", b"\n"), eol=b"\n")
    got = read_warc(
        tmp_path,
        write_warc(tmp_path / "lf.warc", [rec, warc_record("http://news.example/0", http(page(0).encode()))]),
    )
    assert sorted(r["url"] for r in got.records) == ["http://news.example/0", "http://news.example/lf"]


def test_identical_payloads_are_extracted_once_and_flagged_exact_duplicates(tmp_path, monkeypatch):
    calls = []
    real_extract = rows.extract_article
    monkeypatch.setattr(
        rows, "extract_article", lambda html, **kw: calls.append(1) or real_extract(html, **kw)
    )
    records = [
        warc_record("http://news.example/0", http(page(0).encode())),
        warc_record("http://mirror.example/0", http(page(0).encode())),
        warc_record("http://news.example/1", http(page(1).encode())),
    ]
    path = write_warc(tmp_path / "dup.warc.gz", records, "gz")
    frame = read_files(tmp_path, [path]).records
    assert len(calls) == 2
    articles, _ = clean_frame(frame)
    result = dedup_frame(articles).articles.sort("source_line")
    assert result["is_duplicate"].to_list() == [False, True, False]
    assert result["copy_kind"].to_list() == [None, "exact", None]
    assert result["duplicate_of"][1] == result["doc_id"][0]


def _damaged(tmp_path: Path, compression: str | None) -> tuple[Path, list[bytes]]:
    records = [warc_record(f"http://news.example/{i}", http(page(i).encode())) for i in range(4)]
    name = {None: "d.warc", "gz": "d.warc.gz", "zst": "d.warc.zst"}[compression]
    path = write_warc(tmp_path / name, records, compression)
    data = bytearray(path.read_bytes())
    if compression is None:  # garbage between records 1 and 2
        at = len(records[0]) + len(records[1])
        data[at:at] = b"this is not a WARC record\r\n\r\n"
    else:
        starts = [p for p, _ in _record_offsets(path)]
        mid = (starts[1] + starts[2]) // 2
        data[mid : mid + 16] = b"\x00" * 16
    path.write_bytes(bytes(data))
    return path, records


@pytest.mark.parametrize(
    ("compression", "reason"), [(None, "bad_warc"), ("gz", "bad_gzip"), ("zst", "bad_gzip")]
)
def test_damage_in_the_middle_keeps_the_neighbours(tmp_path, compression, reason):
    path, _ = _damaged(tmp_path, compression)
    got = read_warc(tmp_path, path)
    urls = sorted(r["url"] for r in got.records)
    assert (
        urls == ["http://news.example/0", "http://news.example/2", "http://news.example/3"]
        if compression
        else (urls == [f"http://news.example/{i}" for i in range(4)])
    )
    assert [r["reason"] for r in got.rejected] == [reason]


def test_oversized_record_is_too_large_and_its_neighbours_are_kept(tmp_path):
    big = page(1).replace("<article>", "<article>" + "<p>" + "padding words here " * 3000 + "</p>")
    records = [
        warc_record(f"http://news.example/{i}", http((big if i == 1 else page(i)).encode())) for i in range(3)
    ]
    path = write_warc(tmp_path / "big.warc.gz", records, "gz")
    got = read_warc(tmp_path, path, ReadLimits(max_record_bytes=32 * 1024))
    assert sorted(r["url"] for r in got.records) == ["http://news.example/0", "http://news.example/2"]
    assert [(r["reason"], r["source"]) for r in got.rejected] == [("too_large", "news.example")]
    assert got.rejected[0]["doc_id"] == make_doc_id("big.warc.gz", got.rejected[0]["source_line"])


def test_decompression_is_capped(tmp_path):
    bomb = warc_record(
        "http://news.example/blob", b"x" * (3 << 20), rtype="resource", ctype="application/octet-stream"
    )
    records = [
        warc_record("http://news.example/0", http(page(0).encode())),
        bomb,
        warc_record("http://news.example/1", http(page(1).encode())),
    ]
    path = write_warc(tmp_path / "bomb.warc.gz", records, "gz")
    assert path.stat().st_size * 20 < 1 << 20  # the 1 MiB cap applies, not 20x the file
    got = read_warc(tmp_path, path, ReadLimits(max_decompressed_bytes=1 << 20))
    assert [r["url"] for r in got.records] == ["http://news.example/0"]
    assert [r["reason"] for r in got.rejected] == ["decompression_limit"]


@pytest.mark.parametrize("compression", [None, "gz", "zst"])
def test_record_ranges_read_the_same_rows_as_the_whole_file(tmp_path, compression):
    path = write_warc(
        tmp_path / f"r.warc{'.' + compression if compression else ''}", edge_case_records(), compression
    )
    whole = read_warc(tmp_path, path)
    ranges = warc_record_ranges(path, 1500)
    assert len(ranges) > 4
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    parts = [read_warc(tmp_path, path, byte_range=r) for r in ranges]
    assert [row for p in parts for row in p.records] == whole.records
    assert [row for p in parts for row in p.rejected] == whole.rejected
    total: dict[str, int] = {}
    for p in parts:
        for k, v in p.skipped.items():
            total[k] = total.get(k, 0) + v
    assert total == whole.skipped


@pytest.mark.parametrize("compression", [None, "gz"])
def test_record_ranges_of_a_damaged_file_read_the_same_rows(tmp_path, compression):
    path, _ = _damaged(tmp_path, compression)
    whole = read_warc(tmp_path, path)
    parts = [read_warc(tmp_path, path, byte_range=r) for r in warc_record_ranges(path, 1)]
    assert [row for p in parts for row in p.records] == whole.records
    assert [row for p in parts for row in p.rejected] == whole.rejected


def test_a_file_compressed_as_one_stream_uses_record_indexes(tmp_path):
    path = write_warc(tmp_path / "s.warc.gz", edge_case_records(), "gz-stream")
    got = read_warc(tmp_path, path)
    assert sorted(r["url"] for r in got.records) == sorted(EDGE_URLS)
    lines = sorted(r["source_line"] for r in got.records + got.rejected)
    assert lines == [2, 4, 5, 9, 10, 11, 12, 13, 14, 15, 16, 17]  # record indexes of the HTML responses
    assert len({r["doc_id"] for r in got.records + got.rejected}) == 12
    assert warc_record_ranges(path, 100) == [(0, path.stat().st_size)]


def test_empty_and_non_warc_files(tmp_path):
    empty = write_warc(tmp_path / "e.warc", [b""])
    junk = write_warc(tmp_path / "j.warc.gz", [gzip.compress(b"hello, not a WARC\n" * 100)])
    assert [r["reason"] for r in read_warc(tmp_path, empty).rejected] == ["empty_file"]
    assert [r["reason"] for r in read_warc(tmp_path, junk).rejected] == ["bad_warc"]


def test_discover_and_read_files_take_warc_and_count_the_skipped(tmp_path):
    for name, comp in (("a.warc", None), ("b.warc.gz", "gz"), ("c.warc.zst", "zst")):
        write_warc(tmp_path / "crawl" / name, edge_case_records()[:4], comp)
    files, rejects = discover(tmp_path)
    assert [f.name for f in files] == ["a.warc", "b.warc.gz", "c.warc.zst"] and rejects == []
    skipped = __import__("collections").Counter()
    rows, rej = read_file(tmp_path, files[0], skipped=skipped)
    assert [r["url"] for r in rows] == ["http://news.example/0"] and rej == []
    assert skipped == {"warcinfo": 1, "request": 1, "metadata": 1}
    result = read_files(tmp_path, files)
    assert result.records.height == 3
    assert result.skipped == {"warcinfo": 3, "request": 3, "metadata": 3}
    assert result.records["language"].to_list() == ["en"] * 3
    assert result.records["warc_record_id"].null_count() == 0


def test_read_files_with_a_pool_splits_a_large_warc_and_gives_the_same_rows(tmp_path, monkeypatch):
    import flows.warc_layout

    monkeypatch.setattr(flows.warc_layout, "MIN_RANGE_BYTES", 1000)
    path = write_warc(tmp_path / "big.warc.gz", edge_case_records(), "gz")
    assert len(flows.warc_layout.split_warc_chunks([[path]], 2)) > 1
    serial = read_files(tmp_path, [path], workers=1)
    pooled = read_files(tmp_path, [path], workers=2)
    assert pooled.records.equals(serial.records) and pooled.rejected.equals(serial.rejected)
    assert pooled.skipped == serial.skipped == EDGE_SKIPPED


def test_summary_counts_skipped_records_outside_records_in():
    articles = pl.DataFrame({"source": ["a"]})
    rejected = pl.DataFrame({"reason": ["http_error"]})
    s = run_summary(articles, rejected, {"request": 5, "non_html_response": 2})
    assert (s["records_in"], s["skipped"], s["skipped_by_kind"]) == (
        2,
        7,
        {"request": 5, "non_html_response": 2},
    )
    assert "skipped, not documents: **7** (request: 5, non_html_response: 2)" in summary_markdown(
        {**s, "run_id": "r"}
    )
    assert run_summary(articles, rejected)["skipped"] == 0


def _with_length(rec: bytes, delta: int | None) -> bytes:
    import re

    return re.sub(
        rb"Content-Length: (\d+)",
        lambda m: b"Content-Length: " + (b"x" if delta is None else str(int(m.group(1)) + delta).encode()),
        rec,
        count=1,
    )


@pytest.mark.parametrize(
    ("damage", "kept"),
    [
        (lambda r: _with_length(r, None), [0, 2, 3]),  # a non-numeric Content-Length: the record is lost
        (lambda r: _with_length(r, +300), [0, 1, 3]),  # too long: it swallows the next header
        (lambda r: _with_length(r, -300), [0, 1, 2, 3]),  # too short: cut, the rest skipped
        (lambda r: b"WARC/1.0\r\nthis: is\r\nbroken\r\n\r\n", [0, 2, 3]),  # a header without WARC-Type
    ],
)
def test_a_damaged_plain_record_is_recorded_and_never_ends_the_file(tmp_path, damage, kept):
    records = [warc_record(f"http://news.example/{i}", http(page(i).encode())) for i in range(4)]
    records[1] = damage(records[1])
    path = write_warc(tmp_path / "d.warc", records)
    got = read_warc(tmp_path, path)
    assert [r["url"] for r in got.records] == [f"http://news.example/{i}" for i in kept]
    assert [r["reason"] for r in got.rejected] == ["bad_warc"]
    parts = [read_warc(tmp_path, path, byte_range=r) for r in warc_record_ranges(path, 1)]
    assert [row for p in parts for row in p.records] == got.records
    assert [row for p in parts for row in p.rejected] == got.rejected
