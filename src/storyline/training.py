"""Train and evaluate the same-story scorer on SemEval-format pair files.

A pair file has one JSON object a line: ``pair_id, lang1, lang2, title1, text1, title2,
text2, overall`` (``overall``: 1 = same story ... 4 = unrelated). Embeddings of each view are
cached on disk by content hash, so re-running costs only the model fit.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyline.embed import VIEWS, Embedder, embed_texts, view_texts
from storyline.errors import InputError
from storyline.scorer import (
    ALL_FEATURES,
    FEATURES,
    SAME_STORY_BELOW,
    SCORE_SEGMENTS,
    SENTENCES,
    ArticleView,
    PairFeatures,
    SameStoryScorer,
    views_needed,
)
from storyline.signals import TextSignals, segments
from storyline.similarity import language_alignment

SEED = 0
FOLDS = 5
# Topics for the folds grouped by language pair and topic: k-means over the pairs' centred
# full-text vectors (the mean of the two articles), no labels.
TOPICS = 20
ECE_BINS = 10
REQUIRED = ("lang1", "lang2", "text1", "text2")
FIT = "fit"  # load_pair_set: take the alignment reference from the file's own pairs


def default_cache() -> Path:
    return Path(os.environ.get("STORYLINE_CACHE", Path.home() / ".cache" / "storyline"))


@dataclass
class PairSet:
    """A loaded pair file: features for every pair plus labels and groupings."""

    features: np.ndarray  # one column per name in ``names``
    overall: np.ndarray | None
    centring: dict[str, dict[str, list[float]]]
    doc_freq: dict
    lang1: np.ndarray
    lang2: np.ndarray
    pair_ids: np.ndarray
    alignment_ref: float | None = None
    names: tuple[str, ...] = FEATURES
    topics: np.ndarray | None = None  # a topic cluster per pair (grouped folds)

    def columns(self, features: Sequence[str]) -> np.ndarray:
        """The feature matrix restricted to (and ordered as) ``features``."""
        missing = [f for f in features if f not in self.names]
        if missing:
            raise ValueError(f"pair set lacks feature(s) {', '.join(missing)}")
        return self.features[:, [self.names.index(f) for f in features]]

    @property
    def lang_pairs(self) -> np.ndarray:
        """The language pair of each pair, its two codes in alphabetical order (``"ar-ru"``
        for ar-ru and ru-ar alike): the grouping of the per-pair reports and of
        leave-one-language-pair-out."""
        a, b = self.lang1.astype(str), self.lang2.astype(str)
        first, second = np.where(a <= b, a, b), np.where(a <= b, b, a)
        return np.char.add(np.char.add(first, "-"), second)

    def language_pairs(self, rows: np.ndarray | None = None) -> list[tuple[str, str]]:
        idx = range(len(self.lang1)) if rows is None else rows
        return [(str(self.lang1[k]), str(self.lang2[k])) for k in idx]

    def route(self, scorer: SameStoryScorer) -> np.ndarray:
        """The pairs ``scorer`` sends to its unseen-pair model."""
        return scorer.route(self.lang1, self.lang2)

    @property
    def same(self) -> np.ndarray:
        assert self.overall is not None
        return self.overall < SAME_STORY_BELOW


def read_pairs(path: str | Path, need_overall: bool = True) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}: line {n}: malformed JSON ({exc.msg})") from None
            missing = [k for k in REQUIRED + (("overall",) if need_overall else ())
                       if k not in row]
            if missing:
                raise InputError(f"{path}: line {n}: missing field(s) {', '.join(missing)}")
            rows.append(row)
    if not rows:
        raise InputError(f"{path}: no pairs")
    return rows


def cache_path(texts: Sequence[str], model: str, cache: Path) -> Path:
    h = hashlib.sha256(model.encode())
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return cache / f"{h.hexdigest()[:24]}.npy"


def is_cached(path: str | Path, model: str, cache: Path | None = None,
              views: Sequence[str] = VIEWS) -> bool:
    """True when every view of every text in the pair file is in the embedding cache."""
    rows = read_pairs(path, need_overall=False)
    titles = [r.get("title1") or "" for r in rows] + [r.get("title2") or "" for r in rows]
    texts = [r["text1"] or "" for r in rows] + [r["text2"] or "" for r in rows]
    per_view = [view_texts(t, x) for t, x in zip(titles, texts)]
    lists = [[d[v] for d in per_view] for v in views if v in VIEWS]
    if SENTENCES in views:
        lists.append([s for x in texts for s in segments(x, SCORE_SEGMENTS)])
    return all(cache_path(texts, model, cache or default_cache()).exists() for texts in lists)


def embed_cached(texts: Sequence[str], embedder: Embedder, cache: Path,
                 progress: Callable[[str, int, int | None], None] | None = None,
                 label: str = "embed") -> np.ndarray:
    """Embed ``texts`` or load the identical list's vectors from ``cache``."""
    path = cache_path(texts, embedder.name, cache)
    if path.exists():
        return np.load(path)
    vecs = embed_texts(embedder, texts, progress=None if progress is None
                       else lambda done, total: progress(label, done, total))
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def sentence_vectors(texts: Sequence[str], embedder: Embedder, cache: Path | None = None,
                     progress: Callable[[str, int, int | None], None] | None = None,
                     ) -> list[np.ndarray]:
    """Per text, one vector per sentence segment (the first SCORE_SEGMENTS, as scored)."""
    segs = [segments(t, SCORE_SEGMENTS) for t in texts]
    flat = [s for ss in segs for s in ss]
    if cache is None:
        vecs = embed_texts(embedder, flat)
    else:
        vecs = embed_cached(flat, embedder, cache, progress, "embed sentences")
    bounds = np.cumsum([0] + [len(ss) for ss in segs])
    return [vecs[bounds[k]:bounds[k + 1]] for k in range(len(segs))]


