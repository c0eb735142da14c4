"""The whole `wirewash run` as a user runs it, against the plain datasketch loop and datatrove's MinHash
pipeline on the same JSONL records, side by side in one invocation.

    python bench/bench_run.py --corpus synthetic real --docs 10000 100000 \
        [--systems wirewash,loop,datatrove] [--variant local --variant dask=local:2] [--set k=v]

Every system runs as a subprocess over the same raw folder (``bench/out/corpus-<kind>-<n>/raw``,
written once by `bench/corpus_jsonl.py`, never committed):
- ``wirewash``: ``python -m flows.cli run --full`` into a fresh output folder, Prefect's temporary server
  included (it is a child process: it is in the tree we measure). Stage times come from the run
  summary's ``timings``.
- ``loop``: the loop a user writes by hand, as datasketch's documentation writes it: read the JSONL,
  lower-case and split into words, word 5-shingles as UTF-8 bytes, ``MinHash.update_batch`` (128
  permutations), ``MinHashLSH`` query then insert (16 bands x 8 rows). No cleaning, no verification,
  no output.
- ``datatrove``: datatrove 0.10's MinHash dedup (signatures -> buckets -> clusters -> filter) with
  ``LocalPipelineExecutor`` (tasks = workers = cores), 14 x 8 buckets (its default), JSONL in and out.

Wall time, CPU time (user + system of the whole tree, from ``getrusage(RUSAGE_CHILDREN)``) and peak RSS
of the whole tree (every process's RSS summed, polled every 0.2 s with psutil) per system.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus_jsonl import write_corpus  # noqa: E402

PY = sys.executable
OUT = REPO / "bench" / "out"


def measure(
    cmd: list[str], env: dict[str, str] | None = None, log: Path | None = None, cwd: Path = REPO
) -> dict:
    """Wall, CPU and the peak summed RSS of the process tree of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = log.open("w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
    )
    peak = [0]
    peak_anon = [0]  # the same without file-backed pages (a memory-mapped file the kernel may drop)
    trace: list[str] = []  # "seconds total_MB pid:MB ..." every poll: where in the run the peak was
    cpu_seen: dict[int, float] = {}
    names: dict[int, str] = {}  # pid -> its command line's start, for the trace
    done = threading.Event()

    def watch() -> None:
        root = psutil.Process(proc.pid)
        while not done.wait(0.2):
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            total = anon = 0
            each = []
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    total += rss
                    anon += _rss_anon(p.pid, rss)
                    t = p.cpu_times()
                    # its own time only: a reaped child's time is in its parent's children_* too
                    cpu_seen[p.pid] = t.user + t.system
                    each.append(f"{p.pid}:{rss >> 20}:{cpu_seen[p.pid]:.1f}")
                    if p.pid not in names:
                        names[p.pid] = " ".join(p.cmdline()[1:4])[:80]
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)
            peak_anon[0] = max(peak_anon[0], anon)
            trace.append(f"{time.perf_counter() - t0:.1f} {total >> 20} anon:{anon >> 20} {' '.join(each)}")

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    rc = proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # reaped children count in getrusage; processes a pool never reaps only in what the poll saw
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(cpu_seen.values()))
    if log:
        heads = [f"# {pid} {name}" for pid, name in names.items()]
        # each poll: seconds, tree RSS MB, anonymous MB, then pid:RSS MB:CPU s of each process
        log.with_suffix(".rss.txt").write_text("\n".join(heads + trace) + "\n")
    if rc != 0:
        tail = log.read_text()[-3000:] if log else ""
        raise SystemExit(f"{cmd} failed with {rc}\n{tail}")
    return {"wall": wall, "cpu": cpu, "rss_mb": peak[0] / 2**20, "anon_mb": peak_anon[0] / 2**20}


