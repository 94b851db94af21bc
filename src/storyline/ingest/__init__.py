"""Ingest stage: files and folders in, one RawDocument (or Rejection) per article out.

One module per input format; ``READERS`` maps a file extension to its reader. Readers get
decoded text and yield records, so the same reader serves files, uploads and streams.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

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
