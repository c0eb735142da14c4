"""Golden outputs of the dedup stage: what `dedup_frame` returns (the articles' dedup columns, the
clusters table, the roundup links and the index rows) on fixed inputs, pinned by a SHA-256 of each
frame's rows. A refactoring must leave every hash unchanged; a change of behaviour updates them on
purpose:

    python -m tests.test_dedup_golden          # rewrites tests/fixtures/dedup_golden.json

Cases: a generated corpus (bench/corpus_gen.py, 3,000 documents with 20 % copies) in one run, the
same corpus as two runs (the second against the first one's index rows, found through the key
lookup), the five seeds, and the syndication set (bench/syndication.py, which needs the shared eval
folder and is skipped without it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus_gen import generate  # noqa: E402
from bench.syndication import EVAL_DIR, build_set  # noqa: E402
from transforms.dedup import (  # noqa: E402
    DEDUP_COLUMNS,
    DedupConfig,
    candidates_from_history,
    dedup_frame,
    lookup_keys,
    prepare,
    sampled_view,
)

GOLDEN = ROOT / "tests" / "fixtures" / "dedup_golden.json"
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
CONFIG = DedupConfig(workers=2)
# the dedup columns the golden values were first taken on; columns added later are hashed apart
PINNED_COLUMNS = (
    "cluster_id",
    "is_duplicate",
    "duplicate_of",
    "similarity",
    "containment",
    "copy_kind",
    "is_roundup",
)


def _digest(frame: pl.DataFrame) -> str:
    """SHA-256 of the frame's rows as NDJSON in a fixed row order (values, not the file format)."""
    ordered = frame.sort(frame.columns[0], maintain_order=True) if frame.height else frame
    return hashlib.sha256(ordered.write_ndjson().encode()).hexdigest()


def _digests(result) -> dict[str, str]:
    cols = ["doc_id", *PINNED_COLUMNS]
    extra = [c for c in DEDUP_COLUMNS if c not in PINNED_COLUMNS]
    return {
        "articles": _digest(result.articles.select(cols)),
        **({"articles_added": _digest(result.articles.select("doc_id", *extra))} if extra else {}),
        "clusters": _digest(result.clusters),
        "roundup_links": _digest(result.roundup_links.sort("doc_id", "cluster_id")),
        "index_rows": _digest(result.index_rows),
        "n_duplicates": str(int(result.articles.get_column("is_duplicate").sum())),
    }


# "full": dedup_frame on the sketch alone; "sampled": given the sampled view too; "held": the sharded
# run's way, the sampled view and the full sets in a source read only by slices (a file there)
_MODE = {0: "full"}


class _Sliced:
    """A flat array readable only by contiguous slices, as `flows.store.FileValues` is."""

    def __init__(self, values: np.ndarray) -> None:
        self._values, self.size = values, values.size

    def __getitem__(self, item: slice) -> np.ndarray:
        assert isinstance(item, slice) and item.step in (None, 1)
        return self._values[item].copy()


def _dedup(articles: pl.DataFrame, history: pl.DataFrame | None = None, prepared=None):
    if _MODE[0] == "full":
        return dedup_frame(articles, CONFIG, history, prepared=prepared)
    prep = prepared if prepared is not None else prepare(articles.get_column("text"), CONFIG)
    sampled = sampled_view(prep, CONFIG.sample_bits)
    if _MODE[0] == "held":
        prep = dataclasses.replace(prep, hashes=_Sliced(prep.hashes))
    return dedup_frame(articles, CONFIG, history, prepared=prep, sampled=sampled)


def _corpus() -> pl.DataFrame:
    return generate(3_000, seed=3)


def case_corpus() -> dict[str, str]:
    return _digests(_dedup(_corpus()))


def _two_runs(first: pl.DataFrame, second: pl.DataFrame) -> dict[str, str]:
    """Digests of the second run, deduplicated against the first run's index rows as history."""
    one = _dedup(first)
    prep = prepare(second.get_column("text"), CONFIG)
    keys, _ = lookup_keys(sampled_view(prep, CONFIG.sample_bits) if _MODE[0] != "full" else prep, CONFIG)
    history = candidates_from_history(one.index_rows, keys)
    two = _dedup(second, history, prepared=prep)
    return {"history_rows": str(history.height), **_digests(two)}


def case_corpus_two_runs() -> dict[str, str]:
    corpus = _corpus()
    # the second run holds copies of first-run stories (corpus_gen puts the copies last)
    first, second = corpus.slice(0, 2_000), corpus.slice(2_000)
    return _two_runs(first, second)


def case_seeds() -> dict[str, str]:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    frame = pl.DataFrame(
        {
            "doc_id": [p.stem for p in SEEDS],
            "source": ["seeds"] * len(SEEDS),
            "url": [None] * len(SEEDS),
            "title": [p.stem for p in SEEDS],
            "published": [None] * len(SEEDS),
            "text": texts,
        },
        schema_overrides={"url": pl.String, "published": pl.Datetime("us", "UTC")},
    )
    return _digests(_dedup(frame))


def case_syndication() -> dict[str, str]:
    data = build_set(7)
    return _digests(_dedup(data.drop("story", "kind")))


def case_syndication_two_runs() -> dict[str, str]:
    """Originals and near copies first; excerpts, trimmed reprints, write-throughs, roundups and
    negatives in a second run (containment against history, both ways)."""
    data = build_set(7).drop("story")
    first = data.filter(pl.col("kind").is_in(["original", "near"])).drop("kind")
    second = data.filter(~pl.col("kind").is_in(["original", "near"])).drop("kind")
    return _two_runs(first, second)


CASES = {
    "corpus": case_corpus,
    "corpus_two_runs": case_corpus_two_runs,
    "seeds": case_seeds,
    "syndication": case_syndication,
    "syndication_two_runs": case_syndication_two_runs,
}


@pytest.mark.parametrize("mode", ["full", "sampled", "held"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_dedup_outputs_match_golden(name: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also with the sampled view (`sampled=`), and with the full sets read row by row from a source
    that only slices (the sharded run's way): the same hashes."""
    if name.startswith("syndication") and not EVAL_DIR.exists():
        pytest.skip(f"{EVAL_DIR} is absent")
    assert len(SEEDS) == 5
    monkeypatch.setitem(_MODE, 0, mode)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert CASES[name]() == golden[name]


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps({k: f() for k, f in sorted(CASES.items())}, indent=1) + "\n")
    print(f"wrote {GOLDEN}")
