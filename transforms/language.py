"""Language of a document: ISO 639-1 code and a confidence, with CLD2 (the only module that imports
pycld2). CLD2's model is compiled into its wheel: nothing is downloaded at run time.

The detector reads a bounded sample of the text, made of its sentence-like lines first, so a menu or a
cookie banner at the top of a page does not decide, and the cost per document is flat (see
bench/results/warc.md for the figure).
"""

from __future__ import annotations

import re

import polars as pl
import pycld2

__all__ = ["SAMPLE_CHARS", "detect_language", "language_sample", "with_language"]

SAMPLE_CHARS = 1000  # characters the detector reads per document
EVIDENCE_BYTES = 200  # a sample shorter than this is weaker evidence, in proportion
_MIN_WORDS = 6  # a line with fewer words is a label, not a sentence
_SCAN_CHARS = 20_000  # how far into a long text the sample is looked for
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# CLD2 still emits a few pre-2000 codes, and script variants; the column holds ISO 639-1 where one exists
# (the ISO 639-2/3 code otherwise, e.g. "ceb", "haw").
_ISO = {"iw": "he", "jw": "jv", "in": "id", "ji": "yi", "zh-Hant": "zh", "sr-ME": "sr", "mo": "ro"}


def language_sample(text: str, max_chars: int = SAMPLE_CHARS) -> str:
    """Up to ``max_chars`` characters of the text's sentence-like lines (the text's head if it has none),
    stripped of characters CLD2 refuses (controls, lone surrogates)."""
    picked: list[str] = []
    size = 0
    for line in text[:_SCAN_CHARS].splitlines():
        if len(line.split(None, _MIN_WORDS - 1)) >= _MIN_WORDS:  # stops splitting at the answer
            picked.append(line)
            size += len(line) + 1
            if size >= max_chars:
                break
    sample = "\n".join(picked)[:max_chars] if picked else text[:max_chars]
    return _INVALID.sub(" ", sample)


def detect_language(text: str | None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0..1) of a text, or (None, None) when CLD2 finds no language.

    The confidence is the share of the sample's bytes CLD2 attributes to that language, scaled down for
    samples under ``EVIDENCE_BYTES`` (CLD2 calls "Berlin Paris Madrid" English at 96 %), and capped at
    0.5 when CLD2 flags its guess unreliable. A filter such as ``language_confidence >= 0.8`` keeps
    confident detections of single-language documents of a few sentences or more.
    """
    if not text:
        return None, None
    sample = language_sample(text)
    if not sample.strip():
        return None, None
    try:
        reliable, found, details = pycld2.detect(sample.encode("utf-8", "replace"))
    except pycld2.error:  # input CLD2 rejects despite the sanitising: no language, not a failure
        return None, None
    _, code, percent, _ = details[0]
    if code in ("un", "xx") or code.startswith("xx-") or percent == 0:
        return None, None
    confidence = percent / 100.0 * min(1.0, found / EVIDENCE_BYTES)
    return _ISO.get(code) or code.split("-")[0], round(confidence if reliable else min(confidence, 0.5), 4)


_STRUCT = pl.Struct({"language": pl.String(), "language_confidence": pl.Float64()})


def with_language(records: pl.DataFrame, column: str = "raw_text") -> pl.DataFrame:
    """``records`` with ``language`` and ``language_confidence`` set from ``column`` (CLD2 is a black box
    per document, hence the one map over the column)."""
    if records.is_empty():
        return records.with_columns(
            pl.lit(None, pl.String()).alias("language"),
            pl.lit(None, pl.Float64()).alias("language_confidence"),
        )
    detected = records.get_column(column).map_elements(
        lambda t: dict(zip(("language", "language_confidence"), detect_language(t), strict=True)),
        return_dtype=_STRUCT,
        skip_nulls=True,
    )
    return records.with_columns(detected.struct.unnest())
