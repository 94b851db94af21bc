"""Ingest stage: files and folders in, one RawDocument (or Rejection) per article out.

One module per input format; ``READERS`` maps a file extension to its reader. Text readers
get decoded text and yield records, so the same reader serves files, uploads and streams;
``BYTES_READERS`` decode for themselves (feeds honour their XML prolog) and
``FILE_READERS`` stream the file (a WARC can be gigabytes). A ``.gz`` of any of them is
read through a bounded decompression; a file with an unknown extension is sniffed.
Whatever a reader does, each file ends as records or a rejection with a reason: a reader
that raises or runs past its time limit is turned into a rejection, never a crash.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from storyline.errors import InputError
from storyline.ingest import feeds, html, records, text, warc
from storyline.ingest.decode import decode_bytes
from storyline.ingest.limits import (
    DOCUMENT_SECONDS,
    TimeLimitExceeded,
    gunzip_capped,
    is_gzip,
    read_capped,
    time_limit,
)
from storyline.types import Notice, RawDocument, Rejection

# One article page or dump is at most a few hundred kB; 10 MB is far past any real one
# and keeps a stray log or database dump from being read into memory.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Record files (JSONL/CSV) hold many articles, so they may be bigger.
MAX_RECORD_FILE_BYTES = 1024 * 1024 * 1024
# Bytes looked at to recognise a file whose extension says nothing.
SNIFF_BYTES = 4096

Item = RawDocument | Rejection | Notice
Reader = Callable[[str, str], Iterator[Item]]
BytesReader = Callable[[bytes, str], Iterator[Item]]
FileReader = Callable[[Path, str], Iterator[Item]]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".text": text.read,
    ".md": text.read,  # markdown, as scrapers write pages: the cleaner reads it as text
    ".markdown": text.read,
    ".html": html.read,
    ".htm": html.read,
    ".jsonl": records.read_jsonl,
    ".ndjson": records.read_jsonl,
    ".json": records.read_json,
    ".csv": records.read_csv,
}
BYTES_READERS: dict[str, BytesReader] = {
    ".rss": feeds.read,
    ".atom": feeds.read,
    ".xml": feeds.read,
}
FILE_READERS: dict[str, FileReader] = {
    ".warc": warc.read_path,
    ".warc.gz": warc.read_path,
}
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv"}
SIZE_LIMITS = {**{s: MAX_RECORD_FILE_BYTES for s in RECORD_SUFFIXES},
               **{s: feeds.MAX_FEED_BYTES for s in BYTES_READERS}}
SUPPORTED = sorted({*READERS, *BYTES_READERS, *FILE_READERS})


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Rejection]:
    """Expand files and folders (recursively, sorted) into files; missing paths are rejections.

    Symlinked folders are not descended into (no loops); every other entry, a link, a pipe
    or a socket included, is yielded so that it is read or rejected, never silently skipped.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                found = sorted(p for p in path.rglob("*") if p.is_symlink() or not p.is_dir())
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


def snapshot(folder: str | os.PathLike[str]) -> dict[Path, tuple[float, int] | None]:
    """Every input under ``folder`` (as ``iter_files`` lists them) with its (mtime, size):
    what ``watch`` compares between scans. An entry it cannot stat maps to None, so it is
    still handed to the readers (and rejected with its reason) once."""
    found: dict[Path, tuple[float, int] | None] = {}
    for item in iter_files([folder]):
        if isinstance(item, Path):
            try:
                st = item.stat()
                found[item] = (st.st_mtime, st.st_size)
            except OSError:
                found[item] = None
    return found


def format_of(path: Path) -> str | None:
    """The reader key for a file name (``.warc.gz``, ``.jsonl``...), ``None`` if unknown."""
    name = path.name.lower()
    for suffix in FILE_READERS:
        if name.endswith(suffix):
            return suffix
    suffix = Path(name.removesuffix(".gz")).suffix
    return suffix if suffix in READERS or suffix in BYTES_READERS else None


