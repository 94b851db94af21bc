"""Stand-ins for ``Storyline.story_view``, ``search`` and ``article`` until the story-view
work (issue 13) lands in the library: built only from what the library stores today.

They return the contract's keys they can fill; the pages show whatever keys are present, so
the library's versions replace these without a change to the web app.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from typing import Any

import numpy as np

from storyline.api_python import Storyline
from storyline.embed import VIEWS
from storyline.types import Article

_SENTENCE = re.compile(r"(.+?[.!?。！？؟])(?:\s|$)", re.S)


def _article_row(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "lang": a.lang, "source": a.source, "url": a.url,
            "origin": a.origin, "date": a.date}


def _lead(text: str) -> str:
    """The first sentence of an article's body (extractive: verbatim from the text)."""
    first = text.strip().split("\n", 1)[0]
    m = _SENTENCE.match(first)
    return (m.group(1) if m else first)[:400]


def story_view(sl: Storyline, story_id: str) -> dict[str, Any]:
    s = sl.story(story_id)
    arts = sl.articles(story_id)
    days: dict[str, Counter[str]] = {}
    for a in arts:
        if a.date:
            days.setdefault(a.date, Counter())[a.lang] += 1
    timeline: dict[str, Any] = {"days": [{"day": d, "count": sum(c.values()), "by_lang": dict(c)}
                                         for d, c in sorted(days.items())]}
    if days:
        ordered = sorted(days)
        timeline.update(first=ordered[0], last=ordered[-1],
                        peak=max(ordered, key=lambda d: (sum(days[d].values()), d)))
        firsts: dict[str, dict[str, str]] = {}
        for a in sorted((a for a in arts if a.date), key=lambda a: (a.date or "", a.id)):
            firsts.setdefault(a.lang, {"day": a.date or "", "article_id": a.id})
        timeline["first_by_lang"] = firsts
    # One lead sentence per language, from the article whose title is that language's headline.
    summary = []
    for lang, head in sorted(s.headlines.items()):
        match = next((a for a in arts if a.lang == lang and a.title == head), None)
        if match is not None and match.duplicate_of is None:
            summary.append({"text": _lead(match.text), "article_id": match.id, "lang": lang})
    return {"id": s.id, "headline": s.headline, "headlines": s.headlines,
            "languages": list(s.languages), "sources": list(s.sources), "size": s.size,
            "first_date": s.first_date, "last_date": s.last_date,
            "articles": [_article_row(a) for a in arts], "summary": summary,
            "timeline": timeline}


def article(sl: Storyline, article_id: str) -> dict[str, Any]:
    a = sl.store.article(article_id)
    out = asdict(a)
    out.pop("content_hash", None)
    out["story_id"] = sl.store.memberships().get(a.id)
    return out


def search(sl: Storyline, query: str, *, lang: str | None = None, source: str | None = None,
           date_from: str | None = None, date_to: str | None = None, limit: int = 20,
           mode: str = "fused") -> list[dict[str, Any]]:
    """Semantic only: the query's e5 vector against each article's full-text vector."""
    arts = [a for a in sl.articles()
            if (not lang or a.lang == lang) and (not source or a.source == source)
            and (not date_from or (a.date or "") >= date_from)
            and (not date_to or (a.date or "9999") <= date_to)]
    if not arts:
        return []
    embedder = sl.pipeline.embedder
    vecs = sl.store.embeddings(sl.pipeline.view_model(VIEWS[0]), [a.id for a in arts])
    arts = [a for a in arts if a.id in vecs]
    if not arts:
        return []
    q = np.asarray(embedder.embed_query(query), dtype=np.float32)  # type: ignore[attr-defined]
    scores = np.stack([vecs[a.id] for a in arts]) @ q
    member = sl.store.memberships()
    heads = {s.id: s.headline for s in sl.stories()}
    grouped: dict[str, dict[str, Any]] = {}
    for k in np.argsort(-scores):
        a = arts[int(k)]
        sid = member.get(a.id)
        if sid is None:
            continue
        hit = grouped.setdefault(sid, {"story_id": sid, "headline": heads.get(sid, a.title),
                                       "score": float(scores[k]), "articles": []})
        hit["articles"].append({"id": a.id, "title": a.title, "lang": a.lang, "source": a.source,
                                "score": float(scores[k]), "snippet": _lead(a.text)})
    return list(grouped.values())[:limit]
