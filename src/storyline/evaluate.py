"""Benchmark scoring helpers (importable without heavy dependencies)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storyline.clean.text import TextCleaner

# === text cleaning (textclean benchmark) ==================================================
# Same counting rule as shared/bench/textclean/score.py: whitespace collapsed, a "with" snippet
# found in the cleaned text is a true positive (else a false negative), a "without" snippet
# found is a false positive; counts are summed over all pages (micro average).

_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def snippet_hits(cleaned: str, with_: list[str], without: list[str]) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) for one page's cleaned text."""
    res = _norm(cleaned)
    tp = sum(1 for w in with_ if _norm(w) in res)
    fp = sum(1 for w in without if _norm(w) in res)
    return tp, fp, len(with_) - tp, len(without) - fp


def score_textclean(path: str | Path, cleaner: TextCleaner | None = None) -> dict:
    """Clean every page of a textclean JSONL file; micro precision/recall/F1 and speed."""
    if cleaner is None:
        from storyline.clean.text import TextCleaner

        cleaner = TextCleaner()
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    tp = fp = fn = 0
    elapsed = 0.0
    for rec in records:
        t0 = time.perf_counter()
        doc = cleaner.clean(rec["text"])
        elapsed += time.perf_counter() - t0
        parts = ([doc.title] if doc.title is not None else []) + list(doc.paragraphs)
        a, b, c, _ = snippet_hits("\n".join(parts), rec["with"], rec["without"])
        tp, fp, fn = tp + a, fp + b, fn + c
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "pages": len(records),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "pages_per_second": round(len(records) / elapsed, 1) if elapsed else 0.0,
    }


# === clustering (B-cubed over documents) ==================================================
def bcubed(pred: list, gold: list) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a predicted clustering against gold labels."""
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold labels")
    if not pred:
        return 0.0, 0.0, 0.0
    from collections import Counter

    pairs = Counter(zip(pred, gold))
    pred_sizes = Counter(pred)
    gold_sizes = Counter(gold)
    # each item in cell (c, g) has |c ∩ g| correct neighbours among |c| predicted, |g| gold
    p = sum(n * n / pred_sizes[c] for (c, _), n in pairs.items()) / len(pred)
    r = sum(n * n / gold_sizes[g] for (_, g), n in pairs.items()) / len(pred)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
