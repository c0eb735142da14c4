"""The history key index, on both backends: SQLite (embedded) and Redis (a real redis-server)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.history import RedisKeyIndex, SqliteKeyIndex
from flows.history_segments import SegmentKeyIndex
from transforms.rowcodec import decode_rows, encode_rows

SCHEMA = {
    "doc_id": pl.String(),
    "published": pl.Datetime("us", "UTC"),
    "clean_chars": pl.Int64(),
    "is_canonical": pl.Boolean(),
    "band_keys": pl.List(pl.UInt64()),
    "shingles": pl.List(pl.UInt32()),
    "source_path": pl.String(),
}


def rows(ids: list[str], path: str = "a.jsonl") -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame(
        {
            "doc_id": ids,
            "published": [dt.datetime(2026, 3, 3, 7, 45, tzinfo=dt.UTC)] * n,
            "clean_chars": list(range(n)),
            "is_canonical": [True] * n,
            "band_keys": [[2**62 - 1 - i, i] for i in range(n)],  # band keys: top bit clear
            "shingles": [list(range(i + 1)) for i in range(n)],
            "source_path": [path] * n,
        },
        schema=SCHEMA,
    )


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=20)),
            st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
            st.lists(st.integers(0, 2**62 - 1), max_size=5),
            st.lists(st.integers(0, 2**32 - 1), max_size=50),
        ),
        max_size=20,
    )
)
@settings(max_examples=60, deadline=None)
def test_rowcodec_round_trip(data):
    schema = {"s": pl.String(), "i": pl.Int64(), "k": pl.List(pl.UInt64()), "h": pl.List(pl.UInt32())}
    df = pl.DataFrame(data, schema=schema, orient="row")
    assert decode_rows(encode_rows(df), schema).equals(df)


def test_rowcodec_keeps_datetimes_and_rejects_unsupported_lists():
    df = rows(["x", "y"])
    assert decode_rows(encode_rows(df), SCHEMA).equals(df)
    with pytest.raises(TypeError, match="not supported"):
        encode_rows(pl.DataFrame({"l": [["a"]]}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run installs it)")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


_prefixes = iter(range(10_000))


@pytest.fixture(params=["segments", "sqlite", "redis"])
def index(request, tmp_path):
    if request.param == "segments":
        idx = SegmentKeyIndex(tmp_path / "history")
    elif request.param == "sqlite":
        idx = SqliteKeyIndex(tmp_path / "h.sqlite")
    else:
        idx = RedisKeyIndex(request.getfixturevalue("redis_url"), prefix=f"t{next(_prefixes)}")
    yield idx
    idx.close()


def _keys(df: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    col = df.get_column("band_keys")
    return col.explode().to_numpy(), col.list.len().to_numpy()


def test_add_fetch_only_what_shares_a_key(index):
    first = rows(["a", "b", "c"])
    index.add(*_keys(first), first, "r1")
    got = index.fetch(np.array([2**62 - 1, 2], dtype=np.uint64), np.array([2]), SCHEMA).sort("doc_id")
    assert got["doc_id"].to_list() == ["a", "c"]
    assert got["run_id"].to_list() == ["r1", "r1"]
    assert got.drop("run_id").equals(first.filter(pl.col("doc_id").is_in(["a", "c"])))
    assert index.fetch(np.array([12345], dtype=np.uint64), np.array([1]), SCHEMA).height == 0


TAG = 1 << 63  # containment keys (sampled shingles) carry the top bit


def test_containment_keys_need_two_hits_and_skip_boilerplate(index, monkeypatch):
    import transforms.dedup.history_policy as policy

    monkeypatch.setattr(policy, "MAX_KEY_DOCS", 3)
    docs = rows(["a", "b", "c", "d", "e"])
    common = TAG | 99  # in every document: boilerplate
    keys = np.array([TAG | 1, TAG | 2, common, TAG | 3, common, TAG | 1, common, common, common], np.uint64)
    index.add(keys, np.array([3, 2, 2, 1, 1]), docs, "r1")  # a: 1,2,common  b: 3,common  c: 1,common ...

    def found(keys):  # one new document with these keys
        return index.fetch(np.array(keys, np.uint64), np.array([len(keys)]), SCHEMA)["doc_id"].to_list()

    assert found([TAG | 1, TAG | 2]) == ["a"]  # two containment keys in common: a candidate
    assert found([TAG | 1]) == []  # one is chance
    assert found([TAG | 3, common]) == []  # the common key does not count
    assert found([TAG | 1, common]) == []
    # half of the smaller document's sampled shingles are needed: 2 of a's 3 but not 2 of 8
    assert found([TAG | 1, TAG | 2, *[TAG | (100 + i) for i in range(6)]]) == ["a"]  # a has 3 keys: 2 >= 1.5
    many = index.fetch(np.array([TAG | 1, TAG | 2], np.uint64), np.array([2]), SCHEMA)
    assert many["doc_id"].to_list() == ["a"]


def test_candidate_rule():
    from flows.history import candidate_rule

    assert candidate_rule(1, 0, 50, 50)  # a shared band key is enough
    assert not candidate_rule(0, 1, 50, 50)
    assert not candidate_rule(0, 10, 50, 60)  # 10 of 50 sampled shingles: unrelated stories
    assert candidate_rule(0, 25, 50, 60)  # half of the smaller one: an excerpt or a write-through
    assert candidate_rule(0, 4, 6, 60)  # a short excerpt inside a long story
    assert candidate_rule(0, 2, 2, 60) and not candidate_rule(0, 1, 2, 60)


def test_rollback_forgets_uncommitted_runs_only(index):
    index.add(*_keys(rows(["a"])), rows(["a"]), "r1")
    index.add(*_keys(rows(["z"])), rows(["z"], "z.jsonl"), "r2")
    assert index.rollback(committed=["r1"]) == ["r2"]
    assert index.fetch(np.array([0, 2**62 - 1], dtype=np.uint64), np.array([2]), SCHEMA)[
        "doc_id"
    ].to_list() == ["a"]
    assert index.rollback(committed=["r1"]) == []  # idempotent


def test_drop_paths_supersedes(index):
    index.add(*_keys(rows(["a"])), rows(["a"], "x.jsonl"), "r1")
    index.add(*_keys(rows(["b"])), rows(["b"], "y.jsonl"), "r1")
    index.rollback(committed=["r1"])
    index.drop_paths(pl.DataFrame({"run_id": ["r1"], "source_path": ["x.jsonl"]}))
    got = index.fetch(np.array([0, 2**62 - 1], dtype=np.uint64), np.array([2]), SCHEMA)
    assert got["doc_id"].to_list() == ["b"]


def test_index_refuses_keys_from_other_settings(index):
    from flows.history import HistoryConfigMismatch

    index.ensure_config("shingle_size=5 num_perm=128")
    index.ensure_config("shingle_size=5 num_perm=128")  # same settings: fine
    with pytest.raises(HistoryConfigMismatch, match="num_perm=64"):
        index.ensure_config("shingle_size=5 num_perm=64")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_backends_return_exactly_what_the_pure_rule_returns(index, seed):
    """Every backend against transforms.dedup.history_policy.candidates_reference, on documents sharing band
    keys, a few or many containment keys, and a key common to more than MAX_KEY_DOCS documents."""
    from transforms.dedup.history_policy import MAX_KEY_DOCS, candidates_reference

    rng = np.random.default_rng(seed)
    n = MAX_KEY_DOCS + 30
    band = rng.integers(0, 40, (n, 2)).astype(np.uint64)  # few distinct band keys: collisions
    cont = [
        TAG | rng.choice(60, size=int(rng.integers(0, 8)), replace=False).astype(np.uint64) for _ in range(n)
    ]
    common = np.uint64(TAG | 999)
    cont = [np.append(c, common) if i <= MAX_KEY_DOCS else c for i, c in enumerate(cont)]  # > MAX docs
    keys = np.concatenate([np.concatenate([b, c]) for b, c in zip(band, cont, strict=True)]).astype(np.uint64)
    counts = np.array([2 + c.size for c in cont])
    docs = rows([f"d{i:03d}" for i in range(n)]).with_columns(
        band_keys=pl.Series([b.tolist() for b in band], dtype=pl.List(pl.UInt64))
    )
    index.add(keys, counts, docs, "r1")
    index.rollback(committed=["r1"])
    history = docs.with_columns(
        containment_keys=pl.Series([c.tolist() for c in cont], dtype=pl.List(pl.UInt64))
    )
    for _ in range(5):
        q = [
            np.concatenate(
                [
                    rng.integers(0, 400, 2).astype(np.uint64),
                    TAG | rng.choice(60, int(rng.integers(0, 9)), replace=False).astype(np.uint64),
                    [common],
                ]
            ).astype(np.uint64)
            for _ in range(3)
        ]
        qk = np.concatenate(q)
        qc = np.array([x.size for x in q])
        want = sorted(candidates_reference(history, qk, qc)["doc_id"].to_list())
        got = sorted(index.fetch(qk, qc, SCHEMA)["doc_id"].to_list())
        assert got == want


def test_an_earlier_sqlite_index_is_carried_over_once(tmp_path):
    """An output folder written by an earlier wirewash keeps its history: the committed documents of
    _state/history.sqlite become one segment, the SQLite file is kept renamed."""
    from flows.history import open_key_index
    from transforms.dedup import HISTORY_SCHEMA

    state = tmp_path / "_state"
    state.mkdir()
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "r1.json").write_text("{}")  # r1 committed, r2 died
    schema = {**HISTORY_SCHEMA, "source_path": pl.String()}
    old = SqliteKeyIndex(state / "history.sqlite")
    old.ensure_config("shingle_size=5")
    for run_id, doc, key in (("r1", "a", 7), ("r2", "z", 7)):
        row = pl.DataFrame(
            {
                "doc_id": [doc],
                "cluster_id": [doc],
                "is_canonical": [True],
                "canonical_id": [doc],
                "published": [None],
                "clean_chars": [10],
                "exact_hash": [1],
                "band_keys": [[key]],
                "containment_keys": [[]],
                "shingles": [[1, 2, 3]],
                "source_path": [f"{doc}.jsonl"],
            },
            schema=schema,
        )
        old.add(np.array([key], np.uint64), np.array([1]), row, run_id)
    old.close()
    index = open_key_index("files", state, "")
    got = index.fetch(
        np.array([7], np.uint64), np.array([1]), {"doc_id": pl.String(), "clean_chars": pl.Int64()}
    )
    assert got["doc_id"].to_list() == ["a"] and got["run_id"].to_list() == ["r1"]
    assert (state / "history.sqlite.migrated").is_file() and not (state / "history.sqlite").exists()
    index.ensure_config("shingle_size=5")  # the settings came along
    with pytest.raises(Exception, match="shingle_size=4"):
        index.ensure_config("shingle_size=4")


def test_segment_keys_sorted_by_bucket_equal_one_stable_argsort(tmp_path) -> None:
    """A segment's keys and owners are written a bucket of the top bits at a time: the same files as
    one stable argsort (ties by document, documents without keys skipped)."""
    import numpy as np

    from flows.history_segments import _save_sorted

    rng = np.random.default_rng(4)
    counts = rng.integers(0, 9, 500).astype(np.int64)
    counts[[3, 4, 400]] = 0
    keys = rng.integers(0, 2**64, int(counts.sum()), dtype=np.uint64)
    keys[rng.integers(0, keys.size, 300)] = keys[0]  # repeated keys: their owners stay in order
    keys[:40] = np.uint64(2**64 - 1)  # the top bucket, repeated
    _save_sorted(tmp_path / "k.npy", tmp_path / "r.npy", keys, counts)
    order = np.argsort(keys, kind="stable")
    owner = np.repeat(np.arange(counts.size, dtype=np.uint32), counts)
    got_keys, got_rows = np.load(tmp_path / "k.npy"), np.load(tmp_path / "r.npy")
    assert got_keys.dtype == np.uint64 and got_rows.dtype == np.uint32
    assert np.array_equal(got_keys, keys[order])
    assert np.array_equal(got_rows, owner[order])


def test_containment_counts_in_chunks_equal_the_whole() -> None:
    import numpy as np

    from transforms.dedup.history_policy import TAG, containment_counts

    rng = np.random.default_rng(5)
    counts = rng.integers(0, 30, 300_000).astype(np.int64)  # more than one chunk of documents
    keys = rng.integers(0, 2**64, int(counts.sum()), dtype=np.uint64)
    owner = np.repeat(np.arange(counts.size), counts)
    expected = np.bincount(owner, weights=keys >= np.uint64(TAG), minlength=counts.size)
    assert containment_counts(keys, counts).tolist() == expected.astype(np.int64).tolist()
