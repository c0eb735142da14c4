"""Output folder layout and atomic, all-or-nothing publication of a run's tables.

    <out>/articles/run-<run_id>/part-NNNNN.parquet   one row per kept article (duplicates flagged);
                                                     a run writes one part per shard
    <out>/rejected/run-<run_id>/part-NNNNN.parquet   one row per rejected record, with reason
    <out>/<table>/run-<run_id>/part-NNNNN.parquet    other per-run tables (roundup links, ...)
    <out>/clusters/clusters.parquet                  rebuilt from all runs' articles after each run
    <out>/runs/<run_id>.json                         run summary; its presence commits the run
    <out>/_state/                                    manifest, history index, lock (not a table)

A run's files are written under ``_staging/<run_id>/`` first (complete files, fsynced), moved into
place with ``os.replace`` and committed by writing the summary last. A run that died before its
summary was written is rolled back by the next run (``recover``), so no file of a half-done run stays
visible for long and none is ever half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

__all__ = ["FileValues", "OutputLayout", "savez", "write_atomic", "write_parquet_atomic", "write_json_atomic"]

PART = "part-00000.parquet"
PART_GLOB = "part-*.parquet"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp_name(path: Path) -> Path:
    # Not ending in .parquet/.json, so no reader glob ever picks up a file being written.
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """``write`` a temporary file in the same folder, fsync it, rename it over ``path``, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        write(tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path


def write_parquet_atomic(df: pl.DataFrame, path: Path, row_group_size: int | None = None) -> Path:
    """zstd Parquet, atomically: readers see the old file or the new one, never a part."""
    return write_atomic(
        path,
        lambda tmp: df.write_parquet(tmp, compression="zstd", statistics=True, row_group_size=row_group_size),
    )


def savez(path: Path, **arrays: Any) -> None:
    """numpy arrays into an uncompressed .npz (for ``write_atomic``: the file is closed when it returns)."""
    import numpy as np

    with path.open("wb") as fh:
        np.savez(fh, **arrays)


def write_json_atomic(obj: Any, path: Path) -> Path:
    text = json.dumps(obj, indent=2, default=str, ensure_ascii=False)
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


class OutputLayout:
    """Paths under one output folder; nothing is ever written outside it."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.out):
            raise ValueError(f"refusing to write outside the output folder: {path}")
        return path

    @property
    def state(self) -> Path:
        return self._inside(self.out / "_state")

    def table_glob(self, table: str) -> str:
        return str(self.out / table / "**" / "*.parquet")

    def run_part(self, table: str, run_id: str, part: int = 0) -> Path:
        return self._inside(self.out / table / f"run-{run_id}" / f"part-{part:05d}.parquet")

    def run_parts(self, table: str, run_id: str) -> list[Path]:
        """Every part a run wrote of ``table`` (one per shard for articles and rejects)."""
        return sorted((self.out / table / f"run-{run_id}").glob(PART_GLOB))

    def summary_path(self, run_id: str) -> Path:
        return self._inside(self.out / "runs" / f"{run_id}.json")

    def clusters_path(self) -> Path:
        return self._inside(self.out / "clusters" / "clusters.parquet")

    def committed_runs(self) -> list[str]:
        runs = self.out / "runs"
        return sorted(p.stem for p in runs.glob("*.json")) if runs.is_dir() else []

    def has_table(self, table: str) -> bool:
        return any((self.out / table).glob(f"run-*/{PART_GLOB}"))

    def scan(self, table: str) -> pl.LazyFrame | None:
        return pl.scan_parquet(self.table_glob(table)) if self.has_table(table) else None

    def staging(self, run_id: str) -> Path:
        """The run's scratch folder: shards' staged files and output parts before they move into place."""
        return self._inside(self.out / "_staging" / run_id)

    def publish(
        self,
        run_id: str,
        tables: dict[str, pl.DataFrame],
        summary: dict[str, Any],
        parts: dict[str, list[Path]] | None = None,
    ) -> dict[str, Path]:
        """Stage every table of the run (``tables`` as frames; ``parts``: part files staged already,
        e.g. one per shard), move them into place, then commit with the summary. Returns each table's
        run folder."""
        staging = self.staging(run_id)
        moves: dict[str, list[Path]] = {k: list(v) for k, v in (parts or {}).items()}
        for name, df in tables.items():
            moves.setdefault(name, []).append(
                write_parquet_atomic(
                    df, staging / "parts" / name / f"part-{len(moves.get(name, [])):05d}.parquet"
                )
            )
        paths: dict[str, Path] = {}
        for name, files in moves.items():
            for tmp in files:
                final = self._inside(self.out / name / f"run-{run_id}" / tmp.name)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                paths[name] = final.parent
            if name in paths:
                _fsync_dir(paths[name])
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # the parent too, when no other run is staging
            staging.parent.rmdir()
        paths["summary"] = write_json_atomic(summary, self.summary_path(run_id))
        return paths

    def _table_dirs(self) -> list[Path]:
        """Folders holding per-run parts: every top-level table and every table under _state/."""
        if not self.out.is_dir():
            return []
        tops = [
            d
            for d in self.out.iterdir()
            if d.is_dir() and not d.name.startswith((".", "_")) and d.name != "runs"
        ]
        state = self.out / "_state"
        return tops + ([d for d in state.iterdir() if d.is_dir()] if state.is_dir() else [])

    def recover(self) -> list[str]:
        """Roll back runs that died before commit: staging leftovers, and table parts of runs without a
        summary. Returns the run ids removed."""
        removed: set[str] = set()
        staging = self.out / "_staging"
        if staging.is_dir():
            for d in staging.iterdir():
                removed.add(d.name)
                shutil.rmtree(d, ignore_errors=True)
        committed = set(self.committed_runs())
        for table_dir in self._table_dirs():
            for run_dir in table_dir.glob("run-*"):
                run_id = run_dir.name[len("run-") :]
                if run_id not in committed:
                    removed.add(run_id)
                    shutil.rmtree(run_dir, ignore_errors=True)
            for tmp in table_dir.rglob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        return sorted(removed)


class FileValues:
    """A flat file of uint32 values read by slices (``values[lo:hi]``, one positioned read each): the
    run's shingle hashes as the global dedup step reads them (`transforms.dedup.rows`). Unlike a memory
    map, what it reads is copied out and the file's pages are never mapped into the process, so the
    process holds only the rows it keeps (a map of the whole file became resident: 1.9 GB at 1M)."""

    def __init__(self, path: Path, size: int) -> None:
        self.path, self.size = Path(path), int(size)

    def __len__(self) -> int:
        return self.size

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError(f"{self.path.name} is read by slices, not as one array")

    def __getitem__(self, item: slice) -> np.ndarray:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("FileValues supports contiguous slices only")
        lo, hi, _ = item.indices(self.size)
        out = np.empty(max(0, hi - lo), np.uint32)
        view, done = memoryview(out).cast("B"), 0
        with self.path.open("rb", buffering=0) as fh:
            fh.seek(lo * 4)
            while done < view.nbytes:
                got = fh.readinto(view[done:])
                if not got:
                    raise EOFError(f"{self.path} ends at value {lo + done // 4}, expected {hi}")
                done += got
        return out
