"""The wirewash command: run the flow, explain a document's cleaning, serve the schedule.

The options of `run` and `serve` are generated from CleanNewsParams (flows/params.py): a new field there
is a new option here, with its description and bounds as help, and `--set KEY=VALUE` sets any field.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib.util
import json
import os
import sys
import threading
import types
import typing
from pathlib import Path
from typing import Any

from flows.params import CleanNewsParams
from flows.tempserver import TemporaryServer

__all__ = ["add_param_options", "build_parser", "main", "params_from_args", "print_summary"]

# short spellings kept from before the options were generated (README, scripts and cron lines use them)
ALIASES = {"raw_dir": ["--raw"], "out_dir": ["--out"]}
DESCRIPTION = (
    "Turn a folder of raw scraped news into a clean, deduplicated Parquet corpus (a Prefect flow). "
    "wirewash COMMAND --help lists each command's options."
)


def _prefect_env() -> None:
    # Works without a running server: Prefect starts a temporary local one. On a loaded 2-core machine
    # that takes 20 s or more, beyond Prefect's default start-up timeout.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network here: no telemetry noise


def _coerce(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _option_kwargs(name: str, annotation: Any, prop: dict[str, Any], default: Any) -> dict[str, Any]:
    """argparse keywords for one field: its type, choices and help from the model and its JSON schema."""
    help_text = f"{prop.get('description', '')} Default: {default!r}.".replace("%", "%%")
    kwargs: dict[str, Any] = {"dest": name, "default": argparse.SUPPRESS, "help": help_text}
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]  # Optional[X]: the option takes an X
    if annotation is bool:
        return {**kwargs, "action": argparse.BooleanOptionalAction}
    if typing.get_origin(annotation) is typing.Literal:
        return {**kwargs, "choices": list(typing.get_args(annotation))}
    if annotation in (int, float):
        return {**kwargs, "type": annotation, "metavar": annotation.__name__.upper()}
    return {**kwargs, "metavar": "TEXT"}


def add_param_options(parser: argparse.ArgumentParser) -> None:
    """One option per field of CleanNewsParams (``--min-clean-chars N``), plus ``--set KEY=VALUE``."""
    group = parser.add_argument_group("flow parameters (CleanNewsParams; the UI's form shows the same)")
    schema = CleanNewsParams.model_json_schema()["properties"]
    for name, info in CleanNewsParams.model_fields.items():
        flags = [f"--{name.replace('_', '-')}", *ALIASES.get(name, [])]
        group.add_argument(*flags, **_option_kwargs(name, info.annotation, schema[name], info.default))
    group.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        default=[],
        help="any flow parameter by name, value as JSON or text, e.g. --set jaccard_threshold=0.8 "
        "(repeatable; an explicit option wins)",
    )


def params_from_args(args: argparse.Namespace) -> CleanNewsParams:
    """The run's parameters: ``--set`` values, then the explicit options; pydantic checks the bounds."""
    values: dict[str, Any] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set expects KEY=VALUE, got {item!r}")
        values[key.strip().replace("-", "_")] = _coerce(value)
    values.update({name: getattr(args, name) for name in CleanNewsParams.model_fields if hasattr(args, name)})
    try:
        return CleanNewsParams(**values)
    except ValueError as exc:  # pydantic's ValidationError: its message names the field and the bound
        raise SystemExit(f"bad parameters: {exc}") from exc


def print_summary(summary: dict[str, Any], out=sys.stdout) -> None:
    from flows.store import OutputLayout
    from transforms.summary import summary_markdown

    out.write(summary_markdown(summary))
    out.write("\nOutputs:\n")
    paths = dict(summary.get("paths", {}))
    clusters = OutputLayout(Path(summary["out_dir"])).clusters_path() if "out_dir" in summary else None
    if clusters is not None and clusters.exists():  # rebuilt after the publish, over all runs
        paths.setdefault("clusters", str(clusters))
    for name, path in paths.items():
        out.write(f"  {name:<14} {path}\n")


def preflight(params: CleanNewsParams) -> list[str]:
    """What stops a run before any work, told in one line each: the folders, the Dask extra, the outlet
    rules file, the Redis server. (The flow checks the same again for runs the UI or a schedule starts:
    there the error ends the flow run.)"""
    errors = []
    raw, out = Path(params.raw_dir), Path(params.out_dir)
    if not raw.exists():
        errors.append(f"raw folder not found: {raw}")
    elif not raw.is_dir():
        errors.append(f"raw folder is a file, not a folder: {raw}")
    if out.exists() and not out.is_dir():
        errors.append(f"output folder is a file, not a folder: {out}")
    elif raw.is_dir() and out.resolve() == raw.resolve():
        errors.append(f"the output folder cannot be the raw folder: {out}")
    if params.dask and importlib.util.find_spec("prefect_dask") is None:
        errors.append(
            f'--dask {params.dask} needs the dask extra: pip install "wirewash[dask]" '
            "(prefect-dask and distributed)"
        )
    try:
        from flows.configs import load_outlet_rules

        load_outlet_rules(params.outlet_rules)
    except (ValueError, OSError) as exc:
        errors.append(f"{params.outlet_rules}: {exc}")
    if params.history_backend == "redis":
        errors += _redis_errors(params.redis_url)
    if params.lock_wait_seconds == 0 and out.is_dir():
        from flows.state import lock_holder
        from flows.store import OutputLayout

        if (holder := lock_holder(OutputLayout(out))) is not None:
            errors.append(f"another wirewash run is writing to {out} (holder: {holder}); lock_wait_seconds=0")
    return errors


