"""HTML -> article text and metadata, with trafilatura (the only module that imports it).

With ``ExtractConfig.views`` (the default) the text is trafilatura's balanced extraction voted on by two
more views of the page, trafilatura's recall mode and resiliparse's main content
(``transforms.views.combine_views``); the metadata is trafilatura's."""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

from transforms.mainview import main_content_text
from transforms.views import combine_views

__all__ = ["ExtractConfig", "Extracted", "extract_article", "ensure_document"]

_HAS_BODY = re.compile(r"<\s*(html|body)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractConfig:
    """trafilatura options (chosen on measurement: see bench/bench_clean.py)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    views: bool = True  # let trafilatura's recall mode and resiliparse vote on the lines (combine_views)


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
    doc = trafilatura.bare_extraction(
        ensure_document(html),
        url=url,
        with_metadata=True,
        favor_precision=config.favor_precision,
        favor_recall=config.favor_recall,
        include_tables=config.include_tables,
        include_comments=config.include_comments,
    )
    if doc is None or not (doc.text or "").strip():
        return None
    text = doc.text
    if config.views:
        text = combine_views(text, _recall_text(html, url, config), _support_text(html))
    return Extracted(
        text=text,
        title=doc.title or None,
        author=doc.author or None,
        date=doc.date or None,
        url=doc.url or url,
    )


def _recall_text(html: str, url: str | None, config: ExtractConfig) -> str | None:
    """trafilatura's recall-mode text of the page (None when it fails: the base stands alone)."""
    try:
        return trafilatura.extract(
            ensure_document(html),
            url=url,
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
