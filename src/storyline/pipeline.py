"""Runs the stages in order: ingest -> clean -> language -> dedup -> store -> embed -> cluster.

The pipeline only wires stages together; each stage's logic lives in its own module.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from storyline import ingest
from storyline.clean import DocumentCleaner
from storyline.cluster import assign_story_ids
from storyline.cluster.edges import StoryEdges, day_numbers
from storyline.cluster.graph import GraphClusterer
from storyline.cluster.ids import new_story_id
from storyline.cluster.stream import StreamClusterer
from storyline.dedup import NearDuplicateIndex, content_hash
from storyline.embed import VIEWS, Embedder, view_texts
from storyline.engines import Engine, LocalEngine
from storyline.errors import ConfigError, InputError
from storyline.ingest.limits import DOCUMENT_SECONDS, TimeLimitExceeded, time_limit
from storyline.language import LanguageDetector
from storyline.present import headlines
from storyline.scorer import ArticleView, SameStoryScorer
from storyline.signals import TextSignals
from storyline.store import Store
from storyline.types import Article, Notice, RawDocument, Rejection, Story

# Below this many characters of body a "page" is a stub (a cookie wall, an error page or
# a headline-only teaser): there is nothing to embed or summarise.
MIN_ARTICLE_CHARS = 40
EMBED_BATCH = 16
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
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

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


def iso_date(value: str | None) -> str | None:
    """YYYY-MM-DD from an ISO-like date string, else None (dates are optional)."""
    if not value:
        return None
    m = _ISO_DATE.search(value)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def source_of(raw: RawDocument, url: str | None) -> str:
    """Who published it: the record's source, else the URL's host, else the file's folder."""
    if raw.source:
        return raw.source
    if url:
        host = urlparse(url).hostname
        if host:
            return host.removeprefix("www.")
    path = Path(raw.origin.split("#", 1)[0])
    return path.parent.name or path.stem


class ArticlePreparer:
    """Reading, cleaning and language id of one input: a pure function of the file, so an
    engine may run it in another process (``engines/``); only the writer touches the store."""

    def __init__(self, cleaner: DocumentCleaner, detector: LanguageDetector) -> None:
        self.cleaner = cleaner
        self.detector = detector

    def prepare(self, item: Path | Rejection) -> list[Article | Rejection | Notice]:
        """Every record of one input file, each an article, a rejection or a notice."""
        if isinstance(item, Rejection):
            return [item]
        out: list[Article | Rejection | Notice] = []
        for rec in ingest.read_file(item):
            if isinstance(rec, RawDocument):
                rec = self.prepare_record(rec)
            out.append(rec)
        return out

    def prepare_record(self, rec: RawDocument) -> Article | Rejection:
        """One document to an article, or a rejection saying why not (never an exception)."""
        try:
            with time_limit(DOCUMENT_SECONDS, "cleaning"):  # the watchdog for hostile input
                return self.to_article(rec)
        except TimeLimitExceeded as exc:
            return Rejection(rec.origin, f"gave up: {exc} (hostile or broken input)")
        except Exception as exc:  # a stage failing on one document must not stop the run
            return Rejection(rec.origin, f"could not process: {type(exc).__name__}: {exc}")

    def to_article(self, raw: RawDocument) -> Article | Rejection:
        result = self.cleaner.clean(raw)
        doc = result.document
        text = doc.text.strip()
        title = (raw.title or doc.title or "").strip()
        if not title and text:
            title, _, text = text.partition("\n")
        if len(text) < MIN_ARTICLE_CHARS:
            return Rejection(raw.origin, "no article text found after cleaning "
                                         f"({len(text)} characters)")
        lang = (raw.lang or "").strip().lower()[:2] or self.detector.detect(f"{title}\n{text}")
        url = raw.url or result.url
        digest = content_hash(title, text)
        return Article(
            id=digest[:16], origin=raw.origin, title=title, text=text, lang=lang,
            content_hash=digest, url=url, date=iso_date(raw.date) or iso_date(doc.date),
            source=source_of(raw, url),
        )


def prepare_item(preparer: ArticlePreparer, item: Path | Rejection) -> list[Article | Rejection | Notice]:
    """Engine task: one input file to its prepared records."""
    return preparer.prepare(item)


class BatchEmbedder:
    """Engine context for embedding: an embedder built once per process from ``factory``.

    In this process it reuses ``instance``; pickled to a worker it leaves the instance behind
    and the worker builds its own on first use.
    """

    def __init__(self, factory: Callable[[], Embedder], instance: Embedder | None = None) -> None:
        self.factory = factory
        self._embedder = instance

    def __getstate__(self) -> dict:
        return {"factory": self.factory, "_embedder": None}

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = self.factory()
        return self._embedder.embed(texts)


