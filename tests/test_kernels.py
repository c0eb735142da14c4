"""Differential and property tests of the compiled kernels (transforms/kernels.py).

Every kernel must equal its numpy/polars reference bit for bit: persisted history (shingles, band
keys) is only valid across both paths if they agree. Besides the references, small pure-Python
models (word splitting and hashing, shared-sample counts, set intersections) give a third opinion.
"""

import string
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import kernels
from transforms.dedup import DedupConfig, pair_overlap, prepare, prepare_reference, sketch_batch
from transforms.dedup.containment import _shared_sample_pairs
from transforms.lsh import band_key_frame, candidate_pairs, candidate_pairs_array
from transforms.minhash import EMPTY_HASH, reference_signature
from transforms.shingle import _NEEDS_NFKC, SHINGLE_MULT, _case_fold, _text_bytes, shingle_batch

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("hashes", "offsets", "exact", "n_words", "keys")


@pytest.fixture(scope="module", autouse=True)
def _compiled_kernels():
    """Compile (or load) the kernels before any hypothesis test: numba's compiler touches the global
    `random` state, which hypothesis reports when it happens while it draws examples."""
    texts = pl.Series(["warm the kernels up before the property tests run", "", None])
    prep = prepare(texts, DedupConfig(workers=1))
    pair_overlap(prep.hashes, prep.offsets, np.array([0]), np.array([1]))


# ---------------------------------------------------------------- text strategies

ASCII = string.ascii_letters + string.digits
LETTERS = "éàüñçøßœÉÀÜÑ中文字漢語日本привет ПРИВЁТαβγδΣσςΩ"
SPECIAL = "".join(chr(c) for c in (*range(0xA0, 0xC0), 0xD7, 0xF7, *range(0x2000, 0x2080)))
FULLWIDTH = "".join(chr(c) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)))
COMBINING = "".join(chr(c) for c in range(0x300, 0x370))
# İ (lower-cases to two code points), Kelvin sign, ligature, circled digit, ẞ, euro, emoji, NUL, Ⅻ
ODD = "\u0130\u212a\ufb01\u2460\u1e9e\u20ac\U0001f600\x00\u216b\u00aa\u00b2"
PUNCT = " .,;:!?-'\"()[]{}/\\\n\t@#_~`|<>=+*&^%$"
WORD_CHARS = ASCII + LETTERS.replace(" ", "") + FULLWIDTH + COMBINING + ODD

ascii_word = st.text(ASCII, min_size=1, max_size=30)
# words of exactly 8/16/24 bytes (the hash's chunk edges) and one byte either side, and longer
sized_word = st.sampled_from([1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 40, 100]).flatmap(
    lambda n: st.text(ASCII, min_size=n, max_size=n)
)
multibyte_word = st.sampled_from(["é" * 4, "é" * 8, "é" * 12, "中" * 8, "a" + "é" * 12, "Ω" * 13])
unicode_word = st.text(st.sampled_from(WORD_CHARS), min_size=1, max_size=30)
separator = st.text(st.sampled_from(PUNCT + SPECIAL), min_size=1, max_size=3)
token = st.one_of(ascii_word, sized_word, multibyte_word, unicode_word, separator, st.text(max_size=4))
free_text = st.lists(token, max_size=30).map("".join)
spaced_text = st.lists(st.one_of(ascii_word, unicode_word, sized_word), max_size=30).map(" ".join)
repetitive = st.lists(st.sampled_from(["a", "b", "c", "Ａ", "é"]), max_size=40).map(" ".join)
doc = st.one_of(
    st.none(),
    st.just(""),
    free_text,
    spaced_text,
    repetitive,
    free_text.map(lambda t: t * 3),
    st.text(max_size=200),
)
docs = st.lists(doc, max_size=10).flatmap(
    lambda d: st.just(d) if len(d) < 2 else st.sampled_from([d, d + d[:2]])
)


@st.composite
def configs(draw):
    num_perm = draw(st.sampled_from([16, 128]))
    bands, rows = draw(
        st.sampled_from(
            [(4, 4), (16, 1), (2, 8), (1, 16), (3, 5)] if num_perm == 16 else [(16, 8), (32, 4), (7, 3)]
        )
    )
    return DedupConfig(
        shingle_size=draw(st.sampled_from([1, 3, 5, 16])),
        num_perm=num_perm,
        bands=bands,
        rows=rows,
        seed=draw(st.sampled_from([1, 7])),
        batch_size=draw(st.sampled_from([1, 3, 5, 2_000])),
        workers=draw(st.sampled_from([1, 2])),
    )


def series(texts):
    return pl.Series("text", texts, dtype=pl.String)


def assert_prepared_equal(got, want):
    for f in FIELDS:
        a, b = getattr(got, f), getattr(want, f)
        assert a.dtype == b.dtype and a.shape == b.shape, f
        assert np.array_equal(a, b), f


