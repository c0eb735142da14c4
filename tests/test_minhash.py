import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dedup import DedupConfig, pair_overlap, prepare
from transforms.minhash import EMPTY_HASH, permutations, reference_signature, signatures


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (256, 0), (64, 7), (1, 2**32 - 1)])
def test_permutations_are_datasketchs(num_perm, seed):
    """Drawn without importing datasketch (it imports scipy: start-up in every worker), equal to its own."""
    import datasketch

    a, b = datasketch.MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = permutations(num_perm, seed)
    assert ours[0].dtype == ours[1].dtype == np.uint32
    assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)
    assert (ours[0] % 2 == 1).all()


def test_the_flow_does_not_import_datasketch():
    import subprocess
    import sys

    code = (
        "import sys, flows.pipeline, flows.cli; "
        "print(sorted(m for m in ('datasketch', 'scipy.optimize') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


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


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.4))
def test_similarity_tracks_the_edit_fraction(seed, fraction):
    """Replacing a fraction f of a story's words keeps about (1 - f)^k of its k-word shingles, so the
    Jaccard is about s / (2 - s) with s = (1 - f)^k; MinHash agreement estimates that Jaccard."""
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 50_000, 600)
    edited = words.copy()
    at = rng.choice(words.size, int(round(fraction * words.size)), replace=False)
    edited[at] = rng.integers(50_000, 100_000, at.size)  # words the story does not have
    k = 5
    prep = prepare(pl.Series([" ".join(f"w{w}" for w in d) for d in (words, edited)]), DedupConfig())
    inter, sa, sb = pair_overlap(prep.hashes, prep.offsets, [0], [1])
    jaccard = inter[0] / (sa[0] + sb[0] - inter[0])
    kept = (1 - fraction) ** k
    assert abs(jaccard - kept / (2 - kept)) < 0.1
    sig = signatures(prep.hashes, prep.offsets)
    assert abs((sig[0] == sig[1]).mean() - jaccard) < 0.15  # 128 permutations: sd <= 0.045
