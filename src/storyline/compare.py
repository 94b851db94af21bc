"""Score two articles against each other (``storyline similarity A B``, ``Storyline.similarity``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from storyline.embed import Embedder
from storyline.scorer import VIEWS, ArticleView, SameStoryScorer


@dataclass(frozen=True)
class PairScore:
    similarity: float  # SemEval scale: 1 = same story ... 4 = unrelated
    probability: float  # calibrated P(same story)
    features: dict[str, float]

    @property
    def same_story(self) -> bool:
        return self.probability > 0.5


def article_views(items: list[tuple[str, str, str]], embedder: Embedder,
                  views: Sequence[str] = VIEWS) -> list[ArticleView]:
    """(title, text, lang) triples to scorer views, embedding ``views`` of each (a scorer's
    ``views``: only what it reads)."""
    from storyline.training import article_views as views_of

    return views_of([t for t, _, _ in items], [x for _, x, _ in items],
                    [lang for _, _, lang in items], embedder, views=views)


def score_pairs(views: list[ArticleView], pairs: list[tuple[int, int]],
                scorer: SameStoryScorer) -> list[PairScore]:
    """Score index pairs of ``views`` against the background of the scorer's training corpus.

    The views are only the articles being compared, so their languages' means come from the
    scorer's priors (and measured language offsets), never from the articles themselves.
    """
    pf = scorer.pair_features(views, use_corpus=False)
    i = np.array([p[0] for p in pairs])
    j = np.array([p[1] for p in pairs])
    x, sims, probs = scorer.score(pf, i, j)
    return [PairScore(float(s), float(p), dict(zip(scorer.features, map(float, row))))
            for s, p, row in zip(sims, probs, x)]
