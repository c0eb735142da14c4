import polars as pl
import pytest

from transforms.shingle import normalise_texts, shingle_texts, word_hashes


@pytest.mark.parametrize(
    "text,words",
    [
        ("Hello, World!", 2),
        ("“Quoted” — dash’s", 3),
        ("", 0),
        ("   ", 0),
        ("Été à Paris", 3),
        ("ﬁne ｆｕｌｌ", 2),
        ("a_b[c]{d}~e", 5),
    ],
)
def test_fast_words_match_reference_normalisation(text, words):
    ref = [w for w in normalise_texts([text]).str.split(" ").item().to_list() if w]
    _, offsets = word_hashes(pl.Series([text]))
    assert int(offsets[-1]) == len(ref) == words


def test_case_and_punctuation_do_not_change_shingles():
    a = shingle_texts(["The quick brown fox, jumps over the lazy dog."], 3)
    b = shingle_texts(["the QUICK brown fox jumps over — the lazy dog"], 3)
    assert (a.hashes == b.hashes).all() and a.exact[0] == b.exact[0]


def test_short_text_gives_one_shingle_and_empty_none():
    b = shingle_texts(["two words", "", None], 5)
    assert b.offsets.tolist() == [0, 1, 1, 1]


def test_hashes_are_stable_across_versions():
    """Shingle and exact hashes are persisted in the history: a change here must be deliberate."""
    b = shingle_texts(["The quick brown fox jumps over the lazy dog, again and again."], 5)
    assert b.hashes.tolist() == [
        2102863781,
        2233714917,
        3109810037,
        225035685,
        2588428191,
        2770220874,
        1612021349,
        367202821,
    ]
    assert int(b.exact[0]) == 13579695161896220581
