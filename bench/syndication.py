"""Build a syndication test set from the real article texts in ../shared/eval/readability_news.

Each story is rewritten the way outlets run wire copy: near copies (new headline, "(Reuters) -"
dateline, last paragraphs dropped, promo lines inserted, another site's boilerplate, copy edits),
excerpts (first 1-3 paragraphs), trimmed reprints (first half), write-throughs (new paragraphs on
top), plus roundups (paragraphs of three stories) and hard negatives (the five seeds: different
stories on one topic; different stories sharing a long quote or an agency footer).
Deterministic for a given seed. Labels: `story` (ground-truth cluster; roundups and negatives have
their own), `kind`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
import re
from pathlib import Path

import polars as pl
from lxml import html as lxml_html

__all__ = ["AP_FOOTER", "EVAL_DIR", "SEEDS_DIR", "build_set", "load_stories"]

EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "readability_news"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
AP_FOOTER = (
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed without permission."
)
PHOTO_CREDIT = "Photo: Reuters/File. Image courtesy of the agency; all photographs are subject to copyright."
BOILERPLATE = [
    ["Subscribe to our newsletter for the latest headlines.", "Follow us on Twitter and Facebook."],
    ["Sign up for breaking news alerts.", "Share this article with your friends."],
    ["Advertisement", "Most read stories this week"],
    ["Support independent journalism: become a member today.", "Comments are closed."],
]
PROMOS = ["Read more: Markets close higher on Friday", "RELATED: What we know so far", "Watch: Video report"]
OUTLETS = [
    "wire.example",
    "daily.example",
    "times.example",
    "herald.example",
    "post.example",
    "gazette.example",
]


def _paragraphs(html_text: str) -> list[str]:
    root = lxml_html.fromstring(html_text)
    paras = [re.sub(r"\s+", " ", p.text_content()).strip() for p in root.iter("p")]
    return [p for p in paras if len(p.split()) >= 8]


def load_stories(min_paragraphs: int = 5) -> dict[str, list[str]]:
    """Story name -> paragraphs, for the English-ish pages with enough body text."""
    stories = {}
    for folder in sorted(EVAL_DIR.iterdir()):
        path = folder / "expected.html.gz"
        if path.exists():
            paras = _paragraphs(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
            if len(paras) >= min_paragraphs:
                stories[folder.name] = paras
    return stories


def _copy_edit(paras: list[str], rng: random.Random, edits: int) -> list[str]:
    out = list(paras)
    for _ in range(edits):
        i = rng.randrange(len(out))
        words = out[i].split()
        j = rng.randrange(len(words))
        words[j] = rng.choice(["said", "told", "the", "a", "reported", "added"])
        out[i] = " ".join(words)
    return out


def _near_copy(paras: list[str], rng: random.Random) -> list[str]:
    keep = max(3, len(paras) - rng.randint(0, max(1, len(paras) // 6)))
    body = _copy_edit(paras[:keep], rng, rng.randint(1, 4))
    body[0] = "LONDON (Reuters) - " + body[0]
    body.insert(len(body) // 2, rng.choice(PROMOS))
    plate = rng.choice(BOILERPLATE)
    return ["Breaking: " + " ".join(paras[0].split()[:8]), plate[0], *body, plate[1]]


def build_set(seed: int = 7, copies: int = 3) -> pl.DataFrame:
    """The syndication set as an article frame (doc_id, source, url, title, published, text) plus
    the labels `story` and `kind` (original, near, excerpt, trimmed, writethrough, roundup, negative)."""
    rng = random.Random(seed)
    stories = load_stories()
    names = sorted(stories)
    t0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    rows: list[dict] = []

    def add(story: str, kind: str, paras: list[str], hours: int) -> None:
        i = len(rows)
        outlet = OUTLETS[i % len(OUTLETS)]
        rows.append(
            {
                "doc_id": f"{i:05d}-{kind}",
                "source": outlet,
                "url": f"https://{outlet}/{story}/{i}",
                "title": f"{story} {kind}",
                "published": t0 + dt.timedelta(hours=hours),
                "text": "\n".join(paras),
                "story": story,
                "kind": kind,
            }
        )

    for s, name in enumerate(names):
        paras = stories[name]
        add(name, "original", paras, s)
        for c in range(copies):
            add(name, "near", _near_copy(paras, rng), s + 1 + c)
        n_ex = rng.randint(1, 3)
        ex = paras[:n_ex]
        if sum(len(p.split()) for p in ex) < 40:  # one sentence is not a copy: excerpts are >= 40 words
            ex = paras[: n_ex + 1]
        add(name, "excerpt", [*ex, f"Read the full story at {OUTLETS[0]}"], s + 2)
        add(name, "trimmed", [rng.choice(BOILERPLATE)[0], *paras[: max(2, len(paras) // 2)]], s + 3)
        fresh = [" ".join(rng.sample(p.split(), len(p.split()))) for p in paras[1:3]]
        add(name, "writethrough", [*fresh, *paras], s + 5)
    # roundups: two paragraphs from each of three stories
    for r in range(len(names) // 3):
        trio = names[3 * r : 3 * r + 3]
        paras = [p for name in trio for p in stories[name][:2]]
        add(f"roundup-{r}", "roundup", ["The Latest: what happened today", *paras], 30 + r)
    # hard negatives: the five seeds (different stories on one topic); two of them also carry the
    # same long quote, the others the same agency footer and photo credit
    quote = '"' + " ".join(stories[names[0]][1].split()[:45]) + '," the minister said.'
    for k, path in enumerate(sorted(SEEDS_DIR.glob("*.txt"))):
        shared = [quote] if k < 2 else [AP_FOOTER, PHOTO_CREDIT]
        add(f"seed-{path.stem}", "negative", [path.read_text(encoding="utf-8"), *shared], 40 + k)
    return pl.DataFrame(rows).with_columns(pl.col("published").cast(pl.Datetime("us", "UTC")))
