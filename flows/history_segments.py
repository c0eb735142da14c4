"""The ``files`` history index: sorted key segments under ``<out>/_state/history/``.

Each registration (``add``) writes one segment, atomically:

    seg-<run_id>-<n>.keys.npy   uint64, the registered keys, ascending
    seg-<run_id>-<n>.rows.npy   uint32, for each key the row (in the segment's docs table) of its document
    seg-<run_id>-<n>.parquet    the documents' rows, plus run_id, source_path, ``_nc`` (containment keys
                                registered) and ``_live`` (false once a later run superseded it)

12 bytes a key, about 70 keys a canonical article (16 band keys, ~55 sampled shingles) and 16 a copy,
and a few dozen bytes of row: well under 1 KB a document. A look-up binary-searches every segment's
memory-mapped keys for the new documents' distinct keys (``np.searchsorted``: it touches a few pages a
key, not the index), applies ``transforms.dedup.history_policy``, and reads only the rows it returns.

Roll-back of a run that never committed deletes its segments. Supersession flips ``_live`` in the docs
tables (rows keep their place, so the key arrays stay valid). Once more than ``MAX_SEGMENTS`` committed
segments exist, they are merged into one at the start of a run (dropped rows go then), so a look-up
searches a bounded number of arrays however many runs wrote the index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

from flows.store import write_atomic, write_parquet_atomic
from transforms.dedup import history_policy as policy

__all__ = ["HistoryConfigMismatch", "SegmentKeyIndex", "migrate_sqlite"]


class HistoryConfigMismatch(ValueError):
    pass


MAX_SEGMENTS = 8
_SEG = re.compile(r"^seg-(.+)-(\d{5})\.parquet$")


def _save_npy(path: Path, arr: np.ndarray) -> Path:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.save(fh, arr)

    return write_atomic(path, write)


_BUCKET_BITS = 4  # keys are sorted in 16 buckets of their top bits, one bucket in memory at a time


def _save_sorted(keys_path: Path, rows_path: Path, keys: np.ndarray, counts: np.ndarray) -> None:
    """The keys ascending and their owners (document row, uint32) in the same order, as ``.npy``
    files: what one stable argsort of the keys gives, sorted a bucket of the top bits at a time (keys
    are hashes, so the buckets are even), without a whole-run argsort and sorted copies (2 GB at 1M
    documents; the owner array, 4 bytes a key, stays). Both files are written in the one pass."""
    owner = np.repeat(np.arange(counts.size, dtype=np.uint32), counts)  # 4 bytes a key
    top = (keys >> np.uint64(64 - _BUCKET_BITS)).astype(np.uint8)
    header = {"fortran_order": False, "shape": (int(keys.size),)}

    def write(keys_tmp: Path, rows_tmp: Path) -> None:
        with keys_tmp.open("wb") as kf, rows_tmp.open("wb") as rf:
            np.lib.format.write_array_header_1_0(kf, {**header, "descr": "<u8"})
            np.lib.format.write_array_header_1_0(rf, {**header, "descr": "<u4"})
            for bucket in range(1 << _BUCKET_BITS):
                at = np.flatnonzero(top == bucket)  # ascending: a stable sort keeps equal keys so
                part = keys[at]
                order = np.argsort(part, kind="stable")
                kf.write(np.ascontiguousarray(part[order], "<u8").tobytes())
                rf.write(np.ascontiguousarray(owner[at[order]], "<u4").tobytes())

    # the rows file is renamed into place first: a segment is complete only with its table, written last
    write_atomic(
        rows_path, lambda rows_tmp: write_atomic(keys_path, lambda keys_tmp: write(keys_tmp, rows_tmp))
    )


class _Segment:
    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.table = root / f"{name}.parquet"
        self.keys_path = root / f"{name}.keys.npy"
        self.rows_path = root / f"{name}.rows.npy"

    @property
    def run_id(self) -> str:
        m = _SEG.match(self.table.name)
        return m.group(1) if m else ""

    def files(self) -> list[Path]:
        return [self.keys_path, self.rows_path, self.table]

    def keys(self) -> np.ndarray:
        return np.load(self.keys_path, mmap_mode="r")

    def rows(self) -> np.ndarray:
        return np.load(self.rows_path, mmap_mode="r")


class SegmentKeyIndex:
    """See the module docstring. Same interface as ``flows.history.KeyIndex``."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root

    # ---------------------------------------------------------------- segments and config

    def _segments(self) -> list[_Segment]:
        """Complete segments (the docs table is written last), oldest first."""
        names = sorted(p.name[: -len(".parquet")] for p in self.root.glob("seg-*.parquet"))
        return [_Segment(self.root, n) for n in names]

    def _config(self) -> str | None:
        meta = self.root / "meta.json"
        return json.loads(meta.read_text())["dedup_config"] if meta.is_file() else None

    def ensure_config(self, fingerprint: str) -> None:

        stored = self._config()
        if stored is None:
            text = json.dumps({"dedup_config": fingerprint})
            write_atomic(self.root / "meta.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        elif stored != fingerprint:
            raise HistoryConfigMismatch(
                f"the history index was built with {stored}; this run asks for {fingerprint}. Keys from "
                f"different settings never match: keep the settings, or use a new out_dir."
            )

    def close(self) -> None:
        pass

    # ---------------------------------------------------------------- writes

    def add(self, keys: np.ndarray, counts: np.ndarray, rows: pl.DataFrame, run_id: str) -> None:
        keys = np.asarray(keys, np.uint64)
        counts = np.asarray(counts, np.int64)
        taken = [s for s in self._segments() if s.run_id == run_id]
        seg = _Segment(self.root, f"seg-{run_id}-{len(taken):05d}")
        _save_sorted(seg.keys_path, seg.rows_path, keys, counts)
        table = rows.with_columns(
            run_id=pl.lit(run_id, dtype=pl.String),
            _nc=pl.Series(policy.containment_counts(keys, counts), dtype=pl.Int32),
            _live=pl.lit(True),
        )
        write_parquet_atomic(table, seg.table)  # last: its presence completes the segment

    def rollback(self, committed: Iterable[str]) -> list[str]:
        committed = set(committed)
        dead = sorted(
            {s.run_id for s in self._segments() if s.run_id not in committed and s.run_id != "merged"}
        )
        for s in self._segments():
            if s.run_id in dead:
                for f in (s.table, s.keys_path, s.rows_path):  # the table first: the segment is gone
                    f.unlink(missing_ok=True)
        for f in self.root.glob("seg-*.npy"):  # arrays of a segment whose table was never written
            if not (self.root / (f.name.rsplit(".", 2)[0] + ".parquet")).exists():
                f.unlink(missing_ok=True)
        self._merge_if_needed(committed)
        return dead

    def drop_paths(self, stale: pl.DataFrame) -> int:
        dropped = 0
        pairs = stale.select("run_id", "source_path")
        for s in self._segments():
            table = pl.read_parquet(s.table)
            hit = table.select(
                pl.struct("run_id", "source_path").is_in(pairs.to_struct().implode()) & pl.col("_live")
            )
            n = int(hit.to_series().sum())
            if n:
                table = table.with_columns(_live=pl.col("_live") & ~hit.to_series())
                write_parquet_atomic(table, s.table)
                dropped += n
        return dropped

    def _merge_if_needed(self, committed: set[str]) -> None:
        """Merge every committed segment into one when there are too many (dropped rows go here)."""
        done = [s for s in self._segments() if s.run_id in committed or s.run_id == "merged"]
        if len(done) <= MAX_SEGMENTS:
            return
        tables, keys, rows, base = [], [], [], 0
        for s in done:
            t = pl.read_parquet(s.table).with_row_index("_old")
            live = t.get_column("_live").to_numpy()
            new_pos = np.cumsum(live) - 1 + base
            k, r = np.asarray(s.keys()), np.asarray(s.rows())
            keep = live[r]
            keys.append(k[keep])
            rows.append(new_pos[r[keep]].astype(np.uint32))
            tables.append(t.filter(pl.col("_live")).drop("_old"))
            base += int(live.sum())
        k, r = np.concatenate(keys), np.concatenate(rows)
        order = np.argsort(k, kind="stable")
        seq = len([s for s in done if s.run_id == "merged"])
        seg = _Segment(self.root, f"seg-merged-{seq:05d}")
        while seg.table.exists():
            seq += 1
            seg = _Segment(self.root, f"seg-merged-{seq:05d}")
        _save_npy(seg.keys_path, k[order])
        _save_npy(seg.rows_path, r[order])
        write_parquet_atomic(pl.concat(tables, how="diagonal_relaxed"), seg.table)
        for s in done:  # a crash before this ends leaves rows twice: fetch keeps one row per doc_id
            for f in s.files():
                f.unlink(missing_ok=True)

    # ---------------------------------------------------------------- look-up

    def fetch(self, keys: np.ndarray, counts: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        keys = np.asarray(keys, np.uint64)
        counts = np.asarray(counts, np.int64)
        segments = self._segments()
        cols = [c for c in schema if c != "run_id"]
        empty = pl.DataFrame(schema={**schema, "run_id": pl.String()})
        if not segments or not keys.size:
            return empty
        uniq, inverse = np.unique(keys, return_inverse=True)
        tables = [pl.read_parquet(s.table, columns=["_live", "_nc"]) for s in segments]
        spans = []
        for s in segments:
            k = s.keys()
            spans.append((np.searchsorted(k, uniq, "left"), np.searchsorted(k, uniq, "right")))
        total = sum(hi - lo for lo, hi in spans)
        dead = sum(int((~t.get_column("_live")).sum()) for t in tables)
        tagged = uniq >= np.uint64(policy.TAG)
        follow = ~tagged | (total <= policy.MAX_KEY_DOCS + dead)  # certainly common keys: never gathered
        hit_key, hit_seg, hit_row = [], [], []
        for i, (s, (lo, hi)) in enumerate(zip(segments, spans, strict=True)):
            n = np.where(follow, hi - lo, 0)
            if not n.sum():
                continue
            kidx = np.repeat(np.arange(uniq.size), n)
            pos = np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
            rows = np.asarray(s.rows()[pos], np.int64)
            live = tables[i].get_column("_live").to_numpy()[rows]
            hit_key.append(kidx[live])
            hit_seg.append(np.full(int(live.sum()), i, np.int64))
            hit_row.append(rows[live])
        if not hit_key:
            return empty
        hits = pl.DataFrame(
            {"k": np.concatenate(hit_key), "seg": np.concatenate(hit_seg), "row": np.concatenate(hit_row)}
        )
        docs_per_key = hits.group_by("k").agg(n_docs=pl.len())
        common = docs_per_key.filter(
            pl.col("n_docs") > policy.MAX_KEY_DOCS,
            pl.lit(pl.Series(tagged)).gather(pl.col("k")),
        ).select("k")
        hits = hits.join(common, on="k", how="anti")
        query = pl.DataFrame(
            {"q": np.repeat(np.arange(counts.size), counts), "k": inverse.reshape(-1).astype(np.int64)}
        ).unique()
        n_new = policy.containment_counts(keys, counts)
        nc = pl.concat(
            [
                t.select(seg=pl.lit(i, pl.Int64), row=pl.int_range(t.height, dtype=pl.Int64), n_old="_nc")
                for i, t in enumerate(tables)
            ]
        )
        pairs = (
            query.join(hits, on="k")
            .with_columns(tag=pl.lit(pl.Series(tagged)).gather(pl.col("k")))
            .group_by("q", "seg", "row")
            .agg(band=(~pl.col("tag")).sum(), cont=pl.col("tag").sum())
            .join(nc, on=["seg", "row"])
        )
        ok = policy.candidate_mask(
            pairs.get_column("band").to_numpy(),
            pairs.get_column("cont").to_numpy(),
            n_new[pairs.get_column("q").to_numpy()],
            pairs.get_column("n_old").to_numpy(),
        )
        wanted = pairs.filter(pl.Series(ok)).select("seg", "row").unique().sort("seg", "row")
        out = []
        for (i,), g in wanted.group_by(["seg"], maintain_order=True):
            table = pl.read_parquet(segments[i].table, columns=[*cols, "run_id"])
            out.append(table[g.get_column("row").to_numpy()])
        if not out:
            return empty
        found = pl.concat(out, how="diagonal_relaxed")
        # a merge interrupted before it removed its inputs leaves rows twice: keep one per document
        return found.unique(["doc_id", "run_id"], keep="first", maintain_order=True).select(*cols, "run_id")


def migrate_sqlite(db_path: Path, index: SegmentKeyIndex, committed: Iterable[str]) -> int:
    """Carry an index written by an earlier wirewash (``_state/history.sqlite``: keys and a row blob per
    document, shingles included) over into one merged segment, once: committed documents only, their
    articles in part 0 of their run (earlier runs wrote one part). The SQLite file is kept, renamed
    ``history.sqlite.migrated``. Returns the documents carried over."""
    import sqlite3

    from transforms.rowcodec import decode_rows

    if not db_path.is_file() or index._segments():
        return 0
    db = sqlite3.connect(db_path)
    try:
        meta = db.execute("SELECT value FROM meta WHERE name = 'dedup_config'").fetchone()
        done = set(committed)  # the runs table marks commits lazily: the summaries are the truth
        docs = [
            d
            for d in db.execute("SELECT doc, run_id, source_path, nc, row FROM docs ORDER BY doc").fetchall()
            if d[1] in done
        ]
        from transforms.dedup import HISTORY_SCHEMA

        schema = {**HISTORY_SCHEMA, "source_path": pl.String()}  # what those rows hold
        keep = ["doc_id", "cluster_id", "is_canonical", "canonical_id", "published", "clean_chars"]
        rows = decode_rows([d[4] for d in docs], schema) if docs else pl.DataFrame(schema=schema)
        rows = rows.select(keep)
        ids = np.array([d[0] for d in docs], np.int64)
        pairs = np.array(
            db.execute("SELECT key, doc FROM keys ORDER BY key").fetchall() or [(0, -1)], np.int64
        )
    finally:
        db.close()
    pos = np.searchsorted(ids, pairs[:, 1])
    ok = (
        (pos < ids.size) & (ids[np.minimum(pos, max(ids.size - 1, 0))] == pairs[:, 1])
        if ids.size
        else pos < 0
    )
    keys = pairs[ok, 0].view(np.uint64)
    order = np.argsort(keys, kind="stable")
    seg = _Segment(index.root, "seg-merged-00000")
    _save_npy(seg.keys_path, keys[order])
    _save_npy(seg.rows_path, pos[ok][order].astype(np.uint32))
    table = rows.with_columns(
        source_path=pl.Series([d[2] for d in docs], dtype=pl.String),
        part=pl.lit(0, pl.Int32),
        run_id=pl.Series([d[1] for d in docs], dtype=pl.String),
        _nc=pl.Series([d[3] for d in docs], dtype=pl.Int32),
        _live=pl.lit(True),
    )
    write_parquet_atomic(table, seg.table)
    if meta and index._config() is None:
        index.ensure_config(meta[0])
    db_path.rename(db_path.with_name(db_path.name + ".migrated"))
    return table.height
