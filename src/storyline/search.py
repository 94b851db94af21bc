"""Search stage: keyword (full-text index), semantic (query vector against every article,
any language) and both fused by reciprocal-rank fusion; results grouped by story.

* keyword: ``store.search_text`` (SQLite FTS5 over the folded search form, bm25);
* semantic: the query embedded with the model's query prefix, centred like the articles
  (its language's mean removed; ``vectors.CorpusVectors``), cosine to every article;
* fused: RRF, score = sum over the two rankings of ``weight / (RRF_K + rank)``, which needs
  no calibration between bm25 and cosine scales (Cormack et al., 2009). Keyword matches
  across languages are mostly shared names and numbers, and within a language they also
  hit same-kind stories (another earthquake), so the keyword ranking weighs 0.2 and only
  its first ranks count much (``RRF_K`` 10, not the usual 60): it lifts exact matches
  within the semantic top ranks without reordering them. Chosen on the tuning half of
  benchmarks/search_queries.json (cross-lingual and all-language relevance), where equal
  weights at k=60 lost to semantic alone (cross-lingual recall@10 0.916 vs 0.960); the
  held-out half is reported in BENCHMARKS.md.

Filters (language, source, date range) apply to both before ranking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from storyline.embed import Embedder
from storyline.errors import ConfigError
from storyline.language import LanguageDetector
from storyline.store import Store, fts
from storyline.vectors import CorpusVectors

MODES = ("fused", "keyword", "semantic")
RRF_K = 10
RRF_WEIGHTS = (1.0, 0.2)  # semantic, keyword
# Articles each ranking contributes before fusion and grouping.
POOL = 200
ARTICLES_PER_STORY = 5
SNIPPET_CHARS = 160
# Query vectors kept (a query refined with filters or paged is not embedded again).
QUERY_CACHE = 256

Ranking = list[tuple[str, float]]


def rrf(rankings: list[Ranking], weights: list[float] | None = None, k: int = RRF_K) -> Ranking:
    """Reciprocal-rank fusion of best-first rankings: [(id, fused score)] best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, (item, _) in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))


class Searcher:
    """Answers queries over one store; keeps the corpus vectors while the store is unchanged."""

    def __init__(self, store: Store, embedder: Callable[[], Embedder],
                 detector: LanguageDetector | None = None) -> None:
        self.store = store
        self._embedder = embedder
        self._detector = detector
        self._corpus: CorpusVectors | None = None
        self._marker: tuple[int, int] | None = None
        self._queries: dict[str, np.ndarray] = {}

    @property
    def embedder(self) -> Embedder:
        return self._embedder()

    def corpus(self) -> CorpusVectors:
        """The corpus vectors, reloaded only when articles or vectors were added/removed."""
        marker = self.store.change_marker()
        if self._corpus is not None and marker == self._marker:
            return self._corpus  # nothing written since the last look: no count queries
        model = self.embedder.name
        if self._corpus is None or self._corpus.stamp != CorpusVectors.stamp_of(self.store, model):
            self._corpus = CorpusVectors.load(self.store, model)
        self._marker = marker
        return self._corpus

    # -- the two rankings ---------------------------------------------------------------------
    def keyword(self, query: str, limit: int = POOL, **filters: str | None) -> Ranking:
        return self.store.search_text(query, limit=limit, **filters)

    def query_vector(self, query: str) -> np.ndarray:
        """The query embedded (query prefix when the model has one), centred on its language."""
        corpus = self.corpus()
        key = query.strip()
        if key in self._queries and self._queries[key].shape[-1] == corpus.vectors.shape[-1]:
            raw = self._queries[key]
        else:
            raw = self._embed_query(key)
            if len(self._queries) >= QUERY_CACHE:
                self._queries.pop(next(iter(self._queries)))
            self._queries[key] = raw
        if self._detector is None:
            self._detector = LanguageDetector()
        lang = self._detector.detect(query)
        return corpus.centring.transform(raw[None, :], [lang])[0]

    def _embed_query(self, query: str) -> np.ndarray:
        emb = self.embedder
        embed_query = getattr(emb, "embed_query", None)
        vec = embed_query(query) if embed_query else emb.embed([query])[0]
        return np.asarray(vec, dtype=np.float32)

    def semantic(self, query: str, limit: int = POOL, **filters: str | None) -> Ranking:
        corpus = self.corpus()
        if not corpus.ids:
            return []
        q = self.query_vector(query)
        if any(v is not None for v in filters.values()):
            rows = np.flatnonzero(corpus.mask(**filters))
            sims = corpus.vectors[rows] @ q
        else:  # no filter: no copy of the matrix
            rows = None
            sims = corpus.vectors @ q
        if not len(sims):
            return []
        top = np.argpartition(-sims, limit - 1)[:limit] if len(sims) > limit else np.arange(len(sims))
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(corpus.ids[int(t) if rows is None else int(rows[t])], float(sims[t])) for t in top]

    def rank(self, query: str, mode: str = "fused", limit: int = POOL,
             **filters: str | None) -> Ranking:
        """Best-first article ranking of one mode."""
        if mode not in MODES:
            raise ConfigError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        if not query.strip():
            return []
        if mode == "keyword":
            return self.keyword(query, limit, **filters)
        if mode == "semantic":
            return self.semantic(query, limit, **filters)
        return rrf([self.semantic(query, limit, **filters),
                    self.keyword(query, limit, **filters)], list(RRF_WEIGHTS), RRF_K)[:limit]

    # -- grouped results ----------------------------------------------------------------------
    def search(self, query: str, *, lang: str | None = None, source: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int = 20,
               mode: str = "fused") -> list[dict[str, Any]]:
        """Stories matching ``query``, best first (at most ``limit``), each with its matching
        articles: [{story_id, headline, score, articles: [{id, title, lang, source, score,
        snippet}]}]. A story's score is its best article's."""
        ranking = self.rank(query, mode, POOL, lang=lang, source=source, date_from=date_from,
                            date_to=date_to)
        member = self.store.stories_of([aid for aid, _ in ranking])
        groups: dict[str, list[tuple[str, float]]] = {}
        for aid, score in ranking:
            sid = member.get(aid, f"article:{aid}")
            if sid in groups or len(groups) < limit:
                groups.setdefault(sid, []).append((aid, score))
        heads = self.store.story_headlines(list(groups))
        shown = {aid for items in groups.values() for aid, _ in items[:ARTICLES_PER_STORY]}
        arts = {a.id: a for a in self.store.articles(shown)}
        terms = fts.query_terms(query)
        out = []
        for sid, items in groups.items():
            first = arts[items[0][0]]
            out.append({
                "story_id": None if sid.startswith("article:") else sid,
                "headline": heads.get(sid, first.title), "score": round(items[0][1], 6),
                "articles": [{"id": aid, "title": arts[aid].title, "lang": arts[aid].lang,
                              "source": arts[aid].source, "date": arts[aid].date,
                              "score": round(score, 6),
                              "snippet": fts.snippet(arts[aid].text, terms, SNIPPET_CHARS)}
                             for aid, score in items[:ARTICLES_PER_STORY]]})
        return out
