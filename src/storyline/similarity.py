"""Similarity between article vectors, corrected for the language direction.

In e5-small's space the language of a text is a large shared direction: unrelated articles
in one language score ~0.75 cosine, which drowns the cross-lingual same-story signal.
``LanguageCentering`` removes each language's mean vector (estimated on the corpus at hand,
no labels) before the cosine, as measured in ../shared/bench/README.md.

Two cases need more than the corpus at hand:

* a language the prior (the scorer's training corpus) lacks: its mean is anchored on the
  prior's global mean moved along the language's direction, measured on parallel text
  (``data/language_offsets.npz``, built by ``scripts/build_language_offsets.py``);
* a corpus that *is* the articles being compared (two files given to ``storyline
  similarity``): their own vectors would dominate their language's mean and subtract the
  content they share, so ``use_corpus=False`` centres on the anchors alone.

Centring fixes where a language sits, not how well two languages are aligned: a report and
its translation score a centred cosine of ~0.70 for Spanish-Italian but ~0.54 for
Greek-Arabic, and same-story cosines across a pair shrink in proportion.
``LanguageAlignment`` (measured on the same parallel text) gives the scorer that factor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

# Pseudo-count pulling a language's mean toward the corpus mean: a language with few
# articles in the corpus has a mean dominated by their content, not by the language, so
# it is shrunk. 5 was the plateau on the sample corpus (k = 2..10 within 0.001 AUC).
SHRINK_DOCS = 5.0
# Pseudo-count of the prior's global mean when a prior is given: a corpus of a handful of
# articles cannot estimate "the average news text" by itself.
PRIOR_GLOBAL_DOCS = 20.0
GLOBAL = "_global"
OFFSETS_FILE = "language_offsets.npz"
# Density weighting (``LanguageCentering(density=True)``, what clustering uses): an article
# counts 1 / (number of same-language articles within this centred cosine of it), so a
# story reported many times counts about once in its language's mean, like sequence
# reweighting in multiple alignments. The bar is the stream's placement bar (an article
# that similar is placed in the story at once); on the sample corpus + seeds every bar in
# 0.40-0.50 gives the same stories (benchmarks/choose_centring.py).
SAME_STORY_COSINE = 0.45
# Up to this many articles of one language the counts are exact (blocked products); above
# it they are estimated from a fixed random sample of this many articles.
DENSITY_EXACT = 20000
#: Most similarities one block of the density counts holds at once (16 MB of float32): the
#: memory they take stays the same whatever the corpus size. Blocks of 1M similarities (52
#: rows against a 20,000-article sample) ran at half the speed (BENCHMARKS.md, issue 19).
DENSITY_BLOCK_ELEMENTS = 1 << 22


@lru_cache(maxsize=1)
def language_offsets() -> dict[str, np.ndarray]:
    """Language -> its direction in e5-small's space (relative to English), from the package."""
    ref = resources.files("storyline").joinpath("data", OFFSETS_FILE)
    with resources.as_file(ref) as path, np.load(path) as data:
        return {str(lang): off for lang, off in zip(data["langs"], data["offsets"])}


class LanguageAlignment:
    """How well e5-small aligns two languages: the mean centred cosine of a string and its
    translation, per language pair (``data/language_offsets.npz``; NaN where unmeasured).

    Under ``e5(translation of b) ~ alignment * e5(b) + noise``, a cross-lingual cosine is the
    monolingual one times the pair's alignment; ``factors`` rescales cosines of each pair to a
    reference alignment (the scorer's: that of its training file's cross-lingual pairs).
    """

    def __init__(self, langs: Sequence[str], matrix: np.ndarray) -> None:
        self.index = {lang: k for k, lang in enumerate(langs)}
        self.matrix = np.asarray(matrix, dtype=np.float64)

    def __call__(self, a: str, b: str) -> float:
        """The pair's alignment; 1 for one language, NaN when either language is unmeasured."""
        if a == b:
            return 1.0
        if a not in self.index or b not in self.index:
            return float("nan")
        return float(self.matrix[self.index[a], self.index[b]])

    def reference(self, pairs: Sequence[tuple[str, str]]) -> float | None:
        """Mean alignment over the cross-lingual, measured ones of ``pairs`` (None if none)."""
        values = [self(a, b) for a, b in pairs if a != b]
        values = [v for v in values if np.isfinite(v)]
        return float(np.mean(values)) if values else None

    def factors(self, langs: Sequence[str], reference: float | None) -> np.ndarray:
        """``F[a, b]`` for the languages ``langs``: reference / alignment(a, b) for two
        measured languages, 1 for one language, an unmeasured one or no reference."""
        n = len(langs)
        out = np.ones((n, n))
        if reference is None:
            return out
        for a in range(n):
            for b in range(n):
                rho = self(langs[a], langs[b])
                if a != b and np.isfinite(rho) and rho > 0:
                    out[a, b] = reference / rho
        return out


