"""Silver line labels for the plain-text and HTML eval sets (what the line table and the line model use).

A page's text (inscriptis rendering of the page, or an extractor's output) is split into lines; each
non-blank line gets one label:

- ``article``: the line belongs to the article;
- ``boilerplate``: it does not;
- ``None``: no evidence either way (the line is left out of the line table and of training).

How the labels are derived, per set:

- **readability_news** (reference article = Readability.js's ``expected.html``, rendered with inscriptis):
  a line of at least 4 words is ``article`` when at least half of its word 4-grams are 4-grams of the
  reference, else ``boilerplate``; a line of 2-3 words is ``article`` when it equals (words, lowercased) a
  whole line of the reference, else ``boilerplate``; a one-word line is ``None`` (Readability's output keeps
  many a "Photo", "Facebook" or "4.", so a match is no evidence). A line equal to the page's title is
  ``None`` (a headline may go to the title column or stay).
- **trafilatura_eval** (snippets only, no full reference): a line is ``article`` when a ``with`` snippet is
  in it, or when it is (10+ characters) part of one; ``boilerplate`` likewise for ``without`` snippets;
  ``None`` when neither or both. Most lines of a page carry no label here.
- **seeds** (``seeds_lines.jsonl``, hand labels): ``body`` is ``article``; ``caption`` and ``boilerplate``
  are ``boilerplate``; ``title`` and ``dateline`` are ``None`` (they may go to their columns).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bench.eval_metrics import EVAL_DIR, Page, html_to_visible_text, readability_pages, trafilatura_pages

__all__ = ["Doc", "label_lines", "load_docs", "readability_reference_lines", "site_of"]

_WORD = re.compile(r"\w+")
_WS = re.compile(r"\s+")


def _words(s: str) -> list[str]:
    return _WORD.findall(s.lower())


def _grams(words: list[str], n: int = 4) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def readability_reference_lines(expected_html: str) -> list[str]:
    from inscriptis import get_text

    return [s.strip() for s in get_text(expected_html).splitlines() if s.strip()]


def label_lines(
    lines: Iterable[str],
    *,
    reference_lines: list[str] | None = None,
    with_: tuple[str, ...] = (),
    without: tuple[str, ...] = (),
    title: str | None = None,
) -> list[str | None]:
    """One label per line (blank lines: None). Give ``reference_lines`` (readability_news) or the
    snippets ``with_``/``without`` (trafilatura_eval)."""
    lines = list(lines)
    out: list[str | None] = []
    if reference_lines is not None:
        ref_grams = {g for r in reference_lines for g in _grams(_words(r))}
        ref_short = {" ".join(_words(r)) for r in reference_lines}
        norm_title = " ".join(_words(title)) if title else None
        for s in lines:
            w = _words(s)
            if not w or norm_title and " ".join(w) == norm_title:
                out.append(None)
            elif len(w) >= 4:
                g = _grams(w)
                out.append("article" if 2 * sum(x in ref_grams for x in g) >= len(g) else "boilerplate")
            elif len(w) == 1:
                out.append(None)  # "Photo", "Facebook", "4.": Readability keeps such words often, no evidence
            else:
                out.append("article" if " ".join(w) in ref_short else "boilerplate")
        return out
    yes = [_WS.sub(" ", s).strip() for s in with_ if s.strip()]
    no = [_WS.sub(" ", s).strip() for s in without if s.strip()]
    for s in lines:
        t = _WS.sub(" ", s).strip()
        if not t:
            out.append(None)
            continue

        def hit(snips: list[str], t: str = t) -> bool:
            return any(x in t or (len(t) >= 10 and t in x) for x in snips)

        a, b = hit(yes), hit(no)
        out.append("article" if a and not b else "boilerplate" if b and not a else None)
    return out


def site_of(url: str, fallback: str) -> str:
    """The group key of grouped cross-validation: the URL's host (www. dropped), else ``fallback``."""
    m = re.match(r"https?://(?:www\.)?([^/:]+)", url or "")
    return m.group(1).lower() if m else fallback


@dataclass
class Doc:
    set: str
    group: str
    text: str
    title: str | None
    labels: dict[int, str]  # 1-based line number -> "article" | "boilerplate"
    page: Page | None = None  # the eval Page (None for the seeds)


def load_docs(limit: int | None = None) -> list[Doc]:
    docs: list[Doc] = []
    for p in trafilatura_pages(limit=limit):
        text = html_to_visible_text(p.html)
        lab = label_lines(text.split("\n"), with_=p.with_, without=p.without)
        docs.append(
            Doc(
                "trafilatura_eval",
                site_of(p.url, p.name),
                text,
                None,
                {i + 1: x for i, x in enumerate(lab) if x},
                p,
            )
        )
    root = EVAL_DIR / "readability_news"
    for p in readability_pages(limit=limit):
        text = html_to_visible_text(p.html)
        meta = json.loads((root / p.name / "expected-metadata.json").read_text())
        ref = readability_reference_lines(
            gzip.decompress((root / p.name / "expected.html.gz").read_bytes()).decode()
        )
        lab = label_lines(text.split("\n"), reference_lines=ref, title=meta.get("title"))
        docs.append(
            Doc("readability_news", f"rn:{p.name}", text, None, {i + 1: x for i, x in enumerate(lab) if x}, p)
        )
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for line in (EVAL_DIR / "seeds_lines.jsonl").read_text().splitlines():
        d = json.loads(line)
        lab = {"body": "article", "caption": "boilerplate", "boilerplate": "boilerplate"}.get(d["label"])
        if lab:
            labels[d["file"]][d["line"]] = lab
    for f, lab in sorted(labels.items()):
        text = (EVAL_DIR.parent / "seeds" / f).read_text(encoding="utf-8")
        docs.append(Doc("seeds", f"seed:{f}", text, None, dict(lab)))
    return docs
