"""The Python API: ``Storyline`` is a thin facade over the pipeline and the store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from storyline import ingest
from storyline.compare import PairScore
from storyline.embed import Embedder, get_embedder
from storyline.engines import get_engine
from storyline.pipeline import IngestReport, Pipeline, Progress
from storyline.store import Store, open_store
from storyline.types import Article, Notice, RawDocument, Rejection, Story

DB_ENV = "STORYLINE_DB"
DEFAULT_DB = "storyline.db"


class Storyline:
    """One news database: add files, cluster them into stories, read stories back."""

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        embedder: Embedder | Callable[[], Embedder] | str = "e5-small",
        create: bool = True,
        workers: int | None = None,
        scheduler: str | None = None,
        engine: str | None = None,
    ) -> None:
        """``db``: an SQLite file path or a ``postgresql://`` URL (default: ``$STORYLINE_DB``,
        else ``storyline.db``). ``workers``: processes for the per-document stages (default
        one per spare core); ``engine="dask"`` runs them on a Dask cluster instead: the one at
        ``scheduler`` (implies dask), else a local one of ``workers`` processes."""
        if db is None:
            db = os.environ.get(DB_ENV) or DEFAULT_DB
        self.store: Store = open_store(db, create=create)
        if isinstance(embedder, str):
            factory: Callable[[], Embedder] = partial(get_embedder, embedder)  # picklable
        elif isinstance(embedder, Embedder):
            instance = embedder
            factory = lambda: instance  # noqa: E731
        else:
            factory = embedder
        self.engine = get_engine(engine, workers, scheduler)
        self.pipeline = Pipeline(self.store, factory, engine=self.engine,
                                 workers=None if self.engine else workers)
        self._searcher: Any = None

    def add_paths(self, paths: Iterable[str | os.PathLike[str]],
                  progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders (recursively): clean, detect language, dedup, store."""
        return self.pipeline.ingest(paths, progress)

    def add_articles(self, paths: Iterable[str | os.PathLike[str]]
                     ) -> tuple[IngestReport, list[tuple[str, str]]]:
        """Streaming: ingest, then place each new article in a story at once.

        Returns the ingest report and (origin, story id) for every placed article. Story ids
        are stable; call ``merge_stories`` now and then to join stories that grew together.
        """
        report = self.pipeline.ingest(paths)
        return report, self.pipeline.place_new(report)

    # -- input held in memory (the HTTP API): nothing is read from or written to files ------
    def add_records(self, records: Iterable[Mapping[str, Any]], prefix: str = "api"
                    ) -> dict[str, Any]:
        """Streaming, from memory: store records (title, text, url, date, source, lang) and
        place each new one in a story at once (then a merge pass). Returns ``placement``."""
        return self._add_documents(ingest.read_records(records, prefix=prefix))

    def add_page(self, page: str, fmt: str = "text", *, prefix: str = "api",
                 source: str | None = None, url: str | None = None) -> dict[str, Any]:
        """Streaming, from memory: a raw page ("text" dump or "html"), cleaned like a file."""
        return self._add_documents(ingest.read_text(page, fmt, prefix=prefix, source=source,
                                                    url=url))

    def _add_documents(self, docs: Iterable[RawDocument | Rejection | Notice]) -> dict[str, Any]:
        """Ingest, place, then one merge pass (as ``watch --once``): an article that opened a
        story of its own joins the story it belongs to once the pass sees it."""
        report = self.pipeline.ingest_documents(docs)
        placed = self.pipeline.place_new(report)
        merged = self.pipeline.merge_stories() if placed else {}

        def final(sid: str) -> str:
            while sid in merged:
                sid = merged[sid]
            return sid

        return placement(report, [(o, final(sid)) for o, sid in placed], self.store)

    def similarity_of_texts(self, a: str | Mapping[str, Any], b: str | Mapping[str, Any],
                            fmt: str = "text") -> PairScore:
        """``similarity`` for two articles held in memory: each a raw page (``fmt`` "text" or
        "html", cleaned like a file) or a record (title, text, lang)."""
        from storyline.compare import article_views, score_pairs
        from storyline.scorer import SameStoryScorer

        items = [self.pipeline.first_article(
            ingest.read_records([x]) if isinstance(x, Mapping) else ingest.read_text(x, fmt),
            name) for x, name in ((a, "article a"), (b, "article b"))]
        views = article_views([(x.title, x.text, x.lang) for x in items],
                              self.pipeline.embedder)
        return score_pairs(views, [(0, 1)], SameStoryScorer.load())[0]

    def story_list(self, *, lang: str | None = None, source: str | None = None,
                   date_from: str | None = None, date_to: str | None = None,
                   min_size: int | None = None, max_size: int | None = None
                   ) -> list[dict[str, Any]]:
        """Stories (largest first) as JSON-ready dicts with their articles per day, filtered:
        carried in ``lang`` / by ``source``; dated within [date_from, date_to] in part;
        ``min_size`` <= articles <= ``max_size``."""
        days = self.store.story_days()
        out = []
        for s in self.stories():
            if lang and lang not in s.languages or source and source not in s.sources:
                continue
            if min_size is not None and s.size < min_size or \
                    max_size is not None and s.size > max_size:
                continue
            if date_from and (s.last_date or "") < date_from or \
                    date_to and (s.first_date or "9999") > date_to:
                continue
            out.append({"id": s.id, "headline": s.headline, "headlines": s.headlines,
                        "languages": list(s.languages), "sources": list(s.sources),
                        "size": s.size, "first_date": s.first_date, "last_date": s.last_date,
                        "days": [{"day": d, "count": n}
                                 for d, n in sorted(days.get(s.id, {}).items())]})
        return out

    def merge_stories(self) -> dict[str, str]:
        """Merge stories that have grown together; returns {absorbed id: surviving id}."""
        return self.pipeline.merge_stories()

    def cluster(self, progress: Progress | None = None) -> list[Story]:
        """Embed what is new, then re-cluster all articles into stories (ids stay stable)."""
        return self.pipeline.cluster(progress)

    def stories(self) -> list[Story]:
        return self.store.stories()

    def story(self, story_id: str) -> Story:
        return self.store.story(story_id)

    def articles(self, story_id: str | None = None) -> list[Article]:
        if story_id is None:
            return self.store.articles()
        return self.store.articles(self.story(story_id).article_ids)

    # -- what a story says, and search (storyline/present/, storyline/search.py) -------------
    @property
    def searcher(self) -> Any:
        if self._searcher is None:
            from storyline.search import Searcher

            self._searcher = Searcher(self.store, lambda: self.pipeline.embedder)
        return self._searcher

    def story_view(self, story_id: str) -> dict[str, Any]:
        """Everything a story page shows, as JSON-ready data: headline(s), articles,
        timeline, key terms and shared names, coverage, grounded summary (overall and per
        language, each sentence with its article id) and related stories."""
        from storyline.present.view import story_view

        return story_view(self.store, self.story(story_id), self.searcher)

    def search(self, query: str, *, lang: str | None = None, source: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int = 20,
               mode: str = "fused") -> list[dict[str, Any]]:
        """Stories matching ``query`` in any language (``mode``: fused, keyword or
        semantic), best first, each with its matching articles and snippets."""
        return self.searcher.search(query, lang=lang, source=source, date_from=date_from,
                                    date_to=date_to, limit=limit, mode=mode)

    def article(self, article_id: str) -> dict[str, Any]:
        """One stored article with its text and the id of its story (None if unclustered)."""
        a = self.store.article(article_id)
        data = asdict(a)
        data.pop("content_hash")
        data["story_id"] = self.store.story_of(article_id)
        return data

    def export(self, out_dir: str | os.PathLike[str], fmt: str = "jsonl") -> dict[str, Any]:
        """Write stories and articles (with story ids) as JSON Lines, CSV or Parquet."""
        from storyline.export import export

        return export(self.store, out_dir, fmt)

    def coverage_gaps(self, top: int = 5) -> dict[str, list[dict[str, Any]]]:
        """Per source, the largest stories it did not carry while publishing in their days."""
        from storyline.present.coverage import missed_by_source
        from storyline.present.view import corpus_facets

        return missed_by_source(self.stories(), corpus_facets(self.store), top=top)

    def similarity(self, a: str | os.PathLike[str], b: str | os.PathLike[str]) -> PairScore:
        """How alike two article files are: SemEval-scale similarity and P(same story).

        Each file is cleaned and language-tagged like an ingested one (its first article is
        used); nothing is stored.
        """
        from storyline.compare import article_views, score_pairs
        from storyline.scorer import SameStoryScorer

        items = [self.pipeline.read_article(Path(p)) for p in (a, b)]
        scorer = SameStoryScorer.load()
        views = article_views([(x.title, x.text, x.lang) for x in items],
                              self.pipeline.embedder, scorer.views)
        return score_pairs(views, [(0, 1)], scorer)[0]

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
        self.store.close()

    def __enter__(self) -> Storyline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def placement(report: IngestReport, placed: list[tuple[str, str]], store: Store
              ) -> dict[str, Any]:
    """Where each input of a streaming add ended: counts, and per input its outcome
    (stored / near_duplicate / duplicate / unchanged / rejected), article and story."""
    story_of = dict(placed)
    members = store.memberships()
    heads = {s.id: s.headline for s in store.stories()}
    items: list[dict[str, Any]] = []

    def item(origin: str, status: str, article_id: str | None, reason: str | None = None
             ) -> None:
        sid = story_of.get(origin) or (members.get(article_id) if article_id else None)
        items.append({"origin": origin, "status": status, "article_id": article_id,
                      "story_id": sid, "headline": heads.get(sid) if sid else None,
                      "reason": reason})

    for origin in report.stored:
        found = store.article_by_origin(origin)
        item(origin, "stored", found.id if found else None)
    for origin, _ in report.near_duplicates:
        found = store.article_by_origin(origin)
        item(origin, "near_duplicate", found.id if found else None)
    for origin, original in report.duplicates:
        item(origin, "duplicate", original)
    for origin in report.unchanged:
        found = store.article_by_origin(origin)
        item(origin, "unchanged", found.id if found else None)
    for rej in report.rejected:
        item(rej.origin, "rejected", None, rej.reason)
    return {"counts": report.counts(), "items": items,
            "warnings": [{"origin": n.origin, "message": n.message} for n in report.notices]}
