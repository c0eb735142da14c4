"""``wirewash serve``: the ``clean-news`` flow as the deployment ``scheduled``, on a cron schedule, served.

Prefect's ``serve`` registers the deployment with the server named by ``PREFECT_API_URL`` and runs its flow
runs in this process's machine (no work pool, no worker). The deployment allows one active run at a time,
the server checks every run's parameters against ``CleanNewsParams``'s JSON schema (the UI's form), and
stopping ``serve`` leaves the schedule active, so a restart picks it up where it was.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.params import CleanNewsParams

if TYPE_CHECKING:  # prefect is imported when used: `wirewash --help` stays fast
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Schedule

__all__ = [
    "DEFAULT_CRON",
    "DEPLOYMENT_NAME",
    "add_serve_parser",
    "build_deployment",
    "cmd_serve",
    "schedule",
    "serve_main",
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


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect import serve

    try:
        params = CleanNewsParams(raw_dir=args.raw, out_dir=args.out, dask=getattr(args, "dask", None))
        deployment = build_deployment(args.cron, args.timezone, params)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        raise SystemExit(f"wirewash serve: {exc}") from exc
    if not _api_url():
        raise SystemExit(
            "wirewash serve: no Prefect server configured. Start one with "
            "`prefect server start` and point at it: prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    serve(deployment, pause_on_shutdown=False)
    return 0


def add_serve_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    serve = subparsers.add_parser(
        "serve",
        help="Register the clean-news/scheduled deployment and run it on its schedule "
        "(Ctrl-C stops serving; the schedule stays active).",
    )
    serve.add_argument(
        "--cron",
        default=DEFAULT_CRON,
        help=f"cron: minute hour day month weekday (default {DEFAULT_CRON!r}, nightly)",
    )
    serve.add_argument(
        "--timezone",
        default=DEFAULT_TIMEZONE,
        help=f"time zone of the cron schedule (default {DEFAULT_TIMEZONE})",
    )
    serve.add_argument(
        "--raw",
        default=CleanNewsParams().raw_dir,
        help="raw input folder of scheduled runs (default data/raw)",
    )
    serve.add_argument(
        "--out",
        default=CleanNewsParams().out_dir,
        help="output folder of scheduled runs (default data/clean)",
    )
    serve.add_argument(
        "--dask",
        default=None,
        help="scheduled runs on Dask: local:N or tcp://HOST:PORT (default: local processes)",
    )
    serve.set_defaults(func=cmd_serve)
    return serve


def serve_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wirewash", description=__doc__)
    add_serve_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(serve_main())
