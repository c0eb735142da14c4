"""Shared quotations are not a copy: different articles on one event quote the same statements,
often at length, while a copy also shares the reporter's own sentences. This module finds how much
of a document's text outside quotation marks is found in another document.

A quotation is a span between double quotation marks on one line (straight, curly, low-9 or
guillemets); an opening mark left open runs to the end of its line, as news paragraphs do when a
quote continues in the next one."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from transforms import kernels
from transforms.dedup.reference import distinct_sorted
from transforms.shingle import shingle_batch

__all__ = ["QUOTED", "TextSource", "unquoted_containment", "unquoted_text"]

QUOTED = r'(?m)"[^"\n]*(?:"|$)|“[^”\n]*(?:”|$)|„[^“”\n]*(?:[“”]|$)|«[^»\n]*(?:»|$)'


def unquoted_text(texts: pl.Series) -> pl.Series:
    """Each text with its quotations replaced by a space."""
    return texts.fill_null("").str.replace_all(QUOTED, " ")


TextSource = pl.Series | Callable[[np.ndarray], pl.Series]  # texts, or positions -> their texts


def unquoted_containment(
    texts: TextSource,
    a: np.ndarray,
    b: np.ndarray,
    hashes: np.ndarray,
    offsets: np.ndarray,
    shingle_size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (a[i], b[i]) of nodes, a[i] a document of `texts` (by position): how many of
    a's shingles lie outside quotations (and are a's own: a shingle that spans a removed quotation
    is not), and the share of those found in b. `hashes`/`offsets` hold every node's distinct sorted
    shingles, as `prepare` gives them. `texts` may be a function from sorted positions to their texts,
    for a caller that does not hold every text (the sharded run reads them from its staged shards)."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    if not a.size:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    docs, slot = np.unique(a, return_inverse=True)
    picked = texts.gather(docs) if isinstance(texts, pl.Series) else texts(docs)
    batch = shingle_batch(unquoted_text(picked), shingle_size)
    q_vals, q_offs = distinct_sorted(batch.hashes, batch.offsets)
    # the quote-free sets become extra nodes after the given ones: one CSR for the compiled merge
    n_nodes = offsets.size - 1
    all_hashes = np.concatenate([hashes, q_vals])
    all_offsets = np.concatenate([offsets, q_offs[1:] + offsets[-1]])
    q_node = n_nodes + slot
    own = kernels.overlap_counts(all_hashes, all_offsets, q_node, a)
    shared = kernels.overlap_counts(all_hashes, all_offsets, q_node, b)
    return own.astype(np.int64), np.where(own > 0, shared / np.maximum(own, 1), 0.0)
