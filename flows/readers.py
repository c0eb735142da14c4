"""Readers: raw files under the raw root -> article records and rejected rows (file I/O lives here).

Every record ends up exactly once in the records frame or the rejected frame; nothing here raises for
bad input. Reads are capped (file size, line length, decompressed bytes) so hostile input cannot exhaust
memory, and symlinks are never followed, so a link loop or a link out of the raw root cannot be read,
not even one swapped in between discovery and the read (files are opened with ``O_NOFOLLOW``).
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import stat
import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import polars as pl

from flows.rows import MiB, ReadLimits, html_row, record_row, reject_row
from flows.state import rel_path
from flows.warc import read_warc, split_warc_chunks
from transforms.decode import UTF8_REPLACED, DecodeError, decode_bytes, decode_line, html_declared_charset
from transforms.language import with_language
from transforms.records import RecordError, derive_source, json_fields, make_doc_id
from transforms.schema import RECORD_SCHEMA, REJECTED_SCHEMA

__all__ = [
    "ReadLimits",
    "ReadResult",
    "discover",
    "holds_pages",
    "is_input_name",
    "read_file",
    "read_files",
    "SUFFIXES",
]

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz", ".warc.zst")


@dataclass
class ReadResult:
    records: pl.DataFrame
    rejected: pl.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)  # input records that are not documents, by kind

    @staticmethod
    def concat(parts: list[ReadResult]) -> ReadResult:
        return ReadResult(
            records=pl.concat([p.records for p in parts]) if parts else pl.DataFrame(schema=RECORD_SCHEMA),
            rejected=pl.concat([p.rejected for p in parts])
            if parts
            else pl.DataFrame(schema=REJECTED_SCHEMA),
            skipped=dict(sum((Counter(p.skipped) for p in parts), Counter())),
        )


def _suffix(name: str) -> str | None:
    lower = name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), None)


def is_input_name(name: str) -> bool:
    """Whether a file of this name is read (one of ``SUFFIXES``); the run rejects the others as
    ``unsupported_type``."""
    return _suffix(name) is not None


def discover(root: Path, skip: tuple[Path, ...] = ()) -> tuple[list[Path], list[dict[str, Any]]]:
    """Input files under ``root`` (sorted, recursive, links not followed) and reject rows for the
    files that are not inputs (unsupported type, symlink). Hidden files and folders are skipped, and so
    are the folders of ``skip`` (the run's output folder, when it lies inside the raw one: its own
    tables are not input)."""
    root = root.resolve()
    skipped = {p.resolve() for p in skip}
    files: list[Path] = []
    rejects: list[dict[str, Any]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        here = Path(dirpath)
        kept_dirs = []
        for d in sorted(dirnames):
            if d.startswith(".") or (here / d) in skipped:
                continue
            if (here / d).is_symlink():
                rejects.append(
                    reject_row(root, here / d, None, "symlink", "symbolic link to a folder: not followed")
                )
                continue
            kept_dirs.append(d)
        dirnames[:] = kept_dirs
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if path.is_symlink():
                rejects.append(reject_row(root, path, None, "symlink", "symbolic link: not followed"))
            elif not _is_regular(path):  # a FIFO or device would block the run when opened
                rejects.append(reject_row(root, path, None, "unsupported_type", "not a regular file"))
            elif _suffix(name) is None:
                rejects.append(
                    reject_row(root, path, None, "unsupported_type", f"not one of {', '.join(SUFFIXES)}")
                )
            else:
                files.append(path)
    return sorted(files, key=lambda p: rel_path(root, p)), rejects


def holds_pages(root: Path) -> bool:
    """Whether ``root`` holds an HTML or WARC file (names only, stopping at the first): a cheap guess,
    before the run plans, that it will extract HTML (JSONL records may carry HTML too: not guessed)."""
    pages = tuple(s for s in SUFFIXES if s.startswith((".htm", ".warc")))
    for _, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if any(name.lower().endswith(pages) for name in filenames if not name.startswith(".")):
            return True
    return False


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return True  # let the read report it as unreadable


class _NotAFile(OSError):
    """What discovery saw as a regular file is now a link or a special file: refused, not opened."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = os.O_RDONLY | os.O_NOFOLLOW | _CLOEXEC