EmbedJob = tuple[str, list[str], list[str]]  # (view, article ids, texts)


def embed_job(embedder: BatchEmbedder, job: EmbedJob) -> tuple[str, list[str], np.ndarray]:
    """Engine task: one batch of one view's texts to vectors."""
    view, ids, texts = job
    return view, ids, embedder.embed(texts)


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
    ) -> None:
        if edges not in ("cosine", "scorer"):
            raise ConfigError(f"unknown edge weighting {edges!r}; use 'cosine' or 'scorer'")
        self.edges = edges
        self.store = store
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self.cleaner = cleaner or DocumentCleaner()
        self.detector = detector or LanguageDetector()
        self.clusterer = clusterer or GraphClusterer(threshold=STORY_THRESHOLD, k=NEIGHBOURS)
        self.scorer = scorer or SameStoryScorer.load()
        self.engine: Engine = engine or LocalEngine()
        self.preparer = ArticlePreparer(self.cleaner, self.detector)
        self._near: NearDuplicateIndex | None = None
        self._near_rowid = 0  # the store's last article rowid the near index has seen
        self._stream: StreamClusterer | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:  # loading the model is deferred until vectors are needed
            self._embedder = self._embedder_factory()
        return self._embedder

    @property
    def near_index(self) -> NearDuplicateIndex:
        if self._near is None:
            self._near = NearDuplicateIndex()
            self._near_rowid = 0
            self._sync_near_index()
        return self._near

    # -- ingest -----------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | os.PathLike[str]],
               progress: Progress | None = None) -> IngestReport:
        """Read, clean and tag each file (on the engine's workers), then store the results
        here, in input order: the one writer makes the same decisions whatever the engine."""
        report = IngestReport()
        items = list(ingest.iter_files(paths))
        prepared = self.engine.map(prepare_item, self.preparer, items)
        for done, records in enumerate(prepared, start=1):
            for rec in records:
                self._ingest_one(rec, report)
            if progress:
                progress("ingest", done, len(items))
        return report

    def _ingest_one(self, rec: Article | Rejection | Notice, report: IngestReport) -> None:
        if isinstance(rec, Notice):
            report.notices.append(rec)
        elif isinstance(rec, Rejection):
            self._reject(rec, report)
        else:
            self._store(rec, report)

    def read_article(self, path: Path) -> Article:
        """Clean and tag the first article of one file without storing it."""
        for rec in ingest.read_file(path):
            if isinstance(rec, Rejection):
                raise InputError(f"{rec.origin}: {rec.reason}")
            if isinstance(rec, RawDocument):
                article = self.preparer.to_article(rec)
                if isinstance(article, Rejection):
                    raise InputError(f"{article.origin}: {article.reason}")
                return article
        raise InputError(f"{path}: no article found")

    def _reject(self, rej: Rejection, report: IngestReport) -> None:
        self.store.add_rejection(rej.origin, rej.reason)
        report.rejected.append(rej)

    def _store(self, article: Article, report: IngestReport) -> None:
        """Store one article (or record it as a copy) in one transaction: a kill leaves it
        stored or not at all, and a second process writing the same database is seen."""
        with self.store.transaction():
            self._store_in_transaction(article, report)

    def _sync_near_index(self) -> None:
        """Add the originals stored since the index was last synced (by any process)."""
        rows = self.store.minhashes_since(self._near_rowid)
        if rows:
            index = self.near_index
            index.insert_many((aid, index.signature_from_bytes(blob)) for _, aid, blob in rows)
            self._near_rowid = rows[-1][0]

    def _store_in_transaction(self, article: Article, report: IngestReport) -> None:
        self._sync_near_index()
        old = self.store.article_by_origin(article.origin)
        if old is not None:
            if old.content_hash == article.content_hash:
                report.unchanged.append(article.origin)
                return
            self.store.remove_article(old.id)  # the file changed: replace its article
            self.near_index.remove(old.id)
            self._stream = None  # a live stream index would still hold the old vector
        same = self.store.article_by_hash(article.content_hash)
        if same is not None:
            if not self.store.add_duplicate(article.origin, same.id):
                report.unchanged.append(article.origin)
            else:
                report.duplicates.append((article.origin, same.id))
            return
        sig = self.near_index.signature(article.full_text)
        original = self.near_index.query(sig)
        while original is not None and not self.store.has_article(original):
            self.near_index.remove(original)  # removed by another process (its file changed)
            original = self.near_index.query(sig)
        if original is not None:
            article = Article(**{**article.__dict__, "duplicate_of": original})
            report.near_duplicates.append((article.origin, original))
        else:
            self.near_index.insert(article.id, sig)
            report.stored.append(article.origin)
        self.store.add_article(article, self.near_index.to_bytes(sig))

    # -- embed ------------------------------------------------------------------------------
    def view_model(self, view: str) -> str:
        """Store key of a view's vectors: the model name, suffixed for the extra views."""
        return self.embedder.name if view == "full" else f"{self.embedder.name}:{view}"

    def embed_pending(self, progress: Progress | None = None) -> int:
        """Embed every view of the articles that have no cached vector for it yet."""
        todo = {view: self.store.missing_embeddings(self.view_model(view)) for view in VIEWS}
        total, done = sum(len(ids) for ids in todo.values()), 0
        if not total:
            return 0

        def jobs() -> Iterator[EmbedJob]:  # texts read lazily, as the engine asks for them
            for view, missing in todo.items():
                for start in range(0, len(missing), EMBED_BATCH):
                    batch = self.store.articles(missing[start:start + EMBED_BATCH])
                    yield view, [a.id for a in batch], [view_texts(a.title, a.text)[view]
                                                        for a in batch]

        runner = BatchEmbedder(self._embedder_factory, self.embedder)
        for view, ids, vecs in self.engine.map(embed_job, runner, jobs()):
            # an article another process removed meanwhile (its file changed) has no row
            # left to hang a vector on
            live = {i: v for i, v in zip(ids, vecs) if self.store.has_article(i)}
            self.store.add_embeddings(self.view_model(view), live)
            done += len(ids)
            if progress:
                progress("embed", done, total)
        return total

    def article_views(self, articles: list[Article], signals: bool = True) -> list[ArticleView]:
        """Scorer views from the stored vectors; ``signals=False`` skips names and numbers
        (only the scorer's features read them)."""
        ids = [a.id for a in articles]
        vecs = {view: self.store.embeddings(self.view_model(view), ids) for view in VIEWS}
        none = TextSignals(frozenset(), frozenset())
        return [ArticleView(lang=a.lang, full=vecs["full"][a.id], title=vecs["title"][a.id],
                            lead=vecs["lead"][a.id],
                            signals=TextSignals.of(a.full_text) if signals else none)
                for a in articles]

    # -- stream -----------------------------------------------------------------------------
    def start_stream(self, pending: set[str] | frozenset[str] = frozenset()) -> None:
        """Build the streaming state from what the store holds (stories kept as they are).

        ``pending`` articles are left out: they are about to be placed one by one.
        """
        self.embed_pending()
        articles = [a for a in self.store.articles()
                    if a.duplicate_of is None and a.id not in pending]
        member = self.store.memberships()
        # the stream's edges are cosines: the views' name/number signals are not needed
        self._edges = StoryEdges(self.article_views(articles, signals=False), self.scorer,
                                 dim=self.embedder.dim)
        story_ids = sorted({member[a.id] for a in articles if a.id in member})
        index = {sid: k for k, sid in enumerate(story_ids)}
        for a in articles:  # an article without a story (ingested, never clustered)
            if a.id not in member:
                index[f"new:{a.id}"] = len(index)
        labels = np.array([index[member.get(a.id, f"new:{a.id}")] for a in articles],
                          dtype=np.int64)
        self._stream = StreamClusterer.from_labels(
            self._edges.vectors, labels, dates=day_numbers([a.date for a in articles]),
            threshold=self.clusterer.threshold, k=self.clusterer.k,
            place_threshold=PLACE_THRESHOLD)
        self._stream.touch_all()  # re-centred vectors: every story may now merge
        self._story_ids = {k: sid for sid, k in index.items()}
        self._fitted_counts = Counter(a.lang for a in articles)
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
                placed.append((a.origin, sid))
                continue
            if self._stale(a.lang):
                self._stream = None  # language means re-estimated on what is stored
                stream = self._live_stream(pending)
            [view] = self.article_views([a], signals=False)
            vec = self._edges.centring.transform(view.full[None, :], [a.lang])[0]
            k = stream.add(vec, date=day_numbers([a.date])[0])
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
        """Streaming: merge stories that have grown together; returns absorbed -> into."""
        stream = self._live_stream()
        merged = {}
        for absorbed, into in stream.merge_pass().items():
            a_id, i_id = self._story_ids[absorbed], self._story_ids[stream.resolve(into)]
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
            articles = self.store.articles()
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
        if not articles:
            return {}
        originals = [a for a in articles if a.duplicate_of is None]
        edges = StoryEdges(self.article_views(originals, signals=self.edges == "scorer"),
                           self.scorer)
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
