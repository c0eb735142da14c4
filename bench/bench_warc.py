"""WARC throughput: wirewash end to end (``python -m flows.cli run`` on a folder of WARC files, the whole
run: Prefect, reading, extraction, cleaning, dedup, Parquet) against a bare FastWARC + trafilatura loop,
side by side in the same session, on 1 core and on 2 workers.

    python bench/bench_warc.py [--pages 2000] [--files 4] [--out bench/results/warc.md]

The WARC files are built from the real pages of ../shared/eval (trafilatura_eval and readability_news),
each page stored as a Common Crawl file stores it: request, response (original bytes, HTTP headers) and
metadata records, one gzip member each. A page used more than once gets a distinct comment, so no
payload is identical (wirewash extracts an identical payload once: that would flatter it).

The bare loop is what a user would write: FastWARC with ``parse_http=True`` over the response records,
the body decoded with the HTTP charset (else UTF-8, with replacement), and the same trafilatura call as
wirewash (``bare_extraction`` with metadata). Its 2-worker form reads the files in a 2-process pool.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval"
PYTHON = sys.executable


def real_pages() -> list[tuple[str, bytes]]:
    pages: list[tuple[str, bytes]] = []
    tdir = EVAL / "trafilatura_eval"
    if (tdir / "subset_index.json").exists():
        index = json.loads((tdir / "subset_index.json").read_text())
        for url in sorted(index):
            meta = index[url]
            if meta.get("included") and meta.get("html_gz"):
                pages.append((url, gzip.decompress((tdir / meta["html_gz"]).read_bytes())))
    rdir = EVAL / "readability_news"
    if rdir.exists():
        for d in sorted(p for p in rdir.iterdir() if (p / "source.html.gz").exists()):
            pages.append(
                (f"https://{d.name}.example/article", gzip.decompress((d / "source.html.gz").read_bytes()))
            )
    return pages


def _record(rtype: str, uri: str, block: bytes, ctype: str) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {rtype}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"WARC-Date: 2024-03-04T05:06:07Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + block + b"\r\n\r\n", compresslevel=6)


def build_warcs(folder: Path, pages: list[tuple[str, bytes]], n_pages: int, n_files: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    files = [(folder / f"crawl-{i:02d}.warc.gz").open("wb") for i in range(n_files)]
    for k in range(n_pages):
        url, html = pages[k % len(pages)]
        copy = k // len(pages)
        if copy:
            url = f"{url}{'&' if '?' in url else '?'}copy={copy}"
            html = f"<!-- copy {copy} -->\n".encode() + html
        response = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(html)}\r\n\r\n".encode()
            + html
        )
        out = files[k % n_files]
        out.write(
            _record("request", url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "application/http; msgtype=request")
        )
        out.write(_record("response", url, response, "application/http; msgtype=response"))
        out.write(_record("metadata", url, b"fetchTimeMs: 120\r\n", "application/warc-fields"))
    for f in files:
        f.close()
    return sum(p.stat().st_size for p in folder.iterdir())


def bare_file(path: str) -> int:
    """The bare loop over one file: pages extracted."""
    import trafilatura
    from fastwarc import ArchiveIterator, WarcRecordType

    n = 0
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
            if "html" not in (rec.http_content_type or ""):
                continue
            html = rec.reader.read().decode(rec.http_charset or "utf-8", "replace")
            doc = trafilatura.bare_extraction(
                html, url=rec.headers.get("WARC-Target-URI"), with_metadata=True
            )
            n += doc is not None and bool(doc.text)
    return n


def bare(folder: Path, workers: int) -> tuple[float, int]:
    files = sorted(str(p) for p in folder.glob("*.warc.gz"))
    t0 = time.perf_counter()
    if workers == 1:
        n = sum(bare_file(f) for f in files)
    else:
        with mp.get_context("spawn").Pool(workers) as pool:
            n = sum(pool.map(bare_file, files, chunksize=1))
    return time.perf_counter() - t0, n


def wirewash(folder: Path, workers: int, home: Path, tree: Path = ROOT) -> tuple[float, dict]:
    """The whole ``wirewash run``, as a user runs it, from ``tree`` (this checkout, or an earlier one)."""
    out = Path(tempfile.mkdtemp(prefix="bench-warc-out-"))
    env = {**os.environ, "PREFECT_HOME": str(home)}
    cmd = [PYTHON, "-m", "flows.cli", "run", "--raw", str(folder), "--out", str(out), "--full"]
    cmd += ["--set", f"workers={workers}"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"wirewash run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    summary = json.loads(next((out / "runs").glob("*.json")).read_text())
    shutil.rmtree(out, ignore_errors=True)
    return elapsed, summary


def read_stage(folder: Path, workers: int) -> float:
    """wirewash's read stage alone (FastWARC, charset chain, trafilatura, language), in this process."""
    from flows.readers import discover, read_files

    files, _ = discover(folder)
    t0 = time.perf_counter()
    read_files(folder, files, workers=workers)
    return time.perf_counter() - t0


