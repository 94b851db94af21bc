"""Stories that hold whatever else is in the database, in any order, batch or streaming.

Runs the real pipeline (ingest, clean, dedup, centring, clustering) over combinations of
corpora, each in three shuffled file orders, in batch (`storyline run`) and streaming
(one file at a time, placed at once, then settled, as `storyline watch` does):

* the five seed pages alone;
* the seeds + the sample corpus; the seeds + ECB+ dev read as JSON Lines; all three;
* the sample alone, then the sample with ECB+ dev added (the sample's B-cubed before and
  after an unrelated corpus joins the database).

Reported per run: the number of stories the seeds end in, intruders in the seeds' story,
B-cubed F1 of the sample's articles (examples/labels.json) and of ECB+ dev's (its labels).
Vectors come from the real bundled model through a cache keyed by the text's SHA-256
(``--cache``, filled on the first run), so the 36 runs embed each text once.

    .venv/bin/python benchmarks/bench_story_robustness.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "examples" / "sample"
LABELS = json.loads((REPO / "examples" / "labels.json").read_text())
ECB = SHARED / "bench" / "clustering" / "ecbplus_dev.jsonl"
SEEDS = sorted(str(p) for p in (SHARED / "seeds").glob("*.txt"))


class CachingEmbedder:
    """The real model behind a persistent text -> vector cache (SHA-256 of the text)."""

    def __init__(self, inner, path: Path) -> None:
        self.inner, self.path = inner, path
        self.name, self.dim = inner.name, inner.dim
        self.table: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.table = dict(zip(data["keys"].tolist(), data["vectors"]))
        self.dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.table}.items())
        if todo:
            vecs = self.inner.embed([t for _, t in todo])
            self.table.update({k: v for (k, _), v in zip(todo, vecs)})
            self.dirty = True
        return np.stack([self.table[k] for k in keys]) if keys else np.zeros((0, self.dim),
                                                                               np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, keys=np.array(sorted(self.table)),
                     vectors=np.stack([self.table[k] for k in sorted(self.table)]))
            self.dirty = False


def gold_of(origin: str, ecb_labels: list[str]) -> str:
    if "/seeds/" in origin:
        return "SEEDS"
    if origin.split("#")[0].endswith(".jsonl") and "ecbplus" in origin:
        return "ECB:" + ecb_labels[int(origin.rsplit("#", 1)[1].split(":")[-1]) - 1]
    path = Path(origin.split("#")[0]).resolve()
    rel = str(path.relative_to(SAMPLE.resolve())) if path.is_relative_to(SAMPLE.resolve()) \
        else origin
    if "#" in origin:  # a record of a JSONL/CSV file: labelled as "file#record"
        rel += "#" + origin.split("#", 1)[1]
    return LABELS.get(rel, "?" + origin)


def measure(store, ecb_labels: list[str]) -> dict:
    from storyline.evaluate import bcubed

    arts = store.articles()
    member = store.memberships()
    gold = {a.id: gold_of(a.origin, ecb_labels) for a in arts}
    seeds = {member[a.id] for a in arts if gold[a.id] == "SEEDS"}
    out = {"seed_stories": len(seeds),
           "intruders": sum(1 for a in arts if member[a.id] in seeds and gold[a.id] != "SEEDS")}
    for part, test in (("sample", lambda g: not g.startswith(("ECB:", "SEEDS"))),
                       ("ecb", lambda g: g.startswith("ECB:"))):
        ids = [a.id for a in arts if test(gold[a.id])]
        if ids:
            out[part] = bcubed([member[i] for i in ids], [gold[i] for i in ids])[2]
    return out


def run(files: list[str], mode: str, embedder, ecb_labels: list[str]) -> dict:
    from storyline.pipeline import Pipeline
    from storyline.store import SQLiteStore

    with tempfile.TemporaryDirectory() as d:
        store = SQLiteStore(Path(d) / "t.db")
        pipe = Pipeline(store, lambda: embedder)
        t = time.perf_counter()
        if mode == "batch":
            pipe.ingest(files)
            pipe.cluster()
        else:
            for f in files:
                pipe.place_new(pipe.ingest([f]))
                pipe.merge_stories()
        res = measure(store, ecb_labels)
        res["seconds"] = time.perf_counter() - t
        store.close()
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path,
                    default=Path.home() / ".cache" / "storyline" / "robustness-vectors.npz")
    ap.add_argument("--orders", type=int, default=3)
    a = ap.parse_args()
    if not ECB.exists() or not SEEDS:
        sys.exit("needs ../shared (seeds and bench/clustering/ecbplus_dev.jsonl)")
    from storyline.embed import E5Embedder

    embedder = CachingEmbedder(E5Embedder(), a.cache)
    ecb_labels = [json.loads(line)["label"] for line in open(ECB, encoding="utf-8")]
    sample = sorted(str(p) for p in SAMPLE.rglob("*") if p.is_file())
    combos = [("seeds alone", SEEDS), ("seeds + sample", SEEDS + sample),
              ("seeds + ECB+ dev", SEEDS + [str(ECB)]),
              ("seeds + sample + ECB+ dev", SEEDS + sample + [str(ECB)])]
    print("| corpus | order | mode | seed stories | intruders | sample B³ F1 | ECB+ B³ F1 | s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, files in combos:
        for order in range(a.orders):
            fs = list(files)
            random.Random(order).shuffle(fs)
            for mode in ("batch", "streaming"):
                r = run(fs, mode, embedder, ecb_labels)
                embedder.save()
                print(f"| {name} | {order} | {mode} | {r['seed_stories']} | {r['intruders']} | "
                      f"{r.get('sample', float('nan')):.3f} | {r.get('ecb', float('nan')):.3f} | "
                      f"{r['seconds']:.0f} |", flush=True)
    before = run(sample, "batch", embedder, ecb_labels)
    after = run(sample + [str(ECB)], "batch", embedder, ecb_labels)
    print(f"\nsample alone B³ F1 {before['sample']:.3f}; with ECB+ dev in the same database "
          f"{after['sample']:.3f} (ECB+ {after['ecb']:.3f})")


if __name__ == "__main__":
    main()
