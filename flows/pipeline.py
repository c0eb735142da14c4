"""The ``clean-news`` Prefect flow, sharded: plan -> read shards -> line statistics -> clean shards ->
dedup -> write shards -> publish. Every task takes and returns paths and small summaries; the shards'
data lives in the run's staging folder (``<out>/_staging/<run_id>/``) until publish moves the parts into
place. The logic lives in transforms/ (pure) and in the I/O modules (readers, shards, linestate,
dedup_stage, publish, store, state, history)."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import configs
from flows.artifacts import Progress, publish_artifacts
from flows.dedup_stage import DedupOutputs, run_dedup
from flows.linestate import reduce_evidence
from flows.params import CleanNewsParams
from flows.publish import add_to_history, rebuild_clusters, repair_canonicals, rollback_history, supersede
from flows.readers import discover, holds_pages
from flows.roots import enforce_allowed_roots
from flows.runners import shared_api, task_runner
from flows.shards import TARGET_BYTES, Shard, ShardPaths, clean_shard, plan_shards, read_shard, write_shard
from flows.state import file_facts, load_manifest, output_lock, refresh_manifest, rel_path, sha256_file
from flows.store import OutputLayout, write_parquet_atomic
from transforms.incremental import plan_inputs, select_todo
from transforms.schema import REJECTED_SCHEMA
from transforms.summary import run_summary

__all__ = ["clean_news", "new_run_id", "read_limits", "warm_extraction", "warm_kernels"]

DEFAULT_PARAMS = CleanNewsParams()  # frozen: safe as a shared default
read_limits = configs.read_limits  # kept for callers of the earlier layout
SHARD_BYTES_ENV = (
    "WIREWASH_SHARD_BYTES"  # operator knob: raw bytes per shard (default flows.shards.TARGET_BYTES)
)


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by time (the manifest relies on it), unique across concurrent starts."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def _history(p: CleanNewsParams, layout: OutputLayout) -> tuple[str, Path, str, str]:
    fingerprint = configs.history_fingerprint(configs.dedup_config(p))
    return (p.history_backend, layout.state, p.redis_url, fingerprint)


@task(name="plan-inputs", cache_policy=NO_CACHE)
def plan_task(
    raw_dir: str, layout: OutputLayout, full: bool, run_id: str
) -> tuple[list[Path], pl.DataFrame, pl.DataFrame]:
    """Files to read, discovery rejects to record, and this run's manifest rows (new or changed only)."""
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    files, rejects = discover(root, skip=(layout.out,))  # an output folder inside raw is not input
    reject_df = pl.DataFrame(rejects, schema=REJECTED_SCHEMA, orient="row")
    by_path = {rel_path(root, f): f for f in files}
    facts = pl.concat(
        [
            file_facts(root, files),
            file_facts(root, [root / p for p in reject_df["source_path"]], follow_links=False),
        ]
    )
    plan = plan_inputs(facts, load_manifest(layout), full=full)
    # A touched file (size or mtime differ) is processed only if its content changed: hash what may have.
    candidates = plan.filter(pl.col("status") != "unchanged")
    hashes = pl.DataFrame(
        {
            "source_path": candidates["source_path"],
            "sha256": [
                sha256_file(by_path[p]) if p in by_path else f"stat:{s}:{m}"
                for p, s, m in candidates.select("source_path", "size", "mtime_ns").iter_rows()
            ],
        },
        schema={"source_path": pl.String, "sha256": pl.String},
    )
    wanted, manifest = select_todo(plan, hashes, run_id)
    same = (pl.col("status") == "touched") & (pl.col("sha256") == pl.col("known_sha256"))
    refresh_manifest(layout, candidates.join(hashes, on="source_path").filter(same))  # not hashed again
    return (
        [by_path[p] for p in wanted if p in by_path],
        reject_df.filter(pl.col("source_path").is_in(wanted)),
        manifest,
    )