def _rss_anon(pid: int, rss: int) -> int:
    """A process's anonymous resident memory (RSS minus file-backed and shared-memory pages), from
    /proc; its RSS where /proc has no such line."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss


# ------------------------------------------------------------------ the systems (subprocess bodies)


def loop_main(raw: Path) -> None:
    import re

    import datasketch

    word = re.compile(r"[^\w]+")
    lsh = datasketch.MinHashLSH(num_perm=128, params=(16, 8))
    n = 0
    for f in sorted(raw.glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line)["text"]
                words = word.sub(" ", text.lower()).split()
                sh = {" ".join(words[j : j + 5]).encode("utf-8") for j in range(max(1, len(words) - 4))}
                m = datasketch.MinHash(num_perm=128, seed=1)
                m.update_batch(list(sh))
                lsh.query(m)
                lsh.insert(n, m)
                n += 1
    print(json.dumps({"docs": n}))


def trafilatura_main(raw: Path) -> None:
    """The bare extraction loop: every page through ``trafilatura.extract`` in one process."""
    import trafilatura

    n = 0
    for f in sorted(raw.rglob("*.html")):
        trafilatura.extract(f.read_bytes())
        n += 1
    print(json.dumps({"pages": n}))


def datatrove_main(raw: Path, work: Path, cores: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    config = MinhashConfig()
    logs = work / "logs"

    def reader() -> JsonlReader:
        return JsonlReader(str(raw), id_key="url")

    stage1 = LocalPipelineExecutor(
        pipeline=[reader(), MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)],
        tasks=cores,
        workers=cores,
        logging_dir=str(logs / "s1"),
    )
    stage2 = LocalPipelineExecutor(
        pipeline=[
            MinhashDedupBuckets(
                input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=config
            )
        ],
        tasks=config.num_buckets,
        workers=cores,
        logging_dir=str(logs / "s2"),
        depends=stage1,
    )
    stage3 = LocalPipelineExecutor(
        pipeline=[
            MinhashDedupCluster(
                input_folder=str(work / "buckets"), output_folder=str(work / "remove"), config=config
            )
        ],
        tasks=1,
        logging_dir=str(logs / "s3"),
        depends=stage2,
    )
    stage4 = LocalPipelineExecutor(
        pipeline=[
            reader(),
            MinhashDedupFilter(input_folder=str(work / "remove")),
            JsonlWriter(str(work / "deduped")),
        ],
        tasks=cores,
        workers=cores,
        logging_dir=str(logs / "s4"),
        depends=stage3,
    )
    stage4.run()


# ------------------------------------------------------------------ the driver


def run_wirewash(raw: Path, out: Path, variant: str, sets: list[str], log: Path) -> dict:
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    cmd = [PY, "-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out), "--full"]
    for s in sets:
        cmd += ["--set", s]
    cwd = REPO
    if variant.startswith("dask="):
        cmd += ["--set", f"dask={variant.split('=', 1)[1]}"]
    if variant.startswith("before="):  # an earlier checkout of wirewash, e.g. `git archive 529cc64`
        cwd = Path(variant.split("=", 1)[1]).resolve()
    home = OUT / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {"PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "INFO"}
    m = measure(cmd, env, log, cwd)
    summary = json.loads(next((out / "runs").glob("*.json")).read_text())
    m["stages"] = summary.get("timings", {})
    m["records"] = summary["records_in"]
    m["articles"] = summary["articles"]
    m["duplicates"] = (
        sum(summary.get("duplicates", {}).values()) if isinstance(summary.get("duplicates"), dict) else None
    )
    return m


def fmt_table(rows: list[dict], cols: list[tuple[str, str]]) -> str:
    head = "| " + " | ".join(h for _, h in cols) + " |"
    sep = "|" + "|".join("---:" for _ in cols) + "|"
    body = ["| " + " | ".join(str(r.get(k, "")) for k, _ in cols) + " |" for r in rows]
    return "\n".join([head, sep, *body])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", nargs="+", default=["synthetic"], choices=["synthetic", "real", "html"])
    ap.add_argument("--docs", nargs="+", type=int, default=[10_000])
    ap.add_argument("--systems", default="wirewash,loop,datatrove")
    ap.add_argument("--variant", action="append", help="wirewash variants: local (default), dask=local:N")
    ap.add_argument("--datatrove-max", type=int, default=100_000, help="largest corpus datatrove runs on")
    ap.add_argument("--set", action="append", default=[], help="flow parameter for the wirewash runs")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--results", type=Path, default=None, help="append the tables to this markdown file")
    # subprocess entry points
    ap.add_argument("--loop", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--datatrove", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--trafilatura", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.loop:
        return loop_main(args.loop)
    if args.trafilatura:
        return trafilatura_main(args.trafilatura)
    if args.datatrove:
        return datatrove_main(Path(args.datatrove[0]), Path(args.datatrove[1]), int(args.datatrove[2]))

    systems = args.systems.split(",")
    variants = args.variant or ["local"]
    rows, stage_rows = [], []
    for kind in args.corpus:
        for n in args.docs:
            dest = OUT / f"corpus-{kind}-{n}"
            raw = write_corpus(kind, n, dest)
            mb = sum(f.stat().st_size for f in raw.rglob("*") if f.is_file()) / 2**20
            found: dict[str, dict] = {}
            if "wirewash" in systems:
                for v in variants:
                    tag = f"wirewash {v}"
                    slug = v.replace(":", "-").replace("/", "_").replace("=", "-")
                    m = run_wirewash(
                        raw,
                        dest / f"clean-{slug}",
                        v,
                        args.set,
                        OUT / f"log-{kind}-{n}-{slug}.txt",
                    )
                    found[tag] = m
                    stage_rows.append(
                        {
                            "corpus": kind,
                            "docs": f"{n:,}",
                            "system": tag,
                            **{k: f"{t:.1f}" for k, t in m["stages"].items()},
                        }
                    )
                    print(tag, kind, n, json.dumps(m), flush=True)
            if "trafilatura" in systems:
                found["trafilatura.extract loop"] = measure(
                    [PY, __file__, "--trafilatura", str(raw)], log=OUT / f"log-trafilatura-{kind}-{n}.txt"
                )
                print("trafilatura", kind, n, found["trafilatura.extract loop"], flush=True)
            if "loop" in systems and kind != "html":
                found["datasketch loop"] = measure(
                    [PY, __file__, "--loop", str(raw)], log=OUT / f"log-loop-{kind}-{n}.txt"
                )
                print("loop", kind, n, found["datasketch loop"], flush=True)
            if "datatrove" in systems and n <= args.datatrove_max and kind != "html":
                import shutil

                work = dest / "datatrove"
                shutil.rmtree(work, ignore_errors=True)
                found["datatrove minhash"] = measure(
                    [PY, __file__, "--datatrove", str(raw), str(work), str(args.cores)],
                    log=OUT / f"log-datatrove-{kind}-{n}.txt",
                )
                print("datatrove", kind, n, found["datatrove minhash"], flush=True)
            base = found.get("wirewash local") or next(
                (v for k, v in found.items() if k.startswith("wirewash")), None
            )
            for name, m in found.items():
                rows.append(
                    {
                        "corpus": kind,
                        "docs": f"{n:,}",
                        "mb": f"{mb:,.0f}",
                        "system": name,
                        "wall": f"{m['wall']:.1f}",
                        "cpu": f"{m['cpu']:.1f}",
                        "rss": f"{m['rss_mb']:,.0f}",
                        "anon": f"{m['anon_mb']:,.0f}",
                        "us_doc": f"{1e6 * m['wall'] / n:,.0f}",
                        "ratio": f"{m['wall'] / base['wall']:.2f}x" if base else "",
                    }
                )
    table = fmt_table(
        rows,
        [
            ("corpus", "corpus"),
            ("docs", "docs"),
            ("mb", "raw MB"),
            ("system", "system"),
            ("wall", "wall s"),
            ("cpu", "CPU s"),
            ("rss", "peak RSS MB (tree)"),
            ("anon", "of it anonymous MB"),
            ("us_doc", "µs/doc"),
            ("ratio", "time / wirewash"),
        ],
    )
    keys = sorted({k for r in stage_rows for k in r} - {"corpus", "docs", "system"})
    stages = fmt_table(
        stage_rows,
        [("corpus", "corpus"), ("docs", "docs"), ("system", "system")] + [(k, f"{k} s") for k in keys],
    )
    text = f"{table}\n\nStages of the wirewash runs (from the run summary's `timings`):\n\n{stages}\n"
    print(text)
    if args.results:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write(f"\n```\n{' '.join(sys.argv)}\n```\n\n{text}")


if __name__ == "__main__":
    main()
