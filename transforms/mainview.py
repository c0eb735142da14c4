"""A page's main content as resiliparse sees it (the only module that imports resiliparse): the second
view ``transforms.views.combine_views`` votes with."""

from __future__ import annotations

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

__all__ = ["main_content_text"]


def main_content_text(html: str) -> str | None:
    """resiliparse's main-content plain text of ``html`` (block breaks as newlines), or None when it
    finds nothing."""
    text = extract_plain_text(HTMLTree.parse(html), main_content=True)
    return text if text and text.strip() else None
