"""Text-dump cleaner benchmark: F1 and single-core speed on the textclean dev set.

Usage: python benchmarks/bench_textclean.py [path/to/dev.jsonl]
Prints a markdown table: all pages, even-indexed and odd-indexed halves.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from storyline.clean.text import TextCleaner
from storyline.evaluate import score_textclean

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "textclean" / "dev.jsonl"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    rows = [("all", score_textclean(path, TextCleaner()))]
    with tempfile.TemporaryDirectory() as tmp:
        for name, part in (("even", lines[0::2]), ("odd", lines[1::2])):
            p = Path(tmp) / f"{name}.jsonl"
            p.write_text("\n".join(part) + "\n", encoding="utf-8")
            rows.append((name, score_textclean(p, TextCleaner())))
    print("| split | pages | precision | recall | F1 | pages/s (1 core) |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['pages']} | {r['precision']:.3f} | {r['recall']:.3f} "
              f"| {r['f1']:.3f} | {r['pages_per_second']:.0f} |")
    json.dump(rows[0][1], sys.stderr)
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
