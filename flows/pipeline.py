"""The ``clean-news`` Prefect flow: ingest -> clean -> dedup -> write. Tasks are thin; logic is in transforms/."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.utilities.annotations import quote

from flows.params import CleanNewsParams
from flows.readers import ReadLimits, ReadResult, discover, read_files
from flows.store import OutputLayout
from transforms.extract import ExtractConfig
from transforms.schema import RECORD_SCHEMA, REJECTED_SCHEMA
from transforms.summary import run_summary, summary_markdown

__all__ = ["clean_news", "new_run_id", "read_limits"]

READ_BATCH_FILES = 2000  # files per read task: bounded task overhead and a progress tick per batch


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def read_limits(p: CleanNewsParams) -> ReadLimits:
    mode = p.html_extraction
    return ReadLimits(
        max_file_bytes=p.max_file_mb * 1024 * 1024,
        max_record_bytes=p.max_record_mb * 1024 * 1024,
        max_decompressed_bytes=p.max_decompressed_mb * 1024 * 1024,
        extract=ExtractConfig(favor_precision=mode == "precision", favor_recall=mode == "recall"),
    )


def _workers(p: CleanNewsParams) -> int:
    return p.workers or max(1, min(os.cpu_count() or 1, 8))


@task(name="discover")
def discover_task(raw_dir: str) -> tuple[list[Path], pl.DataFrame]:
    files, rejects = discover(Path(raw_dir))
    return files, pl.DataFrame(rejects, schema=REJECTED_SCHEMA, orient="row") if rejects else pl.DataFrame(
        schema=REJECTED_SCHEMA)


@task(name="read-batch")
def read_task(raw_dir: str, files: list[Path], limits: ReadLimits, workers: int) -> ReadResult:
    return read_files(Path(raw_dir), files, limits, workers=workers if len(files) > 16 else 1)


@task(name="write")
def write_task(layout: OutputLayout, run_id: str, tables: dict[str, pl.DataFrame], summary: dict) -> dict:
    return {k: str(v) for k, v in layout.publish(run_id, tables, summary).items()}


def _stamp(df: pl.DataFrame, run_id: str, at: datetime) -> pl.DataFrame:
    return df.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(at).cast(pl.Datetime("us", "UTC")).alias("ingested_at"))


@flow(name="clean-news", description="Raw scraped news (txt, html, jsonl) -> clean, deduplicated Parquet.",
      log_prints=False, validate_parameters=True)
def clean_news(params: CleanNewsParams = CleanNewsParams()) -> dict[str, Any]:
    logger = get_run_logger()
    layout = OutputLayout(Path(params.out_dir))
    run_id = new_run_id()
    started = datetime.now(UTC)
    rolled_back = layout.recover()
    if rolled_back:
        logger.warning("rolled back unfinished runs: %s", ", ".join(rolled_back))

    files, file_rejects = discover_task(params.raw_dir)
    limits = read_limits(params)
    parts = [ReadResult(records=pl.DataFrame(schema=RECORD_SCHEMA), rejected=file_rejects)]
    for i in range(0, len(files), READ_BATCH_FILES):
        batch = files[i:i + READ_BATCH_FILES]
        parts.append(read_task(params.raw_dir, quote(batch), limits, _workers(params)))
        logger.info("read %d/%d files", min(i + READ_BATCH_FILES, len(files)), len(files))
    read = ReadResult.concat(parts)

    articles, rejected = read.records, read.rejected
    summary = run_summary(articles, rejected)
    summary.update(run_id=run_id, raw_dir=params.raw_dir, out_dir=str(layout.out),
                   started_at=started.isoformat(), finished_at=datetime.now(UTC).isoformat(),
                   params=params.model_dump())
    tables = {"articles": _stamp(articles, run_id, started), "rejected": _stamp(rejected, run_id, started)}
    paths = write_task(layout, run_id, quote(tables), summary)
    summary["paths"] = paths
    logger.info("records in %d = articles %d + rejected %d", summary["records_in"], summary["articles"],
                summary["rejected"])
    logger.info("\n%s", summary_markdown(summary))
    return summary
