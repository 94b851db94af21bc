"""Where the heavy, per-item stages run: in this process, or spread over a Dask cluster.

Reading, cleaning and language id of each input file, and embedding batches of texts, are
pure functions of their input: an ``Engine`` maps one over many items and hands the results
back *in input order* to the one process that writes the store, so a distributed run makes
exactly the decisions a single-process run makes. ``LocalEngine`` (``local.py``) is the
default; ``DaskEngine`` (``dask.py``, the only module importing Dask) runs a ``LocalCluster``
of worker processes (``--workers N``) or uses an existing cluster (``--scheduler ADDRESS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from storyline.engines.local import LocalEngine
from storyline.errors import ConfigError

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

__all__ = ["Engine", "LocalEngine", "get_engine"]


class Engine(Protocol):
    """Maps ``fn(context, item)`` over items; results come back in the items' order."""

    name: str

    def map(self, fn: Callable[[C, T], R], context: C, items: Iterable[T]) -> Iterator[R]: ...
    def close(self) -> None: ...


def get_engine(workers: int | None = None, scheduler: str | None = None) -> Engine:
    """``LocalEngine`` by default; a Dask engine for ``workers`` local processes or an
    existing cluster at ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``)."""
    if workers is not None and scheduler:
        raise ConfigError("give either --workers (a local Dask cluster) or --scheduler "
                          "(an existing one), not both")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {workers}")
    if workers is None and not scheduler:
        return LocalEngine()
    from storyline.engines.dask import DaskEngine

    return DaskEngine(workers=workers, scheduler=scheduler)
