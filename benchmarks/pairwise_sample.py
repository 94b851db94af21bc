"""Pairwise same-story decisions on the sample corpus + the five seeds, as `storyline similarity` makes them.

Every pair of single-article files in examples/sample (labels: examples/labels.json) and
../shared/seeds is scored on its own, as two files given to `storyline similarity`; prints
same-story precision/recall/F1 and ROC AUC over all pairs, the probabilities of the ten seed
pairs, and the false "same story" pairs. `--corpus-means` centres each pair on the two
articles' own language means (the behaviour before pairs were centred on the scorer's priors).

    .venv/bin/python benchmarks/pairwise_sample.py [--corpus-means]
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from storyline import Storyline
from storyline.compare import article_views
from storyline.scorer import SameStoryScorer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample"
SEEDS = ROOT.parent / "shared" / "seeds"


def main() -> None:
    use_corpus = "--corpus-means" in sys.argv
    labels = json.loads((ROOT / "examples" / "labels.json").read_text())
    files = [(SAMPLE / rel, lab) for rel, lab in sorted(labels.items())
             if (SAMPLE / rel).suffix not in (".jsonl", ".csv") and (SAMPLE / rel).exists()]
    files += [(p, "seed") for p in sorted(SEEDS.glob("*.txt"))]
    with Storyline(":memory:") as sl:
        items = [sl.pipeline.read_article(p) for p, _ in files]
        scorer = SameStoryScorer.load()
        views = article_views([(a.title, a.text, a.lang) for a in items], sl.pipeline.embedder,
                              scorer.views)
    pairs = list(itertools.combinations(range(len(files)), 2))
    probs = np.array([scorer.score(scorer.pair_features([views[i], views[j]], use_corpus=use_corpus),
                                   np.array([0]), np.array([1]))[2][0] for i, j in pairs])
    same = np.array([files[i][1] == files[j][1] for i, j in pairs])
    pred = probs > 0.5
    no_seed = np.array([files[i][1] != "seed" and files[j][1] != "seed" for i, j in pairs])
    cross = np.array([views[i].lang != views[j].lang for i, j in pairs])
    print(f"{len(files)} articles, {len(pairs)} pairs ({int(same.sum())} same story); "
          f"centring on {'the pair itself' if use_corpus else 'the scorer priors'}")
    for name, sel in (("all pairs", np.ones(len(pairs), bool)), ("sample only (no seeds)", no_seed),
                      ("  cross-lingual", no_seed & cross), ("  same-language", no_seed & ~cross)):
        tp = float((pred & same & sel).sum())
        p, r = tp / max((pred & sel).sum(), 1), tp / max((same & sel).sum(), 1)
        print(f"{name:24s} {int(sel.sum()):4d} pairs ({int((same & sel).sum())} same): P {p:.3f} "
              f"R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f}  AUC {roc_auc_score(same[sel], probs[sel]):.3f}")
    seed = [k for k, (i, j) in enumerate(pairs) if files[i][1] == files[j][1] == "seed"]
    for k in seed:
        i, j = pairs[k]
        print(f"  seed {files[i][0].name[:3]} ({views[i].lang}) - {files[j][0].name[:3]} "
              f"({views[j].lang}): P(same) {probs[k]:.2f}")
    for k in np.flatnonzero(pred & ~same):
        i, j = pairs[k]
        print(f"  false same: {files[i][0].relative_to(files[i][0].parents[1])} ~ "
              f"{files[j][0].relative_to(files[j][0].parents[1])} {probs[k]:.2f}")


if __name__ == "__main__":
    main()
