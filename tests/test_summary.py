import polars as pl

from transforms.summary import run_summary, summary_markdown


def test_summary_counts_from_frames():
    articles = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "source": ["x", "x", "y"],
            "removed": [
                [{"line": 1, "rule": "read_more", "text": "Read More:"}],
                [],
                [
                    {"line": 2, "rule": "read_more", "text": "Read More: x"},
                    {"line": 5, "rule": "repeated_line", "text": "© x"},
                ],
            ],
            "cluster_id": ["a", "a", "c"],
            "is_duplicate": [False, True, False],
            "copy_kind": [None, "near", None],
            "is_roundup": [False, False, True],
        }
    )
    rejected = pl.DataFrame({"reason": ["bad_json", "too_short", "bad_json"]})
    s = run_summary(articles, rejected)
    assert (s["records_in"], s["articles"], s["rejected"]) == (6, 3, 3)
    assert s["rejected_by_reason"] == {"bad_json": 2, "too_short": 1}
    assert s["lines_removed_by_rule"] == {"read_more": 2, "repeated_line": 1}
    assert (s["duplicates"], s["by_kind"], s["clusters_touched"], s["roundups"]) == (1, {"near": 1}, 1, 1)
    md = summary_markdown({**s, "run_id": "r1", "new_clusters": 1})
    assert "records in: **6** = articles **3** + rejected **3**" in md
    assert "| read_more | 2 |" in md and "(1 new)" in md


def test_summary_of_an_empty_run():
    s = run_summary(pl.DataFrame(), pl.DataFrame())
    assert (s["records_in"], s["rejected_by_reason"], s["lines_removed"]) == (0, {}, 0)