# ---------------------------------------------------------------- pure-Python model of the word pipeline

M64 = (1 << 64) - 1
G, C1, C2 = 0x9E3779B97F4A7C15, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53


def fmix64(x):
    x ^= x >> 33
    x = (x * C1) & M64
    x ^= x >> 33
    x = (x * C2) & M64
    return x ^ (x >> 33)


def is_word_char(c):
    o = ord(c)
    if o < 0x80:
        return c in ASCII
    return not (0xA0 <= o <= 0xBF or o in (0xD7, 0xF7) or 0x2000 <= o <= 0x207F)


def model(folded, k):
    """(distinct sorted shingle hashes, exact hash, word count) of one case-folded text."""
    words, cur = [], []
    for c in folded + " ":
        if is_word_char(c):
            cur.append(c)
        elif cur:
            words.append("".join(cur).encode())
            cur = []
    hw = []
    for w in words:
        c0, c1, c2 = (int.from_bytes(w[i : i + 8].ljust(8, b"\0"), "little") for i in (0, 8, 16))
        h = fmix64(c0 ^ ((len(w) * G) & M64))
        if len(w) > 8:
            h = fmix64(fmix64(h ^ c1) ^ c2)
        hw.append(h)
    n = len(hw)
    exact = fmix64((sum(fmix64(h ^ ((p * G) & M64)) for p, h in enumerate(hw)) & M64) ^ n)
    windows = [hw[p : p + k] for p in range(n - k + 1)] if n >= k else ([hw] if n else [])
    mult = [int(m) for m in SHINGLE_MULT]
    sh = {fmix64((sum(h * mult[j] for j, h in enumerate(w)) & M64) ^ k) >> 32 for w in windows}
    return sorted(sh), exact, n


# ---------------------------------------------------------------- 1. prepare == prepare_reference


@settings(max_examples=400, deadline=None, derandomize=True)
@given(docs, configs())
def test_prepare_equals_reference_bit_for_bit(texts, config):
    s = series(texts)
    got = prepare(s, config)
    assert_prepared_equal(got, prepare_reference(s, config))
    assert got.n_docs == len(texts) and got.keys.shape == (len(texts), config.bands)
    assert (got.keys >> np.uint64(63) == 0).all()  # top bit clear (KEY_TAG)
    # a third opinion: the pure-Python model on the same case-folded text
    folded = _case_fold(s).to_list()
    for i, text in enumerate(folded):
        hashes, exact, n = model(text, config.shingle_size)
        assert got.hashes[got.offsets[i] : got.offsets[i + 1]].tolist() == hashes
        assert int(got.exact[i]) == exact and int(got.n_words[i]) == n


@pytest.mark.parametrize("k", [1, 5, 16])
@pytest.mark.parametrize("vocab", [3, 50_000])
def test_prepare_equals_reference_on_long_documents(k, vocab):
    """Documents with more than 1,024 shingles (the kernel's sort buffer grows) and many repeats."""
    rng = np.random.default_rng(vocab + k)
    texts = [" ".join(f"w{w}" for w in rng.integers(0, vocab, n)) for n in (3_000, 1, 0, 1_500, 700, 5_000)]
    texts[2] = texts[0]  # an exact copy
    for workers, batch in ((1, 2_000), (2, 2)):
        config = DedupConfig(shingle_size=k, batch_size=batch, workers=workers)
        got = prepare(series(texts), config)
        assert_prepared_equal(got, prepare_reference(series(texts), config))
        assert got.n_words.tolist() == [3_000, 1, 3_000, 1_500, 700, 5_000]
        assert got.exact[0] == got.exact[2] and np.array_equal(got.keys[0], got.keys[2])
        assert np.diff(got.offsets)[1] == 1  # one word: one shingle
        if vocab == 3 and k == 1:
            assert np.diff(got.offsets).tolist() == [3, 1, 3, 3, 3, 3]


@pytest.mark.parametrize("k", [1, 3, 5, 16])
def test_prepare_around_the_shingle_size(k):
    """Documents of 0 to k + 2 words (short documents give one shingle of all their words)."""
    texts = [" ".join(f"v{j}" for j in range(n)) for n in range(k + 3)]
    texts += [t.upper().replace(" ", " \u2014 ") for t in texts]  # same words, other case and separators
    config = DedupConfig(shingle_size=k, num_perm=16, bands=4, rows=4, batch_size=4)
    got = prepare(series(texts), config)
    assert_prepared_equal(got, prepare_reference(series(texts), config))
    want = [max(n - k + 1, 1) if n else 0 for n in range(k + 3)]
    assert np.diff(got.offsets).tolist() == want * 2
    assert got.n_words.tolist() == list(range(k + 3)) * 2
    half = k + 3
    assert np.array_equal(got.exact[:half], got.exact[half:]) and np.array_equal(
        got.keys[:half], got.keys[half:]
    )
    assert np.unique(got.exact).size == half  # word counts differ: exact hashes differ
    for i, text in enumerate(_case_fold(series(texts)).to_list()):
        hashes, exact, n = model(text, k)
        assert (
            got.hashes[got.offsets[i] : got.offsets[i + 1]].tolist() == hashes and int(got.exact[i]) == exact
        )


