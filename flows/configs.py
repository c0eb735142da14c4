"""Every stage's config built from the flow parameters, in one place."""

from __future__ import annotations

import os
from pathlib import Path

from flows.params import CleanNewsParams
from flows.readers import ReadLimits
from transforms.clean import CleanConfig
from transforms.dedup import DedupConfig
from transforms.extract import ExtractConfig
from transforms.outlet_rules import parse_outlet_rules

__all__ = [
    "clean_config",
    "dedup_config",
    "history_fingerprint",
    "load_outlet_rules",
    "read_limits",
    "workers",
]


def workers(p: CleanNewsParams) -> int:
    """Processes (and dedup threads) to use: ``workers``, or one per core (at most 8) when it is 0."""
    return p.workers or max(1, min(os.cpu_count() or 1, 8))


def read_limits(p: CleanNewsParams) -> ReadLimits:
    mode = p.html_extraction
    return ReadLimits(
        max_file_bytes=p.max_file_mb * 1024 * 1024,
        max_record_bytes=p.max_record_mb * 1024 * 1024,
        max_decompressed_bytes=p.max_decompressed_mb * 1024 * 1024,
        extract=ExtractConfig(
            favor_precision=mode == "precision", favor_recall=mode == "recall", views=p.html_views
        ),
    )


def clean_config(p: CleanNewsParams) -> CleanConfig:
    return CleanConfig(
        min_clean_chars=p.min_clean_chars,
        min_clean_words=p.min_clean_words,
        min_copy_words=p.min_copy_words,
        repeated_min_docs=p.repeated_min_docs,
        repeated_min_share=p.repeated_min_share,
    )


def dedup_config(p: CleanNewsParams, threads: int | None = None) -> DedupConfig:
    """``threads`` overrides the dedup threads (a shard task sketches on one thread: the shards are the
    parallelism there); by default the global step uses ``workers`` threads."""
    rows = 8 if p.num_perm >= 64 else 4
    return DedupConfig(
        shingle_size=p.shingle_size,
        num_perm=p.num_perm,
        bands=p.num_perm // rows,
        rows=rows,
        jaccard_threshold=p.jaccard_threshold,
        containment_threshold=p.containment_threshold,
        min_excerpt_shingles=p.min_excerpt_shingles,
        workers=threads if threads is not None else workers(p),
    )


def history_fingerprint(config: DedupConfig) -> str:
    """The settings the history keys depend on: an index built with others is refused."""
    return (
        f"shingle_size={config.shingle_size} num_perm={config.num_perm} bands={config.bands} "
        f"rows={config.rows} seed={config.seed} sample_bits={config.sample_bits}"
    )


def load_outlet_rules(path: str | None) -> dict:
    """Extra rules per outlet from the TOML file; a missing file means none, a broken one fails the run
    before anything is written (a typo must not silently switch rules off)."""
    if not path or not Path(path).is_file():
        return {}
    return parse_outlet_rules(Path(path).read_text(encoding="utf-8"))
