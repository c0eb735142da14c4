"""Column contracts between the stages: ingest -> clean -> dedup -> write.

Each stage adds columns to the article frame and never renames the ones it was given.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

__all__ = ["RECORD_SCHEMA", "REJECTED_SCHEMA", "Reason"]


class Reason(StrEnum):
    """Every reason a record can be rejected for: the one vocabulary of the rejected table, the run summary
    and the README (a test holds the three together)."""

    # a whole file
    EMPTY_FILE = "empty_file"
    BINARY_FILE = "binary_file"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    SYMLINK = "symlink"
    UNSUPPORTED_TYPE = "unsupported_type"
    # a JSONL line
    BAD_JSON = "bad_json"
    NOT_AN_OBJECT = "not_an_object"
    NO_TEXT = "no_text"
    LINE_TOO_LONG = "line_too_long"
    BAD_VALUE = "bad_value"
    # a gzip stream (the lines before the break are kept)
    BAD_GZIP = "bad_gzip"
    TRUNCATED_GZIP = "truncated_gzip"
    DECOMPRESSION_LIMIT = "decompression_limit"
    # an HTML page
    NO_ARTICLE = "no_article"
    EXTRACT_FAILED = "extract_failed"
    # a WARC response record (one HTML response each) and a WARC file
    HTTP_ERROR = "http_error"
    HTTP_REDIRECT = "http_redirect"
    EMPTY_RECORD = "empty_record"
    BINARY_RECORD = "binary_record"
    TRUNCATED_WARC = "truncated_warc"
    BAD_WARC = "bad_warc"
    # after cleaning
    TOO_SHORT = "too_short"


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
    "encoding": pl.String(),  # how the bytes were decoded: utf-8, cp1252, utf-16-le, ... or utf-8-replace
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
    "reason": pl.String(),  # a Reason value
    "detail": pl.String(),  # human explanation
}
