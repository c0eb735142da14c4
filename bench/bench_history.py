"""Incremental dedup cost against a large history: a 1,000-document run against 0 ... 1,000,000 kept docs,
and the size of the history index per kept document.

The run's cost must follow its new documents, not the history: the key index (sorted key segments,
``flows.history_segments``) finds the few earlier documents that share an LSH band key or enough
containment keys with the new ones; only those are read back, their shingles recomputed from their
clean text in the articles parts. This builds histories of growing size with the flow's own stage code
(one run per batch: staged shard, ``run_dedup``, ``write_shard``, ``add_to_history``, publish), then
times the dedup step of the same 1,000-document run (history look-up, candidates' texts, verification,
clustering) against each.

    python bench/bench_history.py --history 0,10000,100000,1000000 --new 1000 --history-dir DIR \
        --out bench/results/history.md
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus_gen import generate  # noqa: E402
from flows import configs  # noqa: E402
from flows.dedup_stage import DedupOutputs, run_dedup  # noqa: E402
from flows.params import CleanNewsParams  # noqa: E402
from flows.publish import add_to_history, rollback_history  # noqa: E402
from flows.shards import DOC_COLUMNS, ShardPaths, save_prepared, write_shard  # noqa: E402
from flows.store import OutputLayout, write_parquet_atomic  # noqa: E402
from transforms.dedup import prepare  # noqa: E402
from transforms.schema import REJECTED_SCHEMA  # noqa: E402

BATCH = 50_000


def _history(params: CleanNewsParams, layout: OutputLayout) -> tuple:
    return (
        "files",
        layout.state,
        params.redis_url,
        configs.history_fingerprint(configs.dedup_config(params)),
    )


def stage(
    layout: OutputLayout, params: CleanNewsParams, docs: pl.DataFrame, run_id: str
) -> tuple[ShardPaths, Path]:
    """What a run's one shard stages: its clean articles, their per-document state and their sketch."""
    staging = layout.staging(run_id)
    sp = ShardPaths(staging, 0)
    docs = docs.with_columns(
        clean_chars=pl.col("text").str.len_chars().cast(pl.Int64),
        source_line=pl.lit(None, pl.Int64),  # a rejected row names it (too_short_rows)
    )
    write_parquet_atomic(docs, sp.clean)
    write_parquet_atomic(docs.select(DOC_COLUMNS), sp.docs)
    write_parquet_atomic(pl.DataFrame(schema=REJECTED_SCHEMA), sp.read_rejects)
    write_parquet_atomic(pl.DataFrame(schema=REJECTED_SCHEMA), sp.clean_rejects)
    # no short texts: the file write_shard reads (the article columns plus reject_detail), empty
    write_parquet_atomic(docs.clear().with_columns(reject_detail=pl.lit(None, pl.String)), sp.short)
    save_prepared(prepare(docs.get_column("text"), configs.dedup_config(params, threads=1)), sp.sketch)
    return sp, staging


def dedup(layout: OutputLayout, params: CleanNewsParams, sp: ShardPaths, staging: Path) -> dict:
    return run_dedup(
        [sp.docs],
        [sp.sketch],
        [sp.clean],
        configs.dedup_config(params),
        _history(params, layout),
        DedupOutputs(staging),
        layout.out / "articles",
    )


def history_batch(i: int) -> pl.DataFrame:
    """Batch i of the kept documents (generated per batch: `generate` holds every token of its corpus
    at once, ~9 GB for a million documents)."""
    return generate(BATCH, seed=100 + i, dup_rate=0.0).with_columns(
        doc_id=pl.format("h{}-{}", pl.lit(f"{i:03d}"), pl.col("doc_id"))
    )


def build_history(layout: OutputLayout, params: CleanNewsParams, size: int) -> float:
    """``size`` kept documents of earlier runs, one run per batch, through the same code a run uses."""
    t0 = time.perf_counter()
    history = _history(params, layout)
    for i, lo in enumerate(range(0, size, BATCH)):
        run_id = f"20260101T{i:06d}000000Z-hist"
        if layout.summary_path(run_id).exists():  # resuming a kept history folder: batch already in
            continue
        batch = history_batch(i).head(size - lo)
        batch = batch.with_columns(source_path=pl.format("hist/{}.jsonl", pl.col("doc_id")))
        sp, staging = stage(layout, params, batch, run_id)
        dedup(layout, params, sp, staging)
        part = write_shard(sp, DedupOutputs(staging).assignments_of(sp.index), run_id, datetime.now(UTC))
        out = DedupOutputs(staging)
        add_to_history(
            out.index_rows, out.keys, out.counts, configs.dedup_config(params).bands, history, run_id
        )
        layout.publish(run_id, {}, {"run_id": run_id}, parts={"articles": [Path(part["articles"])]})
        rollback_history(history, layout)  # what each run does first: merges the committed segments
        print(
            f"  history batch {i}: {lo + batch.height:,} docs, {time.perf_counter() - t0:.0f} s", flush=True
        )
    return time.perf_counter() - t0


