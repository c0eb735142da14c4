"""The line-statistics reduce between the shards' read and clean passes (`flows.linestate`): the
union of the shards' evidence and the repeated lines equal one pass over all of it, earlier runs'
evidence pooled in, whatever the outlets' names (null included)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.linestate import reduce_evidence
from flows.store import OutputLayout
from transforms.linestats import EVIDENCE_SCHEMA, LineStatsConfig, repeated_lines

CONFIG = LineStatsConfig(min_docs=3, min_share=0.0)


def _rows(rows: list[tuple[str | None, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row")


def _write(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def test_reduce_equals_one_pass_with_earlier_evidence(tmp_path: Path) -> None:
    # line 7 of b.example in 2 stories here and 1 earlier: repeated only with the earlier run's row;
    # line 9 of the unnamed outlet in 3 stories (never repeated, as in one pass); a.example's 5 in 2
    one = _rows(
        [("b.example", 7, 100), ("a.example", 5, 1), (None, 9, 11), (None, 9, 12), ("b.example", 8, 100)]
    )
    two = _rows(
        [("b.example", 7, 101), ("a.example", 5, 2), (None, 9, 13), (None, 9, 12), ("b.example", 8, 100)]
    )
    earlier = _rows([("b.example", 7, 90), ("c.example", 7, 1), ("c.example", 7, 2), ("c.example", 7, 3)])
    layout = OutputLayout(tmp_path / "out")
    _write(earlier, layout.run_part("_state/linestats", "r0"))
    paths = [_write(one, tmp_path / "e1.parquet"), _write(two, tmp_path / "e2.parquet")]
    stats = reduce_evidence(paths, layout, CONFIG, tmp_path / "rep.parquet", tmp_path / "run.parquet")

    union = pl.concat([one, two]).unique().sort("source", "line_hash", "evidence_key")
    run = pl.read_parquet(tmp_path / "run.parquet")
    assert run.schema == pl.Schema(EVIDENCE_SCHEMA)
    assert run.to_dicts() == union.to_dicts()  # sorted by outlet name, nulls first
    repeated = pl.read_parquet(tmp_path / "rep.parquet")
    # c.example's line is earlier runs' alone: not this run's concern
    assert repeated.to_dicts() == [{"source": "b.example", "line_hash": 7}]
    assert repeated.equals(repeated_lines(pl.concat([union, earlier.head(1)]), CONFIG))
    assert stats == {"evidence_rows": 8, "repeated_lines": 1}


def test_reduce_of_no_shards_writes_empty_tables(tmp_path: Path) -> None:
    stats = reduce_evidence(
        [], OutputLayout(tmp_path / "out"), CONFIG, tmp_path / "r.parquet", tmp_path / "e.parquet"
    )
    assert stats == {"evidence_rows": 0, "repeated_lines": 0}
    assert pl.read_parquet(tmp_path / "e.parquet").schema == pl.Schema(EVIDENCE_SCHEMA)
    assert pl.read_parquet(tmp_path / "r.parquet").height == 0
