"""HTML pages: passed whole to the cleaner, which extracts body, title and date."""

from __future__ import annotations

from collections.abc import Iterator

from storyline.ingest.limits import html_problem
from storyline.types import RawDocument, Rejection


def read(data: str, origin: str) -> Iterator[RawDocument | Rejection]:
    problem = html_problem(data)
    if problem:
        yield Rejection(origin, problem)
        return
    yield RawDocument(origin=origin, kind="html", body=data)
