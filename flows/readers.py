"""Readers: raw files under the raw root -> article records and rejected rows (file I/O lives here).

Every record ends up exactly once in the records frame or the rejected frame; nothing here raises for
bad input. Reads are capped (file size, line length, decompressed bytes) so hostile input cannot exhaust
memory, and symlinks are never followed, so a link loop or a link out of the raw root cannot be read.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import stat
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import polars as pl

from transforms.dates import parse_date
from transforms.decode import DecodeError, decode_bytes, html_declared_charset
from transforms.extract import ExtractConfig, extract_article
from transforms.records import RecordError, clean_field, derive_source, has_prose, json_fields, make_doc_id
from transforms.schema import RECORD_SCHEMA, REJECTED_SCHEMA

__all__ = ["ReadLimits", "ReadResult", "discover", "read_file", "read_files", "SUFFIXES"]

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz")
MiB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 32 * MiB  # a .txt or .html file
    max_record_bytes: int = 8 * MiB  # one JSONL line
    max_decompressed_bytes: int = 2048 * MiB  # all lines of one .jsonl.gz
    extract: ExtractConfig = field(default_factory=ExtractConfig)


@dataclass
class ReadResult:
    records: pl.DataFrame
    rejected: pl.DataFrame

    @staticmethod
    def concat(parts: list[ReadResult]) -> ReadResult:
        return ReadResult(
            records=pl.concat([p.records for p in parts]) if parts else pl.DataFrame(schema=RECORD_SCHEMA),
            rejected=pl.concat([p.rejected for p in parts])
            if parts
            else pl.DataFrame(schema=REJECTED_SCHEMA),
        )


def _suffix(name: str) -> str | None:
    lower = name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), None)


def discover(root: Path) -> tuple[list[Path], list[dict[str, Any]]]:
    """Input files under ``root`` (sorted, recursive, links not followed) and reject rows for the
    files that are not inputs (unsupported type, symlink). Hidden files and folders are skipped."""
    root = root.resolve()
    files: list[Path] = []
    rejects: list[dict[str, Any]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        here = Path(dirpath)
        kept_dirs = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if (here / d).is_symlink():
                rejects.append(
                    _reject(root, here / d, None, "symlink", "symbolic link to a folder: not followed")
                )
                continue
            kept_dirs.append(d)
        dirnames[:] = kept_dirs
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if path.is_symlink():
                rejects.append(_reject(root, path, None, "symlink", "symbolic link: not followed"))
            elif not _is_regular(path):  # a FIFO or device would block the run when opened
                rejects.append(_reject(root, path, None, "unsupported_type", "not a regular file"))
            elif _suffix(name) is None:
                rejects.append(
                    _reject(root, path, None, "unsupported_type", f"not one of {', '.join(SUFFIXES)}")
                )
            else:
                files.append(path)
    return sorted(files, key=lambda p: rel_path(root, p)), rejects


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return True  # let the read report it as unreadable


@functools.lru_cache(maxsize=4096)  # called for every record of a file: once per file is enough
def rel_path(root: Path, path: Path) -> str:
    """POSIX path relative to the raw root, with undecodable name bytes kept as escapes."""
    return path.relative_to(root).as_posix().encode("utf-8", "backslashreplace").decode("utf-8")


def _reject(
    root: Path,
    path: Path,
    line: int | None,
    reason: str,
    detail: str,
    doc_id: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    rel = rel_path(root, path)
    return {
        "source_path": rel,
        "source_line": line,
        "doc_id": doc_id,
        "source": source or derive_source(None, None, rel),
        "reason": reason,
        "detail": detail[:500],
    }


def _row(
    root: Path,
    path: Path,
    line: int | None,
    fmt: str,
    *,
    text: str,
    raw_chars: int,
    url: str | None,
    title: str | None,
    author: str | None,
    published: str | None,
    source: str | None,
) -> dict[str, Any]:
    rel = rel_path(root, path)
    return {
        "doc_id": make_doc_id(rel, line),
        "source": derive_source(source, url, rel),
        "source_path": rel,
        "source_line": line,
        "format": fmt,
        "url": url,
        "title": title,
        "author": author,
        "published": parse_date(published) if published else None,
        "raw_text": text,
        "raw_chars": raw_chars,
    }


def _read_capped(path: Path, cap: int) -> bytes:
    with path.open("rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise DecodeError("too_large", f"file is larger than the {cap // MiB} MiB cap")
    return data


def _html_row(
    root: Path,
    path: Path,
    line: int | None,
    fmt: str,
    html: str,
    *,
    limits: ReadLimits,
    url: str | None = None,
    title: str | None = None,
    published: str | None = None,
    source: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    try:
        art = extract_article(html, url=url, config=limits.extract)
    except Exception as exc:  # trafilatura is a black box over hostile HTML: record, never abort the run
        raise RecordError("extract_failed", f"trafilatura failed: {type(exc).__name__}: {exc}") from exc
    if art is None or not has_prose(art.text):
        found = "nothing" if art is None else f"only {art.text[:60]!r}"
        raise RecordError("no_article", f"no article in the HTML (navigation, error or empty page): {found}")
    return _row(
        root,
        path,
        line,
        fmt,
        text=art.text,
        raw_chars=len(html),
        url=url or clean_field(art.url),
        title=title or clean_field(art.title),
        author=author or clean_field(art.author),
        published=published or art.date,
        source=source,
    )


def _read_single(root: Path, path: Path, fmt: str, limits: ReadLimits) -> dict[str, Any]:
    data = _read_capped(path, limits.max_file_bytes)
    if fmt == "txt":
        decoded = decode_bytes(data)
        return _row(
            root,
            path,
            None,
            "txt",
            text=decoded.text,
            raw_chars=len(decoded.text),
            url=None,
            title=None,
            author=None,
            published=None,
            source=None,
        )
    decoded = decode_bytes(data, declared=html_declared_charset(data))
    return _html_row(root, path, None, "html", decoded.text, limits=limits)


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
        if total > limits.max_decompressed_bytes:
            raise _LineTooLong(number)


def _read_jsonl(
    root: Path,
    path: Path,
    limits: ReadLimits,
    out: list,
    rejects: list,
    span: tuple[int, int, int] | None = None,
) -> None:
    """``span`` = (start byte, end byte, lines before start): one line-aligned range of a plain JSONL file
    (a shard of a large file, see flows.shards); the empty-file check is then the planner's."""
    gz = path.name.lower().endswith(".gz")
    opener = gzip.open if gz else open
    if not gz:  # the decompression cap is for gzip streams; a plain file is streamed line by line
        limits = replace(limits, max_decompressed_bytes=1 << 62)
    before = len(out) + len(rejects)
    number = 0
    try:
        with opener(path, "rb") as fh:
            if span is not None and not gz:
                fh.seek(span[0])
                fh = io.BytesIO(fh.read(span[1] - span[0]))  # bounded: the planner caps a span's bytes
            for number, raw in _lines(fh, limits, span[2] if span else 0):
                if raw is None:
                    rejects.append(
                        _reject(
                            root,
                            path,
                            number,
                            "line_too_long",
                            f"JSONL line longer than the {limits.max_record_bytes // MiB} MiB cap",
                        )
                    )
                    continue
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                    fields = json_fields(obj)
                except (ValueError, RecursionError) as exc:
                    reason = exc.reason if isinstance(exc, RecordError) else "bad_json"
                    rejects.append(_reject(root, path, number, reason, str(exc)))
                    continue
                meta = {
                    "url": fields.url,
                    "title": fields.title,
                    "published": fields.published,
                    "source": fields.source,
                    "author": fields.author,
                }
                try:
                    if fields.text is not None:
                        out.append(
                            _row(
                                root,
                                path,
                                number,
                                "jsonl",
                                text=fields.text,
                                raw_chars=len(fields.text),
                                **meta,
                            )
                        )
                    else:
                        out.append(_html_row(root, path, number, "jsonl", fields.html, limits=limits, **meta))
                except ValueError as exc:  # RecordError, or any bad value: that line only, never the run
                    rel = rel_path(root, path)
                    rejects.append(
                        _reject(
                            root,
                            path,
                            number,
                            exc.reason if isinstance(exc, RecordError) else "bad_value",
                            exc.detail if isinstance(exc, RecordError) else f"{type(exc).__name__}: {exc}",
                            make_doc_id(rel, number),
                            derive_source(fields.source, fields.url, rel),
                        )
                    )
    except _LineTooLong:
        rejects.append(
            _reject(
                root,
                path,
                number + 1,
                "decompression_limit",
                f"stopped after {limits.max_decompressed_bytes // MiB} MiB of decompressed "
                f"data (a decompression bomb?); the lines before were read",
            )
        )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        reason = "bad_gzip" if number == 0 and not isinstance(exc, EOFError) else "truncated_gzip"
        rejects.append(
            _reject(
                root,
                path,
                number + 1,
                reason,
                f"gzip stream broken after line {number}: {type(exc).__name__}: {exc}; "
                f"the lines before were read",
            )
        )
    except OSError as exc:
        rejects.append(
            _reject(root, path, number + 1 if number else None, "unreadable", f"{type(exc).__name__}: {exc}")
        )
    if span is None and len(out) + len(rejects) == before:  # no record in the file: the file is the reject
        rejects.append(_reject(root, path, None, "empty_file", "no JSON lines (empty or whitespace only)"))


