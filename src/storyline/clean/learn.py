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
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from storyline.clean.linemodel import GRAM_BITS, Forest, LineModel, gram_matrix, lexical_context, line_features
from storyline.clean.text import TextCleaner

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
    z = page.grams @ weights.astype(np.float64) + bias
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


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
    from storyline.evaluate import snippet_hits

    cleaner = TextCleaner(model=model, learned=model is not None)
    tp = fp = fn = 0
    for p in pages:
        doc = cleaner.clean(p.text)
        parts = ([doc.title] if doc.title is not None else []) + list(doc.paragraphs)
        a, b, c, _ = snippet_hits("\n".join(parts), p.with_, p.without)
        tp, fp, fn = tp + a, fp + b, fn + c
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"pages": len(pages), "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def _prf(tp: int, fp: int, fn: int) -> dict:
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-9)
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}


def cross_validate(pages: Sequence[Page], folds: int = 5, seed: int = 0) -> dict:
    """Page-grouped k-fold: each fold's pages cleaned by a model trained on the other folds.
    Also split by page parity (the rule pass's constants were tuned on even pages only)."""
    counts = {"all": [0, 0, 0], "even": [0, 0, 0], "odd": [0, 0, 0]}
    for k in range(folds):
        train = [p for j, p in enumerate(pages) if j % folds != k]
        model = fit(train, seed)
        for j in range(k, len(pages), folds):
            s = _score([pages[j]], model)
            for part in ("all", "even" if j % 2 == 0 else "odd"):
                c = counts[part]
                c[0], c[1], c[2] = c[0] + s["tp"], c[1] + s["fp"], c[2] + s["fn"]
    out: dict = {"folds": folds, "pages": len(pages), **_prf(*counts["all"])}
    out["even_pages"] = _prf(*counts["even"])
    out["odd_pages"] = _prf(*counts["odd"])
    return out


def read_pages(path: str | Path) -> list[dict]:
    """Records of a textclean JSONL file (one JSON object a line; ``ValueError`` if malformed)."""
    text = Path(path).read_text(encoding="utf-8")
    records = []
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may sit in a string
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {n}: {exc}") from None
            for key in ("text", "with", "without"):
                if key not in rec:
                    raise ValueError(f"line {n}: no {key!r} field")
            records.append(rec)
    return records


def train(path: str | Path, seed: int = 0, folds: int = 5, cv: bool = True) -> LineModel:
    """Train on a textclean JSONL file; the record notes the data, settings and CV scores."""
    t0 = time.time()
    pages = prepare(read_pages(path))
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
