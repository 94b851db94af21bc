"""Runs the stages in order: ingest -> clean -> language -> dedup -> store -> embed -> cluster.

The pipeline only wires stages together; each stage's logic lives in its own module.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from storyline import ingest
from storyline.clean import DocumentCleaner
from storyline.cluster import assign_story_ids
from storyline.cluster.edges import StoryEdges, day_numbers
from storyline.cluster.graph import GraphClusterer
from storyline.cluster.ids import new_story_id
from storyline.cluster.merge import MERGE_RATIO
from storyline.cluster.stream import StreamClusterer
from storyline.dedup import NearDuplicateIndex
from storyline.embed import VIEWS, EmbedContext, Embedder, embed_texts, view_texts
from storyline.engines import Engine
from storyline.errors import ConfigError, InputError
from storyline.language import LanguageDetector
from storyline.prepare import (
    MIN_ARTICLE_CHARS,
    MIN_FILES_FOR_WORKERS,
    Prepared,
    Preparer,
    iso_date,
    prepare_task,
    prepared,
    source_of,
    tasks,
)
from storyline.present import headlines
from storyline.scorer import SCORE_SEGMENTS, SENTENCES, ArticleView, SameStoryScorer
from storyline.signals import TextSignals, segments
from storyline.store import Store
from storyline.types import Article, Notice, RawDocument, Rejection, Story

__all__ = ["MIN_ARTICLE_CHARS", "IngestReport", "Pipeline", "iso_date", "source_of"]

EMBED_BATCH = 16
# During ingest, new articles are embedded as soon as a batch's worth is stored (all that
# are stored by then, sorted by length and cut into EMBED_BATCH batches): the model starts
# at once instead of waiting for the whole input, and the workers prepare the next ones
# meanwhile. Stored articles without vectors are embedded by this many at a time.
EMBED_WINDOW = 64
# With an engine that embeds on its workers (Dask): batches per worker in one embedding call.
ENGINE_BATCHES_PER_WORKER = 4
# Clustering: two stories merge when the mean edge weight over all their article pairs
# reaches STORY_THRESHOLD, edges joining each article to its NEIGHBOURS nearest (others
# count 0). Chosen on ECB+ dev by benchmarks/choose_clustering.py: B-cubed F1 0.957 with
# centred-cosine edges (0.939-0.953 with the scorer's probability as the edge weight, which
# also splits the five seeds), stable for thresholds 0.20-0.35 at k = 10. A story can hold
# together at most about NEIGHBOURS / STORY_THRESHOLD (40) articles' worth of mutual
# neighbours; larger ones split into sub-stories.
STORY_THRESHOLD = 0.25
NEIGHBOURS = 10
EDGES = "cosine"  # or "scorer": the same-story probability as the edge weight
# Streaming places an article at once only when its mean edge weight to a story reaches
# PLACE_THRESHOLD; otherwise it opens a story that the next merge pass (at STORY_THRESHOLD)
# joins to its own. On ECB+ dev in file order + one merge pass: B-cubed F1 0.863 / 0.922 /
# 0.940 / 0.947 for 0.30 / 0.40 / 0.45 / 0.50, batch 0.957; 0.45 is the lowest bar within
# 0.02 of batch (benchmarks in BENCHMARKS.md).
PLACE_THRESHOLD = 0.45
# Streaming re-estimates the language means (and rebuilds its index) whenever a language's
# article count has doubled since the last estimate, from this count on.
REFIT_MIN = 2
# Clustering again when another process changed the articles meanwhile, at most this often.
CLUSTER_ATTEMPTS = 5

Progress = Callable[[str, int, int | None], None]  # (stage, done, total)


@dataclass
class IngestReport:
    """What happened to every input: nothing is silently lost."""

    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (origin, original id)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"stored": len(self.stored), "near_duplicates": len(self.near_duplicates),
                "duplicates": len(self.duplicates), "unchanged": len(self.unchanged),
                "rejected": len(self.rejected)}

    def rejection_reasons(self) -> dict[str, int]:
        reasons: dict[str, int] = {}
        for r in self.rejected:
            key = r.reason.split(";")[0].split(" (")[0]
            reasons[key] = reasons.get(key, 0) + 1
        return reasons


class Pipeline:
    """Holds one instance of each stage and the store they write to."""

    def __init__(
        self,
        store: Store,
        embedder_factory: Callable[[], Embedder],
        cleaner: DocumentCleaner | None = None,
        detector: LanguageDetector | None = None,
        clusterer: GraphClusterer | None = None,
        scorer: SameStoryScorer | None = None,
        edges: str = EDGES,
        engine: Engine | None = None,
        workers: int | None = None,
    ) -> None:
        if edges not in ("cosine", "scorer"):
            raise ConfigError(f"unknown edge weighting {edges!r}; use 'cosine' or 'scorer'")
        self.edges = edges
        self.store = store
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self.cleaner = cleaner or DocumentCleaner()
        self.detector = detector or LanguageDetector()
        self.preparer = Preparer(self.cleaner, self.detector)
        self.clusterer = clusterer or GraphClusterer(threshold=STORY_THRESHOLD, k=NEIGHBOURS,
                                                     merge_ratio=MERGE_RATIO)
        self.scorer = scorer or SameStoryScorer.load()
        # where the per-document stages run: ``workers`` local processes (prepare.py,
        # default one per spare core), or an ``engine`` such as Dask (engines/)
        self.engine = engine
        self.workers = workers
        self._embed_context = EmbedContext(embedder_factory)
        # the near-duplicate index lives in the store (its ``near_bands``): every process
        # sees the others' articles, and no run holds the index in memory
        self.near_index = NearDuplicateIndex(bands=store)
        self._stream: StreamClusterer | None = None

    @property
    def _engine_embeds(self) -> bool:
        """Whether embedding batches go to the engine's workers (Dask) instead of the model
        in this process."""
        return self.engine is not None and bool(getattr(self.engine, "embeds", False))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:  # loading the model is deferred until vectors are needed
            self._embedder = self._embedder_factory()
        return self._embedder

    # -- ingest ---------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | os.PathLike[str]],
               progress: Progress | None = None, workers: int | None = None,
               embed: bool = True) -> IngestReport:
        """Read, clean, tag, dedup and store every input; embed what it stores as it goes.

        Producer/consumer: ``prepare.prepared`` runs the per-document stages (in ``workers``
        processes; default one per spare core, none for small inputs) while this process,
        the only writer, dedups and stores them in input order and embeds the new articles
        (the views ``eager_views`` names) a batch or more at a time. With an ``engine``
        (``engines/``, e.g. Dask) the same ``prepare_task`` runs over the same ``tasks`` there
        instead, and the results come back in input order to this one writer. Progress:
        ``("ingest", files done, files)`` and ``("articles", articles stored, None)``.
        """
        report = IngestReport()
        items = list(ingest.iter_files(paths))
        fresh: list[Article] = []
        # articles per embedding call: one batch for the local model; with an engine that
        # embeds on its workers, enough batches to keep every worker busy (the call waits
        # for its vectors, so one batch at a time would use one worker at a time)
        embed_every = EMBED_BATCH
        if self._engine_embeds:
            embed_every = EMBED_BATCH * ENGINE_BATCHES_PER_WORKER * max(
                1, int(getattr(self.engine, "workers", 1)))
        if self.engine is not None:  # e.g. Dask: the same tasks, results in input order
            batches = self.engine.map(prepare_task, self.preparer, tasks(items))
        else:
            workers = self.workers if workers is None else workers
            if workers is None and not _worth_workers(items):
                workers = 0
            batches = prepared(items, self.preparer, workers)
        for batch in batches:
            for rec in batch.records:
                article = self._ingest_prepared(rec, report)
                if article is not None:
                    fresh.append(article)
            if embed and len(fresh) >= embed_every:
                self.embed_articles(fresh)
                fresh = []
            if progress:
                progress("articles", len(report.stored) + len(report.near_duplicates), None)
                progress("ingest", batch.files_done, len(items))
        if embed:
            self.embed_articles(fresh)
        return report

    def ingest_documents(self, docs: Iterable[RawDocument | Rejection | Notice]
                         ) -> IngestReport:
        """Ingest documents already read (e.g. posted to the HTTP API): no file is opened."""
        report = IngestReport()
        for rec in docs:
            self._ingest_one(rec, report)
        return report

    def _ingest_one(self, rec: RawDocument | Rejection | Notice, report: IngestReport) -> None:
        """Prepare and store one record in this process (streaming and tests)."""
        for item in self.preparer.documents([rec]):
            self._ingest_prepared(item, report)

    def _ingest_prepared(self, rec: Prepared, report: IngestReport) -> Article | None:
        """Record one prepared record; returns the article when it was newly stored."""
        item = rec.item
        if isinstance(item, Notice):
            report.notices.append(item)
            return None
        if isinstance(item, Rejection):
            self._reject(item, report)
            return None
        return self._store(item, report, rec.minhash)

    def read_article(self, path: Path) -> Article:
        """Clean and tag the first article of one file without storing it."""
        return self.first_article(ingest.read_file(path))

    def first_article(self, records: Iterable[RawDocument | Rejection | Notice],
                      name: str | None = None) -> Article:
        """Clean and tag the first article of read records (a file's, or a page in memory);
        errors name ``name``, else the record's origin."""
        for rec in records:
            if isinstance(rec, Rejection):
                raise InputError(f"{name or rec.origin}: {rec.reason}")
            if isinstance(rec, RawDocument):
                article = self._to_article(rec)
                if isinstance(article, Rejection):
                    raise InputError(f"{name or article.origin}: {article.reason}")
                return article
        raise InputError(f"{name or 'input'}: no article found")

    def _reject(self, rej: Rejection, report: IngestReport) -> None:
        self.store.add_rejection(rej.origin, rej.reason)
        report.rejected.append(rej)

    def _to_article(self, raw: RawDocument) -> Article | Rejection:
        return self.preparer.article(raw)

    def _store(self, article: Article, report: IngestReport,
               minhash: bytes | None = None) -> Article | None:
        """Store one article (or record it as a copy) in one transaction: a kill leaves it
        stored or not at all, and a second process writing the same database is seen.
        Returns the article when it was stored (it then needs vectors)."""
        with self.store.transaction():
            return self._store_in_transaction(article, report, minhash)

    def _store_in_transaction(self, article: Article, report: IngestReport,
                              minhash: bytes | None = None) -> Article | None:
        old = self.store.article_by_origin(article.origin)
        if old is not None:
            if old.content_hash == article.content_hash:
                report.unchanged.append(article.origin)
                return None
            self.store.remove_article(old.id)  # the file changed: replace its article
            self._stream = None  # a live stream index would still hold the old vector
        same = self.store.article_by_hash(article.content_hash)
        if same is not None:
            if not self.store.add_duplicate(article.origin, same.id):
                report.unchanged.append(article.origin)
            else:
                report.duplicates.append((article.origin, same.id))
            return None
        sig = (self.near_index.signature_from_bytes(minhash) if minhash is not None
               else self.near_index.signature(article.full_text))
        original = self.near_index.query(sig)  # the store's originals, whoever stored them
        if original is not None:
            article = Article(**{**article.__dict__, "duplicate_of": original})
            report.near_duplicates.append((article.origin, original))
        else:
            report.stored.append(article.origin)
        self.store.add_article(article, minhash if minhash is not None
                               else self.near_index.to_bytes(sig))
        if original is None:
            self.near_index.insert(article.id, sig)
        return article

    # -- embed ------------------------------------------------------------------------------
    def view_model(self, view: str) -> str:
        """Store key of a view's vectors: the model name, suffixed for the extra views."""
        return self.embedder.name if view == "full" else f"{self.embedder.name}:{view}"

    @property
    def eager_views(self) -> tuple[str, ...]:
        """Views embedded as articles arrive: those ``cluster`` reads. Cosine edges and
        search read only the full view; the title and lead views feed only the same-story
        scorer, and are embedded when something asks for them (``ensure_views``)."""
        if self.edges == "scorer":
            return ("full",) + tuple(v for v in self.scorer_views if v != "full")
        return ("full",)

    @property
    def scorer_views(self) -> tuple[str, ...]:
        """The views the same-story scorer reads (all of them unless it says otherwise)."""
        return tuple(getattr(self.scorer, "views", VIEWS))

    def embed_articles(self, articles: Sequence[Article],
                       views: Sequence[str] | None = None) -> int:
        """Embed and store ``views`` (default ``eager_views``) of ``articles``."""
        views = self.eager_views if views is None else tuple(views)
        return self._embed_jobs([(view, a) for view in views for a in articles])

    def _embed_jobs(self, jobs: Sequence[tuple[str, Article]]) -> int:
        """Embed (view, article) pairs in one schedule (``embed_texts``: sorted by length,
        identical texts once, across views too) and store each view's vectors."""
        if not jobs:
            return 0
        texts = [self._view_texts(view, a) for view, a in jobs]
        flat = [t for ts in texts for t in ts]
        if self._engine_embeds:
            # on the engine's workers (Dask), batches back in order: the same vectors
            flat = embed_texts(None, flat, EMBED_BATCH, self.engine, self._embed_context)
        else:
            flat = embed_texts(self.embedder, flat, EMBED_BATCH)
        bounds = np.cumsum([0] + [len(ts) for ts in texts])
        # a sentence view is stored as one (segments x dim) block per article
        vecs = [flat[bounds[k]:bounds[k + 1]].reshape(-1) if v == SENTENCES else flat[bounds[k]]
                for k, (v, _) in enumerate(jobs)]
        for view in dict.fromkeys(v for v, _ in jobs):
            self.store.add_embeddings(self.view_model(view), {
                a.id: vecs[k] for k, (v, a) in enumerate(jobs) if v == view})
        return len(jobs)

    def _view_texts(self, view: str, article: Article) -> list[str]:
        """The texts one view embeds for an article (one, or its sentence segments)."""
        if view == SENTENCES:
            return segments(article.text, SCORE_SEGMENTS) or [article.title or ""]
        return [view_texts(article.title, article.text)[view]]

    def ensure_views(self, articles: Sequence[Article], views: Sequence[str] = VIEWS) -> int:
        """Embed whichever of ``views`` of ``articles`` have no stored vector yet, all in one
        schedule (two articles under one headline: their title view is embedded once).
        Returns the number of vectors stored."""
        ids = [a.id for a in articles]
        jobs = []
        for view in views:
            have = self.store.embeddings(self.view_model(view), ids)
            jobs += [(view, a) for a in articles if a.id not in have]
        # articles loaded without their body (``Store.articles(text=False)``): read it now
        bodyless = [a.id for _, a in jobs if not a.text]
        if bodyless:
            full = {a.id: a for a in self.store.articles(dict.fromkeys(bodyless))}
            jobs = [(v, full.get(a.id, a) if not a.text else a) for v, a in jobs]
        return self._embed_jobs(jobs)

    def embed_pending(self, progress: Progress | None = None,
                      views: Sequence[str] | None = None) -> int:
        """Embed ``views`` (default ``eager_views``) of stored articles that lack vectors."""
        views = self.eager_views if views is None else tuple(views)
        todo = {view: self.store.missing_embeddings(self.view_model(view)) for view in views}
        total, done = sum(len(ids) for ids in todo.values()), 0
        for view, missing in todo.items():
            for start in range(0, len(missing), EMBED_WINDOW):
                batch = self.store.articles(missing[start:start + EMBED_WINDOW])
                self.embed_articles(batch, [view])
                done += len(batch)
                if progress:
                    progress("embed", done, total)
        return total

    def full_vectors(self, articles: Sequence[Article]) -> np.ndarray:
        """The stored full-view vectors of ``articles`` (embedding any that are missing)."""
        self.ensure_views(articles, ("full",))
        vecs = self.store.embeddings(self.view_model("full"), [a.id for a in articles])
        if not articles:
            return np.zeros((0, self.embedder.dim), np.float32)
        return np.stack([vecs[a.id] for a in articles])

    def article_views(self, articles: list[Article], signals: bool = True) -> list[ArticleView]:
        """Scorer views from the stored vectors (views not embedded yet are embedded now);
        ``signals=False`` skips names and numbers (only the scorer's features read them)."""
        views = ("full",) + tuple(v for v in self.scorer_views if v != "full")
        self.ensure_views(articles, views)
        ids = [a.id for a in articles]
        vecs = {view: self.store.embeddings(self.view_model(view), ids) for view in views}
        dim = self.embedder.dim
        none = TextSignals(frozenset(), frozenset())
        return [ArticleView(lang=a.lang, full=vecs["full"][a.id],
                            title=vecs["title"][a.id] if "title" in vecs else None,
                            lead=vecs["lead"][a.id] if "lead" in vecs else None,
                            signals=TextSignals.of(a.full_text) if signals else none,
                            sentences=vecs[SENTENCES][a.id].reshape(-1, dim)
                            if SENTENCES in vecs else None)
                for a in articles]

    def story_edges(self, articles: list[Article], signals: bool = True) -> StoryEdges:
        """Edges over ``articles``: centred full-view vectors now, the scorer's views (and
        their vectors, embedded on demand) only when an edge is first scored."""
        return StoryEdges(full=self.full_vectors(articles), langs=[a.lang for a in articles],
                          views=lambda: self.article_views(articles, signals=signals),
                          scorer=self.scorer, dim=self.embedder.dim)

    # -- stream -----------------------------------------------------------------------------
    def start_stream(self, pending: set[str] | frozenset[str] = frozenset()) -> None:
        """Build the streaming state from what the store holds (stories kept as they are).

        ``pending`` articles are left out: they are about to be placed one by one.
        """
        self.embed_pending()
        stored = self.store.articles()
        every = [a for a in stored if a.duplicate_of is None]
        self._copies: dict[str, list[str]] = {}  # original -> its near-duplicates
        for a in stored:
            if a.duplicate_of is not None:
                self._copies.setdefault(a.duplicate_of, []).append(a.id)
        articles = [a for a in every if a.id not in pending]
        member = self.store.memberships()
        # the language means are fitted on every stored article, those about to be placed
        # included (centring needs no labels), so placing them does not make the means stale
        # and the stream centres exactly like a batch run over the same articles; the
        # stream's edges are cosines: the views' name/number signals are not needed
        self._edges = self.story_edges(every, signals=False)
        keep = np.array([a.id not in pending for a in every], dtype=bool)
        story_ids = sorted({member[a.id] for a in articles if a.id in member})
        index = {sid: k for k, sid in enumerate(story_ids)}
        for a in articles:  # an article without a story (ingested, never clustered)
            if a.id not in member:
                index[f"new:{a.id}"] = len(index)
        labels = np.array([index[member.get(a.id, f"new:{a.id}")] for a in articles],
                          dtype=np.int64)
        self._stream = StreamClusterer.from_labels(
            self._edges.vectors[keep] if len(every) else self._edges.vectors, labels,
            dates=day_numbers([a.date for a in articles]),
            threshold=self.clusterer.threshold, k=self.clusterer.k,
            place_threshold=PLACE_THRESHOLD, merge_ratio=self.clusterer.merge_ratio)
        self._stream.touch_all()  # re-centred vectors: every story may now merge
        self._story_ids = {k: sid for sid, k in index.items()}
        self._stream_ids = [a.id for a in articles]  # stream article index -> article id
        self._fitted_counts = Counter(a.lang for a in every)
        for a, k in zip(articles, labels):
            if a.id not in member:
                self._story_ids[int(k)] = new_story_id([a.id])
                self.store.place(a.id, self._story_ids[int(k)], a.title)

    def place_new(self, report: IngestReport) -> list[tuple[str, str]]:
        """Streaming: place each article ``report`` stored; returns (origin, story id)."""
        self.embed_pending()
        new = [a for a in (self.store.article_by_origin(o) for o in
                           report.stored + [o for o, _ in report.near_duplicates])
               if a is not None]
        pending = {a.id for a in new if a.duplicate_of is None}
        stream = self._live_stream(pending)
        placed = []
        for a in new:
            if a.duplicate_of is not None:
                sid = self.store.memberships().get(a.duplicate_of) or new_story_id([a.id])
                self.store.place(a.id, sid, a.title)
                self._copies.setdefault(a.duplicate_of, []).append(a.id)
                placed.append((a.origin, sid))
                continue
            if self._stale(a.lang):
                self._stream = None  # language means re-estimated on what is stored
                stream = self._live_stream(pending)
            vec = self._edges.centring.transform(self.full_vectors([a]), [a.lang])[0]
            k = stream.add(vec, date=day_numbers([a.date])[0])
            self._stream_ids.append(a.id)
            if k not in self._story_ids:
                self._story_ids[k] = new_story_id([a.id])
            self.store.place(a.id, self._story_ids[k], a.title)
            pending.discard(a.id)
            placed.append((a.origin, self._story_ids[k]))
        return placed

    def _live_stream(self, pending: set[str] | frozenset[str] = frozenset()
                     ) -> StreamClusterer:
        if self._stream is None:
            self.start_stream(pending)
        assert self._stream is not None
        return self._stream

    def _stale(self, lang: str) -> bool:
        """True once a language has doubled since the means were fitted (amortised O(n))."""
        stored = self.store.count_articles_in(lang)
        return stored >= max(2 * self._fitted_counts.get(lang, 0), REFIT_MIN)

    def merge_stories(self) -> dict[str, str]:
        """Streaming: settle the stories touched since the last call (re-clustered with the
        batch rules, see ``StreamClusterer.settle``); returns absorbed -> surviving id."""
        stream = self._live_stream()
        moved, absorbed = stream.settle()
        if not moved and not absorbed:
            return {}
        by_idx = {a_idx: aid for a_idx, aid in enumerate(self._stream_ids)}
        titles = {a.id: a.title for a in self.store.articles([by_idx[i] for i in moved])}
        for a_idx, k in sorted(moved.items()):
            if k not in self._story_ids:
                self._story_ids[k] = new_story_id([by_idx[i] for i in stream.members[k]])
            aid = by_idx[a_idx]
            for one in [aid, *self._copies.get(aid, [])]:  # near-duplicates follow
                self.store.place(one, self._story_ids[k], titles[aid])
        merged = {}
        for gone, into in sorted(absorbed.items()):
            a_id, i_id = self._story_ids[gone], self._story_ids[stream.resolve(into)]
            self.store.merge_stories(a_id, i_id)
            merged[a_id] = i_id
        return merged

    # -- cluster ----------------------------------------------------------------------------
    def cluster(self, progress: Progress | None = None) -> list[Story]:
        """Re-cluster every stored article; near-duplicates follow their original.

        The new stories replace the old in one transaction (an interrupted clustering leaves
        the previous stories whole), and only if the articles clustered are still exactly the
        stored ones; when another process added or removed some meanwhile, it runs again.
        """
        for attempt in range(CLUSTER_ATTEMPTS):
            # bodies only where the scorer's signals read them (a body missing a vector is
            # read back by ``ensure_views``)
            articles = self.store.articles(text=self.edges == "scorer")
            rows = self._cluster_rows(articles, progress)
            with self.store.transaction():
                stored = self.store.article_ids()
                if stored != {a.id for a in articles} and attempt < CLUSTER_ATTEMPTS - 1:
                    continue
                # the last attempt writes what it has; the process still storing articles
                # clusters (or places) them when it is done
                self.store.replace_stories({sid: (head, per_lang, [m for m in members
                                                                   if m in stored])
                                            for sid, (head, per_lang, members) in rows.items()})
            break
        if progress:
            progress("cluster", 1, 1)
        return self.store.stories()

    def _cluster_rows(self, articles: list[Article], progress: Progress | None = None
                      ) -> dict[str, tuple[str, dict[str, str], list[str]]]:
        """Story id -> (headline, per-language headlines, members) for ``articles``."""
        self.embed_pending(progress)
        if progress:
            progress("cluster", 0, 1)
        if not articles:
            return {}
        originals = [a for a in articles if a.duplicate_of is None]
        edges = self.story_edges(originals, signals=self.edges == "scorer")
        labels = self.clusterer.fit_predict(
            edges.vectors, edge_weight=edges if self.edges == "scorer" else None,
            dates=day_numbers([a.date for a in originals]))
        centred = {a.id: edges.vectors[k] for k, a in enumerate(originals)}
        groups: dict[int, list[str]] = {}
        for a, label in zip(originals, labels):
            groups.setdefault(int(label), []).append(a.id)
        home = {aid: k for k, members in groups.items() for aid in members}
        for a in articles:
            if a.duplicate_of is not None:  # joins its original's story
                k = home.get(a.duplicate_of, -1 - len(groups))
                groups.setdefault(k, []).append(a.id)
                centred[a.id] = centred.get(a.duplicate_of, np.zeros_like(edges.vectors[0]))
        by_id = {a.id: a for a in articles}
        rows = {}
        for sid, members in assign_story_ids(list(groups.values()),
                                             self.store.memberships()).items():
            head, per_lang = headlines([by_id[m] for m in members],
                                       np.stack([centred[m] for m in members]))
            rows[sid] = (head, per_lang, members)
        return rows


def _worth_workers(items: Sequence[Path | Rejection]) -> bool:
    """Worker processes pay off from MIN_FILES_FOR_WORKERS files, or any record file; a
    daemonic process (a multiprocessing pool's worker) may not start any."""
    if multiprocessing.current_process().daemon:
        return False
    files = [p for p in items if isinstance(p, Path)]
    return (len(files) >= MIN_FILES_FOR_WORKERS
            or any(p.suffix.lower() in ingest.RECORD_SUFFIXES for p in files))
