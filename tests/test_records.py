import json

import pytest

from transforms.records import RecordError, clean_field, derive_source, domain_of, json_fields, make_doc_id


def test_doc_id_is_stable_and_distinct():
    a = make_doc_id("harbor/a.jsonl", 3)
    assert a == make_doc_id("harbor/a.jsonl", 3)
    assert len(a) == 16 and int(a, 16) >= 0
    assert a != make_doc_id("harbor/a.jsonl", 4)
    assert make_doc_id("x.txt", None) != make_doc_id("x.txt", 0)


def test_doc_id_pinned_values():
    # pinned: ids must never change between releases, or re-runs after an upgrade would duplicate rows
    assert make_doc_id("a/b.txt", None) == "1f695becce3a043e"
    assert make_doc_id("a/b.jsonl", 7) == "644c3faa504de43f"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.reuters.com/world/x", "reuters.com"),
        ("http://News.Example.co.uk:8080/a?b=1", "news.example.co.uk"),
        ("ftp://example.com/x", None),
        ("not a url", None),
        ("https://[::1", None),
        (None, None),
    ],
)
def test_domain_of(url, domain):
    assert domain_of(url) == domain


@pytest.mark.parametrize(
    ("source", "url", "path", "expected"),
    [
        ("Reuters", "https://www.bbc.co.uk/x", "harbor/a.txt", "Reuters"),
        (None, "https://www.bbc.co.uk/x", "harbor/a.txt", "bbc.co.uk"),
        (None, None, "harbor/a.txt", "harbor"),
        (None, None, "a.txt", "unknown"),
    ],
)
def test_derive_source(source, url, path, expected):
    assert derive_source(source, url, path) == expected


def test_json_fields_aliases():
    f = json_fields(
        {"maintext": "Body", "date_publish": "2026-03-03", "source_domain": "x.com", "title": " T "}
    )
    assert (f.text, f.html, f.published, f.source, f.title) == ("Body", None, "2026-03-03", "x.com", "T")
    g = json_fields({"raw_html": "<p>x</p>", "content": "   "})
    assert (g.text, g.html) == (None, "<p>x</p>")


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ([1, 2], "not_an_object"),
        ("text", "not_an_object"),
        ({"title": "only"}, "no_text"),
        ({"text": 5}, "bad_value"),
        ({"text": ["a", "b"], "url": "https://x.example/1"}, "bad_value"),
        ({"text": None, "html": {"p": 1}}, "bad_value"),
        ({"text": "  ", "html": None}, "no_text"),
    ],
)
def test_json_fields_rejects(obj, reason):
    with pytest.raises(RecordError) as err:
        json_fields(obj)
    assert err.value.reason == reason


def test_json_fields_says_which_field_has_the_wrong_type():
    with pytest.raises(RecordError) as err:
        json_fields({"text": 12345})
    assert err.value.detail == "field 'text' is a JSON number, not a string"


def test_json_fields_replace_lone_surrogates():
    """A JSON escape of a lone surrogate (scrapes hold them) becomes U+FFFD in every field, and says so;
    a surrogate pair is one character already and stays."""
    f = json_fields(json.loads(r'{"text": "lone \ud800 here \ud83d\ude00", "title": "bad \udc80 title"}'))
    assert (f.text, f.title, f.replaced) == ("lone \ufffd here \U0001f600", "bad \ufffd title", True)
    g = json_fields({"text": "fine \U0001f600", "title": "ok"})
    assert (g.text, g.replaced) == ("fine \U0001f600", False)
    assert f.text.encode("utf-8")  # what polars and Parquet need


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (1772524800, "2026-03-03T08:00:00.000000Z"),  # epoch seconds
        (1772524800123, "2026-03-03T08:00:00.123000Z"),  # epoch milliseconds
        ("2026-03-03", "2026-03-03"),
        (42, None),  # not a plausible timestamp
        (True, None),
        ([2026], None),
    ],
)
def test_json_fields_published_epochs(published, expected):
    assert json_fields({"text": "t", "published": published}).published == expected


def test_clean_field_neutralises_hostile_values():
    assert clean_field("../../etc/passwd") == "../../etc/passwd"  # data, never used as a path
    assert clean_field("a\x00b\nc") == "a b c"
    assert clean_field("x" * 10_000) == "x" * 2048
    assert clean_field({"a": 1}) is None
    assert clean_field(True) is None
    assert clean_field(12) == "12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Coastline Post\nNews\nWeather\n404\nPage not found.\nHome", False),
        ("", False),
        ("Short title\nThe port authority said on Tuesday that the strike had halted traffic.", True),
    ],
)
def test_has_prose(text, expected):
    from transforms.records import has_prose

    assert has_prose(text) is expected
