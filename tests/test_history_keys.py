import numpy as np

from transforms.history_keys import keys_to_register


def test_duplicates_register_band_keys_only():
    # doc 0 canonical: 2 band + 2 containment; doc 1 duplicate: 2 band + 3 containment; doc 2 canonical
    keys = np.array([1, 2, 91, 92, 3, 4, 93, 94, 95, 5, 6], np.uint64)
    counts = np.array([4, 5, 2])
    kept, kept_counts = keys_to_register(keys, counts, bands=2, canonical=np.array([True, False, True]))
    assert kept.tolist() == [1, 2, 91, 92, 3, 4, 5, 6]
    assert kept_counts.tolist() == [4, 2, 2]


def test_empty():
    kept, counts = keys_to_register(np.zeros(0, np.uint64), np.zeros(0, np.int64), 16, np.zeros(0, bool))
    assert kept.size == 0 and counts.size == 0
