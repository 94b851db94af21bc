"""Web archives (WARC, ``.warc`` / ``.warc.gz``, as Common Crawl's CC-NEWS and crawlers write).

Each HTML response with HTTP status 200 (or HTML ``resource`` record) is one article page,
with its target URI and capture date (as its date). Every other record is accounted for: redirects,
errors, non-HTML payloads and revisits are rejections with their reason; records that are
not captures at all (warcinfo, request, metadata) are counted in one notice per file.
Records are streamed (warcio), so a multi-GB archive never sits in memory.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from storyline.errors import InputError
from storyline.ingest.decode import decode_bytes
from storyline.ingest.limits import html_problem, read_capped
from storyline.types import Notice, RawDocument, Rejection

# One page's HTML; the same cap as a page file.
MAX_PAGE_BYTES = 10 * 1024 * 1024
# Skipping a record means inflating it; a record declaring more than this many bytes per
# compressed byte left in the file (and over MIN_BOMB_BYTES) is a decompression bomb.
BOMB_RATIO = 200
MIN_BOMB_BYTES = 64 * 1024 * 1024
DOCUMENT_RECORDS = ("response", "resource")
HTML_TYPES = ("text/html", "application/xhtml+xml")

Item = RawDocument | Rejection | Notice


def read_path(path: Path, origin: str) -> Iterator[Item]:
    """Stream the records of one WARC file; the N-th record's origin is ``origin#N``."""
    skipped: Counter[str] = Counter()
    size = path.stat().st_size
    if not _starts_as_warc(path):
        yield Rejection(origin, "not a readable WARC file: it does not start with 'WARC/'")
        return
    from warcio.archiveiterator import ArchiveIterator  # on the first WARC: most runs read none

    with open(path, "rb") as f:
        archive = ArchiveIterator(f, check_digests=False)
        records = iter(archive)
        n = missing = 0
        while True:
            try:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints its warnings
                    record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # warcio raises ArchiveLoadFailed, ValueError, zlib.error...
                where = f"{origin}#{n + 1}" if n else origin
                what = "malformed WARC record" if n else "not a readable WARC file"
                yield Rejection(where, f"{what}: {_one_line(exc)}"
                                       + ("; the rest of the file was not read" if n else ""))
                break
            n += 1
            where = f"{origin}#{n}"
            declared = int(record.length or 0)
            if declared > MIN_BOMB_BYTES and declared > BOMB_RATIO * max(size - f.tell(), 1):
                yield Rejection(where, f"record declares {declared:,} bytes from a "
                                       f"{size:,}-byte file (a decompression bomb); the rest "
                                       "of the file was not read")
                break
            if record.rec_type in DOCUMENT_RECORDS:
                items = list(_document(record, where))
            elif record.rec_type == "revisit":
                uri = record.rec_headers.get_header("WARC-Target-URI") or "?"
                items = [Rejection(where, f"revisit record: {uri} unchanged since an earlier "
                                          "capture (its content is not repeated here)")]
            else:
                items = []
            with contextlib.redirect_stderr(io.StringIO()):
                missing = _drain(record)
            if missing:  # warcio ends quietly at a cut; the cut record must not pass as whole
                yield Rejection(where, f"truncated record ({missing:,} bytes missing): the "
                                       "file ends inside it")
                break
            if not items:
                skipped[record.rec_type or "untyped"] += 1
            yield from items
        tail = size - (archive.offset or 0)
        if n and tail > 0 and missing == 0 and _has_data(f, archive.offset, tail):
            yield Rejection(f"{origin}#{n + 1}", f"truncated or unreadable data in the last "
                                                 f"{tail:,} bytes of the file")
    if n == 0 and not skipped:
        yield Rejection(origin, "empty WARC file (no records)")
    if skipped:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items()))
        yield Notice(origin, f"{sum(skipped.values())} WARC records are not captured "
                             f"documents and were skipped ({kinds})")


def _document(record: object, where: str) -> Iterator[Item]:
    """A response or resource record: an article page, or a rejection saying why not."""
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    uri = rec_headers.get_header("WARC-Target-URI")
    if record.rec_type == "response":  # type: ignore[attr-defined]
        if http is None:
            yield Rejection(where, f"response record without an HTTP response ({uri})")
            return
        status = http.get_statuscode() or "?"
        ctype = http.get_header("Content-Type") or ""
        if status.startswith("3"):
            target = http.get_header("Location") or "?"
            yield Rejection(where, f"HTTP {status} redirect: {uri} -> {target}")
            return
        if status != "200":
            yield Rejection(where, f"HTTP {status} response, not a page ({uri})")
            return
    else:
        ctype = rec_headers.get_header("Content-Type") or ""
    try:
        payload = read_capped(record.content_stream(), MAX_PAGE_BYTES,  # type: ignore[attr-defined]
                              "page")
    except InputError as exc:
        yield Rejection(where, f"{exc} ({uri})")
        return
    except Exception as exc:  # a broken chunked/gzip/brotli body
        yield Rejection(where, f"unreadable HTTP payload ({uri}): {_one_line(exc)}")
        return
    if not _is_html(ctype, payload):
        yield Rejection(where, f"not an HTML page ({ctype.split(';')[0].strip() or 'no type'}: "
                               f"{uri})")
        return
    try:
        text, warning = _decode(payload, ctype)
    except InputError as exc:
        yield Rejection(where, f"{exc} ({uri})")
        return
    problem = html_problem(text)
    if problem:
        yield Rejection(where, f"{problem} ({uri})")
        return
    if warning:
        yield Notice(where, warning)
    # The capture date is the article's date: news crawls (CC-NEWS) fetch a page within hours
    # of publication, and it is a recorded fact where a page's own date is often a guess.
    yield RawDocument(origin=where, kind="html", body=text, url=uri,
                      date=rec_headers.get_header("WARC-Date"))


def _starts_as_warc(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _drain(record: object) -> int:
    """Read the rest of a record; the number of declared bytes the file did not hold."""
    raw = record.raw_stream  # type: ignore[attr-defined]
    while raw.read(1 << 16):
        pass
    return int(getattr(raw, "limit", 0) or 0)


def _has_data(f: object, offset: int, length: int) -> bool:
    f.seek(offset)  # type: ignore[attr-defined]
    return bool(f.read(min(length, 4096)).strip(b"\r\n\x00 "))  # type: ignore[attr-defined]


def _is_html(ctype: str, payload: bytes) -> bool:
    media = ctype.split(";")[0].strip().lower()
    if media:
        return media in HTML_TYPES
    head = payload[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _decode(payload: bytes, ctype: str) -> tuple[str, str | None]:
    """The payload as text: the declared charset when it decodes cleanly, else sniffed."""
    for param in ctype.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            try:
                codec = codecs.lookup(value.strip().strip("\"'"))
                if payload.strip():
                    return payload.decode(codec.name), None
            except (LookupError, UnicodeDecodeError):
                pass
    decoded = decode_bytes(payload)
    return decoded.text, decoded.warning


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
