from tests.test_dedup import frame, story
from transforms.dedup import dedup_frame

FOOTER = (
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed."
)


def test_shared_footer_alone_never_links():
    out = dedup_frame(frame([story(1, 120) + " " + FOOTER, story(2, 120) + " " + FOOTER])).articles
    assert not out["is_duplicate"].any()


def test_shared_long_quote_never_links():
    quote = story(99, 40)
    out = dedup_frame(frame([story(1) + " " + quote, quote + " " + story(2)])).articles
    assert not out["is_duplicate"].any()


def test_write_through_joins_earlier_version():
    v = story(3)
    out = dedup_frame(frame([v, story(4, 150) + " " + v])).articles
    assert out["cluster_id"].n_unique() == 1 and out["is_duplicate"].sum() == 1
