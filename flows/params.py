"""The one parameter model of the ``clean-news`` flow: the form in the Prefect UI and the CLI's knobs.

Every field has a description and bounds; the Prefect server validates a run's parameters against
this model's JSON schema, so an out-of-range value is refused before the run starts.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CleanNewsParams", "bounds_text"]


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def bounds_text(prop: dict[str, Any]) -> str | None:
    """A field's bounds from its JSON schema, as the UI form and ``--help`` show them: ``0–64``,
    ``>0 and ≤1``, ``≥2``; None for an unbounded field."""
    parts = []
    for key, op in (("exclusiveMinimum", ">"), ("minimum", "≥"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in prop:
            parts.append((op, _number(prop[key])))
    if not parts:
        return None
    if [op for op, _ in parts] == ["≥", "≤"]:
        return f"{parts[0][1]}–{parts[1][1]}"
    return " and ".join(f"{op}{value}" for op, value in parts)


def _bounds_in_descriptions(schema: dict[str, Any]) -> None:
    """The Prefect UI's form shows a field's description but not its minimum/maximum, which the server
    enforces anyway: append the range to each bounded field's description (``... (0–64)``)."""
    for prop in schema.get("properties", {}).values():
        text = bounds_text(prop)
        if text and prop.get("description"):
            prop["description"] = f"{prop['description']} ({text})"


class CleanNewsParams(BaseModel):
    """Parameters of one wirewash run. A new knob is one field here (with a description and bounds):
    the CLI's options, the UI's form and the server's validation all come from this class."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_bounds_in_descriptions)

    # where
    raw_dir: str = Field(
        "data/raw",
        description="Folder of raw scraped files (.txt, .html, .jsonl, .jsonl.gz, .warc, .warc.gz, "
        ".warc.zst), read recursively; never modified.",
        min_length=1,
    )
    out_dir: str = Field(
        "data/clean", description="Output folder for the Parquet tables and run summaries.", min_length=1
    )
    full: bool = Field(False, description="Reprocess every input file, not only new or changed ones.")
    outlet_rules: str | None = Field(
        "config/outlet_rules.toml",
        description="TOML file of extra line rules per "
        "outlet (relative to the working folder); missing file = no extra rules.",
    )

    # reading
    workers: int = Field(
        0, ge=0, le=64, description="Processes for reading and HTML extraction; 0 = one per core."
    )
    max_file_mb: int = Field(
        32, ge=1, le=1024, description="Largest .txt/.html file read (MiB); larger is rejected."
    )
    max_record_mb: int = Field(
        8,
        ge=1,
        le=256,
        description="Longest JSONL line (line_too_long) or WARC HTML response (too_large) read, in MiB.",
    )
    max_decompressed_mb: int = Field(
        2048,
        ge=1,
        le=65536,
        description="Most bytes decompressed from one .jsonl.gz, or from one .warc.gz/.warc.zst (there: this "
        "or 20x the file's size, whichever is larger), in MiB: a cap against decompression bombs.",
    )
    html_extraction: Literal["balanced", "precision", "recall"] = Field(
        "balanced", description="trafilatura's mode for HTML pages."
    )
    html_views: bool = Field(
        True,
        description="Let trafilatura's recall mode and resiliparse vote on each line of the extracted "
        "article (with the cleaner, +1.9 and +2.1 F1 points over bare trafilatura on the eval sets, about "
        "1.4x the extraction time); off: trafilatura alone.",
    )

    # cleaning
    min_clean_chars: int = Field(
        200,
        ge=0,
        le=100_000,
        description="An article with fewer characters left after cleaning is rejected (too_short).",
    )
    min_clean_words: int = Field(
        30,
        ge=0,
        le=10_000,
        description="An article with fewer words left after cleaning is rejected (too_short).",
    )
    min_copy_words: int = Field(
        16,
        ge=1,
        le=10_000,
        description="A too-short text of at least this many words (a one-sentence wire brief) is kept "
        "if it is a copy of a kept story (a duplicate of it, never canonical), else rejected (too_short).",
    )
    repeated_min_docs: int = Field(
        4,
        ge=2,
        le=10_000,
        description="A line seen in at least this many "
        "different stories of one outlet is site boilerplate (repeated_line).",
    )
    repeated_min_share: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="...and in at least this share of the outlet's stories (0 = count only).",
    )

    # deduplication
    num_perm: int = Field(128, ge=16, le=512, description="MinHash permutations.")
    shingle_size: int = Field(5, ge=1, le=10, description="Words per shingle.")
    jaccard_threshold: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="Jaccard similarity of word shingles "
        "from which two LSH candidates are near duplicates (verified exactly).",
    )
    containment_threshold: float = Field(
        0.6,
        gt=0.0,
        le=1.0,
        description="Share of an article's shingles found in a fuller one from which it is an excerpt of it "
        "(below 0.8, its text outside quotation marks must be found there too).",
    )
    min_excerpt_shingles: int = Field(
        20,
        ge=5,
        le=10_000,
        description="Shared shingles below this never link "
        "two articles (one quoted sentence or an agency footer is not a copy).",
    )

    # operation
    lock_wait_seconds: int = Field(
        300,
        ge=0,
        le=86_400,
        description="How long a run waits for another run "
        "writing to the same output folder before it refuses.",
    )

    # history
    history_backend: Literal["files", "redis"] = Field(
        "files", description="Where the dedup history index lives: files under the output folder, or Redis."
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis URL when history_backend is redis.")
    dask: str | None = Field(
        None,
        description="Run the tasks on Dask: local:N starts a LocalCluster of N worker processes, "
        "tcp://HOST:PORT uses a running scheduler (its workers must see raw_dir and out_dir at the same "
        "paths). Empty: worker processes on this machine.",
        pattern=r"^(local:[1-9][0-9]{0,2}|tcp://[^\s:/]+:[0-9]{1,5})$",
    )
