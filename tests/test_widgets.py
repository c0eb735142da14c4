"""transforms.widgets: the line shapes of a widget's text on a page."""

from __future__ import annotations

import pytest

from transforms.widgets import comments_head, widget_text

BODY = "Russia and Turkey are on opposite sides of the Syrian conflict, officials in both capitals said."


@pytest.mark.parametrize(
    ("line", "widget"),
    [
        # a noscript pixel: markup in the visible text
        (
            'Jetzt anmelden und gewinnen! <div style="position:absolute;"><img width=1 height=1 src="x.gif">',
            True,
        ),
        # link texts glued together without spaces
        (
            "Zee Sony MergerModi Live newsSensex todayMutual funds SIP 2021What are multi asset "
            "fundsWhat are balanced fundsHow to invest",
            True,
        ),
        # a teaser whose link text and image alt repeat one another
        (
            "1. Where do the engagement rings of the show come from? Where do the engagement rings of "
            "the show come from?",
            True,
        ),
        (BODY, False),
        (
            "Apple's iPhone and McDonald's menus were on the agenda of the meeting in the capital on Monday.",
            False,
        ),
        ("Use <b> for bold text, the tutorial says, and close every tag you open in the document.", False),
    ],
)
def test_widget_text(line: str, widget: bool) -> None:
    assert widget_text(line) is widget


@pytest.mark.parametrize(
    ("line", "head"),
    [
        ("Leave a Reply", True),
        ("12 responses to “Talks resume”", True),
        ("Your email address will not be published. Required fields are marked *", True),
        ("Schreibe einen Kommentar", True),
        ("Kommentar verfassen", True),  # WordPress's German comment form
        ("Hinterlasse einen Kommentar", False),  # ...and its link under the title
        ("3 Kommentare zu „Die Überforderung“", True),
        ("Leave a comment", False),  # themes put it under a post's title too
        ("Add a comment", False),  # Q&A pages put it under every answer
        ("Comments", False),
        ("We read every reply to the survey and answer the ones that ask a question.", False),
    ],
)
def test_comments_head(line: str, head: bool) -> None:
    assert comments_head(line) is head
