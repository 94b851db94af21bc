"""Presentation: a story's headline (overall and per language) from its most central article."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyline.types import Article


def central_index(vectors: np.ndarray) -> int:
    """Row closest to the normalised centroid: the article most typical of the group."""
    centroid = vectors.mean(axis=0)
    return int(np.argmax(vectors @ centroid))


def headlines(articles: Sequence[Article], vectors: np.ndarray) -> tuple[str, dict[str, str]]:
    """The story headline and one headline per language, each from a central article."""
    main = articles[central_index(vectors)].title
    per_lang: dict[str, str] = {}
    for lang in sorted({a.lang for a in articles}):
        rows = [i for i, a in enumerate(articles) if a.lang == lang]
        per_lang[lang] = articles[rows[central_index(vectors[rows])]].title
    return main, per_lang
