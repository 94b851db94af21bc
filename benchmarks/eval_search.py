"""Search quality on the labelled cross-lingual queries (benchmarks/search_queries.json).

Each query names a story of examples/labels.json; its relevant articles are that story's
articles in *other* languages than the query's (articles in the query's own language are
left out of the ranking, so only cross-lingual retrieval is scored). Reports recall@10 and
MRR per mode (keyword, semantic, fused) for the tuning and the held-out queries.
``--all-languages`` counts the story's articles in the query's language as well.

    storyline run examples/sample --db /tmp/sample.db --quiet
    python benchmarks/eval_search.py /tmp/sample.db [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from storyline import Storyline
from storyline.search import MODES

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "benchmarks" / "search_queries.json"
LABELS = REPO / "examples" / "labels.json"
K = 10


def sample_key(origin: str) -> str | None:
    """examples/labels.json's key for a stored origin (path relative to examples/sample)."""
    marker = "examples/sample/"
    return origin.split(marker, 1)[1] if marker in origin else None


def evaluate(sl: Storyline, queries: list[dict], labels: dict[str, str],
             modes: tuple[str, ...] = MODES, cross_lingual: bool = True) -> dict:
    story_of = {a.id: labels.get(sample_key(a.origin) or "") for a in sl.articles()}
    lang_of = {a.id: a.lang for a in sl.articles()}
    out: dict = {}
    for mode in modes:
        for split in ("tune", "heldout"):
            rec, rr = [], []
            for q in (q for q in queries if q["split"] == split):
                other = (lambda a: lang_of[a] != q["lang"]) if cross_lingual else bool
                relevant = {a for a, s in story_of.items() if s == q["story"] and other(a)}
                ranking = [a for a, _ in sl.searcher.rank(q["query"], mode, limit=200)
                           if other(a)]
                top = ranking[:K]
                rec.append(len(relevant & set(top)) / len(relevant))
                first = next((k for k, a in enumerate(ranking, 1) if a in relevant), None)
                rr.append(1 / first if first else 0.0)
            if not rec:
                continue
            out.setdefault(mode, {})[split] = {
                "queries": len(rec), f"recall@{K}": round(sum(rec) / len(rec), 4),
                "mrr": round(sum(rr) / len(rr), 4)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--all-languages", action="store_true",
                    help="relevant: the story's articles in every language, the query's too")
    args = ap.parse_args()
    queries = json.loads(QUERIES.read_text())["queries"]
    labels = json.loads(LABELS.read_text())
    with Storyline(args.db, create=False) as sl:
        res = evaluate(sl, queries, labels, cross_lingual=not args.all_languages)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"{'mode':<9} {'split':<8} {'n':>3} {'recall@10':>10} {'MRR':>7}")
    for mode, splits in res.items():
        for split, v in splits.items():
            print(f"{mode:<9} {split:<8} {v['queries']:>3} {v[f'recall@{K}']:>10.3f} "
                  f"{v['mrr']:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
