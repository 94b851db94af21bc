"""Dask engine: the per-item stages on a Dask cluster, results streamed back in order.

The context (the cleaner and language detector, or the embedder factory) is scattered to
every worker once; items are submitted in a bounded window so a large input never sits in
the scheduler all at once, and results are yielded in submission order to the single
writer. Workers of a ``LocalCluster`` are processes with one thread each (Dask's nanny sets
``OMP_NUM_THREADS=1`` in them), so N workers use N cores.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from storyline.errors import ConfigError

# items in flight per worker: enough to keep every worker busy while results are written
WINDOW_PER_WORKER = 4
CONNECT_TIMEOUT = "20s"  # to an existing scheduler


class DaskEngine:
    """A ``LocalCluster`` of ``workers`` processes, or a client of the cluster at ``scheduler``."""

    name = "dask"
    #: the pipeline embeds on this engine's workers too (``embed.embed_texts``)
    embeds = True

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the install
            raise ConfigError("--workers/--scheduler need Dask: pip install 'storyline[dask]'") from None
        self._cluster = None
        self._contexts: dict[int, Any] = {}
        self._keep: list[Any] = []
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            else:
                self._cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             silence_logs=logging.ERROR)
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise ConfigError(f"cannot reach {where}: {exc}") from None

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[[Any, Any], Any], context: Any, items: Iterable[Any]) -> Iterator[Any]:
        # one copy of each context per worker for the engine's life: a context that loads
        # something on first use (the model: ``embed.EmbedContext``) loads it once per worker
        ctx = self._contexts.get(id(context))
        if ctx is None:
            [ctx] = self.client.scatter([context], broadcast=True, hash=False)
            self._contexts[id(context)] = ctx
            self._keep.append(context)  # its id stays its own while the engine lives
        window = WINDOW_PER_WORKER * self.workers
        pending: deque = deque()
        try:
            for item in items:
                pending.append(self.client.submit(fn, ctx, item, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        for ctx in self._contexts.values():
            ctx.release()
        self._contexts.clear()
        self._keep.clear()
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