def test_prepare_of_nothing():
    config = DedupConfig(bands=4, rows=4, num_perm=16)
    for texts in ([], [None], ["", "  ...  ", None]):
        got = prepare(series(texts), config)
        assert_prepared_equal(got, prepare_reference(series(texts), config))
        assert got.hashes.size == 0 and got.n_words.tolist() == [0] * len(texts)


# ---------------------------------------------------------------- 2. signatures == datasketch


@settings(max_examples=100, deadline=None, derandomize=True)
@given(docs, st.sampled_from([(16, 1), (128, 1), (128, 7), (64, 42)]), st.sampled_from([1, 3, 5]))
def test_kernel_signatures_equal_datasketch(texts, perm_seed, k):
    num_perm, seed = perm_seed
    config = DedupConfig(shingle_size=k, num_perm=num_perm, bands=2, rows=8, seed=seed)
    s = series(texts)
    prep, sig = sketch_batch(s, config)
    ref = shingle_batch(s, k)  # with repeats, in text order
    assert sig.shape == (len(texts), num_perm) and sig.dtype == np.uint32
    for i in range(len(texts)):
        shingles = ref.hashes[ref.offsets[i] : ref.offsets[i + 1]]
        assert np.array_equal(np.unique(shingles), prep.hashes[prep.offsets[i] : prep.offsets[i + 1]])
        if shingles.size:
            assert np.array_equal(sig[i], reference_signature(np.unique(shingles), num_perm, seed))
        else:
            assert (sig[i] == EMPTY_HASH).all()


def test_kernel_signatures_equal_datasketch_on_large_documents():
    rng = np.random.default_rng(3)
    texts = [" ".join(f"x{w}" for w in rng.integers(0, 5_000, n)) for n in (2_500, 10, 4, 0, 1)]
    config = DedupConfig(shingle_size=5, num_perm=128)
    prep, sig = sketch_batch(series(texts), config)
    for i in range(len(texts)):
        mine = prep.hashes[prep.offsets[i] : prep.offsets[i + 1]]
        want = reference_signature(mine, 128, 1) if mine.size else np.full(128, EMPTY_HASH)
        assert np.array_equal(sig[i], want)
    assert np.diff(prep.offsets).tolist()[2:] == [1, 0, 1]


# ---------------------------------------------------------------- 3. needs_nfkc == the regex


def needs_nfkc_both(texts):
    folded = series(texts).fill_null("").str.to_lowercase()
    data, offsets = _text_bytes(folded)
    return kernels.needs_nfkc(data, offsets).tolist(), folded.str.contains(_NEEDS_NFKC).to_list()


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.text(), doc, st.text(st.sampled_from(SPECIAL + "a"))), max_size=8))
def test_needs_nfkc_equals_regex(texts):
    got, want = needs_nfkc_both(texts)
    assert got == want


@pytest.mark.parametrize(
    "cp",
    [0x7F, 0xFF, 0x100, 0x2FF, 0x300, 0x36F, 0x1FFF, 0x2000, 0x203F, 0x2040, 0x206F, 0x2070, 0x207F,
     0x2080, 0x20AC, 0xFF21, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF],
)  # fmt: skip
def test_needs_nfkc_at_range_edges(cp):
    c = chr(cp)
    got, want = needs_nfkc_both([c, "ab" + c, c + "cd", "x" * 7 + c + "\u2000", None])
    assert got == want
    assert got[0] == (not (cp <= 0x2FF or 0x2000 <= cp <= 0x206F))


def test_needs_nfkc_reads_each_text_alone():
    """A text ending in U+2000-206F must not look at the next text's bytes."""
    texts = ["a\u2040", "\u0301", "\u2000", "\u2070", "\u206f", "", "z"]
    got, want = needs_nfkc_both(texts)
    assert got == want == [False, True, False, True, False, False, False]
    assert [unicodedata.normalize("NFKC", t) != t for t in ("\u2070", "\u206f")] == [True, False]


# ---------------------------------------------------------------- 4. in_set == np.isin

EDGE32 = [0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]
u32 = st.one_of(st.integers(0, 20), st.sampled_from(EDGE32), st.integers(0, 2**32 - 1))
u64 = st.one_of(
    u32, st.sampled_from([2**32, 2**63 - 1, 2**63, 2**64 - 2, 2**64 - 1]), st.integers(0, 2**64 - 1)
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(u32, max_size=60), st.lists(u32, max_size=40))
def test_in_set_equals_isin_uint32(values, members):
    v, m = np.array(values, np.uint32), np.array(members, np.uint32)
    assert kernels.in_set(v, m).tolist() == np.isin(v, m).tolist()
    # members are always found, duplicates or not
    assert kernels.in_set(m, np.concatenate([m, m[::-1]])).all()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(u64, max_size=60), st.lists(u64, max_size=40))
