"""transforms.widgets: the line shapes of a widget's text on a page."""

from __future__ import annotations

import pytest

from transforms.clean import clean_text
from transforms.rules import RULES, first_match
from transforms.widgets import ACCOUNT_RULES, account_dialogs, comments_head, widget_text

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


ZDF_DIALOG = [
    "Mein ZDF – Login",
    "Mit ZDF-Konto anmelden.",
    "Bitte fülle alle Pflichtfelder mit * aus.",
    "Diese E-Mail-Adresse scheint nicht korrekt zu sein – sie muss ein @ beinhalten.",
    "Zu dieser E-Mail-Adresse ist kein ZDF-Konto vorhanden oder das angegebene Passwort ist falsch.",
    "Abschicken",
    "Das Passwort muss mindestens 8 Zeichen lang sein.",
    "Bitte wähle deine Anzeigename.",
    "Deine Registrierung war erfolgreich",
    "Passwort vergessen?",  # the sign-in rule's line (signin_prompt): the page has a dialog to look for
]


def _dialogs(lines: list[str], why: list[str | None] | None = None) -> list[str | None]:
    """account_dialogs after the rules' verdicts (``first_match``), or after ``why`` when given."""
    why = why or [r.id if s and (r := first_match(s, RULES)) else None for s in lines]
    account_dialogs(lines, why)
    return why


def test_an_account_dialog_goes_with_the_short_lines_inside_it() -> None:
    lines = [BODY, "", *ZDF_DIALOG, "", BODY]
    # the short lines between account lines go too ("Bitte fülle alle Pflichtfelder mit * aus.",
    # "Abschicken", "Bitte wähle deine Anzeigename."): six account lines of nine
    assert _dialogs(lines) == [None, None, *["account_dialog"] * 9, "signin_prompt", None, None]


def test_a_page_without_a_sign_in_prompt_is_not_searched() -> None:
    lines = [BODY, *ZDF_DIALOG[:-1], BODY]  # no line a sign-in rule removes
    assert _dialogs(lines) == [None] * len(lines)


def test_a_rule_s_verdict_inside_the_dialog_stays_and_counts() -> None:
    lines = ["Sign in", "Email address", "Password", "Forgot your password?", "Create an account", BODY]
    why = _dialogs(lines, ["signin_prompt", None, None, "signin_prompt", None, None])
    assert why == [
        "signin_prompt",
        "account_dialog",
        "account_dialog",
        "signin_prompt",
        "account_dialog",
        None,
    ]


@pytest.mark.parametrize(
    "lines",
    [
        # four account lines: below ACCOUNT_MIN_LINES, left to the rules
        ["Sign in", "Email address", "Password", "Forgot your password?", BODY],
        ["Email address", "Password", "Username", "Account", "Sign up", BODY],  # no sign-in rule's line
        # an article on a breach: its account lines are paragraphs, or too far apart
        [
            "Hackers stole the passwords of 3 million accounts, the company said on Monday.",
            "It urged users to change their password and to turn on two-step login.",
            "The breach was found in March, when a researcher reported it to the firm and to the "
            "regulator, which opened an inquiry into how the data had been stored for years without "
            "encryption, salting or any of the measures its own policy required.",
            "Shares fell 4 per cent.",
            "Accounts of some users were sold online, according to the researcher.",
            "Experts said the email addresses alone were worth little.",
            "The company's login page was offline for two hours.",
        ],
    ],
)
def test_what_is_not_a_dialog_stays(lines: list[str]) -> None:
    before = [r.id if s and (r := first_match(s, RULES)) else None for s in lines]
    assert _dialogs(lines) == before


def test_the_cleaner_drops_a_dialog_and_keeps_the_article() -> None:
    article = [BODY, BODY.replace("Russia", "Iran"), BODY.replace("Turkey", "Qatar")]
    res = clean_text("\n\n".join([*article, *ZDF_DIALOG]), fmt="txt")
    assert [t for t in res.text.split("\n") if t] == article
    assert [rule for _, _, rule in res.removed] == ["account_dialog"] * 9 + ["signin_prompt"]


def test_the_sign_in_rules_a_dialog_stands_on_are_rules_of_the_table() -> None:
    # ACCOUNT_RULES names rule ids as text: a renamed rule would silently switch the dialogs off
    assert {r.id for r in RULES} >= ACCOUNT_RULES
