"""Shingle sets held row by row (`transforms.dedup.rows`): rows gathered from a source read only by
slices equal the rows indexed in memory, whatever the window; `HeldSets` holds only what it was asked."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.dedup import rows as rows_mod
from transforms.dedup.rows import HeldSets, all_rows, gather_rows, gather_segments


class Sliced:
    """A flat source readable only by contiguous slices; counts the slices and values read."""

    def __init__(self, values: np.ndarray) -> None:
        self._values, self.size = values, values.size
        self.reads: list[tuple[int, int]] = []

    def __getitem__(self, item: slice) -> np.ndarray:
        assert isinstance(item, slice) and item.step in (None, 1)
        lo, hi, _ = item.indices(self.size)
        self.reads.append((lo, hi))
        return self._values[lo:hi].copy()


def _csr(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = rng.integers(0, 30, n)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return rng.integers(0, 2**32, int(offsets[-1]), dtype=np.uint32), offsets


@pytest.mark.parametrize(("window", "gap"), [(1 << 22, 1 << 16), (64, 16), (7, 1), (1, 0)])
def test_gather_rows_from_slices_equals_indexing_in_memory(monkeypatch, window: int, gap: int) -> None:
    monkeypatch.setattr(rows_mod, "_WINDOW", window)
    monkeypatch.setattr(rows_mod, "_GAP", gap)
    rng = np.random.default_rng(1)
    values, offsets = _csr(rng, 400)
    some = np.sort(rng.choice(400, 37, replace=False))
    for nodes in (np.arange(400), some, np.array([0]), np.array([399])):
        expected = np.concatenate([values[offsets[i] : offsets[i + 1]] for i in nodes])
        source = Sliced(values)
        got, got_offsets = gather_rows(source, offsets, nodes)
        assert got.tolist() == expected.tolist()
        assert np.diff(got_offsets).tolist() == np.diff(offsets)[nodes].tolist()
        assert got_offsets[0] == 0
        # each slice spans at most a window past its start plus one row (rows hold < 30 values)
        assert all(hi - lo < window + 30 for lo, hi in source.reads)


def test_gather_rows_reads_only_near_the_rows_wanted(monkeypatch) -> None:
    monkeypatch.setattr(rows_mod, "_GAP", 100)
    values = np.arange(100_000, dtype=np.uint32)
    offsets = np.arange(0, 100_001, 10, dtype=np.int64)  # 10,000 rows of 10 values
    source = Sliced(values)
    got, _ = gather_rows(source, offsets, np.array([5, 6, 9_000]))
    assert got.tolist() == list(range(50, 70)) + list(range(90_000, 90_010))
    assert source.reads == [(50, 70), (90_000, 90_010)]  # two slices, 30 values: not the whole source


def test_gather_rows_of_nothing_and_of_empty_rows() -> None:
    values, offsets = np.array([4, 5], np.uint32), np.array([0, 0, 2, 2], np.int64)
    for source in (values, Sliced(values)):
        got, got_offsets = gather_rows(source, offsets, np.array([], np.int64))
        assert got.size == 0 and got_offsets.tolist() == [0]
        got, got_offsets = gather_rows(source, offsets, np.array([0, 2]))
        assert got.size == 0 and got_offsets.tolist() == [0, 0, 0]
        got, got_offsets = gather_rows(source, offsets, np.array([1, 2]))
        assert got.tolist() == [4, 5] and got_offsets.tolist() == [0, 2, 2]


def test_gather_segments_numbers_rows_across_segments() -> None:
    a = (np.array([1, 2, 3], np.uint32), np.array([0, 1, 3], np.int64))  # nodes 0, 1
    empty = (np.zeros(0, np.uint32), np.zeros(1, np.int64))
    b = (np.array([7, 8, 9], np.uint32), np.array([0, 2, 3], np.int64))  # nodes 2, 3
    got, offsets = gather_segments([a, empty, (Sliced(b[0]), b[1])], np.array([1, 2, 3]))
    assert got.tolist() == [2, 3, 7, 8, 9] and offsets.tolist() == [0, 2, 4, 5]


def test_held_sets_in_memory_are_the_arrays_themselves() -> None:
    values, offsets = np.array([1, 2, 3], np.uint32), np.array([0, 1, 3], np.int64)
    sets = HeldSets([(values, offsets)])
    got_values, got_offsets = sets.rows(np.array([1]))
    assert got_values is values and got_offsets is offsets  # no copy of an in-memory run
    assert sets.full()[0] is values and sets.in_memory
    assert sets.sizes.tolist() == [1, 2]


def test_held_sets_read_only_the_rows_a_step_asks_for(monkeypatch) -> None:
    monkeypatch.setattr(rows_mod, "_GAP", 0)  # rows apart are read apart
    rng = np.random.default_rng(2)
    run, hist = _csr(rng, 50), _csr(rng, 10)  # nodes 0..49 then 50..59
    source = Sliced(run[0])
    sets = HeldSets([(source, run[1]), hist])
    assert sets.n == 60 and not sets.in_memory
    assert sets.sizes.tolist() == np.diff(run[1]).tolist() + np.diff(hist[1]).tolist()
    with pytest.raises(ValueError, match="row by row"):
        sets.full()

    def row(node: int) -> list[int]:
        v, o = (run if node < 50 else hist), node if node < 50 else node - 50
        return v[0][v[1][o] : v[1][o + 1]].tolist()

    values, offsets = sets.rows(np.array([3, 55]), np.array([3, 40]))
    assert values.size == sum(len(row(i)) for i in (3, 40, 55))
    for node in (3, 40, 55):
        assert values[offsets[node] : offsets[node + 1]].tolist() == row(node)
    assert offsets[5] == offsets[4] and offsets.size == 61  # a row not asked for is empty
    assert sum(hi - lo for lo, hi in source.reads) == len(row(3)) + len(row(40))  # the run's rows alone
    values, offsets = sets.rows(np.array([0, 59]))  # another step: its rows alone
    assert values.size == len(row(0)) + len(row(59))
    for node in (0, 59):
        assert values[offsets[node] : offsets[node + 1]].tolist() == row(node)


def test_all_rows_reads_every_row_of_a_sliced_source() -> None:
    values, offsets = np.array([9, 8, 7], np.uint32), np.array([0, 2, 3], np.int64)
    assert all_rows(values, offsets)[0] is values
    got, got_offsets = all_rows(Sliced(values), offsets)
    assert got.tolist() == [9, 8, 7] and got_offsets.tolist() == [0, 2, 3]


def test_concat_csr_skips_empty_segments_and_keeps_a_single_one() -> None:
    from transforms.dedup.rows import concat_csr

    a = (np.array([1, 2, 3], np.uint32), np.array([0, 1, 3], np.int64))
    empty = (np.zeros(0, np.uint32), np.zeros(1, np.int64))
    b = (np.array([7, 8], np.uint32), np.array([0, 2], np.int64))
    values, offsets = concat_csr([a, empty, b])
    assert values.tolist() == [1, 2, 3, 7, 8] and offsets.tolist() == [0, 1, 3, 5]
    assert concat_csr([empty, a])[0] is a[0]  # one segment with rows: not copied
    assert concat_csr([empty])[1].tolist() == [0]
