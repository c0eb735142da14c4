"""The run's global dedup step, from what the shards staged: small per-document state (``docs``) and the
shards' sketches, looked up against the history index, clustered once over the whole run.

The step holds the run's per-document state (about 150 bytes an article) and a sample of its shingle
hashes; the full hashes are one file written shard by shard (``flows.shards.gather_prepared``), read
only for the documents compared exactly. It never holds an article's text. It does hold the run's
short texts (too short to be articles: a sentence or two each), sketches them and keeps those that
are copies of a kept story (``transforms.dedup.attach_short``, after the clustering: they never
change it). It writes the dedup assignments (``doc_id`` + ``DEDUP_COLUMNS``, short copies
included) as one file per shard, so that each shard's write task reads only its own rows (one file
for the run made every write task scan the whole run's rows: work growing as documents x shards), the
roundup links and what the history index needs (long documents only: a short copy
is never registered), and returns a small summary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from flows.history import key_index
from flows.memory import returns_memory
from flows.shards import DOC_SCHEMA, gather_prepared
from flows.store import savez, write_atomic, write_parquet_atomic
from transforms.dedup import (
    DEDUP_COLUMNS,
    HISTORY_SCHEMA,
    DedupConfig,
    Prepared,
    attach_short,
    dedup_frame,
    frequent_samples,
    lookup_keys,
    prepare,
    slice_prepared,
)
from transforms.shards import history_rows

__all__ = ["HISTORY_DOC_SCHEMA", "DedupOutputs", "run_dedup"]

# What the history index keeps per document (no shingles: they are recomputed from the article's clean
# text, found through run_id + part, when the document is a candidate).
HISTORY_DOC_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "cluster_id": pl.String(),
    "is_canonical": pl.Boolean(),
    "canonical_id": pl.String(),
    "published": pl.Datetime("us", "UTC"),
    "clean_chars": pl.Int64(),
    "source_path": pl.String(),
    "part": pl.Int32(),
}


_KEY_DOCS = 1 << 17  # documents whose history keys are built and looked up at once


class DedupOutputs:
    """Where the dedup step writes, under the run's staging folder."""

    def __init__(self, staging: Path) -> None:
        self.root = staging / "dedup"
        self.assignments = self.root / "assignments"  # part-NNNNN.parquet: one shard's rows each
        self.roundups = staging / "parts" / "roundups" / "part-00000.parquet"
        self.index_rows = self.root / "index_rows.parquet"
        self.keys = self.root / "keys.u64"  # the run's history keys back to back (publish registers them)
        self.counts = self.root / "key_counts.npz"  # how many each document has

    def assignments_of(self, part: int) -> Path:
        """Shard ``part``'s rows of the assignments: its articles' and its short copies'."""
        return self.assignments / f"part-{part:05d}.parquet"


def _part_of(path: Path) -> int:
    """The shard index of a staged shard file (``shard-NNNNN.<ext>``)."""
    return int(path.stem.split("-")[1])


def _history_rows(
    found: pl.DataFrame, exclude_paths: pl.Series, articles: Path, config: DedupConfig
) -> pl.DataFrame:
    """`HISTORY_SCHEMA` rows of the earlier documents the index returned (``found``), their sketch
    recomputed from their clean text in the articles parts (read per part: only the candidates' rows)."""
    # a file processed again supersedes its earlier rows: never match a document against its old self
    found = found.filter(~pl.col("source_path").is_in(exclude_paths.implode()))
    texts = []
    for (run_id, part), group in found.group_by(["run_id", "part"], maintain_order=True):
        path = articles / f"run-{run_id}" / f"part-{int(part):05d}.parquet"
        if path.is_file():
            texts.append(
                pl.scan_parquet(path)
                .select("doc_id", "text")
                .filter(pl.col("doc_id").is_in(group.get_column("doc_id").implode()))
                .collect()
                .with_columns(run_id=pl.lit(run_id))
            )
    if not texts:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    # a part gone (deleted by hand) leaves its documents out: they cannot be verified
    docs = found.join(pl.concat(texts), on=["doc_id", "run_id"]).sort("run_id", "part", "doc_id")
    return history_rows(docs, prepare(docs.get_column("text"), config), config)


