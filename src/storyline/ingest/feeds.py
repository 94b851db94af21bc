"""RSS and Atom feeds (feedparser): each entry is an article with link, date, title and text.

The entry's text is its full content when the feed carries it (``content:encoded``, Atom
``content``), else its summary/description; HTML in it is flattened to one paragraph per
block. Feedparser reads the bytes itself so the XML prolog's encoding is honoured.
"""

from __future__ import annotations

import html as html_lib
import io
import time
from collections.abc import Iterator, Mapping
from typing import Any

from storyline.types import Notice, RawDocument, Rejection

# Feeds are parsed whole (feedparser has no streaming mode): a real one is at most a few MB.
MAX_FEED_BYTES = 100 * 1024 * 1024
BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "tr", "section", "article", "figcaption", "header", "footer", "ul", "ol")

Item = RawDocument | Rejection | Notice


def read(data: bytes, origin: str) -> Iterator[Item]:
    """Every entry of one feed file; the N-th entry's origin is ``origin#N``."""
    import feedparser  # imported on the first feed: most runs read none

    # A stream, never a string: given a str, feedparser would treat a URL or a path as
    # something to fetch or open.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False,
                              sanitize_html=True)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if not parsed.get("version"):
            reason = "not an RSS or Atom feed"
            if problem is not None:
                reason += f" ({_one_line(problem)})"
        else:
            reason = "feed has no entries"
        yield Rejection(origin, reason)
        return
    if problem is not None:
        yield Notice(origin, f"feed is not well-formed ({_one_line(problem)}); read leniently")
    for n, entry in enumerate(parsed.entries, start=1):
        yield entry_document(entry, f"{origin}#{n}")


def entry_document(entry: Mapping[str, Any], origin: str) -> RawDocument | Rejection:
    """One feed entry as a structured record, or a rejection when it carries no text."""
    body = ""
    for item in entry.get("content") or []:  # Atom may hold several; take the fullest
        text = _text_of(item.get("value") or "", item.get("type") or "text/html")
        if len(text) > len(body):
            body = text
    if not body:
        detail = entry.get("summary_detail") or {}
        body = _text_of(entry.get("summary") or "", detail.get("type") or "text/html")
    title = _text_of(entry.get("title") or "", "text/html").replace("\n", " ").strip() or None
    if not body.strip():
        return Rejection(origin, "feed entry has no content or summary"
                                 + (f" ({title})" if title else ""))
    return RawDocument(origin=origin, kind="record", body=body, title=title,
                       url=(entry.get("link") or "").strip() or None, date=_date(entry))


def _date(entry: Mapping[str, Any]) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return time.strftime("%Y-%m-%d", value)
            except (TypeError, ValueError):
                continue
    return None


def _text_of(value: str, media: str) -> str:
    """Plain text of a feed field: HTML flattened with one line per block element."""
    if "html" not in media or "<" not in value:
        return html_lib.unescape(value).strip()
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return html_lib.unescape(value).strip()
    for el in root.iter(*BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
