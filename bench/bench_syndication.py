"""Quality of the dedup stage on the syndication set (bench/syndication.py): pair P/R/F1, by kind.

    python bench/bench_syndication.py [--seed 7] [--out bench/results/syndication.md]

A pair is two documents of the same story; predicted pairs are two documents with one cluster_id.
Roundups and hard negatives are stories of their own: any cluster mixing two stories is a false merge.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.syndication import EVAL_DIR, build_set  # noqa: E402
from transforms.dedup import DedupConfig, dedup_frame, pair_overlap, prepare  # noqa: E402


def _pairs(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    f = frame.select("doc_id", key)
    return (
        f.join(f, on=key, suffix="_b")
        .filter(pl.col("doc_id") < pl.col("doc_id_b"))
        .select("doc_id", "doc_id_b")
    )


def _prf(truth: pl.DataFrame, pred: pl.DataFrame) -> tuple[int, int, int, float, float, float]:
    tp = truth.join(pred, on=["doc_id", "doc_id_b"], how="semi").height
    p = tp / pred.height if pred.height else 1.0
    r = tp / truth.height if truth.height else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return truth.height, pred.height, tp, p, r, f1


def measure(data: pl.DataFrame, config: DedupConfig) -> str:
    res = dedup_frame(data.drop("story", "kind"), config)
    out = res.articles.join(data.select("doc_id", "story", "kind"), on="doc_id")
    truth, pred = _pairs(out, "story"), _pairs(out, "cluster_id")
    kinds = out.select("doc_id", "kind")
    lines = [
        "| kind | true pairs | predicted | TP | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    n, m, tp, p, r, f1 = _prf(truth, pred)
    lines.append(f"| **all** | {n} | {m} | {tp} | {p:.4f} | {r:.4f} | {f1:.4f} |")
    for kind in ["near", "excerpt", "trimmed", "writethrough", "roundup", "negative"]:
        sel = kinds.filter(pl.col("kind") == kind).get_column("doc_id").implode()
        keep = pl.col("doc_id").is_in(sel) | pl.col("doc_id_b").is_in(sel)
        n, m, tp, p, r, f1 = _prf(truth.filter(keep), pred.filter(keep))
        lines.append(f"| {kind} | {n} | {m} | {tp} | {p:.4f} | {r:.4f} | {f1:.4f} |")
    merges = (
        out.group_by("cluster_id")
        .agg(pl.col("story").n_unique().alias("stories"))
        .filter(pl.col("stories") > 1)
    )
    seeds = out.filter(pl.col("story").str.starts_with("seed-"))
    seed_merges = seeds.group_by("cluster_id").len().filter(pl.col("len") > 1).height
    roundups = out.filter(pl.col("kind") == "roundup")
    flagged = roundups.filter(pl.col("is_roundup")).height
    links = res.roundup_links.height
    kind_counts = (
        out.filter(pl.col("is_duplicate")).group_by("kind", "copy_kind").len().sort("kind", "copy_kind")
    )
    lines += [
        "",
        f"- clusters mixing two stories (false merges): **{merges.height}**; "
        f"among the five seeds: **{seed_merges}**",
        f"- roundups flagged: {flagged}/{roundups.height}, roundup links: {links} (3 expected per roundup)",
        "- copy_kind given, by true kind: "
        + ", ".join(f"{k}->{c}: {x}" for k, c, x in kind_counts.iter_rows()),
    ]
    return "\n".join(lines)


def similarity_table(data: pl.DataFrame, config: DedupConfig) -> str:
    """Exact Jaccard and containment of every variant to its original, and of negative pairs."""
    prep = prepare(data.get_column("text"), config)
    idx = data.with_row_index("i")
    orig = idx.filter(pl.col("kind") == "original").select("story", j="i")
    var = idx.filter(pl.col("kind").is_in(["near", "excerpt", "trimmed", "writethrough"])).join(
        orig, on="story"
    )
    inter, sa, sb = pair_overlap(prep.hashes, prep.offsets, var["i"].to_numpy(), var["j"].to_numpy())
    var = var.with_columns(jaccard=pl.Series(inter / (sa + sb - inter)), containment=pl.Series(inter / sa))
    lines = [
        "| variant vs original | n | Jaccard min | p5 | median | containment min | p5 | median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in ["near", "excerpt", "trimmed", "writethrough"]:
        v = var.filter(pl.col("kind") == kind)
        j, c = v["jaccard"], v["containment"]
        lines.append(
            f"| {kind} | {v.height} | {j.min():.3f} | {j.quantile(0.05):.3f} | {j.median():.3f} | "
            f"{c.min():.3f} | {c.quantile(0.05):.3f} | {c.median():.3f} |"
        )
    # unrelated pairs: all pairs of originals + negatives (different stories)
    neg = idx.filter(pl.col("kind").is_in(["original", "negative"])).get_column("i").to_numpy()
    a, b = np.triu_indices(neg.size, 1)
    inter, sa, sb = pair_overlap(prep.hashes, prep.offsets, neg[a], neg[b])
    jac = inter / (sa + sb - inter)
    cont = np.maximum(inter / np.maximum(sa, 1), inter / np.maximum(sb, 1))
    lines.append(
        f"| different stories ({a.size} pairs) | {a.size} | max {jac.max():.3f} | | | max {cont.max():.3f} "
        f"| shared shingles max {inter.max()} | |"
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not EVAL_DIR.exists():
        print(f"skipped: {EVAL_DIR} is absent")
        return
    data = build_set(args.seed)
    config = DedupConfig()
    report = [
        f"# Syndication benchmark (seed {args.seed}, {data.height} docs)",
        "",
        f"config: {config}",
        "",
        "## Similarity of each variant to its original (exact, on shingles)",
        "",
        similarity_table(data, config),
        "",
        "## Pair precision / recall / F1 by kind (pairs with at least one doc of that kind)",
        "",
        measure(data, config),
    ]
    for k in (3, 4, 7):
        cfg = DedupConfig(shingle_size=k)
        report += ["", f"### shingle_size={k}", "", measure(data, cfg)]
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
