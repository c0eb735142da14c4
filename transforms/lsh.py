"""LSH banding over MinHash signatures: band keys in numpy, bucket join compiled.

A band key is a 63-bit hash of the band number and the band's `rows` signature values (our own
arithmetic: stable, so keys can be persisted and queried across runs; the top bit is kept clear to
tell band keys from containment keys in one index). Two documents are candidates
when they share a key in at least one band: `candidate_pairs_array` joins the buckets in a compiled
hash join; `candidate_pairs`, one polars self-join on (band, key), is its readable reference.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms import kernels
from transforms.kernels import fmix64

__all__ = [
    "BAND_KEY_SCHEMA",
    "KEY_TAG",
    "band_key_frame",
    "band_keys_array",
    "candidate_pairs",
    "candidate_pairs_array",
]

BAND_KEY_SCHEMA = {"band": pl.UInt16(), "key": pl.UInt64()}
_G = np.uint64(0x9E3779B97F4A7C15)
# The top bit of a persisted lookup key says its kind: clear for band keys, set for containment keys
# (transforms.dedup.keys.containment_keys), so the two kinds can never be equal in one key index.
KEY_TAG = np.uint64(1 << 63)


def band_keys_array(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """`(n_docs, bands)` uint64 keys from `(n_docs, >= bands * rows)` uint32 signatures; the top bit
    is always clear (`KEY_TAG`)."""
    n = signatures.shape[0]
    sig = signatures[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    h = np.broadcast_to((np.arange(bands, dtype=np.uint64) + np.uint64(1)) * _G, (n, bands)).copy()
    for r in range(rows):
        h = fmix64(h ^ sig[:, :, r])
    return h & ~KEY_TAG


def band_key_frame(doc_index: np.ndarray, keys: np.ndarray) -> pl.DataFrame:
    """Long frame (doc, band, key) from `(n_docs, bands)` keys; `doc_index` labels the rows."""
    n, bands = keys.shape
    return pl.DataFrame(
        {
            "doc": np.repeat(np.asarray(doc_index, dtype=np.int64), bands),
            "band": np.tile(np.arange(bands, dtype=np.uint16), n),
            "key": keys.reshape(-1),
        }
    )


def candidate_pairs(keys: pl.DataFrame, others: pl.DataFrame | None = None) -> pl.DataFrame:
    """Distinct pairs (left, right) of documents sharing a band key.

    Without `others`: pairs within `keys` with left < right. With `others` (e.g. history): every
    pair (left from `keys`, right from `others`). Input frames have columns doc, band, key.
    """
    if others is None:
        joined = keys.join(keys, on=["band", "key"], suffix="_r").filter(pl.col("doc") < pl.col("doc_r"))
    else:
        joined = keys.join(others, on=["band", "key"], suffix="_r")
    return joined.select(left=pl.col("doc"), right=pl.col("doc_r")).unique().sort("left", "right")


def candidate_pairs_array(
    docs: np.ndarray,
    keys: np.ndarray,
    other_docs: np.ndarray | None = None,
    other_keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`candidate_pairs` on arrays: documents `docs` with band keys `keys` (n, bands), against
    themselves (left < right) or against `other_docs`/`other_keys`. Distinct pairs sorted by
    (left, right). A compiled hash join per band (`kernels.shared_key_pairs`): 10x the polars join."""
    docs = np.asarray(docs, np.int64)
    keys = np.ascontiguousarray(keys, np.uint64)
    if other_docs is None:
        left, right = kernels.shared_key_pairs(keys, docs, keys, docs, True)
    else:
        other = np.ascontiguousarray(other_keys, np.uint64)
        left, right = kernels.shared_key_pairs(keys, docs, other, np.asarray(other_docs, np.int64), False)
    if not left.size:
        return left, right
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    first = np.ones(left.size, bool)
    first[1:] = (left[1:] != left[:-1]) | (right[1:] != right[:-1])
    return left[first], right[first]