def one_run(layout: OutputLayout, params: CleanNewsParams, new: pl.DataFrame) -> tuple[float, int, int, int]:
    run_id = "29990101T000000000000Z-new"
    sp, staging = stage(layout, params, new, run_id)
    t0 = time.perf_counter()
    res = dedup(layout, params, sp, staging)
    took = time.perf_counter() - t0
    cols = pl.read_parquet(DedupOutputs(staging).assignments / "*.parquet")
    shutil.rmtree(staging, ignore_errors=True)
    flagged = int(cols["is_duplicate"].sum())
    against_history = cols.filter(
        pl.col("is_duplicate") & ~pl.col("duplicate_of").is_in(new["doc_id"].implode())
    ).height
    return took, flagged, against_history, res["history_candidates"]


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--history", default="0,10000,100000")
    ap.add_argument("--new", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None)
    ap.add_argument(
        "--history-dir",
        default=None,
        help="build the largest history here and keep it; "
        "a later run with the same folder resumes the build instead of starting again",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.history.split(",")]
    biggest = max(sizes)
    fresh = generate(args.new, seed=11, dup_rate=0.0).with_columns(
        doc_id=pl.format("new{}", pl.col("doc_id"))
    )
    # a fifth of the new run copies stories kept earlier: the same copies for every history size (taken
    # from the smallest non-empty history), so only the history's size changes between rows
    n_copy = args.new // 5
    smallest = min([s for s in sizes if s] or [0])
    step = max(1, smallest // max(n_copy, 1))
    first = history_batch(0) if biggest else fresh.head(0)
    copies = (
        first.head(smallest)
        .gather_every(step)
        .head(n_copy)
        .with_columns(
            doc_id=pl.format("copy{}", pl.col("doc_id")),
            text=pl.lit("WASHINGTON (AP) - ") + pl.col("text").str.slice(0, 2500),
        )
        if biggest
        else fresh.head(0)
    )
    new = pl.concat([fresh.head(args.new - copies.height), copies]).with_columns(
        source_path=pl.format("new/{}.jsonl", pl.col("doc_id"))
    )
    first_ids = first.get_column("doc_id")

    rows = []
    for size in sizes:
        keep = bool(args.history_dir) and size == biggest
        tmp = Path(args.history_dir) if keep else Path(tempfile.mkdtemp(prefix="wirewash-hist-"))
        try:
            layout = OutputLayout(tmp)
            params = CleanNewsParams(out_dir=str(tmp))
            layout.recover()
            rollback_history(_history(params, layout), layout)  # a build killed midway: drop its batch
            built = build_history(layout, params, size) if size else 0.0
            index_bytes = _du(tmp / "_state" / "history")
            times = []
            for _ in range(args.repeats):
                took, flagged, vs_hist, candidates = one_run(layout, params, new)
                times.append(took)
            expected = copies.filter(pl.col("doc_id").str.slice(4).is_in(first_ids.head(size).implode()))
            rows.append((size, built, index_bytes, min(times), flagged, vs_hist, expected.height, candidates))
        finally:
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
        print(rows[-1], flush=True)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base = rows[0][3]
    lines = [
        f"# Incremental dedup against history ({args.new:,} new documents, best of {args.repeats})",
        "",
        "`python bench/bench_history.py " + " ".join(sys.argv[1:]) + "`",
        "",
        "| history docs | build history s | key index MB | bytes per kept doc | new run dedup s "
        "| us per new doc | vs smallest | candidates read | flagged dup | of them vs history "
        "| copies of history present |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, built, nbytes, took, flagged, vs_hist, expected, cand in rows:
        per_doc = f"{nbytes / size:,.0f}" if size else ""
        lines.append(
            f"| {size:,} | {built:.1f} | {nbytes / 2**20:,.0f} | {per_doc} | {took:.3f} | "
            f"{took / args.new * 1e6:,.0f} | {took / base:.2f}x | {cand} | {flagged} | {vs_hist} | "
            f"{expected} |"
        )
    lines += ["", f"peak RSS of the benchmark process: {peak:,.0f} MB (includes generating the corpus)"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
