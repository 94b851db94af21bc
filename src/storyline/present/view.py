"""The story page as one JSON-serialisable dict: every view of ``present/`` over one story.

``StoryViews`` reads what it needs from the store (and, for the summary and related
stories, vectors through ``vectors.CorpusVectors``); the CLI and the web app only print it.
"""

from __future__ import annotations

from typing import Any

from storyline.present.coverage import Facet, coverage
from storyline.present.related import related
from storyline.present.summary import summarise
from storyline.present.terms import key_terms, shared_names
from storyline.present.timeline import timeline
from storyline.store import Store
from storyline.types import Article, Story


def article_summary(a: Article) -> dict[str, Any]:
    """An article as a story page lists it (no text)."""
    return {"id": a.id, "title": a.title, "lang": a.lang, "source": a.source, "url": a.url,
            "origin": a.origin, "date": a.date, "duplicate_of": a.duplicate_of}


def corpus_facets(store: Store) -> list[Facet]:
    return [Facet(aid, lang, source, date) for aid, lang, source, date, _ in
            store.article_facets()]


def base_view(store: Store, story: Story) -> dict[str, Any]:
    """The views that need no model: articles, timeline, key terms, coverage."""
    articles = sorted(store.articles(story.article_ids),
                      key=lambda a: (a.lang, a.date or "", a.origin))
    originals = [a for a in articles if a.duplicate_of is None] or articles
    sizes = store.count_articles_by_lang()
    return {
        "id": story.id, "headline": story.headline, "headlines": dict(story.headlines),
        "languages": list(story.languages), "sources": list(story.sources),
        "size": story.size, "first_date": story.first_date, "last_date": story.last_date,
        "articles": [article_summary(a) for a in articles],
        "timeline": timeline(articles),
        "key_terms": {"by_lang": key_terms(originals, store.document_frequencies, sizes),
                      "shared_names": shared_names(originals, store.document_frequencies,
                                                   sizes)},
        "coverage": coverage(articles, corpus_facets(store)),
    }


def story_view(store: Store, story: Story, searcher: Any = None) -> dict[str, Any]:
    """The full story page (``Storyline.story_view``): ``base_view`` plus the views that
    read vectors (grounded summary, related stories), when a searcher (corpus vectors and
    the embedder) is given."""
    view = base_view(store, story)
    if searcher is None:
        return view
    corpus = searcher.corpus()
    row = {aid: k for k, aid in enumerate(corpus.ids)}
    originals = [a for a in store.articles(story.article_ids)
                 if a.duplicate_of is None and a.id in row]
    vectors = corpus.vectors[[row[a.id] for a in originals]] if originals else None
    if vectors is not None:
        summary, by_lang = summarise(store, searcher.embedder, originals, vectors,
                                     corpus.centring)
        view["summary"], view["summary_by_lang"] = summary, by_lang
    view["related"] = related(story.id, corpus, store.memberships(), store.story_headlines())
    return view
