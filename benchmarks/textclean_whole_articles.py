"""Pages that are all article: does the cleaner keep them whole, in every text shape?

Article texts the cleaner was never trained or tuned on (the similarity benchmark's
train.jsonl: SemEval-2022 Task 8 articles in 8 languages, as scraped) are made into pages of
nothing but the article: the title line, then the text's paragraphs, in five shapes: one line
a paragraph; hard-wrapped at 72 columns with blank lines between paragraphs (e-mail, wire copy);
wrapped at 76 columns with a three-space indent (`lynx -dump`); wrapped at 120 columns (a
text browser on a wide terminal); and double-spaced (wrapped at 72 columns, a blank line after
every line, two between paragraphs: typescript, some e-mail and wire copy). Word-overlap recall of
title + text (and precision) per shape and language; a page with recall under 0.5 is a
"kept a fraction of the article" failure.

usage: textclean_whole_articles.py [--pages N] [--seed S] [--model M.npz]

N pages (default 600) are a fixed random choice (seed 0). With S > 0 they are drawn with seed
S from the articles the seed-0 choice leaves out: pages no choice of the cleaner looked at."""
from __future__ import annotations

import argparse
import collections
import json
import sys
import textwrap
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.clean.linemodel import LineModel  # noqa: E402
from storyline.clean.text import TextCleaner  # noqa: E402
from storyline.evaluate import word_overlap  # noqa: E402

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
SHAPES = {
    "one line a paragraph": lambda ps: "\n".join(ps),
    "wrapped at 72": lambda ps: "\n\n".join("\n".join(textwrap.wrap(p, 72)) for p in ps),
    "lynx-like (76, indent 3)": lambda ps: "\n\n".join(
        "\n".join(textwrap.wrap(p, 76, initial_indent="   ", subsequent_indent="   ")) for p in ps),
    "wrapped at 120 (a wide terminal)": lambda ps: "\n\n".join("\n".join(textwrap.wrap(p, 120)) for p in ps),
    "double-spaced, wrapped at 72": lambda ps: "\n\n\n".join("\n\n".join(textwrap.wrap(p, 72)) for p in ps),
}


def articles() -> list[tuple[str, str, list[str]]]:
    """(language, title, paragraphs) of each distinct article of at least 300 characters."""
    out, seen = [], set()
    for line in TRAIN.open(encoding="utf-8"):
        row = json.loads(line)
        for k in ("1", "2"):
            text = row["text" + k] or ""
            if len(text) < 300 or text[:200] in seen:
                continue
            seen.add(text[:200])
            paras = [p.strip() for p in text.split("\n") if p.strip()]
            out.append((row["lang" + k], (row.get("title" + k) or "").strip(), paras))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", help="a line model file to use instead of the shipped one")
    args = ap.parse_args()
    arts = articles()
    chosen = np.random.default_rng(0).choice(len(arts), min(args.pages, len(arts)), replace=False)
    if args.seed:  # outside the default (seed 0) choice
        pool = np.setdiff1d(np.arange(len(arts)), chosen)
        chosen = np.random.default_rng(args.seed).choice(pool, min(args.pages, len(pool)), replace=False)
    cleaner = TextCleaner(model=LineModel.load(args.model) if args.model else None)
    print(f"{len(chosen)} article-only pages of {len(arts)} distinct articles")
    print("| shape | word recall | word precision | pages with recall < 0.5 | < 0.8 | recall by language |")
    print("|---|---|---|---|---|---|")
    for shape, render in SHAPES.items():
        rec, prec, by_lang = [], [], collections.defaultdict(list)
        for k in chosen:
            lang, title, paras = arts[k]
            head = [title] if title else []
            doc = cleaner.clean("\n".join(head + [render(paras)]))
            out = "\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs))
            shared, got, ref = word_overlap(out, "\n".join(head + paras))
            rec.append(shared / max(ref, 1))
            prec.append(shared / max(got, 1))
            by_lang[lang].append(rec[-1])
        r = np.array(rec)
        langs = ", ".join(f"{lang} {np.mean(v):.3f} ({len(v)})" for lang, v in sorted(by_lang.items()))
        print(f"| {shape} | {r.mean():.3f} | {np.mean(prec):.3f} | {(r < 0.5).sum()} | "
              f"{(r < 0.8).sum()} | {langs} |", flush=True)


if __name__ == "__main__":
    main()
