import numpy as np
import polars as pl
import pytest

from transforms.dedup import prepare
from transforms.dedup.quotes import unquoted_containment, unquoted_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we will win" today.', "He said   today."),
        ("He said “we will win” today.", "He said   today."),
        ("Er sagte „wir gewinnen“ heute.", "Er sagte   heute."),
        ("Il a dit « nous gagnerons » hier.", "Il a dit   hier."),
        # an opening mark left open runs to the end of its line, not into the next one
        ("“We will win,\nhe said.", " \nhe said."),
        ("no quotes at all", "no quotes at all"),
        ("", ""),
    ],
)
def test_unquoted_text_removes_quotations(text, expected):
    assert unquoted_text(pl.Series([text])).to_list() == [expected]


def test_unquoted_containment_counts_only_text_outside_quotes():
    words = [f"w{i}" for i in range(200)]
    narrative, quote, other = " ".join(words[:60]), " ".join(words[60:120]), " ".join(words[120:180])
    texts = pl.Series([f"{narrative} “{quote}”", f"{other} “{quote}”", narrative])
    prep = prepare(texts)
    own, share = unquoted_containment(texts, np.array([0, 0]), np.array([1, 2]), prep.hashes, prep.offsets, 5)
    # doc 0 outside quotes: its 56 narrative shingles; none in doc 1 (which shares only the quote),
    # all in doc 2
    assert own.tolist() == [56, 56]
    assert share.tolist() == [0.0, 1.0]
    empty = unquoted_containment(
        texts, np.zeros(0, np.int64), np.zeros(0, np.int64), prep.hashes, prep.offsets, 5
    )
    assert empty[0].size == 0 and empty[1].size == 0
