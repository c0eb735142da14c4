"""Where the run's tasks execute: worker processes on this machine, or a Dask cluster.

- no ``dask``: a pool of ``workers`` processes (``ProcessPoolTaskRunner``; trafilatura and the line
  cleaner hold the GIL, so threads would leave the second core idle), or one thread for a one-shard run;
- ``local:N``: a Dask ``LocalCluster`` of N single-threaded worker processes (prefect-dask);
- ``tcp://HOST:PORT``: an existing Dask scheduler. Its workers must see the raw and output folders at
  the same paths (a shared filesystem): tasks pass paths, not data.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import sys
from collections.abc import Iterator

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

__all__ = ["DASK_SPEC", "exit_without_teardown", "shared_api", "task_runner"]

DASK_SPEC = r"^(local:[1-9][0-9]{0,2}|tcp://[^\s:/]+:[0-9]{1,5})$"


def task_runner(dask: str | None, workers: int, shards: int) -> TaskRunner:
    if dask:
        if not re.match(DASK_SPEC, dask):
            raise ValueError(f"dask must be local:N or tcp://HOST:PORT, got {dask!r}")
        from prefect_dask import DaskTaskRunner

        if dask.startswith("local:"):
            return DaskTaskRunner(
                cluster_class="distributed.LocalCluster",
                cluster_kwargs={
                    "n_workers": int(dask.split(":", 1)[1]),
                    "threads_per_worker": 1,
                    "processes": True,
                    "dashboard_address": None,
                },
            )
        return DaskTaskRunner(address=dask)
    if workers > 1 and shards > 1:
        return ProcessPoolTaskRunner(max_workers=min(workers, shards), initializer=exit_without_teardown)
    return ThreadPoolTaskRunner(max_workers=1)


def _end_worker() -> None:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def exit_without_teardown() -> None:
    """Run at a worker process's start: at its exit, once the handlers registered after this one ran
    (Prefect's, which flush the worker's events and logs to the run) and its queues to the flow process
    were flushed (multiprocessing does that before the exit handlers), end the process without the
    interpreter's teardown: freeing polars', numba's and Prefect's modules takes ~1 s of CPU a worker,
    which the flow waits for when it shuts the pool down at the end of the run."""
    atexit.register(_end_worker)


@contextlib.contextmanager
def shared_api() -> Iterator[None]:
    """Point worker processes started inside this block at this process's Prefect API. Without a
    ``PREFECT_API_URL`` Prefect runs a temporary server for the flow; a worker process started without
    the URL would start a temporary server of its own (tens of seconds and hundreds of MB each)."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        url = server.api_url if server.running else None
    before = os.environ.get("PREFECT_API_URL")
    if url:
        os.environ["PREFECT_API_URL"] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
