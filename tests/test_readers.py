"""Readers: every input record ends up exactly once in records or rejected, with expected values."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from flows.readers import ReadLimits, discover, read_file, read_files
from flows.state import path_of
from transforms.schema import RECORD_SCHEMA

BODY = (
    "The port authority said on Tuesday that the strike had halted all container traffic, "
    "and that talks with the union would resume on Thursday morning in the city hall."
)
PAGE = f"""<html><head><title>Dock strike halts port</title>
<meta property="og:title" content="Dock strike halts port">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2026-03-03T07:45:00Z">
<link rel="canonical" href="https://www.harbortimes.example/news/dock-strike">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Dock strike halts port</h1>{"".join(f"<p>{BODY} Paragraph {i}.</p>" for i in range(6))}</article>
<footer>© 2026 Harbor Times</footer></body></html>"""


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reasons(rejects: list[dict]) -> list[str]:
    return [r["reason"] for r in rejects]


def test_txt_cp1252_accents_come_out_right(raw_root):
    text = "Café owners in Zürich said “déjà vu” as prices rose again. " * 5
    path = write(raw_root / "ledger" / "cafe.txt", text.encode("cp1252"))
    rows, rejects = read_file(raw_root, path)
    assert rejects == []
    assert rows[0]["raw_text"] == text
    assert rows[0]["source"] == "ledger"
    assert rows[0]["source_path"] == "ledger/cafe.txt"
    assert rows[0]["source_line"] is None
    assert rows[0]["format"] == "txt"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8"])
def test_txt_unicode_encodings(raw_root, encoding):
    text = "Ankara und Moskau – „Gespräche“ über Syrien. " * 4
    path = write(raw_root / "a.txt", text.encode(encoding))
    rows, rejects = read_file(raw_root, path)
    assert rejects == [] and rows[0]["raw_text"] == text
    assert rows[0]["source"] == "unknown"


def test_html_page_extracts_text_and_metadata(raw_root):
    path = write(raw_root / "harbor" / "strike.html", PAGE)
    rows, rejects = read_file(raw_root, path)
    assert rejects == []
    row = rows[0]
    assert row["title"] == "Dock strike halts port"
    assert row["author"] == "Jane Roe"
    assert row["url"] == "https://www.harbortimes.example/news/dock-strike"
    assert row["source"] == "harbortimes.example"  # from the URL's domain
    assert row["published"].date().isoformat() == "2026-03-03"
    assert "halted all container traffic" in row["raw_text"]
    assert "Home" not in row["raw_text"]
    assert row["raw_chars"] == len(PAGE)


def test_html_fragment_is_wrapped_and_extracted(raw_root):
    frag = "<article>" + "".join(f"<p>{BODY} Part {i}.</p>" for i in range(5)) + "</article>"
    rows, rejects = read_file(raw_root, write(raw_root / "frag.html", frag))
    assert rejects == [] and "container traffic" in rows[0]["raw_text"]


def test_html_without_article_is_rejected(raw_root):
    page = "<html><body><nav><a href='/'>Home</a></nav><h1>404</h1></body></html>"
    rows, rejects = read_file(raw_root, write(raw_root / "harbor" / "404.html", page))
    assert rows == []
    assert reasons(rejects) == ["no_article"]
    assert rejects[0]["source_path"] == "harbor/404.html" and rejects[0]["detail"]


def test_jsonl_aliases_and_broken_line_rejects_that_line_only(raw_root):
    lines = [
        json.dumps(
            {
                "id": "1",
                "url": "https://www.metro.example/a",
                "title": "A",
                "published": "2026-03-04",
                "text": BODY,
            }
        ),
        '{"id": "2", "text": "broken',
        json.dumps(
            {"maintext": BODY, "source_domain": "wire.example", "date_publish": "2026-03-05 10:00:00"}
        ),
        "",
        json.dumps([1, 2, 3]),
        json.dumps({"title": "no text"}),
        json.dumps({"raw_html": PAGE, "source": "Harbor Times"}),
    ]
    path = write(raw_root / "scraper" / "feed.jsonl", "\n".join(lines) + "\n")
    rows, rejects = read_file(raw_root, path)
    assert [(r["source_line"], r["source"], r["format"]) for r in rows] == [
        (1, "metro.example", "jsonl"),
        (3, "wire.example", "jsonl"),
        (7, "Harbor Times", "jsonl"),
    ]
    assert rows[0]["title"] == "A" and rows[0]["url"] == "https://www.metro.example/a"
    assert rows[0]["published"] == datetime(2026, 3, 4, tzinfo=UTC)
    assert rows[1]["published"] == datetime(2026, 3, 5, 10, tzinfo=UTC)
    assert rows[2]["title"] == "Dock strike halts port"
    assert [(r["source_line"], r["reason"]) for r in rejects] == [
        (2, "bad_json"),
        (5, "not_an_object"),
        (6, "no_text"),
    ]
    assert len({r["doc_id"] for r in rows}) == 3


def test_jsonl_gz_and_truncated_gzip_keeps_lines_before(raw_root):
    good = "".join(json.dumps({"text": f"{BODY} {i}"}) + "\n" for i in range(200))
    full = gzip.compress(good.encode())
    path = write(raw_root / "feed.jsonl.gz", full)
    rows, rejects = read_file(raw_root, path)
    assert len(rows) == 200 and rejects == []
    cut = write(raw_root / "cut.jsonl.gz", full[: len(full) // 2])
    rows, rejects = read_file(raw_root, cut)
    assert 0 < len(rows) < 200
    assert reasons(rejects) == ["truncated_gzip"]
    assert rejects[0]["source_line"] == len(rows) + 1


def test_not_gzip_at_all(raw_root):
    rows, rejects = read_file(raw_root, write(raw_root / "fake.jsonl.gz", b"this is not gzip\n" * 10))
    assert rows == [] and reasons(rejects) == ["bad_gzip"]


def test_decompression_bomb_is_capped(raw_root):
    bomb = gzip.compress(b"\n" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB of newlines in ~64 KB
    assert len(bomb) < 200_000
    path = write(raw_root / "bomb.jsonl.gz", bomb)
    limits = ReadLimits(max_decompressed_bytes=4 * 1024 * 1024)
    rows, rejects = read_file(raw_root, path, limits)
    assert rows == [] and reasons(rejects) == ["decompression_limit"]


def test_huge_line_is_rejected_without_reading_it_whole(raw_root):
    big = json.dumps({"text": "x" * (3 * 1024 * 1024)})
    path = write(raw_root / "big.jsonl", big + "\n" + json.dumps({"text": BODY}) + "\n")
    rows, rejects = read_file(raw_root, path, ReadLimits(max_record_bytes=1024 * 1024))
    assert [r["source_line"] for r in rows] == [2]
    assert [(r["source_line"], r["reason"]) for r in rejects] == [(1, "line_too_long")]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty_file"),
        ("blank.txt", b"  \n\n ", "empty_file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary_file"),
        ("empty.html", b"", "empty_file"),
        ("bad-bom.txt", b"\xff\xfe\x00\xd8", "undecodable"),
    ],
)
def test_file_level_rejects(raw_root, name, data, reason):
    rows, rejects = read_file(raw_root, write(raw_root / name, data))
    assert rows == [] and reasons(rejects) == [reason]
    assert rejects[0]["source_path"] == name


def test_too_large_file(raw_root):
    path = write(raw_root / "big.txt", "word " * 100_000)
    rows, rejects = read_file(raw_root, path, ReadLimits(max_file_bytes=100_000))
    assert rows == [] and reasons(rejects) == ["too_large"]


def test_unreadable_file(raw_root):
    path = write(raw_root / "locked.txt", BODY)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root reads anything: make the file a folder-shaped failure instead
            path.chmod(0o644)
            path.unlink()
            path.mkdir()
            (path / "x").write_text("x")
        rows, rejects = read_file(raw_root, path)
    finally:
        if path.is_file():
            path.chmod(0o644)
    assert rows == [] and reasons(rejects) == ["unreadable"]


def test_discover_skips_links_hidden_and_flags_unsupported(raw_root, tmp_path):
    write(raw_root / "a" / "one.txt", BODY)
    write(raw_root / "a" / "two.JSONL", "{}\n")
    write(raw_root / "a" / "notes.pdf", b"%PDF")
    write(raw_root / ".hidden" / "x.txt", BODY)
    write(raw_root / ".DS_Store", b"\x00")
    (raw_root / "loop").symlink_to(raw_root, target_is_directory=True)  # a symlink loop
    outside = write(tmp_path / "secret.txt", "secret")
    (raw_root / "a" / "link.txt").symlink_to(outside)
    weird = write(raw_root / "a" / "we ird \u00e9 ..name.txt", BODY)
    files, rejects = discover(raw_root)
    assert [f.name for f in files] == ["one.txt", "two.JSONL", weird.name]
    assert sorted((r["source_path"], r["reason"]) for r in rejects) == [
        ("a/link.txt", "symlink"),
        ("a/notes.pdf", "unsupported_type"),
        ("loop", "symlink"),
    ]


def test_read_files_conserves_records_and_is_order_stable(raw_root):
    write(raw_root / "x" / "a.txt", BODY)
    write(raw_root / "x" / "b.txt", b"")
    write(
        raw_root / "y" / "c.jsonl",
        "\n".join([json.dumps({"text": BODY}), "{bad", json.dumps({"text": BODY})]),
    )
    write(raw_root / "y" / "d.html", PAGE)
    files, _ = discover(raw_root)
    serial = read_files(raw_root, files, workers=1, chunk_files=1)
    parallel = read_files(raw_root, files, workers=2, chunk_files=1)
    assert serial.records.height == 4 and serial.rejected.height == 2
    assert serial.records.equals(parallel.records) and serial.rejected.equals(parallel.rejected)
    assert serial.records["doc_id"].n_unique() == 4


def test_impossible_values_reject_the_line_not_the_run(raw_root):
    lines = [
        json.dumps({"text": BODY, "published": "2026-03-03T10:00:00+99:00"}),  # impossible offset
        json.dumps({"text": BODY}),
    ]
    rows, rejects = read_file(raw_root, write(raw_root / "f.jsonl", "\n".join(lines)))
    assert [r["source_line"] for r in rows] == [1, 2]
    assert rows[0]["published"] is None and rejects == []


def test_html_declaring_an_unusable_charset_still_reads(raw_root):
    page = PAGE.replace("<head>", '<head><meta charset="undefined">').encode("cp1252", "replace") + b"\xe9"
    rows, rejects = read_file(raw_root, write(raw_root / "odd.html", page))
    assert rejects == [] and "container traffic" in rows[0]["raw_text"]


def test_empty_jsonl_is_a_reject_not_nothing(raw_root):
    rows, rejects = read_file(raw_root, write(raw_root / "empty.jsonl", "\n  \n"))
    assert rows == [] and reasons(rejects) == ["empty_file"]


def test_fifo_is_not_read(raw_root):
    fifo = raw_root / "pipe.txt"
    os.mkfifo(fifo)
    files, rejects = discover(raw_root)
    assert files == [] and [(r["source_path"], r["reason"]) for r in rejects] == [
        ("pipe.txt", "unsupported_type")
    ]


def test_jsonl_line_with_an_invalid_utf8_byte_is_kept_and_marked(raw_root):
    good = json.dumps({"text": BODY, "title": "Caf\u00e9 owners"}, ensure_ascii=False).encode()
    stray = (
        json.dumps({"text": "Caf\u00e9 " + BODY}, ensure_ascii=False).encode().replace(b"Caf", b"\xffCaf", 1)
    )
    legacy = json.dumps({"text": "Caf\u00e9 " + BODY}, ensure_ascii=False).encode("cp1252")
    path = write(raw_root / "wire" / "mixed.jsonl", b"\n".join([good, stray, legacy]) + b"\n")
    rows, rejects = read_file(raw_root, path)
    assert rejects == []
    assert [(r["source_line"], r["encoding"]) for r in rows] == [
        (1, "utf-8"),
        (2, "utf-8-replace"),
        (3, "cp1252"),
    ]
    assert rows[0]["title"] == "Caf\u00e9 owners"
    assert rows[1]["raw_text"] == "\ufffdCaf\u00e9 " + BODY
    assert rows[2]["raw_text"] == "Caf\u00e9 " + BODY


def test_jsonl_lone_surrogate_escapes_are_replaced_and_the_table_builds(raw_root):
    """``"\\ud800"`` in a JSON string decodes to a lone surrogate, which no UTF-8 writer takes (it
    stopped the whole run): replaced by U+FFFD in text and fields, the line marked utf-8-replace; in an
    ``html`` field the page is extracted whole."""
    page = f"<html><body><article><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    lines = [
        '{"url": "https://s.example/1", "text": "lone \\ud800 surrogate. ' + BODY + '"}',
        '{"text": "' + BODY + '", "title": "bad \\udc80 title"}',
        json.dumps({"html": page.replace("<p>", "<p>x \ud800 ", 1)}),
    ]
    path = write(raw_root / "wire" / "s.jsonl", "\n".join(lines).encode() + b"\n")
    rows, rejects = read_file(raw_root, path)
    assert rejects == []
    assert [r["encoding"] for r in rows] == ["utf-8-replace"] * 3
    assert rows[0]["raw_text"] == "lone \ufffd surrogate. " + BODY and rows[1]["title"] == "bad \ufffd title"
    assert BODY in rows[2]["raw_text"]  # the whole page, not cut at the surrogate
    assert pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row").height == 3


@pytest.mark.parametrize("name", ["blank.jsonl", "blank.jsonl.gz"])
def test_runs_of_blank_lines_are_passed_over_and_numbered(raw_root, name):
    """Blank lines are skipped in bulk (a gzip bomb of newlines cost minutes a line at a time): the
    records around them keep their exact line numbers, and the cap still counts the skipped bytes."""
    rec = json.dumps({"text": BODY}).encode()
    data = b"\n" * 3 + rec + b"\n" + b"\n" * 200_000 + rec + b"\n\n \n" + rec + b"\n"
    path = raw_root / name
    write(path, gzip.compress(data) if name.endswith(".gz") else data)
    rows, rejects = read_file(raw_root, path)
    assert rejects == [] and [r["source_line"] for r in rows] == [4, 200_005, 200_008]
    if name.endswith(".gz"):
        capped = ReadLimits(max_decompressed_bytes=100_000)
        rows, rejects = read_file(raw_root, path, capped)
        assert [r["source_line"] for r in rows] == [4]
        assert [r["reason"] for r in rejects] == ["decompression_limit"]


def test_txt_records_the_encoding_it_was_decoded_with(raw_root):
    text = "Café owners in Zürich said “déjà vu” as prices rose again. " * 5
    rows, _ = read_file(raw_root, write(raw_root / "a.txt", text.encode("cp1252")))
    assert rows[0]["encoding"] == "cp1252"


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        (b"caf\xe9-latin1.txt", "caf%E9-latin1.txt"),  # not UTF-8: the byte, percent-encoded
        (b"\xff\xfe.txt", "%FF%FE.txt"),
        ("caf\u00e9-utf8.txt".encode(), "caf\u00e9-utf8.txt"),  # valid UTF-8: as is
        (b"50%-off.txt", "50%25-off.txt"),  # "%" itself is escaped, so the form is never ambiguous
    ],
)
def test_source_path_round_trips_to_the_real_file(raw_root, name, stored):
    folder = raw_root / "outlet"
    folder.mkdir()
    real = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
    real.write_bytes(BODY.encode())
    files, rejects = discover(raw_root)
    assert files == [real] and rejects == []
    rows, rejects = read_file(raw_root, real)
    assert rejects == [] and rows[0]["source_path"] == f"outlet/{stored}"
    rows[0]["source_path"].encode("utf-8")  # storable as a Parquet string
    assert path_of(raw_root, rows[0]["source_path"]) == real
    assert path_of(raw_root, rows[0]["source_path"]).read_bytes() == BODY.encode()


def test_file_swapped_for_a_symlink_after_discovery_is_not_followed(raw_root, tmp_path):
    secret = write(tmp_path / "outside" / "secret.txt", "SECRET " + BODY)
    victim = write(raw_root / "a" / "story.txt", BODY)
    swapped_dir = write(raw_root / "b" / "story.txt", BODY)
    files, _ = discover(raw_root)
    victim.unlink()
    victim.symlink_to(secret)  # the last component becomes a link
    (raw_root / "b" / "story.txt").unlink()
    (raw_root / "b").rmdir()
    (raw_root / "b").symlink_to(secret.parent, target_is_directory=True)  # a folder on the way does
    (secret.parent / "story.txt").write_text("SECRET too " + BODY)
    result = read_files(raw_root, files)
    assert result.records.height == 0
    assert sorted(zip(result.rejected["source_path"], result.rejected["reason"], strict=True)) == [
        ("a/story.txt", "symlink"),
        ("b/story.txt", "symlink"),
    ]
    assert swapped_dir.name == "story.txt"


def test_special_file_swapped_in_after_discovery_is_not_read(raw_root):
    path = write(raw_root / "pipe.txt", BODY)
    files, _ = discover(raw_root)
    path.unlink()
    os.mkfifo(path)  # opening a FIFO for reading would block the run
    rows, rejects = read_file(raw_root, files[0])
    assert rows == [] and reasons(rejects) == ["unsupported_type"]


def test_holds_pages_names_html_and_warc_files_only(raw_root):
    from flows.readers import holds_pages

    (raw_root / "feed.jsonl").write_text("{}\n")
    (raw_root / ".hidden").mkdir()
    (raw_root / ".hidden" / "page.html").write_text("<p>x</p>")
    assert not holds_pages(raw_root)
    (raw_root / "crawl").mkdir()
    (raw_root / "crawl" / "part-0.WARC.GZ").write_bytes(b"")
    assert holds_pages(raw_root)
