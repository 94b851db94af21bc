"""Edge weights for clustering: the same-story scorer's probability for candidate pairs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from storyline.scorer import ArticleView, PairFeatures, SameStoryScorer
from storyline.similarity import LanguageCentering


class StoryEdges:
    """``edges(i, j)`` -> P(same story) for row-index arrays, over one corpus's views.

    The centred full-text vectors (all that cosine edges and the neighbour search need) are
    computed here; the scorer's corpus fit (three views, term IDF, which needs the views'
    signals) only on the first call, so cosine-edge clustering never pays for it.
    """

    def __init__(self, views: Sequence[ArticleView], scorer: SameStoryScorer | None = None,
                 dim: int | None = None) -> None:
        self.scorer = scorer or SameStoryScorer.load()
        self.views = views
        self.dim = dim
        prior = self.scorer.priors_.get("full")
        self.centring = LanguageCentering(prior=prior, density=True)
        if views:
            x = np.stack([v.full for v in views])
        else:  # an empty corpus: the prior alone defines the means
            x = np.zeros((0, dim or (len(next(iter(prior.values()))) if prior else 1)),
                         np.float32)
        self.vectors = self.centring.fit_transform(x, [v.lang for v in views])

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
