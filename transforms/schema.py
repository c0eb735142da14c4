"""Column contracts between the stages: ingest -> clean -> dedup -> write.

Each stage adds columns to the article frame and never renames the ones it was given.
"""

from __future__ import annotations

import polars as pl

__all__ = ["RECORD_SCHEMA", "REJECTED_SCHEMA", "empty_records", "empty_rejected"]

# One row per input record, as the readers produce it (before cleaning).
RECORD_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),  # 16 hex chars, stable: hash of (source_path, source_line)
    "source": pl.String(),  # outlet: record field, else URL domain, else first folder under raw root
    "source_path": pl.String(),  # relative to the raw root, POSIX separators
    "source_line": pl.Int64(),  # 1-based JSONL line; WARC: the record's byte offset; null for .txt/.html
    "format": pl.String(),  # txt | html | jsonl | warc
    "url": pl.String(),
    "title": pl.String(),
    "author": pl.String(),
    "published": pl.Datetime("us", "UTC"),
    "raw_text": pl.String(),  # text as read/extracted, before line cleaning
    "raw_chars": pl.Int64(),  # characters of the raw input record (HTML or text)
    "warc_record_id": pl.String(),  # WARC-Record-ID of a WARC response; null for other formats
    "language": pl.String(),  # ISO 639-1 of raw_text (transforms/language.py); null when none is found
    "language_confidence": pl.Float64(),  # 0..1
}

# One row per rejected record (a whole file, a JSONL line, or a document the cleaner emptied).
REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "source_path": pl.String(),
    "source_line": pl.Int64(),
    "doc_id": pl.String(),  # null where no record could be formed
    "source": pl.String(),
    "reason": pl.String(),  # short id, e.g. empty_file, binary_file, bad_json, no_article, too_short
    "detail": pl.String(),  # human explanation
}


def empty_records() -> pl.DataFrame:
    return pl.DataFrame(schema=RECORD_SCHEMA)


def empty_rejected() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECTED_SCHEMA)
