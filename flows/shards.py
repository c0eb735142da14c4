"""Shards: the run's input cut into pieces of bounded bytes, and the two per-shard passes over them.

A shard is a batch of small files, one line-aligned byte range of a large plain JSONL file (a gzip
stream cannot be entered midway: a ``.jsonl.gz`` is one shard), or one record-aligned byte range of a
large WARC file (``flows.warc_layout.warc_record_ranges``: a ``.warc.gz`` has a gzip member per record).

Pass 1, ``read_shard``: read (and extract) the shard's records, stage them as Parquet, and stage the
shard's line-statistics evidence. Pass 2, ``clean_shard`` (after the run's evidence is reduced): clean
the staged records, stage the articles, and sketch them for dedup (``transforms.shards``). Pass 3,
``write_shard``: join the shard's dedup assignments to its articles and stage its output parts.

Every function here takes and returns paths and small summaries, so a Prefect task around it moves no
frame through the task runner, and writes its files atomically, so a retried shard (a worker that died)
simply writes them again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from flows.memory import returns_memory
from flows.readers import ReadLimits, read_file
from flows.store import FileValues, savez, write_atomic, write_parquet_atomic
from flows.warc import is_warc, warc_record_ranges
from transforms.clean import CleanConfig, clean_split, too_short_rows
from transforms.dedup import DEDUP_COLUMNS, DedupConfig, Prepared, prepare, sampled_view
from transforms.language import with_language
from transforms.linestats import LINE_HASH_SCHEMA, hashed_lines, line_evidence
from transforms.schema import RECORD_SCHEMA, REJECTED_SCHEMA
from transforms.shards import concat_prepared

__all__ = [
    "DOC_SCHEMA",
    "TARGET_BYTES",
    "Shard",
    "ShardPaths",
    "clean_shard",
    "gather_prepared",
    "load_prepared",
    "plan_shards",
    "read_shard",
    "save_prepared",
    "write_shard",
]

TARGET_BYTES = 32 * 1024 * 1024  # raw bytes per shard
MAX_FILES = 1000  # files per shard (small files: bounded task time and a progress tick each)
_BLOCK = 1 << 22
ARTICLE_ROW_GROUP = 1000  # rows per row group of an articles part


@dataclass(frozen=True)
class Shard:
    """Files of one shard; ``span`` = (start byte, end byte, lines before start) when the shard is one
    line-aligned range of a single JSONL file."""

    index: int
    files: tuple[str, ...]
    span: tuple[int, int, int] | None = None


def _jsonl_spans(path: Path, target: int) -> list[tuple[int, int, int]]:
    """Line-aligned ranges of about ``target`` bytes, each with the number of lines before it (so record
    line numbers, hence doc_ids, are the same as when the file is read whole)."""
    size = path.stat().st_size
    spans: list[tuple[int, int, int]] = []
    start, lines_before, lines, pos = 0, 0, 0, 0
    with path.open("rb") as fh:
        while pos < size:
            block = fh.read(_BLOCK)
            if not block:
                break
            base = pos
            pos += len(block)
            cut_from = 0
            while base + len(block) - start >= target:
                want = start + target - base  # first newline at or after the target offset
                nl = block.find(b"\n", max(want, cut_from))
                if nl < 0:
                    break
                lines += block.count(b"\n", cut_from, nl + 1)
                spans.append((start, base + nl + 1, lines_before))
                start, lines_before, cut_from = base + nl + 1, lines, nl + 1
            lines += block.count(b"\n", cut_from)
    if start < size or not spans:
        spans.append((start, size, lines_before))
    return spans


def _split(path: Path, target: int) -> list[tuple[int, int, int]] | None:
    """Byte ranges of one large file, or None to keep it whole."""
    try:
        if path.stat().st_size <= target:
            return None
        if path.name.lower().endswith(".jsonl"):
            return _jsonl_spans(path, target)
        if is_warc(path):
            return [(lo, hi, 0) for lo, hi in warc_record_ranges(path, target)]
    except OSError:
        return None  # read_file rejects it as unreadable
    return None


def plan_shards(
    files: list[Path], target_bytes: int = TARGET_BYTES, max_files: int = MAX_FILES
) -> list[Shard]:
    """Shards in path order: small files batched up to ``target_bytes`` (or ``max_files``), each large
    JSONL file cut into line ranges. Deterministic: the same files give the same shards."""
    shards: list[Shard] = []
    batch: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal batch, size
        if batch:
            shards.append(Shard(len(shards), tuple(batch)))
        batch, size = [], 0

    for f in files:
        spans = _split(f, target_bytes)
        if spans and len(spans) > 1:
            flush()
            base = len(shards)
            shards.extend([Shard(base + i, (str(f),), s) for i, s in enumerate(spans)])
            continue
        try:
            n = f.lstat().st_size
        except OSError:
            n = 0
        if batch and (size + n > target_bytes or len(batch) >= max_files):
            flush()
        batch.append(str(f))
        size += n
    flush()
    return shards


@dataclass(frozen=True)
class ShardPaths:
    """Where one shard's files live under the run's staging folder ``root``: its intermediate files under
    ``shards/<kind>/``, its output parts under ``parts/<table>/`` (publish moves those into place)."""

    root: Path
    index: int

    def _p(self, kind: str, ext: str = "parquet") -> Path:
        return self.root / "shards" / kind / f"shard-{self.index:05d}.{ext}"

    @property
    def records(self) -> Path:
        return self._p("records")

    @property
    def read_rejects(self) -> Path:
        return self._p("read-rejects")

    @property
    def evidence(self) -> Path:
        return self._p("evidence")

    @property
    def lines(self) -> Path:
        return self._p("lines")

    @property
    def clean(self) -> Path:
        return self._p("clean")

    @property
    def clean_rejects(self) -> Path:
        return self._p("clean-rejects")

    @property
    def short(self) -> Path:
        """Too-short rows offered to dedup as short copies (article rows plus ``reject_detail``)."""
        return self._p("short")

    @property
    def docs(self) -> Path:
        return self._p("docs")

    @property
    def sketch(self) -> Path:
        return self._p("sketch", "npz")

    def part(self, table: str) -> Path:
        return self.root / "parts" / table / f"part-{self.index:05d}.parquet"


@returns_memory
def read_shard(
    raw_dir: str, shard: Shard, limits: ReadLimits, paths: ShardPaths, linestats: object
) -> dict[str, int]:
    """Pass 1: the shard's records and rejects, and its line evidence, staged."""
    root = Path(raw_dir).resolve()
    rows: list[dict] = []
    rejects: list[dict] = []
    skipped: Counter = Counter()
    for f in shard.files:
        r, j = read_file(root, Path(f), limits, shard.span, skipped)
        rows += r
        rejects += j
    records = with_language(
        pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row") if rows else pl.DataFrame(schema=RECORD_SCHEMA)
    )
    rejected = (
        pl.DataFrame(rejects, schema=REJECTED_SCHEMA, orient="row")
        if rejects
        else pl.DataFrame(schema=REJECTED_SCHEMA)
    )
    write_parquet_atomic(records, paths.records)
    write_parquet_atomic(rejected, paths.read_rejects)
    lines = hashed_lines(records, linestats)  # normalised and hashed once: evidence now, cleaning later
    write_parquet_atomic(line_evidence(records, linestats, lines=lines), paths.evidence)
    write_parquet_atomic(lines.select(list(LINE_HASH_SCHEMA)), paths.lines)
    return {
        "records": records.height,
        "rejected": rejected.height,
        **{f"skipped:{k}": n for k, n in skipped.items()},
    }


