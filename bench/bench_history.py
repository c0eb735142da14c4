"""Incremental dedup cost against a large history: a 1,000-document run against 0 ... 1,000,000 kept docs.

The run's cost must follow its new documents, not the history: the key index (SQLite, embedded) finds the
few earlier documents that share an LSH or containment key with the new ones, and only those rows are
read back. This builds histories of growing size with the flow's own stage code (dedup_frame in batches,
the key index, per-run history parts), then times the same 1,000-document run against each.

    python bench/bench_history.py --history 10000,100000,1000000 --new 1000 --out bench/results/history.md
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus_gen import generate  # noqa: E402
from flows import stages  # noqa: E402
from flows.params import CleanNewsParams  # noqa: E402
from flows.store import OutputLayout  # noqa: E402

BATCH = 50_000


def build_history(layout: OutputLayout, params: CleanNewsParams, docs: pl.DataFrame) -> float:
    """Kept documents of earlier runs, one run per batch, through the same code a run uses."""
    t0 = time.perf_counter()
    for i, lo in enumerate(range(0, docs.height, BATCH)):
        batch = docs.slice(lo, BATCH).with_columns(source_path=pl.format("hist/{}.jsonl", pl.col("doc_id")))
        run_id = f"20260101T{i:06d}000000Z-hist"
        if layout.summary_path(run_id).exists():  # resuming a kept history folder: batch already in
            continue
        deduped = stages.dedup(batch, params, layout)
        stages.add_to_history(deduped, params, layout, run_id)
        layout.publish(run_id, {}, {"run_id": run_id})  # commits the run
        stages.rollback_history(params, layout)  # marks the run committed in the index
    return time.perf_counter() - t0


def one_run(layout: OutputLayout, params: CleanNewsParams, new: pl.DataFrame) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    deduped = stages.dedup(new, params, layout)
    took = time.perf_counter() - t0
    flagged = int(deduped.articles["is_duplicate"].sum())
    against_history = int(
        deduped.articles.filter(
            pl.col("is_duplicate") & ~pl.col("duplicate_of").is_in(new["doc_id"].to_list())
        )["doc_id"].len()
    )
    return took, flagged, against_history


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
    corpus = generate(biggest + args.new, seed=11, dup_rate=0.0)
    hist_all = corpus.head(biggest)
    fresh = corpus.tail(args.new)
    # a fifth of the new run copies stories kept earlier: the same copies for every history size (taken
    # from the smallest non-empty history), so only the history's size changes between rows
    n_copy = args.new // 5
    smallest = min([s for s in sizes if s] or [0])
    step = max(1, smallest // max(n_copy, 1))
    copies = (
        hist_all.head(smallest)
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

    rows = []
    for size in sizes:
        keep = bool(args.history_dir) and size == biggest
        tmp = Path(args.history_dir) if keep else Path(tempfile.mkdtemp(prefix="wirewash-hist-"))
        try:
            layout = OutputLayout(tmp)
            params = CleanNewsParams(out_dir=str(tmp))
            stages.rollback_history(params, layout)  # a build killed midway: drop its unfinished batch
            built = build_history(layout, params, hist_all.head(size)) if size else 0.0
            db = tmp / "_state" / "history.sqlite"
            db_mb = db.stat().st_size / 2**20 if db.exists() else 0.0
            times = []
            for _ in range(args.repeats):
                took, flagged, vs_hist = one_run(layout, params, new)
                times.append(took)
            # copies whose source is inside this history size
            expected = copies.filter(
                pl.col("doc_id").str.slice(4).is_in(hist_all.head(size)["doc_id"].to_list())
            )
            rows.append((size, built, db_mb, min(times), flagged, vs_hist, expected.height))
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
        "| history docs | build history s | key index MB | new run s | us per new doc | vs smallest | "
        "flagged dup | of them vs history | copies of history present |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, built, db_mb, took, flagged, vs_hist, expected in rows:
        lines.append(
            f"| {size:,} | {built:.1f} | {db_mb:.0f} | {took:.3f} | {took / args.new * 1e6:.0f} | "
            f"{took / base:.2f}x | {flagged} | {vs_hist} | {expected} |"
        )
    lines += ["", f"peak RSS of the benchmark process: {peak:.0f} MB (includes generating the corpus)"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
