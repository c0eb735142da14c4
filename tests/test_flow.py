"""The clean-news flow end to end on the sample corpus, under one shared Prefect harness; and the
operating guarantees: re-runs add nothing, history catches tomorrow's copy, changed files supersede,
a run killed mid-write is recovered, two runs at once never double rows."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.prefect

SAMPLE = REPO / "data" / "raw"
TRUTH = json.loads((REPO / "data" / "README.md").read_text().split("```json\n", 1)[1].split("```", 1)[0])
WIRE = TRUTH["doc_groups"]["wire_eastmouth_strike"]


def key(row: dict) -> str:
    return row["source_path"] + (f":{row['source_line']}" if row["source_line"] is not None else "")


def articles(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "articles" / "**" / "*.parquet")


def rejected(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "rejected" / "**" / "*.parquet")


@pytest.fixture(scope="module")
def sample_run(prefect_harness, tmp_path_factory):
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    base = tmp_path_factory.mktemp("flow")
    raw, out = base / "raw", base / "out"
    shutil.copytree(SAMPLE, raw)
    summary = clean_news(params=CleanNewsParams(raw_dir=str(raw), out_dir=str(out), workers=1))
    return raw, out, summary


def test_sample_corpus_conservation_and_rejects(sample_run):
    raw, out, summary = sample_run
    arts, rej = articles(out), rejected(out)
    assert summary["records_in"] == 26 == arts.height + rej.height
    assert arts.height == TRUTH["articles"] == 23
    assert {key(r): r["reason"] for r in rej.iter_rows(named=True)} == TRUTH["rejected"]
    assert arts["doc_id"].n_unique() == arts.height
    assert summary["rejected_by_reason"] == {"bad_json": 1, "empty_file": 1, "no_article": 1}
    assert summary["lines_removed_by_rule"]["repeated_line"] >= 4
    for col in (
        "doc_id",
        "source",
        "source_path",
        "source_line",
        "url",
        "title",
        "published",
        "text",
        "raw_chars",
        "clean_chars",
        "run_id",
        "ingested_at",
        "removed",
        "cluster_id",
        "is_duplicate",
        "duplicate_of",
        "similarity",
        "containment",
        "copy_kind",
        "is_roundup",
    ):
        assert col in arts.columns, col
    assert (out / "runs" / f"{summary['run_id']}.json").is_file()


def test_sample_corpus_wire_story_clusters_and_negatives_stay_apart(sample_run):
    _, out, _ = sample_run
    arts = articles(out).with_columns(
        key=pl.struct("source_path", "source_line").map_elements(key, return_dtype=pl.String)
    )
    by_key = {r["key"]: r for r in arts.iter_rows(named=True)}
    wire = {by_key[k]["cluster_id"] for k in WIRE["members"] + WIRE["partial_copies"]}
    assert len(wire) == 1
    cluster = wire.pop()
    members = arts.filter(pl.col("cluster_id") == cluster)
    assert members.height == 4 and members["is_duplicate"].sum() == 3
    assert set(members["source"]) == {
        "harbor-times",
        "easternledger.example",
        "metrowire.example",
        "briefly.example",
    }
    assert by_key[WIRE["partial_copies"][0]]["copy_kind"] == "excerpt"
    canonical = members.filter(~pl.col("is_duplicate"))["doc_id"].item()
    assert set(members.filter(pl.col("is_duplicate"))["duplicate_of"]) == {canonical}
    for neg in TRUTH["hard_negatives"]:
        assert by_key[neg]["cluster_id"] != cluster, neg
    a, b = TRUTH["doc_groups"]["crane_driver_interview"]["members"]
    assert by_key[a]["cluster_id"] == by_key[b]["cluster_id"]
    assert by_key[b]["copy_kind"] == "exact"
    clusters = pl.read_parquet(out / "clusters" / "clusters.parquet")
    assert clusters.filter(pl.col("cluster_id") == cluster)["size"].item() == 4


def test_cleaning_in_the_flow_removes_noise_keeps_body(sample_run):
    _, out, _ = sample_run
    text = "\n".join(articles(out)["text"])
    for noise in (
        "Skip to toolbar",
        "© 2026 Harbor Times Media",
        "Read More:",
        "{{free_limit}}",
        "Sign up for our morning briefing",
    ):
        assert noise not in text, noise
    assert "Café" in text or "café" in text  # the cp1252 file decoded right


def test_rerun_adds_nothing_then_history_flags_tomorrows_copy(sample_run):
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    raw, out, first = sample_run
    params = CleanNewsParams(raw_dir=str(raw), out_dir=str(out), workers=1)
    before = articles(out).height
    again = clean_news(params=params)
    assert again["records_in"] == 0 and articles(out).height == before
    # tomorrow: another outlet runs the wire story, with its own headline and boilerplate
    wire_txt = (raw / WIRE["members"][0]).read_text(encoding="utf-8-sig")
    body = [
        ln
        for ln in wire_txt.splitlines()
        if ln.startswith(("LONDON", "About", "Northgate", "DHWU", "Shipping", "Eastmouth handled"))
    ]
    copy = "Strike shuts Eastmouth port\n\nBy Wire Staff\n\n" + "\n\n".join(body) + "\n\nFollow us on X\n"
    (raw / "tomorrow-daily").mkdir()
    (raw / "tomorrow-daily" / "port-strike.txt").write_text(copy, encoding="utf-8")
    third = clean_news(params=params)
    assert third["records_in"] == 1
    new = articles(out).filter(pl.col("source_path") == "tomorrow-daily/port-strike.txt")
    assert new["is_duplicate"].item() is True
    wire_cluster = articles(out).filter(pl.col("source_path") == WIRE["members"][0])["cluster_id"].item()
    assert new["cluster_id"].item() == wire_cluster
    clusters = pl.read_parquet(out / "clusters" / "clusters.parquet")
    assert clusters.filter(pl.col("cluster_id") == wire_cluster)["size"].item() == 5


def test_changed_file_supersedes_its_rows(sample_run):
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    raw, out, _ = sample_run
    params = CleanNewsParams(raw_dir=str(raw), out_dir=str(out), workers=1)
    path = raw / "scraper" / "broken-lines.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    fixed = [lines[0], lines[2]]  # the broken line dropped: the good ones move
    path.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    before = articles(out).height
    clean_news(params=params)
    rows = articles(out).filter(pl.col("source_path") == "scraper/broken-lines.jsonl")
    assert sorted(rows["source_line"].to_list()) == [1, 2]
    assert articles(out).height == before  # two rows replaced two, none doubled
    assert rejected(out).filter(pl.col("source_path") == "scraper/broken-lines.jsonl").height == 0


# ------------------------------------------------------------------ crash and concurrency, as processes

CRASH = textwrap.dedent(
    """
    import os, sys
    import flows.store as store
    point = sys.argv[3]
    if point == "before-summary":
        store.write_json_atomic = lambda *a, **k: os._exit(9)   # dies like kill -9 after tables moved
    elif point == "mid-shards":   # dies like kill -9 while the shards are being cleaned
        import flows.shards as shards
        real_clean, calls = shards.clean_shard, [0]
        def clean_shard(*a, **k):
            calls[0] += 1
            if calls[0] == 3:
                os._exit(9)
            return real_clean(*a, **k)
        shards.clean_shard = clean_shard
        import flows.pipeline as pipeline
        pipeline.clean_shard = clean_shard
    elif point == "mid-move":
        real, n = os.replace, [0]
        def replace(src, dst):
            n[0] += 1
            if "_staging" in str(src) and n[0] > 1:
                os._exit(9)
            return real(src, dst)
        store.os.replace = replace
    from flows.cli import main
    sys.exit(main(["run", "--raw", sys.argv[1], "--out", sys.argv[2], "--set", "workers=1"]))
    """
)


def _env(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)  # each process starts its own temporary server
    return env


def _start(args: list[str], home: Path, log: Path) -> subprocess.Popen:
    # Output to a file, not a pipe: a process killed mid-run leaves its temporary Prefect server behind,
    # which would hold a pipe open. Its own session, so the whole group can be reaped afterwards.
    with log.open("w") as fh:
        return subprocess.Popen(
            [sys.executable, *args],
            env=_env(home),
            cwd=REPO,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _finish(proc: subprocess.Popen, log: Path) -> tuple[int, str]:
    try:
        code = proc.wait(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the orphaned temporary server, if any
    return code, log.read_text(errors="replace")


def _run(args: list[str], home: Path, log: Path) -> tuple[int, str]:
    return _finish(_start(args, home, log), log)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["mid-shards", "mid-move", "before-summary"])
def test_killed_run_is_recovered_without_loss_or_doubles(tmp_path, point, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(SAMPLE, raw)
    monkeypatch.setenv("WIREWASH_SHARD_BYTES", "4000")  # several shards, several parts per table
    code, log = _run(["-c", CRASH, str(raw), str(out), point], tmp_path / "home", tmp_path / "crash.log")
    assert code == 9, log[-2000:]
    assert not list(out.rglob("runs/*.json"))  # never committed
    assert (out / "articles").exists() or point in ("mid-move", "mid-shards")  # tables were in place
    code, log = _run(
        ["-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out), "--set", "workers=1"],
        tmp_path / "home",
        tmp_path / "ok.log",
    )
    assert code == 0, log[-2000:]
    arts, rej = articles(out), rejected(out)
    assert arts.height == 23 and rej.height == 3 and arts["doc_id"].n_unique() == 23
    assert not list(out.rglob("*.tmp"))
    assert not (out / "_staging").exists() or not any((out / "_staging").iterdir())
    assert "rolled back" in log or point == "mid-move"
    assert len(list(out.glob("articles/run-*/part-*.parquet"))) > 1


@pytest.mark.slow
def test_two_runs_at_once_never_double(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(SAMPLE, raw)
    cmd = ["-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out), "--set", "workers=1"]
    procs = [_start(cmd, tmp_path / f"h{i}", tmp_path / f"run{i}.log") for i in range(2)]
    results = [_finish(p, tmp_path / f"run{i}.log") for i, p in enumerate(procs)]
    assert [code for code, _ in results] == [0, 0], [log[-1500:] for _, log in results]
    arts = articles(out)
    assert arts.height == 23 and arts["doc_id"].n_unique() == 23
    assert sorted(json.loads(p.read_text())["records_in"] for p in (out / "runs").glob("*.json")) == [0, 26]


@pytest.mark.slow
def test_second_run_refuses_when_told_not_to_wait(tmp_path):
    from flows.state import output_lock
    from flows.store import OutputLayout

    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(SAMPLE, raw)
    with output_lock(OutputLayout(out), 0, "test-holder"):
        code, log = _run(
            ["-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out), "--set", "lock_wait_seconds=0"],
            tmp_path / "home",
            tmp_path / "refused.log",
        )
    assert code != 0
    assert "another wirewash run is writing to" in log
    assert not (out / "articles").exists()


def test_excerpt_arriving_later_joins_the_story_kept_earlier(prefect_harness, tmp_path):
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "harbor-times").mkdir(parents=True)
    full = WIRE["members"][0]
    shutil.copy(SAMPLE / full, raw / full)
    params = CleanNewsParams(
        raw_dir=str(raw), out_dir=str(out), workers=1, min_clean_chars=100, min_clean_words=20
    )
    clean_news(params=params)
    # the next day an aggregator runs the first paragraphs only (Jaccard to the story ~0.2)
    excerpt_line = next(
        json.loads(ln)
        for i, ln in enumerate((SAMPLE / "scraper" / "crawl-2026-03-03.jsonl").read_text().splitlines(), 1)
        if f"scraper/crawl-2026-03-03.jsonl:{i}" in WIRE["partial_copies"]
    )
    (raw / "briefly").mkdir()
    (raw / "briefly" / "excerpt.jsonl").write_text(json.dumps(excerpt_line) + "\n", encoding="utf-8")
    summary = clean_news(params=params)
    assert summary["records_in"] == 1
    arts = articles(out)
    story = arts.filter(pl.col("source_path") == full)
    excerpt = arts.filter(pl.col("source_path") == "briefly/excerpt.jsonl")
    assert excerpt["copy_kind"].item() == "excerpt"
    assert excerpt["cluster_id"].item() == story["cluster_id"].item()
    assert excerpt["duplicate_of"].item() == story["doc_id"].item()
    assert excerpt["similarity"].item() < 0.5 < excerpt["containment"].item()


def test_an_output_folder_inside_the_raw_folder_is_not_read(prefect_harness, tmp_path):
    """``--out raw/clean``: the run's own tables, state and summaries are not input, so the second run
    reads nothing and rejects nothing (each run rejected its own files as unsupported_type before)."""
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE / "harbor-times", raw / "harbor-times")
    params = CleanNewsParams(raw_dir=str(raw), out_dir=str(raw / "clean"), workers=1)
    first = clean_news(params=params)
    assert first["records_in"] == len(list((raw / "harbor-times").iterdir())) > 0
    again = clean_news(params=params)
    assert again["records_in"] == 0
    parts = list((raw / "clean").glob("rejected/**/*.parquet"))
    own = pl.col("source_path").str.starts_with("clean/")
    assert not parts or rejected(raw / "clean").filter(own).is_empty()


# one-sentence briefs as outlets print them: the wire story's lead (a copy of it), an unrelated brief
# (a copy of nothing) and a line too short for either (under 16 words)
BRIEFS = [
    "Dockworkers at Eastmouth, which handles roughly a fifth of Britain's container traffic, walked out "
    "on Tuesday at the start of a 72-hour strike over pay and automation.",
    "The county council will meet on Thursday evening to vote on the budget for a new library beside "
    "the seafront promenade.",
    "Tickets for the summer concert go on sale next week.",
]
LATER_BRIEF = (
    "About 1,900 members of the Dockers' and Harbour Workers' Union (DHWU) stopped work at 6 a.m. after "
    "talks with operator Northgate Terminals broke down late on Monday."
)


def _jsonl(path: Path, texts: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"url": f"https://briefs.example/{i}", "title": f"Brief {i}", "text": t, "source": "briefs.example"}
        for i, t in enumerate(texts, 1)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_a_brief_of_a_kept_story_is_kept_as_its_copy_others_stay_too_short(prefect_harness, tmp_path):
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    raw, out = tmp_path / "raw", tmp_path / "out"
    for member in WIRE["members"][:2]:
        (raw / member).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / member, raw / member)
    _jsonl(raw / "briefly" / "briefs.jsonl", BRIEFS)
    params = CleanNewsParams(raw_dir=str(raw), out_dir=str(out), workers=1)
    summary = clean_news(params=params)
    assert (summary["records_in"], summary["articles"], summary["rejected"]) == (5, 3, 2)
    assert summary["short_copies"] == 1 and summary["rejected_by_reason"] == {"too_short": 2}
    arts = articles(out)
    story = arts.filter(pl.col("source_path") != "briefly/briefs.jsonl")
    canonical = story.filter(~pl.col("is_duplicate"))["doc_id"].item()
    brief = arts.filter(pl.col("source_path") == "briefly/briefs.jsonl").row(0, named=True)
    assert (brief["source_line"], brief["text"], brief["clean_chars"]) == (1, BRIEFS[0], len(BRIEFS[0]))
    assert brief["is_duplicate"] and not brief["is_roundup"] and brief["copy_kind"] == "excerpt"
    assert (brief["cluster_id"], brief["duplicate_of"]) == (story["cluster_id"][0], canonical)
    assert brief["matched_to"] in story["doc_id"].to_list() and brief["match_containment"] == 1.0
    rej = rejected(out).sort("source_line")
    assert rej["source_line"].to_list() == [2, 3] and rej["reason"].to_list() == ["too_short"] * 2
    assert rej["detail"][0] == "119 chars / 21 words left after cleaning (min 200 / 30); 0 of 1 lines removed"
    cluster = pl.read_parquet(out / "clusters" / "clusters.parquet").row(0, named=True)
    assert (cluster["size"], cluster["n_excerpt"], cluster["canonical_id"]) == (3, 1, canonical)
    assert "briefs.example" in cluster["sources"]

    # the next day another brief of the story: it joins the story kept yesterday, through history
    _jsonl(raw / "briefly" / "later.jsonl", [LATER_BRIEF])
    summary = clean_news(params=params)
    assert (summary["records_in"], summary["articles"], summary["short_copies"]) == (1, 1, 1)
    later = articles(out).filter(pl.col("source_path") == "briefly/later.jsonl").row(0, named=True)
    assert (later["cluster_id"], later["duplicate_of"]) == (story["cluster_id"][0], canonical)
    cluster = pl.read_parquet(out / "clusters" / "clusters.parquet").row(0, named=True)
    assert (cluster["size"], cluster["n_excerpt"]) == (4, 2)


def _comparable(out: Path) -> dict[str, pl.DataFrame]:
    """A run's tables without the columns that name the run."""
    drop = ["run_id", "ingested_at"]
    return {
        "articles": articles(out).drop(drop).sort("doc_id"),
        "rejected": rejected(out).drop(drop).sort("source_path", "source_line", "reason"),
        "clusters": pl.read_parquet(out / "clusters" / "clusters.parquet").sort("cluster_id"),
    }


