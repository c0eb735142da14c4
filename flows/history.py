"""The dedup history index: which earlier documents share an LSH band key with new ones.

Documents' index rows (signatures, shingle hashes, cluster ids: whatever transforms.dedup persists) are
kept as Parquet parts per run under ``<out>/_state/history/``; this module keeps the *key index*
(band key -> doc_id, run_id) that finds the few earlier documents a new one could copy, so a run costs
in proportion to its new documents, not to the history:

- ``files`` (default): SQLite in ``<out>/_state/history.sqlite``, one B-tree lookup per key; embedded,
  no server.
- ``redis``: datasketch's Redis set storage, for several machines sharing one index.

Both record which run added each entry, so entries of a run that died before commit are removed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["KeyIndex", "SqliteKeyIndex", "RedisKeyIndex", "open_key_index"]

_CHUNK = 900  # SQLite's default limit of host parameters per statement is 999


def _signed(keys: np.ndarray) -> np.ndarray:
    """uint64 band keys as SQLite's signed 64-bit INTEGER (a bijection)."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64)


class KeyIndex:
    """Interface of a band-key index."""

    def lookup(self, keys: np.ndarray) -> pl.DataFrame:  # -> (doc_id, run_id), distinct
        raise NotImplementedError

    def add(self, keys: np.ndarray, counts: np.ndarray, doc_ids: list[str], run_id: str) -> None:
        """``keys``: all documents' uint64 keys back to back, ``counts[i]`` of them for ``doc_ids[i]``."""
        raise NotImplementedError

    def rollback(self, committed: Iterable[str]) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SqliteKeyIndex(KeyIndex):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS docs (doc INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, run_id TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS keys (key INTEGER NOT NULL, doc INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS keys_key ON keys(key);
            CREATE INDEX IF NOT EXISTS docs_run ON docs(run_id);
            CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, committed INTEGER NOT NULL DEFAULT 0);
            """
        )

    def lookup(self, keys: np.ndarray) -> pl.DataFrame:
        uniq = np.unique(_signed(keys)).tolist()
        found: set[tuple[str, str]] = set()
        for i in range(0, len(uniq), _CHUNK):
            chunk = uniq[i:i + _CHUNK]
            found.update(self.db.execute(
                f"SELECT DISTINCT d.doc_id, d.run_id FROM keys k JOIN docs d ON d.doc = k.doc "
                f"WHERE k.key IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        return pl.DataFrame(sorted(found), schema={"doc_id": pl.String, "run_id": pl.String}, orient="row")

    def add(self, keys: np.ndarray, counts: np.ndarray, doc_ids: list[str], run_id: str) -> None:
        keys = _signed(keys)
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("INSERT OR IGNORE INTO runs(run_id) VALUES (?)", (run_id,))
            start = cur.execute("SELECT COALESCE(MAX(doc), 0) + 1 FROM docs").fetchone()[0]
            ids = range(start, start + len(doc_ids))
            cur.executemany("INSERT INTO docs(doc, doc_id, run_id) VALUES (?, ?, ?)",
                            zip(ids, doc_ids, [run_id] * len(doc_ids), strict=True))
            doc_col = np.repeat(np.arange(start, start + len(doc_ids), dtype=np.int64), counts)
            cur.executemany("INSERT INTO keys(key, doc) VALUES (?, ?)",
                            zip(keys.tolist(), doc_col.tolist(), strict=True))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def rollback(self, committed: Iterable[str]) -> list[str]:
        """Remove entries of runs that never committed; mark the committed ones. Returns removed runs."""
        committed = set(committed)
        pending = [r for (r,) in self.db.execute("SELECT run_id FROM runs WHERE committed = 0")]
        dead = [r for r in pending if r not in committed]
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        for r in pending:
            if r in committed:
                cur.execute("UPDATE runs SET committed = 1 WHERE run_id = ?", (r,))
            else:
                cur.execute("DELETE FROM keys WHERE doc IN (SELECT doc FROM docs WHERE run_id = ?)", (r,))
                cur.execute("DELETE FROM docs WHERE run_id = ?", (r,))
                cur.execute("DELETE FROM runs WHERE run_id = ?", (r,))
        cur.execute("COMMIT")
        return dead

    def close(self) -> None:
        self.db.close()


class RedisKeyIndex(KeyIndex):
    """Band key -> "doc_id run_id" members in datasketch's Redis set storage, shared by many machines."""

    def __init__(self, url: str, prefix: str = "wirewash") -> None:
        from urllib.parse import urlsplit

        from datasketch.storage import unordered_storage

        parts = urlsplit(url)
        config = {"type": "redis", "redis": {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
                                             "db": int((parts.path or "/0").strip("/") or 0)}}
        self.keys = unordered_storage(config, name=f"{prefix}_keys".encode())
        self.runs = unordered_storage(config, name=f"{prefix}_runs".encode())  # run_id -> its keys

    def lookup(self, keys: np.ndarray) -> pl.DataFrame:
        uniq = [_kbytes(k) for k in np.unique(np.asarray(keys, dtype=np.uint64)).tolist()]
        found: set[tuple[str, str]] = set()
        for i in range(0, len(uniq), 1000):
            for members in self.keys.getmany(*uniq[i:i + 1000]):
                for m in members:
                    doc_id, run_id = _text(m).split(" ")
                    found.add((doc_id, run_id))
        return pl.DataFrame(sorted(found), schema={"doc_id": pl.String, "run_id": pl.String}, orient="row")

    def add(self, keys: np.ndarray, counts: np.ndarray, doc_ids: list[str], run_id: str) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        journal = f"pending {run_id}"
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for i, doc_id in enumerate(doc_ids):
            member = f"{doc_id} {run_id}"
            for k in keys[bounds[i]:bounds[i + 1]].tolist():
                self.runs.insert(journal, f"{k} {member}", buffer=True)  # journal first: rollback can undo
                self.keys.insert(_kbytes(k), member, buffer=True)
        self.runs._buffer.execute()
        self.keys._buffer.execute()

    def rollback(self, committed: Iterable[str]) -> list[str]:
        committed = set(committed)
        dead = []
        for name in map(_text, list(self.runs.keys())):
            if not name.startswith("pending "):
                continue
            run_id = name.split(" ", 1)[1]
            if run_id not in committed:
                dead.append(run_id)
                for entry in map(_text, self.runs.get(name)):
                    key, member = entry.split(" ", 1)
                    self.keys.remove_val(_kbytes(int(key)), member)
            self.runs.remove(name)
        return sorted(dead)


def _kbytes(key: int) -> bytes:
    return int(key).to_bytes(8, "big")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def open_key_index(backend: str, state_dir: Path, redis_url: str) -> KeyIndex:
    if backend == "redis":
        return RedisKeyIndex(redis_url)
    return SqliteKeyIndex(state_dir / "history.sqlite")
