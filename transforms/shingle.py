"""Normalise clean text and turn it into word-shingle hashes, for a whole batch at once.

Normalisation (polars): NFKC, lower case, every run of characters that are not letters or digits
becomes one space. Tokens are the space-separated words. Word hashes are computed in numpy over the
bytes of the whole batch (a polynomial hash per word, no Python loop per word or per document), and a
k-word shingle hash mixes k consecutive word hashes. All hashes are our own arithmetic on
well-defined inputs, so they are stable across polars/numpy versions and can be persisted.

A document with fewer than k words (but at least one) yields one shingle of all its words, so that
identical short texts still compare equal; an empty document yields none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from transforms import kernels
from transforms.kernels import fmix64

__all__ = [
    "SHINGLE_MULT",
    "ShingleBatch",
    "case_folded_bytes",
    "normalise_expr",
    "normalise_texts",
    "shingle_batch",
    "shingle_texts",
    "word_hashes",
]

_NON_WORD = r"[^\p{L}\p{N}]+"
# rows with characters that NFKC may change beyond Latin, Latin-1 and general punctuation
_NEEDS_NFKC = r"[^\x00-\u02FF\u2000-\u206F]"
_G = np.uint64(0x9E3779B97F4A7C15)
# one odd multiplier per position inside a shingle (up to 16 words)
SHINGLE_MULT = (
    np.random.RandomState(20240605).randint(0, 1 << 62, 16, dtype=np.uint64) * np.uint64(2)
) | np.uint64(1)
_SPACE = np.uint8(32)
_BYTE_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _case_fold_expr(expr: pl.Expr) -> pl.Expr:
    text = expr.fill_null("").str.to_lowercase()
    return pl.when(text.str.contains(_NEEDS_NFKC)).then(text.str.normalize("NFKC")).otherwise(text)


def _case_fold(texts: pl.Series) -> pl.Series:
    """Lower case; NFKC only on the rows that may need it (polars evaluates both when/then branches).
    The rows are found by a compiled byte scan (`kernels.needs_nfkc`, the `_NEEDS_NFKC` class in
    UTF-8): 10x cheaper than the regex, which cost more than the lower-casing itself."""
    folded = texts.fill_null("").str.to_lowercase()
    data, offsets = _text_bytes(folded)
    needs = kernels.needs_nfkc(data, offsets)
    if needs.any():
        idx = pl.Series(np.flatnonzero(needs))
        folded = folded.scatter(idx, folded.gather(idx).str.normalize("NFKC"))
    return folded


def normalise_expr(text: str | pl.Expr = "text") -> pl.Expr:
    """Reference normalisation: NFKC, lower case, every run of non-letters/digits to one space, trimmed.

    The batch path (`word_hashes`) produces the same words faster (folding case in polars and
    punctuation in numpy); a differential test pins the two together.
    """
    expr = pl.col(text) if isinstance(text, str) else text
    return _case_fold_expr(expr).str.replace_all(_NON_WORD, " ").str.strip_chars(" ")


def normalise_texts(texts: pl.Series | list[str]) -> pl.Series:
    """Normalised text of each document (see `normalise_expr`)."""
    series = texts if isinstance(texts, pl.Series) else pl.Series("text", texts, dtype=pl.String)
    return pl.select(normalise_expr(series.alias("text"))).to_series()


def _word_bytes(buf: np.ndarray) -> np.ndarray:
    """Mask of the bytes that belong to words: ASCII letters and digits, and non-ASCII characters
    except U+00A0-00BF, U+00D7, U+00F7 and U+2000-206F (spaces, quotes, dashes, bullets...)."""
    lower = buf | np.uint8(0x20)
    mask = (
        ((lower - np.uint8(97)) < np.uint8(26))
        | ((buf - np.uint8(48)) < np.uint8(10))
        | (buf >= np.uint8(0x80))
    )
    lead = np.flatnonzero(buf[:-2] >= 0xC2)  # few: only lead bytes of multi-byte characters
    b1, b2 = buf[lead + 1], buf[lead + 2]
    c0 = buf[lead]
    two = lead[((c0 == 0xC2) & (b1 >= 0xA0) & (b1 <= 0xBF)) | ((c0 == 0xC3) & ((b1 == 0x97) | (b1 == 0xB7)))]
    three = lead[(c0 == 0xE2) & ((b1 == 0x80) | (b1 == 0x81)) & (b2 >= 0x80)]
    for shift, at in ((0, two), (1, two), (0, three), (1, three), (2, three)):
        mask[at + shift] = False
    return mask


def _text_bytes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """All texts' UTF-8 bytes back to back (zero-copy from arrow) and each text's start offset."""
    arr = texts.rechunk().to_arrow()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data, offsets - offsets[0]


def case_folded_bytes(texts: pl.Series, pad: int = 32, sep: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The batch's case-folded UTF-8 bytes, each text followed by one space if `sep` (which ends its
    last word), then `pad` spaces; and each text's start offset (n + 1 offsets, the last one at the
    padding). What both `word_hashes` and the compiled kernels read."""
    folded = _case_fold(texts)
    raw, doc_bytes = _text_bytes(folded + " " if sep else folded)
    return np.concatenate([raw, np.full(pad, _SPACE, np.uint8)]), doc_bytes


