"""Raw JSONL corpora for the whole-run benchmark (`bench/bench_run.py`), written as a scraper would.

- ``synthetic``: `bench/corpus_gen.py`'s Zipf-vocabulary stories (~500 words, 10 % syndicated copies),
  broken into paragraphs of ~50 words, with a per-outlet footer and newsletter line.
- ``html``: the real news pages of trafilatura_eval and readability_news as ``.html`` files, over and
  over (extraction timing; the copies are exact duplicates).
- ``real``: stories assembled from real sentences (the readability_news reference articles, the
  trafilatura_eval snippets and the wire_dev news texts under ``../shared/eval``), so that quotes and
  stock phrases recur across documents as they do in news: a tenth of each story's sentences come from a
  small pool of frequent ones. 10 % of the documents are syndicated copies of an earlier story (new
  dateline, a paragraph dropped, another outlet's footer).

    python bench/corpus_jsonl.py --kind real --docs 100000 --dest bench/out/corpus-real-100000
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus_gen import generate  # noqa: E402

__all__ = ["write_corpus", "real_sentences"]

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
FILE_DOCS = 25_000  # records per JSONL file (one scraper dump per file)
BLOCK_DOCS = 100_000  # stories generated at once
OUTLETS = 40
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“])")
_TAG = re.compile(r"<[^>]+>")


def real_sentences(eval_dir: Path = EVAL) -> list[str]:
    """Distinct sentences of 6 to 60 words from the eval sets' article texts."""
    texts: list[str] = []
    for f in sorted((eval_dir / "readability_news").glob("*/expected.html.gz")):
        raw = gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
        raw = re.sub(r"</(p|div|h\d|li|blockquote)>", "\n", raw)
        texts.append(html.unescape(_TAG.sub(" ", raw)))
    ev = eval_dir / "trafilatura_eval" / "evaldata.json"
    if ev.is_file():
        for entry in json.loads(ev.read_text(encoding="utf-8")).values():
            texts.extend(entry.get("with", []))
    wd = eval_dir / "wire_dev" / "docs.jsonl.gz"
    if wd.is_file():
        with gzip.open(wd, "rt", encoding="utf-8") as fh:
            texts.extend(json.loads(line).get("text") or "" for line in fh)
    seen: dict[str, None] = {}
    for t in texts:
        for para in t.split("\n"):
            for s in _SENT.split(" ".join(para.split())):
                if 6 <= s.count(" ") + 1 <= 60:
                    seen.setdefault(s, None)
    return list(seen)


def _real_texts(n: int, seed: int, words: int, dup_rate: float) -> list[str]:
    rng = np.random.default_rng(seed)
    pool = real_sentences()
    if not pool:
        raise SystemExit(f"no sentences found under {EVAL}: the real corpus needs ../shared/eval")
    lens = np.array([s.count(" ") + 1 for s in pool])
    frequent = rng.choice(len(pool), size=min(300, len(pool)), replace=False)
    n_orig = max(1, int(n * (1 - dup_rate)))
    texts: list[str] = []
    for _ in range(n_orig):
        target = int(rng.integers(words // 2, words * 3 // 2))
        picks: list[int] = []
        total = 0
        while total < target:
            i = (
                int(frequent[rng.integers(frequent.size)])
                if rng.random() < 0.1
                else int(rng.integers(len(pool)))
            )
            picks.append(i)
            total += int(lens[i])
        paras, i = [], 0
        while i < len(picks):
            step = int(rng.integers(2, 5))
            paras.append(" ".join(pool[j] for j in picks[i : i + step]))
            i += step
        texts.append("\n\n".join(paras))
    for _ in range(n - n_orig):
        src = texts[int(rng.integers(n_orig))].split("\n\n")
        if len(src) > 3:
            del src[int(rng.integers(1, len(src)))]
        texts.append("LONDON (Reuters) - " + "\n\n".join(src))
    return texts


def _synthetic_texts(n: int, seed: int, words: int, dup_rate: float) -> list[str]:
    texts = generate(n, seed=seed, words=words, dup_rate=dup_rate).get_column("text").to_list()
    out = []
    for t in texts:
        w = t.split(" ")
        out.append("\n\n".join(" ".join(w[i : i + 50]) for i in range(0, len(w), 50)))
    return out


def html_pages(eval_dir: Path = EVAL) -> list[bytes]:
    """The real news pages of the eval sets (trafilatura_eval, readability_news sources), as bytes."""
    files = sorted((eval_dir / "trafilatura_eval" / "html").glob("*.gz"))
    files += sorted((eval_dir / "readability_news").glob("*/source.html.gz"))
    return [gzip.decompress(f.read_bytes()) for f in files]


def _write_html(n: int, raw: Path) -> None:
    """``n`` pages as ``.html`` files, the eval pages over and over (one folder per 1,000)."""
    pages = html_pages()
    if not pages:
        raise SystemExit(f"no HTML pages under {EVAL}: the html corpus needs ../shared/eval")
    for i in range(n):
        d = raw / f"site{i // 1000:03d}"
        d.mkdir(exist_ok=True)
        (d / f"page-{i:06d}.html").write_bytes(pages[i % len(pages)])


def _record(i: int, body: str) -> str:
    outlet = i % OUTLETS
    record = {
        "url": f"https://outlet{outlet}.example/news/{i}",
        "title": f"Story number {i} from outlet {outlet}",
        "published": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
        "source": f"outlet{outlet}.example",
        "text": f"{body}\n\nSign up for the Outlet {outlet} morning briefing.\n\n"
        f"© 2026 Outlet {outlet} Media. All rights reserved.",
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_corpus(
    kind: str, n: int, dest: Path, seed: int = 0, words: int = 500, dup_rate: float = 0.1
) -> Path:
    """Write ``dest/raw/<outlet-feed>-NNN.jsonl`` (``FILE_DOCS`` records each) once; returns the raw folder.
    A finished corpus has ``dest/DONE``; a half-written one is rewritten."""
    raw = dest / "raw"
    if (dest / "DONE").is_file():
        return raw
    raw.mkdir(parents=True, exist_ok=True)
    for old in raw.glob("*.jsonl"):
        old.unlink()
    if kind == "html":
        _write_html(n, raw)
        (dest / "DONE").write_text(f"{kind} {n}\n")
        return raw
    make = _real_texts if kind == "real" else _synthetic_texts
    files = 0
    # generated BLOCK_DOCS stories at a time (a block's copies are of its own stories), so a corpus of
    # 1M documents is written in the memory of 100K; up to BLOCK_DOCS it is one block, as it always was
    for b, start in enumerate(range(0, n, BLOCK_DOCS)):
        size = min(BLOCK_DOCS, n - start)
        texts = make(size, seed + 2 * b, words, dup_rate)
        order = np.random.default_rng(seed + 2 * b + 1).permutation(size)  # copies spread over files
        for lo in range(0, size, FILE_DOCS):
            with (raw / f"feed-{files:04d}.jsonl").open("w", encoding="utf-8") as fh:
                fh.writelines(_record(start + i, texts[i]) for i in order[lo : lo + FILE_DOCS].tolist())
            files += 1
        del texts
    (dest / "DONE").write_text(f"{kind} {n}\n")
    return raw


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["synthetic", "real", "html"], default="synthetic")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--dest", type=Path, required=True)
    args = ap.parse_args()
    print(write_corpus(args.kind, args.docs, args.dest))
