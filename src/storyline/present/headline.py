"""Headline: a story's headline (overall and per language) from its most central article."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storyline.types import Article


def central_index(vectors: np.ndarray) -> int:
    """Row closest to the centroid: the article most typical of the group."""
    return int(np.argmax(vectors @ vectors.mean(axis=0)))


def headlines(articles: Sequence[Article], vectors: np.ndarray) -> tuple[str, dict[str, str]]:
    """The story headline, and per language the title of its article closest to the story.

    Measuring against the whole story's centroid (not the language's own) picks, in a
    language with two articles, the one that reports the shared event.
    """
    closeness = vectors @ vectors.mean(axis=0)
    main = articles[int(np.argmax(closeness))].title
    per_lang: dict[str, str] = {}
    for lang in sorted({a.lang for a in articles}):
        rows = [i for i, a in enumerate(articles) if a.lang == lang]
        per_lang[lang] = articles[max(rows, key=lambda i: closeness[i])].title
    return main, per_lang
