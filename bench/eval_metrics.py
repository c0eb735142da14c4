"""The two extraction metrics of ../shared/eval/README.md, and loaders for the eval pages.

- snippet P/R/F1 (trafilatura_eval): whitespace-normalised ``with`` snippets found = TP, missing = FN,
  ``without`` snippets found = FP; pooled over pages.
- shingle P/R/F1 (readability_news): word 4-gram multisets of reference and output, per-document
  precision and recall, averaged over documents, then F1.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EVAL_DIR",
    "Page",
    "Score",
    "html_to_visible_text",
    "readability_pages",
    "shingle_score",
    "snippet_score",
    "trafilatura_pages",
]

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    html: str
    with_: tuple[str, ...] = ()  # snippets that must be in the output (trafilatura_eval)
    without: tuple[str, ...] = ()  # snippets that must not be
    reference: str = ""  # reference article text (readability_news)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def snippet_score(pages: Iterable[Page], outputs: Iterable[str | None]) -> Score:
    tp = fn = fp = tn = 0
    for page, out in zip(pages, outputs, strict=True):
        text = _norm(out or "")
        for s in page.with_:
            if _norm(s) in text:
                tp += 1
            else:
                fn += 1
        for s in page.without:
            if _norm(s) in text:
                fp += 1
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return Score(precision, recall)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return Counter(tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))


def shingle_score(pages: Iterable[Page], outputs: Iterable[str | None]) -> Score:
    ps: list[float] = []
    rs: list[float] = []
    for page, out in zip(pages, outputs, strict=True):
        ref, got = _shingles(page.reference), _shingles(out or "")
        common = sum((ref & got).values())
        ps.append(common / sum(got.values()) if got else 0.0)
        rs.append(common / sum(ref.values()) if ref else 0.0)
    return Score(sum(ps) / len(ps), sum(rs) / len(rs)) if ps else Score(0.0, 0.0)


def html_to_visible_text(html: str) -> str:
    """A page's full visible text with block breaks as newlines (what text scrapers store)."""
    from inscriptis import get_text

    text = get_text(html)
    return "\n".join(line.strip() for line in text.splitlines())


def _read_gz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def trafilatura_pages(root: Path = EVAL_DIR / "trafilatura_eval", limit: int | None = None) -> Iterator[Page]:
    data = json.loads((root / "evaldata.json").read_text())
    index = json.loads((root / "subset_index.json").read_text())
    n = 0
    for url in sorted(index):
        meta = index[url]
        if not meta.get("included") or not meta.get("html_gz"):
            continue
        if limit is not None and n >= limit:
            return
        n += 1
        ev = data[url]
        yield Page(
            meta["html_gz"],
            url,
            _read_gz(root / meta["html_gz"]),
            tuple(ev.get("with") or ()),
            tuple(ev.get("without") or ()),
        )


def readability_pages(root: Path = EVAL_DIR / "readability_news", limit: int | None = None) -> Iterator[Page]:
    from lxml import html as lxml_html

    dirs = sorted(p for p in root.iterdir() if (p / "source.html.gz").exists())
    for d in dirs[:limit]:
        ref_html = _read_gz(d / "expected.html.gz")
        reference = lxml_html.fromstring(ref_html).text_content() if ref_html.strip() else ""
        yield Page(d.name, "", _read_gz(d / "source.html.gz"), reference=reference)