def _redis_errors(url: str) -> list[str]:
    try:
        import redis
    except ImportError:
        return ['history_backend=redis needs the redis extra: pip install "wirewash[redis]"']
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return [f"history_backend=redis: cannot reach Redis at {url} ({type(exc).__name__}: {exc})"]
    return []


def cmd_run(args: argparse.Namespace) -> int:
    params = params_from_args(args)
    _prefect_env()
    # The temporary server boots (4-5 s of CPU in its own process) while this one imports Prefect and
    # the flow and loads the compiled kernels from numba's cache.
    server = TemporaryServer.launch()
    from flows.pipeline import clean_news, warm_extraction, warm_kernels

    # after the imports the server's boot overlaps (the outlet-rules check needs flows.configs'), before
    # anything is created
    if errors := preflight(params):
        if server is not None:
            server.stop()
        for e in errors:
            print(f"wirewash run: error: {e}", file=sys.stderr)
        return 2
    warm_kernels()
    if server is not None:
        warm_extraction(params)
    with server.use() if server else contextlib.nullcontext():
        summary = clean_news(params=params)
    print_summary(summary)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from flows.explain import explain_path

    return explain_path(
        Path(args.path), line=args.line, raw_root=Path(args.raw), out_dir=Path(args.out), out=sys.stdout
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.deploy import DEFAULT_CRON, DEFAULT_TIMEZONE, serve_deployment

    return serve_deployment(
        params_from_args(args),
        cron=args.cron or DEFAULT_CRON,
        timezone=args.timezone or DEFAULT_TIMEZONE,
        allow_roots=args.allow_root,
    )


def _add_serve_parser(sub: argparse._SubParsersAction) -> None:
    from flows.deploy import DEFAULT_CRON, DEFAULT_TIMEZONE

    serve = sub.add_parser(
        "serve",
        help="Register the clean-news/scheduled deployment and run it on its schedule "
        "(Ctrl-C stops serving; the schedule stays active).",
        description="Register the clean-news/scheduled deployment with the Prefect server named by "
        "PREFECT_API_URL and run its flow runs here. The parameter options set the deployment's "
        "defaults (what a scheduled run uses and the UI's form starts from).",
    )
    serve.add_argument(
        "--cron",
        default=DEFAULT_CRON,
        help=f"cron: minute hour day month weekday (default {DEFAULT_CRON!r}, nightly)",
    )
    serve.add_argument(
        "--timezone",
        default=DEFAULT_TIMEZONE,
        help=f"time zone of the cron schedule, an IANA name (default {DEFAULT_TIMEZONE})",
    )
    serve.add_argument(
        "--allow-root",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder runs may read from and write to, through .. and symlinks resolved (repeatable; "
        "default: the served raw and out folders). A run from the UI outside them is refused.",
    )
    add_param_options(serve)
    serve.set_defaults(func=cmd_serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wirewash", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="Clean and deduplicate the raw folder into Parquet (one flow run).",
        description="One flow run: data/raw -> data/clean by default, only new or changed files.",
    )
    add_param_options(run)
    run.set_defaults(func=cmd_run)

    exp = sub.add_parser(
        "explain",
        help="Print a document with each line marked kept or removed, and why.",
        description="Print a document with each line marked kept (+) or removed (-), with the rule id.",
    )
    exp.add_argument("path", help="an input file: .txt, .html, .jsonl(.gz) or .warc(.gz/.zst)")
    exp.add_argument(
        "--line",
        type=int,
        default=None,
        help="the record's source_line: a JSONL line number, or a WARC record's byte offset (record index "
        "in a file compressed as one stream); default: the first record",
    )
    exp.add_argument("--raw", default="data/raw", help="raw root, to name the outlet (default data/raw)")
    exp.add_argument("--out", default="data/clean", help="output folder whose line statistics to use")
    exp.set_defaults(func=cmd_explain)

    _add_serve_parser(sub)
    return parser


def _exit_now(code: int) -> typing.NoReturn:
    """End the process without the interpreter's teardown: after a run, freeing every module and object
    (Prefect's, polars', numba's) takes 1-2 s of CPU that nothing needs. The exit handlers (Prefect's
    last events and logs, the temporary server's stop) and the buffered output are flushed first."""
    threading._shutdown()  # what the interpreter does first: wait for the non-daemon threads
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """The ``wirewash`` command. Called with no arguments (the command line itself) a finished ``run``
    exits at once (``_exit_now``), unless a profiler or tracer (cProfile, coverage) still has to write
    its results at the interpreter's exit; a caller passing ``argv`` gets the exit code back."""
    args = build_parser().parse_args(argv)
    code = int(args.func(args) or 0)
    if argv is None and args.func is cmd_run and sys.getprofile() is None and sys.gettrace() is None:
        _exit_now(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
