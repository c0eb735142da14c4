from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura

from transforms.extract import ExtractConfig, Extracted, ensure_document, extract_article
from transforms.mainview import main_content_text
from transforms.views import combine_views, recall_can_matter

PAGE = (
    "<html><head><title>Talks resume</title></head><body><nav><a href='/'>Home</a></nav><article>"
    + "".join(
        f"<p>Paragraph {i} says the talks between the two sides resumed on Monday in Geneva "
        f"after a pause of several weeks, officials said.</p>"
        for i in range(6)
    )
    + "</article><footer>© 2024 Example</footer></body></html>"
)


def test_defaults_chosen_on_measurement() -> None:
    assert ExtractConfig() == ExtractConfig(
        favor_precision=False,
        favor_recall=False,
        include_tables=True,
        include_comments=False,
        extensive_date_search=True,  # the free-text date search finds dates the markup lacks: kept
    )


def test_extract_article() -> None:
    art = extract_article(PAGE, "https://example.com/a")
    assert art is not None and art.title == "Talks resume"
    assert art.text.count("Paragraph") == 6 and "Home" not in art.text


def test_fragment_is_wrapped_and_empty_is_none() -> None:
    assert ensure_document("<p>x</p>") == "<html><body><p>x</p></body></html>"
    assert extract_article("<html><body></body></html>") is None


# --- differential: one parse and the four-field metadata against trafilatura's own calls on the string

_BODY = "".join(
    f"<p>Paragraph {i} of the report says the harbour authority will reopen the north quay in May "
    f"after repairs that took most of the winter, a spokesperson said.</p>"
    for i in range(5)
)
_PAGES = {
    "meta and json-ld": (
        "<html><head><title>Quay reopens &amp; more | Harbour Times</title>"
        '<meta property="og:title" content="Quay to reopen in May">'
        '<meta name="author" content="Jane Doe">'
        '<link rel="canonical" href="https://harbour.example/news/quay">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Quay to reopen",'
        ' "datePublished": "2024-03-05T07:45:00Z", "author": {"@type": "Person", "name": "Jane Doe"}}'
        "</script></head><body><article>" + _BODY + "</article></body></html>"
    ),
    "byline in the markup, date in the text": (
        "<html><head><title>Quay reopens</title></head><body><nav><a href='/'>Home</a></nav>"
        "<article><h1>Quay reopens</h1><p class='byline'>By <span class='author'>John Smith</span></p>"
        "<p>Published on 5 March 2024</p>" + _BODY + "</article><footer>© 2023 Harbour</footer></body></html>"
    ),
    "a date only dateparser reads": (
        "<html><body><article><p>Publicado el jueves, veintiocho de abril de 2022</p>"
        + _BODY
        + "</article></body></html>"
    ),
    "no metadata at all": "<html><body><div>" + _BODY + "</div></body></html>",
    "a fragment": "<div>" + _BODY + "</div>",
}
_RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
_PAGES.update({p.name: p.read_text(encoding="utf-8") for p in sorted(_RAW.rglob("*.html"))})


def _reference(html: str, url: str | None) -> Extracted | None:
    """extract_article as it was before the shared tree: three calls on the string, trafilatura's
    whole metadata (with the recall view in fast mode and skipped where it cannot matter, as now)."""
    page = ensure_document(html)
    doc = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        return None
    support = main_content_text(html)
    recall = trafilatura.extract(page, url=url, fast=True, favor_recall=True, include_comments=False)
    text = combine_views(doc.text, recall if recall_can_matter(doc.text, support) else None, support)
    return Extracted(text, doc.title or None, doc.author or None, doc.date or None, doc.url or url)


@pytest.mark.parametrize("url", [None, "https://harbour.example/2024/03/05/quay-reopens"])
@pytest.mark.parametrize("name", list(_PAGES))
def test_one_parse_and_four_fields_match_trafilaturas_own_calls(name: str, url: str | None) -> None:
    assert extract_article(_PAGES[name], url) == _reference(_PAGES[name], url)


def test_the_shared_tree_is_not_changed_by_the_metadata() -> None:
    from lxml.html import tostring

    from transforms.extract import _metadata

    tree = trafilatura.load_html(_PAGES["byline in the markup, date in the text"])
    before = tostring(tree)
    _metadata(tree, None, extensive=True)
    assert tostring(tree) == before


def test_the_date_search_warm_up_changes_no_date() -> None:
    """warm_up pays dateparser's set-up (all its locales); the parser keeps no state that later dates
    depend on: the same strings give the same dates after it, and a page its dates."""
    from htmldate.extractors import get_external_parser

    from transforms.extract import warm_up

    strings = ["3 März 2024", "Posted 12 hours ago", "le 5 janvier 2023 à 10h", "wirewash"]
    page = "<html><body><p>Mis en ligne le 5 janvier 2023.</p><p>" + "Le conseil a voté le budget. " * 9
    before = [get_external_parser().get_date_data(s)["date_obj"] for s in strings]
    got = extract_article(page + "</p></body></html>")
    warm_up()
    assert [get_external_parser().get_date_data(s)["date_obj"] for s in strings] == before
    assert extract_article(page + "</p></body></html>") == got
