"""Cleaning-stage benchmark: seeds bar, HTML mode vs bare trafilatura, plain-text mode, the line table
(silver line labels, see bench/line_labels.py) with the no-op and jusText baselines, line-cleaner speed.

    python bench/bench_clean.py [--limit N] [--out bench/results/clean.md]
    python bench/bench_clean.py --speed-only [--code DIR]   # the 500-word speed table for another checkout

Reads ../shared/eval (relative to the repo root); skips a table with a message when its data is absent.
``--code DIR`` imports ``transforms`` from DIR instead (an older checkout: before/after in one session).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--code" in sys.argv:  # before anything imports transforms: measure another checkout's code
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--code") + 1]).resolve()))

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
from transforms.rules import RULES, RuleSet, first_match  # noqa: E402


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


def _timed(pages, fn) -> tuple[list[str | None], float]:
    t0 = time.perf_counter()
    out = []
    for p in pages:
        try:
            out.append(fn(p.html))
        except Exception:  # noqa: BLE001 - a page a baseline cannot parse scores as empty
            out.append(None)
    return out, (time.perf_counter() - t0) * 1000 / max(1, len(pages))


def _resiliparse_text(html: str) -> str | None:
    from transforms.mainview import main_content_text

    return main_content_text(html)


def _justext_html(html: str) -> str:
    import justext

    words = [w.lower() for w in html_to_visible_text(html).split()[:3000]]
    lang = max(_JT_LANGS, key=lambda lg: sum(w in _stoplist(lg) for w in words))
    return "\n".join(p.text for p in justext.justext(html, _stoplist(lang)) if not p.is_boilerplate)


def _extracted_line_row(name: str, pages, texts, titles, fmt: str, score) -> str:
    import gzip

    from bench.line_labels import label_lines, readability_reference_lines

    config = CleanConfig()
    art = kept = bp = removed = rejected = 0
    cleaned: list[str | None] = []
    for p, t, ti in zip(pages, texts, titles, strict=True):
        if not t:
            cleaned.append(t)
            continue
        lines = t.split("\n")
        if p.reference:
            ref_html = gzip.decompress(
                (EVAL_DIR / "readability_news" / p.name / "expected.html.gz").read_bytes()
            )
            labels = label_lines(
                lines, reference_lines=readability_reference_lines(ref_html.decode()), title=ti
            )
        else:
            labels = label_lines(lines, with_=p.with_, without=p.without)
        res = clean_text(t, title=ti, config=config, fmt=fmt)
        cleaned.append(res.text)
        gone = {n for n, _, _ in res.removed}
        for i, lab in enumerate(labels):
            if lab == "article":
                art += 1
                kept += i + 1 not in gone
            elif lab == "boilerplate":
                bp += 1
                removed += i + 1 in gone
        rejected += len(res.text) < config.min_clean_chars or len(res.text.split()) < config.min_clean_words
    return (
        f"| {name}, {fmt} mode | {art} | {bp} | {kept / max(1, art):.2%} | {removed / max(1, bp):.2%} "
        f"| {rejected} | {score(pages, texts).f1:.4f} | {score(pages, cleaned).f1:.4f} |"
    )


def html_and_text_tables(limit: int | None) -> list[str]:
    sets = [
        ("trafilatura_eval (snippet)", trafilatura_pages, snippet_score),
        ("readability_news (shingle)", readability_pages, shingle_score),
    ]
    html = [
        "## HTML mode: bare trafilatura vs wirewash (views + cleaner), same run",
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
    extracted_rows: list[str] = []
    for name, loader, score in sets:
        try:
            pages = list(loader(limit=limit))
        except FileNotFoundError as exc:
            html.append(f"| {name}: skipped ({exc}) | | | | |")
            continue
        # page by page, bare then views: both timings see the same load on a shared machine (after one
        # warm-up page: trafilatura's and resiliparse's first call pays their set-up)
        _extract(pages[:1], ExtractConfig())
        bare, bare_titles, ww_raw, ww_titles = [], [], [], []
        t_bare = t_views = 0.0
        for p in pages:
            b, bt, ms = _extract([p], ExtractConfig(views=False))
            bare += b
            bare_titles += bt
            t_bare += ms
            v, vt, ms = _extract([p], ExtractConfig())
            ww_raw += v
            ww_titles += vt
            t_views += ms
        ms_bare, ms_ex = t_bare / max(1, len(pages)), t_views / max(1, len(pages))

        def clean_all(texts, titles):
            t0 = time.perf_counter()
            out = [
                clean_text(t or "", title=ti, fmt="html").text for t, ti in zip(texts, titles, strict=True)
            ]
            return out, (time.perf_counter() - t0) * 1000 / max(1, len(texts))

        ww, ms_clean = clean_all(ww_raw, ww_titles)
        bare_clean, ms_clean_bare = clean_all(bare, bare_titles)
        html.append(
            _row(f"{name} ({len(pages)} pages): trafilatura 2.3.1 bare", score(pages, bare), f"{ms_bare:.1f}")
        )
        html.append(
            _row(
                f"{name}: cleaner on bare trafilatura (views off)",
                score(pages, bare_clean),
                f"{ms_bare + ms_clean_bare:.1f}",
            )
        )
        html.append(
            _row(
                f"{name}: views (recall mode + resiliparse vote), no cleaner",
                score(pages, ww_raw),
                f"{ms_ex:.1f}",
            )
        )
        html.append(_row(f"{name}: wirewash (views + cleaner)", score(pages, ww), f"{ms_ex + ms_clean:.1f}"))
        resi, ms_resi = _timed(pages, _resiliparse_text)
        html.append(
            _row(
                f"{name}: baseline resiliparse 2.0.1 main content alone", score(pages, resi), f"{ms_resi:.1f}"
            )
        )
        jt, ms_jt = _timed(pages, _justext_html)
        html.append(_row(f"{name}: baseline jusText 3.0.2 on the HTML", score(pages, jt), f"{ms_jt:.1f}"))
        extracted_rows += [
            _extracted_line_row(name, pages, bare, bare_titles, f, score) for f in ("html", "txt")
        ]
        vis = [html_to_visible_text(p.html) for p in pages]
        t0 = time.perf_counter()
        cleaned = [clean_text(v, fmt="txt").text for v in vis]
        ms = (time.perf_counter() - t0) * 1000 / max(1, len(pages))
        text.append(_row(f"{name}: doing nothing (all visible text)", score(pages, vis), ""))
        text.append(_row(f"{name}: wirewash text cleaner", score(pages, cleaned), f"{ms:.1f}"))
    extracted = [
        "## Line table: text that is mostly article (bare trafilatura's output), silver line labels",
        "",
        "The closest public stand-in for scraped page text that is mostly article already. Labels as in the",
        "plain-text line table (readability_news: Readability's article; trafilatura_eval: snippets). In",
        "html mode the cleaner runs its rules, related lists and title/date; in txt mode (how a scraper's",
        "`.txt` or JSONL text is cleaned) also the block scorer. The last two columns are the set's F1",
        "(snippet or shingle) of that text as it is (doing nothing) and after the cleaner.",
        "",
        "| set | article lines | boilerplate lines | article lines kept | boilerplate lines removed "
        "| pages rejected | F1 doing nothing | F1 cleaner |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *extracted_rows,
    ]
    return html + [""] + text + [""] + extracted


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


# ---------------------------------------------------------------- line table (plain text)

_JT_LANGS = ("English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch", "Polish", "Czech")


@cache
def _stoplist(lang: str) -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist(lang))


def justext_lines(text: str) -> list[bool]:
    """jusText on plain text: each non-blank line is one paragraph (``<p>``), stoplist of the language
    whose stopwords cover most of the words; True = kept (not boilerplate), one flag per line."""
    import html as _html

    import justext

    lines = text.split("\n")
    body = [s for s in lines if s.strip()]
    if not body:
        return [False] * len(lines)
    words = [w.lower() for w in " ".join(body).split()[:3000]]
    best = max(_JT_LANGS, key=lambda lang: sum(w in _stoplist(lang) for w in words))
    page = "<html><body>" + "".join(f"<p>{_html.escape(s)}</p>" for s in body) + "</body></html>"
    try:
        paras = justext.justext(page, _stoplist(best))
    except Exception:  # noqa: BLE001 - a page jusText cannot parse keeps nothing
        paras = []
    verdict = [not p.is_boilerplate for p in paras]
    out, k = [], 0
    for s in lines:
        if s.strip():
            out.append(verdict[k] if k < len(verdict) else False)
            k += 1
        else:
            out.append(False)
    return out


def _wirewash_lines(doc, config: CleanConfig) -> tuple[list[bool], bool]:
    res = clean_text(doc.text, title=doc.title, config=config, fmt="txt")
    kept = set(res.kept)
    rejected = len(res.text) < config.min_clean_chars or len(res.text.split()) < config.min_clean_words
    return [i + 1 in kept for i in range(doc.text.count("\n") + 1)], rejected


def line_table(limit: int | None) -> list[str]:
    from bench.line_labels import load_docs

    try:
        docs = load_docs(limit)
    except FileNotFoundError as exc:
        return [f"(line table skipped: {exc})"]
    config = CleanConfig()
    systems = {
        "doing nothing": lambda d: ([True] * (d.text.count("\n") + 1), False),
        "jusText 3.0.2 (each line a paragraph)": lambda d: (justext_lines(d.text), False),
        "wirewash text cleaner": lambda d: _wirewash_lines(d, config),
    }
    out = [
        "## Line table: plain text (the page's visible text, inscriptis), silver line labels",
        "",
        "Labels from bench/line_labels.py: readability_news lines are `article` when most of their word",
        "4-grams are in Readability's article, trafilatura_eval lines carry a label only where they hold",
        "(or are part of) a `with`/`without` snippet, the seeds' labels are hand-made (title and date lines",
        "are left out: they may go to their columns). A rejected page (`too_short`) counts in its own",
        "column; its lines count as the cleaner left them.",
        "",
        "| set / system | article lines kept | boilerplate lines removed "
        "| pages rejected (with article lines) | F1 (set's metric) |",
        "|---|---:|---:|---:|---:|",
    ]
    scorers = {"trafilatura_eval": snippet_score, "readability_news": shingle_score}
    for set_name in ("readability_news", "trafilatura_eval", "seeds"):
        sub = [d for d in docs if d.set == set_name]
        if not sub:
            continue
        for sys_name, fn in systems.items():
            art = art_kept = bp = bp_removed = rejected = 0
            texts = []
            for d in sub:
                keep, rej = fn(d)
                lines = d.text.split("\n")
                texts.append("\n".join(s for s, k in zip(lines, keep, strict=True) if k))
                has_article = False
                for n, lab in d.labels.items():
                    if lab == "article":
                        art += 1
                        art_kept += keep[n - 1]
                        has_article = True
                    else:
                        bp += 1
                        bp_removed += not keep[n - 1]
                rejected += rej and has_article
            score = scorers.get(set_name)
            f1 = f"{score([d.page for d in sub], texts).f1:.4f}" if score else ""
            out.append(
                f"| {set_name} ({len(sub)} pages, {art} article / {bp} boilerplate lines): {sys_name} "
                f"| {art_kept / max(1, art):.2%} | {bp_removed / max(1, bp):.2%} | {rejected} | {f1} |"
            )
    return out


# ---------------------------------------------------------------- speed on 500-word documents


def docs_500(n: int, seed: int = 0) -> list[str]:
    """News-shaped 500-word documents: a headline, a date line, paragraphs of 25-70 words ending in a full
    stop, and three furniture lines (share widget, newsletter box, copyright footer). The words come from
    bench/corpus_gen.py's Zipf vocabulary, digits mapped to letters (a word ending in a digit would look
    like a date to the caption rules)."""
    import numpy as np

    from bench.corpus_gen import generate

    g = generate(n, seed=seed, words=500, dup_rate=0.0)
    rng = np.random.default_rng(seed)
    to_letters = str.maketrans("0123456789", "ghijklmnop")
    out = []
    for i, t in enumerate(g["text"].to_list()):
        w = t.translate(to_letters).split()
        paras, k = [], 0
        while k < len(w):
            m = int(rng.integers(25, 70))
            p = " ".join(w[k : k + m])
            k += m
            paras.append(p[0].upper() + p[1:] + ".")
        out.append(
            "\n".join(
                [
                    f"Headline number {i} about the talks",
                    "March 10, 2017",
                    *paras,
                    "Share this article",
                    "Sign up for our newsletter",
                    f"© 2024 Outlet{i % 50}. All rights reserved.",
                ]
            )
        )
    return out


def _records_frame(texts: list[str]):
    import polars as pl

    from transforms.schema import RECORD_SCHEMA

    rows = {
        "doc_id": [f"{i:016x}" for i in range(len(texts))],
        "source": [f"outlet{i % 50}" for i in range(len(texts))],
        "source_path": [f"{i}.txt" for i in range(len(texts))],
        "format": ["txt"] * len(texts),
        "raw_text": texts,
    }
    df = pl.DataFrame(rows)
    return (
        df.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in RECORD_SCHEMA.items() if c not in rows])
        .select(list(RECORD_SCHEMA))
        .cast(RECORD_SCHEMA)  # type: ignore[arg-type]
    )


def speed_500_table(n: int = 4000, rounds: int = 3) -> list[str]:
    """CPU µs per 500-word document (best of ``rounds``): clean_text alone, and the cleaning stage as the
    flow runs it (line_evidence + repeated_lines + clean_frame)."""
    from transforms.clean import clean_frame
    from transforms.linestats import line_evidence, repeated_lines

    # fresh documents in every round: the rule memo must not see a round's lines twice (a real run sees
    # each paragraph once; only site furniture recurs)
    texts = [docs_500(n, seed=r) for r in range(rounds)]
    frames = [_records_frame(t) for t in texts]
    words = sum(len(t.split()) for t in texts[0]) / n
    config = CleanConfig()
    clean_frame(_records_frame(docs_500(50, seed=99)), config)

    def best(fn) -> float:
        times = []
        for r in range(rounds):
            c0 = time.process_time()
            fn(r)
            times.append(time.process_time() - c0)
        return min(times) * 1e6 / n

    t_text = best(lambda r: [clean_text(t, fmt="txt") for t in texts[r]])
    reps = [repeated_lines(line_evidence(f, config.linestats()), config.linestats()) for f in frames]
    t_ev = best(lambda r: repeated_lines(line_evidence(frames[r], config.linestats()), config.linestats()))
    texts = [docs_500(n, seed=10 + r) for r in range(rounds)]  # fresh again for clean_frame
    frames = [_records_frame(t) for t in texts]
    t_frame = best(lambda r: clean_frame(frames[r], config, {}, reps[r]))
    frames = [_records_frame(docs_500(n, seed=20 + r)) for r in range(rounds)]  # and again
    t_flow = best(lambda r: _flow_stage(frames[r], config))
    code = next(
        (a for a in sys.argv if "--code" in sys.argv and a == sys.argv[sys.argv.index("--code") + 1]), None
    )
    return [
        f"## Cleaning speed on 500-word documents ({n:,} documents, {words:.0f} words each on average)",
        "",
        f"CPU time (time.process_time), best of {rounds} rounds; code: {code or 'this checkout'}.",
        "",
        "| step | µs CPU per document |",
        "|---|---:|",
        f"| clean_text (txt mode: rules, title/date, related lists, block scorer) | {t_text:.1f} |",
        f"| clean_frame (the same per document + frame in/out, repeated-line join) | {t_frame:.1f} |",
        f"| line_evidence + repeated_lines | {t_ev:.1f} |",
        f"| cleaning stage (line_evidence + repeated_lines + clean_frame) | {t_ev + t_frame:.1f} |",
        f"| cleaning stage as the flow runs it (lines hashed once, for the evidence and clean_frame) "
        f"| {t_flow:.1f} |",
    ]


def _flow_stage(frame, config: CleanConfig) -> None:
    """What flows/shards.py does with a shard, without the files: hashed_lines once in the read pass,
    its lines for line_evidence there and for clean_frame's repeated-line join in the clean pass."""
    from transforms.clean import clean_frame
    from transforms.linestats import hashed_lines, line_evidence, repeated_lines

    lines = hashed_lines(frame, config.linestats())
    evidence = line_evidence(frame, config.linestats(), lines=lines)
    clean_frame(frame, config, {}, repeated_lines(evidence, config.linestats()), lines)


