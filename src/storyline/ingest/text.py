"""Plain-text files: a page dump or an article whose first non-empty line is the title."""

from __future__ import annotations

from collections.abc import Iterator

from storyline.types import RawDocument


def read(data: str, origin: str) -> Iterator[RawDocument]:
    # Title detection belongs to the cleaner, which sees the whole dump.
    yield RawDocument(origin=origin, kind="text", body=data)
