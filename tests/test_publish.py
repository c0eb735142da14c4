"""flows.publish: after a supersede, a story whose canonical copy was removed gets a new one."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from flows.publish import repair_canonicals
from flows.store import OutputLayout, write_parquet_atomic
from transforms.dedup import DEDUP_COLUMNS


def _row(doc_id: str, dup_of: str | None, kind: str | None, day: int, chars: int) -> dict:
    return {
        "doc_id": doc_id,
        "run_id": "r1",
        "text": f"text of {doc_id}",
        "published": datetime(2026, 3, day, tzinfo=UTC),
        "clean_chars": chars,
        "cluster_id": "a",
        "is_duplicate": dup_of is not None,
        "duplicate_of": dup_of,
        "similarity": 0.9 if dup_of else None,
        "containment": 0.9 if dup_of else None,
        "copy_kind": kind,
        "is_roundup": False,
        "matched_to": dup_of,
        "match_similarity": 0.9 if dup_of else None,
        "match_containment": 0.9 if dup_of else None,
    }


def _layout(tmp_path, rows: list[dict]) -> OutputLayout:
    layout = OutputLayout(tmp_path)
    schema = {"doc_id": pl.String, "run_id": pl.String, "text": pl.String}
    schema |= {"published": pl.Datetime("us", "UTC"), "clean_chars": pl.Int64} | dict(DEDUP_COLUMNS)
    write_parquet_atomic(pl.DataFrame(rows, schema=schema), layout.run_part("articles", "r1"))
    return layout


def test_a_removed_canonical_copy_is_replaced_by_the_rule(tmp_path):
    # "a" (the canonical copy) was superseded: its row is gone, "b", "c" and the excerpt "x" remain
    rows = [_row("b", "a", "near", 5, 900), _row("c", "a", "near", 4, 800), _row("x", "a", "excerpt", 1, 300)]
    layout = _layout(tmp_path, rows)
    assert repair_canonicals(layout) == 3
    out = pl.read_parquet(layout.run_part("articles", "r1")).sort("doc_id")
    # never an excerpt while a fuller copy remains, then the earliest: "c" (March 4) before "b" (March 5)
    assert out.select("doc_id", "is_duplicate", "duplicate_of", "copy_kind", "cluster_id").rows() == [
        ("b", True, "c", "near", "a"),
        ("c", False, None, None, "a"),
        ("x", True, "c", "excerpt", "a"),
    ]
    assert out.get_column("text").to_list() == ["text of b", "text of c", "text of x"]  # the rest untouched
    assert repair_canonicals(layout) == 0  # nothing dangles any more: idempotent


def test_nothing_to_repair_rewrites_nothing(tmp_path):
    layout = _layout(tmp_path, [_row("a", None, None, 1, 900), _row("b", "a", "near", 2, 800)])
    before = layout.run_part("articles", "r1").stat().st_mtime_ns
    assert repair_canonicals(layout) == 0
    assert layout.run_part("articles", "r1").stat().st_mtime_ns == before
