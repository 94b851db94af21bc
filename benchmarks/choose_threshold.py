"""Choose the clustering cut (cosine distance after language centering) on ../shared/bench.

Two views of "same story", both from data nobody on the team wrote:
  * ECB+ dev: average-linkage clustering, B-cubed F1 per threshold (English, same-kind
    events: a strict bar);
  * SemEval-2022 Task 8 train pairs: same-story = annotators' overall < 2.5 (the midpoint of
    the 1-4 scale between "somewhat similar" and "somewhat dissimilar"); pairwise F1 of
    "centered cosine >= 1 - threshold", per language pair (mostly monolingual + de-en).

Embeddings are cached in --cache (default /tmp/storyline-bench-cache) so reruns are quick.

    .venv/bin/python benchmarks/choose_threshold.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from storyline.cluster.batch import AverageLinkClusterer  # noqa: E402
from storyline.embed import BATCH_SIZE, EMBED_CHARS, E5Embedder  # noqa: E402
from storyline.evaluate import bcubed  # noqa: E402
from storyline.similarity import LanguageCentering  # noqa: E402

BENCH = REPO.parent / "shared" / "bench"
THRESHOLDS = [round(0.40 + 0.025 * i, 3) for i in range(17)]
SAME_STORY_BELOW = 2.5
PLATEAU = 0.01  # F1 differences below this are within the noise of ~1,900 pairs


def embed_cached(texts: list[str], cache: Path, name: str) -> np.ndarray:
    path = cache / f"{name}.npy"
    if path.exists():
        return np.load(path)
    model = E5Embedder()
    vecs = np.concatenate([model.embed(texts[i:i + BATCH_SIZE])
                           for i in range(0, len(texts), BATCH_SIZE)])
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def ecb(cache: Path) -> dict[float, tuple[float, float, float]]:
    rows = [json.loads(line) for line in open(BENCH / "clustering" / "ecbplus_dev.jsonl")]
    x = embed_cached([(r["title"] + "\n" + r["text"])[:EMBED_CHARS] for r in rows], cache, "ecb")
    y = LanguageCentering().fit_transform(x, [r["lang"] for r in rows])
    gold = [r["label"] for r in rows]
    return {t: bcubed(list(AverageLinkClusterer(t).fit_predict(y)), gold) for t in THRESHOLDS}


def semeval(cache: Path) -> tuple[dict[float, dict[str, float]], dict[str, int]]:
    rows = [json.loads(line) for line in open(BENCH / "similarity" / "train.jsonl")]
    a = embed_cached([(r["title1"] + "\n" + r["text1"])[:EMBED_CHARS] for r in rows], cache,
                     "sim1")
    b = embed_cached([(r["title2"] + "\n" + r["text2"])[:EMBED_CHARS] for r in rows], cache,
                     "sim2")
    l1, l2 = [r["lang1"] for r in rows], [r["lang2"] for r in rows]
    centering = LanguageCentering().fit(np.concatenate([a, b]), l1 + l2)
    ca, cb = centering.transform(a, l1), centering.transform(b, l2)
    sims = (ca * cb).sum(axis=1)
    same = np.array([r["overall"] < SAME_STORY_BELOW for r in rows])
    pairs = np.array([f"{x}-{y}" for x, y in zip(l1, l2)])
    out: dict[float, dict[str, float]] = {}
    for t in THRESHOLDS:
        pred = sims >= 1 - t
        scores = {"all": _f1(pred, same)}
        for p in sorted(set(pairs)):
            scores[p] = _f1(pred[pairs == p], same[pairs == p])
        out[t] = scores
    return out, {p: int((pairs == p).sum()) for p in sorted(set(pairs))}


def _f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred & gold).sum())
    if tp == 0:
        return 0.0
    p, r = tp / pred.sum(), tp / gold.sum()
    return 2 * p * r / (p + r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/storyline-bench-cache"))
    args = ap.parse_args()
    clusters = ecb(args.cache)
    pairs, sizes = semeval(args.cache)
    langs = [p for p in sizes]
    print("| distance | ECB+ B3 P | R | F1 | SemEval pair F1 all | "
          + " | ".join(f"{p} ({sizes[p]})" for p in langs) + " | mean |")
    print("|---" * (6 + len(langs)) + "|")
    for t in THRESHOLDS:
        p, r, f = clusters[t]
        s = pairs[t]
        print(f"| {t:.3f} | {p:.3f} | {r:.3f} | {f:.3f} | {s['all']:.3f} | "
              + " | ".join(f"{s[x]:.3f}" for x in langs) + f" | {(f + s['all']) / 2:.3f} |")
    best_pair = max(pairs[t]["all"] for t in THRESHOLDS)
    chosen = max(t for t in THRESHOLDS if pairs[t]["all"] >= best_pair - PLATEAU)
    best_ecb = max(THRESHOLDS, key=lambda t: clusters[t][2])
    print(f"\nSemEval same-story F1: best {best_pair:.3f}; chosen cut (largest within "
          f"{PLATEAU} of it, favouring cross-lingual recall): {chosen}")
    print(f"ECB+ B-cubed F1 at the chosen cut {clusters[chosen][2]:.3f}; "
          f"ECB+ best {clusters[best_ecb][2]:.3f} at {best_ecb}")


if __name__ == "__main__":
    main()
