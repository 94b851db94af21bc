"""Text-dump cleaner benchmark: F1 and single-core speed on the textclean dev set.

Usage: python benchmarks/bench_textclean.py [path/to/dev.jsonl] [--cv] [--renderings DIR]
       [--compare-model MODEL.npz]

Prints markdown tables: precision/recall/F1 of the shipped cleaner (rules + learned line model)
and of the rules alone, on all pages and on the even/odd halves; then pages/s on one core, the
best of 5 passes over all pages (``clean()`` timed alone, not the scoring), and the ratio to
the rules alone measured in the same run. The shipped line model was trained on this dev file,
so its rows here are in-sample; ``--cv`` adds a 5-fold site-grouped cross-validation on this
one file (the model retrained on 4/5 of the sites, the other 1/5 cleaned; ~90 s). The figures
over several renderings come from ``storyline train-textclean`` (see BENCHMARKS.md).

``--renderings DIR`` (the cache folder of ``scripts/render_textclean.py``: shipped.jsonl,
w3m.jsonl, lynx.jsonl, html2text.jsonl) adds, per rendering, on the fixed held-out fifth of the
sites (never trained or tuned on): snippet P/R/F1 and word-overlap P/R/F1 against trafilatura's
extraction of the same HTML, for the shipped cleaner, the rules alone and trafilatura itself
(its extraction scored by the same snippet rule), all in the same run.

``--compare-model MODEL.npz`` times a retrained line model too, in the same speed run.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from storyline.clean import learn
from storyline.clean.linemodel import LineModel
from storyline.clean.text import TextCleaner
from storyline.evaluate import (
    doc_hits,
    is_held_out,
    overlap_prf,
    prf,
    read_textclean,
    score_textclean,
    snippet_hits,
    word_overlap,
)

PASSES = 5
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "textclean" / "dev.jsonl"


def pages_per_second(cleaner: TextCleaner, texts: list[str]) -> float:
    """One pass of ``cleaner.clean`` over ``texts``: pages per second (the cleaner's time only)."""
    t0 = time.perf_counter()
    for t in texts:
        cleaner.clean(t)
    return len(texts) / (time.perf_counter() - t0)


def speed(texts: list[str], passes: int = PASSES, other: Path | None = None) -> tuple[float, float, float]:
    """(learned, rules, other) pages/s on one core: the best of ``passes`` passes each, the
    cleaners alternating so that all see the same machine; ``other``: a line model file to
    time as well (0 when not given)."""
    learned, rules = TextCleaner(), TextCleaner(learned=False)
    alt = TextCleaner(model=LineModel.load(other)) if other else None
    pages_per_second(learned, texts[:50])  # warm-up: model load, regex caches
    best_l = best_r = best_o = 0.0
    for _ in range(passes):
        best_l = max(best_l, pages_per_second(learned, texts))
        best_r = max(best_r, pages_per_second(rules, texts))
        if alt is not None:
            best_o = max(best_o, pages_per_second(alt, texts))
    return best_l, best_r, best_o


def main() -> None:
    args = [a for i, a in enumerate(sys.argv[1:], 1)
            if not a.startswith("--") and sys.argv[i - 1] not in ("--renderings", "--compare-model")]
    other = Path(sys.argv[sys.argv.index("--compare-model") + 1]) if "--compare-model" in sys.argv else None
    path = Path(args[0]) if args else DEFAULT
    lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        parts = [("all", path)]
        for name, part in (("even", lines[0::2]), ("odd", lines[1::2])):
            p = Path(tmp) / f"{name}.jsonl"
            p.write_text("\n".join(part) + "\n", encoding="utf-8")
            parts.append((name, p))
        learned, rules = TextCleaner(), TextCleaner(learned=False)
        for name, p in parts:
            rows.append((f"rules + line model (in-sample), {name}", score_textclean(p, learned)))
            rows.append((f"rules only, {name}", score_textclean(p, rules)))
    print("| cleaner, pages | pages | precision | recall | F1 |")
    print("|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['pages']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    fast_l, fast_r, fast_o = speed([r["text"] for r in read_textclean(path)], other=other)
    print()
    print(f"| speed, {path.name}, best of {PASSES} passes | pages/s (1 core) |")
    print("|---|---|")
    print(f"| rules + line model | {fast_l:.0f} |")
    print(f"| rules only (reference, same run) | {fast_r:.0f} |")
    print(f"| ratio learned / rules | {fast_l / fast_r:.2f} |")
    if other is not None:
        print(f"| rules + line model {other.name} | {fast_o:.0f} |")
        print(f"| ratio {other.name} / rules | {fast_o / fast_r:.2f} |")
    if "--renderings" in sys.argv:
        renderings_table(Path(sys.argv[sys.argv.index("--renderings") + 1]))
    if "--cv" in sys.argv:
        cv = learn.cross_validate(learn.prepare(read_textclean(path)))
        print()
        print("| 5-fold cross-validated (site-grouped), one rendering | precision | recall | F1 |")
        print("|---|---|---|---|")
        print(f"| {path.name} | {cv['precision']:.3f} | {cv['recall']:.3f} | {cv['f1']:.3f} |")
        json.dump(cv, sys.stderr)
        print(file=sys.stderr)


def renderings_table(folder: Path) -> None:
    """Held-out sites, per rendering: the shipped cleaner, the rules, trafilatura on the HTML."""
    print()
    print("| rendering (held-out sites) | pages | cleaner | snippet P | R | F1 | words vs trafilatura P | R | F1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    cleaners = (("rules + line model", TextCleaner()), ("rules only", TextCleaner(learned=False)))
    for name in ("shipped", "w3m", "lynx", "html2text"):
        path = folder / f"{name}.jsonl"
        if not path.exists():
            continue
        records = [r for r in read_textclean(path) if is_held_out(r)]
        for label, cleaner in cleaners:
            hits, words = [0, 0, 0], [0, 0, 0]
            for r in records:
                doc = cleaner.clean(r["text"])
                hits = [a + b for a, b in zip(hits, doc_hits(doc, r["with"], r["without"]))]
                out = "\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs))
                words = [a + b for a, b in zip(words, word_overlap(out, r["reference"]))]
            s, w = prf(*hits), overlap_prf(*words)
            print(f"| {name} | {len(records)} | {label} | {s['precision']:.3f} | {s['recall']:.3f} | "
                  f"{s['f1']:.3f} | {w['precision']:.3f} | {w['recall']:.3f} | {w['f1']:.3f} |")
        hits = [0, 0, 0]
        for r in records:
            tp, fp, fn, _ = snippet_hits(r["reference"], r["with"], r["without"])
            hits = [hits[0] + tp, hits[1] + fp, hits[2] + fn]
        s = prf(*hits)
        print(f"| {name} | {len(records)} | trafilatura on the HTML | {s['precision']:.3f} | "
              f"{s['recall']:.3f} | {s['f1']:.3f} | 1 | 1 | 1 |")


if __name__ == "__main__":
    main()
