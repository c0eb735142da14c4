"""Which of a run's lookup keys go into the history index. Pure numpy.

Every document registers its LSH band keys (a near copy may match any copy of a story). Only canonical
copies register their containment keys (sampled shingles): an excerpt arriving later needs to find the
story once, not each of its copies, and a key's document count then counts distinct stories, so a
phrase shared by many stories reads as common (and is ignored) while a wire story run by 300 outlets
does not.
"""

from __future__ import annotations

import numpy as np

__all__ = ["keys_to_register"]


def keys_to_register(
    keys: np.ndarray, counts: np.ndarray, bands: int, canonical: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """From each document's keys (``bands`` band keys first, then its containment keys, back to back),
    keep all of a canonical document's and only the band keys of a duplicate."""
    counts = np.asarray(counts, dtype=np.int64)
    canonical = np.asarray(canonical, dtype=bool)
    # a mask of the keys kept, built without an index array the size of the keys (600 MB at 1M docs)
    keep = np.repeat(canonical, counts)
    starts = np.cumsum(counts) - counts
    first = np.arange(bands)
    keep[(starts[:, None] + first)[first < counts[:, None]]] = True
    kept_counts = np.where(canonical, counts, np.minimum(counts, bands))
    return np.asarray(keys)[keep], kept_counts
