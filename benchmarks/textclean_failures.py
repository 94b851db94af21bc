"""Whole-page failures of the text cleaner's line model, in the site-grouped CV (issue 16).

Usage: python benchmarks/textclean_failures.py CACHE_DIR MODEL_DIR [--rendering NAME] [--json OUT]

CACHE_DIR holds the renderings of ``scripts/render_textclean.py``. The 5 fold models of the
site-grouped CV (the shipped method: ``learn.fit`` on the training folds' shipped rendering,
the held-out fifth of the sites left out) are fitted once and saved in MODEL_DIR
(``fold0.npz`` ... ``fold4.npz``), then reused. For each CV page of the chosen rendering
(default: shipped) the cleaner with its fold's model is compared with the rules alone, and a
page where the model lost at least half of the page's article snippets (that the rendering
holds) is a *whole-page failure*. For each such page the script prints what the rules and
the model kept and the features that may explain the drop, and then counts the pages per
category (a page may fall in several):

- ``rules-fail-too``: the rules alone also lost at least half of the snippets;
- ``outside-rules-body``: most gold article lines lie outside the rules' body block (so the
  line features say "outside the body");
- ``in-list``: most gold article lines lie where the rules saw a teaser/comment list begin
  (the decoding's list margin applies);
- ``short-lines``: the gold article lines are short (median under 80 weighted characters:
  they look like teaser or caption lines);
- ``short-page``: the page has under 15 lines of text;
- ``lexical-low``: the lexical n-gram probability of the gold article lines is low (median
  under 0.3);
- ``non-latin``: the page's letters are mostly not Latin;
- ``few-labels``: the page has one or two labelled article lines only.
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

from storyline.clean import learn
from storyline.clean.linemodel import LineModel, _sigmoid, lexical_logit
from storyline.clean.text import TextCleaner
from storyline.evaluate import snippet_hits

RENDERINGS = ("shipped", "w3m", "lynx")


def fold_models(pages: list[learn.Page], fold: list[int], model_dir: Path) -> list[LineModel]:
    """The CV's fold models (the shipped method), fitted once and kept in ``model_dir``."""
    model_dir.mkdir(parents=True, exist_ok=True)
    models = []
    for k in range(5):
        path = model_dir / f"fold{k}.npz"
        if not path.exists():
            t0 = time.time()
            learn.fit([p for p, f in zip(pages, fold) if f != k and p.rendering == "shipped"], 0).save(path)
            print(f"fold {k} fitted in {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
        models.append(LineModel.load(path))
    return models


def script_of(text: str) -> str:
    """The page's main script, by its letters: latin, cyrillic, greek, arabic, cjk or other."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            for s in ("LATIN", "CYRILLIC", "GREEK", "ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL"):
                if name.startswith(s):
                    counts[s] += 1
                    break
            else:
                counts["OTHER"] += 1
    if not counts:
        return "none"
    top = counts.most_common(1)[0][0]
    return "cjk" if top in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL") else top.lower()


def page_hits(cleaner: TextCleaner, page: learn.Page) -> tuple[int, int, int, int]:
    """(article snippets kept, boilerplate snippets kept, article snippets lost, article
    snippets the rendering holds) of the cleaner on one page."""
    doc = cleaner.clean(page.text)
    out = "\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs))
    tp, fp, fn, _ = snippet_hits(out, page.with_, page.without)
    _, _, absent, _ = snippet_hits("\n".join(ln.text for ln in page.lines), page.with_, [])
    present = len(page.with_) - absent
    return tp, fp, fn, present


def diagnose(page: learn.Page, model: LineModel) -> dict:
    """Per-page facts about the gold article lines, the rules' body and the model."""
    rules = TextCleaner(learned=False)
    lines, title_at, start, end = rules.analyse(page.text)
    texts = [ln.text for ln in lines]
    p = model.probability(lines, start, end, title_at)
    lex = _sigmoid(lexical_logit(texts, model.gram_weights, model.gram_bias))
    keep, _ = model.keep(lines, start, end, title_at)
    y = page.labels
    art = np.flatnonzero(y == 1)
    lengths = np.array([ln.length for ln in lines])
    inside = np.array([start <= i < end for i in range(len(lines))])
    rules_kept = np.array([ln.reason is None for ln in lines])
    listing = np.array([ln.listing for ln in lines])
    return {
        "lines": len(lines), "article_lines": len(art), "boiler_lines": int((y == 0).sum()),
        "rules_body_lines": int(rules_kept.sum()), "model_kept_lines": int(keep.sum()),
        "art_in_rules_body": float(inside[art].mean()) if len(art) else 0.0,
        "art_rules_kept": float(rules_kept[art].mean()) if len(art) else 0.0,
        "art_in_list": float(listing[art].mean()) if len(art) else 0.0,
        "art_model_kept": float(keep[art].mean()) if len(art) else 0.0,
        "art_median_len": float(np.median(lengths[art])) if len(art) else 0.0,
        "art_p_median": float(np.median(p[art])) if len(art) else 0.0,
        "art_lex_median": float(np.median(lex[art])) if len(art) else 0.0,
        "page_lex_median": float(np.median(lex)) if len(lex) else 0.0,
        "body_share": float(rules_kept.sum() / max(len(lines), 1)),
        "script": script_of(page.text),
    }


CATEGORIES = {
    "rules-fail-too": lambda d: d["rules_lost"] >= 0.5,
    "outside-rules-body": lambda d: d["art_in_rules_body"] < 0.5,
    "in-list": lambda d: d["art_in_list"] >= 0.5,
    "short-lines": lambda d: d["art_median_len"] < 80,
    "short-page": lambda d: d["lines"] < 15,
    "lexical-low": lambda d: d["art_lex_median"] < 0.3,
    "non-latin": lambda d: d["script"] != "latin",
    "few-labels": lambda d: d["article_lines"] <= 2,
}


def main(argv: list[str]) -> None:
    cache, model_dir = Path(argv[0]), Path(argv[1])
    rendering = argv[argv.index("--rendering") + 1] if "--rendering" in argv else "shipped"
    pages, _held = learn.split_held_out(learn.read_pages([cache / f"{r}.jsonl" for r in RENDERINGS]))
    fold = [learn._fold(p.site, 5) for p in pages]
    models = fold_models(pages, fold, model_dir)
    rules = TextCleaner(learned=False)
    cleaners = [TextCleaner(model=m) for m in models]
    rows, totals = [], Counter()
    for n, (p, f) in enumerate(zip(pages, fold)):
        if p.rendering != rendering or not p.lines:
            continue
        tp, fp, fn, present = page_hits(cleaners[f], p)
        rtp, rfp, rfn, _ = page_hits(rules, p)
        totals.update(tp=tp, fp=fp, fn=fn, rtp=rtp, rfp=rfp, rfn=rfn, pages=1)
        absent = len(p.with_) - present
        lost = (fn - absent) / present if present else 0.0
        if present and lost >= 0.5:
            d = {"id": f"{p.site}#{n}", "fold": f, "tp": tp, "fp": fp, "fn": fn, "absent": absent,
                 "rules_tp": rtp, "rules_fp": rfp, "rules_fn": rfn,
                 "rules_lost": (rfn - absent) / present, "model_lost": lost, **diagnose(p, models[f])}
            d["categories"] = [c for c, test in CATEGORIES.items() if test(d)]
            rows.append(d)
    print(f"{rendering}: {totals['pages']} CV pages; model tp {totals['tp']} fp {totals['fp']} fn {totals['fn']}; "
          f"rules tp {totals['rtp']} fp {totals['rfp']} fn {totals['rfn']}")
    print(f"whole-page failures: {len(rows)} pages, {sum(r['fn'] - r['absent'] for r in rows)} lost snippets "
          f"(+{sum(r['absent'] for r in rows)} not in the text)")
    keys = ("fold", "lines", "article_lines", "rules_body_lines", "model_kept_lines", "tp", "fn", "rules_tp",
            "rules_fn", "art_in_rules_body", "art_rules_kept", "art_in_list", "art_median_len", "art_p_median",
            "art_lex_median", "page_lex_median", "script")
    print("site | " + " | ".join(keys) + " | categories")
    for r in sorted(rows, key=lambda r: r["id"]):
        cells = [f"{r[k]:.2f}" if isinstance(r[k], float) else str(r[k]) for k in keys]
        print(r["id"] + " | " + " | ".join(cells) + " | " + ",".join(r["categories"]))
    counts = Counter(c for r in rows for c in r["categories"])
    print("categories (pages; a page can be in several):")
    for c in CATEGORIES:
        lost = sum(r["fn"] - r["absent"] for r in rows if c in r["categories"])
        print(f"  {c}: {counts[c]} pages, {lost} lost snippets")
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
