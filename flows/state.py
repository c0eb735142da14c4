"""Run state under ``<out>/_state``: the single-writer lock and the manifest of processed inputs."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from flows.store import OutputLayout, write_parquet_atomic
from transforms.incremental import MANIFEST_SCHEMA, current_manifest, superseded

__all__ = [
    "OutputLocked",
    "drop_superseded",
    "file_facts",
    "load_manifest",
    "lock_holder",
    "output_lock",
    "path_of",
    "refresh_manifest",
    "rel_path",
    "sha256_file",
]

# Per-run tables keyed by source_path, which a later run of the same file supersedes.
PATH_KEYED_TABLES = ("articles", "rejected")


# In a stored path, "%" and every byte of a name that is not UTF-8 are percent-encoded (RFC 3986 style).
_ESCAPED = frozenset(b"%")


@functools.lru_cache(maxsize=4096)  # called for every record of a file: once per file is enough
def rel_path(root: Path, path: Path) -> str:
    """``source_path``: POSIX path relative to the raw root. A name that is valid UTF-8 is kept as is,
    except that ``%`` is written ``%25``; each byte of a name that is not UTF-8 is written ``%XX``. The
    form is text (Parquet strings must be UTF-8) and round-trips: ``path_of(root, rel_path(root, p)) == p``.
    """
    raw = os.fsencode(path.relative_to(root).as_posix())
    if b"%" not in raw:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    out: list[str] = []
    for piece in raw.decode("utf-8", "surrogateescape").split("%"):
        out.append("".join(f"%{ord(c) - 0xDC00:02X}" if "\udc80" <= c <= "\udcff" else c for c in piece))
    return "%25".join(out)


def path_of(root: Path, source_path: str) -> Path:
    """The file a ``source_path`` names under ``root``: the inverse of ``rel_path``."""
    from urllib.parse import unquote_to_bytes

    return root / os.fsdecode(unquote_to_bytes(source_path)) if "%" in source_path else root / source_path


class OutputLocked(RuntimeError):
    """Another run holds the output folder."""


def lock_holder(layout: OutputLayout) -> str | None:
    """Who holds the output folder's lock now (its holder line), or None when it is free: a look, for
    a command line that would not wait, before it starts a run (``output_lock`` decides for the run)."""
    path = layout.out / "_state" / "lock"
    if not path.is_file():
        return None
    with path.open("r") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return fh.read().strip() or "unknown"
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return None


@contextmanager
def output_lock(layout: OutputLayout, wait_seconds: float = 0.0, run_id: str = "") -> Iterator[None]:
    """One writer per output folder, whichever way the run was started. An OS lock (flock): released
    by the kernel when its process dies, even by kill -9, so a crash never leaves a stale lock."""
    layout.state.mkdir(parents=True, exist_ok=True)
    path = layout.state / "lock"
    fh = path.open("a+")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise OutputLocked(
                        f"another wirewash run is writing to {layout.out} (holder: {holder}); waited "
                        f"{wait_seconds:.0f} s. Try again when it has finished, or raise lock_wait_seconds."
                    ) from None
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "run_id": run_id,
                    "since": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        fh.flush()
        yield
    finally:
        fh.close()  # closing the descriptor releases the flock


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def file_facts(root: Path, files: list[Path], follow_links: bool = True) -> pl.DataFrame:
    """(source_path, size, mtime_ns) of each input file, from one stat each."""
    rows = []
    for f in files:
        try:
            st = f.stat(follow_symlinks=follow_links)
            rows.append((rel_path(root, f), st.st_size, st.st_mtime_ns))
        except OSError:
            rows.append((rel_path(root, f), -1, -1))  # read will reject it as unreadable
    return pl.DataFrame(
        rows, schema={"source_path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64}, orient="row"
    )


def load_manifest(layout: OutputLayout) -> pl.DataFrame:
    lf = layout.scan("_state/manifest")
    return lf.collect() if lf is not None else pl.DataFrame(schema=MANIFEST_SCHEMA)


def refresh_manifest(layout: OutputLayout, touched: pl.DataFrame) -> int:
    """Record the new size and mtime of files whose mtime changed but whose content did not (``touched``:
    source_path, size, mtime_ns), in the manifest part of the run that processed them, so the next run
    does not hash them again. That run keeps owning their rows, so nothing is superseded. Each part is
    rewritten atomically; a crash midway only means a file is hashed once more. Returns the files
    refreshed."""
    if touched.is_empty():
        return 0
    now = touched.select(
        "source_path", pl.col("size").alias("size_now"), pl.col("mtime_ns").alias("mtime_now")
    )
    owners = current_manifest(load_manifest(layout).lazy()).select("source_path", "run_id").collect()
    refreshed = 0
    for (run_id,), group in owners.join(now, on="source_path").group_by(["run_id"], maintain_order=True):
        part = layout.run_part("_state/manifest", run_id)
        if not part.exists():
            continue
        old = pl.read_parquet(part)
        new = (
            old.join(group.drop("run_id"), on="source_path", how="left")
            .with_columns(
                pl.coalesce("size_now", "size").alias("size"),
                pl.coalesce("mtime_now", "mtime_ns").alias("mtime_ns"),
            )
            .select(old.columns)
        )
        write_parquet_atomic(new, part)
        refreshed += group.height
    return refreshed


def drop_superseded(layout: OutputLayout, extra_tables: tuple[str, ...] = ()) -> int:
    """Drop rows that a later run superseded (a changed input file was processed again): rewrite each
    affected part without those paths, atomically, then its manifest part last. Idempotent and
    crash-safe: a crash midway leaves the manifest naming the stale rows, and the next run finishes."""
    stale = superseded(load_manifest(layout))
    dropped = 0
    for (run_id,), group in stale.group_by(["run_id"], maintain_order=True):
        paths = group["source_path"]
        for table in (*PATH_KEYED_TABLES, *extra_tables, "_state/manifest"):
            for part in layout.run_parts(table, run_id):  # a sharded run writes several parts
                df = pl.read_parquet(part)
                keep = df.filter(~pl.col("source_path").is_in(paths.to_list()))
                if keep.height != df.height:
                    dropped += df.height - keep.height if table != "_state/manifest" else 0
                    write_parquet_atomic(keep, part)
    return dropped
