"""Training and cross-validation of the cleaner's learned line model (``clean.linemodel``).

Input: pages in the textclean benchmark format (``{"id", "text", "with": [...], "without":
[...]}``). Each page goes through the rule pass; a line that holds (part of) a ``with`` snippet
is labelled article, one holding a ``without`` snippet boilerplate, the rest stay unlabelled.
Training is two-stage and leak-free: the lexical n-gram model's probabilities that the trees
learn from are out-of-fold (inner folds over the training pages), as they will be on unseen
pages. Deterministic for a given seed. Cross-validation folds are whole pages, and a fold's
score is the real cleaner (rules + that fold's model) on its held-out pages, counted by the
benchmark's own snippet rule.
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from storyline.clean.linemodel import (
    GRAM_BITS,
    LineModel,
    _sigmoid,
    gram_matrix,
    lexical_context,
    line_features,
)
from storyline.clean.text import TextCleaner
from storyline.evaluate import page_hits, prf, read_textclean
from storyline.trees import Forest

LEXICAL_C = 10.0  # inverse L2 strength of the n-gram logistic regression
TREES = dict(n_estimators=150, learning_rate=0.1, max_depth=5, min_samples_leaf=20, subsample=0.7)
INNER_FOLDS = 5
_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def snippet_labels(texts: Sequence[str], with_: Sequence[str], without: Sequence[str]) -> np.ndarray:
    """Per line: 1 (holds an article snippet), 0 (holds a boilerplate snippet), -1 (neither/both)."""
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    page = " ".join(texts)
    y = np.full(len(texts), -1)
    conflict = np.zeros(len(texts), bool)
    for snippets, value in ((with_, 1), (without, 0)):
        for raw in snippets:
            s = _norm(raw)
            k = page.find(s) if s else -1
            while k >= 0:
                a = bisect.bisect_right(starts, k) - 1
                b = bisect.bisect_right(starts, k + len(s) - 1) - 1
                for j in range(a, b + 1):
                    if y[j] not in (-1, value):
                        conflict[j] = True
                    y[j] = value
                k = page.find(s, k + 1)
    y[conflict] = -1
    return y


@dataclass
class Page:
    text: str
    lines: list
    start: int
    end: int
    title_at: int
    labels: np.ndarray
    with_: list[str]
    without: list[str]
    grams: Any = None  # sparse n-gram matrix of the page's lines
    shape: Any = None  # line_features of the page's lines


def prepare(records: Sequence[dict]) -> list[Page]:
    rules = TextCleaner(learned=False)
    pages = []
    for rec in records:
        lines, title_at, start, end = rules.analyse(rec["text"])
        texts = [ln.text for ln in lines]
        y = snippet_labels(texts, rec["with"], rec["without"]) if lines else np.zeros(0, int)
        page = Page(rec["text"], lines, start, end, title_at, y, list(rec["with"]), list(rec["without"]))
        if lines:
            page.grams = gram_matrix(texts)
            page.shape = line_features(lines, start, end, title_at)
        pages.append(page)
    return pages


def _labelled(pages: Sequence[Page]) -> list[Page]:
    return [p for p in pages if len(p.labels) and (p.labels >= 0).any()]


def _fit_lexical(pages: Sequence[Page], seed: int) -> tuple[np.ndarray, float]:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    pages = _labelled(pages)
    x = sparse.vstack([p.grams[p.labels >= 0] for p in pages])
    y = np.concatenate([p.labels[p.labels >= 0] for p in pages])
    m = LogisticRegression(C=LEXICAL_C, max_iter=5000, random_state=seed).fit(x, y)
    return m.coef_[0].astype(np.float32), float(m.intercept_[0])


def _lexical_p(page: Page, weights: np.ndarray, bias: float) -> np.ndarray:
    return _sigmoid(page.grams @ weights.astype(np.float64) + bias)


def fit(pages: Sequence[Page], seed: int = 0) -> LineModel:
    """Lexical model on all pages; trees on shape features + out-of-fold lexical context."""
    from sklearn.ensemble import GradientBoostingClassifier

    pages = _labelled(pages)
    oof: dict[int, np.ndarray] = {}
    for k in range(INNER_FOLDS):
        train = [p for j, p in enumerate(pages) if j % INNER_FOLDS != k]
        w, b = _fit_lexical(train, seed)
        for j in range(k, len(pages), INNER_FOLDS):
            oof[j] = _lexical_p(pages[j], w, b)
    x = np.vstack([np.hstack([p.shape, lexical_context(oof[j])])[p.labels >= 0] for j, p in enumerate(pages)])
    y = np.concatenate([p.labels[p.labels >= 0] for p in pages])
    trees = GradientBoostingClassifier(random_state=seed, **TREES).fit(x, y)  # type: ignore[arg-type]
    w, b = _fit_lexical(pages, seed)
    return LineModel(w, b, Forest.from_sklearn(trees))


def _score(pages: Sequence[Page], model: LineModel | None) -> dict:
    """The cleaner (rules, plus ``model`` when given) on ``pages``: counts and P/R/F1."""
    cleaner = TextCleaner(model=model, learned=model is not None)
    tp = fp = fn = 0
    for p in pages:
        a, b, c = page_hits(cleaner, p.text, p.with_, p.without)
        tp, fp, fn = tp + a, fp + b, fn + c
    return {"pages": len(pages), **prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn}


def cross_validate(pages: Sequence[Page], folds: int = 5, seed: int = 0) -> dict:
    """Page-grouped k-fold: each fold's pages cleaned by a model trained on the other folds.
    Also split by page parity (the rule pass's constants were tuned on even pages only)."""
    counts = {"all": [0, 0, 0], "even": [0, 0, 0], "odd": [0, 0, 0]}
    for k in range(folds):
        cleaner = TextCleaner(model=fit([p for j, p in enumerate(pages) if j % folds != k], seed))
        for j in range(k, len(pages), folds):
            hits = page_hits(cleaner, pages[j].text, pages[j].with_, pages[j].without)
            for part in ("all", "even" if j % 2 == 0 else "odd"):
                counts[part] = [x + h for x, h in zip(counts[part], hits)]
    out: dict = {"folds": folds, "pages": len(pages), **prf(*counts["all"])}
    out["even_pages"] = prf(*counts["even"])
    out["odd_pages"] = prf(*counts["odd"])
    return out


def train(path: str | Path, seed: int = 0, folds: int = 5, cv: bool = True) -> LineModel:
    """Train on a textclean JSONL file; the record notes the data, settings and CV scores."""
    t0 = time.time()
    pages = prepare(read_textclean(path))
    record: dict = {
        "data": Path(path).name, "pages": len(pages),
        "labelled_lines": int(sum((p.labels >= 0).sum() for p in pages)),
        "seed": seed, "lexical_C": LEXICAL_C, "trees": TREES, "gram_bits": GRAM_BITS,
        "rules_only": _score(pages, None),
    }
    if cv:
        record["cross_validated"] = cross_validate(pages, folds, seed)
    model = fit(pages, seed)
    record["in_sample"] = _score(pages, model)
    record["seconds"] = round(time.time() - t0, 1)
    model.record = record
    return model
