"""The ``wirewash`` command: run the flow, explain a document's cleaning, serve the schedule."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from flows.deploy import add_serve_parser

__all__ = ["main"]


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


def _params(args: argparse.Namespace):
    from flows.params import CleanNewsParams

    values: dict[str, Any] = {"raw_dir": args.raw, "out_dir": args.out, "full": args.full}
    if getattr(args, "dask", None):
        values["dask"] = args.dask
    for item in args.set or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set expects KEY=VALUE, got {item!r}")
        values[key.strip().replace("-", "_")] = _coerce(value)
    try:
        return CleanNewsParams(**values)
    except Exception as exc:  # pydantic's message names the field and the bound
        raise SystemExit(f"bad parameters: {exc}") from exc


def print_summary(summary: dict[str, Any], out=sys.stdout) -> None:
    from transforms.summary import summary_markdown

    out.write(summary_markdown(summary))
    out.write("\nOutputs:\n")
    for name, path in summary.get("paths", {}).items():
        out.write(f"  {name:<14} {path}\n")


def cmd_run(args: argparse.Namespace) -> int:
    params = _params(args)
    _prefect_env()
    from flows.pipeline import clean_news

    summary = clean_news(params=params)
    print_summary(summary)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from flows.explain import explain_path

    return explain_path(
        Path(args.path), line=args.line, raw_root=Path(args.raw), out_dir=Path(args.out), out=sys.stdout
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wirewash", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="Clean and deduplicate the raw folder into Parquet (one flow run).")
    run.add_argument("--raw", default="data/raw", help="raw input folder (default data/raw)")
    run.add_argument("--out", default="data/clean", help="output folder (default data/clean)")
    run.add_argument(
        "--full", action="store_true", help="reprocess every input, not only new or changed files"
    )
    run.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="any flow parameter, e.g. --set jaccard_threshold=0.8 (repeatable)",
    )
    run.add_argument("--dask", default=None, help="run the tasks on Dask: local:N or tcp://HOST:PORT")
    run.set_defaults(func=cmd_run)

    exp = sub.add_parser("explain", help="Print a document with each line marked kept or removed, and why.")
    exp.add_argument("path", help="a .txt, .html or .jsonl(.gz) file")
    exp.add_argument("--line", type=int, default=None, help="JSONL line number (default: the first record)")
    exp.add_argument("--raw", default="data/raw", help="raw root, to name the outlet (default data/raw)")
    exp.add_argument("--out", default="data/clean", help="output folder whose line statistics to use")
    exp.set_defaults(func=cmd_explain)

    add_serve_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
