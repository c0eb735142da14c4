"""Cleaning-stage benchmark: seeds bar, HTML mode vs bare trafilatura, plain-text mode, line-cleaner speed.

    python bench/bench_clean.py [--limit N] [--out bench/results/clean.md]

Reads ../shared/eval (relative to the repo root); skips a table with a message when its data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.eval_metrics import (  # noqa: E402
    EVAL_DIR,
    Score,
    html_to_visible_text,
    readability_pages,
    shingle_score,
    snippet_score,
    trafilatura_pages,
)
from transforms.clean import CleanConfig, clean_text  # noqa: E402
from transforms.extract import ExtractConfig, extract_article  # noqa: E402
from transforms.rules import RULES  # noqa: E402


def _row(name: str, s: Score, extra: str = "") -> str:
    return f"| {name} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {extra} |"


def seeds_table() -> list[str]:
    labels_path = EVAL_DIR / "seeds_lines.jsonl"
    if not labels_path.exists():
        return [f"(seeds skipped: {labels_path} not found)"]
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for line in labels_path.read_text().splitlines():
        d = json.loads(line)
        labels[d["file"]][d["line"]] = d["label"]
    c: Counter[tuple[str, str]] = Counter()
    for f, lab in labels.items():
        res = clean_text((EVAL_DIR.parent / "seeds" / f).read_text(encoding="utf-8"), fmt="txt")
        removed = {n for n, _, _ in res.removed}
        for n, label in lab.items():
            c[(label, "removed" if n in removed else "kept")] += 1
    out = ["## Seeds (5 articles, labelled lines)", "", "| label | kept | removed |", "|---|---:|---:|"]
    for label in ("body", "title", "dateline", "caption", "boilerplate"):
        out.append(f"| {label} | {c[(label, 'kept')]} | {c[(label, 'removed')]} |")
    return out


def _extract(pages, config: ExtractConfig):
    texts, titles, t0 = [], [], time.perf_counter()
    for p in pages:
        try:
            e = extract_article(p.html, p.url or None, config)
        except Exception:  # noqa: BLE001 - a page trafilatura cannot parse scores as empty
            e = None
        texts.append(e.text if e else None)
        titles.append(e.title if e else None)
    return texts, titles, (time.perf_counter() - t0) * 1000 / max(1, len(pages))


def html_and_text_tables(limit: int | None) -> list[str]:
    sets = [
        ("trafilatura_eval (snippet)", trafilatura_pages, snippet_score),
        ("readability_news (shingle)", readability_pages, shingle_score),
    ]
    html = [
        "## HTML mode: bare trafilatura vs wirewash (extract + cleaner), same run",
        "",
        "| set / system | precision | recall | F1 | ms/page |",
        "|---|---:|---:|---:|---:|",
    ]
    text = [
        "## Plain-text mode: page's visible text (inscriptis) -> wirewash text cleaner",
        "",
        "| set / system | precision | recall | F1 | ms/page |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, loader, score in sets:
        try:
            pages = list(loader(limit=limit))
        except FileNotFoundError as exc:
            html.append(f"| {name}: skipped ({exc}) | | | | |")
            continue
        bare, _, ms_bare = _extract(pages, ExtractConfig(favor_precision=False, favor_recall=False))
        ww_cfg = ExtractConfig()
        ww_raw, ww_titles, ms_ex = (
            (bare, _, ms_bare) if ww_cfg == ExtractConfig(False, False) else _extract(pages, ww_cfg)
        )
        t0 = time.perf_counter()
        ww = [clean_text(t or "", title=ti, fmt="html").text for t, ti in zip(ww_raw, ww_titles, strict=True)]
        ms_clean = (time.perf_counter() - t0) * 1000 / max(1, len(pages))
        html.append(
            _row(f"{name} ({len(pages)} pages): trafilatura 2.3.1 bare", score(pages, bare), f"{ms_bare:.1f}")
        )
        html.append(_row(f"{name}: wirewash", score(pages, ww), f"{ms_ex + ms_clean:.1f}"))
        vis = [html_to_visible_text(p.html) for p in pages]
        t0 = time.perf_counter()
        cleaned = [clean_text(v, fmt="txt").text for v in vis]
        ms = (time.perf_counter() - t0) * 1000 / max(1, len(pages))
        text.append(_row(f"{name}: doing nothing (all visible text)", score(pages, vis), ""))
        text.append(_row(f"{name}: wirewash text cleaner", score(pages, cleaned), f"{ms:.1f}"))
    return html + [""] + text


def _naive_clean(text: str) -> str:
    """Baseline: every rule tried on every line, no prefilter, no block logic."""
    kept = []
    for line in text.split("\n"):
        s = line.strip()
        if s and not any(r.matches(s) for r in RULES):
            kept.append(s)
    return "\n".join(kept)


def _rate(fn, docs: list[str], rounds: int, seconds: float) -> tuple[float, float]:
    """(articles per second, articles per CPU-second): one warm-up pass (lazily compiled rule alternations),
    then the best of ``rounds`` timed rounds of about ``seconds`` each. The best round is the one least
    disturbed by other processes on a shared machine; CPU time (time.process_time) is what one core
    does regardless of them. The same treatment for every row."""
    for d in docs:
        fn(d)
    best, best_cpu = 0.0, 0.0
    for _ in range(rounds):
        n, t0, c0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - t0 < seconds:
            for d in docs:
                fn(d)
            n += len(docs)
        best = max(best, n / (time.perf_counter() - t0))
        best_cpu = max(best_cpu, n / (time.process_time() - c0))
    return best, best_cpu


def _seed_frame(docs: list[str], copies: int):
    import polars as pl

    from transforms.schema import RECORD_SCHEMA

    rows = [
        {"doc_id": f"{i:016x}", "source": "seeds", "source_path": f"{i}.txt", "format": "txt", "raw_text": d}
        for i, d in enumerate(docs * copies)
    ]
    return (
        pl.DataFrame(rows)
        .with_columns([pl.lit(None, dtype=t).alias(c) for c, t in RECORD_SCHEMA.items() if c not in rows[0]])
        .select(list(RECORD_SCHEMA))
        .cast(RECORD_SCHEMA)  # type: ignore[arg-type]
    )


def _frame_rate(docs: list[str], rounds: int, copies: int = 200) -> tuple[float, float]:
    """clean_frame over a polars frame of the seeds, ``copies`` times over (best of ``rounds``)."""
    from transforms.clean import clean_frame

    frame = _seed_frame(docs, copies)
    clean_frame(frame.head(len(docs)))
    best, best_cpu = 0.0, 0.0
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        clean_frame(frame)
        best = max(best, frame.height / (time.perf_counter() - t0))
        best_cpu = max(best_cpu, frame.height / (time.process_time() - c0))
    return best, best_cpu


def speed_table(rounds: int = 5, seconds: float = 1.0) -> list[str]:
    seeds = sorted((EVAL_DIR.parent / "seeds").glob("*.txt"))
    if not seeds:
        return ["(speed skipped: no seeds)"]
    docs = [p.read_text(encoding="utf-8") for p in seeds]
    out = [
        "## Line-cleaner speed (seed-sized articles, one core)",
        "",
        f"Same run, one warm-up pass each, best of {rounds} rounds of {seconds:g} s: wall clock "
        "(time.perf_counter) and CPU time (time.process_time, unaffected by other processes).",
        "",
        "| cleaner | articles/s | articles per CPU-second |",
        "|---|---:|---:|",
    ]
    rows = [
        (
            "wirewash clean_text (txt mode, full rules + blocks)",
            _rate(lambda d: clean_text(d, fmt="txt"), docs, rounds, seconds),
        ),
        ("baseline: naive loop, every rule on every line", _rate(_naive_clean, docs, rounds, seconds)),
        ("wirewash clean_frame (polars frame of the seeds x200, txt)", _frame_rate(docs, rounds)),
    ]
    for name, (wall, cpu) in rows:
        out.append(f"| {name} | {wall:,.0f} | {cpu:,.0f} |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="pages per eval set (default: all)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "clean.md"))
    args = ap.parse_args(argv)
    if not EVAL_DIR.exists():
        print(f"eval data not found at {EVAL_DIR}: nothing to measure")
        return 0
    cfg = CleanConfig()
    lines = [
        "# Cleaning benchmark",
        "",
        f"`python bench/bench_clean.py{f' --limit {args.limit}' if args.limit else ''}`"
        f" — CleanConfig defaults ({cfg.short_line_penalty=}, {cfg.short_line_base=}), ExtractConfig "
        f"defaults {ExtractConfig()}",
        "",
    ]
    for part in (seeds_table(), html_and_text_tables(args.limit), speed_table()):
        lines += part + [""]
        print("\n".join(part) + "\n", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
