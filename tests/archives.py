"""Build WARC, RSS and Atom files from the sample articles (team-written, examples/sample).

Used by the reader tests, the end-to-end "clustered like their plain-file copies" test and
benchmarks/bench_archives.py. Each builder returns the archive path and a map from each
archive record's origin to the plain file (or record) it was made from.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.clean.html import HtmlCleaner

CAPTURED = "2026-06-01T12:00:00Z"


def sample_articles(sample: Path) -> list[tuple[str, str, list[str], str | None, str | None]]:
    """(plain origin relative to ``sample``, title, paragraphs, url, date) of every sample
    article: the .txt files (first line is the title) and the JSONL/CSV records."""
    import csv

    from storyline.clean import DocumentCleaner
    from storyline.pipeline import iso_date
    from storyline.types import RawDocument

    cleaner = DocumentCleaner()
    out = []
    for path in sorted(sample.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        # the date the plain file yields: what the publisher's feed or crawl would carry
        date = iso_date(cleaner.clean(RawDocument(path.name, "text", text)).document.date)
        out.append((str(path.relative_to(sample)), lines[0], lines[1:], None, date))
    for path in sorted(sample.rglob("*.jsonl")):
        for n, line in enumerate((ln for ln in path.read_text().splitlines() if ln.strip()), 1):
            rec = json.loads(line)
            out.append((f"{path.relative_to(sample)}#{n}", rec["title"],
                        rec["text"].splitlines(), rec.get("url"), rec.get("date")))
    for path in sorted(sample.rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for n, rec in enumerate(csv.DictReader(f), 1):
                out.append((f"{path.relative_to(sample)}#{n}", rec["title"],
                            rec["text"].splitlines(), rec.get("url"), rec.get("date")))
    return out


def article_html(title: str, paragraphs: Sequence[str]) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title></head><body><nav><a href='/'>Home</a></nav><article><h1>"
            f"{html.escape(title)}</h1>\n{body}</article><footer>(c) Example</footer>"
            f"</body></html>")


class WarcBuilder:
    """A WARC file written record by record; ``origins`` maps record origin -> label."""

    def __init__(self, path: Path, gzip: bool = True) -> None:
        self.path = path
        self._buf = io.BytesIO()
        self._writer = WARCWriter(self._buf, gzip=gzip)
        self.count = 0
        self.expected: dict[str, str] = {}  # origin -> what the record must end as

    def _write(self, record, outcome: str) -> None:
        self._writer.write_record(record)
        self.count += 1
        self.expected[f"{self.path}#{self.count}"] = outcome

    def warcinfo(self) -> None:
        self._write(self._writer.create_warcinfo_record(self.path.name, {"software": "tests"}),
                    "skipped")

    def response(self, uri: str, body: bytes, status: str = "200 OK",
                 ctype: str = "text/html; charset=utf-8", extra: Iterable = (),
                 outcome: str = "article", date: str = CAPTURED) -> None:
        headers = StatusAndHeaders(status, [("Content-Type", ctype), *extra],
                                   protocol="HTTP/1.1")
        rec = self._writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                              http_headers=headers,
                                              warc_headers_dict={"WARC-Date": date})
        self._write(rec, outcome)

    def request(self, uri: str) -> None:
        headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", uri.split("/")[2])],
                                   is_http_request=True)
        rec = self._writer.create_warc_record(uri, "request", payload=io.BytesIO(b""),
                                              http_headers=headers)
        self._write(rec, "skipped")

    def metadata(self, uri: str) -> None:
        rec = self._writer.create_warc_record(uri, "metadata",
                                              payload=io.BytesIO(b"fetchTimeMs: 12\n"),
                                              warc_content_type="application/warc-fields")
        self._write(rec, "skipped")

    def close(self) -> Path:
        self.path.write_bytes(self._buf.getvalue())
        return self.path


def build_warc(sample: Path, path: Path, articles: Sequence[tuple] | None = None,
               gzip: bool = True, pages: bool = True) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A WARC of the sample: each HTML page as an HTML 200 response (with its request and
    metadata records), each article (default: all) as a generated page, plus a redirect, a 404, a 500, an image, a PDF and a JSON response.

    Returns (path, {record origin: plain origin} for the articles, {record origin: outcome}
    for every record: 'article', 'rejected' or 'skipped').
    """
    w = WarcBuilder(path, gzip=gzip)
    w.warcinfo()
    copies: dict[str, str] = {}
    html_pages = sorted((sample / "html").glob("*.html")) if pages else []
    for page in html_pages:
        uri = f"https://pages.example/{page.stem}"
        w.request(uri)
        date = HtmlCleaner().clean(page.read_text(encoding="utf-8"))[0].date  # crawled when
        w.response(uri, page.read_bytes(),  # published, like the articles below
                   date=f"{date[:10]}T12:00:00Z" if date else CAPTURED)
        copies[f"{path}#{w.count}"] = str(page.relative_to(sample))
        w.metadata(uri)
    for origin, title, paragraphs, url, date in (articles if articles is not None
                                                 else sample_articles(sample)):
        uri = url or f"https://{origin.split('/')[0]}.example/{Path(origin).stem}"
        captured = f"{date[:10]}T12:00:00Z" if date else CAPTURED  # crawled when published
        w.response(uri, article_html(title, paragraphs).encode("utf-8"), date=captured)
        copies[f"{path}#{w.count}"] = origin
    w.response("https://pages.example/old", b"", status="301 Moved Permanently",
               extra=[("Location", "https://pages.example/new")], outcome="rejected")
    w.response("https://pages.example/gone", b"<html><body>Not found</body></html>",
               status="404 Not Found", outcome="rejected")
    w.response("https://pages.example/error", b"oops", status="500 Internal Server Error",
               ctype="text/plain", outcome="rejected")
    w.response("https://pages.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200),
               ctype="image/png", outcome="rejected")
    w.response("https://pages.example/report.pdf", b"%PDF-1.4\n%...", ctype="application/pdf",
               outcome="rejected")
    w.response("https://pages.example/api", b'{"ok": true}', ctype="application/json",
               outcome="rejected")
    return w.close(), copies, w.expected