@lru_cache(maxsize=1)
def language_alignment() -> LanguageAlignment:
    """The shipped pairwise alignment table (an empty one if the data file predates it)."""
    ref = resources.files("storyline").joinpath("data", OFFSETS_FILE)
    with resources.as_file(ref) as path, np.load(path) as data:
        if "alignment" not in data:
            return LanguageAlignment([], np.zeros((0, 0)))
        return LanguageAlignment([str(x) for x in data["langs"]], data["alignment"])


#: Rows per block where centring walks every vector (4,096 x 384 float64: 12 MB a copy).
BLOCK = 1 << 12


def language_groups(langs: Sequence[str]) -> dict[str, np.ndarray]:
    """Language -> row indices (ascending), languages in sorted order."""
    lang_arr = np.asarray(langs)
    if not len(lang_arr):
        return {}
    keys, inverse = np.unique(lang_arr, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
    return {str(k): order[bounds[i]:bounds[i + 1]] for i, k in enumerate(keys)}


def normalise_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)


class LanguageCentering:
    """``fit(vectors, langs)`` learns per-language means; ``transform`` subtracts them.

    ``prior`` (language -> mean vector, plus ``"_global"``), e.g. the means of the scorer's
    training corpus, anchors the estimates when the corpus at hand is small. ``offsets``
    (default: the shipped table; ``{}`` for none) anchors languages the prior lacks.
    ``use_corpus=False`` ignores the corpus for the means: anchors only.
    ``prior_counts`` (language -> number of articles its prior mean was estimated from, and
    ``"_global"``): each prior mean then weighs as those articles, pooled with the corpus's
    own (so a file of a few articles keeps a well-estimated language's mean, and a corpus
    of thousands moves it); without it a prior weighs as ``shrink`` (languages) and
    ``PRIOR_GLOBAL_DOCS`` (the global mean) articles.
    ``density=True`` weighs each article by 1 / its number of near neighbours in its
    language (see ``SAME_STORY_COSINE``): a corpus of one story, or one huge story in a
    corpus, cannot make its own content the "language direction" and centre it away.
    """

    def __init__(self, shrink: float = SHRINK_DOCS,
                 prior: dict[str, np.ndarray] | None = None,
                 offsets: Mapping[str, np.ndarray] | None = None,
                 use_corpus: bool = True, density: bool = False,
                 density_cosine: float = SAME_STORY_COSINE, seed: int = 0,
                 prior_counts: Mapping[str, float] | None = None) -> None:
        if shrink < 0:
            raise ValueError(f"shrink must be >= 0, got {shrink}")
        if not -1.0 < density_cosine < 1.0:
            raise ValueError(f"density_cosine must be in (-1, 1), got {density_cosine}")
        self.shrink = shrink
        self.prior = prior or {}
        self.prior_counts = dict(prior_counts or {})
        if any(not c >= 0 for c in self.prior_counts.values()):
            raise ValueError(f"prior counts must be >= 0, got {self.prior_counts}")
        self.offsets = language_offsets() if offsets is None else offsets
        self.use_corpus = use_corpus
        self.density = density
        self.density_cosine = density_cosine
        self.seed = seed

    def fit(self, vectors: np.ndarray, langs: Sequence[str]) -> LanguageCentering:
        vectors = np.asarray(vectors)
        if len(vectors) != len(langs):
            raise ValueError(f"{len(vectors)} vectors but {len(langs)} languages")
        dim = np.shape(vectors)[1] if np.ndim(vectors) == 2 else 0
        if self.prior and next(iter(self.prior.values())).shape[-1] != dim:
            self.prior, self.prior_counts = {}, {}  # another model's space: no use here
        weights = np.ones(len(vectors))
        groups = language_groups(langs)
        # with density weighting: first means from plain counts (or the anchors alone when
        # there is a prior), then the weights measured in that centred space, then the
        # weighted means; without a prior the global mean itself is contaminated by a big
        # story, so the weights are re-measured once more
        rounds = 1 if not (self.density and self.use_corpus) else (2 if self.prior else 3)
        for r in range(rounds):
            if r:
                weights = self.density_weights(self.transform(vectors, langs), langs)
            self._fit_means(vectors, groups, weights, anchors_only=bool(
                self.density and self.prior and r == 0 and rounds > 1))
        self.weights_ = weights
        return self

    def _fit_means(self, vectors: np.ndarray, groups: dict[str, np.ndarray],
                   weights: np.ndarray, anchors_only: bool) -> None:
        use = self.use_corpus and not anchors_only
        dim = np.shape(vectors)[1] if np.ndim(vectors) == 2 else 0
        # weighted sums per language, a block of unit rows at a time (at 1M articles a
        # weighted float64 copy of every vector would be 3 GB)
        sums: dict[str, np.ndarray] = {}
        for lang, idx in groups.items():
            acc = np.zeros(dim, np.float64)
            for s in range(0, len(idx), BLOCK):
                blk = idx[s:s + BLOCK]
                acc += (weights[blk][:, None] * normalise_rows(vectors[blk])).sum(axis=0)
            sums[lang] = acc
        if GLOBAL in self.prior:
            total = weights.sum() if use else 0.0
            corpus = sum(sums.values(), np.zeros(dim)) if use else 0.0
            n_prior = self.prior_counts.get(GLOBAL, PRIOR_GLOBAL_DOCS)
            self.global_mean_ = ((corpus + n_prior * self.prior[GLOBAL])
                                 / (total + n_prior))
        else:
            self.global_mean_ = (sum(sums.values(), np.zeros(dim)) / weights.sum()
                                 if len(weights) else np.zeros(dim, np.float32))
        known = [self.offsets[k] for k in self.prior if k != GLOBAL and k in self.offsets]
        # where the prior's languages sit on average: unseen languages move from there
        self.offset_base_ = np.mean(known, axis=0) if known else None
        self.means_: dict[str, np.ndarray] = {}
        self.counts_: dict[str, int] = {}
        for lang, idx in groups.items():
            self.counts_[lang] = len(idx)
            anchor = self.anchor(lang)
            if use:
                n_prior = self.prior_counts.get(lang, self.shrink) if lang in self.prior else self.shrink
                self.means_[lang] = ((sums[lang] + n_prior * anchor)
                                     / (weights[idx].sum() + n_prior))
            else:
                self.means_[lang] = anchor

    def density_weights(self, centred: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """1 / (number of same-language articles, itself included, within
        ``density_cosine`` of each article in the centred space); exact up to
        ``DENSITY_EXACT`` articles of a language, estimated from a fixed sample above."""
        lang_arr = np.asarray(langs)
        out = np.ones(len(centred))
        rng = np.random.default_rng(self.seed)
        for lang in sorted(set(langs)):
            idx = np.flatnonzero(lang_arr == lang)
            ref = idx if len(idx) <= DENSITY_EXACT else np.sort(
                rng.choice(idx, DENSITY_EXACT, replace=False))
            scale = len(idx) / len(ref)
            rows = centred[ref].astype(np.float32)
            counts = np.empty(len(idx))
            step = max(1, min(4096, DENSITY_BLOCK_ELEMENTS // len(ref)))
            for s in range(0, len(idx), step):
                blk = centred[idx[s:s + step]].astype(np.float32) @ rows.T
                counts[s:s + step] = (blk >= self.density_cosine).sum(axis=1) * scale
            out[idx] = 1.0 / np.maximum(counts, 1.0)
        return out

    def anchor(self, lang: str) -> np.ndarray:
        """The mean a language is pulled toward: the prior's, else the global one moved
        along the language's measured direction (relative to the prior's languages)."""
        if lang in self.prior:
            return self.prior[lang]
        base = self.offset_base_
        if lang in self.offsets and base is not None and len(base) == len(self.global_mean_):
            return self.global_mean_ + self.offsets[lang] - base
        return self.global_mean_

    def mean_for(self, lang: str) -> np.ndarray:
        return self.means_[lang] if lang in self.means_ else self.anchor(lang)

    def means_dict(self) -> dict[str, list[float]]:
        """The fitted means (and the global one), as plain lists for a model file."""
        out = {lang: m.astype(float).round(6).tolist() for lang, m in self.means_.items()}
        out[GLOBAL] = self.global_mean_.astype(float).round(6).tolist()
        return out

    def residuals(self, vectors: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """Unit vectors minus their language's mean (not renormalised)."""
        x = normalise_rows(vectors)
        means = np.stack([self.mean_for(lang) for lang in langs]) if len(x) else x
        return x - means

    def transform(self, vectors: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """Unit residuals, float32; computed a block of one language at a time (the same
        values as ``normalise_rows(residuals(...))``, without its float64 copies)."""
        vectors = np.asarray(vectors)
        if len(vectors) != len(langs):
            raise ValueError(f"{len(vectors)} vectors but {len(langs)} languages")
        out = np.empty(np.shape(vectors), np.float32)
        for lang, idx in language_groups(langs).items():
            mean = self.mean_for(lang)
            for s in range(0, len(idx), BLOCK):
                blk = idx[s:s + BLOCK]
                out[blk] = normalise_rows(normalise_rows(vectors[blk]) - mean)
        return out

    def fit_transform(self, vectors: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        return self.fit(vectors, langs).transform(vectors, langs)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