def sniff(head: bytes) -> str | None:
    """The reader key for a file's first bytes (decompressed), ``None`` if unrecognised."""
    if head.startswith(b"WARC/"):
        return ".warc"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:SNIFF_BYTES].lower()
    if start.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) and any(
            tag in start for tag in (b"<rss", b"<feed", b"<rdf:rdf")):
        return ".xml"
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:1024]:
        return ".html"
    return None


def read_file(path: Path) -> Iterator[Item]:
    """Read one file with the reader for its extension (or, failing that, its content)."""
    origin = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder (symlinked folders are not followed)" if stat.S_ISDIR(
                info.st_mode) else "not a regular file (a pipe, socket or device)"
            yield Rejection(origin, f"cannot read: {what}")
            return
        fmt = format_of(path) or _sniff_file(path)
    except OSError as exc:
        yield Rejection(origin, f"cannot read: {exc.strerror or exc}")
        return
    if fmt is None:
        suffix = path.suffix.lower()
        yield Rejection(origin, f"unsupported file type {suffix or '(none)'!r}; "
                                f"supported: {', '.join(SUPPORTED)}")
        return
    if fmt in FILE_READERS:
        yield from guarded(FILE_READERS[fmt](path, origin), origin)
        return
    limit = SIZE_LIMITS.get(fmt, MAX_FILE_BYTES)
    try:
        data = _read_bytes(path, info.st_size, limit, fmt)
    except OSError as exc:
        yield Rejection(origin, f"cannot read: {exc.strerror or exc}")
        return
    except InputError as exc:
        yield Rejection(origin, str(exc))
        return
    if fmt in BYTES_READERS:
        if not data.strip():
            yield Rejection(origin, "empty file")
            return
        yield from guarded(BYTES_READERS[fmt](data, origin), origin)
        return
    try:
        decoded = decode_bytes(data)
    except InputError as exc:
        yield Rejection(origin, str(exc))
        return
    if decoded.warning:
        yield Notice(origin, decoded.warning)
    yield from guarded(READERS[fmt](decoded.text, origin), origin)


def _read_bytes(path: Path, size: int, limit: int, fmt: str) -> bytes:
    """The file's bytes, gunzipped when compressed, never more than ``limit`` of them."""
    if size > limit and not path.name.lower().endswith(".gz"):
        raise InputError(f"file too large ({size / 2**20:.0f} MB > "
                         f"{limit / 2**20:.0f} MB limit for {fmt} files)")
    with open(path, "rb") as f:
        data = read_capped(f, limit, "file")
    if is_gzip(data):
        data = gunzip_capped(data, limit)
    return data


def _sniff_file(path: Path) -> str | None:
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if is_gzip(head):
        with open(path, "rb") as f:  # only the head is inflated: a bomb cannot go off here
            try:
                head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(
                    f.read(64 * 1024), SNIFF_BYTES)
            except zlib.error:
                return None
    return sniff(head)


def guarded(items: Iterator[Item], origin: str,
            seconds: float = DOCUMENT_SECONDS) -> Iterator[Item]:
    """A reader's records, each produced within ``seconds``; a reader that raises or hangs
    ends in a rejection of ``origin`` (what it yielded before stays), and one that yields
    nothing (a CSV with a header only, an empty JSON array) in a rejection saying so."""
    produced = 0
    while True:
        try:
            with time_limit(seconds, "reading"):
                item = next(items)
        except StopIteration:
            if not produced:
                yield Rejection(origin, "no articles or records found in the file")
            return
        except TimeLimitExceeded as exc:
            yield Rejection(origin, f"reading stopped: {exc} (hostile or broken input)")
            return
        except Exception as exc:  # a reader bug or a parser's surprise, on one file
            yield Rejection(origin, f"could not read: {type(exc).__name__}: "
                                    f"{' '.join(str(exc).split())[:200]}")
            return
        produced += 1
        yield item


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
