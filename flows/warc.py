"""WARC files (``.warc``, ``.warc.gz``, ``.warc.zst``) -> article records, rejected rows and counts of the
records that are not documents. FastWARC reads the records (the only module that imports it); the bytes of
each HTML response go through transforms/warc.py and then the same HTML path as ``.html`` files.

Only ``response`` records with an HTML or XHTML payload become documents; every other record (request,
metadata, warcinfo, revisit, resource, non-HTML responses) is counted by kind in ``skipped``. Each HTML
response ends as one record or one rejected row. A record's locator (``source_line``) is its byte offset
in the file: the start of its gzip member or zstd frame, or of the record in a plain ``.warc``, which is
what CDX indexes call ``offset`` and what a reader seeks to. A file compressed as one stream instead of
record by record has no such offsets; there the locator is the record's 0-based index in the file.

Damage is contained: a truncated file keeps its records before the cut and records the cut
(``truncated_warc``); a corrupt gzip member or zstd frame is rejected (``bad_gzip``) and reading resumes at
the next member; garbage between plain records (``bad_warc``) likewise; an oversized HTML record is
``too_large`` and its neighbours are read; the bytes decompressed from one file are capped.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from fastwarc import WarcRecord, WarcRecordType

from flows.rows import ReadLimits, html_row, reject_row
from flows.state import rel_path
from flows.warc_layout import (
    HEAD_BYTES,
    WARC_SUFFIXES,
    addressable,
    archive_iterator,
    compression,
    file_size,
    find_next,
    header_length,
    is_warc,
    member_end,
    split_warc_chunks,
    warc_record_ranges,
)
from transforms.decode import DecodeError
from transforms.records import RecordError, derive_source, make_doc_id
from transforms.warc import (
    HttpMessage,
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

__all__ = ["WARC_SUFFIXES", "WarcRead", "is_warc", "read_warc", "split_warc_chunks", "warc_record_ranges"]

RATIO_CAP = 20  # a WARC file may decompress to this many times its size (HTML compresses 4-8x)
MAX_RESUMES = 1000  # restarts after damage in one file
CACHE_ENTRIES = 4096
GAP_SLACK = 8  # a plain record ends with CRLF CRLF; more unread bytes before the next are damage
DEFAULT_LIMITS = ReadLimits()
_DECODE_REASONS = {"empty": "empty_record", "binary": "binary_record"}


class WarcRead(NamedTuple):
    records: list[dict[str, Any]]  # RECORD_SCHEMA rows (without the language columns)
    rejected: list[dict[str, Any]]  # REJECTED_SCHEMA rows
    skipped: dict[str, int]  # records that are not documents, by kind: request, metadata, non_html_response…


class _Reader:
    """One read of one file (or range): the loop, the damage handling and the per-record decisions."""

    def __init__(self, root: Path, path: Path, limits: ReadLimits, start: int, end: int, ranged: bool):
        self.root, self.path, self.limits = root, path, limits
        self.rel = rel_path(root, path)
        self.start, self.end, self.ranged = start, end, ranged
        size = path.stat().st_size
        self.cap = max(limits.max_decompressed_bytes, RATIO_CAP * size) if compression(path) else 1 << 62
        self.decompressed = 0
        self.records: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.skipped: Counter[str] = Counter()
        self.positions: list[int] = []
        self.ordinal: list[tuple[dict[str, Any], int]] = []  # row -> record index (one-stream files)
        self.plain = None if compression(path) else os.open(path, os.O_RDONLY)
        self.expected: int | None = None  # where the next plain record should start
        self.headerless: int | None = None  # a record FastWARC found without headers, not yet judged
        self.cache: dict[tuple[bytes, str | None], tuple[str, Any]] = {}
        self.last_skip: tuple[int, str] | None = None  # the last record counted as skipped, and its kind

    # -- output rows -------------------------------------------------------------------------------
    def reject(self, pos: int | None, reason: str, detail: str, url: str | None = None, doc: bool = True):
        row = reject_row(
            self.root,
            self.path,
            pos,
            reason,
            detail,
            make_doc_id(self.rel, pos) if doc and pos is not None else None,
            None,
        )
        if url:
            row["source"] = derive_source(None, url, self.rel)
        self.rejected.append(row)
        if pos is not None and doc:
            self.ordinal.append((row, len(self.positions) - 1))
        return row

    # -- the loop ----------------------------------------------------------------------------------
    def run(self) -> None:
        pos, resumes, damaged = self.start, 0, False
        with self.path.open("rb") as fh:
            while True:
                fh.seek(pos)
                current = last = None
                try:
                    for rec in archive_iterator(fh):
                        p = rec.stream_pos
                        if self.ranged and p >= self.end:  # judged as a whole-file read would
                            self.settle_headerless("bad_warc")
                            self.check_gap(p)
                            return
                        current = p
                        self.positions.append(p)
                        if not self.record(rec, p):
                            return
                        last, damaged = p, False
                    if not self.positions and not self.rejected and self.start == 0:
                        self.reject(None, "bad_warc", "no WARC record found (not a WARC file?)", doc=False)
                    self.check_tail(last)
                    return
                except OSError as exc:
                    self.settle_headerless("bad_warc")
                    broken = current if current is not None and current != last else None
                    # resume after the broken record, else at the first start after the last good one,
                    # else (this attempt read nothing) past where it started
                    anchor = broken if broken is not None else last if last is not None else pos
                    nxt = find_next(self.path, anchor, self.end)
                    if not damaged:
                        self.damage(exc, broken, last, nxt)
                        damaged = True
                    resumes += 1
                    if nxt is None or resumes > MAX_RESUMES:
                        return
                    pos = nxt

    def damage(self, exc: OSError, broken: int | None, last: int | None, nxt: int | None) -> None:
        """One rejected row for a damaged stretch of the file, however many restarts it takes to pass."""
        gz = compression(self.path) is not None
        where = (
            f"in the record at byte {broken}"
            if broken is not None
            else (f"after the record at byte {last}" if last is not None else "at the start of the range")
        )
        then = f"reading resumed at byte {nxt}" if nxt is not None else "the rest of the file is lost"
        cut = nxt is None and any(w in str(exc).lower() for w in ("incomplete", "truncat", "end of"))
        reason = "truncated_warc" if cut else "bad_gzip" if gz else "bad_warc"
        what = "the file ends" if cut else "corrupt compressed data" if gz else "not a WARC record"
        at = broken if broken is not None else nxt if gz and last is not None else None
        self.reject(at, reason, f"{what} {where} ({exc}); {then}", doc=False)

    def record(self, rec: WarcRecord, pos: int) -> bool:
        """Handle one record; False stops the read (the file ends inside it, or the cap is reached)."""
        self.settle_headerless("bad_warc")
        self.check_gap(pos)
        if not rec.headers.get("WARC-Type") or rec.headers.get("Content-Length") is None:
            # no header block, or one cut before its mandatory Content-Length: the cut at the end of a
            # file, or damage if records follow (never a record of length 0)
            self.headerless = pos
            return True
        length = rec.content_length
        if self.plain is not None:
            self.expected = pos + header_length(self.plain, pos) + length
        self.decompressed += length
        if self.decompressed > self.cap:
            self.reject(
                pos,
                "decompression_limit",
                f"stopped after {self.cap >> 20} MiB of decompressed records (a decompression bomb?); "
                "the records before were read",
                doc=False,
            )
            return False
        kind = rec.record_type
        if kind != WarcRecordType.response:
            return self.skip(rec, pos, str(kind))
        return self.response(rec, pos, length)

    def check_tail(self, last: int | None) -> None:
        """Bytes after the gzip member of the last record read that gave no record: the file was cut
        inside the member that follows (near its start, or anywhere in the file's last member) and the
        reader stopped without an error. Recorded as the cut, so no record vanishes without a row."""
        if compression(self.path) != ".gz" or last is None or not addressable(self.path, [last]):
            return  # (a file compressed as one stream: the reader's own error says where it broke)
        after = member_end(self.path, last)
        if after is None:  # the last member is cut: a record it held that gave no row was cut too
            if self.last_skip is not None and self.last_skip[0] == last:  # (its header, even)
                kind = self.last_skip[1]
                self.skipped[kind] -= 1
                if not self.skipped[kind]:
                    del self.skipped[kind]
                detail = f"the file ends inside the record at byte {last}"
                self.reject(last, "truncated_warc", detail, doc=False)
            return
        if after >= min(self.end, file_size(self.path)):
            return
        with self.path.open("rb") as fh:
            fh.seek(after)
            rest = fh.read(64)
        if rest.strip(b"\x00\r\n\t "):  # padding a writer left at the end is no record
            self.reject(
                after,
                "truncated_warc",
                f"the file ends inside the gzip member at byte {after}: its record cannot be read",
                doc=False,
            )

    def check_gap(self, pos: int) -> None:
        """In a plain file, bytes FastWARC skipped between two records are a damaged record (a broken
        Content-Length, a mangled header): recorded, so nothing vanishes silently."""
        if self.expected is not None and pos > self.expected + GAP_SLACK:
            self.reject(
                self.expected,
                "bad_warc",
                f"{pos - self.expected} bytes between the record ending at byte {self.expected} and the "
                f"next at byte {pos} are no readable record (damaged header or length); skipped",
                doc=False,
            )
        self.expected = None

    def settle_headerless(self, reason: str) -> None:
        if self.headerless is None:
            return
        at, self.headerless = self.headerless, None
        detail = (
            f"the file ends inside a record at byte {at}"
            if reason == "truncated_warc"
            else f"no WARC record header at byte {at} (damaged record); reading went on with the next"
        )
        self.reject(at, reason, detail, doc=False)

    def drained(self, rec: WarcRecord, pos: int, kind: str, read: int = 0) -> bool:
        """Consume the rest of a record; False (and the cut recorded) when the file ends inside it."""
        if read + rec.reader.consume(-1) < rec.content_length:
            self.reject(
                pos, "truncated_warc", f"the file ends inside a {kind} record at byte {pos}", doc=False
            )
            return False
        return True

    def skip(self, rec: WarcRecord, pos: int, kind: str, read: int = 0) -> bool:
        if not self.drained(rec, pos, kind, read):
            return False
        self.skipped[kind] += 1
        self.last_skip = (pos, kind)
        return True

    def response(self, rec: WarcRecord, pos: int, length: int) -> bool:
        head = rec.reader.read(min(length, HEAD_BYTES))
        msg = split_http(head)
        ctype = msg.headers.get("content-type") if msg.status is not None else rec.headers.get("Content-Type")
        mime, charset = parse_content_type(ctype)
        url = target_uri(rec.headers.get("WARC-Target-URI"))
        if not is_html(mime, msg.body):
            return self.skip(rec, pos, "non_html_response", len(head))
        if length > self.limits.max_record_bytes:
            self.reject(
                pos,
                "too_large",
                f"HTML response of {length} bytes, over the {self.limits.max_record_bytes >> 20} MiB "
                "record cap",
                url,
            )
            return self.drained(rec, pos, "response", len(head))
        block = head + rec.reader.read(length - len(head)) if length > len(head) else head
        if len(block) < length:
            self.reject(
                pos,
                "truncated_warc",
                f"the file ends inside this HTML response at byte {pos}: {len(block)} of {length} bytes",
                url,
            )
            return False
        try:
            self.document(rec, pos, url, split_http(block), charset)
        except (RecordError, DecodeError) as exc:
            self.reject(pos, _DECODE_REASONS.get(exc.reason, exc.reason), exc.detail, url)
        return True

    def document(
        self, rec: WarcRecord, pos: int, url: str | None, msg: HttpMessage, charset: str | None
    ) -> None:
        if (bad := status_reject(msg.status)) is not None:
            raise RecordError(*bad)
        body = msg.body
        if "chunked" in msg.headers.get("transfer-encoding", "").lower():
            body = decode_chunked(body) or body  # stored joined by many crawlers despite the header
        body = decode_content(body, msg.headers.get("content-encoding"), self.limits.max_file_bytes)
        key = (hashlib.blake2b(body, digest_size=16).digest(), charset)
        hit = self.cache.get(key)
        if hit is None:
            try:
                html = decode_html(body, charset).text
                row = html_row(self.root, self.path, pos, "warc", html, limits=self.limits, url=url)
                hit = ("row", row)
            except (RecordError, DecodeError) as exc:
                hit = ("error", exc)
            if len(self.cache) >= CACHE_ENTRIES:
                self.cache.clear()
            self.cache[key] = hit
        if hit[0] == "error":
            raise hit[1]
        row = dict(hit[1])  # an identical payload is extracted once; its copies differ in these fields only
        page_date = row["published"]
        row.update(
            doc_id=make_doc_id(self.rel, pos),
            source_line=pos,
            url=url or row["url"],
            published=page_date or warc_date(rec.headers.get("WARC-Date")),
            warc_record_id=rec.record_id,
        )
        if url and url != hit[1]["url"]:
            row["source"] = derive_source(None, url, self.rel)
        self.records.append(row)
        self.ordinal.append((row, len(self.positions) - 1))

    def close(self) -> None:
        if self.plain is not None:
            os.close(self.plain)
            self.plain = None

    def finish(self) -> WarcRead:
        self.settle_headerless("truncated_warc")
        if not self.ranged and not addressable(self.path, self.positions):
            for row, index in self.ordinal:  # one-stream file: offsets collide, the record index does not
                row["source_line"] = index
                if row.get("doc_id") is not None:
                    row["doc_id"] = make_doc_id(self.rel, index)
        return WarcRead(self.records, self.rejected, dict(self.skipped))


def read_warc(
    root: Path, path: Path, limits: ReadLimits = DEFAULT_LIMITS, byte_range: tuple[int, int] | None = None
) -> WarcRead:
    """Records, rejects and skipped counts of one WARC file, or of one record-aligned range of it (from
    ``warc_record_ranges``). Never raises for bad input."""
    root = root.resolve()
    try:
        size = path.stat().st_size
        if size == 0:
            return WarcRead([], [reject_row(root, path, None, "empty_file", "0 bytes")], {})
        start, end = byte_range if byte_range is not None else (0, size)
        reader = _Reader(root, path, limits, start, end, ranged=byte_range is not None)
        try:
            reader.run()
        finally:
            reader.close()
        return reader.finish()
    except OSError as exc:
        return WarcRead([], [reject_row(root, path, None, "unreadable", f"{type(exc).__name__}: {exc}")], {})
