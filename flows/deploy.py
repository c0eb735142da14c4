"""``wirewash serve``: the ``clean-news`` flow as the deployment ``scheduled``, on a cron schedule, served.

Prefect's ``serve`` registers the deployment with the server named by ``PREFECT_API_URL`` and runs its flow
runs in this process's machine (no work pool, no worker). The deployment allows one active run at a time,
the server checks every run's parameters against ``CleanNewsParams``'s JSON schema (the UI's form), and
stopping ``serve`` leaves the schedule active, so a restart picks it up where it was. Runs served from
here may only use folders under the allowed roots (flows/roots.py). The command line is in flows/cli.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.params import CleanNewsParams
from flows.roots import ALLOWED_ROOTS_ENV, OutsideAllowedRoots, check_allowed, roots_env_value

if TYPE_CHECKING:  # prefect is imported when used: `wirewash --help` stays fast
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Schedule

__all__ = [
    "DEFAULT_CRON",
    "DEFAULT_TIMEZONE",
    "DEPLOYMENT_NAME",
    "build_deployment",
    "schedule",
    "serve_deployment",
]

DEPLOYMENT_NAME = "scheduled"
DEFAULT_CRON = "0 2 * * *"  # nightly, 02:00
DEFAULT_TIMEZONE = "UTC"


def schedule(cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE) -> Schedule:
    """The deployment's schedule; a ``ValueError`` naming the bad cron string or time zone otherwise."""
    from prefect.schedules import Cron

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r} (an IANA name: UTC, Europe/Paris)") from exc
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise ValueError(
            f"invalid cron string {cron!r}: five fields, minute hour day-of-month month "
            f"day-of-week, e.g. {DEFAULT_CRON!r} for 02:00 every night"
        ) from exc


def build_deployment(
    cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE, params: CleanNewsParams | None = None
) -> RunnerDeployment:
    """The ``clean-news/scheduled`` deployment: cron schedule, one active run, parameters enforced."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    from flows.pipeline import clean_news

    params = params or CleanNewsParams()
    return clean_news.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[schedule(cron, timezone)],
        # a run that starts while another is active waits for it instead of racing it on the same out_dir
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
        ),
        parameters={"params": params.model_dump(mode="json")},
        enforce_parameter_schema=True,
        description="Nightly clean-news run. Run > Custom run opens the parameter form.",
        tags=["wirewash"],
        # loaded as flows.pipeline.clean_news: runs do not depend on the folder serve was started from
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def _api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def serve_deployment(
    params: CleanNewsParams,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    allow_roots: list[str] | None = None,
) -> int:
    """``wirewash serve``: check everything, fix the allowed roots for every run served from here, serve.

    The roots go into this process's environment (``WIREWASH_ALLOWED_ROOTS``), which Prefect's runner
    passes to each flow run it starts; see flows/roots.py for why not a parameter."""
    from prefect import serve

    roots = list(allow_roots or []) or [params.raw_dir, params.out_dir]
    try:
        deployment = build_deployment(cron, timezone, params)
        check_allowed({"raw_dir": params.raw_dir, "out_dir": params.out_dir}, [Path(r) for r in roots])
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        raise SystemExit(f"wirewash serve: {exc}") from exc
    except OutsideAllowedRoots as exc:
        raise SystemExit(f"wirewash serve: the deployment's own folders must be allowed: {exc}") from exc
    if not _api_url():
        raise SystemExit(
            "wirewash serve: no Prefect server configured. Start one with "
            "`prefect server start` and point at it: prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    os.environ[ALLOWED_ROOTS_ENV] = roots_env_value(roots)
    print(
        f"wirewash serve: runs may use folders under {os.environ[ALLOWED_ROOTS_ENV]}",
        file=sys.stderr,
        flush=True,
    )
    serve(deployment, pause_on_shutdown=False)
    return 0
