"""The cleaner on real news pages from another source, never used to choose anything.

Usage: python benchmarks/textclean_independent.py DATA_DIR [--renderings w3m,lynx,...] [--pages] [--model M.npz]
       [--by-script]

DATA_DIR holds ``html/<name>.html`` and the reviewed article of each page, ``txt/<name>.txt``
(or ``metadata/<name>.json`` with a ``text`` field): the layout of the newspaper4k project's test
data, which is not part of this repository. Get it with

    pip download --no-deps --no-binary :all: newspaper4k==0.9.6 -d /tmp/np4k
    tar xzf /tmp/np4k/newspaper4k-0.9.6.tar.gz -C /tmp/np4k

and pass ``/tmp/np4k/newspaper4k-0.9.6/tests/data``. It holds news articles in English, Arabic,
Chinese, Japanese, Korean, Thai, Burmese, Latvian and Spanish, with the article text the
project's maintainers expect from each page (their extractor's output, reviewed as a test
expectation). Pages without such a text (site front pages, a video page) are left out.

Each page is rendered from its HTML as a text browser shows it (the same commands as
``scripts/render_textclean.py``; ``unwrapped`` is ``w3m`` on a 1,000-column terminal: one
paragraph a line, as a browser's copy; ``fold72`` is that copy with each line wrapped at 72
columns, as e-mail and wire copy are), cleaned by the shipped cleaner, and scored by word
overlap with the reviewed article (``evaluate.word_overlap``: bag of words, micro-averaged over
pages). For scale, in the same run: the whole rendered text uncleaned, the rules alone, and
trafilatura on the *HTML* (not available to a text-only cleaner). The cleaner's title is also
checked against the page's metadata title (``title_right``). ``--pages`` lists each page's
recall, worst first. Needs w3m, lynx and html2text.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import runpy
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

from storyline.clean.linemodel import LineModel
from storyline.clean.text import TextCleaner
from storyline.evaluate import overlap_prf, word_overlap

ROOT = Path(__file__).resolve().parents[1]
RENDER = runpy.run_path(str(ROOT / "scripts" / "render_textclean.py"))
SHAPES = ["unwrapped", "fold72", "w3m", "lynx", "html2text"]
MIN_REFERENCE_CHARS = 150  # shorter reviewed texts are a teaser, not an article


def load(data: Path) -> list[dict]:
    """The pages with an HTML file and a reviewed article text of at least a paragraph."""
    pages = []
    for html in sorted((data / "html").glob("*.html")):
        name = html.stem
        txt = data / "txt" / f"{name}.txt"
        meta = data / "metadata" / f"{name}.json"
        ref = txt.read_text(encoding="utf-8") if txt.exists() else ""
        if not ref.strip() and meta.exists():
            ref = json.loads(meta.read_text(encoding="utf-8")).get("text") or ""
        title = json.loads(meta.read_text(encoding="utf-8")).get("title") if meta.exists() else None
        if len(ref.strip()) >= MIN_REFERENCE_CHARS:
            pages.append({"name": name, "html": RENDER["decode_html"](html.read_bytes()), "reference": ref,
                          "title": title or None})
    return pages


def render(shape: str, html: str) -> str:
    if shape == "fold72":  # e-mail and wire copy: each line of the browser's copy wrapped at 72
        return "\n".join(w for ln in _browser_copy(html).split("\n") for w in (textwrap.wrap(ln, 72) or [""]))
    if shape == "unwrapped":
        return _browser_copy(html)
    return RENDER["render"](shape, html)


@functools.lru_cache(maxsize=2)  # "unwrapped" and "fold72" of one page: w3m runs once
def _browser_copy(html: str) -> str:
    """One paragraph a line: ``w3m`` on a 1,000-column terminal."""
    cmd = ["w3m", "-dump", "-T", "text/html", "-cols", "1000", "-I", "UTF-8", "-O", "UTF-8"]
    out = subprocess.run(cmd, input=RENDER["_utf8_meta"](html).encode("utf-8"), capture_output=True,
                         timeout=60, check=False)
    return out.stdout.decode("utf-8", "replace")


def script(text: str) -> str:
    """The commonest script among the text's letters (Unicode name's first word: LATIN, ARABIC,
    CJK, HIRAGANA, THAI, MYANMAR, ...); CJK, kana and hangul count as one, "CJK"."""
    counts = collections.Counter(unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha())
    for name in ("HIRAGANA", "KATAKANA", "HANGUL"):
        counts["CJK"] += counts.pop(name, 0)
    return counts.most_common(1)[0][0] if counts else "NONE"


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def title_right(got: str | None, expected: str) -> bool:
    """Whether the cleaner's title is the page's headline: one holds the other (a site name
    appended to the metadata title, "Headline : Site"), and it is at least half as long."""
    a, b = _key(got), _key(expected)
    return bool(a) and (a in b or b in a) and len(a) >= len(b) / 2


def _output(doc) -> str:
    return "\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--renderings", default=",".join(SHAPES))
    ap.add_argument("--pages", action="store_true", help="each page's recall, worst first")
    ap.add_argument("--model", help="a line model file to use instead of the shipped one")
    ap.add_argument("--by-script", action="store_true",
                    help="also the rules and the cleaner per script of the reviewed article")
    args = ap.parse_args()
    pages = load(args.data)
    if not pages:
        sys.exit(f"{args.data}: no page with html/<name>.html and a reviewed text")
    import trafilatura

    cleaner = TextCleaner(model=LineModel.load(args.model) if args.model else None)
    rules = TextCleaner(learned=False)
    totals: dict[str, list[int]] = {}
    per_page: list[tuple[float, str, str, float]] = []
    titles: dict[str, list[int]] = {}  # "<shape>: rules only" / "<shape>: cleaner": [right, pages]

    def add(key: str, counts: tuple[int, int, int]) -> None:
        t = totals.setdefault(key, [0, 0, 0])
        for i, c in enumerate(counts):
            t[i] += c

    for p in pages:
        add("trafilatura on the HTML", word_overlap(trafilatura.extract(p["html"]) or "", p["reference"]))
        group = script(p["reference"])
        for shape in args.renderings.split(","):
            text = render(shape, p["html"])
            add(f"{shape}: uncleaned", word_overlap(text, p["reference"]))
            by_rules, by_cleaner = rules.clean(text), cleaner.clean(text)
            r = word_overlap(_output(by_rules), p["reference"])
            add(f"{shape}: rules only", r)
            c = word_overlap(_output(by_cleaner), p["reference"])
            add(f"{shape}: cleaner", c)
            if p["title"]:
                for key, doc in ((f"{shape}: rules only", by_rules), (f"{shape}: cleaner", by_cleaner)):
                    t = titles.setdefault(key, [0, 0])
                    t[0] += title_right(doc.title, p["title"])
                    t[1] += 1
            if args.by_script:
                add(f"{group}, {shape}: rules only", r)
                add(f"{group}, {shape}: cleaner", c)
            per_page.append((c[0] / max(c[2], 1), shape, p["name"], c[0] / max(c[1], 1)))
    print(f"{len(pages)} pages; word overlap with the reviewed article, micro over pages")
    print("| method | precision | recall | F1 |\n|---|---|---|---|")
    for key, t in sorted(totals.items(), key=lambda kv: ", " in kv[0]):  # overall rows, then by script
        s = overlap_prf(*t)
        print(f"| {key} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    if titles:
        print("\nheadline right (the page's metadata title), pages")
        print("| method | right | pages |\n|---|---|---|")
        for key, (right, n) in titles.items():
            print(f"| {key} | {right} | {n} |")
    if args.pages:
        for r, shape, name, prec in sorted(per_page)[:25]:
            print(f"  recall {r:.2f} precision {prec:.2f}  {shape:10s} {name}")


if __name__ == "__main__":
    main()
