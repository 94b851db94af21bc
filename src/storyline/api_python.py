"""The Python API: ``Storyline`` is a thin facade over the pipeline and the store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from storyline.compare import PairScore
from storyline.embed import Embedder, get_embedder
from storyline.engines import get_engine
from storyline.pipeline import IngestReport, Pipeline, Progress
from storyline.store import Store, open_store
from storyline.types import Article, Story

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
    ) -> None:
        """``db``: an SQLite file path or a ``postgresql://`` URL (default: ``$STORYLINE_DB``,
        else ``storyline.db``). ``workers``: read, clean and embed on a local Dask cluster of
        that many processes; ``scheduler``: on an existing Dask cluster (its address)."""
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
        self.engine = get_engine(workers, scheduler)
        self.pipeline = Pipeline(self.store, factory, engine=self.engine)
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
        views = article_views([(x.title, x.text, x.lang) for x in items],
                              self.pipeline.embedder)
        return score_pairs(views, [(0, 1)], SameStoryScorer.load())[0]

    def close(self) -> None:
        self.engine.close()
        self.store.close()

    def __enter__(self) -> Storyline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
