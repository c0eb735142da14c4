"""transforms.blocks: the line-shape tests the main-block scorer stands on."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.blocks import _token_list, is_prose

_LETTER = re.compile(r"[^\W\d_]")


def _token_list_reference(s: str) -> bool:
    tokens = s[:1500].split()
    return sum(1 for t in tokens if not _LETTER.search(t)) * 4 > len(tokens)


# letters, digits, "_", punctuation and the whitespace str.split and re disagree on nowhere, non-decimal
# numerics ("²", "½": word characters, so "letters" here), Arabic-Indic digits, CJK
_CHARS = list("ab Z9_ /|-•.,!\t\n\u00a0é²½١日本\x1c\u2028")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CHARS), max_size=120))
def test_token_list_agrees_with_the_token_loop(s: str) -> None:
    assert _token_list(s) == _token_list_reference(s)


def test_token_list_reads_only_the_head_of_a_long_line() -> None:
    assert _token_list("| 2019 | 2020 | 2021 " * 200)
    assert not _token_list("word " * 300 + "| 1 " * 1000)  # the bare tokens come after 1,500 chars


def test_a_flattened_dropdown_is_not_prose_but_a_long_paragraph_is() -> None:
    dropdown = " ".join(f"{m} {y} /" for y in range(2010, 2026) for m in ("Jan", "Feb", "Mar"))
    paragraph = "The port strike entered its second day as dockers walked out over pay " * 4
    assert not is_prose(dropdown, 8)
    assert is_prose(paragraph.strip(), 8)
