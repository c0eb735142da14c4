"""The dedup history index: earlier documents that share a lookup key (LSH band key, containment key)
with this run's documents, and their index rows, found in time that follows the new documents, not the
history.

- ``files`` (default): sorted key segments under ``<out>/_state/history/`` (embedded, no server): per
  registration a sorted array of keys and the row number of the document holding each (12 bytes a key,
  memory-mapped and binary-searched), and the documents' rows as Parquet. Segments of committed runs
  are merged once there are more than ``MAX_SEGMENTS``, so a look-up searches a bounded number of them.
- ``redis``: datasketch's Redis storage (a set per key, a list per document row), for several machines
  sharing one index.

Entries remember the run that added them: the next run removes those of a run that died before commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl

from flows.history_segments import HistoryConfigMismatch, SegmentKeyIndex, migrate_sqlite
from transforms.dedup import history_policy as policy
from transforms.rowcodec import decode_rows, encode_rows

__all__ = [
    "HistoryConfigMismatch",
    "KeyIndex",
    "SqliteKeyIndex",
    "RedisKeyIndex",
    "key_index",
    "open_key_index",
]

_CHUNK = 900  # SQLite's default limit of host parameters per statement is 999
TAG = policy.TAG  # containment keys carry the top bit (transforms.lsh.KEY_TAG); band keys never do
candidate_rule = policy.candidate_rule
_containment_counts = policy.containment_counts


def _signed(keys: np.ndarray) -> list[int]:
    """uint64 keys as SQLite's signed 64-bit INTEGER (a bijection)."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).tolist()


