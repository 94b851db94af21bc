"""Hostile and broken inputs: generators shared by test_hostile.py and bench_hostile.py.

Each generator takes a ``random.Random`` and a size scale and returns (file name, bytes).
The property tests draw small ones through Hypothesis; the benchmark draws 10,000+.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import random
import zipfile

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ZERO_WIDTH_AND_BIDI = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
                      "\u2066\u2067\u2068\u2069\u061c\u00ad"
SCRIPTS = ("Earthquake hits the city, officials said on Monday. ",
           "Σεισμός στην Κρήτη, δήλωσαν οι αρχές. ", "Землетрясение произошло утром. ",
           "زلزال قوي يضرب المدينة صباح الاثنين. ", "地震袭击了这座城市，官员表示。",
           "Deprem sabah saatlerinde meydana geldi. ", "भूकंप ने शहर को हिला दिया। ")
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "cp1251", "latin-1", "shift_jis", "gb18030",
             "cp1256", "iso-8859-7", "koi8-r", "utf-32")
EXTENSIONS = (".txt", ".html", ".htm", ".jsonl", ".json", ".csv", ".xml", ".rss", ".atom",
              ".warc", ".warc.gz", ".txt.gz", ".html.gz", "", ".bin", ".zip")
TAGS = ("div", "p", "span", "article", "table", "tr", "td", "ul", "li", "b", "i", "a", "h1",
        "script", "style", "iframe", "svg", "math", "template", "noscript", "title", "body")


def prose(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SCRIPTS) for _ in range(n))


def sprinkle(rng: random.Random, text: str, rate: float = 0.2) -> str:
    """Zero-width and bidi controls (and soft hyphens) scattered through ``text``."""
    return "".join(ch + (rng.choice(ZERO_WIDTH_AND_BIDI) if rng.random() < rate else "")
                   for ch in text)


def encode_mixed(rng: random.Random, text: str) -> bytes:
    """Pieces of ``text`` each in a different encoding: a file no single codec decodes."""
    out = bytearray()
    for piece in (text[i:i + 40] for i in range(0, len(text), 40)):
        out += piece.encode(rng.choice(ENCODINGS), errors="replace")
    return bytes(out)


def random_bytes(rng: random.Random, scale: int) -> bytes:
    return rng.randbytes(rng.randint(0, 64 * scale))


def text_with_controls(rng: random.Random, scale: int) -> bytes:
    text = "Title " + sprinkle(rng, prose(rng, 3)) + "\n" + sprinkle(rng, prose(rng, 5 * scale),
                                                                     rng.random())
    return text.encode(rng.choice(ENCODINGS), errors="replace")


def mixed_encodings(rng: random.Random, scale: int) -> bytes:
    return encode_mixed(rng, "Headline\n" + prose(rng, 8 * scale))


def huge_line(rng: random.Random, scale: int) -> bytes:
    unit = rng.choice(("word ", ".", "\u200b", "a" * 50, "<", "&amp;", "日本"))
    return ("Title\n" + unit * (2000 * scale)).encode("utf-8")


def deep_html(rng: random.Random, scale: int) -> bytes:
    depth = rng.randint(1, 500 * scale)
    tag = rng.choice(TAGS)
    closed = rng.random() < 0.5
    body = f"<{tag}>" * depth + prose(rng, 3) + (f"</{tag}>" * depth if closed else "")
    return f"<html><body>{body}</body></html>".encode()


def tag_soup(rng: random.Random, scale: int) -> bytes:
    parts = []
    for _ in range(rng.randint(1, 40 * scale)):
        r = rng.random()
        tag = rng.choice(TAGS)
        if r < 0.3:
            parts.append(f"<{tag} {rng.choice(['class', 'id', 'x'])}=\"{'q' * rng.randint(0, 300)}")
        elif r < 0.5:
            parts.append(f"</{tag}>")
        elif r < 0.6:
            parts.append(rng.choice(["<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE", "<?xml ",
                                     "&#x110000;", "&#0;", "&" * 10, "<<<>>>", "\x00"]))
        else:
            parts.append(f"<{tag}>" + sprinkle(rng, prose(rng, 1), 0.05))
    return ("<html>" + "".join(parts)).encode("utf-8", errors="replace")


def broken_json(rng: random.Random, scale: int) -> bytes:
    lines = []
    for _ in range(rng.randint(1, 10 * scale)):
        r = rng.random()
        if r < 0.2:
            lines.append("[" * rng.randint(1, 5000 * scale))
        elif r < 0.4:
            lines.append(json.dumps({"title": sprinkle(rng, prose(rng, 1)), "text": rng.choice(
                [None, 5, [], {}, "", prose(rng, 2)])}))
        elif r < 0.6:
            lines.append(json.dumps({"title": 1e308, "text": prose(rng, 3), "date": [1, 2],
                                     "lang": "\u202e\u202e", "url": "javascript:alert(1)"}))
        else:
            lines.append(rng.randbytes(rng.randint(0, 80)).decode("latin-1"))
    return "\n".join(lines).encode("utf-8", errors="replace")


def broken_csv(rng: random.Random, scale: int) -> bytes:
    rows = ["title,text,url"]
    for _ in range(rng.randint(0, 10 * scale)):
        rows.append(rng.choice([f'"{prose(rng, 1)}","{prose(rng, 3)}",x',
                                '"unclosed,quote' + "a" * rng.randint(0, 5000), "\x00,\x00",
                                ",,,,,,,,,", f"{prose(rng, 1)}"]))
    return "\n".join(rows).encode("utf-8")


def broken_feed(rng: random.Random, scale: int) -> bytes:
    items = "".join(f"<item><title>{sprinkle(rng, prose(rng, 1))}</title><link>http://x/{k}"
                    f"</link><description>{rng.choice(['', prose(rng, 3), '<p>', '&bogus;'])}"
                    f"</description><pubDate>{rng.choice(['yesterday', 'Mon, 99 Foo 2026', ''])}"
                    f"</pubDate></item>" for k in range(rng.randint(0, 5 * scale)))
    doc = (f"<?xml version='1.0' encoding='{rng.choice(['utf-8', 'bogus', 'utf-16'])}'?>"
           f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>")
    if rng.random() < 0.3:
        doc = ("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
               "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;"
               "&b;&b;&b;\"><!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
               "<rss version='2.0'><channel><item><title>&c;&x;</title><description>&c;"
               "</description></item></channel></rss>")
    data = doc.encode("utf-8", errors="replace")
    if rng.random() < 0.3 and data:
        cut = rng.randint(0, len(data))
        data = data[:cut]
    return data


def broken_warc(rng: random.Random, scale: int) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=rng.random() < 0.5)
    for k in range(rng.randint(0, 4 * scale)):
        status = rng.choice(["200 OK", "301 Moved", "404 Not Found", "200 OK", "999 Weird", "x"])
        ctype = rng.choice(["text/html", "text/html; charset=bogus", "image/png", "",
                            "text/html; charset=utf-16"])
        body = rng.choice([tag_soup(rng, 1), deep_html(rng, 1), rng.randbytes(50), b""])
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        try:  # without headers warcio parses them from the payload, which may not have any
            writer.write_record(writer.create_warc_record(
                f"http://h{k}.example/", rng.choice(["response", "resource", "metadata"]),
                payload=io.BytesIO(body), http_headers=headers if rng.random() < 0.9 else None))
        except Exception:  # noqa: BLE001 - EOFError, StatusAndHeadersParserException
            continue
    data = bytearray(buf.getvalue())
    r = rng.random()
    if data and r < 0.3:
        del data[rng.randint(0, len(data)):]  # truncated
    elif data and r < 0.6:
        for _ in range(rng.randint(1, 10)):  # bit flips
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    return bytes(data)


def gzip_stream(rng: random.Random, scale: int) -> bytes:
    inner = rng.choice([text_with_controls, tag_soup, broken_json, random_bytes])(rng, scale)
    data = gzip.compress(inner)
    r = rng.random()
    if r < 0.25:
        data = data[:rng.randint(0, len(data))]  # truncated stream
    elif r < 0.5:
        data = data + gzip.compress(inner) + rng.randbytes(rng.randint(0, 20))  # members + junk
    elif r < 0.6:
        data = gzip.compress(data)  # gzip inside gzip
    return data


def gzip_bomb(rng: random.Random, scale: int) -> bytes:
    return _gzip_bomb(rng.choice([b"\x00", b"A"]), rng.choice([12, 40, 200]))


@functools.lru_cache(maxsize=None)
def _gzip_bomb(byte: bytes, megabytes: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as f:
        block = byte * (1 << 20)
        for _ in range(megabytes):  # 12 MB to 200 MB inflated, from 12-200 kB
            f.write(block)
    return out.getvalue()


def zip_bomb(rng: random.Random, scale: int) -> bytes:
    return _zip_bomb(rng.choice([1, 20]))


@functools.lru_cache(maxsize=None)
def _zip_bomb(megabytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", b"0" * (megabytes << 20))
    return out.getvalue()


GENERATORS = {
    "random_bytes": random_bytes,
    "text_with_controls": text_with_controls,
    "mixed_encodings": mixed_encodings,
    "huge_line": huge_line,
    "deep_html": deep_html,
    "tag_soup": tag_soup,
    "broken_json": broken_json,
    "broken_csv": broken_csv,
    "broken_feed": broken_feed,
    "broken_warc": broken_warc,
    "gzip_stream": gzip_stream,
    "gzip_bomb": gzip_bomb,
    "zip_bomb": zip_bomb,
}
NATURAL_EXTENSION = {"deep_html": ".html", "tag_soup": ".html", "broken_json": ".jsonl",
                     "broken_csv": ".csv", "broken_feed": ".rss", "broken_warc": ".warc",
                     "gzip_stream": ".txt.gz", "gzip_bomb": ".txt.gz", "zip_bomb": ".zip"}


def hostile_file(rng: random.Random, kind: str, scale: int = 1) -> tuple[str, bytes]:
    """One hostile input of ``kind``: its file name (usually the extension its content
    claims, sometimes a random one) and its bytes."""
    data = GENERATORS[kind](rng, scale)
    if rng.random() < 0.7 and kind in NATURAL_EXTENSION:
        ext = NATURAL_EXTENSION[kind]
    else:
        ext = rng.choice(EXTENSIONS)
    return f"{kind}{ext}", data
