"""Shard planning (line ranges of large JSONL files, batches of small ones) and the pure helpers of the
sharded run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from flows.readers import read_file
from flows.shards import plan_shards
from transforms.dedup import DedupConfig, prepare
from transforms.shards import concat_prepared


def _jsonl(path: Path, n: int, width: int = 50) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"text": f"record {i} " + "x" * (width + i % 7)}) for i in range(n)]
    lines[3] = "   "  # a blank line inside: line numbers must still count it
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("target", [1, 64, 200, 1000, 10**9])
def test_line_ranges_read_the_same_records_as_the_whole_file(raw_root, target):
    path = _jsonl(raw_root / "feed" / "big.jsonl", 40)
    whole, whole_rej = read_file(raw_root, path)
    shards = plan_shards([path], target)
    spans = [s.span for s in shards if s.span]
    if target < path.stat().st_size:
        assert len(shards) > 1 and all(s.files == (str(path),) for s in shards)
        assert spans[0][0] == 0 and spans[-1][1] == path.stat().st_size
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # contiguous
    rows, rejects = [], []
    for s in shards:
        r, j = read_file(raw_root, path, span=s.span)
        rows += r
        rejects += j
    assert [(r["doc_id"], r["source_line"], r["raw_text"]) for r in rows] == [
        (r["doc_id"], r["source_line"], r["raw_text"]) for r in whole
    ]
    assert rejects == whole_rej
    assert [r["source_line"] for r in rows][:4] == [1, 2, 3, 5]


def test_small_files_are_batched_by_bytes_and_count(raw_root):
    files = []
    for i in range(10):
        f = raw_root / "o" / f"{i}.txt"
        f.parent.mkdir(exist_ok=True)
        f.write_text("y" * 100)
        files.append(f)
    shards = plan_shards(files, target_bytes=350, max_files=100)
    assert [len(s.files) for s in shards] == [3, 3, 3, 1]
    assert [s.index for s in shards] == [0, 1, 2, 3]
    assert [len(s.files) for s in plan_shards(files, target_bytes=10**9, max_files=4)] == [4, 4, 2]
    assert sum((list(s.files) for s in shards), []) == [str(f) for f in files]


def test_a_large_file_between_small_ones_keeps_path_order(raw_root):
    small = raw_root / "a" / "1.txt"
    small.parent.mkdir()
    small.write_text("z" * 10)
    big = _jsonl(raw_root / "b" / "big.jsonl", 30)
    last = raw_root / "c" / "2.txt"
    last.parent.mkdir()
    last.write_text("z" * 10)
    shards = plan_shards([small, big, last], target_bytes=300)
    assert shards[0].files == (str(small),) and shards[-1].files == (str(last),)
    assert all(s.files == (str(big),) and s.span for s in shards[1:-1])
    assert [s.index for s in shards] == list(range(len(shards)))


def test_concatenated_sketches_equal_one_sketch_of_all_texts():
    texts = pl.Series([f"word{i} " * (5 + i % 11) + f"tail {i} shared words here" for i in range(30)])
    config = DedupConfig(workers=1)
    whole = prepare(texts, config)
    parts = concat_prepared([prepare(texts.slice(lo, 7), config) for lo in range(0, 30, 7)])
    for name in ("hashes", "offsets", "exact", "n_words", "keys"):
        assert np.array_equal(getattr(whole, name), getattr(parts, name)), name
    empty = concat_prepared([])
    assert empty.n_docs == 0 and empty.keys.shape == (0, 16)


def test_gathered_sketch_and_its_sample_equal_the_whole_runs(tmp_path: Path) -> None:
    """gather_prepared over staged shard sketches: the same arrays as one prepare over all texts, the
    full sets in a file read by slices, and the sampled view taken shard by shard."""
    from bench.corpus_gen import generate
    from flows.shards import gather_prepared, save_prepared
    from transforms.dedup import sampled_view

    texts = generate(300, seed=5).get_column("text")
    config = DedupConfig(workers=1)
    paths = [
        save_prepared(prepare(texts.slice(lo, 100), config), tmp_path / f"s{lo}.npz") for lo in (0, 100, 200)
    ]
    full, sampled = gather_prepared(paths, tmp_path / "work", config.sample_bits)
    whole = prepare(texts, config)
    assert (tmp_path / "work" / "hashes.u32").stat().st_size == 4 * whole.hashes.size
    assert np.array_equal(full.hashes[:], whole.hashes)  # one slice: the whole file
    with pytest.raises(TypeError, match="read by slices"):
        np.asarray(full.hashes)  # never silently a whole-run array
    for name in ("offsets", "exact", "n_words", "keys"):
        assert np.array_equal(getattr(full, name), getattr(whole, name)), name
    expected = sampled_view(whole, config.sample_bits)
    assert np.array_equal(sampled.hashes, expected.hashes) and np.array_equal(
        sampled.offsets, expected.offsets
    )
    assert 0 < sampled.hashes.size < whole.hashes.size / 4  # an eighth of the shingles, about
    assert (sampled.hashes < 2 ** (32 - config.sample_bits)).all()


def test_assignments_are_written_one_file_per_shard_with_only_its_rows(tmp_path: Path) -> None:
    """Each shard's write task reads only its own assignments: every shard gets a file (an empty one
    for a shard without articles), and each file holds exactly the rows of its shard's doc_ids."""
    from flows.dedup_stage import DedupOutputs, _write_assignments

    rows = pl.DataFrame({"doc_id": ["a", "b", "c", "d"], "cluster_id": ["a", "a", "c", "a"]})
    parts = pl.DataFrame(
        {"doc_id": ["a", "b", "c", "d", "e"], "part": [0, 2, 0, 2, 1]}, schema_overrides={"part": pl.Int32}
    )
    out = DedupOutputs(tmp_path)
    _write_assignments(rows, parts, [0, 1, 2], out)
    got = {i: pl.read_parquet(out.assignments_of(i)) for i in range(3)}
    assert got[0].sort("doc_id").to_dicts() == [
        {"doc_id": "a", "cluster_id": "a"},
        {"doc_id": "c", "cluster_id": "c"},
    ]
    assert got[1].height == 0 and got[1].columns == ["doc_id", "cluster_id"]
    assert sorted(got[2]["doc_id"]) == ["b", "d"]
    assert sorted(p.name for p in out.assignments.iterdir()) == [f"part-0000{i}.parquet" for i in range(3)]
