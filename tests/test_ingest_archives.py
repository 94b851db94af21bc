"""WARC and RSS/Atom readers, built from the sample articles: every record accounted for."""

import gzip
import io
import os

import pytest
from archives import WarcBuilder, build_atom, build_rss, build_warc, sample_articles
from conftest import SAMPLE

from storyline import Storyline
from storyline.ingest import format_of, read_file, read_paths, sniff
from storyline.ingest.feeds import read as read_feed
from storyline.types import Notice, RawDocument, Rejection


@pytest.fixture(scope="module")
def articles():
    return sample_articles(SAMPLE)


def outcomes(items):
    docs = [i for i in items if isinstance(i, RawDocument)]
    rejected = [i for i in items if isinstance(i, Rejection)]
    notices = [i for i in items if isinstance(i, Notice)]
    return docs, rejected, notices


@pytest.mark.parametrize("compressed", [True, False])
def test_warc_every_record_is_an_article_a_rejection_or_counted(tmp_path, compressed):
    name = "crawl.warc.gz" if compressed else "crawl.warc"
    path, copies, expected = build_warc(SAMPLE, tmp_path / name, gzip=compressed)
    docs, rejected, notices = outcomes(list(read_file(path)))
    assert {d.origin for d in docs} == {o for o, e in expected.items() if e == "article"}
    assert {r.origin for r in rejected} == {o for o, e in expected.items() if e == "rejected"}
    skipped = sum(1 for e in expected.values() if e == "skipped")
    [notice] = notices
    assert notice.message.startswith(f"{skipped} WARC records are not captured documents")
    assert len(docs) + len(rejected) + skipped == len(expected)
    assert set(copies) == {d.origin for d in docs}
    reasons = " | ".join(r.reason for r in rejected)
    for expected_reason in ("HTTP 301 redirect: https://pages.example/old -> "
                            "https://pages.example/new", "HTTP 404", "HTTP 500",
                            "not an HTML page (image/png", "not an HTML page (application/pdf"):
        assert expected_reason in reasons
    page = next(d for d in docs if d.url == "https://pages.example/boe_rate_en")
    assert page.kind == "html" and page.date.endswith("T12:00:00Z") and "<html" in page.body.lower()


def test_warc_charset_from_http_header_and_revisit(tmp_path):
    w = WarcBuilder(tmp_path / "legacy.warc")
    text = "<html><body><p>Сильное землетрясение произошло в понедельник.</p></body></html>"
    w.response("https://ru.example/a", text.encode("cp1251"), ctype="text/html; charset=windows-1251")
    w.response("https://ru.example/b", text.encode("utf-8"), ctype="text/html; charset=nonsense-8")
    rec = w._writer.create_revisit_record("https://ru.example/a", digest="sha1:AAAA",
                                          refers_to_uri="https://ru.example/a",
                                          refers_to_date="2026-01-01T00:00:00Z")
    w._write(rec, "rejected")
    docs, rejected, _ = outcomes(list(read_file(w.close())))
    assert [d.body for d in docs] == [text, text]
    assert "revisit record" in rejected[0].reason


def test_truncated_and_garbage_warc_end_in_rejections(tmp_path):
    path, _, expected = build_warc(SAMPLE, tmp_path / "full.warc.gz")
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    items = list(read_file(cut))
    docs, rejected, _ = outcomes(items)
    assert docs and rejected  # what was complete is read; the cut is named
    garbage = tmp_path / "junk.warc"
    garbage.write_bytes(b"this is not a web archive\n" * 10)
    [rej] = list(read_file(garbage))
    assert isinstance(rej, Rejection) and "not a readable WARC file" in rej.reason


def test_rss_and_atom_entries_have_link_date_title_and_text(tmp_path, articles):
    rss, rss_copies = build_rss(tmp_path / "news.rss", articles)
    atom, atom_copies = build_atom(tmp_path / "news.atom", articles)
    for path, copies in ((rss, rss_copies), (atom, atom_copies)):
        docs = list(read_file(path))
        assert all(isinstance(d, RawDocument) for d in docs)
        assert [d.origin for d in docs] == list(copies)
        for doc, (origin, title, paragraphs, url, date) in zip(docs, articles):
            assert doc.title == title and doc.kind == "record"
            assert doc.body.splitlines() == [p.strip() for p in paragraphs if p.strip()]
            assert doc.url and (url is None or doc.url == url)
            assert date is None or doc.date == date[:10]