# Shard tasks: retried when their worker dies (they rewrite their staged files atomically, so a retry
# gives the same files). NO_CACHE: the inputs are small, and a cached result must never stand in for
# files a crashed run's recovery has removed.
@task(name="read-shard", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def read_shard_task(raw_dir: str, shard: Shard, params: CleanNewsParams, paths: ShardPaths) -> dict[str, int]:
    return read_shard(
        raw_dir, shard, configs.read_limits(params), paths, configs.clean_config(params).linestats()
    )


@task(name="line-statistics", cache_policy=NO_CACHE, retries=1)
def linestats_task(
    evidence: list[Path], layout: OutputLayout, params: CleanNewsParams, staging: Path
) -> dict:
    return reduce_evidence(
        evidence,
        layout,
        configs.clean_config(params).linestats(),
        staging / "repeated.parquet",
        staging / "parts" / "_state" / "linestats" / "part-00000.parquet",
    )


@task(name="clean-shard", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def clean_shard_task(paths: ShardPaths, staging: Path, params: CleanNewsParams) -> dict[str, int]:
    return clean_shard(
        paths,
        staging / "repeated.parquet",
        configs.clean_config(params),
        configs.load_outlet_rules(params.outlet_rules),
        configs.dedup_config(params, threads=1),
    )


@task(name="dedup", cache_policy=NO_CACHE, retries=1)
def dedup_task(
    shards: list[ShardPaths], params: CleanNewsParams, layout: OutputLayout, staging: Path
) -> dict:
    return run_dedup(
        [s.docs for s in shards],
        [s.sketch for s in shards],
        [s.clean for s in shards],
        configs.dedup_config(params),
        _history(params, layout),
        DedupOutputs(staging),
        layout.out / "articles",
        [s.short for s in shards],
    )


@task(name="write-shard", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def write_shard_task(paths: ShardPaths, staging: Path, run_id: str, started: datetime) -> dict[str, str]:
    return write_shard(paths, DedupOutputs(staging).assignments_of(paths.index), run_id, started)


def _summary_frames(staging: Path, discover_rejects: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The run's articles (only the columns the summary counts: no text) and rejects, from its parts."""
    parts = staging / "parts"
    art = sorted((parts / "articles").glob("*.parquet"))
    articles = (
        pl.scan_parquet([str(p) for p in art])
        .select(
            "source",
            "cluster_id",
            "is_duplicate",
            "copy_kind",
            "is_roundup",
            removed=pl.col("removed").list.eval(pl.struct(pl.element().struct.field("rule"))),
        )
        .collect()
        if art
        else pl.DataFrame()
    )
    rej = sorted((parts / "rejected").glob("*.parquet"))
    rejected = pl.read_parquet([str(p) for p in rej]) if rej else pl.DataFrame(schema=REJECTED_SCHEMA)
    cols = list(REJECTED_SCHEMA)
    return articles, pl.concat([discover_rejects.select(cols), rejected.select(cols)], how="vertical_relaxed")


def _shard_bytes(files: list[Path], workers: int) -> int:
    """Raw bytes per shard: ``WIREWASH_SHARD_BYTES`` if set; else at most ``TARGET_BYTES`` (bounded
    memory per task), and small enough that a small run still gives every worker two shards."""
    if os.environ.get(SHARD_BYTES_ENV):
        return max(1, int(os.environ[SHARD_BYTES_ENV]))
    total = 0
    for f in files:
        with contextlib.suppress(OSError):
            total += f.lstat().st_size
    return max(1 << 20, min(TARGET_BYTES, -(-total // (2 * max(1, workers)))))


def warm_kernels() -> None:
    """Compile (or load from numba's cache) the dedup kernels once here, before any worker process
    starts: workers then only load the cache, never write it at the same time."""
    from transforms.dedup import DedupConfig, prepare

    prepare(pl.Series(["warm up the compiled kernels once"]), DedupConfig(workers=1))


def warm_extraction(params: CleanNewsParams) -> None:
    """When this process will extract the run's HTML itself (one worker, HTML or WARC files in the raw
    folder), pay the extractor's one-time set-up (~2 s, ``transforms.extract.warm_up``) now: the CLI
    calls this while the temporary server boots, time the run would otherwise wait for nothing."""
    if configs.workers(params) > 1 or params.dask or not holds_pages(Path(params.raw_dir)):
        return
    from transforms.extract import warm_up

    warm_up()


def _wait(futures: list, progress: Progress | None = None) -> list:
    out = []
    for f in futures:
        out.append(f.result())
        if progress:
            progress.advance()
    return out


def _run_shards(
    runner: Any, params: CleanNewsParams, layout: OutputLayout, shards: list[Shard], staging: Path, run: tuple
) -> tuple[list[dict], dict, dict]:
    """The shard passes and the global steps between them, as tasks on ``runner``."""
    run_id, started, files, unread, lap = run
    shard_paths = [ShardPaths(staging, s.index) for s in shards]
    read = _wait(
        [
            runner.submit(
                read_shard_task, {"raw_dir": params.raw_dir, "shard": s, "params": params, "paths": p}
            )
            for s, p in zip(shards, shard_paths, strict=True)
        ],
        Progress(len(shards), "read", files=files, unread=unread),
    )
    lap("read")
    evidence = {"evidence": [p.evidence for p in shard_paths], "layout": layout, "params": params}
    stats = runner.submit(linestats_task, {**evidence, "staging": staging}).result()
    lap("line_statistics")
    _wait(
        [
            runner.submit(clean_shard_task, {"paths": p, "staging": staging, "params": params})
            for p in shard_paths
        ],
        Progress(len(shards), "cleaned"),
    )
    lap("clean")
    deduped = runner.submit(
        dedup_task, {"shards": shard_paths, "params": params, "layout": layout, "staging": staging}
    ).result()
    lap("dedup")
    write = {"staging": staging, "run_id": run_id, "started": started}
    _wait(
        [runner.submit(write_shard_task, {"paths": p, **write}) for p in shard_paths],
        Progress(len(shards), "written"),
    )
    lap("write")
    return read, stats, deduped


def _skipped(read: list[dict]) -> dict[str, int]:
    """WARC records that are not documents, by kind, summed over the shards' results."""
    out: dict[str, int] = {}
    for r in read:
        for k, n in r.items():
            if k.startswith("skipped:"):
                out[k[8:]] = out.get(k[8:], 0) + n
    return out


def _discover_part(staging: Path, index: int, rejects: pl.DataFrame, run_id: str, started: datetime) -> Path:
    """The discovery rejects (symlinks, unsupported types) as one more rejected part of the run."""
    part = staging / "parts" / "rejected" / f"part-{index:05d}.parquet"
    stamp = {"run_id": pl.lit(run_id), "ingested_at": pl.lit(started).cast(pl.Datetime("us", "UTC"))}
    return write_parquet_atomic(rejects.with_columns(**stamp), part)


@flow(
    name="clean-news",
    description="Raw scraped news (txt, html, jsonl, warc) -> clean, deduplicated Parquet.",
    validate_parameters=True,
)
def clean_news(params: CleanNewsParams = DEFAULT_PARAMS) -> dict[str, Any]:
    logger = get_run_logger()
    enforce_allowed_roots(params.raw_dir, params.out_dir)  # a served run: before anything is written
    layout = OutputLayout(Path(params.out_dir))
    run_id = new_run_id()
    started = datetime.now(UTC)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now

    history = _history(params, layout)
    with output_lock(layout, params.lock_wait_seconds, run_id):
        rolled_back = layout.recover()
        rollback_history(history, layout)
        if rolled_back:
            logger.warning("rolled back unfinished runs: %s", ", ".join(rolled_back))
        supersede(history, layout)  # finish one a crash interrupted
        repair_canonicals(layout)

        files, discover_rejects, manifest = plan_task(params.raw_dir, layout, params.full, run_id)
        shards = plan_shards(files, _shard_bytes(files, configs.workers(params)))
        staging = layout.staging(run_id)
        logger.info("%d input files to process (new or changed) in %d shards", len(files), len(shards))
        warm_kernels()
        lap("plan")
        run = (run_id, started, len(files), discover_rejects.height, lap)
        with shared_api(), task_runner(params.dask, configs.workers(params), len(shards)) as runner:
            read, stats, deduped = _run_shards(runner, params, layout, shards, staging, run)

        articles, rejected = _summary_frames(staging, discover_rejects)
        summary = run_summary(articles, rejected, _skipped(read))
        lap("summary")
        summary.update(
            run_id=run_id,
            raw_dir=params.raw_dir,
            out_dir=str(layout.out),
            files=len(files),
            shards=len(shards),
            records_read=sum(r["records"] for r in read),
            rolled_back=rolled_back,
            new_clusters=deduped["new_clusters"],
            short_copies=deduped["short_copies"],
            history_candidates=deduped["history_candidates"],
            repeated_lines=stats["repeated_lines"],
            started_at=started.isoformat(),
            params=params.model_dump(),
        )
        parts = {
            name: sorted((staging / "parts" / name).glob("*.parquet"))
            for name in ("articles", "rejected", "roundups", "_state/linestats")
        }
        if discover_rejects.height:
            parts["rejected"].append(_discover_part(staging, len(shards), discover_rejects, run_id, started))
        tables = {"_state/manifest": manifest}
        summary["paths"] = _publish(layout, run_id, tables, parts, summary, staging, params, timings, lap)
    logger.info(
        "records in %d = articles %d + rejected %d",
        summary["records_in"],
        summary["articles"],
        summary["rejected"],
    )
    publish_artifacts(summary, layout)
    return summary


def _publish(
    layout: OutputLayout,
    run_id: str,
    tables: dict[str, pl.DataFrame],
    parts: dict[str, list[Path]],
    summary: dict[str, Any],
    staging: Path,
    params: CleanNewsParams,
    timings: dict[str, float],
    lap: Any,
) -> dict[str, str]:
    """Add the run's documents to the history index, move its parts into place and commit with the
    summary, then drop the rows the run superseded and rebuild the clusters table."""
    out = DedupOutputs(staging)
    history = _history(params, layout)
    add_to_history(out.index_rows, out.keys, out.counts, configs.dedup_config(params).bands, history, run_id)
    lap("history")
    summary["finished_at"] = datetime.now(UTC).isoformat()
    summary["timings"] = timings
    paths = layout.publish(run_id, tables, summary, parts={k: v for k, v in parts.items() if v})
    supersede(history, layout)  # before the rebuild: a changed file's old rows must not count
    repair_canonicals(layout)  # a story whose canonical copy was superseded gets a new one
    rebuild_clusters(layout)
    lap("publish")
    return {k: str(v) for k, v in paths.items()}