def article_views(titles: Sequence[str], texts: Sequence[str], langs: Sequence[str],
                  embedder: Embedder, cache: Path | None = None,
                  progress: Callable[[str, int, int | None], None] | None = None,
                  views: Sequence[str] = VIEWS) -> list[ArticleView]:
    """Scorer views of articles given as parallel lists; ``cache=None`` embeds afresh.
    Only ``views`` are embedded ("full" always: clustering reads it); the others are None."""
    per_view = [view_texts(t, x) for t, x in zip(titles, texts)]
    wanted = [v for v in VIEWS if v in views or v == "full"]
    if cache is None:
        vecs = {v: embed_texts(embedder, [d[v] for d in per_view]) for v in wanted}
    else:
        vecs = {v: embed_cached([d[v] for d in per_view], embedder, cache, progress,
                                f"embed {v}") for v in wanted}
    sents = (sentence_vectors(texts, embedder, cache, progress) if SENTENCES in views
             else [None] * len(texts))
    return [ArticleView(lang=lang, full=vecs["full"][k],
                        title=vecs["title"][k] if "title" in vecs else None,
                        lead=vecs["lead"][k] if "lead" in vecs else None,
                        signals=TextSignals.of(f"{t}\n{x}"), sentences=sents[k])
            for k, (t, x, lang) in enumerate(zip(titles, texts, langs))]


def pair_articles(rows: Sequence[dict]) -> tuple[list[str], list[str], list[str]]:
    """(titles, texts, languages) of a pair file's articles: every pair's first article,
    then every pair's second (article k + len(rows) is the partner of article k)."""
    titles = [r.get("title1") or "" for r in rows] + [r.get("title2") or "" for r in rows]
    texts = [r["text1"] or "" for r in rows] + [r["text2"] or "" for r in rows]
    langs = [r["lang1"] for r in rows] + [r["lang2"] for r in rows]
    return titles, texts, langs


def _article_ids(titles: Sequence[str], texts: Sequence[str], langs: Sequence[str]) -> list[int]:
    """An id per article position, the same for the same (language, title, text)."""
    seen: dict[tuple[str, str, str], int] = {}
    return [seen.setdefault((lang, t, x), len(seen)) for t, x, lang in zip(titles, texts, langs)]


def topic_clusters(pf: PairFeatures, i: np.ndarray, j: np.ndarray, k: int = TOPICS) -> np.ndarray:
    """A topic label per pair (i[p], j[p]) (k-means over the pair's mean centred full-text
    vector)."""
    from sklearn.cluster import KMeans

    n = len(i)
    x = pf.centred["full"][i] + pf.centred["full"][j]
    x /= np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-9)
    return KMeans(n_clusters=min(k, n), n_init=4, random_state=SEED).fit_predict(x)


def load_pair_set(path: str | Path, embedder: Embedder, cache: Path | None = None,
                  progress: Callable[[str, int, int | None], None] | None = None,
                  need_overall: bool = True,
                  priors: dict[str, dict[str, np.ndarray]] | None = None,
                  doc_freq: dict | None = None,
                  alignment_ref: float | str | None = FIT,
                  features: Sequence[str] = FEATURES) -> PairSet:
    """Features of every pair in the file. ``priors``/``doc_freq``/``alignment_ref``: a
    trained scorer's corpus statistics (evaluation); by default (training) the file's own
    (``alignment_ref=FIT``: the mean alignment of its cross-lingual pairs). Only the views
    ``features`` read are embedded."""
    rows = read_pairs(path, need_overall)
    titles, texts, langs = pair_articles(rows)
    views = article_views(titles, texts, langs, embedder, cache or default_cache(), progress,
                          views_needed(features))
    return pair_set(rows, views, need_overall, priors, doc_freq, alignment_ref)


