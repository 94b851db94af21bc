"""Limits that keep one hostile document from stalling a run: sizes, decompression, time.

Sizes are checked *before* a parser sees the data (the cheap, certain guard); the time limit
is the watchdog for what a size cap cannot bound (a parser that backtracks or loops).
"""

from __future__ import annotations

import signal
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from storyline.errors import InputError

# Seconds one document (one file's read, or one record's clean + language tag) may take. A
# real page takes milliseconds and a 10 MB dump a few seconds; past this it is hostile input.
DOCUMENT_SECONDS = 30.0
GZIP_MAGIC = b"\x1f\x8b"
# Parsing time grows with elements and lines, not bytes: a real article page has a few
# thousand tags and a page dump a few thousand lines. Past these caps (measured: 500k tags
# take trafilatura ~140 s, 300k lines take the text cleaner ~40 s) a file is no article.
MAX_HTML_TAGS = 100_000
MAX_TEXT_LINES = 50_000


class TimeLimitExceeded(BaseException):  # noqa: N818 - reads as the event it reports
    """A document ran past its time limit.

    A BaseException, like KeyboardInterrupt, so that the broad ``except Exception`` blocks
    inside third-party parsers (trafilatura has many) cannot swallow it.
    """


@contextmanager
def time_limit(seconds: float = DOCUMENT_SECONDS, what: str = "document") -> Iterator[None]:
    """Raise TimeLimitExceeded in the block after ``seconds``.

    A SIGALRM interval timer: it interrupts Python code, and C code (lxml, re) as soon as it
    returns to Python, so the size caps before parsing bound the C parts. Outside the main
    thread (or without SIGALRM) signals cannot be used and the block runs unlimited.
    """
    if (seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(f"{what} took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_capped(stream: BinaryIO, limit: int, what: str) -> bytes:
    """Read at most ``limit`` bytes; InputError when there is more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{what} too large (> {limit / 2**20:.0f} MB)")
    return data


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Decompress a gzip stream (all members) to at most ``limit`` bytes.

    The output is bounded before it is produced, so a gzip bomb costs ``limit`` bytes of
    memory and the time to inflate them, never more.
    """
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while True:
                chunk = inflater.decompress(rest, limit + 1 - len(out))
                out += chunk
                if len(out) > limit:
                    raise InputError(f"decompresses to more than {limit / 2**20:.0f} MB "
                                     "(a gzip bomb or not a single document)")
                rest = inflater.unconsumed_tail
                if inflater.eof or not rest:
                    break
        except zlib.error as exc:
            raise InputError(f"corrupt gzip stream: {exc}") from None
        if not inflater.eof:
            raise InputError("truncated gzip stream")
        rest = inflater.unused_data.lstrip(b"\x00")  # members may be padded with NULs
        if rest and not rest.startswith(GZIP_MAGIC):
            break  # trailing garbage after the last member: keep what was read
    return bytes(out)


def html_problem(body: str) -> str | None:
    """Why an HTML page is too costly to parse, or None; counted before parsing."""
    tags = body.count("<")
    if tags > MAX_HTML_TAGS:
        return f"too many HTML tags ({tags:,} > {MAX_HTML_TAGS:,}): not an article page"
    return None


def text_problem(body: str) -> str | None:
    """Why a page dump is too costly to clean, or None."""
    lines = body.count("\n")
    if lines > MAX_TEXT_LINES:
        return f"too many lines ({lines:,} > {MAX_TEXT_LINES:,}): not an article or page dump"
    return None


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


__all__ = ["DOCUMENT_SECONDS", "TimeLimitExceeded", "gunzip_capped", "html_problem", "is_gzip",
           "read_capped", "text_problem", "time_limit"]
