"""The cleaner's headline (``clean.headline``) in every rendered text shape of the dev pages.

Usage: python benchmarks/textclean_headline.py CACHE_DIR HTML_DIR [RENDERING ...]

CACHE_DIR holds the renderings of ``scripts/render_textclean.py`` (``--extra`` for the shapes
beyond shipped / w3m / lynx / html2text), HTML_DIR the pages' HTML
(``../shared/bench/textclean/html``). A headline model is fitted on the training sites of the
four renderings ``storyline train-headline`` learns from (the fixed held-out fifth of the sites
left out), and every rendering's held-out-site pages are scored: the share of pages whose
title is a headline of the page (its metadata title as trafilatura reads it, or one of its
``<h1>``: ``headline.matches``), for

* the rules' title (the first substantial line: the cleaner before the headline model);
* the headline model;
* any candidate (the most a choice among the candidates can get).

Shapes beyond the four are shapes the model never learned from. One line per rendering, as a
markdown table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storyline.clean import headline
from storyline.evaluate import is_held_out, read_textclean

FIT_ON = ("shipped", "w3m", "lynx", "html2text")


def main(argv: list[str]) -> None:
    cache, html_dir = Path(argv[0]), Path(argv[1])
    names = argv[2:] or sorted(p.stem for p in cache.glob("*.jsonl"))
    model = headline.train([cache / f"{r}.jsonl" for r in FIT_ON], html_dir, folds=1)
    refs: dict[str, list[str]] = {}
    print("| rendering | held-out pages | rules' title | headline model | any candidate |\n|---|---|---|---|---|")
    for name in names:
        records = [r for r in read_textclean(cache / f"{name}.jsonl") if is_held_out(r)]
        pages = headline.examples(records, name, headline.load_references(records, html_dir, refs))
        rules = headline.accuracy(pages, [None] * len(pages))[name]
        learned = headline.accuracy(pages, [model] * len(pages))[name]
        print(f"| {name} | {rules['pages']} | {rules['right']:.3f} | {learned['right']:.3f} "
              f"| {learned['reachable']:.3f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
