"""The wirewash command line: options generated from CleanNewsParams, --set, help text, the summary."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from flows.artifacts import Progress
from flows.cli import build_parser, params_from_args, print_summary
from flows.params import CleanNewsParams

REPO = Path(__file__).resolve().parents[1]


def _subparsers():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return parser, sub.choices


def test_help_has_no_restructuredtext_markup():
    parser, subs = _subparsers()
    for text in [parser.format_help(), *(p.format_help() for p in subs.values())]:
        assert "``" not in text and "`" not in text, text


@pytest.mark.parametrize("command", ["run", "serve"])
def test_every_parameter_is_an_option(command):
    _, subs = _subparsers()
    help_text = subs[command].format_help()
    for name in CleanNewsParams.model_fields:
        assert f"--{name.replace('_', '-')}" in help_text
    assert "(0–64)" in help_text  # workers' bounds, from the model


def test_options_and_set_build_the_params():
    args = build_parser().parse_args(
        [
            "run",
            "--raw",
            "in",
            "--out-dir",
            "o",
            "--full",
            "--min-clean-chars",
            "150",
            "--html-extraction",
            "recall",
            "--set",
            "jaccard_threshold=0.6",
            "--set",
            "min-clean-words=12",
            "--set",
            "min_clean_chars=99",  # the explicit option wins
        ]
    )
    p = params_from_args(args)
    assert (p.raw_dir, p.out_dir, p.full, p.min_clean_chars, p.min_clean_words) == ("in", "o", True, 150, 12)
    assert (p.html_extraction, p.jaccard_threshold, p.workers) == ("recall", 0.6, 0)


def test_defaults_come_from_the_model():
    assert params_from_args(build_parser().parse_args(["run"])) == CleanNewsParams()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--workers", "-1"], "workers"),
        (["run", "--set", "jaccard_threshold=1.5"], "jaccard_threshold"),
        (["run", "--set", "no_such_knob=1"], "no_such_knob"),
        (["run", "--set", "oops"], "KEY=VALUE"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(argv, message):
    with pytest.raises(SystemExit) as exc:
        params_from_args(build_parser().parse_args(argv))
    assert message in str(exc.value)


def test_choices_are_checked_by_argparse(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--html-extraction", "fast"])
    assert "invalid choice" in capsys.readouterr().err


def test_summary_outputs_list_the_clusters_table(tmp_path):
    clusters = tmp_path / "clusters" / "clusters.parquet"
    clusters.parent.mkdir()
    pl.DataFrame({"cluster_id": ["a"]}).write_parquet(clusters)
    summary = {
        "records_in": 0,
        "articles": 0,
        "rejected": 0,
        "out_dir": str(tmp_path),
        "paths": {"articles": str(tmp_path / "articles" / "run-x" / "part-00000.parquet")},
    }
    out = io.StringIO()
    print_summary(summary, out)
    listed = dict(re.findall(r"^  (\S+)\s+(\S+)$", out.getvalue().split("Outputs:")[1], re.M))
    assert listed == {"articles": summary["paths"]["articles"], "clusters": str(clusters)}


@pytest.mark.parametrize(
    ("shards", "files", "unread", "steps", "last"),
    [
        (
            2,
            21,
            2,
            [1, 1],
            "wirewash: read 2/2 shards (23 files: 21 to read, "
            "2 rejected unread (symlink or unsupported type))",
        ),
        (1, 3, 0, [1], "wirewash: read 1/1 shards (3 files: 3 to read)"),
    ],
)
def test_progress_counts_the_files_rejected_at_discovery(capsys, shards, files, unread, steps, last):
    progress = Progress(shards, "read", files=files, unread=unread)
    for n in steps:
        progress.advance(n)
    assert capsys.readouterr().err.splitlines()[-1] == last


def test_later_passes_count_shards_only(capsys):
    progress = Progress(3, "cleaned")
    progress.advance()
    assert capsys.readouterr().err.splitlines()[-1] == "wirewash: cleaned 1/3 shards"


def test_serve_refuses_its_own_folders_outside_the_allowed_roots(tmp_path):
    from flows.deploy import serve_deployment

    params = CleanNewsParams(raw_dir=str(tmp_path / "raw"), out_dir=str(tmp_path / "elsewhere" / "out"))
    with pytest.raises(SystemExit) as exc:
        serve_deployment(params, allow_roots=[str(tmp_path / "raw")])
    assert "out_dir=" in str(exc.value) and "must be allowed" in str(exc.value)


def test_the_temporary_server_is_launched_before_prefect_is_imported(tmp_path):
    """`wirewash run` starts its temporary server before importing Prefect, so the two overlap; not when
    the environment names a server, nor from inside a process that has Prefect imported already."""
    code = (
        "import os, sys; from flows.tempserver import TemporaryServer; "
        "s = TemporaryServer.launch(); print(s is not None, 'prefect' in sys.modules); s and s.stop(); "
        "os.environ['PREFECT_API_URL'] = 'http://127.0.0.1:1/api'; print(TemporaryServer.launch())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "False", "None"], out.stderr
    import prefect  # noqa: F401  (as in this process)

    from flows.tempserver import TemporaryServer

    assert TemporaryServer.launch() is None


def test_a_configured_server_wins_over_the_temporary_one(monkeypatch):
    """When Prefect's settings name a server (a profile's PREFECT_API_URL), the early server is stopped
    and the flow uses the configured one."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.tempserver import TemporaryServer

    monkeypatch.setattr(TemporaryServer, "_popen", lambda self: subprocess.Popen(["sleep", "30"]))
    server = TemporaryServer()
    process = server.process
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:1/api"}), server.use() as used:
        assert used is None
        assert PREFECT_API_URL.value() == "http://127.0.0.1:1/api"
    assert server.process is None and process.poll() is not None


