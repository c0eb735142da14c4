"""HTML -> article text and metadata, with trafilatura (the only module that imports it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

__all__ = ["ExtractConfig", "Extracted", "extract_article", "ensure_document"]

_HAS_BODY = re.compile(r"<\s*(html|body)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractConfig:
    """trafilatura options (chosen on measurement: see bench/bench_clean.py)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False


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
    return Extracted(
        text=doc.text,
        title=doc.title or None,
        author=doc.author or None,
        date=doc.date or None,
        url=doc.url or url,
    )
