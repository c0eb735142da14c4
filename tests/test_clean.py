"""clean_text / explain / clean_frame: golden cases per structural rule, verdicts, audit column,
invariants."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean import (
    REMOVED_DTYPE,
    CleanConfig,
    clean_frame,
    clean_split,
    clean_text,
    explain,
    format_explain,
)
from transforms.linestats import line_hash, normalise_line
from transforms.rules import LineRule
from transforms.schema import RECORD_SCHEMA, REJECTED_SCHEMA

BODY = [
    "Russia and Turkey are on opposite sides of the Syrian conflict, officials in both capitals said on "
    "Monday.",
    "Turkish forces are pressing on with a three-month operation inside Syria in support of local forces.",
    "The operation is in no way connected to what is happening in Aleppo, the prime minister told reporters.",
]
PAYWALL = [
    "You’ve reached your limit of {{free_limit}} free articles this month.",
    "Smart Quarterly",
    "₹900",
    "3 Months",
    "Super Saver",
    "Exclusive premium stories online",
]


def _rules(res) -> dict[int, str]:
    return {n: r for n, _, r in res.removed}


def test_paywall_block_goes_as_a_whole_and_stops_at_prose() -> None:
    text = "\n".join(BODY[:2] + PAYWALL + [BODY[2]])
    res = clean_text(text, config=CleanConfig(structure="never"))
    assert _rules(res) == {
        3: "paywall_limit",
        4: "paywall_block",
        5: "price_line",
        6: "paywall_block",
        7: "paywall_block",
        8: "paywall_block",
    }
    assert res.text == "\n".join(BODY)


def test_promo_lines_without_marker_are_kept() -> None:
    # no paywall marker: "Smart Quarterly" is not removed as promo; at the top it reads as a headline
    res = clean_text("\n".join(["Smart Quarterly", *BODY]), config=CleanConfig(structure="never"))
    assert _rules(res) == {1: "title_line"} and res.title == "Smart Quarterly"
    assert res.text == "\n".join(BODY)
    res = clean_text(
        "\n".join([*BODY[:2], "Smart Quarterly", BODY[2]]), config=CleanConfig(structure="never")
    )
    assert res.removed == [] and res.text.count("\n") == 3


def test_headline_goes_to_title_and_date_to_published() -> None:
    text = "\n".join(["Putin hails closer Moscow-Ankara ties", "", "September 9, 2016 8:00 am", *BODY])
    res = clean_text(text)
    assert res.title == "Putin hails closer Moscow-Ankara ties"
    assert res.published_line == "September 9, 2016 8:00 am"
    assert _rules(res) == {1: "title_line", 3: "date_line"}


def test_given_title_is_removed_from_text_and_kept() -> None:
    res = clean_text("\n".join(["PUTIN hails closer ties!", *BODY]), title="Putin hails closer ties")
    assert res.title == "Putin hails closer ties" and _rules(res) == {1: "title_line"}


def test_repeated_lines_by_hash() -> None:
    footer = "Follow us for the latest updates"
    res = clean_text("\n".join([*BODY, footer]), repeated=frozenset({line_hash(normalise_line(footer))}))
    assert _rules(res) == {4: "repeated_line"}


def test_extra_rules_run_first() -> None:
    rule = LineRule("outlet_footer", "test", "boilerplate", r"^Syria hopes")
    res = clean_text("\n".join([*BODY, "Syria hopes to have Turkey by its side"]), extra_rules=(rule,))
    assert _rules(res) == {4: "outlet_footer"}


def test_subhead_inside_article_is_kept() -> None:
    text = "\n".join([BODY[0], BODY[1], "Syria hopes to have Turkey by its side", BODY[2]])
    assert clean_text(text, config=CleanConfig(structure="always")).removed == []


def test_block_scorer_drops_menus_and_link_lists() -> None:
    menu = ["Home", "World", "Business", "Sport", "Weather"]
    related = ["Putin meets Erdogan", "Aleppo battle latest", "Oil prices fall again"]
    tail = [BODY[2], BODY[0] + " " + BODY[1]]
    text = "\n".join([*menu, *BODY[:2], *related, *tail, "About us", "Contact", "Jobs"])
    res = clean_text(text, fmt="txt")
    rules = _rules(res)
    assert res.text == "\n".join(BODY[:2] + tail)
    assert [rules[i] for i in range(1, 6)] == ["outside_main_block"] * 5
    assert {rules[i] for i in (8, 9, 10)} == {"short_line_run"}
    assert [rules[i] for i in (13, 14, 15)] == ["outside_main_block", "contact_line", "outside_main_block"]


def test_block_scorer_is_not_won_by_a_flattened_dropdown() -> None:
    # a <select> of archive months flattened into one 1,500-character line outweighed the article
    dropdown = "-- SELECT -- " + " / ".join(
        f"{m}{y}" for y in range(2010, 2023) for m in ("Jan", "Apr", "Jul", "Oct")
    )
    dropdown = (dropdown + " / ") * 3
    text = "\n".join(["Home", *BODY, "Related stories", "About us", dropdown, "Contact"])
    res = clean_text(text, fmt="txt")
    assert res.text == "\n".join(BODY)
    assert _rules(res)[len(BODY) + 4] == "outside_main_block"


def test_long_unpunctuated_prose_still_counts_as_prose() -> None:
    # 30 words without a full stop (a caption-less paragraph, a transcript) is prose, not a token list
    # (two different halves: a line that repeats itself word for word is a teaser's link and image text)
    words = "the minister said on tuesday that talks with the union would resume next week and that a deal"
    line = f"{words} could follow before the end of the month if both sides agreed on the pay offer"
    text = "\n".join(["Home", "World", "Sport", line, "About us"])
    assert clean_text(text, fmt="txt").text == line


def test_html_text_skips_block_scorer_in_auto_mode() -> None:
    text = "\n".join(["Home", "World", "Sport", *BODY])
    assert "outside_main_block" not in set(_rules(clean_text(text, fmt="html")).values())


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "one line"])
def test_edge_inputs(text: str) -> None:
    res = clean_text(text)
    assert res.text == text.strip()


def test_huge_line_is_fast_and_kept() -> None:
    line = "word " * 200_000
    res = clean_text(line)
    assert res.kept == [1]


def test_explain_marks_every_line() -> None:
    text = "\n".join([BODY[0], "", "Skip to toolbar"])
    ex = explain(text)
    assert [(e.line_no, e.kept, e.rule_id) for e in ex] == [
        (1, True, None),
        (2, False, None),
        (3, False, "skip_link"),
    ]
    assert "skip_link" in format_explain(ex)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(BODY + PAYWALL + ["", "Home", "Read More:", "shared on"]), max_size=30))
def test_every_line_is_kept_or_removed_exactly_once(lines: list[str]) -> None:
    res = clean_text("\n".join(lines))
    removed = {n for n, _, _ in res.removed}
    nonblank = {i + 1 for i, s in enumerate(lines) if s.strip()}
    assert removed.isdisjoint(res.kept)
    assert nonblank == (removed & nonblank) | set(res.kept)


def _records(texts: list[str], fmt: str = "txt") -> pl.DataFrame:
    rows = [
        {
            "doc_id": f"{i:016x}",
            "source": "example.com",
            "source_path": f"{i}.txt",
            "format": fmt,
            "raw_text": t,
            "raw_chars": len(t),
        }
        for i, t in enumerate(texts)
    ]
    df = pl.DataFrame(rows)
    return (
        df.with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in RECORD_SCHEMA.items() if c not in df.columns]
        )
        .select(list(RECORD_SCHEMA))
        .cast(RECORD_SCHEMA)
    )  # type: ignore[arg-type]


def test_clean_frame_columns_verdict_and_audit() -> None:
    good = "\n".join(["A headline about the talks", "March 10, 2017", *BODY, "Skip to toolbar"])
    records = _records([good, "Skip to toolbar\nToo short."])
    articles, rejected = clean_frame(records, CleanConfig(min_clean_chars=100, min_clean_words=10))
    assert articles.columns == [*RECORD_SCHEMA, "text", "removed", "clean_chars"]
    assert articles.schema["removed"] == REMOVED_DTYPE
    assert articles.height == 1 and rejected.height == 1
    row = articles.row(0, named=True)
    assert row["title"] == "A headline about the talks"
    assert str(row["published"]) == "2017-03-10 00:00:00+00:00"
    assert row["text"] == "\n".join(BODY) and row["clean_chars"] == len("\n".join(BODY))
    assert [(r["line"], r["rule"]) for r in row["removed"]] == [
        (1, "title_line"),
        (2, "date_line"),
        (6, "skip_link"),
    ]
    assert rejected.schema == pl.Schema(REJECTED_SCHEMA)
    assert rejected.row(0, named=True)["reason"] == "too_short"


def _story(i: int) -> str:
    return "\n".join(
        f"Story {i} paragraph {k} tells of event {chr(97 + i) * 3}{k} in a long sentence of words."
        for k in range(3)
    )


def test_clean_frame_repeated_lines_and_outlet_rules() -> None:
    from transforms.linestats import LineStatsConfig, line_evidence, repeated_lines

    footer = "Press TV is also on these platforms"
    records = _records([_story(i) + "\n" + footer for i in range(5)])
    rep = repeated_lines(line_evidence(records), LineStatsConfig(min_docs=4))
    rule = LineRule("example_story", "test", "boilerplate", r"^Story 0 paragraph 0 ")
    articles, _ = clean_frame(
        records,
        CleanConfig(min_clean_chars=10, min_clean_words=5, structure="never"),
        outlet_rules={"example.com": (rule,)},
        repeated=rep,
    )
    rules = articles.select(pl.col("removed").list.eval(pl.element().struct.field("rule"))).to_series()
    assert rules.to_list() == [["example_story", "repeated_line"]] + [["repeated_line"]] * 4


@pytest.mark.parametrize(
    ("text", "table"),
    [
        pytest.param("\n".join(BODY), "articles", id="an article: 52 words, 311 chars"),
        pytest.param(BODY[0] + " Turkish forces are pressing on.", "short", id="a brief: 23 words"),
        pytest.param(
            BODY[0] + " It is a war of a kind that no one in the area has seen.",
            "short",
            id="33 words but 162 chars",
        ),
        pytest.param(BODY[1], "short", id="16 words: the fewest a short copy has"),
        pytest.param(BODY[1].rsplit(" ", 1)[0] + ".", "rejected", id="15 words: too_short"),
        pytest.param("Skip to toolbar\nToo short.", "rejected", id="chrome: too_short"),
    ],
)
def test_clean_split_offers_briefs_of_16_words_or_more_to_dedup(text: str, table: str) -> None:
    articles, short, rejected = clean_split(_records([text]), CleanConfig(structure="never"))
    assert {"articles": articles, "short": short, "rejected": rejected}[table].height == 1
    assert articles.height + short.height + rejected.height == 1
    assert short.columns == [*articles.columns, "reject_detail"]
    if table != "articles":
        detail = short["reject_detail"] if table == "short" else rejected["detail"]
        assert detail.item().endswith("left after cleaning (min 200 / 30); 0 of 1 lines removed") or (
            table == "rejected" and "Skip to toolbar" in text
        )
    articles_all, rejected_all = clean_frame(_records([text]), CleanConfig(structure="never"))
    assert articles_all.equals(articles)
    assert rejected_all.height == short.height + rejected.height


def test_clean_frame_with_staged_line_hashes_is_the_same() -> None:
    """The read pass stages ``hashed_lines`` and the cleaning pass reuses them: same verdicts as hashing
    again, with a footer line in two outlets (repeated in one only) and a line over the evidence cap."""
    from transforms.linestats import LineStatsConfig, hashed_lines, line_evidence, repeated_lines

    footer = "Press TV is also on these platforms"
    long_line = "A very long line of article prose that is never evidence. " * 10
    records = _records([_story(i) + "\n" + footer + "\n" + long_line for i in range(6)])
    records = records.with_columns(
        source=pl.when(pl.int_range(pl.len()) < 5).then(pl.lit("a.example")).otherwise(pl.lit("b.example"))
    )
    config = CleanConfig(min_clean_chars=10, min_clean_words=5, structure="never")
    lines = hashed_lines(records, config.linestats())
    rep = repeated_lines(line_evidence(records, config.linestats(), lines=lines), LineStatsConfig(min_docs=4))
    again, _ = clean_frame(records, config, repeated=rep)
    staged, _ = clean_frame(records, config, repeated=rep, lines=lines)
    assert staged.equals(again)
    removed = staged.select(pl.col("removed").list.eval(pl.element().struct.field("rule"))).to_series()
    assert removed.to_list() == [["repeated_line"]] * 5 + [[]]


def test_clean_frame_empty() -> None:
    articles, rejected = clean_frame(_records([]))
    assert articles.height == 0 and rejected.height == 0


def test_clean_records_keeps_rejects_and_explained_lines_render_its_row() -> None:
    from transforms.clean import clean_records, explained_lines

    good = "\n".join(["A headline about the talks", *BODY, "", "Skip to toolbar"])
    out = clean_records(_records([good, "Skip to toolbar\nToo short."]), CleanConfig(100, 10))
    assert out.height == 2 and out.columns == [
        *RECORD_SCHEMA,
        "text",
        "removed",
        "clean_chars",
        "reject_detail",
    ]
    assert out["reject_detail"][0] is None
    assert (
        out["reject_detail"][1]
        == "10 chars / 2 words left after cleaning (min 100 / 10); 1 of 2 lines removed"
    )
    row = out.row(0, named=True)
    lines = explained_lines(row["raw_text"], {r["line"]: r["rule"] for r in row["removed"]})
    assert [(e.line_no, e.kept, e.rule_id) for e in lines] == [
        (1, False, "title_line"),
        (2, True, None),
        (3, True, None),
        (4, True, None),
        (5, False, None),
        (6, False, "skip_link"),
    ]
    assert lines == explain(good)


def test_related_headlines_after_a_lead_go_as_related_list() -> None:
    related = [
        "Related stories",
        "Putin meets Erdogan in Sochi",
        "Aleppo battle enters a new phase",
        "2 hours ago",
    ]
    text = "\n".join([*BODY[:2], *related, BODY[2]])
    res = clean_text(text, config=CleanConfig(structure="never"))
    assert _rules(res) == {3: "read_more", 4: "related_list", 5: "related_list", 6: "related_list"}
    assert res.text == "\n".join(BODY)


def test_html_text_loses_foreign_leads_and_page_furniture() -> None:
    """trafilatura's text of a page (fmt="html", no block scorer): the Spanish "read also" leads, a
    related-notes list after its lead, the affiliate disclosure, the follow prompt and the figure caption
    go; the article stays as it was."""
    es = [
        "El Gobierno anunció el lunes nuevas medidas contra la inflación, según informó el ministerio.",
        "Lea también: Impiden ingreso al país a reportero estadounidense",
        "Las medidas entrarán en vigor el próximo mes y afectarán a los precios de la energía.",
        "NOTAS RELACIONADAS",
        "Hackers ofrecen descuento al Gobierno",
        "Grupo Conti asegura haber hackeado Hacienda",
        "La oposición criticó el anuncio y pidió un debate en el Congreso antes de su aplicación.",
        "Abbildung 2: Entwicklung der Preise seit 2019",
        "We may receive compensation when you click on links to products on this page.",
        "Follow The Daily on Twitter and Instagram @TheDaily",
    ]
    res = clean_text("\n".join(es), fmt="html")
    assert _rules(res) == {
        2: "read_more",
        4: "read_more",
        5: "related_list",
        6: "related_list",
        8: "figure_caption",
        9: "affiliate_disclosure",
        10: "social_follow",
    }
    assert res.text == "\n".join([es[0], es[2], es[6]])


def test_headlines_with_time_lines_between_them_go_without_a_lead() -> None:
    heads = ["Putin meets Erdogan in Sochi", "3 hours ago", "Aleppo battle enters a new phase", "12:45"]
    res = clean_text("\n".join([*BODY, *heads]), config=CleanConfig(structure="never"))
    assert _rules(res) == {4: "related_list", 5: "related_list", 6: "related_list", 7: "related_list"}


def test_a_subheading_and_one_date_are_not_a_related_list() -> None:
    # one headline-like line and one date line: a subheading and a dateline of the article itself
    text = "\n".join(["Talks resume in Geneva", "March 3, 2026", *BODY[:2], "What happens next", BODY[2]])
    res = clean_text(text, config=CleanConfig(structure="never"))
    assert "related_list" not in _rules(res).values()
    assert res.title == "Talks resume in Geneva" and res.published_line == "March 3, 2026"
    assert res.text == "\n".join([*BODY[:2], "What happens next", BODY[2]])


def test_list_items_are_read_without_their_bullet() -> None:
    res = clean_text(
        "\n".join([*BODY, "- Share on Twitter", "* Advertisement"]), config=CleanConfig(structure="never")
    )
    assert _rules(res) == {4: "share_widget", 5: "ad_marker"}


def test_block_scorer_counts_removed_lines_against_the_block() -> None:
    # a comment far below the article, behind a wall of removed widgets, is not part of the article
    widgets = ["Advertisement", "Share this article", "Sign in to comment", "941 comments", "Posted!"] * 2
    comment = "I have been saying this for years, and the council never listens to anyone in the north."
    res = clean_text("\n".join([*BODY, *widgets, comment]), fmt="txt")
    assert res.text == "\n".join(BODY)
    assert _rules(res)[len(BODY) + len(widgets) + 1] == "outside_main_block"


def test_an_articles_own_short_list_stays_inside_the_block() -> None:
    items = ["* six eggs, beaten well.", "* 200 g of flour, sifted twice.", "* a pinch of salt and pepper."]
    text = "\n".join(["Home", "World", *BODY[:2], *items, BODY[2], BODY[0] + " " + BODY[1], "About us"])
    res = clean_text(text, fmt="txt")
    assert res.text == "\n".join([*BODY[:2], *items, BODY[2], BODY[0] + " " + BODY[1]])
