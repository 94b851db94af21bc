"""Scale benchmark for ``GraphClusterer`` (batch) and ``StreamClusterer`` (online).

Synthetic 384-d float32 unit vectors with news-like structure: story sizes drawn from a
truncated power law on 1..50 (P(s) ~ s^-2, mean ~2.8), a shared "language" direction so
that, before centring, members of one story have cosine ~0.85-0.95 and different stories
~0.6-0.8 (as e5-small in one language); centred like the pipeline does
(``LanguageCentering``, one language). Each size runs in its own subprocess so peak RSS
(``ru_maxrss``) is per size. Reported against the synthetic truth: B-cubed F1. Reference
measured in the same run: numpy float32 matmul throughput and the k-NN stage alone.

    .venv/bin/python benchmarks/bench_cluster_scale.py                # 10k, 100k + stream
    .venv/bin/python benchmarks/bench_cluster_scale.py --sizes 1000000 --no-stream

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from storyline.pipeline import NEIGHBOURS, PLACE_THRESHOLD, STORY_THRESHOLD

DIM = 384


def synth(n: int, dim: int = DIM, seed: int = 0, max_size: int = 50,
          alpha: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = np.arange(1, max_size + 1)
    p = s ** -alpha
    p /= p.sum()
    sizes = rng.choice(s, size=n, p=p)  # more than enough draws
    cut = int(np.searchsorted(np.cumsum(sizes), n)) + 1
    sizes = sizes[:cut]
    sizes[-1] -= sizes.sum() - n
    n_st = len(sizes)
    g = rng.standard_normal(dim).astype(np.float32)
    g /= np.linalg.norm(g)
    labels = np.repeat(np.arange(n_st), sizes)
    a = rng.uniform(0.7, 0.85, n_st).astype(np.float32)           # cos to language dir^2
    r2 = (1 / rng.uniform(0.85, 0.95, n_st) - 1).astype(np.float32)  # noise -> within cos
    out = np.empty((n, dim), np.float32)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    step = 20000
    for s0 in range(0, n_st, step):
        ks = np.arange(s0, min(n_st, s0 + step))
        u = rng.standard_normal((len(ks), dim)).astype(np.float32)
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        c = np.sqrt(a[ks])[:, None] * g + np.sqrt(1 - a[ks])[:, None] * u
        lo, hi = starts[ks[0]], starts[ks[-1] + 1]
        lab = labels[lo:hi] - s0
        z = rng.standard_normal((hi - lo, dim)).astype(np.float32)
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        x = c[lab] + np.sqrt(r2[ks][lab])[:, None] * z
        out[lo:hi] = x / np.linalg.norm(x, axis=1, keepdims=True)
    perm = rng.permutation(n)
    return out[perm], labels[perm]


def centred(x: np.ndarray) -> np.ndarray:
    from storyline.similarity import LanguageCentering

    return LanguageCentering().fit_transform(x, ["xx"] * len(x))


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def matmul_gflops() -> float:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4096, DIM), dtype=np.float32)
    b = rng.standard_normal((DIM, 16384), dtype=np.float32)
    a @ b
    t = time.perf_counter()
    for _ in range(5):
        a @ b
    return 5 * 2 * 4096 * DIM * 16384 / (time.perf_counter() - t) / 1e9


def one_batch(n: int, k: int, threshold: float) -> dict:
    from storyline.cluster.graph import GraphClusterer
    from storyline.evaluate import bcubed

    x, y = synth(n)
    x = centred(x)
    rss0 = peak_rss_gb()
    gc = GraphClusterer(threshold, k)
    t0 = time.perf_counter()
    labels = gc.fit_predict(x)
    t_all = time.perf_counter() - t0
    t_knn = gc.timings_["knn"]  # the k-NN (ANN index build + query) stage alone
    _, _, f1 = bcubed(labels.tolist(), y.tolist())
    return {"n": n, "k": k, "seconds": t_all, "knn_seconds": t_knn, "f1": f1,
            "clusters": int(labels.max()) + 1, "true": int(y.max()) + 1,
            "rss_before_gb": rss0, "peak_rss_gb": peak_rss_gb()}


def one_stream(n_stories: int, k: int, threshold: float, n_queries: int) -> dict:
    from storyline.cluster.stream import StreamClusterer
    from storyline.evaluate import bcubed

    n = int(n_stories * 2.85)
    x, y = synth(n, seed=2)
    x = centred(x)
    rng = np.random.default_rng(3)
    q = np.zeros(n, bool)
    q[rng.choice(n, n_queries, replace=False)] = True
    t0 = time.perf_counter()
    sc = StreamClusterer.from_labels(x[~q], y[~q], threshold=threshold, k=k,
                                     place_threshold=max(threshold, PLACE_THRESHOLD))
    t_build = time.perf_counter() - t0
    lat = []
    for v in x[q]:
        t = time.perf_counter()
        sc.add(v)
        lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    merged = sc.merge_pass()
    t_merge = time.perf_counter() - t
    # placement quality: B-cubed of the held-out articles' stories vs truth, over all rows
    pred = np.concatenate([y[~q], sc.labels()[len(y[~q]):]])
    gold = np.concatenate([y[~q], y[q]])
    _, _, f1 = bcubed(pred.tolist(), gold.tolist())
    # from scratch on 10k, fed in order, then one merge pass (vs batch on the same 10k)
    from storyline.cluster.graph import GraphClusterer

    xs, ys = synth(10000, seed=4)
    xs = centred(xs)
    s2 = StreamClusterer(threshold, k, place_threshold=max(threshold, PLACE_THRESHOLD))
    t = time.perf_counter()
    for v in xs:
        s2.add(v)
    s2.merge_pass()
    t_scratch = time.perf_counter() - t
    f1_scratch = bcubed(s2.labels().tolist(), ys.tolist())[2]
    f1_batch10k = bcubed(GraphClusterer(threshold, k).fit_predict(xs).tolist(), ys.tolist())[2]
    lat_ms = np.array(lat) * 1e3
    return {"stories": sc.n_stories, "articles": sc.n_articles, "build_seconds": t_build,
            "p50_ms": float(np.percentile(lat_ms, 50)), "p99_ms": float(np.percentile(lat_ms, 99)),
            "merge_seconds": t_merge, "merged": len(merged), "f1_all": f1,
            "scratch10k_seconds": t_scratch, "scratch10k_f1": f1_scratch,
            "batch10k_f1": f1_batch10k, "peak_rss_gb": peak_rss_gb()}


def run_child(args: list[str], script: str = __file__) -> dict:
    """Run ``script`` with ``args`` in a fresh process (its own peak RSS); its last line."""
    out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--k", type=int, default=NEIGHBOURS)
    ap.add_argument("--threshold", type=float, default=STORY_THRESHOLD)
    ap.add_argument("--no-stream", action="store_true")
    ap.add_argument("--stream-stories", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--child", choices=["batch", "stream"])
    ap.add_argument("--n", type=int)
    a = ap.parse_args()
    if a.child == "batch":
        print(json.dumps(one_batch(a.n, a.k, a.threshold)))
        return
    if a.child == "stream":
        print(json.dumps(one_stream(a.n, a.k, a.threshold, a.queries)))
        return
    gf = matmul_gflops()
    print(f"reference: numpy float32 matmul {gf:.0f} GFLOP/s "
          f"(dense n x n x {DIM} cosine at 100k would take {2 * 1e10 * DIM / gf / 1e9:.0f} s, "
          f"at 1M {2 * 1e12 * DIM / gf / 1e9 / 60:.0f} min)\n", flush=True)
    print("| n | k | total s | k-NN only s | total / k-NN | peak RSS GB | clusters (true) "
          "| B-cubed F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in a.sizes.split(",")):
        r = run_child(["--child", "batch", "--n", str(n), "--k", str(a.k),
                       "--threshold", str(a.threshold)])
        print(f"| {n:,} | {r['k']} | {r['seconds']:.1f} | {r['knn_seconds']:.1f} | "
              f"{r['seconds'] / r['knn_seconds']:.2f} | {r['peak_rss_gb']:.2f} | "
              f"{r['clusters']:,} ({r['true']:,}) | {r['f1']:.4f} |", flush=True)
    if not a.no_stream:
        r = run_child(["--child", "stream", "--n", str(a.stream_stories), "--k", str(a.k),
                       "--threshold", str(a.threshold), "--queries", str(a.queries)])
        print("\n| stream | value |\n|---|---|")
        print(f"| index: stories / articles | {r['stories']:,} / {r['articles']:,} |")
        print(f"| rebuild from labels | {r['build_seconds']:.1f} s |")
        print(f"| add() latency p50 / p99 ({a.queries} articles) | {r['p50_ms']:.2f} / "
              f"{r['p99_ms']:.2f} ms |")
        print(f"| merge_pass after them | {r['merge_seconds']:.2f} s, {r['merged']} merges |")
        print(f"| B-cubed F1, all rows (held-out placed online) | {r['f1_all']:.4f} |")
        print(f"| 10k from scratch + merge_pass: time, F1 (batch F1) | "
              f"{r['scratch10k_seconds']:.1f} s, {r['scratch10k_f1']:.4f} "
              f"({r['batch10k_f1']:.4f}) |")
        print(f"| peak RSS | {r['peak_rss_gb']:.2f} GB |")


if __name__ == "__main__":
    main()
