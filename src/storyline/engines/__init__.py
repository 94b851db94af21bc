"""Where the per-document stages run when not in this machine's worker processes.

Cleaning, language id and MinHash signing of each document are pure functions of it
(``prepare.prepare_task`` over ``prepare.tasks``): an ``Engine`` maps that function over the
tasks and hands the results back *in input order* to the one process that writes the store,
so a distributed run makes exactly the decisions a local run makes. By default the pipeline
uses ``prepare.ProcessEngine`` (``--workers N`` local processes; the model embeds in the
writing process, on all its cores). ``DaskEngine`` (``dask.py``, the only module importing
Dask) runs them on an existing cluster (``--scheduler ADDRESS``) or a local Dask cluster of
``--workers N`` processes (``--engine dask``), and embeds there too: an engine that says
``embeds = True`` gets the embedding batches (``embed.embed_batch``, the model loaded once
per worker), whose vectors come back in order, identical to a local run's (a text's vector
does not depend on its batch). ``LocalEngine`` runs them in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from storyline.engines.local import LocalEngine
from storyline.errors import ConfigError

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

__all__ = ["ENGINES", "Engine", "LocalEngine", "get_engine"]

ENGINES = ("processes", "dask")


class Engine(Protocol):
    """Maps ``fn(context, item)`` over items; results come back in the items' order."""

    name: str

    def map(self, fn: Callable[[C, T], R], context: C, items: Iterable[T]) -> Iterator[R]: ...
    def close(self) -> None: ...


def get_engine(engine: str | None = None, workers: int | None = None,
               scheduler: str | None = None) -> Engine | None:
    """The engine for these options, or None for the default: the pipeline's own worker
    processes (``workers`` of them; ``prepare.prepared``).

    ``engine="dask"`` (implied by ``scheduler``): an existing Dask cluster at ``scheduler``
    (e.g. ``tcp://10.0.0.5:8786``), else a local Dask cluster of ``workers`` processes.
    """
    if scheduler and engine is None:
        engine = "dask"
    engine = engine or "processes"
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if workers is not None and workers < 0:
        raise ConfigError(f"--workers must be 0 or more, not {workers}")
    if engine == "processes":
        if scheduler:
            raise ConfigError("--scheduler needs the dask engine, not --engine processes")
        return None
    if workers is not None and scheduler:
        raise ConfigError("give either --workers (a local Dask cluster) or --scheduler "
                          "(an existing one), not both")
    if workers is not None and workers < 1:
        raise ConfigError(f"--engine dask needs at least 1 worker, not {workers}")
    from storyline.engines.dask import DaskEngine

    return DaskEngine(workers=workers, scheduler=scheduler)
