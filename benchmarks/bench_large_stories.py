"""Large stories: does a story of 50, 500 or 5,000 articles in 20 languages stay one story?

Synthetic 384-d unit vectors (the scale benchmark's news-like structure, ``synth`` in
``bench_cluster_scale.py``: power-law story sizes 1-50, within-story cosine ~0.85-0.95,
unrelated stories ~0.6-0.8 before centring) with 20 languages: each language adds its own
direction to its articles, and each story's content is seen through a per-language
perturbation (centres of one story in two languages have cosine ~0.8, as translations are
only partly aligned in e5-small). On top of a background of ``n`` articles, three big
stories of 50, 500 and 5,000 articles spread over the 20 languages. Centred like the
pipeline (density-weighted ``LanguageCentering``), clustered like the pipeline
(``GraphClusterer`` with the second level). Reported: B-cubed F1 over everything, and per
big story the share of its articles in its largest cluster, the number of pieces, and the
share of that cluster that belongs to the story (purity). Reference rows at the smallest
size: the graph alone (no second level) and plain centring (no density weighting). Each
size runs in its own process (peak RSS per size).

    .venv/bin/python benchmarks/bench_large_stories.py                      # 10k, 100k
    .venv/bin/python benchmarks/bench_large_stories.py --sizes 1000000 --no-reference
    .venv/bin/python benchmarks/bench_large_stories.py --stream             # placement p99

Prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cluster_scale import DIM, peak_rss_gb, run_child, synth  # noqa: E402

from storyline.cluster.merge import MERGE_RATIO  # noqa: E402
from storyline.pipeline import NEIGHBOURS, PLACE_THRESHOLD, STORY_THRESHOLD  # noqa: E402

BIG = (50, 500, 5000)
LANGS = 20


def corpus(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Background of ``n`` articles plus the big stories; returns vectors, story, language.

    Built in place in one array (at 1M the vectors are 1.5 GB: temporaries would make the
    generator, not the clusterer, set the peak memory)."""
    rng = np.random.default_rng(seed)
    x0, y0 = synth(n, seed=seed)
    total = len(x0) + sum(BIG)
    x = np.empty((total, DIM), np.float32)
    x[:len(x0)] = x0
    del x0
    y = np.empty(total, np.int64)
    y[:n] = y0
    lang = np.empty(total, np.int64)
    lang[:n] = rng.integers(0, LANGS, n)
    nxt, at = int(y0.max()) + 1, n
    for size in BIG:
        c, _ = synth(1, seed=seed + size)  # a story centre drawn like any story's
        r2 = 1 / rng.uniform(0.85, 0.95) - 1
        lg = rng.integers(0, LANGS, size)
        view = rng.standard_normal((LANGS, DIM)).astype(np.float32)  # per-language view
        view *= 0.5 * np.sqrt(1 - 0.8) / np.linalg.norm(view, axis=1, keepdims=True)
        z = rng.standard_normal((size, DIM)).astype(np.float32)
        z *= np.sqrt(r2) / np.linalg.norm(z, axis=1, keepdims=True)
        v = c[0] + view[lg] + z
        x[at:at + size] = v / np.linalg.norm(v, axis=1, keepdims=True)
        y[at:at + size] = nxt
        lang[at:at + size] = lg
        nxt, at = nxt + 1, at + size
    # languages: a shared news direction is already in synth; each language adds its own
    dirs = rng.standard_normal((LANGS, DIM)).astype(np.float32)
    dirs *= 0.35 / np.linalg.norm(dirs, axis=1, keepdims=True)
    for s in range(0, total, 1 << 16):
        blk = x[s:s + (1 << 16)]
        blk += dirs[lang[s:s + (1 << 16)]]
        blk /= np.linalg.norm(blk, axis=1, keepdims=True)
    perm = rng.permutation(total)
    return x[perm], y[perm], [f"l{k}" for k in lang[perm]]


def big_story_rows(pred: np.ndarray, y: np.ndarray) -> list[dict]:
    out = []
    for size, sid in zip(BIG, range(int(y.max()) - len(BIG) + 1, int(y.max()) + 1)):
        mine = pred[y == sid]
        vals, counts = np.unique(mine, return_counts=True)
        top = vals[np.argmax(counts)]
        out.append({"size": size, "share": float(counts.max() / len(mine)),
                    "pieces": int(len(vals)),
                    "purity": float((y[pred == top] == sid).mean())})
    return out


