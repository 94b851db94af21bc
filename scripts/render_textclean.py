"""Render the textclean dev pages' HTML into other real text shapes, for training and testing.

Usage: python scripts/render_textclean.py [BENCH_DIR] [--cache DIR] [--jobs N] [--extra]

Reads ``BENCH_DIR/dev.jsonl`` and ``BENCH_DIR/html/<id>.html`` (default ../shared/bench/textclean)
and writes, under the cache folder (default ``$STORYLINE_CACHE`` or ``~/.cache/storyline``, always
outside the repository: the benchmark's content is never committed), one textclean file per
rendering:

* ``shipped.jsonl``: the dev file's own text and snippets;
* ``w3m.jsonl``: ``w3m -dump`` (80 columns: hard-wrapped paragraphs, flattened tables/lists);
* ``lynx.jsonl``: ``lynx -dump`` (wrapped, ``[n]`` link marks, a numbered "References" footer);
* ``html2text.jsonl``: Debian's ``html2text`` (wrapped, ``*`` lists, ``[img]`` marks).

With ``--extra``, more real shapes, to test robustness (never trained on): ``w3m120`` (``w3m``
on a 120-column terminal), ``lynx60`` (``lynx`` at 60 columns), ``elinks`` and ``links2``
(``-dump`` at 80 columns; elinks' footer gives each link's title over its target), ``pandoc``
(``pandoc -t plain``, 72 columns), ``gfm`` and ``gfm80`` (markdown as scrapers write it:
``pandoc -t gfm``, one paragraph a line / wrapped at 80 columns, link targets overrunning).
They need ``apt-get install elinks links2 pandoc`` as well.

Each record: ``{"id", "url", "site", "text", "with", "without", "reference"}``. ``reference`` is
trafilatura's extraction of the same HTML (the anchor a text-only cleaner aims at, scored by
word overlap). The gold snippets are mapped to each rendering by the benchmark scorer's own rule
(whitespace collapsed, substring found), with the renderer's own link marks set aside: a snippet
is kept for a rendering when it is found in the rendered page; the others (text the renderer
drops or changes) are left out of that rendering's record, and their count is printed.

Needs w3m, lynx and html2text (``apt-get install w3m lynx html2text``). Rendering is done once
and cached: a record is re-rendered only when its cache file is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storyline.clean.shape import strip_link_marks
from storyline.evaluate import read_textclean, site_of

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "textclean"
COLS = "80"
RENDERERS: dict[str, list[str]] = {
    "w3m": ["w3m", "-dump", "-T", "text/html", "-cols", COLS, "-I", "UTF-8", "-O", "UTF-8"],
    "lynx": ["lynx", "-dump", "-stdin", "-force_html", f"-width={COLS}", "-assume_charset=utf-8",
             "-display_charset=utf-8"],
    "html2text": ["html2text", "-utf8", "-nobs", "-width", COLS],
}
_GFM = ["pandoc", "-f", "html-native_divs-native_spans", "-t", "gfm-raw_html"]
EXTRA_RENDERERS: dict[str, list[str]] = {
    "w3m120": ["w3m", "-dump", "-T", "text/html", "-cols", "120", "-I", "UTF-8", "-O", "UTF-8"],
    "lynx60": ["lynx", "-dump", "-stdin", "-force_html", "-width=60", "-assume_charset=utf-8",
               "-display_charset=utf-8"],
    "elinks": ["elinks", "-dump", "-dump-width", COLS, "-dump-charset", "utf-8", "-force-html"],
    "links2": ["links2", "-dump", "-width", COLS, "-codepage", "utf-8", "-html-assume-codepage", "utf-8"],
    "pandoc": ["pandoc", "-f", "html", "-t", "plain", "--columns", "72"],
    "gfm": [*_GFM, "--wrap=none"],
    "gfm80": [*_GFM, "--columns", COLS],
}
FROM_FILE = {"links2"}  # reads a file, not standard input


def default_cache() -> Path:
    return Path(os.environ.get("STORYLINE_CACHE", Path.home() / ".cache" / "storyline")) / "textclean"


def decode_html(raw: bytes) -> str:
    """The page's HTML as text: UTF-8 when it is, else the charset trafilatura detects."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from trafilatura.utils import decode_file

        return decode_file(raw)


def _utf8_meta(html: str) -> str:
    """Declare UTF-8 in the page so that a renderer honouring <meta charset> reads it right."""
    import re

    html = re.sub(r"<meta[^>]+charset[^>]*>", "", html, flags=re.I)
    return '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' + html


def render(name: str, html: str) -> str:
    cmd, page = {**RENDERERS, **EXTRA_RENDERERS}[name], _utf8_meta(html).encode("utf-8")
    if name in FROM_FILE:
        with tempfile.NamedTemporaryFile("wb", suffix=".html") as f:
            f.write(page)
            f.flush()
            out = subprocess.run([*cmd, f.name], capture_output=True, timeout=60, check=False)
    else:
        out = subprocess.run(cmd, input=page, capture_output=True, timeout=60, check=False)
    return out.stdout.decode("utf-8", "replace")


def reference(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def _norm(s: str) -> str:
    return " ".join(s.split())


def map_snippets(text: str, snippets: list[str]) -> list[str]:
    """The snippets the scorer's rule finds in ``text`` (link marks set aside)."""
    page = _norm(strip_link_marks(text))
    return [s for s in snippets if _norm(s) in page]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(DEFAULT_BENCH))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--extra", action="store_true", help="also the shapes of EXTRA_RENDERERS")
    args = ap.parse_args()
    names = [*RENDERERS, *(EXTRA_RENDERERS if args.extra else ())]
    bench = Path(args.bench)
    cache = Path(args.cache) if args.cache else default_cache()
    (cache / "pages").mkdir(parents=True, exist_ok=True)
    records = read_textclean(bench / "dev.jsonl")

    def one(rec: dict) -> dict:
        path = cache / "pages" / f"{rec['id']}.json"
        out = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if all(name in out for name in [*names, "reference"]):
            return out
        html = decode_html((bench / "html" / f"{rec['id']}.html").read_bytes())
        out.update({name: render(name, html) for name in names if name not in out})
        if "reference" not in out:
            out["reference"] = reference(html)
        path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
        return out

    with ThreadPoolExecutor(args.jobs) as pool:
        rendered = list(pool.map(one, records))
    for name in ("shipped", *names):
        kept = total = 0
        with open(cache / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for rec, r in zip(records, rendered):
                text = rec["text"] if name == "shipped" else r[name]
                if name == "shipped":  # the benchmark itself: its snippets as they are
                    w, wo = list(rec["with"]), list(rec["without"])
                else:
                    w, wo = map_snippets(text, rec["with"]), map_snippets(text, rec["without"])
                kept += len(w) + len(wo)
                total += len(rec["with"]) + len(rec["without"])
                f.write(json.dumps({"id": rec["id"], "url": rec.get("url", ""), "site": site_of(rec),
                                    "text": text, "with": w, "without": wo,
                                    "reference": r["reference"]}, ensure_ascii=False) + "\n")
        print(f"{name}: {len(records)} pages, {kept}/{total} snippets found -> {cache / (name + '.jsonl')}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
