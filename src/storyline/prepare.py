"""The per-document stages before the store: clean, detect language, sign (MinHash).

They depend on nothing but the document, so ``prepared`` runs them in worker processes
while the main process stores and embeds (the model is the run's real cost; these stages
hide behind it). The seam is ``Preparer.documents``, a pure function from raw documents to
``Prepared`` records, so another engine (a Dask bag) can map it too. Results come back in
input order, so which copy of a document counts as the original does not depend on the
number of workers, and at most ``window`` tasks are in flight, so memory stays bounded
however many files the input holds.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from storyline import ingest
from storyline.clean import DocumentCleaner
from storyline.dedup import NearDuplicateIndex, content_hash
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
                article = self.article(rec)
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


_worker: Preparer | None = None


def _init_worker(preparer: Preparer) -> None:
    global _worker
    _worker = preparer


def _run_task(records: list[RawDocument | Rejection | Notice]) -> list[Prepared]:
    assert _worker is not None
    return _worker.documents(records)


def prepared(items: Iterable[Path | Rejection], preparer: Preparer,
             workers: int | None = None, window: int | None = None) -> Iterator[Batch]:
    """Prepared records of every input file, in input order.

    ``workers=0`` prepares in this process; otherwise ``workers`` processes (default: one
    per spare core) prepare up to ``window`` tasks ahead of the consumer. Workers are forked
    (they inherit the loaded cleaner; no re-import) where the platform allows.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 0:
        for records, files in tasks(items):
            yield Batch(preparer.documents(records), files)
        return
    window = window or WINDOW_PER_WORKER * workers
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(preparer,)) as pool:
        queue: deque[tuple[Future[list[Prepared]], int]] = deque()
        for records, files in tasks(items):
            queue.append((pool.submit(_run_task, records), files))
            if len(queue) >= window:
                future, done = queue.popleft()
                yield Batch(future.result(), done)
        while queue:
            future, done = queue.popleft()
            yield Batch(future.result(), done)


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
