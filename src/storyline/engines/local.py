"""The default engine: every item in this process, one after another."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


class LocalEngine:
    """Runs ``fn(context, item)`` in this process; nothing is copied or pickled."""

    name = "local"

    def map(self, fn: Callable[[Any, Any], Any], context: Any, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(context, item)

    def close(self) -> None:
        pass
