"""Coverage: which languages and sources carried a story, and which did not.

"Did not carry" is judged among those *active in the same days*: a source that published
nothing around the story's dates says nothing by its silence, so it is listed apart
(``silent``) from the ones that were publishing and left the story out (``missing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from storyline.types import Article, Story

# A source counts as active for a story when it published within this many days of the
# story's first or last report (news cycles around an event last a few days).
ACTIVE_WINDOW_DAYS = 3


@dataclass(frozen=True)
class Facet:
    """What coverage needs of an article: who, in which language, when."""

    id: str
    lang: str
    source: str | None
    date: str | None


def _window(dates: Iterable[str | None], days: int) -> tuple[str, str] | None:
    ds = sorted(d[:10] for d in dates if d)
    if not ds:
        return None
    try:
        lo = date.fromisoformat(ds[0]) - timedelta(days=days)
        hi = date.fromisoformat(ds[-1]) + timedelta(days=days)
    except ValueError:
        return None
    return lo.isoformat(), hi.isoformat()


def _split(carried: set[str], everyone: set[str], active: set[str]) -> dict[str, list[str]]:
    return {"carried": sorted(carried), "missing": sorted((active & everyone) - carried),
            "silent": sorted(everyone - active - carried)}


def coverage(story_articles: Sequence[Article], corpus: Sequence[Facet],
             window_days: int = ACTIVE_WINDOW_DAYS) -> dict[str, Any]:
    """Languages and sources: ``carried``, ``missing`` (active in the story's days but
    without an article in it) and ``silent`` (nothing published in those days).

    A story without dates has no days to compare: every source counts as active.
    """
    window = _window((a.date for a in story_articles), window_days)
    if window is None:
        active = list(corpus)
    else:
        active = [f for f in corpus if f.date and window[0] <= f.date[:10] <= window[1]]
    langs = {a.lang for a in story_articles}
    sources = {a.source for a in story_articles if a.source}
    return {"window": list(window) if window else None,
            "languages": _split(langs, {f.lang for f in corpus}, {f.lang for f in active}),
            "sources": _split(sources, {f.source for f in corpus if f.source},
                              {f.source for f in active if f.source})}


def missed_by_source(stories: Sequence[Story], corpus: Sequence[Facet], top: int = 5,
                     window_days: int = ACTIVE_WINDOW_DAYS) -> dict[str, list[dict[str, Any]]]:
    """Corpus view: per source, the largest stories it did not carry while it was active in
    their days (largest first; at most ``top`` each)."""
    by_id: Mapping[str, Facet] = {f.id: f for f in corpus}
    out: dict[str, list[dict[str, Any]]] = {}
    dated = sorted((f for f in corpus if f.date and f.source), key=lambda f: f.date or "")
    for s in sorted(stories, key=lambda s: (-s.size, s.id)):
        members = [by_id[a] for a in s.article_ids if a in by_id]
        window = _window((f.date for f in members), window_days)
        carried = {f.source for f in members}
        if window is None:
            active = {f.source for f in corpus if f.source}
        else:
            active = {f.source for f in dated if window[0] <= (f.date or "")[:10] <= window[1]}
        for src in sorted(active - carried):
            if src is not None and len(out.setdefault(src, [])) < top:
                out[src].append({"id": s.id, "headline": s.headline, "size": s.size,
                                 "languages": list(s.languages)})
    return dict(sorted(out.items()))