def _look_up_run(index, sampled: Prepared, config: DedupConfig, out: DedupOutputs) -> pl.DataFrame:
    """The earlier documents the history index returns for the run's documents, looked up
    `_KEY_DOCS` documents at a time (the keys of 1M documents take 600 MB; the boilerplate samples
    left out are the whole run's, so the keys are those of one call over the run). The keys are
    written to ``out.keys`` and ``out.counts`` as they pass, for publish to register."""
    frequent = frequent_samples(sampled.hashes, config.max_sample_df)
    found, counts = [], []

    def write_keys(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            for lo in range(0, sampled.n_docs, _KEY_DOCS):
                part = slice_prepared(sampled, lo, min(sampled.n_docs, lo + _KEY_DOCS))
                keys, n_keys = lookup_keys(part, config, frequent)
                fh.write(keys.tobytes())
                counts.append(n_keys)
                found.append(index.fetch(keys, n_keys, HISTORY_DOC_SCHEMA))

    write_atomic(out.keys, write_keys)
    write_atomic(out.counts, lambda tmp: savez(tmp, counts=np.concatenate(counts or [np.zeros(0, np.int64)])))
    rows = (
        pl.concat(found)
        if found
        else index.fetch(np.zeros(0, np.uint64), np.zeros(0, np.int64), HISTORY_DOC_SCHEMA)
    )
    # a document found through two slices' documents is returned by both
    return rows.unique(["doc_id", "run_id"], keep="first", maintain_order=True)


def _staged_texts(parts: np.ndarray, clean_paths: list[Path]) -> Callable[[np.ndarray], pl.Series]:
    """Positions of the run's documents -> their clean texts, read from the shards' staged articles
    (document ``i`` is row ``i - first[part]`` of its shard's file): one shard's text column at a time,
    and only for the shards the asked documents are in."""
    first = np.searchsorted(parts, np.arange(len(clean_paths)), side="left")

    def gather(positions: np.ndarray) -> pl.Series:
        positions = np.asarray(positions, np.int64)
        out = np.empty(positions.size, dtype=object)
        shard_of = parts[positions]
        for shard in np.unique(shard_of):
            mask = shard_of == shard
            texts = pl.read_parquet(clean_paths[int(shard)], columns=["text"]).get_column("text")
            out[mask] = texts.gather(positions[mask] - first[shard]).to_list()
        return pl.Series("text", out.tolist(), dtype=pl.String)

    return gather


def _short_texts(short_paths: list[Path], config: DedupConfig) -> tuple[pl.DataFrame, Prepared]:
    """The run's short texts (doc_id, source_path, text), in shard order, and their sketch."""
    cols = {"doc_id": pl.String(), "source_path": pl.String(), "text": pl.String()}
    short = pl.concat(
        [
            pl.read_parquet(p, columns=list(cols)).with_columns(part=pl.lit(_part_of(p), pl.Int32))
            for p in short_paths
            if p.is_file()
        ]
        or [pl.DataFrame(schema={**cols, "part": pl.Int32()})]
    )
    return short, prepare(short.get_column("text").cast(pl.String), config)


def _write_assignments(rows: pl.DataFrame, parts: pl.DataFrame, shards: list[int], out: DedupOutputs) -> None:
    """The assignments, one file per shard (every shard gets one, empty or not: its write task reads it
    strictly). ``parts`` maps each doc_id of the run (articles and short texts) to its shard."""
    by_part = rows.join(parts, on="doc_id", how="left").partition_by("part", as_dict=True, include_key=False)
    empty = rows.clear()
    for part in shards:
        write_parquet_atomic(by_part.get((part,), empty), out.assignments_of(part))


@returns_memory
def run_dedup(
    docs_paths: list[Path],
    sketch_paths: list[Path],
    clean_paths: list[Path],
    config: DedupConfig,
    history: tuple[str, Path, str, str],
    out: DedupOutputs,
    articles: Path,
    short_paths: list[Path] = (),
) -> dict[str, int]:
    """``history`` = (backend, state dir, redis url, settings fingerprint) of the history index;
    ``articles`` the output's articles folder (earlier runs' texts, for verifying history candidates);
    ``short_paths`` the shards' short texts (``flows.shards.ShardPaths.short``)."""
    docs = pl.concat(
        [pl.read_parquet(p).with_columns(part=pl.lit(_part_of(p), pl.Int32)) for p in docs_paths]
        or [pl.DataFrame(schema={**DOC_SCHEMA, "part": pl.Int32()})],
        how="diagonal_relaxed",
    )
    prepared, sampled = gather_prepared(sketch_paths, out.root, config.sample_bits)
    if prepared.n_docs != docs.height:
        raise RuntimeError(f"staged sketches hold {prepared.n_docs} documents, staged docs {docs.height}")
    short, short_prepared = _short_texts(list(short_paths), config)
    run_paths = pl.concat([docs.get_column("source_path"), short.get_column("source_path")]).unique()
    with key_index(*history) as index:
        hist = _history_rows(_look_up_run(index, sampled, config, out), run_paths, articles, config)
        short_hist = (
            _history_rows(
                index.fetch(*lookup_keys(short_prepared, config), HISTORY_DOC_SCHEMA),
                run_paths,
                articles,
                config,
            )
            if short.height
            else hist.clear()
        )
    texts = _staged_texts(docs.get_column("part").to_numpy(), clean_paths)
    result = dedup_frame(
        docs.drop("part"),
        config,
        hist,
        prepared=prepared,
        texts=texts,
        sampled=sampled,
        index_sketch=False,  # the keys are in out.keys already; the rows' other columns suffice
    )
    del sampled
    assigned = result.articles.select("doc_id", *DEDUP_COLUMNS)
    copies = attach_short(
        assigned,
        prepared,
        short.select("doc_id", "text"),
        short_prepared,
        pl.concat([hist, short_hist]).unique("doc_id", keep="first", maintain_order=True),
        config,
    )
    del prepared
    paths = docs.select("doc_id", "source_path", "part")
    _write_assignments(
        pl.concat([assigned, copies]),
        pl.concat([paths.select("doc_id", "part"), short.select("doc_id", "part")]),
        [_part_of(p) for p in docs_paths],
        out,
    )
    roundups = result.roundup_links.join(paths.drop("part"), on="doc_id", how="left")
    if roundups.height:
        write_parquet_atomic(roundups, out.roundups)
    # the list columns (shingles above all: the size of the run's sketch) never leave this step
    index_rows = result.index_rows.select(
        [c for c in HISTORY_DOC_SCHEMA if c in result.index_rows.columns]
    ).join(paths, on="doc_id", how="left")
    write_parquet_atomic(index_rows.select(list(HISTORY_DOC_SCHEMA)).cast(HISTORY_DOC_SCHEMA), out.index_rows)
    new_ids = docs.get_column("doc_id")
    return {
        "history_candidates": hist.height,
        "new_clusters": result.clusters.filter(pl.col("canonical_id").is_in(new_ids.implode())).height,
        "roundups": roundups.height,
        "short_copies": copies.height,
    }
