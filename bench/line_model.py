"""The learned line classifier that was tried for the text cleaner, and NOT shipped (see
bench/results/clean.md, "Line model"): line features in their document's context, a logistic model over
them, and ``model_lines``, the lines it would decide. ``bench/train_line_model.py`` trains and
cross-validates it (grouped by site) against the block scorer's two rules on the same lines.

The model only decides lines that no named rule decided and that are not prose inside the main block. A
line under the threshold would go as ``model:<feature>``, the feature that pulled its score down the most.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from transforms.blocks import main_block as _main_block
from transforms.clean import _DEFAULT_RULESET, CleanConfig, _decide, _raw_lines

__all__ = ["FEATURES", "LineModel", "line_features", "model_lines"]

FEATURES = (
    "prose",  # sentence-shaped line (the block scorer's notion)
    "chars",  # log length
    "words",  # words, capped at 50
    "sentence_end",  # ends like a sentence
    "colon_end",
    "inner_punct",  # commas and full stops inside, per word
    "title_case",  # share of words that start upper-case
    "digits",  # share of digit characters
    "in_main_block",  # inside the block scorer's main run of prose
    "block_distance",  # lines (log) to the main block, 0 inside it
    "short_line_run",  # one of a run of short non-prose lines inside the block
    "prev_prose",
    "next_prose",
    "window_prose",  # share of prose lines among the 3 lines either side
    "nonprose_run",  # length (log) of the run of non-prose lines the line is in
    "headline_like",  # 2-15 words, no final punctuation, mostly capitalised
    "short_headline_run",  # headline-like lines (log) in that run: related/trending lists
    "time_line",  # a time/date line ("3 hours ago", "12:45", "March 3")
    "time_neighbour",  # next to a time/date line
    "position",  # relative position in the document
    "stopwords",  # share of function words (en/de/fr/es)
    "letters",  # share of letters
    "bullet_start",  # starts with a bullet, a digit or a symbol
    "separators",  # holds | • · separators
    "all_caps",
    "before_block",
    "after_block",
    "question",
    "block_share",  # share of the document's characters inside the main block (how clear the block is)
)
_N = len(FEATURES)

_STOP = frozenset(
    """the a an of to in and or is are was were be been that this it for on with as at by from has have had
    he she they we you his her their its not but which who will would said says can could also than then
    there been more about after into over up out if so no do did all one two new
    der die das und ist sind war ein eine einen dem den des zu im in mit von für auf nicht sich es auch als
    wie bei aus nach wird werden hat haben dass oder aber noch nur so vor um er sie wir
    le la les de des du un une et est sont dans pour sur avec par que qui pas au aux ce il elle se plus
    el los las del en y es son por para con una que se lo al su como más pero""".split()  # noqa: SIM905
)
_TIME = re.compile(
    r"^(?:\d{1,2}[:.]\d\d(?:\s?[ap]\.?m\.?)?|\d{1,3} ?(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|"
    r"stunden?|minuten?|tagen?|heures?|jours?|horas?|días?)(?: ago)?|(?:vor|il y a|hace) \d{1,3} \w{1,10}|"
    r"(?:updated|published|posted)\b.{0,40}|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)\w{0,6},? .{0,30}\d|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w{0,7}\.? \d{1,2}(?:,? \d{4})?.{0,20}|"
    r"\d{1,2}\.? (?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez"
    r"|dec)\w{0,7}\.?(?: \d{4})?.{0,20}|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}.{0,20})$",
    re.IGNORECASE,
)
_SENT_END = frozenset('.!?…"”’»。！？)')
_BULLET = frozenset("•·-–—*>»›|#+0123456789▶►■□●○✓")


def _time_line(s: str) -> bool:
    return len(s) <= 60 and _TIME.match(s) is not None


def line_features(
    lines: list[str],
    idx: list[int],
    prose: list[bool],
    block: tuple[int, int] | None,
    short_run: set[int],
) -> list[list[float]]:
    """One feature row (``FEATURES`` order) per line ``lines[idx[k]]``.

    ``prose[k]``: the line is prose; ``block``: (first, last) position in ``idx`` of the main block, or
    None; ``short_run``: positions in ``idx`` inside a short-line run of the block.
    """
    m = len(idx)
    if m == 0:
        return []
    texts = [lines[i] for i in idx]
    timey = [_time_line(s) for s in texts]
    lo, hi = block if block is not None else (m, -1)
    total = sum(len(s) for s in texts) or 1
    in_block_chars = sum(len(texts[k]) for k in range(lo, hi + 1)) if block is not None else 0
    block_share = in_block_chars / total
    # runs of non-prose lines: their length and how many headline-like lines they hold
    heads = [False] * m
    words_of: list[list[str]] = []
    for k, s in enumerate(texts):
        w = s.split()
        words_of.append(w)
        nw = len(w)
        if 2 <= nw <= 15 and s[-1] not in ".:;,!?":
            caps = sum(1 for t in w if t[:1].isupper())
            heads[k] = caps * 5 >= nw * 3
    run_len = [0] * m
    run_heads = [0] * m
    k = 0
    while k < m:
        if prose[k]:
            k += 1
            continue
        j = k
        while j < m and not prose[j]:
            j += 1
        nh = sum(heads[k:j])
        for t in range(k, j):
            run_len[t] = j - k
            run_heads[t] = nh
        k = j
    rows: list[list[float]] = []
    for k, s in enumerate(texts):
        w = words_of[k]
        nw = len(w) or 1
        n = len(s)
        last = s[-1]
        inner = s.count(", ") + s.count(". ")
        caps = sum(1 for t in w if t[:1].isupper())
        digits = sum(c.isdigit() for c in s) if n < 400 else sum(c.isdigit() for c in s[:400])
        nn = min(n, 400)
        letters = sum(c.isalpha() for c in s[:400])
        stop = sum(1 for t in w[:60] if t.lower() in _STOP)
        if block is None:
            dist = 10.0
        elif k < lo:
            dist = lo - k
        elif k > hi:
            dist = k - hi
        else:
            dist = 0
        a, b = max(0, k - 3), min(m, k + 4)
        win = b - a - 1
        rows.append(
            [
                1.0 if prose[k] else 0.0,
                math.log1p(n) / 6.0,
                min(nw, 50) / 50.0,
                1.0 if last in _SENT_END else 0.0,
                1.0 if last == ":" else 0.0,
                min(inner / nw, 1.0),
                caps / nw,
                digits / nn,
                1.0 if lo <= k <= hi else 0.0,
                math.log1p(dist) / 3.0,
                1.0 if k in short_run else 0.0,
                1.0 if k > 0 and prose[k - 1] else 0.0,
                1.0 if k + 1 < m and prose[k + 1] else 0.0,
                (sum(prose[a:b]) - prose[k]) / win if win else 0.0,
                math.log1p(run_len[k]) / 3.0,
                1.0 if heads[k] else 0.0,
                math.log1p(run_heads[k]) / 3.0,
                1.0 if timey[k] else 0.0,
                1.0 if (k > 0 and timey[k - 1]) or (k + 1 < m and timey[k + 1]) else 0.0,
                k / m,
                stop / min(nw, 60),
                letters / nn,
                1.0 if s[0] in _BULLET else 0.0,
                1.0 if ("|" in s or "•" in s or " · " in s) else 0.0,
                1.0 if n > 3 and s.isupper() else 0.0,
                1.0 if k < lo else 0.0,
                1.0 if k > hi and block is not None else 0.0,
                1.0 if last == "?" else 0.0,
                block_share,
            ]
        )
    return rows


@dataclass(frozen=True)
class LineModel:
    """Logistic model: P(article) = sigmoid(bias + sum(weight * (x - mean) / scale)); a line is removed
    when that is below ``threshold``."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    bias: float
    threshold: float
    features: tuple[str, ...] = FEATURES

    def __post_init__(self) -> None:
        if not (len(self.weights) == len(self.means) == len(self.scales) == len(self.features) == _N):
            raise ValueError(f"line model: expected {_N} features, got {len(self.weights)}")
        if tuple(self.features) != FEATURES:
            raise ValueError("line model: feature names differ from transforms.linemodel.FEATURES")
        # folded once: score = bias' + sum(coef * x), coef = weight / scale
        coef = tuple(w / s for w, s in zip(self.weights, self.scales, strict=True))
        object.__setattr__(self, "_coef", coef)
        object.__setattr__(
            self, "_bias", self.bias - sum(c * mu for c, mu in zip(coef, self.means, strict=True))
        )
        logit = math.log(self.threshold / (1.0 - self.threshold))
        object.__setattr__(self, "_logit", logit)

    def decide(self, row: list[float]) -> str | None:
        """None when the line stays, else the name of the feature that weighs most against it."""
        coef: tuple[float, ...] = self._coef  # type: ignore[attr-defined]
        z = self._bias  # type: ignore[attr-defined]
        for c, x in zip(coef, row, strict=True):
            z += c * x
        if z >= self._logit:  # type: ignore[attr-defined]
            return None
        worst, name = 0.0, "score"
        for j, (c, x) in enumerate(zip(coef, row, strict=True)):
            v = c * (x - self.means[j])
            if v < worst:
                worst, name = v, self.features[j]
        return name

    def proba(self, row: list[float]) -> float:
        z = self._bias + sum(c * x for c, x in zip(self._coef, row, strict=True))  # type: ignore[attr-defined]
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_json(cls, text: str) -> LineModel:
        d = json.loads(text)
        return cls(
            weights=tuple(d["weights"]),
            means=tuple(d["means"]),
            scales=tuple(d["scales"]),
            bias=float(d["bias"]),
            threshold=float(d["threshold"]),
            features=tuple(d["features"]),
        )


def model_lines(
    text: str, *, title: str | None = None, config: CleanConfig | None = None
) -> list[tuple[int, list[float]]]:
    """(1-based line number, ``line_features`` row) of every line the model would decide in ``text``
    (full-page text mode): the lines the block scorer's two rules decide today, less prose in the block."""
    config = config or CleanConfig()
    lines = [s.strip() for s in _raw_lines(text)]
    why, _, _ = _decide(
        lines, title=title, config=config, rules=_DEFAULT_RULESET, repeated_at=frozenset(), structure=False
    )
    idx, prose, block, short = _main_block(lines, why, config)
    if block is None:
        return []
    lo, hi = block
    rows = line_features(lines, idx, prose, block, short)
    return [(i + 1, rows[k]) for k, i in enumerate(idx) if not (prose[k] and lo <= k <= hi)]
