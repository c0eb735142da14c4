"""The column contracts and the one reason vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from transforms.schema import REJECTED_SCHEMA, Reason

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_reasons() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("The reasons are:", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"`([a-z_]+)`", block)


def test_readme_lists_exactly_the_reason_vocabulary() -> None:
    assert set(_readme_reasons()) == {r.value for r in Reason}  # a reason may be listed under two kinds


def test_reasons_are_plain_strings_in_the_rejected_table() -> None:
    df = pl.DataFrame(
        {"reason": [Reason.TOO_SHORT, Reason.BAD_JSON]}, schema={"reason": REJECTED_SCHEMA["reason"]}
    )
    assert df["reason"].to_list() == ["too_short", "bad_json"]
    assert df.schema["reason"] == pl.String()
