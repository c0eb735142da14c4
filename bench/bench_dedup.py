"""Speed of the dedup stage against the reference loop, side by side in one process.

    python bench/bench_dedup.py --docs 10000 [--reference-docs 10000] [--out bench/results/dedup.md]

Reference: Python tokenising/shingling (same normalisation regex, same 32-bit shingle hashes) +
datasketch MinHash.update_batch per document + MinHashLSH insert/query with the same (bands, rows),
then the same exact-Jaccard verification. rensa (RMinHash + RMinHashLSH) reported beside it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl  # noqa: E402

from bench.corpus_gen import generate  # noqa: E402
from transforms.dedup import DedupConfig, dedup_frame  # noqa: E402
from transforms.minhash import reference_signature  # noqa: E402,F401
from transforms.shingle import shingle_texts  # noqa: E402


def ours(df: pl.DataFrame, config: DedupConfig) -> tuple[float, int, set]:
    tracemalloc.start()
    t = time.perf_counter()
    res = dedup_frame(df, config)
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    a = res.articles.filter(pl.col("is_duplicate")).select("doc_id", "duplicate_of")
    return dt, peak, set(a.iter_rows())


def reference(df: pl.DataFrame, config: DedupConfig) -> tuple[float, int]:
    import datasketch

    texts = df["text"].to_list()
    tracemalloc.start()
    t = time.perf_counter()
    lsh = datasketch.MinHashLSH(num_perm=config.num_perm, params=(config.bands, config.rows))
    k = config.shingle_size
    for i, text in enumerate(texts):
        words = re.sub(r"[^\w]+", " ", text.lower()).split()
        sh = {hash(" ".join(words[j : j + k])) & 0xFFFFFFFF for j in range(max(1, len(words) - k + 1))}
        m = datasketch.MinHash(num_perm=config.num_perm, seed=config.seed, scheme="affine32", hashfunc=int)
        m.update_batch(sh)
        lsh.query(m)
        lsh.insert(i, m)
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak


def rensa_time(df: pl.DataFrame, config: DedupConfig) -> float:
    from rensa import RMinHash, RMinHashLSH

    texts = df["text"].to_list()
    t = time.perf_counter()
    lsh = RMinHashLSH(threshold=0.5, num_perm=config.num_perm, num_bands=config.bands)
    k = config.shingle_size
    for i, text in enumerate(texts):
        words = text.lower().split()
        m = RMinHash(num_perm=config.num_perm, seed=config.seed)
        m.update([" ".join(words[j : j + k]) for j in range(max(1, len(words) - k + 1))])
        lsh.query(m)
        lsh.insert(i, m)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, nargs="+", default=[10_000])
    ap.add_argument("--reference-docs", type=int, default=10_000)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    config = DedupConfig()
    lines = [
        f"config: {config}",
        "",
        "| docs | ours s | ours us/doc | ours peak MB | ref us/doc | ref peak MB | speed-up | rensa us/doc |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in args.docs:
        df = generate(n)
        dt, peak, _ = ours(df, config)
        row = f"| {n} | {dt:.2f} | {dt / n * 1e6:.1f} | {peak / 1e6:.0f} |"
        if n <= args.reference_docs:
            rdt, rpeak = reference(df, config)
            rs = rensa_time(df, config)
            row += f" {rdt / n * 1e6:.1f} | {rpeak / 1e6:.0f} | {rdt / dt:.1f}x | {rs / n * 1e6:.1f} |"
        else:
            row += " - | - | - | - |"
        lines.append(row)
        print(row, flush=True)
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
