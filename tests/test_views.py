"""combine_views: the other extractions vote on the base text's lines; mainview: resiliparse's view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.mainview import main_content_text
from transforms.views import _grams, combine_views, recall_can_matter

ART = [
    "The council approved the new budget on Monday after a long debate in the chamber.",
    "Spending on schools will rise by four percent, the finance officer told reporters.",
    "Opposition members said the plan did too little for housing in the northern districts.",
]
TEASERS = ["Five things to know about the storm that hit the coast last night and more"]


def test_a_base_line_no_other_view_has_is_dropped() -> None:
    base = "\n".join([ART[0], TEASERS[0], ART[1]])
    other = "\n".join([ART[0], ART[1]])
    assert combine_views(base, other, other) == "\n".join([ART[0], ART[1]])


def test_one_view_alone_does_not_outvote_the_base() -> None:
    base = "\n".join([ART[0], TEASERS[0], ART[1]])
    assert combine_views(base, None, ART[0] + "\n" + ART[1]) == base
    assert combine_views(base, ART[0], None) == base
    assert combine_views(base, None, None) == base


def test_a_line_either_view_has_stays() -> None:
    base = "\n".join([ART[0], TEASERS[0], ART[1]])
    assert combine_views(base, base, ART[0]) == base  # the recall view has the teaser: it stays
    assert combine_views(base, ART[0], base) == base  # resiliparse has it: it stays


def test_short_lines_follow_the_base() -> None:
    base = "\n".join(["Budget passes", ART[0], "Jane Doe", ART[1]])
    assert combine_views(base, ART[0] + "\n" + ART[1], ART[0] + "\n" + ART[1]) == base


def test_a_paragraph_the_base_missed_is_added_at_its_place_when_both_views_have_it() -> None:
    base = "\n".join([ART[0], ART[2]])
    recall = "\n".join(ART)
    assert combine_views(base, recall, recall) == "\n".join(ART)
    # resiliparse does not confirm it: not added
    assert combine_views(base, recall, "\n".join([ART[0], ART[2]])) == base


def test_main_content_text() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article>"
        + "".join(f"<p>{s}</p>" for s in ART)
        + "</article><footer>© 2024 Example</footer></body></html>"
    )
    text = main_content_text(page)
    assert text is not None and all(s in text for s in ART) and "Home" not in text
    assert main_content_text("<html><body></body></html>") is None


@pytest.mark.parametrize(
    ("words", "n", "grams"),
    [
        ([], 3, []),
        (["a", "b"], 3, []),
        (["a", "b", "c"], 3, [("a", "b", "c")]),
        (["a", "b", "c", "d"], 3, [("a", "b", "c"), ("b", "c", "d")]),
        (["a", "b"], 1, [("a",), ("b",)]),
    ],
)
def test_grams_are_the_consecutive_word_windows(words: list[str], n: int, grams: list[tuple]) -> None:
    assert _grams(words, n) == grams


# --- recall_can_matter: is the recall-mode view worth computing?


def test_without_support_the_recall_view_cannot_matter() -> None:
    base = "\n".join([ART[0], TEASERS[0]])
    assert not recall_can_matter(base, None) and not recall_can_matter(base, "  ")
    assert combine_views(base, "\n".join(ART), None) == base


def test_a_base_line_resiliparse_lacks_needs_the_recall_view() -> None:
    base = "\n".join([ART[0], TEASERS[0], ART[1]])
    assert recall_can_matter(base, "\n".join([ART[0], ART[1]]))


def test_a_long_line_only_resiliparse_has_needs_the_recall_view() -> None:
    assert recall_can_matter(ART[0], "\n".join([ART[0], ART[2]]))


def test_short_lines_only_resiliparse_has_do_not() -> None:
    assert not recall_can_matter(ART[0], "\n".join(["Photo: Jane Doe for the Ledger", ART[0]]))
    assert not recall_can_matter("\n".join(ART), "\n".join(ART))


_WORDS = ["the", "council", "budget", "rose", "fell", "schools", "four", "percent", "said"]
_TEXT = st.lists(st.lists(st.sampled_from(_WORDS), max_size=9).map(" ".join), min_size=1, max_size=6).map(
    "\n".join
)


@given(base=_TEXT, recall=_TEXT, support=_TEXT)
def test_when_the_recall_view_cannot_matter_no_base_line_is_dropped(
    base: str, recall: str, support: str
) -> None:
    if not recall_can_matter(base, support):
        out = combine_views(base, recall, support).split("\n")
        assert all(line in out for line in base.split("\n"))
