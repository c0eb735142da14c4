"""Deterministic news-like corpus: Zipf vocabulary, ~450-word stories, 20% syndicated near copies.

python bench/corpus_gen.py --docs 100000   (prints a summary)
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import polars as pl

__all__ = ["generate"]


def generate(n_docs: int, seed: int = 0, words: int = 450, dup_rate: float = 0.2) -> pl.DataFrame:
    """Article frame (doc_id, source, url, title, published, text) of n_docs; generated in numpy."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i:x}" for i in range(50_000)])
    n_orig = max(1, int(n_docs * (1 - dup_rate)))
    lens = rng.integers(words // 2, words * 3 // 2, n_orig)
    ranks = np.minimum(rng.zipf(1.2, int(lens.sum())), vocab.size) - 1
    tokens = vocab[ranks]
    bounds = np.concatenate([[0], np.cumsum(lens)])
    texts = [" ".join(tokens[bounds[i] : bounds[i + 1]]) for i in range(n_orig)]
    src = rng.integers(0, n_orig, n_docs - n_orig)
    copies = [
        f"LONDON (Reuters) - {texts[i][: int(len(texts[i]) * 0.9)]} Read more at outlet{i % 7}." for i in src
    ]
    all_texts = texts + copies
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "doc_id": [f"{i:012x}" for i in range(n_docs)],
            "source": [f"outlet{i % 50}" for i in range(n_docs)],
            "url": [f"https://outlet{i % 50}.example/{i}" for i in range(n_docs)],
            "title": [f"title {i}" for i in range(n_docs)],
            "published": [t0 + dt.timedelta(minutes=i) for i in range(n_docs)],
            "text": all_texts,
        }
    ).with_columns(pl.col("published").cast(pl.Datetime("us", "UTC")))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    print(generate(ap.parse_args().docs).describe())