def _rfc822(date: str | None) -> str:
    if not date:
        return ""
    d = datetime.fromisoformat(date[:10]).replace(tzinfo=timezone.utc)
    return f"<pubDate>{format_datetime(d)}</pubDate>"


def build_rss(path: Path, articles: Sequence[tuple]) -> tuple[Path, dict[str, str]]:
    """An RSS 2.0 feed with each article's full text in ``content:encoded``."""
    items, copies = [], {}
    for n, (origin, title, paragraphs, url, date) in enumerate(articles, start=1):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        link = url or f"https://rss.example/{Path(origin.split('#')[0]).stem}-{n}"
        items.append(f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
                     f"{_rfc822(date)}<description>{html.escape(paragraphs[0][:80] if paragraphs else '')}"
                     f"</description><content:encoded><![CDATA[{body}]]></content:encoded></item>")
        copies[f"{path}#{n}"] = origin
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Sample news</title><link>https://rss.example/</link><description>tests"
        f"</description>{''.join(items)}</channel></rss>\n", encoding="utf-8")
    return path, copies


def build_atom(path: Path, articles: Sequence[tuple]) -> tuple[Path, dict[str, str]]:
    """An Atom 1.0 feed with each article's text as HTML ``content``."""
    entries, copies = [], {}
    for n, (origin, title, paragraphs, url, date) in enumerate(articles, start=1):
        body = html.escape("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))
        link = url or f"https://atom.example/{Path(origin.split('#')[0]).stem}-{n}"
        updated = f"<updated>{date[:10]}T09:00:00Z</updated>" if date else ""
        entries.append(f"<entry><title>{html.escape(title)}</title><link href=\"{html.escape(link)}\"/>"
                       f"<id>urn:sample:{n}</id>{updated}"
                       f"<content type=\"html\">{body}</content></entry>")
        copies[f"{path}#{n}"] = origin
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Sample news</title><id>urn:sample</id><updated>2026-06-01T09:00:00Z</updated>"
        f"{''.join(entries)}</feed>\n", encoding="utf-8")
    return path, copies