def test_in_set_equals_isin_uint64(values, members):
    v, m = np.array(values, np.uint64), np.array(members, np.uint64)
    assert kernels.in_set(v, m).tolist() == np.isin(v, m).tolist()
    assert kernels.in_set(m, m).all()


def test_in_set_empty_and_large():
    assert kernels.in_set(np.array([0, 5], np.uint32), np.zeros(0, np.uint32)).tolist() == [False, False]
    assert kernels.in_set(np.zeros(0, np.uint32), np.array([1], np.uint32)).size == 0
    rng = np.random.default_rng(0)
    members = rng.integers(0, 2**32, 5_000, dtype=np.uint32)
    values = np.concatenate([members, rng.integers(0, 2**32, 20_000, dtype=np.uint32)])
    assert np.array_equal(kernels.in_set(values, members), np.isin(values, members))


def test_in_set_finds_the_largest_uint64():
    """Regression: in_set once marked occupied slots with `value + 1`, which wraps to "empty" for
    2**64 - 1, so that member was never found."""
    top = np.array([2**64 - 1, 0, 2**64 - 2], np.uint64)
    assert kernels.in_set(top, top[:1]).tolist() == np.isin(top, top[:1]).tolist() == [True, False, False]
    assert kernels.in_set(top, top).all()


# ---------------------------------------------------------------- 5. candidate_pairs_array == polars


def pairs_reference(docs, keys, other_docs=None, other_keys=None):
    frame = band_key_frame(docs, keys)
    if other_docs is None:
        ref = candidate_pairs(frame)
    else:
        ref = candidate_pairs(frame, band_key_frame(other_docs, other_keys))
    return ref.get_column("left").to_list(), ref.get_column("right").to_list()


# band keys have the top bit clear (KEY_TAG); keys with other top bits land in other partitions
KEY_POOL = np.array([0, 1, 7, 2**62, 2**63 - 1, 2**63 - 2, 0x1E3779B97F4A7C15], np.uint64)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 14),
    st.integers(0, 14),
    st.integers(1, 5),
    st.integers(1, KEY_POOL.size),
    st.booleans(),
)
def test_candidate_pairs_array_equals_polars(seed, n, n_other, bands, pool, shared_labels):
    rng = np.random.default_rng(seed)
    # non-contiguous labels in no particular order; history labels may overlap the run's
    docs = rng.choice(1_000, n, replace=False).astype(np.int64)
    other_docs = rng.choice(1_000 if shared_labels else np.arange(1_000, 2_000), n_other, replace=False)
    keys = KEY_POOL[rng.integers(0, pool, (n, bands))]
    other_keys = KEY_POOL[rng.integers(0, pool, (n_other, bands))]
    left, right = candidate_pairs_array(docs, keys)
    assert (left.tolist(), right.tolist()) == pairs_reference(docs, keys)
    left, right = candidate_pairs_array(docs, keys, other_docs, other_keys)
    assert (left.tolist(), right.tolist()) == pairs_reference(docs, keys, other_docs, other_keys)
    # brute force on the same data
    want = sorted(
        {
            (int(docs[i]), int(other_docs[j]))
            for i in range(n)
            for j in range(n_other)
            if (keys[i] == other_keys[j]).any()
        }
    )
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == want


def test_candidate_pairs_array_all_collide():
    keys = np.zeros((6, 3), np.uint64)
    docs = np.array([50, 3, 40, 9, 0, 21])
    left, right = candidate_pairs_array(docs, keys)
    want = sorted((int(a), int(b)) for a in docs for b in docs if a < b)
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == want
    assert (left.tolist(), right.tolist()) == pairs_reference(docs, keys)


