"""Search latency at scale: a synthetic corpus of N articles (default 100,000).

Articles are made of words drawn from the sample corpus's articles of each language
(examples/sample, nine languages), so the full-text index sees realistic scripts and term
frequencies; their vectors are random unit vectors with a per-language offset (the real
model would take hours to embed 100k articles on this machine; search cost does not depend
on what the vectors mean). Queries are the labelled queries of
benchmarks/search_queries.json, each embedded by the real model, as in use.

Reported per mode, p50 and p95 over the queries, as wall time and as this process's CPU
time (on a shared machine the wall time includes waiting for a core; CPU time does not):
the first query (it loads the corpus vectors), a fused search of a new query (the model
embeds it), then each mode with the query's vector cached (a query refined or paged), with
and without filters. The reference measured in the same run is the model embedding a query.

    python benchmarks/bench_search.py [--articles 100000] [--db /tmp/bench_search.db]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from storyline import Storyline
from storyline.embed import E5Embedder
from storyline.search import MODES
from storyline.types import Article

REPO = Path(__file__).resolve().parents[1]
WORDS_PER_ARTICLE = 180


def vocabularies(sl: Storyline) -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    for a in sl.articles():
        words.setdefault(a.lang, []).extend(re.findall(r"\w+", a.full_text))
    return words


def build(db: Path, n: int, sample_db: Path, model: str, dim: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    with Storyline(sample_db, create=False) as sample:
        vocab = vocabularies(sample)
    langs = sorted(vocab)
    offsets = {lang: nrng.normal(size=dim).astype(np.float32) * 0.15 for lang in langs}
    sources = [f"source-{k:03d}" for k in range(200)]
    with Storyline(db) as sl:
        store = sl.store
        store.conn.execute("PRAGMA synchronous = OFF")  # building a throwaway benchmark file
        have = store.count_articles()
        t0 = time.perf_counter()
        batch: dict[str, np.ndarray] = {}
        for i in range(have, n):
            lang = langs[i % len(langs)]
            words = rng.choices(vocab[lang], k=WORDS_PER_ARTICLE)
            sep = "" if lang in ("zh", "ja") else " "
            title = sep.join(words[:8])
            text = sep.join(words[8:])
            aid = f"syn{i:08d}"
            store.add_article(Article(id=aid, origin=f"synthetic/{i}", title=title, text=text,
                                      lang=lang, content_hash=aid, date=f"2026-{1 + i % 12:02d}-"
                                      f"{1 + i % 28:02d}", source=rng.choice(sources)), None)
            v = nrng.normal(size=dim).astype(np.float32) + offsets[lang]
            batch[aid] = v / np.linalg.norm(v)
            if len(batch) == 2000:
                store.add_embeddings(model, batch)
                batch = {}
                print(f"  {i + 1:,} articles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        store.add_embeddings(model, batch)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--db", default="/tmp/bench_search.db")
    ap.add_argument("--sample-db", default=None,
                    help="a database of examples/sample (made with 'storyline run' if absent)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    embedder = E5Embedder(num_threads=1)
    sample_db = Path(args.sample_db or Path(args.db).with_suffix(".sample.db"))
    if not sample_db.exists():
        with Storyline(sample_db, embedder=embedder) as s:
            s.add_paths([REPO / "examples" / "sample"])
    build(Path(args.db), args.articles, sample_db, embedder.name, embedder.dim)
    queries = [q["query"] for q in
               json.loads((REPO / "benchmarks" / "search_queries.json").read_text())["queries"]]
    result: dict = {"articles": args.articles, "queries": len(queries)}
    filters = {"lang": "el", "date_from": "2026-03-01", "date_to": "2026-06-30"}

    def timed(fn) -> dict:
        wall, cpu = [], []
        for q in queries:
            w, c = time.perf_counter(), time.process_time()
            fn(q)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        return {f"{kind}_{p}_ms": round(1000 * float(np.percentile(v, int(p[1:]))), 1)
                for kind, v in (("wall", wall), ("cpu", cpu)) for p in ("p50", "p95")}

    with Storyline(args.db, embedder=embedder) as sl:
        t = time.perf_counter()
        sl.search(queries[0], limit=10, mode="keyword")
        sl.searcher.corpus()
        result["first_query_s"] = round(time.perf_counter() - t, 3)  # loads the vectors
        # the reference: the model embedding a query, which every semantic query pays once
        result["embed_query"] = timed(embedder.embed_query)
        # first pass embeds each query (as a new query does), later passes reuse its vector
        result["fused_new_query"] = timed(lambda q: sl.search(q, limit=10))
        for mode in MODES:
            for label, kw in (("", {}), ("+filters", filters)):
                timed(lambda q: sl.search(q, limit=10, mode=mode, **kw))  # warm the page cache
                result[mode + label] = timed(lambda q: sl.search(q, limit=10, mode=mode, **kw))
        ref = result["embed_query"]["cpu_p95_ms"]
        result["fused_cpu_p95_over_embed_cpu_p95"] = round(result["fused"]["cpu_p95_ms"] / ref, 2)
    uptime = Path("/proc/loadavg")
    result["load_average"] = uptime.read_text().split()[:3] if uptime.exists() else None
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
