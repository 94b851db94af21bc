"""The per-document stages before the store: clean, detect language, sign (MinHash).

They depend on nothing but the document, so ``prepared`` runs them in worker processes
while the main process stores and embeds (the model is the run's real cost; these stages
hide behind it). The seam is ``prepare_task(preparer, task)``, a pure function mapped over
``tasks(files)`` by an engine with ``map(fn, context, items)`` (``ProcessEngine`` here; a
Dask engine has the same shape). Results come back in input order, so which copy of a
document counts as the original does not depend on the number of workers, and at most
``window`` tasks are in flight, so memory stays bounded however many files the input holds.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from storyline import ingest
from storyline.clean import DocumentCleaner
from storyline.dedup import NearDuplicateIndex, content_hash
from storyline.ingest.limits import DOCUMENT_SECONDS, TimeLimitExceeded, time_limit
from storyline.language import LanguageDetector
from storyline.types import Article, Notice, RawDocument, Rejection

# Below this many characters of body a "page" is a stub (a cookie wall, an error page or
# a headline-only teaser): there is nothing to embed or summarise.
MIN_ARTICLE_CHARS = 40
# Documents per worker task: enough to amortise the pickling round trip (~0.1 ms) against
# cleaning (~3 ms a page), few enough that the main process is never kept waiting long.
TASK_DOCUMENTS = 8
# Tasks in flight per worker: bounds what is held in memory (raw pages queued for cleaning,
# cleaned articles not yet stored) independently of the input's size.
WINDOW_PER_WORKER = 4
# Fewer input files than this run in the main process: forking a worker costs more than
# it hides.
MIN_FILES_FOR_WORKERS = 16
PR_SET_PDEATHSIG = 1  # prctl(2)
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Prepared:
    """One input record after the per-document stages: an article with its MinHash
    signature, or the rejection or notice it produced."""

    item: Article | Rejection | Notice
    minhash: bytes | None = None


class Preparer:
    """Clean, tag and sign documents: everything a document needs before the store."""

    def __init__(self, cleaner: DocumentCleaner | None = None,
                 detector: LanguageDetector | None = None,
                 signer: NearDuplicateIndex | None = None) -> None:
        self.cleaner = cleaner or DocumentCleaner()
        self.detector = detector or LanguageDetector()
        self.signer = signer or NearDuplicateIndex()

    def article(self, raw: RawDocument) -> Article | Rejection:
        """Clean and language-tag one document (a stub page is a rejection)."""
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

    def documents(self, records: Iterable[RawDocument | Rejection | Notice]) -> list[Prepared]:
        """The prepared form of each record, in order; a stage failing on one document
        rejects that document and does not stop the others."""
        out = []
        for rec in records:
            if not isinstance(rec, RawDocument):
                out.append(Prepared(rec))
                continue
            try:
                with time_limit(DOCUMENT_SECONDS, "cleaning"):  # the watchdog for hostile input
                    article = self.article(rec)
            except TimeLimitExceeded as exc:
                out.append(Prepared(Rejection(rec.origin, f"gave up: {exc} (hostile or broken "
                                                          "input)")))
                continue
            except Exception as exc:
                out.append(Prepared(Rejection(rec.origin, f"could not process: "
                                                          f"{type(exc).__name__}: {exc}")))
                continue
            if isinstance(article, Rejection):
                out.append(Prepared(article))
            else:
                sig = self.signer.signature(article.full_text)
                out.append(Prepared(article, self.signer.to_bytes(sig)))
        return out


@dataclass(frozen=True)
class Batch:
    """Prepared records of consecutive documents; ``files_done`` input files (of the run's
    listing) are complete once this batch is stored."""

    records: list[Prepared]
    files_done: int


def default_workers() -> int:
    """Worker processes beside the main one: all cores but one (the main process embeds)."""
    return max(0, (os.cpu_count() or 1) - 1)


def tasks(items: Iterable[Path | Rejection]
          ) -> Iterator[tuple[list[RawDocument | Rejection | Notice], int]]:
    """Group the input's records into tasks of up to TASK_DOCUMENTS raw documents.

    Yields (records, files finished); reading (disk, decoding, record parsing) happens here,
    in the calling process, lazily: a large JSONL file is never held as a list of records.
    """
    pending: list[RawDocument | Rejection | Notice] = []
    docs = files = 0
    for item in items:
        records = [item] if isinstance(item, Rejection) else ingest.read_file(item)
        for rec in records:
            pending.append(rec)
            docs += isinstance(rec, RawDocument)
            if docs >= TASK_DOCUMENTS:
                yield pending, files
                pending, docs = [], 0
        files += 1
    yield pending, files


def prepare_task(preparer: Preparer, task: tuple[list[RawDocument | Rejection | Notice], int]
                 ) -> Batch:
    """Engine task: one task's records (see ``tasks``) to a ``Batch``."""
    records, files_done = task
    return Batch(preparer.documents(records), files_done)


class ProcessEngine:
    """Maps ``fn(context, item)`` over items in worker processes, results in input order.

    The same ``map``/``close`` shape as the engines that run stages elsewhere: ``context``
    (here the ``Preparer``) goes to each worker once, when it starts; at most ``window``
    items are in flight, so the look-ahead, and the memory it holds, is bounded. Workers are
    forked where the platform allows: they inherit the loaded cleaner instead of importing
    and loading it again (which costs more than cleaning a few hundred pages).
    """

    name = "processes"

    def __init__(self, workers: int, window: int | None = None) -> None:
        self.workers = max(1, workers)
        self.window = window or WINDOW_PER_WORKER * self.workers
        methods = multiprocessing.get_all_start_methods()
        self._ctx = multiprocessing.get_context("fork" if "fork" in methods else None)

    def map(self, fn: Callable[[C, T], R], context: C, items: Iterable[T]) -> Iterator[R]:
        with ProcessPoolExecutor(self.workers, mp_context=self._ctx,
                                 initializer=_init_worker, initargs=(context,)) as pool:
            queue: deque[Future[R]] = deque()
            for item in items:
                queue.append(pool.submit(_call, fn, item))
                if len(queue) >= self.window:
                    yield queue.popleft().result()
            while queue:
                yield queue.popleft().result()

    def close(self) -> None:
        pass


_context: Any = None


def _init_worker(context: Any) -> None:
    global _context
    _context = context
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: end this worker when the process that started it dies, even by SIGKILL (a
    forked worker holds its own copy of the task pipe, so it would never see it close)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


def _call(fn: Callable[[Any, T], R], item: T) -> R:
    return fn(_context, item)


def prepared(items: Iterable[Path | Rejection], preparer: Preparer,
             workers: int | None = None, window: int | None = None) -> Iterator[Batch]:
    """Prepared records of every input file, in input order.

    ``workers=0`` prepares in this process; otherwise ``workers`` processes (default: one
    per spare core) prepare up to ``window`` tasks ahead of the consumer.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 0:
        for task in tasks(items):
            yield prepare_task(preparer, task)
        return
    yield from ProcessEngine(workers, window).map(prepare_task, preparer, tasks(items))


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