def test_candidate_pairs_array_partitioned_join():
    """More than 16K rows a side: the kernel splits each band by the keys' top bits into parts, and
    grows its table for a skewed part (band 1: every key below 2^40, all in the first part)."""
    rng = np.random.default_rng(11)
    n, h = 40_000, 20_000
    docs = rng.choice(10**6, n, replace=False)
    other_docs = rng.choice(10**6, h, replace=False)  # overlapping labels are fine against history
    keys = np.empty((n, 2), np.uint64)
    keys[:, 0] = rng.integers(0, 2**63, n, dtype=np.uint64)
    keys[:, 1] = rng.integers(0, 2**40, n, dtype=np.uint64)
    for band in (0, 1):  # groups of 2-4 rows share a key
        for i in rng.choice(n - 4, 500, replace=False):
            keys[i : i + rng.integers(2, 5), band] = keys[i, band]
    other_keys = rng.integers(0, 2**63, (h, 2), dtype=np.uint64)
    rows, half = rng.choice(n, 3_000, replace=False), 1_500  # history rows sharing a key with the run
    other_keys[:half, 0] = keys[rows[:half], 0]
    other_keys[half : rows.size, 1] = keys[rows[half:], 1]
    left, right = candidate_pairs_array(docs, keys)
    assert (left.tolist(), right.tolist()) == pairs_reference(docs, keys)
    assert left.size > 1_000
    left, right = candidate_pairs_array(docs, keys, other_docs, other_keys)
    assert (left.tolist(), right.tolist()) == pairs_reference(docs, keys, other_docs, other_keys)
    assert left.size >= 3_000
    # and with the large side as the probe side only
    left, right = candidate_pairs_array(docs[:50], keys[:50], other_docs, other_keys)
    assert (left.tolist(), right.tolist()) == pairs_reference(docs[:50], keys[:50], other_docs, other_keys)


def test_candidate_pairs_array_survives_keys_with_the_top_bit_set():
    # Regression (fixed): the partition index of `shared_key_pairs` is the key's top bits, so a key
    # >= 2**63 once indexed past `starts` (no bounds check in numba) and crashed the interpreter.
    # The polars `candidate_pairs` handles any uint64 key. Run in a subprocess so a crash fails only
    # this test; a clean rejection (an exception) of such keys passes too.
    code = (
        "import numpy as np\n"
        "from transforms.lsh import candidate_pairs_array\n"
        "keys = np.array([[2**63, 1], [2**63, 2], [5, 2**64 - 1], [6, 2**64 - 1]], np.uint64)\n"
        "try:\n"
        "    left, right = candidate_pairs_array(np.arange(4), keys)\n"
        "    print(left.tolist(), right.tolist())\n"
        "except Exception as exc:\n"
        "    print('rejected', type(exc).__name__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 0, f"crashed with exit code {run.returncode}"
    assert run.stdout.startswith("rejected") or run.stdout.strip() == "[0, 2] [1, 3]"


def test_candidate_pairs_array_empty():
    none = np.zeros((0, 4), np.uint64)
    e = np.zeros(0, np.int64)
    for args in ((e, none), (e, none, e, none), (np.array([1]), np.ones((1, 4), np.uint64), e, none)):
        left, right = candidate_pairs_array(*args)
        assert left.size == right.size == 0
        assert (left.tolist(), right.tolist()) == pairs_reference(*args)


# ---------------------------------------------------------------- 6. pair_overlap == set intersection

csr_sets = st.lists(
    st.sets(st.one_of(st.integers(0, 40), st.sampled_from(EDGE32)), max_size=30), min_size=1, max_size=8
)


def csr(sets):
    values = np.array([v for s in sets for v in sorted(s)], np.uint32)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    return values, offsets


@settings(max_examples=300, deadline=None, derandomize=True)
@given(csr_sets, st.data())
def test_pair_overlap_equals_set_intersection(sets, data):
    hashes, offsets = csr(sets)
    idx = st.integers(0, len(sets) - 1)
    pairs = data.draw(st.lists(st.tuples(idx, idx), max_size=20))
    left = np.array([p[0] for p in pairs], np.int64)
    right = np.array([p[1] for p in pairs], np.int64)
    inter, size_a, size_b = pair_overlap(hashes, offsets, left, right)
    assert inter.tolist() == [len(sets[a] & sets[b]) for a, b in pairs]
    assert size_a.tolist() == [len(sets[a]) for a, _ in pairs]
    assert size_b.tolist() == [len(sets[b]) for _, b in pairs]


def test_pair_overlap_threaded_slices_equal_one_thread_and_sets():
    """Past `_THREADED_PAIRS` pairs the merges run in slices on threads: the counts, in pair order,
    are those of one thread and of Python's set intersection, including a slice boundary that
    falls inside a run of one left document."""
    rng = np.random.default_rng(7)
    sets = [set(rng.integers(0, 400, rng.integers(0, 60)).tolist()) for _ in range(300)]
    hashes, offsets = csr(sets)
    n = 3 * (1 << 16) + 5
    left = np.sort(rng.integers(0, len(sets), n))
    right = rng.integers(0, len(sets), n)
    one, _, _ = pair_overlap(hashes, offsets, left, right, workers=1)
    two, size_a, size_b = pair_overlap(hashes, offsets, left, right, workers=2)
    assert np.array_equal(one, two)
    pairs = list(zip(left.tolist(), right.tolist(), strict=True))
    expect = {(a, b): len(sets[a] & sets[b]) for a, b in set(pairs)}
    assert two.tolist() == [expect[p] for p in pairs]
    assert size_a.tolist() == [len(sets[a]) for a in left.tolist()]
    assert int(two.sum()) > 0 and size_b.size == n


# ---------------------------------------------------------------- 7. containment postings and pairs


@st.composite
def postings(draw):
    """Random small sample sets per node (few distinct samples: many shared)."""
    n_nodes = draw(st.integers(1, 14))
    n_samples = draw(st.integers(1, 12))
    sets = [draw(st.sets(st.integers(0, n_samples - 1), max_size=n_samples)) for _ in range(n_nodes)]
    # sample values far apart, some with the top bit set (they are uint32 shingle hashes)
    values = draw(st.lists(st.integers(0, 2**32 - 1), min_size=n_samples, max_size=n_samples, unique=True))
    sets = [{values[s] for s in ss} for ss in sets]
    max_df = draw(st.integers(1, n_nodes + 1))
    need = draw(st.lists(st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.5]), min_size=n_nodes, max_size=n_nodes))
    return sets, max_df, np.array(need)


