"""Same-story scorer: do two articles, in any languages, report the same story?

Signals (all language-independent), combined by a ridge regression trained on SemEval-2022
Task 8 pairs and shipped as a small JSON file (``data/scorer.json``):

* cosines of three views after language centring: full text, title, lead; and the title of
  one against the full text of the other (headlines are written for the event);
* overlap of numbers and of transliterated name skeletons (``signals.py``), IDF-weighted by
  the corpus at hand, so "Carter", "كارتر" and "Κάρτερ" meet;
* a same-language indicator. (Article lengths were dropped: in the training file they
  mostly reflect how the scraper truncated a page, and leaving them out raised the
  leave-one-language-pair-out score from 0.780 to 0.784.)

Cross-lingual cosines are put on one scale first: e5-small aligns some language pairs
better than others (a string and its translation: centred cosine ~0.70 for es-it, ~0.54 for
el-ar, measured on parallel text: ``similarity.LanguageAlignment``), and a same-story cosine
across a pair shrinks with it. Every centred cosine of a cross-lingual pair is multiplied by
reference / alignment(pair), the reference being the mean alignment of the training file's
cross-lingual pairs (de-en, whose factor is thus 1: the training features do not change).
The raw cosines' shared-content part (the dot of the two vectors' residuals off their
language means) is rescaled alike. Same-language pairs, and languages without a measurement,
keep factor 1.

Optional signals (``ALL_FEATURES``; a model file lists the ``features`` it was trained on and
the ``views`` they read, so the pipeline embeds only those): sentence segments as a fourth
view (best-match statistics across the two articles, each title against the other's
segments, the mean segment vector, which reads the whole article), dates normalised across
languages, and names matched within one edit (``fuzzy_canon``). Measured on a subset of the
training file only (BENCHMARKS.md, issue 17); the shipped model uses ``FEATURES``.

Outputs: a similarity on the SemEval scale (1 = same story ... 4 = unrelated) and a
calibrated probability of "same story", defined as a SemEval overall score below 2.5: the
midpoint between "somewhat similar" (2) and "somewhat dissimilar" (3), i.e. annotators lean
to *similar*. The model is the even blend of a ridge regression (smooth, generalises across language
pairs) and small gradient-boosted trees (depth 3: catch interactions such as "high cosine
but no shared names"); both are exported to plain arrays, so inference needs only numpy.

Two models, one route (``route``): the trees' interactions hold within the language pairs they
were learned on, but off them they can turn the wrong way (more shared names, or higher
cosines, lowering the similarity). Cross-lingual pairs of a language pair the training file
lacks are scored by a second, *monotone* model instead: a ridge with signed coefficients plus
HistGradientBoosting trees with monotonic constraints, trained on the same pairs. On the one
held-out cross-lingual pair the training file has (de-en, left out) it scores Pearson 0.788
against the main model's 0.781. The main model keeps every other pair, unseen monolingual ones
(ru-ru) included: held out, those score better with it (leave-one-pair-out 0.784 pooled,
against 0.779 for the monotone model alone).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

from storyline.signals import TextSignals
from storyline.similarity import LanguageAlignment, LanguageCentering, language_alignment, normalise_rows
from storyline.trees import Forest, hgb_nodes, node_lists

VIEWS = ("full", "title", "lead")
SENTENCES = "sentences"  # the optional fourth view: one vector per sentence segment
# Every feature the scorer can compute; a model uses a subset (its ``features``), and needs
# only the views those read (``FEATURE_VIEWS``).
ALL_FEATURES = ("cos_full", "cos_full_raw", "cos_title", "cos_title_raw", "cross_max",
                "cross_min", "cos_lead", "lead_cross_max", "view_max", "num_j", "num_c",
                "name_j", "name_c", "same_lang", "date_j", "date_both", "fname_j", "fname_c",
                "seg_max", "seg_match", "seg_cover", "tseg_max", "tseg_min", "seg_mean")
FEATURE_VIEWS: dict[str, tuple[str, ...]] = {
    "cos_full": ("full",), "cos_full_raw": ("full",), "cos_title": ("title",),
    "cos_title_raw": ("title",), "cross_max": ("title", "full"),
    "cross_min": ("title", "full"), "cos_lead": ("lead",), "lead_cross_max": ("lead", "full"),
    "view_max": ("full", "title", "lead"), "seg_max": (SENTENCES,), "seg_match": (SENTENCES,),
    "seg_cover": (SENTENCES,), "seg_mean": (SENTENCES,), "tseg_max": ("title", SENTENCES),
    "tseg_min": ("title", SENTENCES)}
# Features that are not evidence of sameness either way (free in the monotone model).
FREE_FEATURES = ("same_lang", "date_both")
FEATURES = ("cos_full", "cos_full_raw", "cos_title", "cos_title_raw", "cross_max",
            "cross_min", "cos_lead", "lead_cross_max", "view_max", "num_j", "num_c", "name_j",
            "name_c", "same_lang")
# Sentence segments compared per article when scoring (the first ones: an article's start
# carries its story); pairs are scored in chunks of this many to bound memory.
SCORE_SEGMENTS = 16
PAIR_CHUNK = 4096
SAME_STORY_BELOW = 2.5
DEFAULT_MODEL = "scorer.json"
# Trees: shallow and few, learning slowly on 80% subsamples; chosen a priori, not searched
# (grouped 5-fold and leave-one-language-pair-out scores are recorded with the model).
GBM_PARAMS = {"n_estimators": 200, "learning_rate": 0.05, "max_depth": 3,
              "min_samples_leaf": 40, "subsample": 0.8}
# The model for cross-lingual pairs of a language pair the training file lacks: the same size,
# but monotone (scikit-learn's HistGradientBoosting with monotonic_cst, a ridge with signed
# coefficients): more evidence of sameness never lowers its similarity.
MONOTONE_TREE_PARAMS = {"max_iter": 200, "learning_rate": 0.05, "max_depth": 3,
                        "min_samples_leaf": 40}
RIDGE_WEIGHT = 0.5


def views_needed(features: Sequence[str]) -> tuple[str, ...]:
    """The article views (embeddings) the given features read, in pipeline order."""
    need = {v for f in features for v in FEATURE_VIEWS.get(f, ())}
    return tuple(v for v in VIEWS + (SENTENCES,) if v in need)


@dataclass(frozen=True)
class ArticleView:
    """What the scorer needs of one article (vectors are raw model outputs; a view the
    scorer does not read may be None; ``sentences``: one row per sentence segment)."""

    lang: str
    full: np.ndarray
    title: np.ndarray | None
    lead: np.ndarray | None
    signals: TextSignals
    sentences: np.ndarray | None = None


class PairFeatures:
    """Corpus-fitted state (centring per view, term IDF) + vectorised pair features."""

    def __init__(self, views: Sequence[ArticleView],
                 priors: dict[str, dict[str, np.ndarray]] | None = None,
                 doc_freq: dict[str, DocFreq] | None = None, dim: int | None = None,
                 use_corpus: bool = True, alignment_ref: float | None = None,
                 alignment: LanguageAlignment | None = None,
                 prior_counts: dict[str, dict[str, float]] | None = None) -> None:
        """``use_corpus=False``: centre on the priors alone (``views`` are the very articles
        being compared, too few to estimate their languages' means). ``alignment_ref``: the
        alignment cross-lingual cosines are rescaled to (None: no rescaling).
        ``prior_counts`` (view -> language -> articles): how many articles each prior mean
        was estimated from, so that it weighs as many (``LanguageCentering.prior_counts``)."""
        langs = [v.lang for v in views]
        self.langs = np.asarray(langs)
        codes: list[str] = sorted(set(langs))
        self.codes = codes
        self.lang_ids = np.searchsorted(np.asarray(codes), self.langs) if langs else np.zeros(0, int)
        self.alignment_factor = (alignment or language_alignment()).factors(codes, alignment_ref)
        self.raw: dict[str, np.ndarray] = {}
        self.centred: dict[str, np.ndarray] = {}
        self.centring: dict[str, LanguageCentering] = {}
        self.residual: dict[str, np.ndarray] = {}
        for name in VIEWS:
            if views and any(getattr(v, name) is None for v in views):
                continue  # a view this corpus was not embedded for
            prior = (priors or {}).get(name)
            if views:
                x = np.stack([getattr(v, name) for v in views])
            else:  # an empty corpus: the prior alone defines the means
                prior_dim = len(next(iter(prior.values()))) if prior else 1
                x = np.zeros((0, dim or prior_dim), np.float32)
            self.raw[name] = normalise_rows(x)
            self.centring[name] = LanguageCentering(prior=prior, use_corpus=use_corpus or not prior,
                                                    prior_counts=(prior_counts or {}).get(name))
            res = self.centring[name].fit(x, langs).residuals(x, langs)
            self.centred[name] = normalise_rows(res)
            # length of each vector's part off its language's mean: raw cosine = means' dot
            # + cross terms + residual_a . residual_b, the last being the content both share
            self.residual[name] = np.linalg.norm(res, axis=1)
        if views and all(v.sentences is not None for v in views):
            self._fit_sentences(views, (priors or {}).get(SENTENCES), use_corpus,
                                (prior_counts or {}).get(SENTENCES))
        # IDF from this corpus plus the training corpus's counts: a pair scored on its own
        # must weigh its shared names as the model saw them weighed in training
        prior_df = doc_freq or {}
        self.doc_freq = {kind: DocFreq.count([getattr(v.signals, kind) for v in views])
                         for kind in ("numbers", "names", "dates")}
        self.terms = {kind: _weighted_terms([getattr(v.signals, kind) for v in views],
                                            self.doc_freq[kind] + prior_df.get(kind))
                      for kind in ("numbers", "names", "dates")}
        self._names = ([v.signals.names for v in views], self.doc_freq["names"] + prior_df.get("names"))

    @cached_property
    def fuzzy_names(self) -> sparse.csr_matrix:
        """Names once more, each skeleton replaced by its most frequent spelling within one
        edit ("bndstag"/"bndstg"): transliterations of one name differ by a letter or two.
        Built on first use (only models with the fuzzy-name features pay for it)."""
        names, df = self._names
        canon = fuzzy_canon({t for ts in names for t in ts}, df)
        return _weighted_terms([frozenset(canon.get(t, t) for t in ts) for ts in names], df)

    def _fit_sentences(self, views: Sequence[ArticleView],
                       prior: dict[str, np.ndarray] | None, use_corpus: bool,
                       prior_counts: dict[str, float] | None = None) -> None:
        """Centre every sentence segment on its language's segment mean, then pad each
        article's first SCORE_SEGMENTS segments into one (articles, K, dim) array; an
        article without segments gets its centred full-text vector as its one segment."""
        counts = np.array([len(v.sentences) for v in views])  # type: ignore[arg-type]
        flat = np.concatenate([v.sentences for v in views if len(v.sentences)])  # type: ignore[misc]
        flat_langs = np.repeat(self.langs, counts)
        centring = LanguageCentering(prior=prior, use_corpus=use_corpus or not prior,
                                     prior_counts=prior_counts)
        self.centring[SENTENCES] = centring.fit(flat, flat_langs)
        flat = normalise_rows(centring.residuals(flat, flat_langs))
        k = int(min(max(counts.max(), 1), SCORE_SEGMENTS))
        seg = np.zeros((len(views), k, flat.shape[1]), np.float32)
        mask = np.zeros((len(views), k), bool)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        for a, (s, c) in enumerate(zip(starts, counts)):
            c = min(int(c), k)
            if c:
                seg[a, :c] = flat[s:s + c]
                mask[a, :c] = True
            elif "full" in self.centred:
                seg[a, 0] = self.centred["full"][a]
                mask[a, 0] = True
        self.segments, self.segment_mask = seg, mask
        # the whole article as one vector (beyond e5's 512 tokens): the mean of its
        # centred segments
        per_article = np.zeros((len(views), flat.shape[1]), np.float32)
        np.add.at(per_article, np.repeat(np.arange(len(views)), counts), flat)
        per_article[counts == 0] = seg[counts == 0, 0]
        self.segment_mean = normalise_rows(per_article)

    def __len__(self) -> int:
        return len(self.langs)

    @property
    def views(self) -> tuple[str, ...]:
        """The views this corpus has vectors for."""
        return tuple(self.centred) + ((SENTENCES,) if hasattr(self, "segments") else ())

    def pairs(self, i: np.ndarray, j: np.ndarray,
              features: Sequence[str] = FEATURES) -> np.ndarray:
        """Feature rows (len(i) x len(features)) for the article pairs (i[k], j[k])."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        missing = [v for v in views_needed(features) if v not in self.views]
        if missing:
            raise ValueError(f"features need view(s) {', '.join(missing)}, not embedded")
        if len(i) > PAIR_CHUNK:
            return np.concatenate([self.pairs(i[s:s + PAIR_CHUNK], j[s:s + PAIR_CHUNK], features)
                                   for s in range(0, len(i), PAIR_CHUNK)])
        if not len(features):
            return np.zeros((len(i), 0))
        cols = self._columns(i, j, set(features))
        return np.column_stack([cols[f] for f in features])

    def _columns(self, i: np.ndarray, j: np.ndarray, want: set[str]) -> dict[str, np.ndarray]:
        c, r = self.centred, self.raw
        out: dict[str, np.ndarray] = {}

        def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.einsum("ij,ij->i", a, b, dtype=np.float64)

        # centred cosines of cross-lingual pairs, rescaled to the reference alignment
        scale = self.alignment_factor[self.lang_ids[i], self.lang_ids[j]]

        def cdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return dot(a, b) * scale

        def raw(view: str, centred: np.ndarray) -> np.ndarray:
            """Raw cosine with its shared-content part (residuals' dot) rescaled like the
            centred cosine: + (scale - 1) |res_i| |res_j| cos_centred."""
            res = self.residual[view]
            return dot(r[view][i], r[view][j]) + (1 - 1 / scale) * res[i] * res[j] * centred

        if "full" in c:
            out["cos_full"] = full = cdot(c["full"][i], c["full"][j])
            if "cos_full_raw" in want:
                out["cos_full_raw"] = raw("full", full)
        if "title" in c:
            out["cos_title"] = title = cdot(c["title"][i], c["title"][j])
            if "cos_title_raw" in want:
                out["cos_title_raw"] = raw("title", title)
            t1_f2 = cdot(c["title"][i], c["full"][j])
            t2_f1 = cdot(c["title"][j], c["full"][i])
            out["cross_max"] = np.maximum(t1_f2, t2_f1)
            out["cross_min"] = np.minimum(t1_f2, t2_f1)
        if "lead" in c:
            out["cos_lead"] = lead = cdot(c["lead"][i], c["lead"][j])
            out["lead_cross_max"] = np.maximum(cdot(c["lead"][i], c["full"][j]),
                                               cdot(c["lead"][j], c["full"][i]))
            if "title" in c:
                out["view_max"] = np.max([full, title, lead, t1_f2, t2_f1], axis=0)
        if want & {"seg_max", "seg_match", "seg_cover", "tseg_max", "tseg_min"}:
            out.update(self._segment_columns(i, j, scale))
        if "seg_mean" in want:
            out["seg_mean"] = cdot(self.segment_mean[i], self.segment_mean[j])
        for kind, cnt in (("num", "numbers"), ("name", "names"), ("date", "dates")):
            if {f"{kind}_j", f"{kind}_c"} & want:
                out[f"{kind}_j"], out[f"{kind}_c"] = _overlap(self.terms[cnt], i, j)
        if {"fname_j", "fname_c"} & want:
            out["fname_j"], out["fname_c"] = _overlap(self.fuzzy_names, i, j)
        if "date_both" in want:
            has = np.diff(self.terms["dates"].indptr) > 0
            out["date_both"] = (has[i] & has[j]).astype(np.float64)
        out["same_lang"] = (self.langs[i] == self.langs[j]).astype(np.float64)
        return out

    def _segment_columns(self, i: np.ndarray, j: np.ndarray, scale: np.ndarray
                         ) -> dict[str, np.ndarray]:
        """Best-match statistics of the two articles' sentence segments: the best pair
        (one shared sentence), the mean best match of each article's segments in the other
        (``seg_cover``: the better-covered side, ``seg_match``: the mean of both sides),
        and each title against the other's segments. Padding rows are zero vectors, so a
        best match is floored at 0 (real best matches are positive but for noise) and no
        mask is applied to the (pairs, K, K) block: masking it cost more than the product."""
        a, b = self.segments[i], self.segments[j]
        ma, mb = self.segment_mask[i], self.segment_mask[j]
        sim = np.matmul(a, b.transpose(0, 2, 1))  # (pairs, K, K)
        best_a = sim.max(axis=2)  # each of a's segments' best match in b
        best_b = sim.max(axis=1)
        cover_a = (best_a * ma).sum(axis=1) / ma.sum(axis=1).clip(min=1)
        cover_b = (best_b * mb).sum(axis=1) / mb.sum(axis=1).clip(min=1)
        out = {"seg_max": best_a.max(axis=1) * scale,
               "seg_match": 0.5 * (cover_a + cover_b) * scale,
               "seg_cover": np.maximum(cover_a, cover_b) * scale}
        if "title" in self.centred:
            t = self.centred["title"]
            ta = np.einsum("pd,pkd->pk", t[i], b).max(axis=1)
            tb = np.einsum("pd,pkd->pk", t[j], a).max(axis=1)
            out["tseg_max"] = np.maximum(ta, tb) * scale
            out["tseg_min"] = np.minimum(ta, tb) * scale
        return out


@dataclass(frozen=True)
class DocFreq:
    """Document frequencies of terms over ``docs`` documents (for IDF)."""

    docs: int
    counts: dict[str, int]

    @classmethod
    def count(cls, term_sets: Sequence[frozenset[str]]) -> DocFreq:
        counts: dict[str, int] = {}
        for terms in term_sets:
            for t in terms:
                counts[t] = counts.get(t, 0) + 1
        return cls(len(term_sets), counts)

    def __add__(self, other: DocFreq | None) -> DocFreq:
        if other is None:
            return self
        merged = dict(self.counts)
        for t, c in other.counts.items():
            merged[t] = merged.get(t, 0) + c
        return DocFreq(self.docs + other.docs, merged)

    def idf(self, term: str) -> float:
        return float(np.log((self.docs + 1) / (self.counts.get(term, 0) + 1)) + 1.0)

    def compact(self, min_count: int = 2) -> dict:
        """For the model file: terms seen once carry the default weight anyway."""
        return {"docs": self.docs,
                "counts": {t: c for t, c in sorted(self.counts.items()) if c >= min_count}}


# Skeletons at least this long are matched within one edit: shorter ones ("sr", "krtr")
# already collide by chance, and one edit more would join unrelated names.
FUZZY_MIN = 5


def fuzzy_canon(terms: set[str], df: DocFreq) -> dict[str, str]:
    """Skeleton -> the most frequent skeleton (by ``df``, ties by spelling) among those that
    share a one-deletion variant with it (edit distance <= 2 with substitutions as one
    deletion each side; symmetric-delete lookup). One hop, no chains: a rare spelling maps
    to the common one, the common one to itself. Terms without a neighbour are left out."""
    long = sorted(t for t in terms if len(t) >= FUZZY_MIN)
    by_key: dict[str, list[str]] = {}
    for t in long:
        for k in {t} | {t[:p] + t[p + 1:] for p in range(len(t))}:
            by_key.setdefault(k, []).append(t)
    out: dict[str, str] = {}
    for t in long:
        near = {u for k in {t} | {t[:p] + t[p + 1:] for p in range(len(t))}
                for u in by_key.get(k, ())}
        if len(near) > 1:
            out[t] = max(near, key=lambda u: (df.counts.get(u, 0), u))
    return out


def _weighted_terms(term_sets: Sequence[frozenset[str]], df: DocFreq) -> sparse.csr_matrix:
    """Rows = articles, columns = terms, values = smoothed IDF under ``df``."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for r, terms in enumerate(term_sets):
        for t in terms:
            rows.append(r)
            cols.append(vocab.setdefault(t, len(vocab)))
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                          shape=(len(term_sets), max(len(vocab), 1)))
    idf = np.ones(max(len(vocab), 1))
    for t, k in vocab.items():
        idf[k] = df.idf(t)
    return sparse.csr_matrix(m.multiply(idf.reshape(1, -1)))


def _overlap(m: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IDF-weighted Jaccard and log1p(weighted intersection) for row pairs of ``m``."""
    if len(i) == 0:
        return np.zeros(0), np.zeros(0)
    a, b = m[i], m[j]
    inter = np.asarray(a.minimum(b).sum(axis=1)).ravel()
    union = np.asarray(a.maximum(b).sum(axis=1)).ravel()
    jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return jac, np.log1p(inter)


class _Trees:
    """The scorer's boosted regression trees: node lists for the JSON model file, evaluated as
    a ``trees.Forest`` (``float64``: HistGradientBoosting's trees, which compare in float64)."""

    def __init__(self, base: float, rate: float, trees: list[dict[str, list]],
                 float64: bool = False) -> None:
        self.base = base
        self.rate = rate
        self.trees = trees
        self.float64 = float64
        self.forest = Forest.from_nodes(trees, rate, base, float64)

    @classmethod
    def from_sklearn(cls, model: object) -> _Trees:
        base = float(np.ravel(model.init_.constant_)[0])  # type: ignore[attr-defined]
        return cls(base, float(model.learning_rate), node_lists(model))  # type: ignore[attr-defined]

    @classmethod
    def from_hist(cls, model: object) -> _Trees:
        return cls(*hgb_nodes(model), float64=True)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forest.logit(x)

    def to_dict(self) -> dict:
        return {"base": self.base, "rate": self.rate, "trees": self.trees, "float64": self.float64}


class SameStoryScorer:
    """Ridge + shallow trees over pair features, plus a monotone twin for cross-lingual pairs
    of language pairs the training file lacks (``route``); ``fit`` on SemEval pairs, JSON
    persistence."""

    def __init__(self, alpha: float = 1.0, seed: int = 0, monotone: bool = False,
                 features: Sequence[str] = FEATURES) -> None:
        if alpha <= 0:
            raise ValueError(f"alpha must be > 0, got {alpha}")
        unknown = [f for f in features if f not in ALL_FEATURES]
        if unknown:
            raise ValueError(f"unknown scorer feature(s) {', '.join(unknown)}")
        self.alpha = alpha
        self.seed = seed
        self.monotone = monotone
        self.features = tuple(features)
        # the monotone model for cross-lingual pairs unseen in training, and the seen pairs
        self.unseen_: SameStoryScorer | None = None
        self.seen_pairs_: set[frozenset[str]] = set()
        # set by load(): the training record and corpus statistics shipped with a model
        self.record_: dict = {}
        self.priors_: dict[str, dict[str, np.ndarray]] = {}
        self.doc_freq_: dict[str, DocFreq] = {}
        self.alignment_ref_: float | None = None

    @property
    def views(self) -> tuple[str, ...]:
        """The article views (embeddings) this model reads: the pipeline embeds only these."""
        return views_needed(self.features)

    # -- training ---------------------------------------------------------------------------
    def fit(self, x: np.ndarray, overall: np.ndarray,
            lang_pairs: Sequence[tuple[str, str]] | None = None) -> SameStoryScorer:
        """Regress overall on features; calibrate P(overall < 2.5) on the blended score.

        With ``lang_pairs`` (the languages of each training pair) a second, monotone model is
        fitted for cross-lingual pairs of the language pairs not among them (``route``).
        Fitted on one thread: HistGradientBoosting's parallel histogram sums (OpenMP) and
        threaded BLAS otherwise vary in the last digits from run to run, and a tie between
        two splits then goes either way.
        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return self._fit(x, overall, lang_pairs)

    def _fit(self, x: np.ndarray, overall: np.ndarray,
             lang_pairs: Sequence[tuple[str, str]] | None) -> SameStoryScorer:
        from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor
        from sklearn.linear_model import LogisticRegression, Ridge

        x = np.asarray(x, dtype=np.float64)
        overall = np.asarray(overall, dtype=np.float64)
        self.mean_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0) + 1e-9
        z = (x - self.mean_) / self.scale_
        if self.monotone:  # similarity rises with every feature but same_lang: overall falls
            sign = np.array([0.0 if f in FREE_FEATURES else -1.0 for f in self.features])
            free = sign == 0
            # positive coefficients on (-feature) for the signed features; a free feature
            # enters twice, as itself and negated
            zz = np.column_stack([z[:, ~free], z[:, free], -z[:, free]])
            ridge = Ridge(alpha=self.alpha, positive=True).fit(zz, -overall)
            k = int((~free).sum())
            coef = np.zeros(len(self.features))
            coef[~free] = -ridge.coef_[:k]
            coef[free] = -(ridge.coef_[k:k + free.sum()] - ridge.coef_[k + free.sum():])
            self.coef_ = coef
            self.intercept_ = -float(ridge.intercept_)
            hgb = HistGradientBoostingRegressor(random_state=self.seed, monotonic_cst=sign.astype(int).tolist(),
                                                **MONOTONE_TREE_PARAMS).fit(x, overall)
            self.trees_ = _Trees.from_hist(hgb)
        else:
            ridge = Ridge(alpha=self.alpha).fit(z, overall)
            self.coef_ = ridge.coef_.astype(np.float64)
            self.intercept_ = float(ridge.intercept_)
            gbm = GradientBoostingRegressor(random_state=self.seed, **GBM_PARAMS).fit(x, overall)
            self.trees_ = _Trees.from_sklearn(gbm)
        raw = self._raw(x)
        calib = LogisticRegression(C=1e3).fit(raw.reshape(-1, 1), overall < SAME_STORY_BELOW)
        self.calib_ = (float(calib.coef_[0, 0]), float(calib.intercept_[0]))
        if lang_pairs is not None and not self.monotone:
            self.seen_pairs_ = {frozenset(p) for p in lang_pairs}
            self.unseen_ = SameStoryScorer(self.alpha, self.seed, monotone=True,
                                           features=self.features)._fit(x, overall, None)
        return self

    def route(self, langs_a: Sequence[str] | np.ndarray, langs_b: Sequence[str] | np.ndarray) -> np.ndarray:
        """True for the pairs the unseen-pair model scores: two languages whose pair the
        training file lacks (and a model that has one)."""
        if self.unseen_ is None:
            return np.zeros(len(langs_a), bool)
        return np.array([a != b and frozenset((a, b)) not in self.seen_pairs_
                         for a, b in zip(langs_a, langs_b)], dtype=bool)

    # -- inference --------------------------------------------------------------------------
    def _raw(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        linear = ((x - self.mean_) / self.scale_) @ self.coef_ + self.intercept_
        return RIDGE_WEIGHT * linear + (1 - RIDGE_WEIGHT) * self.trees_.predict(x)

    def _scores(self, x: np.ndarray, route: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(overall, probability): each row's blended score computed once, by the model its
        route picks (this one, or the unseen-pair model where ``route`` is True)."""
        x = np.asarray(x, dtype=np.float64)
        raw = np.empty(len(x))
        slope, offset = np.full(len(x), self.calib_[0]), np.full(len(x), self.calib_[1])
        if route is None or self.unseen_ is None or not np.any(route):
            raw[:] = self._raw(x)
        else:
            raw[~route] = self._raw(x[~route])
            raw[route] = self.unseen_._raw(x[route])
            slope[route], offset[route] = self.unseen_.calib_
        return np.clip(raw, 1.0, 4.0), 1.0 / (1.0 + np.exp(-(slope * raw + offset)))

    def overall(self, x: np.ndarray, route: np.ndarray | None = None) -> np.ndarray:
        """Predicted SemEval overall score, 1 (same story) .. 4 (unrelated); ``route``
        (from ``route()``) marks the pairs the unseen-pair model scores."""
        return self._scores(x, route)[0]

    def probability(self, x: np.ndarray, route: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probability that each pair reports the same story."""
        return self._scores(x, route)[1]

    def score(self, pf: PairFeatures, i: np.ndarray, j: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(features, overall, probability) for the pairs (i[k], j[k]) of ``pf``; routed by a
        table over the corpus's languages, not pair by pair."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        x = pf.pairs(i, j, self.features)
        table = np.array([self.route([a] * len(pf.codes), pf.codes) for a in pf.codes], dtype=bool)
        route = table[pf.lang_ids[i], pf.lang_ids[j]] if len(pf.codes) else np.zeros(len(x), bool)
        return (x, *self._scores(x, route))

    def pair_features(self, views: Sequence[ArticleView], use_corpus: bool = True,
                      dim: int | None = None) -> PairFeatures:
        """Features for pairs of ``views`` against this model's training corpus (its language
        means, term counts and alignment reference)."""
        return PairFeatures(views, self.priors_, self.doc_freq_, dim=dim, use_corpus=use_corpus,
                            alignment_ref=self.alignment_ref_)

    # -- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        out = {"features": list(self.features), "views": list(self.views),
               "alpha": self.alpha, "seed": self.seed,
               "monotone": self.monotone,
               "same_story_below": SAME_STORY_BELOW, "ridge_weight": RIDGE_WEIGHT,
               "mean": self.mean_.tolist(), "scale": self.scale_.tolist(),
               "coef": self.coef_.tolist(), "intercept": self.intercept_,
               "calibration": list(self.calib_), "trees": self.trees_.to_dict()}
        if self.unseen_ is not None:
            out["unseen_pair_model"] = self.unseen_.to_dict()
            out["seen_language_pairs"] = sorted([min(p), max(p)] for p in self.seen_pairs_)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> SameStoryScorer:
        s = cls(alpha=data["alpha"], seed=data.get("seed", 0), monotone=data.get("monotone", False),
                features=data["features"])
        s.mean_ = np.array(data["mean"])
        s.scale_ = np.array(data["scale"])
        s.coef_ = np.array(data["coef"])
        s.intercept_ = float(data["intercept"])
        s.calib_ = tuple(data["calibration"])
        t = data["trees"]
        s.trees_ = _Trees(t["base"], t["rate"], t["trees"], t.get("float64", False))
        if "unseen_pair_model" in data:
            s.unseen_ = cls.from_dict(data["unseen_pair_model"])
            s.seen_pairs_ = {frozenset(p) for p in data["seen_language_pairs"]}
        return s

    def save(self, path: str | Path, record: dict | None = None,
             centring: dict[str, dict[str, list[float]]] | None = None,
             doc_freq: dict[str, DocFreq] | None = None,
             alignment_ref: float | None = None) -> None:
        """Write the model with the training corpus's language means, term counts and the
        alignment its cross-lingual cosines were scaled to."""
        data = self.to_dict()
        data["alignment_ref"] = alignment_ref
        if record:
            data["training"] = record
        if centring:
            data["centring"] = centring
        if doc_freq:
            data["doc_freq"] = {kind: df.compact() for kind, df in doc_freq.items()}
        Path(path).write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path | None = None) -> SameStoryScorer:
        """Load a saved scorer; without a path, the one shipped in the package."""
        if path is None:
            text = resources.files("storyline").joinpath("data", DEFAULT_MODEL).read_text()
        else:
            text = Path(path).read_text()
        data = json.loads(text)
        if not set(data.get("features") or ["?"]) <= set(ALL_FEATURES):
            raise ValueError(f"{path or DEFAULT_MODEL}: scorer was trained on other features; "
                             "retrain it with 'storyline train-similarity'")
        s = cls.from_dict(data)
        s.record_ = data.get("training", {})
        s.priors_ = {view: {lang: np.asarray(m, dtype=np.float32) for lang, m in means.items()}
                     for view, means in data.get("centring", {}).items()}
        s.doc_freq_ = {kind: DocFreq(d["docs"], d["counts"])
                       for kind, d in data.get("doc_freq", {}).items()}
        s.alignment_ref_ = data.get("alignment_ref")
        return s
