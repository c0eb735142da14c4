"""The seeds bar: every boilerplate line removed, every body line kept, at least 5 of 6 captions removed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl
import pytest

from transforms.clean import CleanConfig, clean_frame
from transforms.schema import RECORD_SCHEMA

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
LABELS = SHARED / "eval" / "seeds_lines.jsonl"

pytestmark = pytest.mark.skipif(not LABELS.exists(), reason=f"seed labels not found at {LABELS}")


def _seeds() -> tuple[pl.DataFrame, dict[str, dict[int, str]]]:
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for line in LABELS.read_text().splitlines():
        d = json.loads(line)
        labels[d["file"]][d["line"]] = d["label"]
    rows = [
        {
            "doc_id": f"{i:016x}",
            "source": "seeds",
            "source_path": f,
            "format": "txt",
            "raw_text": (SHARED / "seeds" / f).read_text(encoding="utf-8"),
            "raw_chars": 0,
        }
        for i, f in enumerate(sorted(labels))
    ]
    return pl.DataFrame(rows).with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in RECORD_SCHEMA.items() if c not in rows[0]]
    ).select(list(RECORD_SCHEMA)).cast(RECORD_SCHEMA), labels  # type: ignore[arg-type]


def test_seeds_bar() -> None:
    records, labels = _seeds()
    articles, rejected = clean_frame(records, CleanConfig())
    assert rejected.is_empty()
    outcome: Counter[tuple[str, str]] = Counter()
    for row in articles.iter_rows(named=True):
        removed = {r["line"] for r in row["removed"]}
        for n, label in labels[row["source_path"]].items():
            outcome[(label, "removed" if n in removed else "kept")] += 1
    assert outcome[("body", "removed")] == 0
    assert outcome[("boilerplate", "kept")] == 0
    assert outcome[("caption", "removed")] >= 5
    assert outcome[("body", "kept")] == 57 and outcome[("boilerplate", "removed")] == 44


def test_seeds_title_and_date() -> None:
    records, _ = _seeds()
    articles, _ = clean_frame(records, CleanConfig())
    by_file = {r["source_path"]: r for r in articles.iter_rows(named=True)}
    assert (
        by_file["001_79d67f101bb9e229.txt"]["title"]
        == "Putin hails closer Moscow-Ankara ties on Syria crisis"
    )
    assert str(by_file["002_3a8e3ac0ff9c503c.txt"]["published"]) == "2016-09-09 08:00:00+00:00"
    assert by_file["003_66c067e97f91fbe7.txt"]["title"] is None