def posting_keys(sets):
    """As containment_relations builds them: sorted sample << 32 | node."""
    keys = [(s << 32) | node for node, ss in enumerate(sets) for s in ss]
    return np.sort(np.array(keys, np.uint64))


def kept_samples(sets, max_df):
    """The samples in at most max_df nodes (the others are boilerplate)."""
    df = {}
    for ss in sets:
        for s in ss:
            df[s] = df.get(s, 0) + 1
    return {s for s, c in df.items() if c <= max_df}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(postings())
def test_posting_runs_equal_brute_force(case):
    sets, max_df, _ = case
    n = len(sets)
    node, run_end, n_samples = kernels.posting_runs(posting_keys(sets), n, max_df)
    kept = kept_samples(sets, max_df)
    assert n_samples.tolist() == [len(ss & kept) for ss in sets]
    want_node, want_end = [], []
    for s in sorted(kept):
        members = [i for i in range(n) if s in sets[i]]
        if len(members) >= 2:
            start = len(want_node)
            want_node += members
            want_end += [start + len(members)] * len(members)
    assert node.tolist() == want_node and run_end.tolist() == want_end


def shared_counts(sets, max_df):
    """Shared non-boilerplate samples of every ordered pair of distinct nodes."""
    kept = kept_samples(sets, max_df)
    n = len(sets)
    return {(a, b): len(sets[a] & sets[b] & kept) for a in range(n) for b in range(n) if a != b}


@settings(max_examples=400, deadline=None, derandomize=True)
@given(postings(), st.sampled_from([1, 2, 3]))
def test_shared_sample_pairs_equal_brute_force(case, workers):
    sets, max_df, need = case
    n = len(sets)
    node, run_end, _ = kernels.posting_runs(posting_keys(sets), n, max_df)
    shared = shared_counts(sets, max_df)
    a, b = _shared_sample_pairs(node, run_end, need, workers)
    want = sorted(p for p, c in shared.items() if c >= 1 and c >= need[p[0]])
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == want
    # the kernel itself, over the whole range and cut in two: each kept direction once, as a key
    order, start = kernels.group_positions(node, n)
    assert np.array_equal(order, np.argsort(node, kind="stable"))
    assert start.tolist() == np.concatenate([[0], np.cumsum(np.bincount(node, minlength=n))]).tolist()
    want_keys = sorted((x << 32) | y for x, y in want)
    whole = kernels.containment_pairs(node, run_end, order, start, need, 0, n)
    assert sorted(whole.tolist()) == want_keys
    cut = n // 2
    split = [
        k
        for lo, hi in ((0, cut), (cut, n))
        for k in kernels.containment_pairs(node, run_end, order, start, need, lo, hi).tolist()
    ]
    assert sorted(split) == want_keys


def test_shared_sample_pairs_count_past_65535():
    # Regression (fixed): the shared-sample counter of `_partners` was once uint16 and saturated at
    # 65535, dropping a pair that shares more samples when `need` is above that (two nodes sharing
    # 70,000 samples, need 66,000: both directions must come out).
    s = np.arange(70_000, dtype=np.uint64) << np.uint64(32)
    keys = np.sort(np.concatenate([s | np.uint64(0), s | np.uint64(1)]))
    node, run_end, n_samples = kernels.posting_runs(keys, 2, 200)
    assert n_samples.tolist() == [70_000, 70_000]
    a, b = _shared_sample_pairs(node, run_end, np.array([66_000.0, 66_000.0]), workers=1)
    assert (a.tolist(), b.tolist()) == ([0, 1], [1, 0])
    # the count is exact: 70,000 reaches a need of 70,000 on one side only, not 70,001 on the other
    a, b = _shared_sample_pairs(node, run_end, np.array([70_000.0, 70_001.0]), workers=1)
    assert (a.tolist(), b.tolist()) == ([0], [1])


