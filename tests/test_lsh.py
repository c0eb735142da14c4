import numpy as np

from transforms.lsh import band_key_frame, band_keys_array, candidate_pairs


def test_shared_band_makes_candidates_only():
    sig = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 7, 7]], dtype=np.uint32)
    keys = band_keys_array(sig, 2, 2)
    pairs = candidate_pairs(band_key_frame(np.arange(3), keys))
    assert pairs.rows() == [(0, 1)]
