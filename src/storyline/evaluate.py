"""Benchmark scoring helpers (importable without heavy dependencies)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.clean.text import TextCleaner
    from storyline.embed import Embedder
    from storyline.types import CleanedDocument

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


def read_textclean(path: str | Path) -> list[dict]:
    """Records of a textclean JSONL file (one JSON object a line; ``ValueError`` if malformed)."""
    text = Path(path).read_text(encoding="utf-8")
    records = []
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may sit in a string
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {n}: {exc}") from None
            for key in ("text", "with", "without"):
                if key not in rec:
                    raise ValueError(f"line {n}: no {key!r} field")
            records.append(rec)
    return records


def page_hits(cleaner: TextCleaner, text: str, with_: list[str], without: list[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) of one page cleaned by ``cleaner``; the scored output is title + body."""
    return doc_hits(cleaner.clean(text), with_, without)


def doc_hits(doc: CleanedDocument, with_: list[str], without: list[str]) -> tuple[int, int, int]:
    """(tp, fp, fn) of one cleaned page; the scored output is title + body."""
    parts = ([doc.title] if doc.title is not None else []) + list(doc.paragraphs)
    tp, fp, fn, _ = snippet_hits("\n".join(parts), with_, without)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Micro precision, recall and F1 from summed counts (rounded to 4 places)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def score_textclean(path: str | Path, cleaner: TextCleaner | None = None) -> dict:
    """Clean every page of a textclean JSONL file; micro precision/recall/F1 and speed."""
    if cleaner is None:
        from storyline.clean.text import TextCleaner

        cleaner = TextCleaner()
    records = read_textclean(path)
    tp = fp = fn = 0
    elapsed = 0.0
    for rec in records:
        t0 = time.perf_counter()
        doc = cleaner.clean(rec["text"])
        elapsed += time.perf_counter() - t0  # the cleaner's time only, not the scoring's
        a, b, c = doc_hits(doc, rec["with"], rec["without"])
        tp, fp, fn = tp + a, fp + b, fn + c
    return {
        "pages": len(records),
        **prf(tp, fp, fn),
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


def v_measure(pred: list, gold: list) -> float:
    from sklearn.metrics import v_measure_score

    return float(v_measure_score(gold, pred))


#: Streaming evaluation: documents arrive in file order and are settled (``watch``'s
#: merge pass) after every this many, as if each file held that many articles.
STREAM_FILE = 20


def evaluate_clusters(path: str | Path, embedder: Embedder | None = None,
                      cache: Path | None = None,
                      progress: Callable[[str, int, int | None], None] | None = None) -> dict:
    """Cluster a labelled file (``{"id","lang","title","text","label"}`` lines) in batch and
    streaming mode (documents in file order, settled every ``STREAM_FILE``); B-cubed and V-measure.

    Both modes share the pipeline's thresholds. Language centring is fitted on the whole
    file for both (it needs no labels); a live stream estimates it from what it has seen.
    """
    from storyline.cluster.edges import StoryEdges
    from storyline.cluster.graph import GraphClusterer
    from storyline.cluster.merge import MERGE_RATIO
    from storyline.cluster.stream import StreamClusterer
    from storyline.embed import get_embedder
    from storyline.language import LanguageDetector
    from storyline.pipeline import NEIGHBOURS, PLACE_THRESHOLD, STORY_THRESHOLD
    from storyline.training import article_views, default_cache

    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"line {n}: malformed JSON ({exc.msg})") from None
                if "label" not in row or not ("text" in row or "title" in row):
                    raise ValueError(f"line {n}: needs 'label' and 'title'/'text'")
                rows.append(row)
    if not rows:
        raise ValueError("no documents")
    detector = LanguageDetector()
    titles = [r.get("title") or "" for r in rows]
    texts = [r.get("text") or "" for r in rows]
    langs = [r.get("lang") or detector.detect(f"{t}\n{x}") for t, x, r in
             zip(titles, texts, rows)]
    gold = [r["label"] for r in rows]
    model = embedder or get_embedder()
    views = article_views(titles, texts, langs, model, cache or default_cache(), progress)
    edges = StoryEdges(views)
    x = edges.vectors
    t0 = time.perf_counter()
    batch = list(GraphClusterer(threshold=STORY_THRESHOLD, k=NEIGHBOURS,
                                merge_ratio=MERGE_RATIO).fit_predict(x))
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    stream = StreamClusterer(threshold=STORY_THRESHOLD, k=NEIGHBOURS,
                             place_threshold=PLACE_THRESHOLD, merge_ratio=MERGE_RATIO)
    for k, v in enumerate(x, start=1):  # settled every STREAM_FILE documents, like watch
        stream.add(v)
        if k % STREAM_FILE == 0:
            stream.settle()
    stream.settle()
    streamed = list(stream.labels())
    t_stream = time.perf_counter() - t0
    out: dict[str, Any] = {"documents": len(rows), "gold_clusters": len(set(gold))}
    for name, pred, secs in (("batch", batch, t_batch), ("stream", streamed, t_stream)):
        p, r, f = bcubed(pred, gold)
        out[name] = {"bcubed_precision": p, "bcubed_recall": r, "bcubed_f1": f,
                     "v_measure": v_measure(pred, gold), "clusters": len(set(pred)),
                     "seconds": secs}
    return out