# the per-document state the global dedup step needs (canonical choice, clusters table, supersession)
DOC_SCHEMA: dict[str, pl.DataType] = {
    c: RECORD_SCHEMA.get(c, pl.Int64())
    for c in ("doc_id", "source", "source_path", "url", "title", "published")
} | {"clean_chars": pl.Int64()}
DOC_COLUMNS = tuple(DOC_SCHEMA)


@returns_memory
def clean_shard(
    paths: ShardPaths,
    repeated_path: Path,
    config: CleanConfig,
    outlet_rules: dict,
    dedup: DedupConfig,
) -> dict[str, int]:
    """Pass 2: clean the staged records with the run's repeated lines, stage the articles, their small
    per-document state (``DOC_COLUMNS``) and their sketch, and the short texts dedup may keep as copies
    (``clean_split``: sketched by the dedup step itself, they are few and small)."""
    records = pl.read_parquet(paths.records)
    sources = records.select(pl.col("source").fill_null("").unique())
    repeated = pl.scan_parquet(repeated_path).join(sources.lazy(), on="source", how="semi").collect()
    lines = pl.read_parquet(paths.lines)  # staged by read_shard: not normalised and hashed again
    articles, short, rejected = clean_split(records, config, outlet_rules, repeated, lines)
    del records
    write_parquet_atomic(articles, paths.clean)
    write_parquet_atomic(short, paths.short)
    write_parquet_atomic(rejected, paths.clean_rejects)
    write_parquet_atomic(articles.select(DOC_COLUMNS), paths.docs)
    save_prepared(prepare(articles.get_column("text").cast(pl.String), dedup), paths.sketch)
    return {"articles": articles.height, "short": short.height, "rejected": rejected.height}


