"""Plain-text files: a page dump or an article whose first non-empty line is the title."""

from __future__ import annotations

from collections.abc import Iterator

from storyline.ingest.limits import text_problem
from storyline.types import RawDocument, Rejection


def read(data: str, origin: str) -> Iterator[RawDocument | Rejection]:
    problem = text_problem(data)
    if problem:
        yield Rejection(origin, problem)
        return
    # Title detection belongs to the cleaner, which sees the whole dump.
    yield RawDocument(origin=origin, kind="text", body=data)
