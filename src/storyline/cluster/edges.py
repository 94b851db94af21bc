"""Edge weights for clustering: the same-story scorer's probability for candidate pairs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np

from storyline.scorer import ArticleView, PairFeatures, SameStoryScorer
from storyline.similarity import LanguageCentering


class StoryEdges:
    """``edges(i, j)`` -> P(same story) for row-index arrays, over one corpus's views.

    The centred full-text vectors (all that cosine edges and the neighbour search need) are
    computed here; the scorer's corpus fit (three views, term IDF, which needs the views'
    signals) only on the first call, so cosine-edge clustering never pays for it. ``views``
    may be a function returning them, called on that first call only, with the full-view
    vectors and languages given as ``full`` and ``langs``: then the scorer's extra views need
    not even exist (be embedded) unless an edge is scored.
    """

    def __init__(self, views: Sequence[ArticleView] | Callable[[], Sequence[ArticleView]],
                 scorer: SameStoryScorer | None = None, dim: int | None = None, *,
                 full: np.ndarray | None = None, langs: Sequence[str] | None = None) -> None:
        self.scorer = scorer or SameStoryScorer.load()
        self._views = views
        self.dim = dim
        prior = self.scorer.priors_.get("full")
        self.centring = LanguageCentering(prior=prior, density=True)
        if full is None or langs is None:
            views = self.views
            langs = [v.lang for v in views]
            full = np.stack([v.full for v in views]) if views else None
        if full is None or not len(full):  # an empty corpus: the prior alone defines the means
            full = np.zeros((0, dim or (len(next(iter(prior.values()))) if prior else 1)),
                            np.float32)
        self.vectors = self.centring.fit_transform(full, list(langs))

    @cached_property
    def views(self) -> Sequence[ArticleView]:
        return self._views() if callable(self._views) else self._views

    @cached_property
    def features(self) -> PairFeatures:
        return self.scorer.pair_features(self.views, dim=self.dim)

    def __call__(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self.scorer.score(self.features, i, j)[2]


def day_numbers(dates: Sequence[str | None]) -> np.ndarray:
    """ISO dates to day numbers (NaN when unknown), for the clusterers' time decay."""
    out = np.full(len(dates), np.nan)
    for k, d in enumerate(dates):
        if d:
            try:
                out[k] = np.datetime64(d[:10], "D").astype(np.int64)
            except ValueError:
                pass
    return out
