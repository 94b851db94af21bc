"""Text-dump cleaner benchmark: F1 and single-core speed on the textclean dev set.

Usage: python benchmarks/bench_textclean.py [path/to/dev.jsonl] [--cv]

Prints a markdown table: the shipped cleaner (rules + learned line model) and the rules alone,
on all pages and on the even/odd halves, with pages/s on one core and the speed ratio to the
rules alone (measured in the same run). The shipped line model was trained on this dev file,
so its rows here are in-sample; ``--cv`` adds the honest figure: 5-fold page-grouped
cross-validation (the model retrained on 4/5 of the pages, the other 1/5 cleaned; ~90 s).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from storyline.clean import learn
from storyline.clean.text import TextCleaner
from storyline.evaluate import read_textclean, score_textclean

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "textclean" / "dev.jsonl"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
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
        score_textclean(parts[1][1], learned)  # warm-up
        for name, p in parts:
            r_rules = score_textclean(p, rules)
            r_model = score_textclean(p, learned)
            rows.append((f"rules + line model (in-sample), {name}", r_model,
                         r_model["pages_per_second"] / r_rules["pages_per_second"]))
            rows.append((f"rules only, {name}", r_rules, 1.0))
    print("| cleaner, pages | pages | precision | recall | F1 | pages/s (1 core) | speed vs rules |")
    print("|---|---|---|---|---|---|---|")
    for name, r, ratio in rows:
        print(f"| {name} | {r['pages']} | {r['precision']:.3f} | {r['recall']:.3f} "
              f"| {r['f1']:.3f} | {r['pages_per_second']:.0f} | {ratio:.2f} |")
    if "--cv" in sys.argv:
        cv = learn.cross_validate(learn.prepare(read_textclean(path)))
        print()
        print("| 5-fold cross-validated (page-grouped) | precision | recall | F1 |")
        print("|---|---|---|---|")
        print(f"| all pages | {cv['precision']:.3f} | {cv['recall']:.3f} | {cv['f1']:.3f} |")
        for part in ("even_pages", "odd_pages"):
            c = cv[part]
            print(f"| {part.replace('_', ' ')} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |")
        json.dump(cv, sys.stderr)
        print(file=sys.stderr)


if __name__ == "__main__":
    main()
