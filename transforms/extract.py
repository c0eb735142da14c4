"""HTML -> article text and metadata, with trafilatura (the only module that imports it).

With ``ExtractConfig.views`` (the default) the text is trafilatura's balanced extraction voted on by two
more views of the page, trafilatura's recall mode and resiliparse's main content
(``transforms.views.combine_views``); the metadata is trafilatura's.

The page is parsed once: both trafilatura views and the metadata read the same lxml tree
(``bare_extraction`` copies a tree it is given before pruning it, so the views never see each other's
cuts), and the metadata is only the four fields a row keeps (``_metadata``), not trafilatura's whole
``extract_metadata``, whose categories, tags, licence and site name cost a quarter of it."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import trafilatura
from htmldate.extractors import get_external_parser  # the dateparser instance find_date uses
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_title,
    extract_url,
    find_date,  # htmldate's, as trafilatura calls it
)

from transforms.mainview import main_content_text
from transforms.views import combine_views, recall_can_matter

if TYPE_CHECKING:
    from lxml.html import HtmlElement  # the tree trafilatura parses (lxml is its parser)

__all__ = ["ExtractConfig", "Extracted", "extract_article", "ensure_document", "warm_up"]

_HAS_BODY = re.compile(r"<\s*(html|body)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractConfig:
    """trafilatura options (chosen on measurement: see bench/bench_clean.py)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    views: bool = True  # let trafilatura's recall mode and resiliparse vote on the lines (combine_views)
    # htmldate's free-text date search (dateparser) when the markup has no date: finds one on ~11 % of
    # the eval pages that have none otherwise, for ~1.6 ms a page and ~1.3 s of dateparser set-up a process
    extensive_date_search: bool = True


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    author: str | None
    date: str | None
    url: str | None


def ensure_document(html: str) -> str:
    """trafilatura returns nothing for fragments without <html><body>: wrap them."""
    if _HAS_BODY.search(html[:4096]):
        return html
    return f"<html><body>{html}</body></html>"


def extract_article(
    html: str, url: str | None = None, config: ExtractConfig = ExtractConfig()
) -> Extracted | None:
    """Main text (block breaks as newlines) and metadata of one page, or None when no article is found."""
    tree = trafilatura.load_html(ensure_document(html))
    if tree is None:
        return None
    title, author, published, page_url = _metadata(tree, url, config.extensive_date_search)
    doc = trafilatura.bare_extraction(
        tree,
        url=url or page_url,  # what bare_extraction(with_metadata=True) hands its extractor
        favor_precision=config.favor_precision,
        favor_recall=config.favor_recall,
        include_tables=config.include_tables,
        include_comments=config.include_comments,
    )
    if doc is None or not (doc.text or "").strip():
        return None
    text = doc.text
    if config.views:
        support = _support_text(html)
        recall = _recall_text(tree, url, config) if recall_can_matter(text, support) else None
        text = combine_views(text, recall, support)
    return Extracted(text=text, title=title, author=author, date=published, url=page_url or url)


def warm_up() -> None:
    """Pay the date search's one-time set-up now: on a process's first free-text date, dateparser compiles
    the patterns of its ~200 locales (~2 s; later pages take milliseconds). A string no locale parses
    walks them all; the parser keeps no other state between calls (no previous locales), so extraction
    gives the same results with or without this."""
    get_external_parser().get_date_data("wirewash")


def _metadata(
    tree: HtmlElement, url: str | None, extensive: bool
) -> tuple[str | None, str | None, str | None, str | None]:
    """Title, author, date and URL of the page, as ``trafilatura.extract_metadata`` finds them (the same
    steps in the same order, a differential test holds them to it), without the fields a row does not
    keep. Reads the tree without changing it."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    with contextlib.suppress(Exception):  # bugs in trafilatura's JSON-LD reader: it skips them likewise
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.author = meta.author or extract_author(tree)
    meta.url = meta.url or extract_url(tree, url)
    meta.date = find_date(
        tree,
        extensive_search=extensive,
        original_date=True,
        url=meta.url,
        max_date=date.today().isoformat(),
    )
    meta.clean_and_trim()  # entities, control characters and spaces, as extract_metadata leaves them
    return meta.title or None, meta.author or None, meta.date or None, meta.url or None


def _recall_text(tree: HtmlElement, url: str | None, config: ExtractConfig) -> str | None:
    """trafilatura's recall-mode text of the page (None when it fails: the base stands alone). In fast
    mode: without readability and jusText as fallbacks, which on the eval pages only changed the vote on
    21 of 679 pages (snippet F1 0.9217 -> 0.9232, shingle F1 0.9490 -> 0.9487) for a tenth of the time."""
    try:
        return trafilatura.extract(
            tree,
            url=url,
            fast=True,
            favor_recall=True,
            include_tables=config.include_tables,
            include_comments=config.include_comments,
            with_metadata=False,
        )
    except Exception:  # noqa: BLE001 - a second view that fails is no vote, never a failed page
        return None


def _support_text(html: str) -> str | None:
    try:
        return main_content_text(html)
    except Exception:  # noqa: BLE001 - likewise
        return None
