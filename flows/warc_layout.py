"""Where the records of a WARC file are: their offsets, record-aligned byte ranges a pool can read
apart, whether a file can be addressed by record at all (a gzip member or zstd frame per record), and the
gzip members themselves (where the next may start, where one ends), for ``flows.warc``'s reader."""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path
from typing import Any

from fastwarc import ArchiveIterator

__all__ = [
    "HEAD_BYTES",
    "MAX_RANGE_BYTES",
    "MIN_RANGE_BYTES",
    "WARC_SUFFIXES",
    "addressable",
    "archive_iterator",
    "compression",
    "file_size",
    "find_next",
    "header_length",
    "is_warc",
    "member_end",
    "record_positions",
    "split_warc_chunks",
    "warc_record_ranges",
]

WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst")
MIN_RANGE_BYTES, MAX_RANGE_BYTES = 1 << 20, 64 << 20  # record ranges a WARC file is split into for a pool
HEAD_BYTES = 64 * 1024  # read before deciding whether a response is HTML (and the most a header is read)

_MAGIC = {".gz": re.compile(rb"\x1f\x8b\x08"), ".zst": re.compile(rb"\x28\xb5\x2f\xfd")}
_PLAIN_RECORD = re.compile(rb"(?:^|\n)(WARC/\d)")


def compression(path: Path) -> str | None:
    name = path.name.lower()
    return ".gz" if name.endswith(".gz") else ".zst" if name.endswith(".zst") else None


def archive_iterator(fh: Any) -> ArchiveIterator:
    # HTTP is parsed in transforms/warc.py: FastWARC's parser swallows a body that has no header block.
    # quirks_mode reads LF-only header lines and WARC/0.17-0.18 headers.
    return ArchiveIterator(fh, parse_http=False, quirks_mode=True)


def record_positions(path: Path) -> list[int]:
    """Stream offsets of the records FastWARC finds, up to the first damage."""
    out: list[int] = []
    with path.open("rb") as fh:
        try:
            for rec in archive_iterator(fh):
                out.append(rec.stream_pos)
        except OSError:
            pass
    return out


def addressable(path: Path, positions: list[int]) -> bool:
    """Whether every record starts at its own offset: strictly increasing, and in a compressed file at
    a gzip member or zstd frame (a file compressed as one stream reports the decoder's position)."""
    if any(b <= a for a, b in zip(positions, positions[1:], strict=False)):
        return False
    magic = _MAGIC.get(compression(path) or "")
    if magic is None or not positions:
        return True
    fd = os.open(path, os.O_RDONLY)
    try:
        return all(magic.match(os.pread(fd, 4, p)) for p in positions)
    finally:
        os.close(fd)


def warc_record_ranges(path: Path, target_bytes: int) -> list[tuple[int, int]]:
    """Record-aligned byte ranges ``[start, end)`` of about ``target_bytes`` each, covering the whole file,
    each readable on its own with ``read_warc(..., byte_range=r)``. Reading every range gives the same
    rows as reading the file. A file compressed as one stream cannot be split: one range."""
    size = path.stat().st_size
    if size == 0:
        return []
    positions = record_positions(path)
    if not addressable(path, positions):
        return [(0, size)]
    ranges: list[tuple[int, int]] = []
    start = 0
    for p in positions[1:]:
        if p - start >= target_bytes:
            ranges.append((start, p))
            start = p
    ranges.append((start, size))
    return ranges


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def split_warc_chunks(chunks: list[list[Path]], workers: int) -> list[list]:
    """Chunks of files for a pool, with each WARC file larger than a range cut out into one chunk per
    record range ``(path, (start, end))``, in place, so the rows come out in the same order."""
    warcs = [p for c in chunks for p in c if is_warc(p)]
    if not warcs:
        return chunks
    total = sum(file_size(p) for p in warcs)
    target = max(MIN_RANGE_BYTES, min(MAX_RANGE_BYTES, total // (4 * workers)))
    out: list[list] = []
    for chunk in chunks:
        pending: list = []
        for path in chunk:
            ranges = warc_record_ranges(path, target) if is_warc(path) and file_size(path) > target else []
            if len(ranges) <= 1:
                pending.append(path)
                continue
            if pending:
                out.append(pending)
                pending = []
            out += [[(path, r)] for r in ranges]
        if pending:
            out.append(pending)
    return out


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def header_length(fd: int, pos: int) -> int:
    head = os.pread(fd, HEAD_BYTES, pos)
    m = re.search(rb"\r?\n\r?\n", head)
    return m.end() if m else 0


def find_next(path: Path, after: int, end: int) -> int | None:
    """Offset of the next place a record may start (gzip member, zstd frame, ``WARC/`` line) after
    ``after``, or None before ``end``."""
    magic = _MAGIC.get(compression(path) or "", _PLAIN_RECORD)
    with path.open("rb") as fh:
        pos = after + 1
        while pos < end:
            fh.seek(pos)
            chunk = fh.read(1 << 20)
            if not chunk:
                return None
            m = magic.search(chunk)
            if m is not None:
                return pos + m.start(m.lastindex or 0)
            if len(chunk) < 1 << 20:
                return None  # the file's end: nothing after it (a step of len - 8 would stall on 8 bytes)
            pos += len(chunk) - 8  # overlap: a magic split across two reads is still found
    return None


def member_end(path: Path, pos: int) -> int | None:
    """Where the gzip member at ``pos`` ends (the offset after it), or None when it does not decompress
    to its end (the file's own cut, which the reader has reported)."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with path.open("rb") as fh:
        fh.seek(pos)
        read = 0
        while not inflate.eof:
            chunk = fh.read(1 << 20)
            if not chunk:
                return None
            try:
                while chunk and not inflate.eof:  # output bounded per call: a bomb costs time, not memory
                    inflate.decompress(chunk, 1 << 20)
                    read += len(chunk) - len(inflate.unconsumed_tail)
                    chunk = inflate.unconsumed_tail
            except zlib.error:
                return None
    return pos + read - len(inflate.unused_data)
