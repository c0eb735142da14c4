"""Line statistics across shards: the reduce step between the shards' read pass and their clean pass.

Each shard stages its evidence rows (``transforms.linestats.line_evidence``: one per outlet, line and
story). Evidence is per document, so the union of the shards' rows is exactly the evidence a single
pass over the run would give; pooled with the earlier runs' evidence for the same lines, thresholded
once, the repeated lines are the same as in one pass, whatever the sharding.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.store import OutputLayout, write_parquet_atomic
from transforms.linestats import EVIDENCE_SCHEMA, LineStatsConfig, repeated_lines

__all__ = ["reduce_evidence"]


def reduce_evidence(
    evidence_paths: list[Path],
    layout: OutputLayout,
    config: LineStatsConfig,
    repeated_out: Path,
    run_out: Path,
) -> dict[str, int]:
    """Write the run's evidence (the union of its shards', to persist) to ``run_out`` and the repeated
    lines (run + earlier evidence) to ``repeated_out``."""
    run = (
        pl.scan_parquet([str(p) for p in evidence_paths]).unique().collect()
        if evidence_paths
        else pl.DataFrame(schema=EVIDENCE_SCHEMA)
    )
    earlier = layout.scan("_state/linestats")
    if earlier is not None and run.height:
        seen = earlier.join(
            run.lazy().select("source", "line_hash").unique(), on=["source", "line_hash"], how="semi"
        )
        pooled = pl.concat([seen.collect(), run]).unique()
    else:
        pooled = run
    repeated = repeated_lines(pooled, config)
    write_parquet_atomic(run.sort("source", "line_hash", "evidence_key"), run_out)
    write_parquet_atomic(repeated, repeated_out)
    return {"evidence_rows": run.height, "repeated_lines": repeated.height}
