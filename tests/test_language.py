"""Language column: CLD2 on a bounded sample of sentence-like lines, ISO 639-1 codes."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.language import SAMPLE_CHARS, detect_language, language_sample, with_language

# fmt: off
TEXTS = {
    "en": "The harbour council voted on Tuesday to extend the night ferry service until the end of the year.",
    "de": "Der Stadtrat hat am Dienstag beschlossen, den Nachtfährdienst bis zum Ende des Jahres zu verlängern.",  # noqa: E501
    "fr": "Le conseil municipal a voté mardi la prolongation du service de ferry de nuit jusqu'à la fin de l'année.",  # noqa: E501
    "es": "El consejo municipal votó el martes para ampliar el servicio nocturno de ferry hasta el final del año.",  # noqa: E501
    "ru": "Городской совет во вторник проголосовал за продление ночного паромного сообщения до конца года.",
    "zh": "市议会周二投票决定将夜间渡轮服务延长至今年年底，官员表示这一决定是在轮班工人数月投诉之后做出的。",
    "he": "מועצת העיר הצביעה ביום שלישי על הארכת שירות המעבורת הלילי עד סוף השנה הנוכחית.",
    "nl": "De gemeenteraad heeft dinsdag besloten de nachtelijke veerdienst te verlengen tot het einde van het jaar.",  # noqa: E501
}
# fmt: on
MORE_EN = "Officials said the decision followed months of complaints from shift workers on the eastern shore."
MORE_RU = "Представители администрации сообщили, что решение принято после многочисленных жалоб жителей."


@pytest.mark.parametrize(("code", "text"), sorted(TEXTS.items()))
def test_detects_the_language_as_iso_639_1(code, text):
    lang, confidence = detect_language(f"{text} {text}")  # two sentences: enough evidence
    assert lang == code  # CLD2's "iw" for Hebrew comes out as ISO 639-1 "he"
    assert 0.9 <= confidence <= 1.0


@pytest.mark.parametrize("text", [None, "", "   \n  ", "12345 678", "\x00\x01\x02"])
def test_no_language_is_none_not_a_guess(text):
    assert detect_language(text) == (None, None)


def test_short_or_mixed_text_has_a_low_confidence():
    assert detect_language("Berlin Paris Madrid Rom Wien") == ("en", 0.144)  # 96 % of 30 bytes
    lang, confidence = detect_language(TEXTS["en"] + " " + TEXTS["ru"])
    assert lang == "ru" and 0.5 < confidence < 0.7  # share of the bytes: Cyrillic takes two each


def test_sample_prefers_sentences_to_menus_and_is_bounded():
    menu = "\n".join(["Home", "News", "Sport", "Contact", "Impressum", "Login"] * 20)
    text = menu + "\n" + "\n".join([TEXTS["de"]] * 50)
    sample = language_sample(text)
    assert sample.startswith(TEXTS["de"]) and len(sample) <= SAMPLE_CHARS
    assert detect_language(text)[0] == "de"
    assert language_sample("short menu\nonly") == "short menu\nonly"  # no sentence: the head


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_never_raises_on_any_text(text):
    lang, confidence = detect_language(text)
    assert (lang is None) == (confidence is None)
    assert confidence is None or 0.0 < confidence <= 1.0


def test_with_language_fills_both_columns():
    frame = pl.DataFrame(
        {
            "raw_text": [TEXTS["en"] + " " + MORE_EN, None, TEXTS["ru"] + " " + MORE_RU],
            "language": [None] * 3,
            "language_confidence": [None] * 3,
        },
        schema={"raw_text": pl.String, "language": pl.String, "language_confidence": pl.Float64},
    )
    out = with_language(frame)
    assert out.columns == frame.columns
    assert out["language"].to_list() == ["en", None, "ru"]
    assert out["language_confidence"][1] is None and out["language_confidence"][0] >= 0.9
    empty = with_language(frame.clear())
    assert empty.schema == frame.schema and empty.height == 0