def read_file(
    root: Path, path: Path, limits: ReadLimits = ReadLimits(), span: tuple[int, int, int] | None = None
) -> tuple[list[dict], list[dict]]:
    """Records and rejects of one input file (or of one ``span`` of a JSONL file). Never raises for bad
    input."""
    root = root.resolve()
    out: list[dict] = []
    rejects: list[dict] = []
    suffix = _suffix(path.name)
    fmt = {".txt": "txt", ".html": "html", ".htm": "html"}.get(suffix or "", "jsonl")
    try:
        if fmt == "jsonl":
            _read_jsonl(root, path, limits, out, rejects, span)
        else:
            out.append(_read_single(root, path, fmt, limits))
    except (DecodeError, RecordError) as exc:
        rel = rel_path(root, path)
        rejects.append(
            _reject(
                root,
                path,
                None,
                f"{exc.reason}_file" if exc.reason in ("empty", "binary") else exc.reason,
                exc.detail,
                make_doc_id(rel, None),
            )
        )
    except OSError as exc:
        rejects.append(_reject(root, path, None, "unreadable", f"{type(exc).__name__}: {exc}"))
    except ValueError as exc:  # a bad value no check foresaw: this file is rejected, the run goes on
        rejects.append(_reject(root, path, None, "bad_value", f"{type(exc).__name__}: {exc}"))
    return out, rejects


def _read_chunk(root: Path, paths: list[Path], limits: ReadLimits) -> ReadResult:
    rows: list[dict] = []
    rejects: list[dict] = []
    for path in paths:
        r, j = read_file(root, path, limits)
        rows += r
        rejects += j
    return ReadResult(
        records=pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row")
        if rows
        else pl.DataFrame(schema=RECORD_SCHEMA),
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
    if workers <= 1 or len(chunks) <= 1:
        return ReadResult.concat([_read_chunk(root, c, limits) for c in chunks])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_read_chunk, [root] * len(chunks), chunks, [limits] * len(chunks)))
    return ReadResult.concat(parts)