def test_feed_entry_without_text_is_rejected_and_summary_is_used():
    rss = (b'<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>t'
           b"</title><item><title>Caf\xe9 opens</title><link>https://x.example/1</link>"
           b"<description>&lt;p&gt;The caf\xe9 opened on Monday.&lt;/p&gt;&lt;p&gt;Second."
           b"&lt;/p&gt;</description></item><item><title>Empty</title></item>"
           b"</channel></rss>")
    first, second = read_feed(rss, "f.rss")
    assert first.title == "Café opens" and first.body == "The café opened on Monday.\nSecond."
    assert isinstance(second, Rejection) and "no content or summary" in second.reason


@pytest.mark.parametrize("data,reason", [
    (b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title></channel></rss>",
     "feed has no entries"),
    (b"<?xml version='1.0'?><catalog><book>1</book></catalog>", "not an RSS or Atom feed"),
    (b"\x00\x01 not xml at all <<<", "not an RSS or Atom feed"),
])
def test_not_a_feed_is_one_rejection(data, reason):
    [rej] = list(read_feed(data, "x.xml"))
    assert isinstance(rej, Rejection) and reason in rej.reason


def test_feed_reader_never_opens_what_the_bytes_name(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("<rss version='2.0'><channel><item><title>leak</title>"
                      "<description>leaked text</description></item></channel></rss>")
    [rej] = list(read_feed(str(secret).encode(), "x.xml"))  # a path is data, never a file
    assert isinstance(rej, Rejection)


def test_dispatch_by_extension_gzip_and_sniffing(tmp_path, articles):
    assert format_of(tmp_path / "a.warc.gz") == ".warc.gz"
    assert format_of(tmp_path / "A.JSONL.GZ") == ".jsonl"
    assert format_of(tmp_path / "feed.atom") == ".atom"
    assert format_of(tmp_path / "page.php") is None
    assert sniff(b"WARC/1.0\r\n") == ".warc"
    assert sniff(b"\xef\xbb\xbf<?xml version='1.0'?>\n<feed xmlns='x'>") == ".xml"
    assert sniff(b"<!DOCTYPE html><html>") == ".html"
    warc, _, _ = build_warc(SAMPLE, tmp_path / "w.warc.gz")
    os.rename(warc, tmp_path / "crawl-0001")  # no extension: recognised by content
    rss, _ = build_rss(tmp_path / "r.rss", articles[:3])
    (tmp_path / "feed.php").write_bytes(rss.read_bytes())
    rss.unlink()
    (tmp_path / "page.jsonl.gz").write_bytes(gzip.compress(
        b'{"title": "T", "text": "Body of the article."}\n'))
    docs = [d for d in read_paths([tmp_path]) if isinstance(d, RawDocument)]
    origins = {os.path.basename(d.origin.split("#")[0]) for d in docs}
    assert origins == {"crawl-0001", "feed.php", "page.jsonl.gz"}


def test_pipeline_accounts_for_every_record(tmp_path, hashing_embedder, articles):
    inbox = tmp_path / "in"
    inbox.mkdir()
    warc, copies, expected = build_warc(SAMPLE, inbox / "crawl.warc.gz", articles=articles[:10],
                                      pages=False)
    build_rss(inbox / "a.rss", articles[10:20])
    build_atom(inbox / "b.atom", articles[20:30])
    with Storyline(tmp_path / "db.sqlite", embedder=hashing_embedder) as sl:
        report = sl.add_paths([inbox])
        c = report.counts()
        accounted = c["stored"] + c["near_duplicates"] + c["duplicates"] + c["rejected"]
        skipped = sum(1 for e in expected.values() if e == "skipped")
        assert accounted + skipped == len(expected) + 20
        assert c["rejected"] == sum(1 for e in expected.values() if e == "rejected")
        stored = {a.origin: a for a in sl.articles()}
        page = stored[next(iter(copies))]
        assert page.url == "https://agency-a.example/ecb_rates_en"
        assert page.date == articles[0][4]  # the capture date (= publication, here)
        again = sl.add_paths([inbox])
        assert again.counts()["stored"] == 0 and again.counts()["unchanged"] == accounted - c["rejected"]


def test_gzip_bomb_is_rejected_without_inflating_it(tmp_path):
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb") as f:
        chunk = b"A" * 2**20
        for _ in range(200):  # 200 MB of text, ~200 kB on disk
            f.write(chunk)
    (tmp_path / "bomb.txt.gz").write_bytes(bomb.getvalue())
    [rej] = list(read_file(tmp_path / "bomb.txt.gz"))
    assert isinstance(rej, Rejection) and "gzip bomb" in rej.reason