@pytest.mark.slow
def test_sharded_and_dask_runs_equal_the_one_shard_run(prefect_harness, tmp_path, monkeypatch):
    """Same doc_ids, clusters, canonical copies, duplicate links (short copies too), removed lines and
    rejects whatever the shard size and the executor: one shard in-process, 4 KB shards on a 2-worker
    Dask LocalCluster."""
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    _jsonl(raw / "briefly" / "briefs.jsonl", BRIEFS)  # a short copy in one shard, its story in another
    one = clean_news(params=CleanNewsParams(raw_dir=str(raw), out_dir=str(tmp_path / "one"), workers=1))
    monkeypatch.setenv("WIREWASH_SHARD_BYTES", "4000")
    many = clean_news(
        params=CleanNewsParams(raw_dir=str(raw), out_dir=str(tmp_path / "dask"), dask="local:2")
    )
    assert one["shards"] == 1 and many["shards"] > 8
    assert len(list((tmp_path / "dask").glob("articles/run-*/part-*.parquet"))) > 1
    a, b = _comparable(tmp_path / "one"), _comparable(tmp_path / "dask")
    for name in a:
        assert a[name].equals(b[name]), name
    assert a["articles"].height == 24 and a["rejected"].height == 5
    assert (
        a["articles"].filter(pl.col("source_path") == "briefly/briefs.jsonl")["copy_kind"].item() == "excerpt"
    )
