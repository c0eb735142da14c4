"""transforms.blocks: the line-shape tests the main-block scorer stands on."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean import clean_text
from transforms.lineshape import _token_list, is_prose

_LETTER = re.compile(r"[^\W\d_]")


def _token_list_reference(s: str) -> bool:
    tokens = s[:1500].split()
    return sum(1 for t in tokens if not _LETTER.search(t)) * 4 > len(tokens)


# letters, digits, "_", punctuation and the whitespace str.split and re disagree on nowhere, non-decimal
# numerics ("²", "½": word characters, so "letters" here), Arabic-Indic digits, CJK
_CHARS = list("ab Z9_ /|-•.,!\t\n\u00a0é²½١日本\x1c\u2028")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CHARS), max_size=120))
def test_token_list_agrees_with_the_token_loop(s: str) -> None:
    assert _token_list(s) == _token_list_reference(s)


def test_token_list_reads_only_the_head_of_a_long_line() -> None:
    assert _token_list("| 2019 | 2020 | 2021 " * 200)
    assert not _token_list("word " * 300 + "| 1 " * 1000)  # the bare tokens come after 1,500 chars


def test_a_flattened_dropdown_is_not_prose_but_a_long_paragraph_is() -> None:
    dropdown = " ".join(f"{m} {y} /" for y in range(2010, 2026) for m in ("Jan", "Feb", "Mar"))
    paragraph = "The port strike entered its second day as dockers walked out over pay " * 4
    assert not is_prose(dropdown, 8)
    assert is_prose(paragraph.strip(), 8)


# ---------------------------------------------------------------- the main block on a page's visible text

BODY = [
    "Russia and Turkey are on opposite sides of the Syrian conflict, officials in both capitals said on "
    "Monday.",
    "Turkish forces are pressing on with a three-month operation inside Syria in support of local forces.",
    "The operation is in no way connected to what is happening in Aleppo, the prime minister told reporters.",
]


def _why(text: str) -> dict[int, str]:
    return {n: r for n, _, r in clean_text(text, fmt="txt").removed}


def test_a_widget_line_does_not_win_the_main_block() -> None:
    glued = (
        "Popular ReadsMarkets todayMutual funds SIP 2021What are multi asset fundsWhat are balanced fundsTop "
        "gainers todayStocks to buyIPO calendarGold rate todayBudget newsTax calculatorCrypto pricesRupee "
        "versus dollarHome loans"
    )
    text = "\n".join(["Home", BODY[0], "Share", "Tweet", "Email", BODY[1], "Trending", glued, glued, "About"])
    why = _why(text)
    assert why.get(2) is None and why.get(6) is None  # the article
    assert why[8] == why[9] == "outside_main_block"  # before: the block was lines 8-9 and the article went


def test_an_article_table_or_code_inside_the_block_is_not_a_link_list() -> None:
    table = ["Red Hat        8417  38.0%", "Collabora      6531  29.5%", "Canonical       422   1.9%"]
    code = ["filename=$1", "cert = /etc/stunnel/cert.pem", "cd $HOME/src"]
    para = " ".join(BODY)
    text = "\n".join([para, *table, para, *code, para])
    assert _why(text) == {}  # before: all six went as short_line_run


def test_teasers_after_the_article_are_not_its_prose() -> None:
    teasers = []
    for head, summary in [
        (
            "Breast cancer screening saved lives in 2018",
            "A new study estimates that mortality rates have "
            "fallen by approximately half in the United States since 1989.",
        ),
        (
            "Alcohol use disorder: a step toward better treatment",
            "Current treatments for the disorder are "
            "unsatisfactory, but recent research points toward a new intervention.",
        ),
        (
            "What role does the gut play in the disease",
            "A review of existing research has examined the "
            "evidence for a connection between the gut and the brain.",
        ),
    ]:
        teasers += [f"* {head}", summary]
    text = "\n".join(["Home", *BODY, "Recent news", *teasers, "About us"])
    why = _why(text)
    assert all(why.get(n) is None for n in (2, 3, 4))
    assert all(why[n] == "outside_main_block" for n in range(6, 12))  # before: the summaries were kept


def test_an_article_list_with_a_paragraph_per_item_stays_inside_the_block() -> None:
    items = []
    for head in ("* Finland tops the ranking", "* Norway comes second", "* Australia is third"):
        items += [head, " ".join([*BODY, BODY[0]])]  # a paragraph per item, longer than a summary
    text = "\n".join([BODY[0], *items, BODY[2]])
    assert _why(text) == {}


def test_a_title_list_of_sentence_shaped_headlines_does_not_outweigh_the_article() -> None:
    # headlines with a full stop inside ("Floods. The ministry mapped ...") read as prose; they do not end
    # like a paragraph, so they count half their length
    article = [" ".join(BODY), " ".join(BODY[1:] + BODY[:1])]  # 622 characters
    topics = [
        "Heat",
        "Vaccines",
        "Strikes",
        "Floods",
        "Fares",
        "Housing",
        "Exports",
        "Tourism",
        "Rents",
        "Jobs",
    ]
    titles = [f"{t}. The ministry published the figures for {n} regions [MAP]" for n, t in enumerate(topics)]
    menu = [f"Section {c}" for c in "ABCDEFGHIJKLMNOP"]  # between them: the block cannot span both
    text = "\n".join([*article, *menu, *titles])
    why = _why(text)
    assert why.get(1) is None and why.get(2) is None
    assert all(why[n] == "outside_main_block" for n in range(3, 3 + len(menu) + len(titles)))
    # before: the ten titles (640 characters) outweighed the article: it went, they stayed


COMMENTS = [
    "Anna on March 3, 2020 at 9:14 am",
    "I do not agree with the minister at all, the talks were never going to resume this quickly and "
    "everyone in the capital knew it.",
    "Reply",
    "Ben on March 3, 2020 at 11:02 am",
    "Thanks for the write-up, it is the clearest account of the operation I have read so far this week, "
    "and I have read a few of them.",
    "Reply",
    "Chris on March 4, 2020 at 8:40 am",
    "The border region has been quiet for months, which is exactly why this matters so much to the people "
    "who live there and work on both sides.",
]


@pytest.mark.parametrize(
    "head", ["Leave a Reply", "3 responses to “Talks resume”", "Schreibe einen Kommentar"]
)
def test_the_article_ends_at_the_comment_section(head: str) -> None:
    text = "\n".join(["Home", *BODY, "Share", head, *COMMENTS, "About us"])
    why = _why(text)
    assert all(why.get(n) is None for n in (2, 3, 4))
    # before: the thread joined the block and was kept (the head and "Share" cost less than it scored)
    assert all(why[n] == "outside_main_block" for n in range(6, 7 + len(COMMENTS)))


def test_a_comment_link_under_the_title_does_not_end_the_article() -> None:
    text = "\n".join(["Home", "Talks resume", "Leave a comment", *BODY, "About us"])
    why = _why(text)
    assert all(why.get(n) is None for n in (4, 5, 6))


def test_an_article_split_by_a_box_keeps_both_parts() -> None:
    first = [" ".join(BODY)] * 3  # 930 characters
    box = [f"Section {c}" for c in "ABCDEFGHIJKLMNO"]  # costs more than the second part scores
    text = "\n".join([*first, *box, *BODY, "About us"])
    why = _why(text)
    assert all(why.get(n) is None for n in (1, 2, 3))
    assert all(why[n] == "outside_main_block" for n in range(4, 4 + len(box)))
    assert all(why.get(n) is None for n in range(4 + len(box), 7 + len(box)))  # before: outside_main_block
    assert why[7 + len(box)] == "outside_main_block"


def test_two_paragraphs_far_from_the_article_are_not_a_further_block() -> None:
    first = [" ".join(BODY)] * 3
    box = [f"Section {c}" for c in "ABCDEFGHIJKLMNO"]
    text = "\n".join([*first, *box, *BODY[:2]])  # a teaser box's two sentences, not a part of the article
    why = _why(text)
    assert all(why[n] == "outside_main_block" for n in range(4, 6 + len(box)))


def test_a_widget_label_repeated_between_the_paragraphs_goes() -> None:
    label = "Bild anzeigen Bild schließen"
    para = " ".join(BODY)
    text = "\n".join([para, label, para, label, para, label, para, "Dates: March 25, 2015", "March 25, 2015"])
    why = _why(text)
    assert [why.get(n) for n in (2, 4, 6)] == ["repeated_in_page"] * 3  # before: kept
    assert all(why.get(n) is None for n in (1, 3, 5, 7))


def test_a_date_repeated_in_the_article_stays() -> None:
    para = " ".join(BODY)
    text = "\n".join([para, "March 25, 2015", para, "March 25, 2015", para, "March 25, 2015", para])
    assert _why(text) == {2: "date_line"}  # the first goes to ``published``, the other two stay


def test_short_cjk_sentences_inside_the_block_are_not_a_link_list() -> None:
    para = (
        "。".join(["東京の会議は月曜日に始まり、各国の代表が経済と安全保障について長い議論を続けた"] * 4)
        + "。"
    )
    steps = ["・必ず複数の人で確保する。", "・線路に逃げることも考慮する。", "・駅員にすぐ知らせる。"]
    assert _why("\n".join([para, *steps, para])) == {}  # before: the three went as short_line_run


_PANEL = [
    "Necessary cookies are absolutely essential for the website to function properly, and this category "
    "only includes cookies that ensure basic functionalities and security features of the website. " * 2,
    "Any cookies that may not be particularly necessary for the website to function and are used "
    "specifically to collect user personal data via analytics, ads and other embedded contents. " * 2,
    "Performance cookies are used to understand and analyze the key performance indexes of the website "
    "which helps in delivering a better user experience for the visitors of this site. " * 2,
]


def test_a_short_article_is_not_lost_to_a_longer_prose_block_at_the_end_of_the_page() -> None:
    article = [" ".join(BODY)] * 3  # 930 characters against the panel's 1,200: at least 0.3 of it
    links = [f"Link {n}" for n in range(80)]  # cost more than the panel could join across
    text = "\n".join([*article, *links, *_PANEL])
    why = _why(text)
    assert all(why.get(n) is None for n in (1, 2, 3))  # before: outside_main_block, the panel kept
    assert [why.get(n) for n in range(84, 87)] == ["outside_main_block"] * 3


def test_the_main_block_at_the_end_stays_when_nothing_before_it_comes_close() -> None:
    links = [f"Link {n}" for n in range(80)]
    text = "\n".join([BODY[0], *links, *_PANEL])  # one sentence: under 0.3 of the panel's score
    why = _why(text)
    assert why[1] == "outside_main_block"
    assert all(why.get(n) is None for n in range(82, 85))


_STORY = [
    "The council approved the new budget on Tuesday after a debate that lasted well into the night.",
    "Spending on schools rises by four percent, while the road repair fund is cut for the second year.",
    "Opposition members said the cuts would hurt the outer districts, which already wait longest.",
    "The mayor said the plan was the best the city could afford in a year of falling tax receipts.",
]


def test_in_text_that_is_an_article_already_captions_between_paragraphs_do_not_cut_it_off() -> None:
    # a scraper's text: two paragraphs, four photo captions, the rest of the story, two short quotes.
    # The captions outweigh the first two paragraphs, which went as outside_main_block, and so did the
    # quotes: under 25 characters is not prose.
    captions = [
        "Getty Images Council members vote on the budget",
        "Reuters The mayor speaks to reporters outside the city hall",
        "AP Photo The city hall at night",
        "Getty Images Protesters gather outside the chamber on Tuesday",
    ]
    text = "\n".join(
        [*_STORY[:2], *captions, *_STORY[2:], "What comes next", *_STORY[:2], '"It is fair."', "She agreed."]
    )
    why = _why(text)
    assert [why.get(n) for n in range(1, 14)] == [
        *[None] * 2,
        *["outside_main_block"] * 2,
        "photo_credit",  # one removed line does not stop the walk back to the first paragraphs
        "outside_main_block",
        *[None] * 7,  # the subheading between the paragraphs too: short lines between kept ones stay
    ]
    assert clean_text(text, fmt="txt").text.endswith('"It is fair."\nShe agreed.')


def test_in_a_whole_page_a_short_sentence_next_to_the_article_stays_and_the_menu_goes() -> None:
    menu = ["Home", "World", "Business", "Sport", "Weather", "Culture", "Travel"]
    text = "\n".join([*menu, *_STORY, "That is all.", *menu])
    why = _why(text)
    assert [why.get(n) for n in range(1, 8)] == ["outside_main_block"] * 7
    assert why.get(12) is None  # before: outside_main_block (a sentence, but under 25 characters)
    assert {why.get(n) for n in range(13, 20)} == {"outside_main_block"}


def test_a_ranking_and_a_verdicts_points_inside_the_article_are_not_link_lists() -> None:
    ranking = ["1. Finland", "2. Norway", "3. Australia", "4. Canada", "5. Germany"]
    points = ["- Most powerful hardware in a home console", "- Still no VR support", "- Expensive"]
    assert _why("\n".join([*_STORY[:2], *ranking, *_STORY[2:], *points, *_STORY])) == {}
    countdown = ["5. Tottenham Hotspur", "4. Chelsea", "3. Arsenal", "2. Liverpool", "1. Manchester City"]
    assert _why("\n".join([*_STORY[:2], *countdown, *_STORY[2:]])) == {}
    menu = ["- Home", "- World News", "- Sport", "- Weather"]
    why = _why("\n".join([*_STORY[:2], *menu, *_STORY[2:]]))
    assert [why.get(n) for n in range(3, 7)] == ["short_line_run"] * 4


def test_a_short_question_at_the_articles_edge_asks_the_reader_and_does_not_join_it() -> None:
    # a local site's prompts under a wire brief: kept, they halve its containment in a longer copy
    text = "\n".join([*_STORY, "Did you feel the earthquake?", "Have you felt any aftershocks?"])
    why = _why(text)
    assert [why.get(n) for n in (5, 6)] == ["outside_main_block"] * 2
    assert _why("\n".join([*_STORY, "That is all."])) == {}  # a statement there joins it


def test_a_password_subheading_in_a_story_on_passwords_is_no_sign_in_dialog() -> None:
    story = [
        "Password managers store every login in one encrypted vault, so users need remember only one.",
        "Security researchers say the tools are safer than reusing the same password on many sites.",
        "Password",
        "A strong master password is long: four or five random words beat a short string of symbols.",
        "Your email address and your password should never be the same on two accounts, they said.",
        "Most managers can also fill in forms and warn users when a site they use has been breached.",
    ]
    assert _why("\n".join(story)) == {}  # a first version took the whole story as account_dialog
