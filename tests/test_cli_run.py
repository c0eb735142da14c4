"""`wirewash run` as the command line runs it: the temporary server it starts itself, worker processes that
end without the interpreter's teardown, and a Prefect database that still holds the whole run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import REPO

SAMPLE = REPO / "data" / "raw"


def _tables(out: Path) -> dict[str, pl.DataFrame]:
    drop = ["run_id", "ingested_at"]
    return {
        "articles": pl.read_parquet(out / "articles" / "**" / "*.parquet").drop(drop).sort("doc_id"),
        "rejected": pl.read_parquet(out / "rejected" / "**" / "*.parquet")
        .drop(drop)
        .sort("source_path", "source_line", "reason"),
        "clusters": pl.read_parquet(out / "clusters" / "clusters.parquet").sort("cluster_id"),
    }


def _run(args: list[str], env: dict[str, str], log: Path) -> int:
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", *args],
            cwd=REPO,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        return proc.wait(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # a server left behind by a failed run


@pytest.mark.slow
def test_two_worker_processes_give_the_one_worker_run_and_every_task_run_is_recorded(tmp_path):
    raw, home = tmp_path / "raw", tmp_path / "home"
    shutil.copytree(SAMPLE, raw)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WIREWASH_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_LOGGING_LEVEL="INFO",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        WIREWASH_SHARD_BYTES="4000",  # several shards: a pool of two processes
    )
    tables, tasks = {}, 0
    for workers in (1, 2):
        out, log = tmp_path / f"out{workers}", tmp_path / f"run{workers}.log"
        code = _run(["run", "--raw", str(raw), "--out", str(out), "--set", f"workers={workers}"], env, log)
        text = log.read_text(errors="replace")
        assert code == 0, text[-2000:]
        assert "Starting temporary server" not in text  # Prefect started no server of its own
        summary = json.loads(next((out / "runs").glob("*.json")).read_text())
        assert summary["shards"] > 2
        tasks += 3 + 3 * summary["shards"]  # plan, line statistics, dedup; read, clean, write per shard
        tables[workers] = _tables(out)
    for name, frame in tables[1].items():
        assert frame.equals(tables[2][name]), name
    with contextlib.closing(sqlite3.connect(home / "prefect.db")) as db:
        flow_runs = db.execute("SELECT state_type FROM flow_run").fetchall()
        by_state = "SELECT state_type, count(*) FROM task_run GROUP BY state_type"
        task_runs = dict(db.execute(by_state).fetchall())
    assert flow_runs == [("COMPLETED",), ("COMPLETED",)]
    assert task_runs == {"COMPLETED": tasks}