def language_table(pages: list[tuple[str, bytes]], n: int = 150) -> list[str]:
    """Cost of the language column per real article text, next to splitting the same text into words."""
    import statistics
    import timeit

    from transforms.extract import extract_article
    from transforms.language import detect_language

    texts = []
    for _, html in pages[:: max(1, len(pages) // n)][:n]:
        art = extract_article(html.decode("utf-8", "replace"))
        if art is not None:
            texts.append(art.text)
    words = statistics.median(len(t.split()) for t in texts)
    reps = 7

    def per_doc(fn) -> list[float]:
        # the best of 7 repeats per document: on a shared machine the others are other jobs' turns
        return sorted(min(timeit.repeat(lambda t=t: fn(t), repeat=reps, number=3)) / 3 for t in texts)

    detect, split = per_doc(detect_language), per_doc(str.split)
    q = lambda xs, f: xs[int(f * (len(xs) - 1))] * 1e6  # noqa: E731
    found = sum(detect_language(t)[0] is not None for t in texts)
    return [
        "## Language column cost",
        "",
        f"{len(texts)} real article texts (trafilatura output of the same pages, median {words:.0f} words), "
        f"best of {reps} repeats each; CLD2 reads at most 1,000 characters of each text's sentence-like "
        "lines.",
        "",
        "| µs per document | median | p90 | max |",
        "|---|---:|---:|---:|",
        f"| `detect_language(text)` (sample + CLD2) | {q(detect, 0.5):.1f} | {q(detect, 0.9):.1f} "
        f"| {q(detect, 1):.1f} |",
        f"| baseline: `text.split()` of the whole text | {q(split, 0.5):.1f} | {q(split, 0.9):.1f} "
        f"| {q(split, 1):.1f} |",
        "",
        f"A language was found for {found} of {len(texts)} texts.",
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "warc.md")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    ap.add_argument("--language-only", action="store_true", help="only the language column's cost")
    ap.add_argument(
        "--before", type=Path, default=None, help="also run wirewash from this earlier tree (`git archive`)"
    )
    args = ap.parse_args()
    pages = real_pages()
    if not pages:
        print(f"skipped: no eval pages under {EVAL}")
        return
    if args.language_only:
        print("\n".join(language_table(pages)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-warc-"))
    folder, home = work / "raw", work / "prefect"
    size = build_warcs(folder, pages, args.pages, args.files)
    print(f"{args.pages} pages ({len(pages)} real pages) in {args.files} .warc.gz files, {size / 1e6:.1f} MB")

    wirewash(folder, 1, home)  # warm-up: Prefect's database, numba's kernel cache
    if args.before:
        wirewash(folder, 1, home, args.before)  # and the earlier tree's bytecode
    rows, before = [], {}
    for workers in args.workers:
        b_s, b_n = bare(folder, workers)
        w_s, summary = wirewash(folder, workers, home)
        if args.before:
            before[workers] = wirewash(folder, workers, home, args.before)[0]
        r_s = read_stage(folder, workers)
        rows.append((workers, b_s, b_n, w_s, summary, r_s))
        was = f" (before: {args.pages / before[workers]:.1f})" if args.before else ""
        print(
            f"workers={workers}: bare {args.pages / b_s:.1f} pages/s, wirewash {args.pages / w_s:.1f} pages/s"
            + was
        )

    bare1 = args.pages / rows[0][1]  # the first worker count given (1 by default)
    lines = [
        "# WARC throughput: wirewash end to end vs a bare FastWARC + trafilatura loop",
        "",
        f"`python bench/bench_warc.py --pages {args.pages} --files {args.files} --workers "
        f"{' '.join(map(str, args.workers))}` on this machine (2 cores, "
        "shared with other jobs: compare the ratios, measured side by side in one session).",
        "",
        f"Input: {args.pages} HTML responses ({len(pages)} real pages from trafilatura_eval and "
        f"readability_news, reused with a distinct comment so no payload repeats) in {args.files} "
        f"`.warc.gz` files of {size / 1e6:.1f} MB, each page with its request and metadata records.",
        "",
        "| workers | bare loop pages/s | wirewash run pages/s (whole run) | wirewash / bare, same workers "
        "| wirewash / bare on 1 core | wirewash read stage pages/s | articles + rejected | skipped |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, b_s, _b_n, w_s, s, r_s in rows:
        b, w = args.pages / b_s, args.pages / w_s
        lines.append(
            f"| {workers} | {b:.1f} | {w:.1f} | {w / b:.2f}x | {w / bare1:.2f}x | {args.pages / r_s:.1f} "
            f"| {s['articles']} + {s['rejected']} | {s['skipped']} |"
        )
        if args.before:
            wb = args.pages / before[workers]
            lines.append(f"| {workers}, before | | {wb:.1f} | {wb / b:.2f}x | {wb / bare1:.2f}x | | | |")
    s = rows[0][4]
    reasons = ", ".join(f"{k}: {v}" for k, v in s["rejected_by_reason"].items())
    kinds = ", ".join(f"{k}: {v}" for k, v in s["skipped_by_kind"].items())
    lines += [
        "",
        f"Bare loop pages with text: {rows[0][2]}. wirewash run: {s['records_in']} records in = "
        f"{s['articles']} articles + {s['rejected']} rejected ({reasons}); skipped {s['skipped']} ({kinds}).",
        "",
        "The whole run includes what the bare loop does not do: Prefect's temporary server and flow run, "
        "the charset chain, language detection, line cleaning, deduplication and the Parquet tables.",
        "",
        *language_table(pages),
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
