"""Throughput of `storyline run` on the sample corpus, against raw embedding throughput.

The machines are noisy, so the figure that matters is the ratio measured in one run:
pipeline articles/s over model articles/s on the very same article texts.

    .venv/bin/python benchmarks/bench_pipeline.py [--repeat 3] [PATH ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from storyline import Storyline  # noqa: E402
from storyline.embed import BATCH_SIZE, E5Embedder, article_text  # noqa: E402


def time_cli_run(paths: list[str]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        exe = Path(sys.executable).with_name("storyline")
        start = time.perf_counter()
        subprocess.run([str(exe), "run", *paths, "--db", str(db), "--quiet", "--json"],
                       check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        with Storyline(db) as sl:
            texts = [article_text(a) for a in sl.articles()]
    return elapsed, texts


def time_embedding(texts: list[str]) -> float:
    model = E5Embedder()
    start = time.perf_counter()
    for i in range(0, len(texts), BATCH_SIZE):
        model.embed(texts[i:i + BATCH_SIZE])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=[str(REPO / "examples" / "sample")])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs, embeds, ratios = [], [], []
    n_inputs = 0
    for _ in range(args.repeat):
        elapsed, texts = time_cli_run(args.paths)
        emb = time_embedding(texts)
        n_inputs = len(texts)
        runs.append(len(texts) / elapsed)
        embeds.append(len(texts) / emb)
        ratios.append(runs[-1] / embeds[-1])
    print(f"articles stored: {n_inputs}  (inputs: {', '.join(args.paths)})")
    print("| measure | median | runs |")
    print("|---|---|---|")
    print(f"| `storyline run` articles/s (cold start, fresh DB) | {statistics.median(runs):.2f} "
          f"| {', '.join(f'{r:.2f}' for r in runs)} |")
    print(f"| raw e5-small embedding articles/s (same texts) | {statistics.median(embeds):.2f} "
          f"| {', '.join(f'{r:.2f}' for r in embeds)} |")
    print(f"| ratio run / embedding | {statistics.median(ratios):.2f} "
          f"| {', '.join(f'{r:.2f}' for r in ratios)} |")


if __name__ == "__main__":
    main()
