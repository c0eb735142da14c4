"""Speed of the dedup stage against the reference loop, side by side in one process.

    python bench/bench_dedup.py --docs 10000 100000 1000000 --reference-docs 10000 \
        [--out bench/results/dedup.md]

Ours: the whole stage, text in, clusters out (`dedup_frame`), with and without the containment
search (`DedupConfig(containment=False)`); best of `--repeat` runs.
Reference: Python tokenising/shingling (same normalisation regex, 32-bit shingle hashes) + datasketch
`MinHash.update_batch` per document + `MinHashLSH` query/insert with the same (bands, rows), then
exact Jaccard (Python sets) of the candidates >= jaccard_threshold. It runs on the first
`--reference-docs` documents of the corpus; its cost per document is used for the ratio at every size.
rensa (RMinHash + RMinHashLSH query/insert, no verification) beside it on the same subsample.
Same pairs: on that subsample, the pairs the reference finds (LSH + threshold) against our pairs
(two documents in one cluster with exact Jaccard >= threshold).
Short copies: `--short-share` of the corpus's size as one-sentence briefs (half of them 24 words cut from
a document, half 24 words drawn from the vocabulary: copies of nothing), `attach_short` timed after
`dedup_frame` (the flow's dedup step runs both); the column is its time over the stage's.
Peak memory: each system in a fresh subprocess (`--peak`), the highest RSS seen during the stage
(sampled every 5 ms) minus the RSS before it (the corpus excluded); the timed runs carry no tracing.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from bench.corpus_gen import generate  # noqa: E402
from transforms.dedup import (  # noqa: E402
    DEDUP_COLUMNS,
    DedupConfig,
    attach_short,
    dedup_frame,
    pair_overlap,
    prepare,
)

_WORD = re.compile(r"[^\w]+")


def ours(df: pl.DataFrame, config: DedupConfig) -> tuple[float, pl.DataFrame]:
    t = time.perf_counter()
    res = dedup_frame(df, config)
    return time.perf_counter() - t, res.articles


def briefs(df: pl.DataFrame, share: float, seed: int = 7) -> pl.Series:
    """`share` x the corpus's size of 24-word briefs: half cut from documents, half random words."""
    rng = np.random.default_rng(seed)
    n = max(2, int(df.height * share))
    texts = df.get_column("text").gather(rng.integers(0, df.height, n)).str.split(" ")
    vocab = texts.explode().unique().sort().to_numpy()
    cut = [" ".join(t[20:44]) for t in texts.head(n // 2).to_list()]
    rand = [" ".join(rng.choice(vocab, 24)) for _ in range(n - n // 2)]
    return pl.Series("text", cut + rand, dtype=pl.String)


def short_cost(df: pl.DataFrame, config: DedupConfig, share: float) -> tuple[float, int]:
    """Seconds of `attach_short` after `dedup_frame` on `df` plus briefs, and the briefs it keeps."""
    prep = prepare(df.get_column("text"), config)
    res = dedup_frame(df, config, prepared=prep)
    texts = briefs(df, share)
    short = pl.DataFrame({"doc_id": [f"brief-{i}" for i in range(texts.len())], "text": texts})
    t = time.perf_counter()
    kept = attach_short(
        res.articles.select("doc_id", *DEDUP_COLUMNS), prep, short, prepare(texts, config), None, config
    )
    return time.perf_counter() - t, kept.height


def our_pairs(df: pl.DataFrame, articles: pl.DataFrame, config: DedupConfig) -> set[tuple[int, int]]:
    """Pairs (i < j) in one cluster whose exact Jaccard (our shingles) is >= the threshold."""
    cl = articles.select(c="cluster_id").with_row_index("i")
    pairs = cl.join(cl, on="c", suffix="_j").filter(pl.col("i") < pl.col("i_j")).select("i", "i_j").to_numpy()
    if not pairs.size:
        return set()
    prep = prepare(df.get_column("text"), config)
    inter, sa, sb = pair_overlap(prep.hashes, prep.offsets, pairs[:, 0], pairs[:, 1])
    keep = inter / np.maximum(sa + sb - inter, 1) >= config.jaccard_threshold
    return {(int(a), int(b)) for a, b in pairs[keep]}


def _shingles(text: str, k: int) -> set[int]:
    words = _WORD.sub(" ", text.lower()).split()
    return {hash(" ".join(words[j : j + k])) & 0xFFFFFFFF for j in range(max(1, len(words) - k + 1))}


def reference(df: pl.DataFrame, config: DedupConfig) -> tuple[float, set[tuple[int, int]]]:
    import datasketch

    texts = df["text"].to_list()
    t = time.perf_counter()
    lsh = datasketch.MinHashLSH(num_perm=config.num_perm, params=(config.bands, config.rows))
    sets, pairs = [], set()
    for i, text in enumerate(texts):
        sh = _shingles(text, config.shingle_size)
        sets.append(sh)
        m = datasketch.MinHash(num_perm=config.num_perm, seed=config.seed, scheme="affine32", hashfunc=int)
        m.update_batch(sh)
        for j in lsh.query(m):
            if len(sh & sets[j]) / max(len(sh | sets[j]), 1) >= config.jaccard_threshold:
                pairs.add((j, i))
        lsh.insert(i, m)
    return time.perf_counter() - t, pairs


def reference_default(df: pl.DataFrame, config: DedupConfig) -> float:
    """The loop as datasketch's documentation writes it: shingles as UTF-8 bytes into `update_batch`
    with the default hash function (SHA-1, 32 bits), `MinHashLSH` query then insert, exact Jaccard of
    the candidates. This is the "plain loop" the issue names; `reference` above is a faster variant
    (Python's `hash()` precomputed, `hashfunc=int`) that we also beat."""
    import datasketch

    texts = df["text"].to_list()
    k = config.shingle_size
    t = time.perf_counter()
    lsh = datasketch.MinHashLSH(num_perm=config.num_perm, params=(config.bands, config.rows))
    sets = []
    for i, text in enumerate(texts):
        words = _WORD.sub(" ", text.lower()).split()
        sh = {" ".join(words[j : j + k]).encode("utf-8") for j in range(max(1, len(words) - k + 1))}
        sets.append(sh)
        m = datasketch.MinHash(num_perm=config.num_perm, seed=config.seed)
        m.update_batch(list(sh))
        for j in lsh.query(m):
            _ = len(sh & sets[j]) / max(len(sh | sets[j]), 1) >= config.jaccard_threshold
        lsh.insert(i, m)
    return time.perf_counter() - t


def rensa_time(df: pl.DataFrame, config: DedupConfig) -> float:
    from rensa import RMinHash, RMinHashLSH

    texts = df["text"].to_list()
    t = time.perf_counter()
    lsh = RMinHashLSH(threshold=config.jaccard_threshold, num_perm=config.num_perm, num_bands=config.bands)
    k = config.shingle_size
    for i, text in enumerate(texts):
        words = _WORD.sub(" ", text.lower()).split()
        m = RMinHash(num_perm=config.num_perm, seed=config.seed)
        m.update([" ".join(words[j : j + k]) for j in range(max(1, len(words) - k + 1))])
        lsh.query(m)
        lsh.insert(i, m)
    return time.perf_counter() - t


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_child(system: str, n: int) -> None:
    """Peak RSS during the stage, sampled every 5 ms by a thread, minus the RSS before it."""
    df = generate(n)
    config = DedupConfig(containment=system != "ours-nocontainment")
    before = _rss_mb()
    peak, done = [before], threading.Event()

    def watch() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], _rss_mb())

    watcher = threading.Thread(target=watch)
    watcher.start()
    if system.startswith("ours"):
        dedup_frame(df, config)
    else:
        reference(df, config)
    done.set()
    watcher.join()
    peak[0] = max(peak[0], _rss_mb())
    print(json.dumps({"peak_mb": peak[0], "stage_mb": peak[0] - before}))


def peak(system: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--peak", system, str(n)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, nargs="+", default=[10_000])
    ap.add_argument("--reference-docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--short-share", type=float, default=0.05)
    ap.add_argument("--peak", nargs=2, metavar=("SYSTEM", "DOCS"))
    args = ap.parse_args()
    if args.peak:
        _peak_child(args.peak[0], int(args.peak[1]))
        return
    config = DedupConfig()
    off = DedupConfig(containment=False)

    sub = generate(args.reference_docs)
    rdt, ref_pairs = reference(sub, config)
    ref_us = rdt / sub.height * 1e6
    default_us = reference_default(sub, config) / sub.height * 1e6
    rensa_us = rensa_time(sub, config) / sub.height * 1e6
    _, sub_articles = ours(sub, config)
    mine = our_pairs(sub, sub_articles, config)
    both = len(ref_pairs & mine)
    ref_peak = peak("reference", args.reference_docs)
    lines = [
        f"config: {config}",
        "",
        f"Reference (datasketch loop) on the first {sub.height} docs: {ref_us:.1f} us/doc, "
        f"stage peak {ref_peak['stage_mb']:.0f} MB; rensa on the same docs: {rensa_us:.1f} us/doc. "
        "The speed-up divides that reference cost per doc by ours at each size.",
        "",
        f"The loop as datasketch documents it (UTF-8 shingles, default SHA-1 hash) on the same docs: "
        f"{default_us:.1f} us/doc; the last column divides that by ours.",
        "",
        f"Same duplicate pairs on those {sub.height} docs: reference (LSH + Jaccard >= "
        f"{config.jaccard_threshold}) {len(ref_pairs)} pairs, ours (same cluster, Jaccard >= "
        f"{config.jaccard_threshold}) {len(mine)}, both {both}: agreement "
        f"{both / max(len(ref_pairs | mine), 1):.4f} (only reference {len(ref_pairs - mine)}, "
        f"only ours {len(mine - ref_pairs)}).",
        "",
        "| docs | ours s | ours us/doc | speed-up vs ref | no containment us/doc | containment adds |"
        " ours stage peak MB | ours peak RSS MB | no-containment stage peak MB | speed-up vs default loop |"
        f" short copies ({args.short_share:.0%} briefs) add | briefs kept |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for n in args.docs:
        df = sub if n == sub.height else generate(n)
        reps = args.repeat if n <= 100_000 else 1
        dt = min(ours(df, config)[0] for _ in range(reps))
        dt_off = min(ours(df, off)[0] for _ in range(reps))
        dt_short, n_short = min(short_cost(df, config, args.short_share) for _ in range(reps))
        del df
        p_on, p_off = peak("ours", n), peak("ours-nocontainment", n)
        us, us_off = dt / n * 1e6, dt_off / n * 1e6
        row = (
            f"| {n} | {dt:.2f} | {us:.1f} | {ref_us / us:.1f}x | {us_off:.1f} | {dt / dt_off - 1:+.0%} |"
            f" {p_on['stage_mb']:.0f} | {p_on['peak_mb']:.0f} | {p_off['stage_mb']:.0f} |"
            f" {default_us / us:.1f}x | {dt_short / dt:+.0%} | {n_short} |"
        )
        lines.append(row)
        print(row, flush=True)
    text = "\n".join(lines)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
