from __future__ import annotations

from pathlib import Path

import pytest

from transforms.outlet_rules import parse_outlet_rules

SAMPLE = Path(__file__).resolve().parents[1] / "config" / "outlet_rules.toml"


def test_sample_file_parses_and_matches() -> None:
    rules = parse_outlet_rules(SAMPLE.read_text())
    (roku,) = rules["presstv.ir"]
    assert roku.id == "presstv_app_links" and roku.matches("Press TV News Roku")
    assert not roku.matches("Press TV reported that talks would resume on Monday.")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[outlet."x"]]\nid = "bad_re"\npattern = "("', "outlet 'x', rule 'bad_re': bad regular expression"),
        ('[[outlet."x"]]\nid = "Bad Id"\npattern = "a"', "lower_snake_case"),
        ('[[outlet."x"]]\nid = "no_pattern"', "pattern"),
        ('[[outlet."x"]]\nid = "kk"\npattern = "a"\nkind = "weird"', "kind"),
        ('[[outlet."x"]]\nid = "ok_id"\npattern = "a"\ncolour = 1', "unknown keys"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_errors_name_outlet_and_rule(toml: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_outlet_rules(toml)


def test_empty() -> None:
    assert parse_outlet_rules("") == {}
