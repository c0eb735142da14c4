"""Duplicate detection: exact, near (MinHash LSH + exact Jaccard) and partial copies (containment).

`dedup_frame` takes clean articles (and optionally the index rows of earlier runs) and returns the
articles with cluster columns, a clusters table, the roundup links and the index rows to persist.

Modules, each importing only the ones above it:

- `config`: `DedupConfig`; `schema`: the frames returned and persisted;
- `sketch`: `prepare` (shingle + sign + band in batches on worker threads, compiled kernels; each
  document's distinct shingles kept sorted, so every later exact check is a merge);
  `reference`: the same in plain numpy, the specification the kernels are pinned to;
- `rows`: shingle sets read row by row from a flat source (the sharded run's file), `HeldSets`;
- `keys`: a document's history lookup keys (band keys, containment keys);
- `overlap`: exact overlaps of two documents' shingles; `graph`: union-find, roots;
- `containment`: partial copies (excerpts, roundups) through a sampled-shingle index;
- `clusters`: canonical copy, duplicate columns, roundup links, the clusters table;
- `history`: index rows, history rows as arrays, `candidates_from_history` (the pure reference of
  the key index's look-up); `history_keys`: which keys a run registers;
- `frame`: `dedup_frame`, one function a step;
- `short`: `attach_short`, after `dedup_frame`: texts too short to be articles kept as copies of a
  kept story (never canonical, never a link between two stories).

History: a run persists `index_rows` (HISTORY_SCHEMA). A later run looks up `lookup_keys` of its
documents in a key index of earlier documents' keys: band keys find near copies, containment keys
(sampled shingles) find excerpts of earlier stories and fuller versions of earlier excerpts. The
rows found go to `dedup_frame(..., history=rows, prepared=...)`.
"""

from transforms.dedup.clusters import clusters_table, reelect_canonical, repair_dangling
from transforms.dedup.config import DedupConfig
from transforms.dedup.frame import dedup_frame
from transforms.dedup.graph import connected_components
from transforms.dedup.history import candidates_from_history
from transforms.dedup.history_keys import keys_to_register
from transforms.dedup.keys import band_keys, containment_keys, frequent_samples, lookup_keys, slice_prepared
from transforms.dedup.overlap import pair_overlap
from transforms.dedup.reference import distinct_sorted, prepare_reference
from transforms.dedup.schema import (
    CLUSTER_SCHEMA,
    DEDUP_COLUMNS,
    HISTORY_SCHEMA,
    MEMBER_COLUMNS,
    ROUNDUP_SCHEMA,
    DedupResult,
)
from transforms.dedup.short import attach_short
from transforms.dedup.sketch import Prepared, prepare, sampled_view, sketch_batch

__all__ = [
    "CLUSTER_SCHEMA",
    "DEDUP_COLUMNS",
    "HISTORY_SCHEMA",
    "MEMBER_COLUMNS",
    "ROUNDUP_SCHEMA",
    "DedupConfig",
    "DedupResult",
    "Prepared",
    "attach_short",
    "band_keys",
    "candidates_from_history",
    "clusters_table",
    "connected_components",
    "containment_keys",
    "dedup_frame",
    "distinct_sorted",
    "keys_to_register",
    "frequent_samples",
    "lookup_keys",
    "slice_prepared",
    "pair_overlap",
    "prepare",
    "sampled_view",
    "prepare_reference",
    "reelect_canonical",
    "repair_dangling",
    "sketch_batch",
]
