"""Choose the clustering settings (k, threshold, edges, streaming placement bar) on ECB+ dev.

Prints B-cubed F1 of the k-NN graph clusterer over a grid, for centred-cosine edges and
for the same-story scorer's probability as edges, then the streaming placement bar with
merge passes at the chosen batch threshold (documents in file order). Embeddings come from
the cache that `storyline eval clusters` fills.

    .venv/bin/python benchmarks/choose_clustering.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from storyline.cluster.edges import StoryEdges  # noqa: E402
from storyline.cluster.graph import GraphClusterer  # noqa: E402
from storyline.cluster.stream import StreamClusterer  # noqa: E402
from storyline.embed import E5Embedder  # noqa: E402
from storyline.evaluate import bcubed  # noqa: E402
from storyline.training import article_views, default_cache  # noqa: E402

ECB = REPO.parent / "shared" / "bench" / "clustering" / "ecbplus_dev.jsonl"
KS = (8, 10, 12, 15, 30)
THRESHOLDS = (0.20, 0.25, 0.30, 0.35, 0.40, 0.45)
PLACE = (0.25, 0.30, 0.40, 0.45, 0.50, 0.60)


def main() -> None:
    rows = [json.loads(line) for line in open(ECB)]
    gold = [r["label"] for r in rows]
    views = article_views([r["title"] for r in rows], [r["text"] for r in rows],
                          [r["lang"] for r in rows], E5Embedder(), default_cache())
    edges = StoryEdges(views)
    x = edges.vectors
    print("| edges | k | " + " | ".join(f"{t:.2f}" for t in THRESHOLDS) + " |")
    print("|---|---|" + "---|" * len(THRESHOLDS))
    for name, weight in (("centred cosine", None), ("scorer probability", edges)):
        for k in KS:
            f1 = [bcubed(list(GraphClusterer(threshold=t, k=k).fit_predict(
                x, edge_weight=weight)), gold)[2] for t in THRESHOLDS]
            print(f"| {name} | {k} | " + " | ".join(f"{v:.3f}" for v in f1) + " |")
    # robustness: the two halves of the dev topics (topic number mod 4), each clustered alone
    print("\ncentred cosine per half of the topics (each half clustered alone), F1 by k/threshold:")
    import numpy as np

    topic = np.array([int(r["label"].split("_")[0]) % 4 for r in rows])
    for half in (0, 2):
        idx = np.flatnonzero(topic == half)
        sub = StoryEdges([views[i] for i in idx]).vectors
        g = [gold[i] for i in idx]
        best = max(((bcubed(list(GraphClusterer(threshold=t, k=k).fit_predict(sub)), g)[2], k, t)
                    for k in KS for t in THRESHOLDS))
        chosen = bcubed(list(GraphClusterer(threshold=0.25, k=10).fit_predict(sub)), g)[2]
        print(f"topics = {half} mod 4: {len(idx)} docs; k=10, 0.25: {chosen:.3f}; "
              f"best {best[0]:.3f} at k={best[1]}, {best[2]:.2f}")

    print("\nstreaming, k=10, merge bar 0.25, one merge pass after the file:")
    print("| placement bar | before merge | after merge |")
    print("|---|---|---|")
    for place in PLACE:
        s = StreamClusterer(threshold=0.25, k=10, place_threshold=place)
        for v in x:
            s.add(v)
        pre = bcubed(list(s.labels()), gold)[2]
        s.merge_pass()
        print(f"| {place:.2f} | {pre:.3f} | {bcubed(list(s.labels()), gold)[2]:.3f} |")


if __name__ == "__main__":
    main()
