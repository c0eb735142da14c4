"""`wirewash serve --cron "* * * * *"` against a real Prefect server: the server's own scheduler creates
runs and one completes, the deployment the UI shows, a custom run through the API the UI uses, the server
refusing out-of-range parameters and folders outside the allowed roots, the API's basic auth, and the
schedule left active on stop.

One `prefect server start` (free loopback port, its own PREFECT_HOME, an auth string) and one
`python -m flows.cli serve` serve the whole module; both process groups are killed at the end, pass or
fail. About 2 minutes on 2 cores: the first scheduled run waits for the next minute boundary.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.deploy import DEPLOYMENT_NAME

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

CRON = "* * * * *"  # every minute: the scheduler's first run is due within 60 s
TIMEZONE = "Europe/Paris"
AUTH = "wirewash:test-secret"
SERVER_START_S = 120
DEPLOYMENT_APPEAR_S = 120
SCHEDULED_RUN_S = 150  # up to a minute to the boundary, then the run itself
RUN_FINISH_S = 180
# what the issue saw every minute on prefect 3.8 with SQLAlchemy 2.1, and any other failing service
SCHEDULER_ERRORS = ("InvalidRequestError", "Traceback", "bulk_dml", "Error in scheduler", "Unexpected error")
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


def _env(tmp: Path) -> dict[str, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WIREWASH_"))}
    env.update(
        PREFECT_HOME=str(tmp / "prefect_home"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_API_AUTH_STRING=AUTH,  # the server refuses requests without it...
        PREFECT_API_AUTH_STRING=AUTH,  # ...and every client (serve, its flow runs, the test) sends it
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="10",  # the scheduler service proper, not only
        # the one for freshly registered deployments, inserts runs during the test
        PREFECT_RUNNER_POLL_FREQUENCY="2",  # the served runner picks up a due run within 2 s
        PREFECT_LOGGING_LEVEL="INFO",
    )
    return env


class Served:
    """The server, the serve process and what the tests need to reach them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env = _env(tmp)
        self.api = self.env["PREFECT_API_URL"]
        self.allowed = tmp / "allowed"
        self.raw, self.out = self.allowed / "raw", self.allowed / "scheduled_out"
        self.elsewhere = tmp / "elsewhere"
        self.server_log, self.serve_log = tmp / "server.log", tmp / "serve.log"
        self.logs = [self.server_log, self.serve_log]
        self.server: subprocess.Popen | None = None
        self.serve: subprocess.Popen | None = None
        self.client: Any = None
        self.deployment: Any = None

    @property
    def procs(self) -> tuple[subprocess.Popen, ...]:
        return tuple(p for p in (self.server, self.serve) if p is not None)

    def wait(self, what: str, probe: Callable[[], Any], timeout: float, step: float = 1.0) -> Any:
        return _wait_for(what, probe, timeout, self.logs, self.procs, step=step)

    def finished(self, run_id: Any) -> Any:
        return self.wait(
            f"flow run {run_id} to finish",
            lambda: (r := self.client.read_flow_run(run_id)).state.is_final() and r,
            RUN_FINISH_S,
            step=2,
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    s = Served(tmp_path_factory.mktemp("served"))
    (s.raw / "outlet-a").mkdir(parents=True)
    s.elsewhere.mkdir()
    for i in range(3):
        (s.raw / "outlet-a" / f"story{i}.txt").write_text(_article(i), encoding="utf-8")
    (s.raw / "outlet-a" / "empty.txt").write_bytes(b"")
    prefect = str(Path(sys.executable).parent / "prefect")
    server_cmd = [
        prefect,
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        s.env["PREFECT_SERVER_API_PORT"],
    ]
    # `python -m flows.cli serve ...` is `wirewash serve ...`
    serve_cmd = [sys.executable, "-m", "flows.cli", "serve", "--cron", CRON, "--timezone", TIMEZONE]
    serve_cmd += ["--raw", str(s.raw), "--out", str(s.out), "--allow-root", str(s.allowed)]
    with contextlib.ExitStack() as stack:
        s.server = stack.enter_context(_process(server_cmd, s.env, s.server_log, s.tmp))
        s.wait("the Prefect server", lambda: _healthy(s.api), SERVER_START_S)
        stack.enter_context(
            temporary_settings(updates={PREFECT_API_URL: s.api, PREFECT_API_AUTH_STRING: AUTH})
        )
        s.client = stack.enter_context(get_client(sync_client=True))
        s.serve = stack.enter_context(_process(serve_cmd, s.env, s.serve_log, REPO))
        s.deployment = s.wait(
            "the deployment",
            lambda: s.client.read_deployment_by_name(f"clean-news/{DEPLOYMENT_NAME}"),
            DEPLOYMENT_APPEAR_S,
        )
        yield s


REPO = Path(__file__).resolve().parents[1]


def test_the_deployment_as_the_ui_shows_it(served: Served) -> None:
    deployment = served.deployment
    [sched] = deployment.schedules
    assert (sched.schedule.cron, sched.schedule.timezone, sched.active) == (CRON, TIMEZONE, True)
    assert deployment.paused is False
    assert deployment.global_concurrency_limit.limit == 1
    assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
    assert deployment.enforce_parameter_schema is True
    assert deployment.parameters["params"]["raw_dir"] == str(served.raw)
    assert deployment.parameters["params"]["out_dir"] == str(served.out)

    # what the UI's custom-run form is built from: one model, described, bounded, choices
    schema = deployment.parameter_openapi_schema
    assert list(schema["properties"]) == ["params"]
    fields = schema["definitions"]["CleanNewsParams"]["properties"]
    assert all(f.get("description") for f in fields.values()), "every field is described"
    assert (fields["workers"]["minimum"], fields["workers"]["maximum"]) == (0, 64)
    assert fields["workers"]["description"].endswith("(0–64)"), "the form shows descriptions, not bounds"
    assert fields["jaccard_threshold"]["description"].endswith("(>0 and ≤1)")
    assert fields["html_extraction"]["enum"] == ["balanced", "precision", "recall"]
    assert fields["history_backend"]["enum"] == ["files", "redis"]
    assert schema["definitions"]["CleanNewsParams"]["additionalProperties"] is False


def test_the_server_schedules_runs_by_itself_and_one_completes(served: Served) -> None:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    def scheduled_runs() -> list[Any]:
        return served.client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[served.deployment.id]))
        )

    runs = served.wait(
        "the scheduler to create runs", lambda: [r for r in scheduled_runs() if r.auto_scheduled], 60
    )
    assert all(r.idempotency_key.startswith("scheduled ") for r in runs), "inserted by the scheduler"
    done = served.wait(
        "a scheduled run to complete",
        lambda: [r for r in scheduled_runs() if r.auto_scheduled and r.state.is_final()],
        SCHEDULED_RUN_S,
        step=2,
    )
    assert done[0].state.is_completed(), (
        f"{done[0].state.name}: {done[0].state.message}\n"
        + served.serve_log.read_text(errors="replace")[-3000:]
    )
    articles = pl.read_parquet(served.out / "articles" / "**" / "*.parquet")
    assert sorted(articles["source_path"]) == [f"outlet-a/story{i}.txt" for i in range(3)]
    assert articles["run_id"].n_unique() >= 1
    summaries = [json.loads(p.read_text()) for p in (served.out / "runs").glob("*.json")]
    assert any(s["records_in"] == 4 and s["articles"] == 3 for s in summaries)

    log = served.server_log.read_text(errors="replace")
    assert not [e for e in SCHEDULER_ERRORS if e in log], log[-5000:]