def test_explain_says_what_the_run_records_for_a_file_it_does_not_read(tmp_path):
    """A file of another type is never read by the run (unsupported_type), so explain says that, instead
    of reading it as JSONL line by line."""
    from flows.explain import explain_path

    notes = tmp_path / "raw" / "notes.md"
    notes.parent.mkdir()
    notes.write_text("# notes\nnot an article\n")
    out = io.StringIO()
    code = explain_path(notes, line=None, raw_root=tmp_path / "raw", out_dir=tmp_path / "out", out=out)
    assert code == 1
    assert out.getvalue().startswith(f"{notes}: rejected at reading: unsupported_type (not one of .txt,")
    story = REPO / "data" / "raw" / "harbor-times" / "2026-03-03-eastmouth-dockers-walk-out.txt"
    out = io.StringIO()
    raw = REPO / "data" / "raw"
    assert explain_path(story, line=None, raw_root=raw, out_dir=tmp_path / "out", out=out) == 0
    assert "verdict: kept" in out.getvalue()


def test_preflight_tells_each_user_error_in_one_line_before_any_work(tmp_path, monkeypatch):
    """What used to surface as a Prefect traceback after the run had started (and had created the output
    folder) is refused up front, one line each."""
    import importlib.util

    from flows.cli import preflight
    from flows.state import output_lock
    from flows.store import OutputLayout

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("x")
    bad_rules = tmp_path / "rules.toml"
    bad_rules.write_text("[[outlet.x]\n")

    def errors(**kw) -> list[str]:
        base = {"raw_dir": str(raw), "out_dir": str(out), "outlet_rules": None}
        return preflight(CleanNewsParams(**{**base, **kw}))

    assert errors() == []
    assert errors(raw_dir=str(tmp_path / "nope")) == [f"raw folder not found: {tmp_path / 'nope'}"]
    assert errors(raw_dir=str(afile)) == [f"raw folder is a file, not a folder: {afile}"]
    assert errors(out_dir=str(afile)) == [f"output folder is a file, not a folder: {afile}"]
    assert errors(out_dir=str(raw)) == [f"the output folder cannot be the raw folder: {raw}"]
    assert errors(outlet_rules=str(bad_rules))[0].startswith(f"{bad_rules}: outlet rules: not valid TOML")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "prefect_dask" else real_find_spec(n, *a)
    )
    assert errors(dask="local:2") == [
        '--dask local:2 needs the dask extra: pip install "wirewash[dask]" (prefect-dask and distributed)'
    ]
    assert not out.exists()  # nothing was created
    with output_lock(OutputLayout(out), run_id="r1"):
        (held,) = errors(lock_wait_seconds=0)
        assert held.startswith(f"another wirewash run is writing to {out} (holder: ")
        assert errors(lock_wait_seconds=5) == []  # that run waits for the lock, as before
    assert errors(lock_wait_seconds=0) == []


def test_preflight_names_an_unreachable_redis(tmp_path):
    pytest.importorskip("redis")
    from flows.cli import preflight

    (tmp_path / "raw").mkdir()
    params = CleanNewsParams(
        raw_dir=str(tmp_path / "raw"),
        out_dir=str(tmp_path / "out"),
        outlet_rules=None,
        history_backend="redis",
        redis_url="redis://127.0.0.1:1/0",
    )
    (err,) = preflight(params)
    assert err.startswith("history_backend=redis: cannot reach Redis at redis://127.0.0.1:1/0 (")
    assert "ConnectionError" in err