def ruleset_table(limit: int | None) -> list[str]:
    """The RuleSet optimiser against the plain loop over the same table (first_match), on real lines."""
    lines: list[str] = []
    for p in trafilatura_pages(limit=limit):
        lines += [s.strip() for s in html_to_visible_text(p.html).split("\n") if s.strip()]
    lines += [s.strip() for t in docs_500(1000) for s in t.split("\n")]
    import transforms.rules.core as tr  # where RuleSet looks its dispatch helpers up

    rows = []
    for name, make in (
        (
            "RuleSet (alternation per line start and length class, memo of short lines)",
            lambda: RuleSet(RULES),
        ),
        ("RuleSet without the line-start dispatch (no private regex parser)", None),
        ("first_match: every rule in table order", "loop"),
    ):
        if make == "loop":
            fn = lambda s: first_match(s, RULES)  # noqa: E731
        elif make is None:
            helpers = {h: getattr(tr, h) for h in ("_first_chars", "branch_prefixes") if hasattr(tr, h)}
            for h in helpers:
                setattr(tr, h, lambda p: None)
            rs = RuleSet(RULES)
            for h, f in helpers.items():
                setattr(tr, h, f)
            fn = rs.match
        else:
            fn = make().match
        fn("warm up")
        c0 = time.process_time()
        for s in lines:
            fn(s)
        rows.append((name, (time.process_time() - c0) * 1e6 / len(lines)))
    base = rows[-1][1]
    out = [
        f"## Rule matching: RuleSet vs the plain loop ({len(lines):,} lines: trafilatura_eval visible text"
        " + 1,000 500-word documents; every line seen once, so the memo helps only repeated lines)",
        "",
        "| matcher | µs CPU per line | speed-up vs the loop |",
        "|---|---:|---:|",
    ]
    out += [f"| {name} | {us:.2f} | {base / us:.2f}x |" for name, us in rows]
    return out