def test_a_custom_run_through_the_api_the_ui_uses(served: Served) -> None:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    out = served.allowed / "custom_out"
    custom = {"raw_dir": str(served.raw), "out_dir": str(out), "min_clean_chars": 150, "workers": 1}
    run = served.client.create_flow_run_from_deployment(served.deployment.id, parameters={"params": custom})
    assert run.parameters["params"] == custom
    run = served.finished(run.id)
    assert run.state.is_completed(), (
        f"{run.state.name}: {run.state.message}\n" + served.serve_log.read_text(errors="replace")[-3000:]
    )
    assert pl.read_parquet(out / "articles" / "**" / "*.parquet").height == 3
    assert pl.read_parquet(out / "rejected" / "**" / "*.parquet").height == 1
    artifacts = served.client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
    )
    by_key = {a.key: a for a in artifacts}
    assert {"wirewash-summary"} <= set(by_key)
    assert "records in: **4** = articles **3** + rejected **1**" in by_key["wirewash-summary"].data


def test_two_runs_at_once_run_one_after_the_other(served: Served) -> None:
    """The deployment's concurrency limit (1, ENQUEUE): the second run waits for a slot, then runs."""
    params = {"raw_dir": str(served.raw), "out_dir": str(served.allowed / "pair_out"), "workers": 1}
    ids = [
        served.client.create_flow_run_from_deployment(served.deployment.id, parameters={"params": params}).id
        for _ in range(2)
    ]
    first, second = sorted((served.finished(i) for i in ids), key=lambda r: r.start_time)
    assert first.state.is_completed() and second.state.is_completed(), (first.state, second.state)
    assert second.start_time >= first.end_time, "the two runs overlapped"


