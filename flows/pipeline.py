"""The ``clean-news`` Prefect flow: plan -> read -> clean -> dedup -> publish. Tasks are thin wrappers;
the logic lives in transforms/ (pure) and in the I/O modules readers, store, state, history."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.utilities.annotations import quote

from flows import artifacts, stages
from flows.params import CleanNewsParams
from flows.readers import ReadLimits, ReadResult, discover, read_files
from flows.roots import enforce_allowed_roots
from flows.state import file_facts, load_manifest, output_lock, refresh_manifest, rel_path, sha256_file
from flows.store import OutputLayout
from transforms.extract import ExtractConfig
from transforms.incremental import MANIFEST_SCHEMA, plan_inputs
from transforms.schema import RECORD_SCHEMA, REJECTED_SCHEMA
from transforms.summary import run_summary

__all__ = ["clean_news", "new_run_id", "read_limits"]

DEFAULT_PARAMS = CleanNewsParams()  # frozen: safe as a shared default
READ_BATCH_FILES = 1000  # files per read task: bounded memory and task overhead, a progress tick each


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by time (the manifest relies on it), unique across concurrent starts."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


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


@task(name="plan-inputs")
def plan_task(
    raw_dir: str, layout: OutputLayout, full: bool, run_id: str
) -> tuple[list[Path], pl.DataFrame, pl.DataFrame]:
    """Files to read, discovery rejects to record, and this run's manifest rows (new or changed only)."""
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    files, rejects = discover(root)
    reject_df = pl.DataFrame(rejects, schema=REJECTED_SCHEMA, orient="row")
    by_path = {rel_path(root, f): f for f in files}
    facts = pl.concat(
        [
            file_facts(root, files),
            file_facts(root, [root / p for p in reject_df["source_path"]], follow_links=False),
        ]
    )
    plan = plan_inputs(facts, load_manifest(layout), full=full)
    # A touched file (size or mtime differ) is processed only if its content changed.
    hashes = {
        row["source_path"]: (
            sha256_file(by_path[row["source_path"]])
            if row["source_path"] in by_path
            else f"stat:{row['size']}:{row['mtime_ns']}"
        )
        for row in plan.filter(pl.col("status") != "unchanged").iter_rows(named=True)
    }
    hashed = plan.filter(pl.col("status") != "unchanged").with_columns(
        pl.col("source_path").replace_strict(hashes, return_dtype=pl.String).alias("sha256")
    )
    same = (pl.col("status") == "touched") & (pl.col("sha256") == pl.col("known_sha256"))
    refresh_manifest(layout, hashed.filter(same))  # touched, same content: not hashed again next run
    todo = hashed.filter(~same)
    manifest = todo.select(
        *[pl.col(c) for c in ("source_path", "size", "mtime_ns", "sha256")], pl.lit(run_id).alias("run_id")
    ).cast(MANIFEST_SCHEMA)
    wanted = set(todo["source_path"])
    return (
        [by_path[p] for p in sorted(wanted) if p in by_path],
        reject_df.filter(pl.col("source_path").is_in(sorted(wanted))),
        manifest,
    )


@task(name="read-batch")
def read_task(raw_dir: str, files: list[Path], limits: ReadLimits, workers: int) -> ReadResult:
    return read_files(Path(raw_dir), files, limits, workers=workers)  # serial itself when one chunk


@task(name="clean")
def clean_task(records: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> stages.Cleaned:
    return stages.clean(records, params, layout)


@task(name="dedup")
def dedup_task(articles: pl.DataFrame, params: CleanNewsParams, layout: OutputLayout) -> stages.Deduped:
    return stages.dedup(articles, params, layout)


@task(name="publish")
def publish_task(
    layout: OutputLayout,
    run_id: str,
    tables: dict[str, pl.DataFrame],
    summary: dict,
    deduped: stages.Deduped,
    params: CleanNewsParams,
) -> dict[str, str]:
    """Add the run's documents to the history index, stage and move its tables, commit with the
    summary, then drop the rows the run superseded and rebuild the clusters table."""
    stages.add_to_history(deduped, params, layout, run_id)
    paths = layout.publish(run_id, {k: v for k, v in tables.items() if v.height}, summary)
    stages.supersede(params, layout)  # before the rebuild: a changed file's old rows must not count
    stages.rebuild_clusters(layout)
    return {k: str(v) for k, v in paths.items()}


def _stamp(df: pl.DataFrame, run_id: str, at: datetime) -> pl.DataFrame:
    return df.with_columns(
        pl.lit(run_id).alias("run_id"), pl.lit(at).cast(pl.Datetime("us", "UTC")).alias("ingested_at")
    )


@flow(
    name="clean-news",
    description="Raw scraped news (txt, html, jsonl) -> clean, deduplicated Parquet.",
    validate_parameters=True,
)
def clean_news(params: CleanNewsParams = DEFAULT_PARAMS) -> dict[str, Any]:
    logger = get_run_logger()
    enforce_allowed_roots(params.raw_dir, params.out_dir)  # a served run: before anything is written
    layout = OutputLayout(Path(params.out_dir))
    run_id = new_run_id()
    started = datetime.now(UTC)
    with output_lock(layout, params.lock_wait_seconds, run_id):
        rolled_back = layout.recover()
        stages.rollback_history(params, layout)
        if rolled_back:
            logger.warning("rolled back unfinished runs: %s", ", ".join(rolled_back))
        stages.supersede(params, layout)  # finish one a crash interrupted

        files, discover_rejects, manifest = plan_task(params.raw_dir, layout, params.full, run_id)
        logger.info("%d input files to process (new or changed)", len(files))
        parts = [ReadResult(records=pl.DataFrame(schema=RECORD_SCHEMA), rejected=discover_rejects)]
        progress = artifacts.Progress(total=len(files), unread=discover_rejects.height)
        for i in range(0, len(files), READ_BATCH_FILES):
            batch = files[i : i + READ_BATCH_FILES]
            parts.append(read_task(params.raw_dir, quote(batch), read_limits(params), _workers(params)))
            progress.advance(len(batch))
        read = ReadResult.concat(parts)

        cleaned = clean_task(quote(read.records), params, layout)
        deduped = dedup_task(quote(cleaned.articles), params, layout)
        articles = deduped.articles
        rejected = pl.concat([read.rejected, cleaned.rejected], how="vertical_relaxed")

        summary = run_summary(articles, rejected, read.skipped)
        summary.update(
            run_id=run_id,
            raw_dir=params.raw_dir,
            out_dir=str(layout.out),
            files=len(files),
            rolled_back=rolled_back,
            new_clusters=deduped.new_clusters,
            started_at=started.isoformat(),
            finished_at=datetime.now(UTC).isoformat(),
            params=params.model_dump(),
        )
        tables = {
            "articles": _stamp(articles, run_id, started),
            "rejected": _stamp(rejected, run_id, started),
            "roundups": _stamp(deduped.side_tables["roundups"], run_id, started),
            "_state/manifest": manifest,
            "_state/linestats": cleaned.evidence,
        }
        summary["paths"] = publish_task(layout, run_id, quote(tables), summary, quote(deduped), params)
    logger.info(
        "records in %d = articles %d + rejected %d",
        summary["records_in"],
        summary["articles"],
        summary["rejected"],
    )
    artifacts.publish_artifacts(summary, layout)
    return summary
