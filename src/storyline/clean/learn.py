"""Training and cross-validation of the cleaner's learned line model (``clean.linemodel``).

Input: pages in the textclean benchmark format (``{"id", "text", "with": [...], "without":
[...]}``). Each page goes through the rule pass; a line that holds (part of) a ``with`` snippet
is labelled article, one holding a ``without`` snippet boilerplate, the rest stay unlabelled.
Training is two-stage and leak-free: the lexical n-gram model's probabilities that the trees
learn from are out-of-fold (inner folds over the training pages), as they will be on unseen
pages. Deterministic for a given seed. Cross-validation folds are whole sites (every page of a
site, in every rendering, in one fold), and a fold's score is the real cleaner (rules + that
fold's model) on its held-out pages, counted by the benchmark's own snippet rule, per rendering.

Several renderings of the same pages (the shipped text, ``w3m -dump``, ``lynx -dump``,
``html2text``; made by ``scripts/render_textclean.py``) train one model: a page's renderings
share its site, so they always fall in the same fold, inner folds included (else the lexical
model would have seen the page's words in another shape). A fixed fifth of the sites
(``evaluate.is_held_out``) is held out of training and of every choice of settings; its score is
reported apart.
"""

from __future__ import annotations

import bisect
import hashlib
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
from storyline.evaluate import (
    doc_hits,
    is_held_out,
    overlap_prf,
    prf,
    read_textclean,
    site_of,
    word_overlap,
)
from storyline.trees import Forest, hgb_nodes

