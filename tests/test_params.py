"""CleanNewsParams: the UI form's schema carries each field's bounds in its description."""

from __future__ import annotations

import pytest

from flows.params import CleanNewsParams, bounds_text


def _props() -> dict:
    return CleanNewsParams.model_json_schema()["properties"]


@pytest.mark.parametrize(
    ("field", "suffix"),
    [
        ("workers", "(0–64)"),
        ("max_file_mb", "(1–1,024)"),
        ("min_clean_chars", "(0–100,000)"),
        ("repeated_min_share", "(0–1)"),
        ("jaccard_threshold", "(>0 and ≤1)"),
        ("lock_wait_seconds", "(0–86,400)"),
    ],
)
def test_bounds_are_in_the_description(field, suffix):
    assert _props()[field]["description"].endswith(" " + suffix)


def test_every_bounded_field_shows_its_bounds_and_no_other_does():
    for name, prop in _props().items():
        bounded = any(k in prop for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"))
        assert prop["description"].endswith(")") == bounded or name == "outlet_rules", name
        assert prop["description"].count("–") + prop["description"].count("≤") >= bounded, name


@pytest.mark.parametrize(
    ("prop", "text"),
    [
        ({}, None),
        ({"minimum": 2}, "≥2"),
        ({"maximum": 9}, "≤9"),
        ({"exclusiveMinimum": 0, "maximum": 1}, ">0 and ≤1"),
        ({"minimum": 0.5, "exclusiveMaximum": 2}, "≥0.5 and <2"),
    ],
)
def test_bounds_text(prop, text):
    assert bounds_text(prop) == text