def word_hashes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hash of every word of a batch of texts, and document offsets into it.

    Returns `(hashes, offsets)`: the words of document i are `hashes[offsets[i]:offsets[i + 1]]`.
    A word hash covers the word's length and its first 24 bytes (longer words that agree on both
    collide: harmless for shingles).
    """
    n_docs = texts.len()
    if n_docs == 0:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64)
    padded, doc_bytes = case_folded_bytes(texts)
    if doc_bytes[-1] == 0:
        return np.zeros(0, np.uint64), np.zeros(n_docs + 1, np.int64)
    # a leading space, the text, and padding for the 8-byte loads below
    buf = np.concatenate([[_SPACE], padded])
    # word starts and ends alternate (the buffer starts and ends with a space)
    mask = _word_bytes(buf)
    bounds = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    starts = bounds[0::2]
    length = bounds[1::2] - starts
    # unaligned little-endian 8-byte loads at any byte offset (numpy allows a 1-byte stride)
    load8 = np.ndarray(shape=(buf.size - 8,), dtype="<u8", buffer=buf, strides=(1,))
    first = load8[starts] & _BYTE_MASKS[np.minimum(length, 8)]
    h = fmix64(first ^ (length.astype(np.uint64) * _G))
    long = np.flatnonzero(length > 8)
    if long.size:
        hl = h[long]
        for part in (1, 2):
            chunk = load8[starts[long] + 8 * part] & _BYTE_MASKS[np.clip(length[long] - 8 * part, 0, 8)]
            hl = fmix64(hl ^ chunk)
        h[long] = hl
    # document d's words start at buffer positions doc_bytes[d] + 1 .. doc_bytes[d + 1]
    offsets = np.searchsorted(starts, doc_bytes + 1).astype(np.int64)
    return h, offsets


@dataclass(frozen=True)
class ShingleBatch:
    """Shingle hashes of a batch: document i owns `hashes[offsets[i]:offsets[i + 1]]` (with repeats,
    in text order), `exact` is a 64-bit hash of its whole normalised word sequence, `n_words` its
    word count."""

    hashes: np.ndarray  # uint32
    offsets: np.ndarray  # int64, n_docs + 1
    exact: np.ndarray  # uint64 per document
    n_words: np.ndarray  # int64 per document

    @property
    def n_docs(self) -> int:
        return self.offsets.size - 1


def shingle_batch(texts: pl.Series, k: int) -> ShingleBatch:
    """k-word shingle hashes (uint32) of each text (normalised on the way, see `word_hashes`)."""
    if not 1 <= k <= SHINGLE_MULT.size:
        raise ValueError(f"shingle size must be in 1..{SHINGLE_MULT.size}, got {k}")
    words, offsets = word_hashes(texts)
    n_docs = offsets.size - 1
    n_words = np.diff(offsets)
    n = words.size
    # whole-text hash: position-keyed sum of word hashes
    pos_in_doc = np.arange(n, dtype=np.uint64) - np.repeat(offsets[:-1], n_words).astype(np.uint64)
    nonempty = n_words > 0
    exact = np.zeros(n_docs, np.uint64)
    if n:
        exact[nonempty] = np.add.reduceat(fmix64(words ^ (pos_in_doc * _G)), offsets[:-1][nonempty])
    exact = fmix64(exact ^ n_words.astype(np.uint64))
    # rolling k-word combination over the whole batch, then keep the windows inside one document
    padded = np.concatenate([words, np.zeros(k, np.uint64)])
    acc = padded[:n] * SHINGLE_MULT[0]
    tmp = np.empty_like(acc)
    for j in range(1, k):
        np.multiply(padded[j : j + n], SHINGLE_MULT[j], out=tmp)
        acc += tmp
    per_doc = np.maximum(n_words - k + 1, 0)
    inside = np.ones(n, bool)  # the window at p ends inside p's document
    for j in range(1, k):
        inside[(offsets[1:] - j)[n_words >= j]] = False
    combined = acc[inside]
    short = np.flatnonzero((n_words > 0) & (n_words < k))
    if short.size:  # one shingle of all the words of a document shorter than k
        lens = n_words[short]
        idx = np.repeat(offsets[short], lens) + (
            np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
        )
        j = idx - np.repeat(offsets[short], lens)
        terms = words[idx] * SHINGLE_MULT[j]
        short_acc = np.add.reduceat(terms, np.cumsum(lens) - lens)
        per_doc = per_doc.copy()
        per_doc[short] = 1
        doc_of = np.concatenate([np.repeat(np.arange(n_docs), np.maximum(n_words - k + 1, 0)), short])
        order = np.argsort(doc_of, kind="stable")
        combined = np.concatenate([combined, short_acc])[order]
    hashes = (fmix64(combined ^ np.uint64(k)) >> np.uint64(32)).astype(np.uint32)
    out_offsets = np.concatenate([[0], np.cumsum(per_doc)]).astype(np.int64)
    return ShingleBatch(hashes=hashes, offsets=out_offsets, exact=exact, n_words=n_words.astype(np.int64))


def shingle_texts(texts: pl.Series | list[str], k: int) -> ShingleBatch:
    """Shingle a batch of texts given as a list or a Series."""
    series = texts if isinstance(texts, pl.Series) else pl.Series("text", texts, dtype=pl.String)
    return shingle_batch(series, k)
