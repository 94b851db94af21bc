"""Embed the title view of every article of the similarity training file into the embedding
cache (~/.cache/storyline): the one view cheap enough here for all 3,830 articles."""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.embed import E5Embedder, view_texts
from storyline.training import default_cache, embed_cached, pair_articles

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
titles, texts, _ = pair_articles(rows)
t0 = time.time()
v = embed_cached([view_texts(t, x)["title"] for t, x in zip(titles, texts)], E5Embedder(num_threads=1), default_cache(),
                 lambda label, d, n: print(f"{time.time()-t0:.0f}s {d}/{n}", flush=True) if d % 640 == 0 else None)
print("done", v.shape, time.time() - t0, flush=True)
