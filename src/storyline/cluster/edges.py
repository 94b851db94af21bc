"""Edge weights for clustering: the same-story scorer's probability for candidate pairs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyline.scorer import ArticleView, PairFeatures, SameStoryScorer


class StoryEdges:
    """``edges(i, j)`` -> P(same story) for row-index arrays, over one corpus's views.

    Fitting the corpus (language centring, term IDF) happens once here; each call only
    assembles pair features and applies the model, so it runs on millions of pairs.
    """

    def __init__(self, views: Sequence[ArticleView], scorer: SameStoryScorer | None = None,
                 dim: int | None = None) -> None:
        self.scorer = scorer or SameStoryScorer.load()
        self.features = PairFeatures(views, getattr(self.scorer, "priors_", None),
                                     getattr(self.scorer, "doc_freq_", None), dim=dim)

    @property
    def vectors(self) -> np.ndarray:
        """Language-centred full-text vectors: where candidate neighbours are searched."""
        return self.features.centred["full"]

    def __call__(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self.scorer.probability(self.features.pairs(i, j))


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
