"""The dedup history index: earlier documents that share a lookup key (LSH band key, containment key)
with this run's documents, and their index rows, found in time that follows the new documents, not the
history.

- ``files`` (default): SQLite in ``<out>/_state/history.sqlite`` (embedded, no server): a B-tree on the
  keys, and each document's index row as a blob (``transforms.rowcodec``), so a look-up reads exactly the
  rows it needs.
- ``redis``: datasketch's Redis storage (a set per key, a list per document row), for several machines
  sharing one index.

Entries remember the run that added them: the next run removes those of a run that died before commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

from transforms.rowcodec import decode_rows, encode_rows

__all__ = ["HistoryConfigMismatch", "KeyIndex", "SqliteKeyIndex", "RedisKeyIndex", "open_key_index"]

_CHUNK = 900  # SQLite's default limit of host parameters per statement is 999


def _signed(keys: np.ndarray) -> list[int]:
    """uint64 keys as SQLite's signed 64-bit INTEGER (a bijection)."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).tolist()


class KeyIndex:
    """A persistent map from lookup keys to documents' index rows."""

    def add(self, keys: np.ndarray, counts: np.ndarray, rows: pl.DataFrame, run_id: str) -> None:
        """Register ``rows`` (one per document, with ``doc_id`` and ``source_path``): ``keys`` holds all
        documents' uint64 keys back to back, ``counts[i]`` of them for row i."""
        raise NotImplementedError

    def fetch(self, keys: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """Rows of the documents sharing at least one key with ``keys`` (each once), plus ``run_id``."""
        raise NotImplementedError

    def drop_paths(self, stale: pl.DataFrame) -> int:
        """Forget documents that a later run superseded: ``stale`` has (run_id, source_path)."""
        raise NotImplementedError

    def rollback(self, committed: Iterable[str]) -> list[str]:
        """Remove entries of runs that never committed; returns those run ids."""
        raise NotImplementedError

    def ensure_config(self, fingerprint: str) -> None:
        """Keys from other shingle/MinHash settings never match: refuse to mix them in one index."""
        stored = self._config()
        if stored is None:
            self._set_config(fingerprint)
        elif stored != fingerprint:
            raise HistoryConfigMismatch(
                f"the history index was built with {stored}; this run asks for {fingerprint}. Keys from "
                f"different settings never match: keep the settings, or use a new out_dir."
            )

    def _config(self) -> str | None:
        raise NotImplementedError

    def _set_config(self, fingerprint: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class HistoryConfigMismatch(ValueError):
    pass


class SqliteKeyIndex(KeyIndex):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS docs (doc INTEGER PRIMARY KEY, doc_id TEXT NOT NULL,
                                             run_id TEXT NOT NULL, source_path TEXT, row BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS keys (key INTEGER NOT NULL, doc INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS keys_key ON keys(key);
            CREATE INDEX IF NOT EXISTS keys_doc ON keys(doc);
            CREATE INDEX IF NOT EXISTS docs_run ON docs(run_id, source_path);
            CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, committed INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            """
        )

    def _config(self) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = 'dedup_config'").fetchone()
        return row[0] if row else None

    def _set_config(self, fingerprint: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('dedup_config', ?)", (fingerprint,))

    def add(self, keys: np.ndarray, counts: np.ndarray, rows: pl.DataFrame, run_id: str) -> None:
        blobs = encode_rows(rows)
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("INSERT OR IGNORE INTO runs(run_id) VALUES (?)", (run_id,))
            start = cur.execute("SELECT COALESCE(MAX(doc), 0) + 1 FROM docs").fetchone()[0]
            n = rows.height
            cur.executemany(
                "INSERT INTO docs(doc, doc_id, run_id, source_path, row) VALUES (?, ?, ?, ?, ?)",
                zip(
                    range(start, start + n),
                    rows.get_column("doc_id").to_list(),
                    [run_id] * n,
                    rows.get_column("source_path").to_list(),
                    blobs,
                    strict=True,
                ),
            )
            doc_col = np.repeat(np.arange(start, start + n, dtype=np.int64), counts)
            cur.executemany(
                "INSERT INTO keys(key, doc) VALUES (?, ?)", zip(_signed(keys), doc_col.tolist(), strict=True)
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _docs_for(self, keys: np.ndarray) -> list[int]:
        uniq = sorted(set(_signed(keys)))
        docs: set[int] = set()
        for i in range(0, len(uniq), _CHUNK):
            chunk = uniq[i : i + _CHUNK]
            docs.update(
                d
                for (d,) in self.db.execute(
                    f"SELECT DISTINCT doc FROM keys WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        return sorted(docs)

    def fetch(self, keys: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        docs = self._docs_for(keys)
        found: list[tuple[str, bytes]] = []
        for i in range(0, len(docs), _CHUNK):
            chunk = docs[i : i + _CHUNK]
            found += self.db.execute(
                f"SELECT run_id, row FROM docs WHERE doc IN ({','.join('?' * len(chunk))}) ORDER BY doc",
                chunk,
            ).fetchall()
        rows = decode_rows([b for _, b in found], schema)
        return rows.with_columns(pl.Series("run_id", [r for r, _ in found], dtype=pl.String))

    def drop_paths(self, stale: pl.DataFrame) -> int:
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        dropped = 0
        for run_id, path in stale.select("run_id", "source_path").iter_rows():
            docs = [
                d
                for (d,) in cur.execute(
                    "SELECT doc FROM docs WHERE run_id = ? AND source_path = ?", (run_id, path)
                )
            ]
            for d in docs:
                cur.execute("DELETE FROM keys WHERE doc = ?", (d,))
                cur.execute("DELETE FROM docs WHERE doc = ?", (d,))
            dropped += len(docs)
        cur.execute("COMMIT")
        return dropped

    def rollback(self, committed: Iterable[str]) -> list[str]:
        committed = set(committed)
        pending = [r for (r,) in self.db.execute("SELECT run_id FROM runs WHERE committed = 0")]
        dead = sorted(r for r in pending if r not in committed)
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
    """datasketch's Redis storage: key -> set of "doc_id run_id"; "doc_id run_id" -> [row blob];
    "pending <run_id>" -> the run's entries until its commit is seen (for roll-back)."""

    def __init__(self, url: str, prefix: str = "wirewash") -> None:
        from urllib.parse import urlsplit

        from datasketch.storage import ordered_storage, unordered_storage

        parts = urlsplit(url)
        config = {
            "type": "redis",
            "redis": {
                "host": parts.hostname or "127.0.0.1",
                "port": parts.port or 6379,
                "db": int((parts.path or "/0").strip("/") or 0),
            },
        }
        self.keys = unordered_storage(config, name=f"{prefix}_keys_".encode())
        self.rows = ordered_storage(config, name=f"{prefix}_rows_".encode())
        self.journal = unordered_storage(config, name=f"{prefix}_runs_".encode())

    def add(self, keys: np.ndarray, counts: np.ndarray, rows: pl.DataFrame, run_id: str) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        pending = f"pending {run_id}"
        for i, (doc_id, path, blob) in enumerate(
            zip(
                rows.get_column("doc_id").to_list(),
                rows.get_column("source_path").to_list(),
                encode_rows(rows),
                strict=True,
            )
        ):
            member = f"{doc_id} {run_id}"
            doc_keys = keys[bounds[i] : bounds[i + 1]].tolist()
            # journal first, so a roll-back can undo whatever part of this reached the store
            self.journal.insert(pending, f"{member} {path}", buffer=True)
            self.rows.insert(member, blob, buffer=True)
            for k in doc_keys:
                self.journal.insert(f"keys {member}", _kbytes(k), buffer=True)
                self.keys.insert(_kbytes(k), member, buffer=True)
        for store in (self.journal, self.rows, self.keys):
            store._buffer.execute()

    def fetch(self, keys: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        uniq = [_kbytes(k) for k in np.unique(np.asarray(keys, dtype=np.uint64)).tolist()]
        members: set[str] = set()
        for i in range(0, len(uniq), 1000):
            for found in self.keys.getmany(*uniq[i : i + 1000]):
                members.update(map(_text, found))
        ordered = sorted(members)
        blobs = [self.rows.get(m)[-1] for m in ordered]
        frame = decode_rows(blobs, schema)
        return frame.with_columns(pl.Series("run_id", [m.split(" ")[1] for m in ordered], dtype=pl.String))

    def _config(self) -> str | None:
        found = self.journal.get("config")
        return _text(next(iter(found))) if found else None

    def _set_config(self, fingerprint: str) -> None:
        self.journal.insert("config", fingerprint)

    def _forget(self, member: str) -> None:
        for k in self.journal.get(f"keys {member}"):
            self.keys.remove_val(k, member)
        self.journal.remove(f"keys {member}")
        self.rows.remove(member)

    def drop_paths(self, stale: pl.DataFrame) -> int:
        dropped = 0
        wanted = {(r, p) for r, p in stale.select("run_id", "source_path").iter_rows()}
        for run_id in {r for r, _ in wanted}:
            for entry in map(_text, self.journal.get(f"done {run_id}")):
                doc_id, _, path = entry.split(" ", 2)
                if (run_id, path) in wanted:
                    self._forget(f"{doc_id} {run_id}")
                    self.journal.remove_val(f"done {run_id}", entry)
                    dropped += 1
        return dropped

    def rollback(self, committed: Iterable[str]) -> list[str]:
        committed = set(committed)
        dead = []
        for name in map(_text, list(self.journal.keys())):
            if not name.startswith("pending "):
                continue
            run_id = name.split(" ", 1)[1]
            entries = list(map(_text, self.journal.get(name)))
            if run_id in committed:  # keep a per-run list of (doc, path) for supersession
                if entries:
                    self.journal.insert(f"done {run_id}", *entries)
            else:
                dead.append(run_id)
                for entry in entries:
                    doc_id, run, _ = entry.split(" ", 2)
                    self._forget(f"{doc_id} {run}")
            self.journal.remove(name)
        return sorted(dead)


def _kbytes(key: int) -> bytes:
    return int(key).to_bytes(8, "big")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def open_key_index(backend: str, state_dir: Path, redis_url: str) -> KeyIndex:
    if backend == "redis":
        return RedisKeyIndex(redis_url)
    return SqliteKeyIndex(state_dir / "history.sqlite")
