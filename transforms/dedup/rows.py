"""Shingle sets held row by row. The run's full sets are one flat array of distinct sorted hashes
(CSR with their offsets); in the sharded run that array is a file the caller reads from, far larger
than the rows any step compares. `HeldSets` holds only the rows asked for so far, under their own node
numbers, so a run's memory follows its candidates rather than its size; `gather_rows` reads rows from
any flat source by a few large slices.

A flat source is an in-memory ``np.ndarray`` (used as it is) or any object with ``size`` and
``source[lo:hi] -> np.ndarray`` (a file read, for example): this module never asks it for more."""

from __future__ import annotations

from typing import Protocol

import numpy as np

__all__ = [
    "FlatValues",
    "HeldSets",
    "all_rows",
    "concat_csr",
    "gather_rows",
    "gather_segments",
    "is_in_memory",
]

# values read by one slice of a non-memory source (16 MB of uint32), and the gap between two wanted
# rows beyond which they are read by separate slices
_WINDOW = 1 << 22
_GAP = 1 << 16


class FlatValues(Protocol):
    """A flat array of uint32 values read by slices (``np.ndarray`` is one)."""

    @property
    def size(self) -> int: ...

    def __getitem__(self, item: slice) -> np.ndarray: ...


def is_in_memory(values: object) -> bool:
    """A plain in-memory array (not a memory map, not a file reader): indexed directly."""
    return isinstance(values, np.ndarray) and not isinstance(values, np.memmap)


def _row_index(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Positions of rows [starts[i], starts[i] + sizes[i]) back to back."""
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, np.int64)
    return np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(total, dtype=np.int64)


def gather_rows(values: FlatValues, offsets: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``nodes`` (sorted, distinct) of the CSR ``(values, offsets)`` as one compact CSR in that
    order. An in-memory source is indexed directly; any other is read one slice per run of nearby
    rows, each slice at most a window (plus one row) long, so memory stays at the rows wanted."""
    nodes = np.asarray(nodes, np.int64)
    starts = offsets[nodes].astype(np.int64)
    sizes = (offsets[nodes + 1] - offsets[nodes]).astype(np.int64)
    out_offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    if is_in_memory(values):
        return np.asarray(values[_row_index(starts, sizes)], np.uint32), out_offsets
    out = np.empty(int(out_offsets[-1]), np.uint32)
    keep = sizes > 0
    rows = np.flatnonzero(keep)
    if not rows.size:
        return out, out_offsets
    s, e = starts[rows], starts[rows] + sizes[rows]
    # a new slice where the gap to the previous row is large or the start crosses into a new window
    cut = np.flatnonzero((s[1:] - e[:-1] > _GAP) | (s[1:] // _WINDOW != s[:-1] // _WINDOW)) + 1
    for lo_row, hi_row in zip(np.concatenate([[0], cut]), np.concatenate([cut, [rows.size]]), strict=True):
        lo, hi = int(s[lo_row]), int(e[hi_row - 1])
        chunk = np.asarray(values[lo:hi], np.uint32)
        picked = rows[lo_row:hi_row]
        out[_row_index(out_offsets[picked], sizes[picked])] = chunk[
            _row_index(starts[picked] - lo, sizes[picked])
        ]
    return out, out_offsets


def all_rows(values: FlatValues, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every row of the CSR as in-memory arrays (the arrays themselves when they are in memory)."""
    if is_in_memory(values):
        return values, offsets
    return gather_rows(values, offsets, np.arange(offsets.size - 1))


def gather_segments(
    segments: list[tuple[FlatValues, np.ndarray]], nodes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`gather_rows` over CSR segments numbered back to back: rows ``nodes`` (sorted, distinct) as
    one compact CSR."""
    nodes = np.asarray(nodes, np.int64)
    vals, offs, base, end = [np.zeros(0, np.uint32)], [np.zeros(1, np.int64)], 0, 0
    for values, offsets in segments:
        n = max(offsets.size - 1, 0)
        if not n:
            continue
        v, o = gather_rows(values, offsets, nodes[(nodes >= base) & (nodes < base + n)] - base)
        vals.append(v)
        offs.append(o[1:] + end)
        base, end = base + n, end + int(o[-1])
    return np.concatenate(vals), np.concatenate(offs)


class HeldSets:
    """Every node's distinct sorted shingles, from CSR segments numbered back to back (the run's
    documents, then history rows). When every segment is in memory they are simply concatenated;
    otherwise `rows` reads just the rows a step asks for (a compact CSR under the full node numbering:
    a row not asked for has length 0 there, so a caller must ask for every row it reads) and keeps
    nothing: the rows go when the step drops them. Memory is then the largest step's rows, not the
    run's.

    `sizes` gives every node's set size without reading it."""

    def __init__(self, segments: list[tuple[FlatValues, np.ndarray]]) -> None:
        self._segments = [(v, np.asarray(o, np.int64)) for v, o in segments if np.asarray(o).size > 1]
        self.n = sum(o.size - 1 for _, o in self._segments)
        sizes = [np.diff(o) for _, o in self._segments]
        self.sizes = np.concatenate(sizes).astype(np.int64) if sizes else np.zeros(0, np.int64)
        self._full: tuple[np.ndarray, np.ndarray] | None = None
        if all(is_in_memory(v) for v, _ in self._segments):
            self._full = concat_csr(self._segments)

    @property
    def in_memory(self) -> bool:
        return self._full is not None

    def full(self) -> tuple[np.ndarray, np.ndarray]:
        """Every node's set as one CSR; only when the segments are in memory."""
        if self._full is None:
            raise ValueError("the sets are read row by row here: ask for rows, or pass the sample")
        return self._full

    def rows(self, *nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(values, offsets)`` under the full node numbering, valid for every node in ``nodes``."""
        if self._full is not None:
            return self._full
        wanted = np.zeros(self.n, bool)  # a mask, not a unique() of the pairs: they can be 100M+
        for a in nodes:
            wanted[np.asarray(a, np.int64)] = True
        values, _ = gather_segments(self._segments, np.flatnonzero(wanted))
        offsets = np.zeros(self.n + 1, np.int64)
        np.cumsum(np.where(wanted, self.sizes, 0), out=offsets[1:])
        return values, offsets


def concat_csr(segments: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """In-memory CSR segments back to back as one (segments without rows are skipped; a single one is
    returned as it is, not copied)."""
    segments = [(v, o) for v, o in segments if np.asarray(o).size > 1]
    if not segments:
        return np.zeros(0, np.uint32), np.zeros(1, np.int64)
    if len(segments) == 1:
        return segments[0]
    offsets, end = [], 0
    for _, o in segments:
        offsets.append(o[1:] + end if offsets else o)
        end += int(o[-1])
    return np.concatenate([v for v, _ in segments]), np.concatenate(offsets)
