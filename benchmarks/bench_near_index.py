"""Near-duplicate lookup in the store's band table against the same index in memory.

usage: bench_near_index.py [--articles 10000] [--queries 500]

Synthetic articles (random words from a fixed vocabulary, seed 0) are stored with their
MinHash signatures and indexed in a temporary SQLite store and in memory; then the same
queries (half edited copies of stored articles, half new texts) run against both. The
reference, measured in the same run, is computing one signature (what every article pays
anyway). Prints ms per query and the ratios, and checks both indexes answer alike."""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.dedup import NearDuplicateIndex
from storyline.store import SQLiteStore
from storyline.types import Article


def texts(n: int, rng: np.random.Generator) -> list[str]:
    vocab = [f"w{k}" for k in range(20000)]
    return [" ".join(rng.choice(vocab, size=200)) for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=500)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    corpus = texts(args.articles, rng)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "near.db")
        stored, memory = NearDuplicateIndex(bands=store), NearDuplicateIndex()
        t0 = time.perf_counter()
        for k, text in enumerate(corpus):
            sig = stored.signature(text)
            with store.transaction():
                store.add_article(Article(id=f"a{k}", origin=f"{k}.txt", title="", text=text,
                                          lang="en", content_hash=f"h{k}"), stored.to_bytes(sig))
                stored.insert(f"a{k}", sig)
            memory.insert(f"a{k}", sig)
        build = time.perf_counter() - t0
        half = args.queries // 2
        queries = [corpus[k] + " updated" for k in rng.choice(len(corpus), half)]
        queries += texts(args.queries - half, rng)
        t0 = time.perf_counter()
        sigs = [stored.signature(q) for q in queries]
        t_sig = time.perf_counter() - t0
        t0 = time.perf_counter()
        found_store = [stored.query(s) for s in sigs]
        t_store = time.perf_counter() - t0
        t0 = time.perf_counter()
        found_memory = [memory.query(s) for s in sigs]
        t_memory = time.perf_counter() - t0
        store.close()
    q = len(queries)
    print(f"{args.articles} articles indexed ({build:.0f} s, signatures included); {q} queries, "
          f"{sum(f is not None for f in found_store)} found; same answers: "
          f"{found_store == found_memory}")
    print(f"signature (reference) {1000 * t_sig / q:.2f} ms; store query "
          f"{1000 * t_store / q:.3f} ms (ratio {t_store / t_sig:.3f}); memory query "
          f"{1000 * t_memory / q:.3f} ms (ratio {t_memory / t_sig:.3f})")


if __name__ == "__main__":
    main()