def wire_dev_table() -> list[str]:
    """What the cleaner takes out of real scraped news text that is nearly all article: wire_dev's texts
    (news-please and ECB+ article texts, one paragraph or sentence a line). No line labels: a removed
    line is boilerplate or article loss, the table says how many and by which rules."""
    import gzip

    path = EVAL_DIR / "wire_dev" / "docs.jsonl.gz"
    if not path.exists():
        return [f"wire_dev: skipped ({path} not found)"]
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        docs = [json.loads(x) for x in fh]
    lines = removed = rejected = 0
    by_rule: Counter[str] = Counter()
    config = CleanConfig()
    for d in docs:
        res = clean_text(d["text"], title=d.get("title"), config=config, fmt="txt")
        lines += sum(1 for s in d["text"].split("\n") if s.strip())
        removed += len(res.removed)
        by_rule.update(r for _, _, r in res.removed)
        rejected += len(res.text) < config.min_clean_chars or len(res.text.split()) < config.min_clean_words
    outlets = len({d.get("outlet") for d in docs if d.get("outlet")})
    block = by_rule["outside_main_block"] + by_rule["short_line_run"]
    out = [
        "## Real scraped news text (wire_dev), txt mode: what the cleaner removes",
        "",
        f"{len(docs)} texts from {outlets} outlets, {lines} non-blank lines (nearly all article: no line "
        f"labels). Removed: {removed} lines ({removed / max(1, lines):.2%}), of them {block} by the block "
        f"scorer (outside_main_block + short_line_run); title and date lines go to their columns. "
        f"Rejected too_short: {rejected}.",
        "",
        "| rule | lines removed |",
        "|---|---:|",
    ]
    return out + [f"| {r} | {n} |" for r, n in by_rule.most_common(12)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="pages per eval set (default: all)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "clean.md"))
    ap.add_argument("--speed-only", action="store_true", help="only the 500-word speed table (no eval data)")
    ap.add_argument("--code", default=None, help="import transforms from this checkout (see the docstring)")
    args = ap.parse_args(argv)
    if args.speed_only:
        print("\n".join(speed_500_table()))
        return 0
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
    parts = (
        seeds_table,
        lambda: line_table(args.limit),
        lambda: html_and_text_tables(args.limit),
        wire_dev_table,
        speed_500_table,
        lambda: ruleset_table(args.limit),
        speed_table,
    )
    for make in parts:
        part = make()
        lines += part + [""]
        print("\n".join(part) + "\n", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