def pair_set(rows: Sequence[dict], views: Sequence[ArticleView], need_overall: bool = True,
             priors: dict[str, dict[str, np.ndarray]] | None = None,
             doc_freq: dict | None = None,
             alignment_ref: float | str | None = FIT,
             prior_counts: dict[str, dict[str, float]] | None = None) -> PairSet:
    """``load_pair_set`` for pairs already read, given their articles' views (first
    articles, then second ones, as ``pair_articles`` orders them). ``prior_counts``: see
    ``PairFeatures``."""
    n = len(rows)
    titles, texts, langs = pair_articles(rows)
    if alignment_ref == FIT:
        alignment_ref = language_alignment().reference([(r["lang1"], r["lang2"]) for r in rows])
    assert alignment_ref is None or isinstance(alignment_ref, float)
    # an article that several pairs share is one article of the corpus: it counts once in
    # the language means and the term frequencies (a small file that repeats a few articles
    # would otherwise centre them on themselves)
    ids = np.array(_article_ids(titles, texts, langs), dtype=np.int64)
    first = np.unique(ids, return_index=True)[1]
    pf = PairFeatures([views[k] for k in first], priors, doc_freq, alignment_ref=alignment_ref,
                      prior_counts=prior_counts)
    i, j = ids[:n], ids[n:]
    names = tuple(f for f in ALL_FEATURES if set(views_needed([f])) <= set(pf.views))
    feats = pf.pairs(i, j, names)
    overall = np.array([float(r["overall"]) for r in rows]) if need_overall else None
    centring = {view: c.means_dict() for view, c in pf.centring.items()}
    return PairSet(feats, overall, centring, pf.doc_freq,
                   np.array([r["lang1"] for r in rows]), np.array([r["lang2"] for r in rows]),
                   np.array([str(r.get("pair_id", k)) for k, r in enumerate(rows)]),
                   alignment_ref, names, topic_clusters(pf, i, j) if n >= 2 else None)


# -- scoring ---------------------------------------------------------------------------------
def pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def same_story_prf(prob: np.ndarray, same: np.ndarray) -> dict[str, float | None]:
    """Same-story precision/recall/F1 at P > 0.5; None where undefined (no pair called the
    same story: precision; no same-story pair: recall; either: F1)."""
    pred = prob > 0.5
    tp = float((pred & same).sum())
    p = tp / pred.sum() if pred.sum() else None
    r = tp / same.sum() if same.sum() else None
    f1 = None if p is None or r is None else (2 * p * r / (p + r) if p + r else 0.0)
    return {"precision": p, "recall": r, "f1": f1}


def _defined(x: float) -> float | None:
    """A figure for a report: None where it is undefined (NaN), so that JSON stays JSON."""
    return None if x != x else x


