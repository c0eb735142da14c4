from __future__ import annotations

import warnings

import pytest
from dateutil import parser as _dateutil
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dates import _EN_MONTHS, _en_date, _to_utc, looks_like_date, parse_date


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("September 9, 2016 8:00 am", "2016-09-09 08:00:00+00:00"),
        ("2016-09-09", "2016-09-09 00:00:00+00:00"),
        ("2016-09-09T08:00:00+03:00", "2016-09-09 05:00:00+00:00"),
        ("9. September 2016", "2016-09-09 00:00:00+00:00"),
        ("Published: 12 juin 2019", "2019-06-12 00:00:00+00:00"),
        ("12.03.2019", "2019-03-12 00:00:00+00:00"),
        ("Wed, 24 Jul 2015 05:36:09 GMT", "2015-07-24 05:36:09+00:00"),
    ],
)
def test_parse_date(s: str, expected: str) -> None:
    assert str(parse_date(s)) == expected


@pytest.mark.parametrize("s", ["", "hello", "3 Months", "1 Year", "0001-01-01", "2999-01-01", "x" * 10_000])
def test_parse_date_refuses(s: str) -> None:
    assert parse_date(s) is None


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("September 9, 2016 8:00 am", True),
        ("3 Months", False),
        ("Syria hopes to have Turkey by its side", False),
        ("Monday, March 3, 2019", True),
    ],
)
def test_looks_like_date(s: str, expected: bool) -> None:
    assert looks_like_date(s) is expected


_EN_MONTH_NAMES = sorted(_EN_MONTHS)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(_EN_MONTH_NAMES),
    st.sampled_from([str.title, str.upper, str.lower]),
    st.integers(0, 40),
    st.integers(1980, 2110),
    st.one_of(
        st.none(), st.tuples(st.integers(0, 13), st.integers(0, 59), st.sampled_from(["am", "pm", " PM"]))
    ),
)
def test_english_date_fast_path_agrees_with_dateutil(month, case, day, year, time_) -> None:
    s = f"{case(month)} {day}, {year}"
    if time_ is not None:
        h, m, ap = time_
        s += f" {h}:{m:02d}{ap if ap.startswith(' ') else ' ' + ap}"
    fast = _en_date(s)
    if 1 <= day <= 28 and (time_ is None or 1 <= time_[0] <= 12):
        assert fast is not None  # a well-formed dateline takes the fast path (fails with it switched off)
    if fast is None:
        return  # declined: parse_date goes on to dateutil exactly as before
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            slow = _dateutil.parse(s, fuzzy=False)
    except (ValueError, OverflowError):
        slow = None
    assert fast == slow
    assert parse_date(s) == _to_utc(fast)