def one_batch(n: int, variant: str) -> dict:
    from storyline.cluster.graph import GraphClusterer
    from storyline.evaluate import bcubed
    from storyline.similarity import LanguageCentering

    x, y, langs = corpus(n)
    t0 = time.perf_counter()
    xc = LanguageCentering(density=variant != "plain centring").fit_transform(x, langs)
    t_centre = time.perf_counter() - t0
    del x  # the clusterer reads the centred vectors only
    ratio = None if variant == "graph only" else MERGE_RATIO
    gc = GraphClusterer(STORY_THRESHOLD, NEIGHBOURS, merge_ratio=ratio)
    t0 = time.perf_counter()
    pred = gc.fit_predict(xc)
    t_cluster = time.perf_counter() - t0
    p, r, f1 = bcubed(pred.tolist(), y.tolist())
    return {"n": len(xc), "variant": variant, "centre_s": t_centre, "cluster_s": t_cluster,
            "knn_s": gc.timings_["knn"], "merge_s": gc.timings_["merge"], "p": p, "r": r,
            "f1": f1, "big": big_story_rows(pred, y), "peak_rss_gb": peak_rss_gb()}


def one_stream(n_stories: int, queries: int) -> dict:
    """Placement latency with ``n_stories`` stories indexed (held-out articles placed one
    at a time), then one settle over what they touched."""
    from storyline.cluster.stream import StreamClusterer
    from storyline.evaluate import bcubed
    from storyline.similarity import LanguageCentering

    x, y, langs = corpus(int(n_stories * 2.85), seed=2)
    x = LanguageCentering(density=True).fit_transform(x, langs)
    rng = np.random.default_rng(3)
    q = np.zeros(len(x), bool)
    q[rng.choice(len(x), queries, replace=False)] = True
    t0 = time.perf_counter()
    sc = StreamClusterer.from_labels(x[~q], y[~q], threshold=STORY_THRESHOLD, k=NEIGHBOURS,
                                     place_threshold=PLACE_THRESHOLD, merge_ratio=MERGE_RATIO)
    t_build = time.perf_counter() - t0
    lat = []
    for v in x[q]:
        t = time.perf_counter()
        sc.add(v)
        lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    moved, absorbed = sc.settle()
    t_settle = time.perf_counter() - t
    pred = sc.labels()
    gold = np.concatenate([y[~q], y[q]])
    lat_ms = np.array(lat) * 1e3
    return {"stories": sc.n_stories, "articles": sc.n_articles, "build_s": t_build,
            "p50_ms": float(np.percentile(lat_ms, 50)), "p99_ms": float(np.percentile(lat_ms, 99)),
            "settle_s": t_settle, "moved": len(moved), "absorbed": len(absorbed),
            "f1": bcubed(pred.tolist(), gold.tolist())[2], "peak_rss_gb": peak_rss_gb()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--stream", action="store_true")
    ap.add_argument("--stream-stories", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--child", choices=["batch", "stream"])
    ap.add_argument("--n", type=int)
    ap.add_argument("--variant", default="pipeline")
    a = ap.parse_args()
    if a.child == "batch":
        print(json.dumps(one_batch(a.n, a.variant)))
        return
    if a.child == "stream":
        print(json.dumps(one_stream(a.n, a.queries)))
        return
    if a.stream:
        r = run_child(["--child", "stream", "--n", str(a.stream_stories), "--queries",
                       str(a.queries)], __file__)
        print("| stream | value |\n|---|---|")
        print(f"| index: stories / articles | {r['stories']:,} / {r['articles']:,} |")
        print(f"| rebuild from labels | {r['build_s']:.1f} s |")
        print(f"| add() latency p50 / p99 ({a.queries} articles) | {r['p50_ms']:.2f} / "
              f"{r['p99_ms']:.2f} ms |")
        print(f"| settle after them | {r['settle_s']:.1f} s ({r['moved']} moved, "
              f"{r['absorbed']} stories absorbed) |")
        print(f"| B-cubed F1, all rows | {r['f1']:.4f} |")
        print(f"| peak RSS | {r['peak_rss_gb']:.2f} GB |")
        return
    print("| articles | variant | centre s | cluster s (k-NN, 2nd level) | peak RSS GB | B³ P / R / F1 "
          "| big stories: size -> share in one cluster, pieces, purity |")
    print("|---|---|---|---|---|---|---|")
    sizes = [int(s) for s in a.sizes.split(",")]
    for k, n in enumerate(sizes):
        variants = ["pipeline"]
        if k == 0 and not a.no_reference:
            variants += ["graph only", "plain centring"]
        for variant in variants:
            r = run_child(["--child", "batch", "--n", str(n), "--variant", variant], __file__)
            bigs = "; ".join(f"{b['size']:,} -> {b['share']:.3f}, {b['pieces']}, "
                             f"{b['purity']:.3f}" for b in r["big"])
            print(f"| {r['n']:,} | {variant} | {r['centre_s']:.1f} | {r['cluster_s']:.1f} "
                  f"({r['knn_s']:.1f}, {r['merge_s']:.1f}) | {r['peak_rss_gb']:.2f} | "
                  f"{r['p']:.4f} / {r['r']:.4f} / **{r['f1']:.4f}** | {bigs} |", flush=True)


if __name__ == "__main__":
    main()