def test_shared_sample_pairs_with_no_postings():
    e = np.zeros(0, np.int64)
    for n in (0, 3):
        a, b = _shared_sample_pairs(e, e, np.ones(n), workers=2)
        assert a.size == b.size == 0


# ---------------------------------------------------------------- 8. sampling


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sets(
            st.one_of(st.integers(0, 2**32 - 1), st.sampled_from(EDGE32 + [2**29 - 1, 2**29])), max_size=20
        )
    ),
    st.one_of(st.sampled_from([0, 1, 2**29, 2**31, 2**32 - 1, 2**32]), st.integers(0, 2**32)),
)
def test_sampled_values_equal_python(sets, limit):
    hashes, offsets = csr(sets)
    values, counts = kernels.sampled_values(hashes, offsets, np.uint64(limit))
    assert counts.tolist() == [sum(h < limit for h in s) for s in sets]
    assert values.tolist() == [h for s in sets for h in sorted(s) if h < limit]


# ---------------------------------------------------------------- 9. hostile input


def test_hostile_inputs():
    config = DedupConfig(workers=2)
    word = "Ab" * 1_000_000  # a 2 MB word
    punct = "".join([" .,;!?\u2014\u00a0\u2026\u201c\u00bf\u00d7\t\n"] * 80_000)[:1_000_000]  # ~1 MB
    one_char = ["a", ".", "é", " ", "中", "\u00a0", "\u0130", "Ａ", "\u2070", "\u207a", "\u00b2", "", None]
    expected = [1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0]
    tiny = [one_char[i % len(one_char)] for i in range(5_000)]
    for texts, n_words in (
        ([word], [1]),
        ([punct], [0]),
        ([word, punct, word.lower(), "x"], [1, 0, 1, 1]),
        (tiny, [expected[i % len(one_char)] for i in range(5_000)]),
    ):
        got = prepare(series(texts), config)
        assert_prepared_equal(got, prepare_reference(series(texts), config))
        assert got.n_words.tolist() == n_words
    assert got.offsets[-1] == sum(n_words)  # each one-word document: one shingle


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.sets(st.integers(0, 2**32 - 1), max_size=40), max_size=30),
    st.sampled_from([0, 1, 3, 8]),
    st.integers(1, 2),
)
def test_sorted_postings_equal_python(sets, sample_bits, workers):
    from transforms.dedup.containment import _sorted_postings

    hashes, offsets = csr(sets)
    nodes = np.arange(len(sets))[::2].copy()  # a subset of the documents
    limit = 1 << (32 - sample_bits)
    want = sorted((h << 32) | int(d) for d in nodes for h in sets[d] if h < limit)
    got = _sorted_postings(hashes, offsets, nodes, sample_bits, workers)
    assert got.dtype == np.uint64 and got.tolist() == want


def test_packed_postings_split_by_top_bits():
    sets = [{5, 2**28 + 1, 2**29 - 1, 2**30}, {2**28, 7}]
    hashes, offsets = csr(sets)
    out, starts = kernels.packed_postings(hashes, offsets, np.array([0, 1]), np.uint64(2**29), 1)
    # part 0: samples < 2^28 in node order, part 1: samples in [2^28, 2^29); 2^30 is not sampled
    assert out.tolist() == [
        (5 << 32) | 0,
        (7 << 32) | 1,
        ((2**28 + 1) << 32) | 0,
        ((2**29 - 1) << 32) | 0,
        (2**28 << 32) | 1,
    ]
    assert starts.tolist() == [0, 2, 5]


def test_sorted_postings_many_parts_on_threads():
    from transforms.dedup.containment import _sorted_postings

    rng = np.random.default_rng(7)
    sets = [set(rng.integers(0, 2**29, 300).tolist()) | {0, 2**29 - 1} for _ in range(400)]
    hashes, offsets = csr(sets)
    nodes = np.arange(len(sets))
    want = np.sort(np.array([(h << 32) | int(d) for d in nodes for h in sets[d]], np.uint64))
    for workers in (1, 2):
        assert np.array_equal(_sorted_postings(hashes, offsets, nodes, 3, workers), want)


def test_prepare_grows_its_shingle_array_past_the_estimate():
    # one-letter words: a shingle per 2 bytes of text, past the 1-per-3-bytes reserve, over many batches
    rng = np.random.default_rng(3)
    texts = pl.Series([" ".join(rng.choice(list("abcdefghij"), 3000)) for _ in range(12)])
    config = DedupConfig(batch_size=2, workers=2)
    got, want = prepare(texts, config), prepare_reference(texts, config)
    assert got.hashes.size > texts.str.len_bytes().sum() // 3
    for field in ("hashes", "offsets", "exact", "n_words", "keys"):
        assert np.array_equal(getattr(got, field), getattr(want, field)), field


