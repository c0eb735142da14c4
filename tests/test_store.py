"""Atomic writes, staged publication, roll-back of unfinished runs, the single-writer lock."""

from __future__ import annotations

import multiprocessing as mp
import os
import time

import polars as pl
import pytest

from flows.state import OutputLocked, output_lock
from flows.store import OutputLayout, write_parquet_atomic


def test_atomic_write_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "t" / "part-00000.parquet"
    write_parquet_atomic(pl.DataFrame({"a": [1, 2]}), target)

    def boom(self, path, **kw):
        path.write_bytes(b"PAR1 half written")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", boom)
    with pytest.raises(OSError, match="disk full"):
        write_parquet_atomic(pl.DataFrame({"a": [3]}), target)
    monkeypatch.undo()
    assert pl.read_parquet(target)["a"].to_list() == [1, 2]  # the old file, whole
    assert [p.name for p in target.parent.iterdir()] == ["part-00000.parquet"]  # no temp left


def test_publish_then_glob_reads_one_dataset(tmp_path):
    layout = OutputLayout(tmp_path / "out")
    layout.publish("r1", {"articles": pl.DataFrame({"a": [1]})}, {"run_id": "r1"})
    layout.publish("r2", {"articles": pl.DataFrame({"a": [2]})}, {"run_id": "r2"})
    got = pl.scan_parquet(str(tmp_path / "out" / "articles" / "**" / "*.parquet")).collect()
    assert sorted(got["a"].to_list()) == [1, 2]
    assert layout.committed_runs() == ["r1", "r2"]


def test_recover_removes_uncommitted_run(tmp_path):
    layout = OutputLayout(tmp_path / "out")
    layout.publish("r1", {"articles": pl.DataFrame({"a": [1]})}, {"run_id": "r1"})
    # a run killed after moving its parts but before its summary:
    write_parquet_atomic(pl.DataFrame({"a": [9]}), layout.run_part("articles", "r2"))
    write_parquet_atomic(pl.DataFrame({"a": [9]}), layout.run_part("_state/manifest", "r2"))
    write_parquet_atomic(pl.DataFrame({"a": [9]}), layout.out / "_staging" / "r3" / "articles" / "x.parquet")
    (layout.out / "articles" / "run-r1" / ".part-00000.parquet.ab12.tmp").write_bytes(b"junk")
    assert layout.recover() == ["r2", "r3"]
    assert pl.read_parquet(layout.table_glob("articles"))["a"].to_list() == [1]
    assert not (layout.out / "_state" / "manifest" / "run-r2").exists()
    assert not list((layout.out / "articles").rglob("*.tmp"))


def test_never_writes_outside_output(tmp_path):
    layout = OutputLayout(tmp_path / "out")
    with pytest.raises(ValueError, match="outside"):
        layout.run_part("../../etc", "r1")
    with pytest.raises(ValueError, match="outside"):
        layout.summary_path("../../x")


def _hold(out, seconds, started):
    with output_lock(OutputLayout(out), 0, "holder"):
        started.set()
        time.sleep(seconds)


def test_lock_refuses_second_writer_and_is_released_on_kill(tmp_path):
    ctx = mp.get_context("spawn")
    started = ctx.Event()
    proc = ctx.Process(target=_hold, args=(tmp_path / "out", 60, started))
    proc.start()
    try:
        assert started.wait(30)
        with (
            pytest.raises(OutputLocked, match="another wirewash run"),
            output_lock(OutputLayout(tmp_path / "out"), wait_seconds=1),
        ):
            pass
    finally:
        proc.kill()  # like kill -9: the kernel drops the flock
        proc.join()
    with output_lock(OutputLayout(tmp_path / "out"), wait_seconds=5):
        pass


def test_touched_but_identical_file_is_hashed_once_then_unchanged(tmp_path, monkeypatch):
    from flows import pipeline, state
    from flows.state import load_manifest
    from transforms.incremental import MANIFEST_SCHEMA

    raw = tmp_path / "raw"
    (raw / "outlet").mkdir(parents=True)
    story = raw / "outlet" / "story.txt"
    story.write_text("The same words as yesterday. " * 20)
    layout = OutputLayout(tmp_path / "out")
    files, _, manifest = pipeline.plan_task.fn(str(raw), layout, False, "20260301T000000000000Z-aaaaaa")
    assert [f.name for f in files] == ["story.txt"]
    write_parquet_atomic(manifest, layout.run_part("_state/manifest", "20260301T000000000000Z-aaaaaa"))

    os.utime(story, ns=(story.stat().st_atime_ns, story.stat().st_mtime_ns + 10**9))  # touched only
    hashed: list[str] = []
    real_sha = state.sha256_file
    monkeypatch.setattr(pipeline, "sha256_file", lambda p: hashed.append(p.name) or real_sha(p))
    for run_id in ("20260302T000000000000Z-bbbbbb", "20260303T000000000000Z-cccccc"):
        files, _, manifest = pipeline.plan_task.fn(str(raw), layout, False, run_id)
        assert files == [] and manifest.is_empty()
    assert hashed == ["story.txt"], "hashed on the first run after the touch, not on the next"
    entry = load_manifest(layout).cast(MANIFEST_SCHEMA).row(0, named=True)
    assert entry["mtime_ns"] == story.stat().st_mtime_ns
    assert entry["run_id"] == "20260301T000000000000Z-aaaaaa", "the run that owns the rows is unchanged"


def test_file_values_reads_slices_and_never_maps_the_file(tmp_path):
    import numpy as np

    from flows.store import FileValues

    path = tmp_path / "hashes.u32"
    data = np.arange(1000, dtype=np.uint32) * 7
    path.write_bytes(data.tobytes())
    values = FileValues(path, 1000)
    assert values.size == len(values) == 1000
    assert values[10:13].tolist() == [70, 77, 84]
    assert values[:].tolist() == data.tolist()
    assert values[995:2000].tolist() == data[995:].tolist()  # clipped like an array slice
    assert values[5:5].size == 0
    with pytest.raises(TypeError):
        values[[1, 2]]
    with pytest.raises(TypeError):
        values[::2]
    with pytest.raises(TypeError, match="read by slices"):
        np.asarray(values)
    short = FileValues(path, 1001)  # a file cut short: an error, never zeros
    with pytest.raises(EOFError):
        short[990:1001]
