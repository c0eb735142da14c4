import numpy as np
import pytest

from transforms.minhash import EMPTY_HASH, reference_signature, signatures


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (16, 42)])
def test_signatures_bit_identical_to_datasketch_affine32(num_perm, seed):
    rng = np.random.default_rng(seed)
    lens = rng.integers(0, 700, 60)
    lens[[3, 9]] = [0, 1]
    offsets = np.concatenate([[0], np.cumsum(lens)])
    hashes = rng.integers(0, 2**32, offsets[-1], dtype=np.uint32)
    sig = signatures(hashes, offsets, num_perm, seed)
    for i in range(lens.size):
        if lens[i]:
            assert np.array_equal(
                sig[i], reference_signature(hashes[offsets[i] : offsets[i + 1]], num_perm, seed)
            )
        else:
            assert (sig[i] == EMPTY_HASH).all()