@pytest.mark.parametrize("check_slice", [7, 1 << 22])
def test_confirmed_overlaps_reuse_the_reverse_pairs_count(monkeypatch, check_slice):
    """A pair whose reverse is a candidate too takes its count (computed once, earlier in the order,
    in the same slice or an earlier one): the same rows as a merge per pair."""
    import transforms.dedup.containment as ct
    from transforms.dedup.rows import HeldSets

    rng = np.random.default_rng(5)
    universe = np.arange(400, dtype=np.uint32)
    docs = [np.unique(rng.choice(universe, size=int(rng.integers(0, 120)))) for _ in range(30)]
    offsets = np.concatenate([[0], np.cumsum([d.size for d in docs])]).astype(np.int64)
    sets = HeldSets([(np.concatenate(docs), offsets)])
    every = [(x, y) for x in range(30) for y in range(30) if x != y]
    pairs = sorted(every[i] for i in rng.choice(len(every), size=300, replace=False))
    a, b = (np.array(c, np.int64) for c in zip(*pairs, strict=True))
    assert (kernels.mirror_positions(a, b, np.searchsorted(a, np.arange(31)), 0, a.size) >= 0).sum() > 20
    monkeypatch.setattr(ct, "_CHECK_SLICE", check_slice)
    config = DedupConfig(min_excerpt_shingles=3, roundup_min_share=0.2)
    got = ct._confirmed_overlaps(sets, a, b, config)
    want = []
    for x, y in pairs:
        inter = np.intersect1d(docs[x], docs[y]).size
        if inter >= 3 and inter >= 0.2 * docs[x].size:
            want.append((x, y, inter, docs[x].size, docs[y].size))
    assert got.rows() == want


def test_mirror_positions_on_threads_equal_one_pass():
    """The threaded split of the reverse look-up (halves of a slice, enough pairs to split) gives each
    position the single pass's answer, for a slice that starts and ends inside the pairs."""
    from transforms.dedup.containment import _mirror_positions

    rng = np.random.default_rng(8)
    n = 600
    keys = np.unique(rng.integers(0, n, 300_000) * n + rng.integers(0, n, 300_000))
    a, b = keys // n, keys % n
    start = np.searchsorted(a, np.arange(n + 1))
    lo, hi = 1_000, a.size - 1_000
    want = kernels.mirror_positions(a, b, start, lo, hi)
    assert (want >= 0).sum() > 10_000 and (hi - lo) >> 16 >= 2
    for workers in (1, 2, 3):
        assert np.array_equal(_mirror_positions(a, b, start, lo, hi, workers), want)


@pytest.mark.parametrize("workers", [1, 2])
def test_overlap_counts_reaching_answer_the_need_exactly(monkeypatch, workers):
    """Where the overlap reaches the need, the count is exact; where it does not, the answer stays
    below the need (the filter skips the merge): `count >= need` is the merge's answer either way."""
    import transforms.dedup.overlap as ov

    monkeypatch.setattr(ov, "_THREADED_PAIRS", 8)
    rng = np.random.default_rng(11)
    # big universe: the filter's false hits are rare; small one: overlaps are large and the merge runs
    docs = [
        np.unique(rng.integers(0, 2**32 if k % 2 else 300, size=int(rng.integers(0, 200)))) for k in range(40)
    ]
    docs = [d.astype(np.uint32) for d in docs]
    # and a document whose every hash falls in a filter slot of document 1's with none shared (h + d,
    # d * 2654435761 = 1 mod 2^32): the filter's bound is its size, only the merge finds 0
    shift = pow(2654435761, -1, 2**32)
    docs.append(np.unique(((docs[1].astype(np.uint64) + shift) % 2**32).astype(np.uint32)))
    hashes = np.concatenate(docs)
    offsets = np.concatenate([[0], np.cumsum([d.size for d in docs])]).astype(np.int64)
    pairs = sorted([(1, 40), (40, 1)] + [(int(x), int(y)) for x, y in rng.integers(0, 40, size=(500, 2))])
    left, right = (np.array(c, np.int64) for c in zip(*pairs, strict=True))
    exact = np.array([np.intersect1d(docs[x], docs[y]).size for x, y in pairs])
    need = rng.integers(0, 40, size=left.size).astype(np.float64)
    need[[pairs.index((1, 40)), pairs.index((40, 1))]] = 5
    got, size_a, size_b = ov.pair_overlap(hashes, offsets, left, right, workers, need)
    assert ((got >= need) == (exact >= need)).all()
    assert (got[exact >= need] == exact[exact >= need]).all()
    assert (got >= 0).all() and ((exact >= need) & (exact > 0)).sum() > 20 and (exact < need).sum() > 20
    assert size_a.tolist() == [docs[x].size for x, _ in pairs]
    assert docs[1].size > 40 and got[pairs.index((1, 40))] == got[pairs.index((40, 1))] == 0
    assert np.array_equal(ov.pair_overlap(hashes, offsets, left, right, workers)[0], exact)