def _open_input(root: Path, path: Path) -> IO[bytes]:
    """Open ``path`` for reading without following a symlink anywhere below ``root``: each folder on
    the way and the file itself are opened with ``O_NOFOLLOW``, relative to the one before, so a link
    swapped in after discovery is refused, not followed. ``O_NONBLOCK`` keeps a FIFO swapped in from
    blocking the open; ``fstat`` then refuses anything but a regular file."""
    *folders, name = path.relative_to(root).parts
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for folder in folders:
            try:
                nxt = os.open(folder, _NOFOLLOW | os.O_DIRECTORY, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    detail = f"folder {folder!r} became a symbolic link: not followed"
                    raise _NotAFile("symlink", detail) from exc
                raise
            os.close(fd)
            fd = nxt
        try:
            file_fd = os.open(name, _NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _NotAFile("symlink", "became a symbolic link after discovery: not followed") from exc
            raise
    finally:
        os.close(fd)
    mode = os.fstat(file_fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(file_fd)
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        raise _NotAFile("unsupported_type", "not a regular file any more (a FIFO, socket or device)")
    return os.fdopen(file_fd, "rb")


def _read_capped(fh: IO[bytes], cap: int) -> bytes:
    with fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise DecodeError("too_large", f"file is larger than the {cap // MiB} MiB cap")
    return data


def _read_single(root: Path, path: Path, fh: IO[bytes], fmt: str, limits: ReadLimits) -> dict[str, Any]:
    data = _read_capped(fh, limits.max_file_bytes)
    if fmt == "txt":
        decoded = decode_bytes(data)
        text = decoded.text
        return record_row(root, path, None, "txt", text=text, raw_chars=len(text), encoding=decoded.encoding)
    decoded = decode_bytes(data, declared=html_declared_charset(data))
    return html_row(root, path, None, "html", decoded.text, limits=limits, encoding=decoded.encoding)


class _LineTooLong(Exception):
    pass


def _lines(fh: IO[bytes], limits: ReadLimits, start: int = 0) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line, numbered from ``start + 1``; bytes is None for a line over the
    cap (skipped, not kept)."""
    total = 0
    number = start
    while True:
        chunk = fh.readline(limits.max_record_bytes + 1)
        if not chunk:
            return
        number += 1
        total += len(chunk)
        if len(chunk) > limits.max_record_bytes and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line in bounded reads
                chunk = fh.readline(MiB)
                total += len(chunk)
                if total > limits.max_decompressed_bytes:
                    raise _LineTooLong(number)
            yield number, None
        else:
            yield number, chunk
            if chunk == b"\n":  # a run of blank lines (a bomb of newlines): passed over in bulk
                skipped = _skip_newlines(fh)
                number += skipped
                total += skipped
        if total > limits.max_decompressed_bytes:
            raise _LineTooLong(number)


def _skip_newlines(fh: IO[bytes]) -> int:
    """Consume the blank lines (``\\n`` alone) that follow in ``fh``, a buffer at a time; return how
    many. A line at a time, a gzip file of 1 GiB of newlines cost ten minutes; this way about a second
    or two. Needs ``peek`` (buffered readers and GzipFile have it); without it, nothing is skipped."""
    peek = getattr(fh, "peek", None)
    if peek is None:
        return 0
    count = 0
    while True:
        buf = peek(1 << 16)
        n = len(buf) - len(buf.lstrip(b"\n"))
        if n == 0:
            return count
        fh.read(n)
        count += n


RECORD, REJECT = "record", "reject"
Item = tuple[str, dict[str, Any]]  # (RECORD, record row) or (REJECT, rejected row)


def _jsonl_line(root: Path, path: Path, number: int, raw: bytes, limits: ReadLimits) -> Item | None:
    """One JSONL line -> a record or a reject (None for a blank line). Invalid UTF-8 bytes do not lose
    the record: the line is decoded as ``decode_line`` says, and the record's ``encoding`` tells how."""
    if not raw.strip():
        return None
    decoded = decode_line(raw)
    try:
        fields = json_fields(json.loads(decoded.text.lstrip("\ufeff")))
    except (ValueError, RecursionError) as exc:
        reason = exc.reason if isinstance(exc, RecordError) else "bad_json"
        return REJECT, reject_row(root, path, number, reason, str(exc))
    meta = {
        "url": fields.url,
        "title": fields.title,
        "published": fields.published,
        "source": fields.source,
        "author": fields.author,
        # a lone surrogate escape ("\ud800") is invalid text too: replaced by U+FFFD, said as for bytes
        "encoding": UTF8_REPLACED if fields.replaced else decoded.encoding,
    }
    try:
        if fields.text is not None:
            return RECORD, record_row(
                root, path, number, "jsonl", text=fields.text, raw_chars=len(fields.text), **meta
            )
        return RECORD, html_row(root, path, number, "jsonl", fields.html, limits=limits, **meta)
    except ValueError as exc:  # RecordError, or any bad value: that line only, never the run
        rel = rel_path(root, path)
        return REJECT, reject_row(
            root,
            path,
            number,
            exc.reason if isinstance(exc, RecordError) else "bad_value",
            exc.detail if isinstance(exc, RecordError) else f"{type(exc).__name__}: {exc}",
            make_doc_id(rel, number),
            derive_source(fields.source, fields.url, rel),
        )


def _read_jsonl(
    root: Path, path: Path, fh: IO[bytes], limits: ReadLimits, span: tuple[int, int, int] | None = None
) -> Iterator[Item]:
    """The records and rejects of a .jsonl(.gz) file, line by line. A broken stream ends the file with
    one reject naming where it broke; the lines before it are kept. ``span`` = (start byte, end byte,
    lines before start): one line-aligned range of a plain JSONL file (a shard of a large file, see
    flows.shards); the empty-file check is then the planner's."""
    gz = path.name.lower().endswith(".gz")
    if not gz:  # the decompression cap is for gzip streams; a plain file is streamed line by line
        limits = replace(limits, max_decompressed_bytes=1 << 62)
    items = number = 0
    end: tuple[int | None, str, str] | None = None  # (line, reason, detail) of a broken stream
    try:
        with fh, gzip.GzipFile(fileobj=fh, mode="rb") if gz else fh as stream:
            if span is not None and not gz:
                stream.seek(span[0])
                # bounded: the planner caps a span (buffered for peek: see _skip_newlines)
                stream = io.BufferedReader(io.BytesIO(stream.read(span[1] - span[0])))
            for number, raw in _lines(stream, limits, span[2] if span else 0):
                if raw is None:
                    cap = limits.max_record_bytes // MiB
                    detail = f"JSONL line longer than the {cap} MiB cap"
                    item = REJECT, reject_row(root, path, number, "line_too_long", detail)
                else:
                    item = _jsonl_line(root, path, number, raw, limits)
                if item is not None:
                    items += 1
                    yield item
    except _LineTooLong:
        cap = limits.max_decompressed_bytes // MiB
        detail = f"stopped after {cap} MiB of decompressed data (a decompression bomb?); the lines before were read"  # noqa: E501
        end = (number + 1, "decompression_limit", detail)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        reason = "bad_gzip" if number == 0 and not isinstance(exc, EOFError) else "truncated_gzip"
        detail = (
            f"gzip stream broken after line {number}: {type(exc).__name__}: {exc}; the lines before were read"
        )
        end = (number + 1, reason, detail)
    except OSError as exc:
        end = (number + 1 if number else None, "unreadable", f"{type(exc).__name__}: {exc}")
    if end is not None:
        yield REJECT, reject_row(root, path, *end)
    elif not items and span is None:  # no line held a record: the file itself is the reject
        yield (
            REJECT,
            reject_row(root, path, None, "empty_file", "no JSON lines (empty or whitespace only)"),
        )


def _read_items(
    root: Path,
    path: Path,
    limits: ReadLimits,
    skipped: Counter | None = None,
    span: tuple[int, int, int] | None = None,
) -> Iterator[Item]:
    """Every record and reject of one file; WARC records that are not documents are counted into
    ``skipped`` by kind. Nothing raises for bad input."""
    suffix = _suffix(path.name)
    fmt = {".txt": "txt", ".html": "html", ".htm": "html"}.get(suffix or "", "jsonl")
    try:
        if suffix is not None and suffix.startswith(".warc"):
            byte_range = span[:2] if span is not None else None
            records, rejects, kinds = read_warc(root, path, limits, byte_range=byte_range)
            if skipped is not None:
                skipped.update(kinds)
            yield from ((RECORD, r) for r in records)
            yield from ((REJECT, r) for r in rejects)
            return
        fh = _open_input(root, path)
        if fmt == "jsonl":
            yield from _read_jsonl(root, path, fh, limits, span)
        else:
            yield RECORD, _read_single(root, path, fh, fmt, limits)
    except (DecodeError, RecordError) as exc:
        reason = f"{exc.reason}_file" if exc.reason in ("empty", "binary") else exc.reason
        yield (
            REJECT,
            reject_row(root, path, None, reason, exc.detail, make_doc_id(rel_path(root, path), None)),
        )
    except _NotAFile as exc:
        yield REJECT, reject_row(root, path, None, exc.reason, exc.detail)
    except OSError as exc:
        yield REJECT, reject_row(root, path, None, "unreadable", f"{type(exc).__name__}: {exc}")
    except ValueError as exc:  # a bad value no check foresaw: this file is rejected, the run goes on
        yield REJECT, reject_row(root, path, None, "bad_value", f"{type(exc).__name__}: {exc}")


def read_file(
    root: Path,
    path: Path,
    limits: ReadLimits = ReadLimits(),
    span: tuple[int, int, int] | None = None,
    skipped: Counter | None = None,
) -> tuple[list[dict], list[dict]]:
    """Records and rejects of one input file, or of one ``span`` of it (a line range of a JSONL file, a
    record range of a WARC file: see flows.shards); WARC records that are not documents are counted
    into ``skipped`` by kind. Never raises for bad input."""
    root = root.resolve()
    out: list[dict] = []
    rejects: list[dict] = []
    for kind, row in _read_items(root, path, limits, skipped, span):
        (out if kind == RECORD else rejects).append(row)
    return out, rejects


def _read_chunk(root: Path, paths: list, limits: ReadLimits) -> ReadResult:
    """Read a chunk of files; an item ``(path, (start, end))`` is one record range of a WARC file."""
    rows: list[dict] = []
    rejects: list[dict] = []
    skipped: Counter = Counter()
    for path in paths:
        if isinstance(path, tuple):
            r, j, kinds = read_warc(root, path[0], limits, byte_range=path[1])
            skipped.update(kinds)
        else:
            r, j = read_file(root, path, limits, skipped=skipped)
        rows += r
        rejects += j
    return ReadResult(
        records=pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row")
        if rows
        else pl.DataFrame(schema=RECORD_SCHEMA),
        skipped=dict(skipped),
        rejected=pl.DataFrame(rejects, schema=REJECTED_SCHEMA, orient="row")
        if rejects
        else pl.DataFrame(schema=REJECTED_SCHEMA),
    )


def read_files(
    root: Path, paths: list[Path], limits: ReadLimits = ReadLimits(), workers: int = 1, chunk_files: int = 64
) -> ReadResult:
    """Read many files; with workers > 1, chunks of files in a process pool (HTML extraction is CPU bound
    and holds the GIL). The result is in path order whatever the pool does."""
    root = root.resolve()
    chunks = [paths[i : i + chunk_files] for i in range(0, len(paths), chunk_files)]
    if workers > 1:  # a large WARC file is read as record ranges in parallel
        chunks = split_warc_chunks(chunks, workers)
    if workers <= 1 or len(chunks) <= 1:
        parts = [_read_chunk(root, c, limits) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_read_chunk, [root] * len(chunks), chunks, [limits] * len(chunks)))
    result = ReadResult.concat(parts)
    # in this process: polars' thread pool does not survive the fork into pool workers
    result.records = with_language(result.records)
    return result
