"""HTML pages: passed whole to the cleaner, which extracts body, title and date."""

from __future__ import annotations

from collections.abc import Iterator

from storyline.types import RawDocument


def read(data: str, origin: str) -> Iterator[RawDocument]:
    yield RawDocument(origin=origin, kind="html", body=data)
