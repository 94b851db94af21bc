"""The web app's access to the library: one ``Storyline`` per worker thread.

SQLite connections belong to the thread that opened them, and the model is loaded once. So
reads run on a small pool of threads, each with its own ``Storyline`` (WAL lets them read
while a write goes on), calls that may use the model (search, similarity, a story view,
whose summary embeds sentences the first time) on a pool of their own, so that they never
hold up the plain reads while they wait for it, and writes on one thread of their own (the
streaming placement state lives there). All share one model
behind a lock. Routes hand a function of the ``Storyline`` to ``read``, ``model`` or
``write`` and await its result; the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from storyline.api_python import Storyline
from storyline.embed import Embedder, get_embedder

T = TypeVar("T")


class SharedEmbedder:
    """One model for every thread: loaded on first use, one call at a time."""

    def __init__(self, name: str = "e5-small") -> None:
        self._name = name
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    def _get(self) -> Embedder:
        with self._lock:
            if self._model is None:
                self._model = get_embedder(self._name)
            return self._model

    @property
    def name(self) -> str:
        return self._get().name

    @property
    def dim(self) -> int:
        return self._get().dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._get()
        with self._lock:
            return model.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        model = self._get()
        with self._lock:
            query = getattr(model, "embed_query", None)
            return query(text) if query else model.embed([text])[0]


class Library:
    """Runs functions of a ``Storyline`` on threads that own their database connection."""

    def __init__(self, db: str | Path, readers: int = 4, embedder: str = "e5-small") -> None:
        self.db = Path(db)
        self.embedder = SharedEmbedder(embedder)
        self._local = threading.local()
        self._opened: list[Storyline] = []
        self._lock = threading.Lock()
        # The writer opens (and migrates) the database before any reader exists.
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="storyline-write")
        self._writes.submit(self._open).result()
        self._reads = ThreadPoolExecutor(readers, thread_name_prefix="storyline-read")
        self._models = ThreadPoolExecutor(readers, thread_name_prefix="storyline-model")

    def _open(self) -> Storyline:
        sl = getattr(self._local, "sl", None)
        if sl is None:
            sl = Storyline(self.db, embedder=lambda: self.embedder)  # type: ignore[arg-type,return-value]
            self._local.sl = sl
            with self._lock:
                self._opened.append(sl)
        return sl

    def _call(self, fn: Callable[[Storyline], T]) -> T:
        return fn(self._open())

    async def read(self, fn: Callable[[Storyline], T]) -> T:
        """``fn(storyline)`` on a reader thread."""
        return await asyncio.wrap_future(self._reads.submit(self._call, fn))

    async def model(self, fn: Callable[[Storyline], T]) -> T:
        """``fn(storyline)`` on a thread for calls that may use the model (which embeds one
        call at a time)."""
        return await asyncio.wrap_future(self._models.submit(self._call, fn))

    async def write(self, fn: Callable[[Storyline], T]) -> T:
        """``fn(storyline)`` on the writer thread (writes are serialised)."""
        return await asyncio.wrap_future(self._writes.submit(self._call, fn))

    def close(self) -> None:
        """Wait for running calls; connections close with their threads' ``Storyline``."""
        for pool in (self._reads, self._models, self._writes):
            pool.shutdown(wait=True)