class KeyIndex:
    """A persistent map from lookup keys to documents' index rows."""

    def add(self, keys: np.ndarray, counts: np.ndarray, rows: pl.DataFrame, run_id: str) -> None:
        """Register ``rows`` (one per document, with ``doc_id`` and ``source_path``): ``keys`` holds all
        documents' uint64 keys back to back, ``counts[i]`` of them for row i."""
        raise NotImplementedError

    def fetch(self, keys: np.ndarray, counts: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """Rows (each once, plus ``run_id``) of the earlier documents that may copy, or be copied by, one
        of the new documents whose keys are ``keys`` (``counts[i]`` of them for document i): a shared band
        key, or enough shared containment keys (see ``candidate_rule``)."""
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


class SqliteKeyIndex(KeyIndex):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS docs (doc INTEGER PRIMARY KEY, doc_id TEXT NOT NULL,
                                             run_id TEXT NOT NULL, source_path TEXT, nc INTEGER NOT NULL,
                                             row BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS keys (key INTEGER NOT NULL, doc INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS keys_key ON keys(key);
            CREATE INDEX IF NOT EXISTS keys_doc ON keys(doc);
            CREATE INDEX IF NOT EXISTS docs_run ON docs(run_id, source_path);
            CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, committed INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS key_df (key INTEGER PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
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
                "INSERT INTO docs(doc, doc_id, run_id, source_path, nc, row) VALUES (?, ?, ?, ?, ?, ?)",
                zip(
                    range(start, start + n),
                    rows.get_column("doc_id").to_list(),
                    [run_id] * n,
                    rows.get_column("source_path").to_list(),
                    _containment_counts(keys, counts).tolist(),
                    blobs,
                    strict=True,
                ),
            )
            doc_col = np.repeat(np.arange(start, start + n, dtype=np.int64), counts)
            signed = _signed(keys)
            cur.executemany(
                "INSERT INTO keys(key, doc) VALUES (?, ?)", zip(signed, doc_col.tolist(), strict=True)
            )
            cur.executemany(
                "INSERT INTO key_df(key, n) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1",
                ((k,) for k in signed),
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _docs_for(self, keys: np.ndarray, counts: np.ndarray) -> list[int]:
        """``candidate_rule`` in SQL, per (new document, earlier document) pair; containment keys in more
        than ``MAX_KEY_DOCS`` documents are skipped before the join, so no common phrase is followed."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key INTEGER NOT NULL, q INTEGER NOT NULL)")
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS qsize (q INTEGER PRIMARY KEY, nc INTEGER NOT NULL)")
        self.db.execute("DELETE FROM wanted")
        self.db.execute("DELETE FROM qsize")
        owner = np.repeat(np.arange(len(counts)), counts).tolist()
        self.db.executemany(
            "INSERT INTO wanted(key, q) VALUES (?, ?)", zip(_signed(keys), owner, strict=True)
        )
        self.db.executemany(
            "INSERT INTO qsize(q, nc) VALUES (?, ?)", enumerate(_containment_counts(keys, counts).tolist())
        )
        found = self.db.execute(
            """
            SELECT DISTINCT h.doc FROM (
                SELECT w.q, k.doc, SUM(w.key >= 0) AS b, SUM(w.key < 0) AS c
                FROM wanted w
                JOIN key_df f ON f.key = w.key AND (w.key >= 0 OR f.n <= ?)
                JOIN keys k ON k.key = w.key
                GROUP BY w.q, k.doc
            ) h
            JOIN docs d ON d.doc = h.doc
            JOIN qsize s ON s.q = h.q
            WHERE h.b > 0 OR h.c >= MAX(?, ? * MIN(s.nc, d.nc))
            ORDER BY h.doc
            """,
            (policy.MAX_KEY_DOCS, policy.MIN_CONTAINMENT_HITS, policy.HIT_SHARE),
        ).fetchall()
        return [d for (d,) in found]

    def fetch(self, keys: np.ndarray, counts: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        docs = self._docs_for(keys, counts)
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
                self._delete_docs(cur, "doc = ?", (d,))
            dropped += len(docs)
        cur.execute("COMMIT")
        return dropped

    @staticmethod
    def _delete_docs(cur: sqlite3.Cursor, where: str, args: tuple) -> None:
        """Delete documents and their keys, keeping the keys' document counts right."""
        docs = f"SELECT doc FROM docs WHERE {where}"
        cur.execute(
            "UPDATE key_df SET n = n - (SELECT COUNT(*) FROM keys k WHERE k.key = key_df.key "
            f"AND k.doc IN ({docs})) WHERE key IN (SELECT key FROM keys WHERE doc IN ({docs}))",
            args + args,
        )
        cur.execute(f"DELETE FROM keys WHERE doc IN ({docs})", args)
        cur.execute(f"DELETE FROM docs WHERE {where}", args)

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
                self._delete_docs(cur, "run_id = ?", (r,))
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
        self.sizes = unordered_storage(
            config, name=f"{prefix}_sizes_".encode()
        )  # member -> {containment keys}

    def add(self, keys: np.ndarray, counts: np.ndarray, rows: pl.DataFrame, run_id: str) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        n_contained = _containment_counts(keys, counts).tolist()
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
            self.sizes.insert(member, str(n_contained[i]), buffer=True)
            for k in doc_keys:
                self.journal.insert(f"keys {member}", _kbytes(k), buffer=True)
                self.keys.insert(_kbytes(k), member, buffer=True)
        for store in (self.journal, self.rows, self.sizes, self.keys):
            store._buffer.execute()

    def fetch(self, keys: np.ndarray, counts: np.ndarray, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        keys = np.asarray(keys, dtype=np.uint64)
        uniq = np.unique(keys).tolist()
        members: dict[int, list[str]] = {}
        for i in range(0, len(uniq), 1000):
            chunk = uniq[i : i + 1000]
            for key, found in zip(chunk, self.keys.getmany(*map(_kbytes, chunk)), strict=True):
                if key < TAG or len(found) <= policy.MAX_KEY_DOCS:  # common containment keys are not followed
                    members[key] = sorted(map(_text, found))
        n_new = _containment_counts(keys, counts)
        hits: dict[tuple[int, str], list[int]] = {}
        for q, key in zip(np.repeat(np.arange(len(counts)), counts).tolist(), keys.tolist(), strict=True):
            for m in members.get(key, ()):
                pair = hits.setdefault((q, m), [0, 0])
                pair[key >= TAG] += 1
        maybe = sorted({m for (_, m), (b, c) in hits.items() if b or c >= policy.MIN_CONTAINMENT_HITS})
        n_old = {
            m: int(_text(next(iter(found))))
            for m, found in zip(maybe, self.sizes.getmany(*maybe), strict=True)
            if found
        }
        ordered = sorted(
            {
                m
                for (q, m), (b, c) in hits.items()
                if m in n_old and candidate_rule(b, c, int(n_new[q]), n_old[m])
            }
        )
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
        self.sizes.remove(member)

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
        try:
            import redis  # noqa: F401  (an extra: pip install "wirewash[redis]")
        except ImportError as exc:
            raise RuntimeError(
                "history_backend=redis needs the redis package, an optional extra: "
                'pip install "wirewash[redis]" (or pip install "redis>=5,<9")'
            ) from exc
        return RedisKeyIndex(redis_url)
    index = SegmentKeyIndex(state_dir / "history")
    runs = state_dir.parent / "runs"  # committed runs of the output folder (see flows.store)
    committed = [p.stem for p in runs.glob("*.json")] if runs.is_dir() else []
    migrate_sqlite(state_dir / "history.sqlite", index, committed)  # an index written by an earlier wirewash
    return index


@contextmanager
def key_index(backend: str, state_dir: Path, redis_url: str, fingerprint: str) -> Iterator[KeyIndex]:
    """The history index of an output folder, checked against the run's dedup settings, closed after."""
    index = open_key_index(backend, state_dir, redis_url)
    try:
        index.ensure_config(fingerprint)
        yield index
    finally:
        index.close()