@pytest.mark.parametrize(
    "bad",
    [{"workers": -1}, {"jaccard_threshold": 1.5}, {"html_extraction": "fast"}, {"no_such_knob": 1}],
)
def test_the_server_refuses_what_the_form_marks_invalid(served: Served, bad: dict) -> None:
    with pytest.raises(Exception) as refused:
        served.client.create_flow_run_from_deployment(served.deployment.id, parameters={"params": bad})
    status = getattr(getattr(refused.value, "response", None), "status_code", None)
    assert status is not None and 400 <= status < 500, repr(refused.value)
    assert "Validation failed" in str(refused.value)


def test_a_run_outside_the_allowed_roots_is_refused_before_writing(served: Served) -> None:
    (served.allowed / "sneaky").symlink_to(served.elsewhere, target_is_directory=True)
    for out in (served.allowed / ".." / "elsewhere" / "via-dotdot", served.allowed / "sneaky" / "via-link"):
        params = {"raw_dir": str(served.raw), "out_dir": str(out)}
        run = served.client.create_flow_run_from_deployment(
            served.deployment.id, parameters={"params": params}
        )
        run = served.finished(run.id)
        assert run.state.is_failed(), run.state
        assert "outside the allowed roots" in (run.state.message or "") + served.serve_log.read_text(
            errors="replace"
        )
    assert sorted(p.name for p in served.elsewhere.iterdir()) == [], "nothing was written there"


def test_the_api_refuses_requests_without_the_auth_string(served: Served) -> None:
    def status(headers: dict[str, str]) -> int:
        req = urllib.request.Request(
            f"{served.api}/deployments/filter", data=b"{}", headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    good = "Basic " + base64.b64encode(AUTH.encode()).decode()
    bad = "Basic " + base64.b64encode(b"wirewash:guess").decode()
    json_type = {"Content-Type": "application/json"}
    assert status(json_type) == 401
    assert status({**json_type, "Authorization": bad}) == 401
    assert status({**json_type, "Authorization": good}) == 200
    assert _healthy(served.api), "health stays open for probes"


def test_ctrl_c_stops_serving_and_leaves_the_schedule_active(served: Served) -> None:
    assert _stop(served.serve, signal.SIGINT) is not None
    deployment = served.client.read_deployment(served.deployment.id)
    assert deployment.paused is False
    assert [s.active for s in deployment.schedules] == [True]
    log = served.server_log.read_text(errors="replace")
    assert not [e for e in SCHEDULER_ERRORS if e in log], log[-5000:]
