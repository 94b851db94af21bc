"""Ingest stage: files and folders in, one RawDocument (or Rejection) per article out.

One module per input format; ``READERS`` maps a file extension to its reader. Readers get
decoded text and yield records, so the same reader serves files, uploads and streams.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from storyline.errors import InputError
from storyline.ingest import html, records, text
from storyline.ingest.decode import decode_bytes
from storyline.types import Notice, RawDocument, Rejection

# One article page or dump is at most a few hundred kB; 10 MB is far past any real one
# and keeps a stray log or database dump from being read into memory.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Record files (JSONL/CSV) hold many articles, so they may be bigger.
MAX_RECORD_FILE_BYTES = 1024 * 1024 * 1024

Reader = Callable[[str, str], Iterator[RawDocument | Rejection | Notice]]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".text": text.read,
    ".html": html.read,
    ".htm": html.read,
    ".jsonl": records.read_jsonl,
    ".ndjson": records.read_jsonl,
    ".json": records.read_json,
    ".csv": records.read_csv,
}
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv"}


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Rejection]:
    """Expand files and folders (recursively, sorted) into files; missing paths are rejections."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                found = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink())
            except OSError as exc:
                yield Rejection(str(path), f"cannot list folder: {exc.strerror or exc}")
                continue
            for p in found:
                if not any(part.startswith(".") for part in p.relative_to(path).parts):
                    yield p
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield Rejection(str(path), "no such file or folder")


def read_file(path: Path) -> Iterator[RawDocument | Rejection | Notice]:
    """Read one file with the reader for its extension."""
    origin = str(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        yield Rejection(origin, f"unsupported file type {suffix or '(none)'!r}; "
                                f"supported: {', '.join(sorted(READERS))}")
        return
    try:
        size = path.stat().st_size
        limit = MAX_RECORD_FILE_BYTES if suffix in RECORD_SUFFIXES else MAX_FILE_BYTES
        if size > limit:
            yield Rejection(origin, f"file too large ({size / 2**20:.0f} MB > "
                                    f"{limit / 2**20:.0f} MB limit for {suffix} files)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Rejection(origin, f"cannot read: {exc.strerror or exc}")
        return
    try:
        decoded = decode_bytes(data)
    except InputError as exc:
        yield Rejection(origin, str(exc))
        return
    if decoded.warning:
        yield Notice(origin, decoded.warning)
    yield from reader(decoded.text, origin)


def read_paths(
    paths: Iterable[str | os.PathLike[str]],
) -> Iterator[RawDocument | Rejection | Notice]:
    for item in iter_files(paths):
        if isinstance(item, Rejection):
            yield item
        else:
            yield from read_file(item)


# -- in-memory input (the HTTP API): text and records that never were files ------------------
# What a posted page may be; each maps to the reader of the matching file type.
TEXT_FORMATS: dict[str, Reader] = {"text": text.read, "html": html.read}


def memory_origin(prefix: str, *parts: str | None) -> str:
    """A stable origin for input that has no file name: ``prefix:`` + a hash of its content.

    The same content posted twice gets the same origin (so it is "unchanged", not stored
    again); different content never shares one, so nothing replaces anything by accident.
    """
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]
    return f"{prefix}:{digest}"


def read_text(data: str, fmt: str = "text", *, prefix: str = "memory", source: str | None = None,
              url: str | None = None) -> Iterator[RawDocument | Rejection | Notice]:
    """Read a page held in memory (``fmt`` "text" for a page dump, "html" for a web page).

    ``source`` and ``url`` say who published it where the page does not; a text dump without
    either is credited to ``prefix`` (an HTML page's canonical URL names its site).
    """
    where = memory_origin(prefix, fmt, url, data)
    reader = TEXT_FORMATS.get(fmt)
    if reader is None:
        yield Rejection(where, f"unsupported format {fmt!r}; supported: {', '.join(TEXT_FORMATS)}")
        return
    if len(data.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        yield Rejection(where, f"page too large (> {MAX_FILE_BYTES / 2**20:.0f} MB)")
        return
    if source is None and url is None and fmt == "text":
        source = prefix
    for doc in reader(data, where):
        yield replace(doc, source=source or doc.source, url=url or doc.url)


def read_records(items: Iterable[Mapping[str, Any]],
                 prefix: str = "memory") -> Iterator[RawDocument | Rejection]:
    """Records held in memory (title, text, url, date, source, lang), each validated like a
    JSONL line; each one's origin is ``prefix:`` + a hash of its url, title and text."""
    for item in items:
        if not isinstance(item, Mapping):
            yield records.to_document(item, memory_origin(prefix, repr(item)))
            continue
        where = memory_origin(prefix, *(str(item.get(k) or "") for k in ("url", "title", "text")))
        doc = records.to_document(item, where)
        if isinstance(doc, RawDocument) and doc.source is None and doc.url is None:
            doc = replace(doc, source=prefix)
        yield doc
