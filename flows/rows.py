"""Row builders shared by the readers of every format: a record row, a rejected row, and a record from an
HTML page (through trafilatura), with the caps every reader applies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.state import rel_path
from transforms.dates import parse_date
from transforms.extract import ExtractConfig, extract_article
from transforms.records import RecordError, clean_field, derive_source, has_prose, make_doc_id

__all__ = ["MiB", "ReadLimits", "html_row", "record_row", "reject_row"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 32 * MiB  # a .txt or .html file
    max_record_bytes: int = 8 * MiB  # one JSONL line
    max_decompressed_bytes: int = 2048 * MiB  # all lines of one .jsonl.gz
    extract: ExtractConfig = field(default_factory=ExtractConfig)


def reject_row(
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


def record_row(
    root: Path,
    path: Path,
    line: int | None,
    fmt: str,
    *,
    text: str,
    raw_chars: int,
    encoding: str | None = None,
    url: str | None = None,
    title: str | None = None,
    author: str | None = None,
    published: str | None = None,
    source: str | None = None,
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
        "encoding": encoding,
    }


def html_row(
    root: Path,
    path: Path,
    line: int | None,
    fmt: str,
    html: str,
    *,
    limits: ReadLimits,
    encoding: str | None = None,
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
    return record_row(
        root,
        path,
        line,
        fmt,
        text=art.text,
        raw_chars=len(html),
        encoding=encoding,
        url=url or clean_field(art.url),
        title=title or clean_field(art.title),
        author=author or clean_field(art.author),
        published=published or art.date,
        source=source,
    )
