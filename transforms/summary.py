"""Run summary computed from the output frames: one vocabulary (total, kept, <reason>) for every count."""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["run_summary", "summary_markdown"]


def _counts(df: pl.DataFrame, column: str) -> dict[str, int]:
    if df.is_empty():
        return {}
    vc = df.group_by(column).len().sort(["len", column], descending=[True, False])
    return {str(k): int(v) for k, v in vc.iter_rows()}


def run_summary(
    articles: pl.DataFrame, rejected: pl.DataFrame, skipped: dict[str, int] | None = None
) -> dict[str, Any]:
    """Counts of one run. ``records_in == articles + rejected`` by construction of the readers;
    ``skipped`` counts the input records that are not documents (WARC requests, metadata, non-HTML
    responses…), by kind, outside ``records_in``."""
    removed: dict[str, int] = {}
    if "removed" in articles.columns and not articles.is_empty():
        rules = articles.select(pl.col("removed").explode().struct.field("rule").alias("rule")).drop_nulls()
        removed = _counts(rules, "rule")
    dup: dict[str, Any] = {}
    if "is_duplicate" in articles.columns:
        dups = articles.filter(pl.col("is_duplicate"))
        dup = {
            "duplicates": dups.height,
            "by_kind": _counts(dups, "copy_kind") if "copy_kind" in dups.columns else {},
            "clusters_touched": int(
                articles.filter(pl.col("cluster_id").is_not_null())
                .group_by("cluster_id")
                .len()
                .filter(pl.col("len") > 1)
                .height
            )
            if "cluster_id" in articles.columns
            else 0,
            "roundups": int(articles["is_roundup"].sum()) if "is_roundup" in articles.columns else 0,
        }
    return {
        "records_in": articles.height + rejected.height,
        "articles": articles.height,
        "rejected": rejected.height,
        "rejected_by_reason": _counts(rejected, "reason"),
        "skipped": sum((skipped or {}).values()),
        "skipped_by_kind": dict(sorted((skipped or {}).items(), key=lambda kv: (-kv[1], kv[0]))),
        "articles_by_source": _counts(articles, "source"),
        "lines_removed": sum(removed.values()),
        "lines_removed_by_rule": removed,
        **dup,
    }


def summary_markdown(summary: dict[str, Any]) -> str:
    """The summary as markdown (Prefect artifact, CLI)."""
    lines = [
        f"# wirewash run {summary.get('run_id', '')}",
        "",
        f"- records in: **{summary['records_in']}** = articles **{summary['articles']}** "
        f"+ rejected **{summary['rejected']}**",
    ]
    if summary.get("skipped"):
        kinds = ", ".join(f"{k}: {v}" for k, v in summary["skipped_by_kind"].items())
        lines.append(f"- skipped, not documents: **{summary['skipped']}** ({kinds})")
    if "duplicates" in summary:
        lines.append(
            f"- duplicates flagged: **{summary['duplicates']}** "
            f"({', '.join(f'{k}: {v}' for k, v in summary['by_kind'].items()) or 'none'}); "
            f"clusters with copies: {summary['clusters_touched']}"
            + (f" ({summary['new_clusters']} new)" if "new_clusters" in summary else "")
            + f"; roundups: {summary['roundups']}"
        )
    for title, key in (
        ("Rejected by reason", "rejected_by_reason"),
        ("Lines removed by rule", "lines_removed_by_rule"),
        ("Articles by outlet", "articles_by_source"),
    ):
        rows = summary.get(key) or {}
        if rows:
            lines += ["", f"## {title}", "", "| | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in rows.items()]
    return "\n".join(lines) + "\n"
