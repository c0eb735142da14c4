import polars as pl

from transforms.incremental import MANIFEST_SCHEMA, current_manifest, plan_inputs, select_todo, superseded


def manifest(rows):
    return pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")


FOUND = pl.DataFrame(
    {"source_path": ["a.txt", "b.txt", "c.txt", "d.txt"], "size": [10, 20, 30, 40], "mtime_ns": [1, 2, 3, 4]}
)
MANIFEST = manifest(
    [
        ("a.txt", 10, 1, "ha", "r1"),
        ("b.txt", 20, 1, "hb", "r1"),  # mtime differs now: touched, content to compare
        ("c.txt", 25, 3, "hc", "r1"),  # size differs
        ("c.txt", 30, 3, "hc2", "r0"),  # older entry, ignored
    ]
)


def test_plan_statuses():
    plan = plan_inputs(FOUND, MANIFEST)
    assert plan.select("source_path", "status", "known_sha256").rows() == [
        ("a.txt", "unchanged", "ha"),
        ("b.txt", "touched", "hb"),
        ("c.txt", "touched", "hc"),
        ("d.txt", "new", None),
    ]


def test_full_reprocesses_everything():
    plan = plan_inputs(FOUND, MANIFEST, full=True)
    assert plan["status"].to_list() == ["changed", "changed", "changed", "new"]


def test_empty_manifest_all_new():
    plan = plan_inputs(FOUND, manifest([]))
    assert set(plan["status"]) == {"new"}


def test_current_manifest_latest_run_wins():
    cur = current_manifest(MANIFEST.lazy()).collect().sort("source_path")
    assert cur.filter(pl.col("source_path") == "c.txt")["run_id"].to_list() == ["r1"]


def test_superseded_lists_older_runs_of_reprocessed_paths():
    m = manifest(
        [
            ("a.txt", 1, 1, "x", "r1"),
            ("a.txt", 2, 2, "y", "r2"),
            ("b.txt", 1, 1, "z", "r1"),
            ("a.txt", 3, 3, "w", "r3"),
        ]
    )
    assert superseded(m).rows() == [("r1", "a.txt"), ("r2", "a.txt")]
    assert superseded(manifest([("b.txt", 1, 1, "z", "r1")])).height == 0


def test_select_todo_skips_touched_files_whose_content_is_unchanged():
    plan = plan_inputs(FOUND, MANIFEST)  # a unchanged, b touched, c changed, d new
    hashes = pl.DataFrame({"source_path": ["b.txt", "c.txt", "d.txt"], "sha256": ["hb", "hc3", "hd"]})
    todo, rows = select_todo(plan, hashes, "r2")
    assert todo == ["c.txt", "d.txt"]  # b was touched but hashes as before
    assert rows.schema == pl.Schema(MANIFEST_SCHEMA)
    assert rows.select("source_path", "sha256", "run_id").rows() == [
        ("c.txt", "hc3", "r2"),
        ("d.txt", "hd", "r2"),
    ]
    changed, _ = select_todo(plan, hashes.with_columns(sha256=pl.lit("new")), "r2")
    assert changed == ["b.txt", "c.txt", "d.txt"]
