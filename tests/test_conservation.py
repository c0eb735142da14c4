"""Property: every input record ends up exactly once in articles or rejected, through reading and
cleaning, whatever mix of good, broken, short and hostile lines a scrape file holds."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.readers import read_file
from transforms.clean import clean_frame
from transforms.schema import RECORD_SCHEMA

PARA = (
    "The harbour authority said on Tuesday that container traffic had stopped completely, and that "
    "talks between the operator and the union would resume on Thursday at the city hall."
)

line = st.one_of(
    st.builds(
        lambda n: json.dumps({"text": "\n".join([PARA] * n), "url": "https://x.example/a"}), st.integers(1, 4)
    ),  # a real article
    st.builds(lambda w: json.dumps({"maintext": w}), st.text(max_size=40)),  # too short after cleaning
    st.just('{"text": "broken'),  # bad JSON
    st.just("[1, 2]"),  # not an object
    st.just('{"title": "no text"}'),  # no text field
    st.just(""),  # blank: not a record
    st.builds(
        lambda s: json.dumps({"text": PARA, "source": s, "id": "../../etc/passwd"}), st.text(max_size=10)
    ),
)


@given(st.lists(line, max_size=25))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_record_lands_exactly_once(tmp_path_factory, lines):
    root = tmp_path_factory.mktemp("raw")
    path = root / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, rejects = read_file(root, path)
    records = pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row")
    articles, too_short = clean_frame(records)
    n_records = sum(1 for ln in lines if ln.strip()) or 1  # a file without a record is one empty_file reject
    assert len(rejects) + records.height == n_records
    assert articles.height + too_short.height == records.height
    kept, dropped = set(articles["doc_id"]), set(too_short["doc_id"])
    assert not kept & dropped
    assert kept | dropped == set(records["doc_id"])
    assert set(too_short["reason"]) <= {"too_short"}
