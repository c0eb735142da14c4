"""`wirewash serve` against a real Prefect server: the deployment the UI shows, a custom run through the
API the UI uses, the server refusing out-of-range parameters, and the schedule left active on stop.

Starts `prefect server start` on a free loopback port with its own PREFECT_HOME, and `wirewash serve` as a
second process; both are stopped in `finally`. About 20 s on 2 cores (timeouts are generous).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.deploy import DEPLOYMENT_NAME

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

CRON = "17 3 * * 1"  # Mondays 03:17: never fires during the test
TIMEZONE = "Europe/Paris"
SERVER_START_S = 120
DEPLOYMENT_APPEAR_S = 120
RUN_FINISH_S = 180
WORDS = [
    "council",
    "harbour",
    "budget",
    "storm",
    "school",
    "museum",
    "election",
    "river",
    "police",
    "festival",
    "market",
    "bridge",
    "farmers",
    "library",
    "hospital",
    "railway",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(
    what: str,
    probe: Callable[[], Any],
    timeout: float,
    logs: list[Path],
    procs: tuple[subprocess.Popen, ...] = (),
    step: float = 1.0,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in procs):
        with contextlib.suppress(Exception):
            value = probe()
            if value:
                return value
        time.sleep(step)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs if p.exists())
    ended = [f"`{' '.join(map(str, p.args[:3]))}` exited {p.returncode}" for p in procs if p.returncode]
    pytest.fail(f"{', '.join(ended) or f'timed out after {timeout:.0f} s'} waiting for {what}\n{tails}")


def _healthy(api: str) -> bool:
    with urllib.request.urlopen(f"{api}/health", timeout=5) as resp:
        return resp.status == 200


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
    """Signal the process group we started (the server's uvicorn child, serve's flow-run children)."""
    for s, wait in ((sig, timeout), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, s)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    with contextlib.suppress(ProcessLookupError):  # children that outlived their parent
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode


def _article(i: int) -> str:
    body = [
        " ".join(WORDS[(i * 7 + j * 3 + k) % len(WORDS)] for k in range(22)) + f" story{i} part{j}."
        for j in range(12)
    ]
    return f"Headline of story {i}\n\n" + "\n\n".join(body) + "\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect_home"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_RUNNER_POLL_FREQUENCY="2",  # the served runner picks up a new run within 2 s
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    return env


@contextlib.contextmanager
def _process(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            _stop(proc)


def test_serve_custom_run_through_the_api(tmp_path: Path, env: dict[str, str]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    raw, out, default_out = tmp_path / "raw", tmp_path / "custom_out", tmp_path / "default_out"
    (raw / "outlet-a").mkdir(parents=True)
    for i in range(3):
        (raw / "outlet-a" / f"story{i}.txt").write_text(_article(i), encoding="utf-8")
    (raw / "outlet-a" / "empty.txt").write_bytes(b"")
    api = env["PREFECT_API_URL"]
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    logs = [server_log, serve_log]
    bin_dir = Path(sys.executable).parent

    with _process(
        [
            str(bin_dir / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            env["PREFECT_SERVER_API_PORT"],
        ],
        env,
        server_log,
        tmp_path,
    ) as server:
        _wait_for("the Prefect server", lambda: _healthy(api), SERVER_START_S, logs, (server,))
        with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
            # `python -m flows.deploy ARGS` is `wirewash serve ARGS` (the same cmd_serve)
            with _process(
                [
                    sys.executable,
                    "-m",
                    "flows.deploy",
                    "--cron",
                    CRON,
                    "--timezone",
                    TIMEZONE,
                    "--raw",
                    str(raw),
                    "--out",
                    str(default_out),
                ],
                env,
                serve_log,
                tmp_path,
            ) as serve:
                deployment = _wait_for(
                    "the deployment",
                    lambda: client.read_deployment_by_name(f"clean-news/{DEPLOYMENT_NAME}"),
                    DEPLOYMENT_APPEAR_S,
                    logs,
                    (server, serve),
                )

                # what the UI's deployment page shows
                [sched] = deployment.schedules
                assert (sched.schedule.cron, sched.schedule.timezone, sched.active) == (CRON, TIMEZONE, True)
                assert deployment.paused is False
                assert deployment.global_concurrency_limit.limit == 1
                assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
                assert deployment.enforce_parameter_schema is True
                assert deployment.parameters["params"]["raw_dir"] == str(raw)
                assert deployment.parameters["params"]["out_dir"] == str(default_out)

                # what the UI's custom-run form is built from: one model, described, bounded, choices
                schema = deployment.parameter_openapi_schema
                assert list(schema["properties"]) == ["params"]
                fields = schema["definitions"]["CleanNewsParams"]["properties"]
                assert all(f.get("description") for f in fields.values()), "every field is described"
                assert (fields["workers"]["minimum"], fields["workers"]["maximum"]) == (0, 64)
                assert fields["html_extraction"]["enum"] == ["balanced", "precision", "recall"]
                assert fields["history_backend"]["enum"] == ["files", "redis"]
                assert schema["definitions"]["CleanNewsParams"]["additionalProperties"] is False

                # a custom run, as the UI's Run > Custom run posts it
                custom = {"raw_dir": str(raw), "out_dir": str(out), "min_clean_chars": 150, "workers": 1}
                run = client.create_flow_run_from_deployment(deployment.id, parameters={"params": custom})
                assert run.parameters["params"] == custom
                run = _wait_for(
                    "the custom run to finish",
                    lambda: (r := client.read_flow_run(run.id)).state.is_final() and r,
                    RUN_FINISH_S,
                    logs,
                    (server, serve),
                    step=2,
                )
                assert run.state.is_completed(), (
                    f"{run.state.name}: {run.state.message}\n" + serve_log.read_text(errors="replace")[-3000:]
                )

                articles = pl.read_parquet(out / "articles" / "**" / "*.parquet")
                rejected = pl.read_parquet(out / "rejected" / "**" / "*.parquet")
                assert articles.height == 3
                assert rejected.height == 1
                assert not default_out.exists(), "the custom out_dir replaced the deployment's"
                artifacts = client.read_artifacts(
                    artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
                )
                assert "wirewash-summary" in {a.key for a in artifacts}

                # the server refuses what the form would mark invalid, before any run exists
                for bad in (
                    {"workers": -1},
                    {"jaccard_threshold": 1.5},
                    {"html_extraction": "fast"},
                    {"no_such_knob": 1},
                ):
                    with pytest.raises(Exception) as refused:
                        client.create_flow_run_from_deployment(deployment.id, parameters={"params": bad})
                    status = getattr(getattr(refused.value, "response", None), "status_code", None)
                    assert status is not None and 400 <= status < 500, repr(refused.value)
                    assert "Validation failed" in str(refused.value)

                # Ctrl-C stops serving; with pause_on_shutdown=False the schedule stays active
                assert _stop(serve, signal.SIGINT) is not None
            deployment = client.read_deployment(deployment.id)
            assert deployment.paused is False
            assert [s.active for s in deployment.schedules] == [True]
