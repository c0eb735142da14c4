"""MinHash signatures for a whole batch in numpy, bit-identical to `datasketch.MinHash(scheme="affine32")`.

datasketch is imported here and nowhere else, for the per-document reference the tests and benchmarks
compare against. Its permutation parameters are drawn here as datasketch 2.x draws them (a test holds
them equal to the library's): importing datasketch imports scipy, a second of start-up in every process.
affine32: h -> fmix32(h), then per permutation k: a_k * h + b_k mod 2^32, minimum over the set.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = ["EMPTY_HASH", "permutations", "reference_signature", "signatures"]

EMPTY_HASH = np.uint32(0xFFFFFFFF)  # datasketch's value for a permutation that saw no input
_CHUNK = 8192  # shingles per (num_perm x chunk) uint32 block: 4 MB at 128 permutations, cache-friendly


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters `(a, b)`, each uint32 of length num_perm: an odd
    multiplier and an offset, drawn from ``RandomState(seed)`` in that order (as datasketch's
    ``MinHash._init_permutations`` draws them)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """Signatures `(n_docs, num_perm)` uint32 of the documents whose 32-bit shingle hashes are
    `hashes[offsets[i]:offsets[i + 1]]`. Empty documents get `EMPTY_HASH` everywhere.

    The work is cut at document boundaries into blocks of about `_CHUNK` shingles: each block is one
    broadcast multiply-add and one `minimum.reduceat`; no Python loop over documents.
    """
    a, b = permutations(num_perm, seed)
    n_docs = offsets.size - 1
    out = np.full((num_perm, n_docs), EMPTY_HASH, dtype=np.uint32)
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
    lens = np.diff(offsets)
    nonempty = np.flatnonzero(lens > 0)
    if nonempty.size == 0:
        return out.T.copy()
    starts = offsets[nonempty]
    # block boundaries: first non-empty doc whose start passes each multiple of _CHUNK
    cuts = np.unique(np.searchsorted(starts, np.arange(0, int(offsets[-1]), _CHUNK), side="left"))
    cuts = np.append(cuts[cuts < nonempty.size], nonempty.size)
    block = np.empty((num_perm, 0), np.uint32)
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        s0, s1 = int(starts[lo]), int(offsets[nonempty[hi - 1] + 1])
        if block.shape[1] < s1 - s0:
            block = np.empty((num_perm, s1 - s0), np.uint32)
        view = block[:, : s1 - s0]
        np.multiply(a[:, None], mixed[None, s0:s1], out=view)
        view += b[:, None]
        out[:, nonempty[lo:hi]] = np.minimum.reduceat(view, starts[lo:hi] - s0, axis=1)
    return out.T.copy()


def reference_signature(shingle_hashes: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """One document's signature computed by datasketch itself (identity hash function on the
    32-bit shingle hashes): the reference the fast path must equal bit for bit."""
    import datasketch  # noqa: PLC0415 - the reference only: see the module's docstring

    m = datasketch.MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=int)
    m.update_batch([int(h) for h in shingle_hashes])
    return m.hashvalues.astype(np.uint32)
