"""The run's artifacts: the largest-clusters table puts what a reader scans first on the left."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from flows.artifacts import CLUSTER_COLUMNS, largest_clusters_rows
from transforms.dedup import CLUSTER_SCHEMA


def _clusters() -> pl.DataFrame:
    t = datetime(2026, 3, 3, 7, 45, tzinfo=UTC)
    return pl.DataFrame(
        {
            "cluster_id": ["c1", "c2", "c3"],
            "canonical_id": ["d1", "d2", "d3"],
            "title": ["Short", "A" * 200, None],
            "size": [2, 5, 5],
            "n_full": [2, 4, 5],
            "n_excerpt": [0, 1, 0],
            "sources": [["a", "b"], ["x", "y", "z"], ["q"]],
            "urls": [["u1", "u2"], [], ["u3"]],
            "first_published": [t, t, None],
            "last_published": [t, t, None],
        },
        schema=CLUSTER_SCHEMA,
    )


def test_outlets_first_ids_last():
    rows = largest_clusters_rows(_clusters())
    assert list(rows[0]) == list(CLUSTER_COLUMNS)
    assert CLUSTER_COLUMNS[0] == "sources" and CLUSTER_COLUMNS[-2:] == ("cluster_id", "canonical_id")


def test_largest_first_titles_shortened_text_values():
    rows = largest_clusters_rows(_clusters(), n=2)
    assert [r["cluster_id"] for r in rows] == ["c2", "c3"]  # size 5 twice: ties by id
    assert rows[0]["sources"] == "x, y, z"
    assert rows[0]["title"] == "A" * 79 + "…"
    assert rows[0]["first_published"] == "2026-03-03 07:45"
    assert rows[1] == {
        "sources": "q",
        "size": "5",
        "title": "",
        "n_full": "5",
        "n_excerpt": "0",
        "first_published": "",
        "last_published": "",
        "urls": "u3",
        "cluster_id": "c3",
        "canonical_id": "d3",
    }