def _stamp(df: pl.DataFrame, run_id: str, at: datetime) -> pl.DataFrame:
    return df.with_columns(
        pl.lit(run_id).alias("run_id"), pl.lit(at).cast(pl.Datetime("us", "UTC")).alias("ingested_at")
    )


@returns_memory
def write_shard(paths: ShardPaths, assignments: Path, run_id: str, started: datetime) -> dict[str, str]:
    """Pass 3: the shard's articles with their dedup columns (``assignments``: the dedup step's file of
    this shard's rows), and its rejects, as output parts (staged;
    the publish step moves them into place). The articles are sorted by doc_id. A short text is an
    article if dedup assigned it (a copy of a kept story), else a ``too_short`` reject."""
    clean, short = pl.read_parquet(paths.clean), pl.read_parquet(paths.short)
    cols = pl.read_parquet(assignments)  # this shard's articles' and kept short texts' rows
    kept_short = short.join(cols.select("doc_id"), on="doc_id", how="semi", maintain_order="left")
    articles = pl.concat([clean, kept_short.drop("reject_detail")], how="vertical_relaxed")
    out = articles.join(cols, on="doc_id", how="left", maintain_order="left")
    out = out.select(*[c for c in out.columns if c not in DEDUP_COLUMNS], *DEDUP_COLUMNS)
    written = {}
    if out.height:
        # sorted by doc_id in row groups of ARTICLE_ROW_GROUP rows: a history look-up reads a few earlier
        # articles' texts by doc_id, and the row groups' min/max statistics then skip all the others
        written["articles"] = str(
            write_parquet_atomic(
                _stamp(out.sort("doc_id"), run_id, started), paths.part("articles"), ARTICLE_ROW_GROUP
            )
        )
    lone_short = too_short_rows(short.join(kept_short.select("doc_id"), on="doc_id", how="anti"))
    rejected = pl.concat(
        [pl.read_parquet(paths.read_rejects), pl.read_parquet(paths.clean_rejects), lone_short],
        how="vertical_relaxed",
    )
    if rejected.height:
        written["rejected"] = str(
            write_parquet_atomic(_stamp(rejected, run_id, started), paths.part("rejected"))
        )
    return written


_PREPARED = ("hashes", "offsets", "exact", "n_words", "keys")


def save_prepared(prep: Prepared, path: Path) -> Path:
    """A shard's sketch as an uncompressed .npz (random shingle hashes do not compress), atomically."""
    return write_atomic(path, lambda tmp: savez(tmp, **{k: getattr(prep, k) for k in _PREPARED}))


def load_prepared(path: Path) -> Prepared:
    with np.load(path) as z:
        return Prepared(**{k: z[k] for k in _PREPARED})


def gather_prepared(paths: list[Path], work: Path, sample_bits: int = 3) -> tuple[Prepared, Prepared]:
    """The run's sketch from its shards' sketches, in shard order, and its ``sampled_view``. The shingle
    hashes, the one large array (about 1.9 KB per article), are copied shard by shard into one file that
    the returned sketch reads by slices (`flows.store.FileValues`): only one shard's worth is ever in
    the process's memory, and the dedup step later holds only the rows it compares
    (`transforms.dedup.rows.HeldSets`). The sample (an eighth of them) is taken from each shard as it
    passes and held: the steps that need only the sample (history keys, the containment search) read
    nothing else."""
    if not paths:
        empty = concat_prepared([])
        return empty, empty
    work.mkdir(parents=True, exist_ok=True)
    small: list[Prepared] = []
    samples: list[Prepared] = []
    total = 0
    target = work / "hashes.u32"
    with target.open("wb") as fh:
        for p in paths:
            part = load_prepared(p)
            fh.write(np.ascontiguousarray(part.hashes, np.uint32).tobytes())
            total += part.hashes.size
            samples.append(sampled_view(part, sample_bits))
            small.append(Prepared(np.zeros(0, np.uint32), part.offsets, part.exact, part.n_words, part.keys))
    meta = concat_prepared(small)
    hashes = FileValues(target, total)
    return Prepared(hashes, meta.offsets, meta.exact, meta.n_words, meta.keys), concat_prepared(samples)
