"""Train and cross-validate the line model of bench/line_model.py (tried, not shipped) on the public
labelled pages, and compare it with the block scorer's two rules on the same lines.

    python bench/train_line_model.py [--folds 5] [--keep 0.98,0.9,0.8] [--cache /tmp/docs.pkl] [--out FILE]

Data: the plain-text (inscriptis) rendering of every page of trafilatura_eval and readability_news, plus
the five seeds, with the silver line labels of ``bench/line_labels.py``. Only the lines the model decides
are used: the lines the block scorer's two rules decide today (not removed by a named rule, not the title
or date line, not prose inside the main block).

Model: L2-regularised logistic regression (Newton steps in numpy), standardised features. The threshold is
the probability under which a line is removed, chosen so that ``--keep`` of the article lines the model
decides stay (losing the article is worse than keeping a widget).

Cross-validation is grouped by site (the URL's host; a readability_news page and a seed are their own
group): no site is in both the training and the test folds, so the figures are not inflated by a site's
template seen in training. Per fold, the threshold is chosen on the training folds only. The script prints
the cross-validated line figures of the model at several thresholds next to the block scorer's rules on the
same lines, then the weights of the model fitted on everything (written as JSON with ``--out``).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.eval_metrics import EVAL_DIR  # noqa: E402
from bench.line_labels import Doc, load_docs  # noqa: E402
from bench.line_model import FEATURES, LineModel, model_lines  # noqa: E402
from transforms.clean import CleanConfig  # noqa: E402


def design(docs: list[Doc], config: CleanConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, doc index) over the labelled lines the model decides."""
    xs, ys, ds = [], [], []
    for d, doc in enumerate(docs):
        for n, row in model_lines(doc.text, title=doc.title, config=config):
            lab = doc.labels.get(n)
            if lab:
                xs.append(row)
                ys.append(1.0 if lab == "article" else 0.0)
                ds.append(d)
    return np.array(xs, dtype=np.float64), np.array(ys), np.array(ds)


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 30
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Logistic regression by Newton's method on standardised features: (weights, bias, means, scales)."""
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd < 1e-9] = 1.0
    z = (x - mu) / sd
    a = np.hstack([z, np.ones((len(z), 1))])
    # balance the classes: boilerplate lines outnumber article lines on full pages
    pos = y.mean()
    sw = np.where(y == 1, 0.5 / max(pos, 1e-9), 0.5 / max(1 - pos, 1e-9))
    w = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -30, 30)))
        g = a.T @ (sw * (p - y)) + reg * w
        h = (a * (sw * p * (1 - p))[:, None]).T @ a + np.diag(reg)
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mu, sd


def threshold_for(p: np.ndarray, y: np.ndarray, keep: float) -> float:
    """The largest threshold that keeps at least ``keep`` of the article lines (P >= threshold stays)."""
    art = np.sort(p[y == 1])
    if not len(art):
        return 0.5
    k = int(np.floor((1 - keep) * len(art)))
    return float(min(max(art[k] - 1e-9, 1e-6), 1 - 1e-6))


def to_model(w: np.ndarray, b: float, mu: np.ndarray, sd: np.ndarray, thr: float) -> LineModel:
    return LineModel(
        weights=tuple(float(v) for v in w),
        means=tuple(float(v) for v in mu),
        scales=tuple(float(v) for v in sd),
        bias=b,
        threshold=thr,
    )


def proba(model: LineModel, x: np.ndarray) -> np.ndarray:
    coef = np.array(model.weights) / np.array(model.scales)
    z = model.bias + (x - np.array(model.means)) @ coef
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def folds_of(docs: list[Doc], k: int) -> list[int]:
    """Fold per document: groups (sites) dealt round-robin by size, largest first (deterministic)."""
    size: dict[str, int] = defaultdict(int)
    for d in docs:
        size[d.group] += len(d.labels)
    order = sorted(size, key=lambda g: (-size[g], g))
    fold_of = {g: i % k for i, g in enumerate(order)}
    return [fold_of[d.group] for d in docs]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--keep", default="0.98,0.9,0.8,0.6,0.4", help="shares of decided article lines to keep")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--cache", default=None, help="pickle of the loaded pages (built on first use)")
    ap.add_argument("--out", default=None, help="write the model fitted on everything (JSON) here")
    args = ap.parse_args(argv)
    if not EVAL_DIR.exists():
        print(f"eval data not found at {EVAL_DIR}")
        return 1
    if args.cache and Path(args.cache).exists():
        docs = pickle.loads(Path(args.cache).read_bytes())
    else:
        docs = load_docs(args.limit)
        if args.cache:
            Path(args.cache).write_bytes(pickle.dumps(docs))
    config = CleanConfig()
    x, y, di = design(docs, config)
    fold = np.array(folds_of(docs, args.folds))[di]
    art, bp = y == 1, y == 0
    print(
        f"{len(docs)} pages, {len(y)} labelled lines the model decides ({int(art.sum())} article, "
        f"{int(bp.sum())} boilerplate), {args.folds} folds grouped by site\n"
    )
    legacy = (x[:, FEATURES.index("in_main_block")] == 0) | (x[:, FEATURES.index("short_line_run")] == 1)
    print("| decider (same lines) | article lines kept | boilerplate lines removed |")
    print("|---|---:|---:|")
    print(f"| block scorer rules (shipped) | {(~legacy[art]).mean():.4f} | {legacy[bp].mean():.4f} |")
    for keep in (float(k) for k in args.keep.split(",")):
        cv_keep = np.zeros(len(y), dtype=bool)
        for f in range(args.folds):
            tr, te = fold != f, fold == f
            w, b, mu, sd = fit(x[tr], y[tr], args.l2)
            m = to_model(w, b, mu, sd, 0.5)
            thr = threshold_for(proba(m, x[tr]), y[tr], keep)  # chosen on the training folds only
            cv_keep[te] = proba(to_model(w, b, mu, sd, thr), x[te]) >= thr
        print(
            f"| line model, threshold for {keep:.0%} kept in training, cross-validated | "
            f"{cv_keep[art].mean():.4f} | {(~cv_keep[bp]).mean():.4f} |"
        )
    w, b, mu, sd = fit(x, y, args.l2)
    print("\nweights of the model fitted on everything (standardised features), strongest first:")
    for j in np.argsort(-np.abs(w)):
        print(f"  {FEATURES[j]:<20} {w[j]:+.3f}")
    if args.out:
        m = to_model(w, b, mu, sd, 0.5)
        thr = threshold_for(proba(m, x), y, float(args.keep.split(",")[0]))
        Path(args.out).write_text(json.dumps(_as_json(to_model(w, b, mu, sd, thr)), indent=1) + "\n")
        print(f"written to {args.out}")
    return 0


def _as_json(m: LineModel) -> dict:
    return {
        "about": "transforms.linemodel line model; trained by bench/train_line_model.py",
        "features": list(m.features),
        "weights": [round(v, 6) for v in m.weights],
        "means": [round(v, 6) for v in m.means],
        "scales": [round(v, 6) for v in m.scales],
        "bias": round(m.bias, 6),
        "threshold": round(m.threshold, 6),
    }


if __name__ == "__main__":
    sys.exit(main())