LEXICAL_C = 10.0  # inverse L2 strength of the n-gram logistic regression
TREES = dict(n_estimators=150, learning_rate=0.1, max_depth=5, min_samples_leaf=20, subsample=0.7)
TREE_KIND = "gbm"  # "gbm": GradientBoostingClassifier; "hgb": HistGradientBoostingClassifier
INNER_FOLDS = 5
# The decoding floor towards the rules' body (``LineModel.floor_share``/``floor_margin``; share
# 0: off). The floor is on: the shipped model decodes with it (BENCHMARKS.md, issue 16).
FLOOR: dict[str, float] = dict(share=0.8, margin=2.0)
# Decoding margins (``LineModel.title_margin`` / ``section_margin`` / ``notice_margin``): extra
# log-odds a line above the headline / at or below a comments or related-news header / per
# notice word it holds (``clean.notices``) needs. notice_margin 2 was chosen by CV on the
# fourteenth session's fixed fold models (0.5-4 tried; BENCHMARKS.md, issue 16).
DECODING: dict[str, float] = dict(title_margin=1.0, section_margin=2.0, notice_margin=2.0)
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
    site: str = ""  # pages of one site (and one page's renderings) share folds
    rendering: str = ""  # the text shape: "shipped", "w3m", "lynx", ...
    reference: str | None = None  # a reference article text (word-overlap score), if any

    def targets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mask of the snippet-labelled lines, their labels, their weights: 1 each)."""
        m = self.labels >= 0
        return m, self.labels[m], np.ones(int(m.sum()))


def prepare(records: Sequence[dict], rendering: str = "") -> list[Page]:
    rules = TextCleaner(learned=False)
    pages = []
    for rec in records:
        lines, title_at, start, end = rules.analyse(rec["text"])
        texts = [ln.text for ln in lines]
        y = snippet_labels(texts, rec["with"], rec["without"]) if lines else np.zeros(0, int)
        page = Page(rec["text"], lines, start, end, title_at, y, list(rec["with"]), list(rec["without"]),
                    site=site_of(rec), rendering=rendering,
                    reference=rec.get("article", rec.get("reference")))
        if lines:
            page.grams = gram_matrix(texts)
            page.shape = line_features(lines, start, end, title_at)
        pages.append(page)
    return pages


def read_pages(paths: Sequence[str | Path]) -> list[Page]:
    """The pages of one or more textclean files; each file is a rendering named by its stem
    (``w3m.jsonl`` -> "w3m"; the benchmark's ``dev.jsonl`` -> "shipped")."""
    pages: list[Page] = []
    for path in paths:
        name = Path(path).stem
        pages += prepare(read_textclean(path), "shipped" if name == "dev" else name)
    return pages


def _fold(site: str, folds: int, salt: str = "") -> int:
    return int(hashlib.sha1((salt + site).encode()).hexdigest()[:8], 16) % folds


def split_held_out(pages: Sequence[Page]) -> tuple[list[Page], list[Page]]:
    """(pages of the sites used for training and choices, pages of the fixed held-out sites)."""
    held = [is_held_out({"site": p.site}) for p in pages]
    return [p for p, h in zip(pages, held) if not h], [p for p, h in zip(pages, held) if h]


def _labelled(pages: Sequence[Page]) -> list[Page]:
    return [p for p in pages if len(p.labels) and p.targets()[0].any()]


def _fit_lexical(pages: Sequence[Page], seed: int) -> tuple[np.ndarray, float]:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    pages = _labelled(pages)
    t = [p.targets() for p in pages]
    x = sparse.vstack([p.grams[m] for p, (m, _, _) in zip(pages, t)])
    y = np.concatenate([y for _, y, _ in t])
    w = np.concatenate([w for _, _, w in t])
    m = LogisticRegression(C=LEXICAL_C, max_iter=5000, random_state=seed).fit(x, y, sample_weight=w)
    return m.coef_[0].astype(np.float32), float(m.intercept_[0])


def _lexical_p(page: Page, weights: np.ndarray, bias: float) -> np.ndarray:
    return _sigmoid(page.grams @ weights.astype(np.float64) + bias)


def fit(pages: Sequence[Page], seed: int = 0) -> LineModel:
    """Lexical model on all pages; trees on shape features + out-of-fold lexical context."""
    pages = _labelled(pages)
    oof: dict[int, np.ndarray] = {}
    inner = [_fold(p.site, INNER_FOLDS, "inner:") for p in pages]  # by site: renderings together
    if len(set(inner)) < 2:  # one site only: pages themselves
        inner = [j % INNER_FOLDS for j in range(len(pages))]
    for k in sorted(set(inner)):
        w, b = _fit_lexical([p for p, f in zip(pages, inner) if f != k], seed)
        for j, f in enumerate(inner):
            if f == k:
                oof[j] = _lexical_p(pages[j], w, b)
    t = [p.targets() for p in pages]
    feats = [np.hstack([p.shape, lexical_context(oof[j])]) for j, p in enumerate(pages)]
    x = np.vstack([f[m] for f, (m, _, _) in zip(feats, t)])
    y = np.concatenate([y for _, y, _ in t])
    w = np.concatenate([w for _, _, w in t])
    forest = _fit_trees(x, y, w, seed)
    w, b = _fit_lexical(pages, seed)
    return LineModel(w, b, forest, floor_share=float(FLOOR.get("share", 0.0)),
                     floor_margin=float(FLOOR.get("margin", 0.0)), **DECODING)


def _fit_trees(x: np.ndarray, y: np.ndarray, w: np.ndarray, seed: int,
               params: dict[str, Any] | None = None, kind: str | None = None) -> Forest:
    """Gradient-boosted trees over the line features (``params``: default ``TREES``; ``kind``:
    default ``TREE_KIND``, "gbm" for scikit-learn's exact GradientBoosting, "hgb" for
    HistGradientBoosting, binned and much faster on many lines)."""
    params = TREES if params is None else params
    if (kind or TREE_KIND) == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        hgb = HistGradientBoostingClassifier(
            max_iter=params["n_estimators"], learning_rate=params["learning_rate"], max_depth=params["max_depth"],
            max_leaf_nodes=2 ** params["max_depth"], min_samples_leaf=params["min_samples_leaf"],
            l2_regularization=params.get("l2", 0.0), early_stopping=False, random_state=seed,
        ).fit(x, y, sample_weight=w)
        base, rate, nodes = hgb_nodes(hgb)
        return Forest.from_nodes(nodes, rate, base, float64=True)
    from sklearn.ensemble import GradientBoostingClassifier

    gbm = GradientBoostingClassifier(random_state=seed, **{k: v for k, v in params.items() if k != "l2"}
                                     ).fit(x, y, sample_weight=w)  # type: ignore[arg-type]
    return Forest.from_sklearn(gbm)


class _Tally:
    """Snippet counts and word-overlap counts, per rendering."""

    def __init__(self) -> None:
        self.hits: dict[str, list[int]] = {}
        self.words: dict[str, list[int]] = {}

    def add(self, cleaner: TextCleaner, page: Page) -> None:
        doc = cleaner.clean(page.text)
        h = self.hits.setdefault(page.rendering, [0, 0, 0])
        for i, x in enumerate(doc_hits(doc, page.with_, page.without)):
            h[i] += x
        if page.reference is not None:
            out = "\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs))
            w = self.words.setdefault(page.rendering, [0, 0, 0])
            for i, x in enumerate(word_overlap(out, page.reference)):
                w[i] += x

    def result(self) -> dict:
        per = {}
        for name, h in self.hits.items():
            per[name or "all"] = {**prf(*h), "tp": h[0], "fp": h[1], "fn": h[2]}
            if name in self.words:
                per[name or "all"]["words"] = overlap_prf(*self.words[name])
        total = [sum(h[i] for h in self.hits.values()) for i in range(3)]
        out: dict = {**prf(*total), "tp": total[0], "fp": total[1], "fn": total[2]}
        if len(per) > 1 or "all" not in per:
            out["renderings"] = per
            f1s = [v["f1"] for v in per.values()]
            out["spread"] = round(max(f1s) - min(f1s), 4)
        elif "words" in per["all"]:
            out["words"] = per["all"]["words"]
        return out


def _score(pages: Sequence[Page], model: LineModel | None) -> dict:
    """The cleaner (rules, plus ``model`` when given) on ``pages``: counts and P/R/F1
    (per rendering too, when there are several)."""
    cleaner = TextCleaner(model=model, learned=model is not None)
    tally = _Tally()
    for p in pages:
        tally.add(cleaner, p)
    return {"pages": len(pages), **tally.result()}


def _fits_on(page: Page, fit_on: Sequence[str] | None) -> bool:
    return fit_on is None or page.rendering in fit_on


def cross_validate(pages: Sequence[Page], folds: int = 5, seed: int = 0,
                   fit_on: Sequence[str] | None = None) -> dict:
    """Site-grouped k-fold: each fold's sites (all their pages, in every rendering) cleaned by
    a model trained on the other folds' sites (their pages in the ``fit_on`` renderings, or
    in all); scored per rendering."""
    fold = [_fold(p.site, folds) for p in pages]
    tally = _Tally()
    for k in range(folds):
        test = [p for p, f in zip(pages, fold) if f == k]
        if not test:
            continue
        cleaner = TextCleaner(model=fit([p for p, f in zip(pages, fold) if f != k and _fits_on(p, fit_on)],
                                        seed))
        for p in test:
            tally.add(cleaner, p)
    return {"folds": folds, "grouped_by": "site", "pages": len(pages), **tally.result()}


def train(paths: str | Path | Sequence[str | Path], seed: int = 0, folds: int = 5, cv: bool = True,
          hold_out: bool = True, fit_on: Sequence[str] | None = None) -> LineModel:
    """Train on one or more textclean JSONL files (renderings of the same pages); the record
    notes the data, settings, site-grouped CV scores and the held-out sites' scores.

    With ``hold_out`` the fixed held-out fifth of the sites is left out of training and cross-
    validation and scored apart with the trained model (the honest figure); without it every
    page trains the model. ``fit_on`` (rendering names): the model learns from those renderings
    only, and is scored on all the files' renderings."""
    t0 = time.time()
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    pages = read_pages(paths)
    train_pages, held = split_held_out(pages) if hold_out else (list(pages), [])
    record: dict = {
        "data": [Path(p).name for p in paths], "pages": len(pages),
        "training_pages": len(train_pages), "held_out_pages": len(held),
        "labelled_lines": int(sum((p.labels >= 0).sum() for p in train_pages if _fits_on(p, fit_on))),
        "fit_on": list(fit_on) if fit_on else "all",
        "seed": seed, "lexical_C": LEXICAL_C, "trees": TREES, "tree_kind": TREE_KIND, "gram_bits": GRAM_BITS,
        "rules_only": _score(train_pages, None),
    }
    if cv:
        record["cross_validated"] = cross_validate(train_pages, folds, seed, fit_on)
    model = fit([p for p in train_pages if _fits_on(p, fit_on)], seed)
    if held:
        record["held_out"] = _score(held, model)
        record["held_out_rules_only"] = _score(held, None)
    record["in_sample"] = _score(train_pages, model)
    record["seconds"] = round(time.time() - t0, 1)
    model.record = record
    return model