def reliability(prob: np.ndarray, same: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Reliability curve (per probability bin: pairs, mean P(same), observed same-story
    rate) and the expected calibration error: the pair-weighted mean |P - rate| over bins."""
    prob = np.asarray(prob, dtype=np.float64)
    b = np.minimum((prob * bins).astype(int), bins - 1)
    curve, err = [], 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            p, rate = float(prob[m].mean()), float(same[m].mean())
            curve.append({"bin": [k / bins, (k + 1) / bins], "n": int(m.sum()),
                          "mean_probability": p, "same_rate": rate})
            err += abs(p - rate) * m.sum()
    return {"ece": err / len(prob) if len(prob) else float("nan"), "curve": curve}


def report(similarity: np.ndarray, prob: np.ndarray | None, data: PairSet) -> dict:
    """Pearson of similarity vs -overall, overall and per language pair; with ``prob``, the
    same-story precision/recall/F1 at P > 0.5 and calibration (ECE, reliability curve),
    overall and per language pair."""
    assert data.overall is not None
    target = -data.overall
    out: dict[str, Any] = {"pairs": len(target), "pearson": _defined(pearson(similarity, target)),
                           "per_pair": {}}
    lang_pairs = data.lang_pairs
    same = data.same
    for lp in sorted(set(lang_pairs)):
        m = lang_pairs == lp
        out["per_pair"][lp] = {"n": int(m.sum()), "pearson": _defined(pearson(similarity[m], target[m]))}
        if prob is not None:
            out["per_pair"][lp].update(same_story_prf(prob[m], same[m]))
            out["per_pair"][lp]["ece"] = reliability(prob[m], same[m])["ece"]
    if prob is not None:
        out["same_story"] = same_story_prf(prob, same)
        cal = reliability(prob, same)
        out["ece"] = cal["ece"]
        out["reliability"] = cal["curve"]
    return out


def cross_validate(data: PairSet, alpha: float = 1.0,
                   features: Sequence[str] = FEATURES) -> dict:
    """Pearson (and same-story P/R, ECE) under three fold schemes: 5-fold grouped by pair
    id, folds grouped by language pair *and* topic (whole topic-language cells held out),
    and leave-one-language-pair-out; the centred-cosine baseline alike.

    Each fold's scorer routes held-out pairs as it would unseen data: a held-out cross-lingual
    language pair is one its training folds lack, so leave-one-out scores it with the
    unseen-pair model (``unseen_pair_model`` reports that model alone on every held-out pair).
    """
    from sklearn.model_selection import GroupKFold

    assert data.overall is not None
    x, y = data.columns(features), data.overall
    folds = list(GroupKFold(n_splits=FOLDS).split(x, y, data.pair_ids))
    lang_pairs = data.lang_pairs
    lolo = [(np.flatnonzero(lang_pairs != lp), np.flatnonzero(lang_pairs == lp))
            for lp in sorted(set(lang_pairs))]
    schemes = [("grouped_5fold", folds), ("leave_one_language_pair_out", lolo)]
    if data.topics is not None:
        cells = np.char.add(np.char.add(lang_pairs, "/"), data.topics.astype(str))
        schemes.insert(1, ("language_pair_topic_5fold",
                           list(GroupKFold(n_splits=FOLDS).split(x, y, cells))))
    out = {}
    for name, splits in schemes:
        pred = np.zeros(len(y))
        prob = np.zeros(len(y))
        alone = np.zeros(len(y))
        for train, test in splits:
            model = SameStoryScorer(alpha, features=features).fit(x[train], y[train],
                                                                  data.language_pairs(train))
            route = model.route(data.lang1[test], data.lang2[test])
            pred[test] = model.overall(x[test], route)
            prob[test] = model.probability(x[test], route)
            assert model.unseen_ is not None
            alone[test] = model.unseen_.overall(x[test])
        rep = report(-pred, prob, data)
        rep["mean_per_pair"] = float(np.mean([v["pearson"] for v in rep["per_pair"].values()
                                              if v["pearson"] is not None]))
        rep["unseen_pair_model"] = report(-alone, None, data)
        out[name] = rep
    out["baseline_centred_cosine"] = report(data.columns(["cos_full"])[:, 0], None, data)
    out["baseline_raw_cosine"] = report(data.columns(["cos_full_raw"])[:, 0], None, data)
    return out


def train(path: str | Path, embedder: Embedder, out: str | Path, cache: Path | None = None,
          alpha: float = 1.0,
          progress: Callable[[str, int, int | None], None] | None = None,
          features: Sequence[str] = FEATURES) -> dict:
    """Fit on the whole file, save with a record of data and cross-validated scores."""
    data = load_pair_set(path, embedder, cache, progress, features=features)
    assert data.overall is not None
    np.random.seed(SEED)  # the fit is closed-form; the seed pins any sklearn randomness
    cv = cross_validate(data, alpha, features)
    scorer = SameStoryScorer(alpha, features=features).fit(data.columns(features), data.overall,
                                                           data.language_pairs())
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    lolo = cv["leave_one_language_pair_out"]
    record = {"file": Path(path).name, "sha256_16": digest, "pairs": len(data.overall),
              "language_pairs": {lp: int((data.lang_pairs == lp).sum())
                                 for lp in sorted(set(data.lang_pairs.tolist()))},
              "embedder": embedder.name, "seed": SEED, "alpha": alpha,
              "views": list(scorer.views),
              "cv_pearson_grouped_5fold": round(cv["grouped_5fold"]["pearson"], 4),
              "cv_pearson_leave_one_language_pair_out": round(lolo["pearson"], 4),
              "cv_leave_one_language_pair_out_same_story": {
                  k: None if v is None else round(v, 4) for k, v in lolo["same_story"].items()},
              "cv_leave_one_language_pair_out_ece": round(lolo["ece"], 4),
              "cv_pearson_leave_one_language_pair_out_unseen_pair_model_alone":
                  round(lolo["unseen_pair_model"]["pearson"], 4),
              "baseline_centred_cosine_pearson":
                  round(cv["baseline_centred_cosine"]["pearson"], 4),
              "alignment_reference": None if data.alignment_ref is None
              else round(data.alignment_ref, 4)}
    if "language_pair_topic_5fold" in cv:
        record["cv_pearson_language_pair_topic_5fold"] = round(
            cv["language_pair_topic_5fold"]["pearson"], 4)
    # the full view's means always ship: clustering centres on them whatever the scorer reads
    centring = {view: means for view, means in data.centring.items()
                if view in scorer.views or view == "full"}
    scorer.save(out, record, centring, data.doc_freq, data.alignment_ref)
    return {"record": record, "cv": cv}
