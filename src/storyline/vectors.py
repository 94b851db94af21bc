"""The corpus's article vectors in memory, centred per language, for search and the views.

Loaded once from the store (one query) and reused while the store is unchanged: semantic
search, related stories and the summary's centring all read it. Centring is the
clustering's (``cluster.edges.StoryEdges``): each language's mean, estimated on the corpus
and anchored on the scorer's training corpus, is removed, so that a query in one language
finds articles in every language instead of those in its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storyline.scorer import SameStoryScorer
from storyline.similarity import LanguageCentering
from storyline.store import Store


@dataclass
class CorpusVectors:
    """Article ids, their centred unit vectors (rows) and the filter columns."""

    ids: list[str]
    vectors: np.ndarray  # (n, dim) float32, centred per language, unit rows
    langs: np.ndarray
    sources: np.ndarray
    dates: np.ndarray  # ISO day or "" when unknown
    originals: np.ndarray  # bool: not a near-duplicate
    centring: LanguageCentering
    stamp: tuple[int, int]

    @classmethod
    def load(cls, store: Store, model: str) -> CorpusVectors:
        ids, raw = store.all_embeddings(model)
        facets = {aid: (lang, src, date, dup) for aid, lang, src, date, dup in
                  store.article_facets()}
        keep = [k for k, aid in enumerate(ids) if aid in facets]
        ids = [ids[k] for k in keep]
        raw = raw[keep] if len(keep) else raw[:0]
        langs = [facets[a][0] for a in ids]
        centring = LanguageCentering(prior=SameStoryScorer.load().priors_.get("full"))
        vectors = centring.fit_transform(raw, langs) if len(ids) else raw
        return cls(ids=ids, vectors=np.ascontiguousarray(vectors, dtype=np.float32),
                   langs=np.asarray(langs, dtype=object),
                   sources=np.asarray([facets[a][1] or "" for a in ids], dtype=object),
                   dates=np.asarray([(facets[a][2] or "")[:10] for a in ids], dtype=object),
                   originals=np.asarray([facets[a][3] is None for a in ids], dtype=bool),
                   centring=centring, stamp=cls.stamp_of(store, model))

    @staticmethod
    def stamp_of(store: Store, model: str) -> tuple[int, int]:
        """Changes whenever articles or vectors are added or removed."""
        return (store.count_articles(), store.count_embeddings(model))

    def mask(self, lang: str | None = None, source: str | None = None,
             date_from: str | None = None, date_to: str | None = None) -> np.ndarray:
        """Rows passing the filters (an article without a date passes no date filter)."""
        m = np.ones(len(self.ids), dtype=bool)
        if lang is not None:
            m &= self.langs == lang
        if source is not None:
            m &= self.sources == source
        if date_from is not None:
            m &= (self.dates != "") & (self.dates >= date_from[:10])
        if date_to is not None:
            m &= (self.dates != "") & (self.dates <= date_to[:10])
        return m
