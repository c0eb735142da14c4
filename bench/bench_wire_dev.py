"""Dedup quality on real syndicated news (../shared/eval/wire_dev), next to the synthetic set.

    python bench/bench_wire_dev.py [--baseline-tree DIR] [--set key=value ...]
                                   [--out bench/results/wire_dev.md]

wire_dev: its `score.py prepare` writes the documents as scraper JSONL, the whole `wirewash run` (CLI,
Prefect flow, cleaning included) turns them into an output folder, and `score.py`'s scoring reads it:
pair precision/recall/F1 overall and per kind (near = `dup`, partial = `containment`), false pairs
inside one event (hard negatives) and across events, and the gold pairs lost to rejected articles.
With `--baseline-tree`, the same run is made with another checkout (e.g. `git archive` of the commit
before) side by side. `--set` is passed to both runs.

Margin: on the run's clean text, the containment of the smaller document in the larger (our
shingles) and the share of its text outside quotation marks found there, for the gold copies and
for the hard negatives (same event, different article) that share any shingles: what separates them.

Synthetic: bench/syndication.py's set through `dedup_frame` (bench_syndication.py has the details).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from bench.bench_syndication import measure  # noqa: E402
from bench.syndication import EVAL_DIR as SYN_DIR  # noqa: E402
from bench.syndication import build_set  # noqa: E402
from transforms.dedup import DedupConfig, pair_overlap, prepare  # noqa: E402
from transforms.dedup.quotes import unquoted_containment  # noqa: E402

WIRE_DEV = ROOT.parent / "shared" / "eval" / "wire_dev"


def _score_module():
    spec = importlib.util.spec_from_file_location("wire_dev_score", WIRE_DEV / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def whole_run(tree: Path, raw: Path, out: Path, sets: list[str]) -> float:
    """`wirewash run` from `tree` (its flows/transforms first on sys.path); wall seconds."""
    cmd = [sys.executable, "-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out)]
    for s in sets:
        cmd += ["--set", s]
    t = time.perf_counter()
    subprocess.run(cmd, cwd=tree, check=True, capture_output=True, text=True)
    return time.perf_counter() - t


def score(S, out: Path) -> tuple[dict, pl.DataFrame, dict]:
    arts, rej = S._read_tables(out)
    rows = list(
        arts.select("doc_id", "source_path", "source_line", "url", "title", "text").iter_rows(named=True)
    )
    rejected = list(rej.iter_rows(named=True)) if rej is not None else []
    idmap = S.map_rows(rows, rejected)
    full = list(arts.select("doc_id", "cluster_id", "duplicate_of").iter_rows(named=True))
    with contextlib.redirect_stdout(io.StringIO()):
        result = S.evaluate(S.predicted_pairs(full, idmap), present=set(idmap.values()))
    return result, arts, idmap


def kept_extras(S, out: Path, idmap: dict) -> tuple[int, str]:
    """Not-article pages that came out as articles, and the short copies the run kept (its summary's
    `short_copies`; blank for a tree without them)."""
    not_articles = S.load_gold()[3]
    summaries = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
    short = sum(s.get("short_copies", 0) for s in summaries) if summaries else 0
    has = any("short_copies" in s for s in summaries)
    return len(not_articles & set(idmap.values())), str(short) if has else ""


def score_line(label: str, r: dict, seconds: float, extras: tuple[int, str]) -> str:
    P, R, F, tp, fp, fn = r["res"]["overall"]
    near, part = r["by_kind"]["dup"], r["by_kind"]["containment"]
    return (
        f"| {label} | {P:.3f} | {R:.3f} | **{F:.3f}** | {near[0]}/{near[1]} = {near[0] / near[1]:.3f} | "
        f"{part[0]}/{part[1]} = {part[0] / part[1]:.3f} | {r['same_group_fp']} | {r['cross_group_fp']} | "
        f"{r['lost']} ({r['missing']} articles) | {extras[0]} | {extras[1]} | {seconds:.1f} |"
    )


def margin_table(S, arts: pl.DataFrame, idmap: dict) -> list[str]:
    """Containment and quote-free share of gold copies vs hard negatives, on the run's clean text."""
    pairs = pl.read_csv(WIRE_DEV / "pairs.tsv", separator="\t", quote_char=None)
    g2i = {g: i for i, g in idmap.items()}
    pairs = pairs.filter(
        pl.col("id_a").is_in(list(g2i))
        & pl.col("id_b").is_in(list(g2i))
        & pl.col("kind").is_in(["dup", "containment", "hard_neg_event", "judged", "footer_only"])
    )
    texts = arts.get_column("text")
    prep = prepare(texts, DedupConfig())
    a = np.array([g2i[x] for x in pairs["id_a"]])
    b = np.array([g2i[x] for x in pairs["id_b"]])
    inter, sa, sb = pair_overlap(prep.hashes, prep.offsets, a, b)
    small, large = np.where(sa <= sb, a, b), np.where(sa <= sb, b, a)
    cont = inter / np.maximum(np.minimum(sa, sb), 1)
    _, unq = unquoted_containment(texts, small, large, prep.hashes, prep.offsets, 5)
    frame = pairs.with_columns(C=pl.Series(cont), Cq=pl.Series(unq), inter=pl.Series(inter)).filter(
        pl.col("inter") > 0
    )
    lines = [
        "| pairs (both articles kept, sharing a shingle) | n | containment min | p10 | median | max "
        "| quote-free share min | p10 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("dup", "containment", "hard_neg_event", "judged", "footer_only"):
        f = frame.filter(pl.col("kind") == kind)
        if f.height:
            c, q = f["C"], f["Cq"]
            lines.append(
                f"| {kind} | {f.height} | {c.min():.3f} | {c.quantile(0.1):.3f} | {c.median():.3f} | "
                f"{c.max():.3f} | {q.min():.3f} | {q.quantile(0.1):.3f} | {q.max():.3f} |"
            )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-tree", type=Path, default=None)
    ap.add_argument("--set", action="append", default=[], dest="sets")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not WIRE_DEV.exists():
        print(f"skipped: {WIRE_DEV} is absent")
        return
    S = _score_module()
    report = ["# wire_dev: dedup quality on real syndicated news (whole `wirewash run`)", ""]
    with tempfile.TemporaryDirectory(prefix="wire_dev_") as tmp:
        raw = Path(tmp) / "raw"
        with contextlib.redirect_stdout(io.StringIO()):
            S.prepare(raw)
        report += [
            "| run | precision | recall | F1 | near recall | partial recall | false pairs in one event "
            "| across events | gold pairs lost to rejects | not-article pages kept | short copies kept "
            "| run s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        runs = [("baseline", args.baseline_tree)] if args.baseline_tree else []
        runs.append(("this tree", ROOT))
        for label, tree in runs:
            out = Path(tmp) / f"out-{label.replace(' ', '-')}"
            seconds = whole_run(tree, raw, out, args.sets)
            result, arts, idmap = score(S, out)
            report.append(score_line(label, result, seconds, kept_extras(S, out, idmap)))
        report += [
            "",
            f"settings: {' '.join(args.sets) or 'defaults'}; targets: F1 >= 0.95, partial >= 0.90, "
            "near >= 0.95, <= 1 % of found pairs false inside one event, 0 across events.",
            "",
            "## Margin (this tree's clean text)",
            "",
            *margin_table(S, arts, idmap),
        ]
    if SYN_DIR.exists():
        report += ["", "## Synthetic syndication set (regression)", "", measure(build_set(7), DedupConfig())]
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
