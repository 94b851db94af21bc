"""Several `storyline run` processes into one PostgreSQL database at once: is every input
accounted for exactly once, and are the stories those of one process?

Starts a private PostgreSQL server (tests/pgserver.py), runs the real CLI with the real
model: first one process over all inputs (the reference), then 2 and 4 processes at once
over disjoint parts of the inputs and over overlapping ones (every process gets every input,
each in its own order). Prints one table row per case.

    .venv/bin/python benchmarks/bench_concurrent.py [--pages 100] [--procs 2 4]

Inputs: examples/sample, ../shared/seeds and the first --pages page dumps of
../shared/bench/textclean/dev.jsonl (written as .txt files to a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from pgserver import PostgresServer  # noqa: E402

from storyline.store import open_store  # noqa: E402

SHARED = REPO.parent / "shared"
EXE = str(Path(sys.executable).with_name("storyline"))


def write_pages(folder: Path, n: int) -> list[str]:
    """The first ``n`` textclean dev pages as page-dump files (read from ../shared)."""
    src = SHARED / "bench" / "textclean" / "dev.jsonl"
    out = []
    folder.mkdir(parents=True, exist_ok=True)
    with open(src, encoding="utf-8") as f:
        for k, line in enumerate(f):
            if k >= n:
                break
            row = json.loads(line)
            path = folder / f"{k:03d}_{row['id']}.txt"
            path.write_text(row["text"], encoding="utf-8")
            out.append(str(path))
    return out


def inputs(tmp: Path, pages: int) -> list[str]:
    files = sorted(str(p) for p in (REPO / "examples" / "sample").rglob("*") if p.is_file())
    files += sorted(str(p) for p in (SHARED / "seeds").glob("*.txt"))
    return files + (write_pages(tmp / "pages", pages) if pages else [])


def run_procs(url: str, parts: list[list[str]]) -> tuple[float, list[dict]]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # every process on one core
    start = time.perf_counter()
    procs = [subprocess.Popen([EXE, "run", *p, "--db", url, "--json", "--quiet"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in parts]
    outs = []
    for p in procs:
        stdout, stderr = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"storyline run failed: {stderr}")
        outs.append(json.loads(stdout))
    return time.perf_counter() - start, outs


def state(url: str) -> dict:
    store = open_store(url)
    try:
        kept = [a.origin for a in store.articles()] + [o for o, _ in store.duplicates()]
        return {"accounted": sorted(kept + [o for o, _ in store.rejections()]),
                "kept": len(kept),
                "partition": {frozenset(s.article_ids) for s in store.stories()},
                "ids": {s.id for s in store.stories()}}
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--procs", type=int, nargs="+", default=[2, 4])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PostgresServer() as server:
        files = inputs(Path(tmp), args.pages)
        ref_url = server.new_database("ref")
        secs, _ = run_procs(ref_url, [files])
        ref = state(ref_url)
        print(f"inputs: {len(files)} files; one process: {secs:.1f} s, "
              f"{len(ref['accounted'])} origins accounted, {len(ref['partition'])} stories")
        print("| processes | inputs | origins accounted once | = one process | duplicates "
              "decided twice | same stories (members) | same story ids | wall s |")
        print("|---|---|---|---|---|---|---|---|")
        rng = random.Random(1)
        for n in args.procs:
            for mode in ("disjoint", "overlapping"):
                if mode == "disjoint":
                    shuffled = rng.sample(files, len(files))
                    parts = [shuffled[k::n] for k in range(n)]
                else:
                    parts = [rng.sample(files, len(files)) for _ in range(n)]
                url = server.new_database(f"p{n}{mode[0]}")
                secs, outs = run_procs(url, parts)
                got = state(url)
                once = len(got["accounted"]) == len(set(got["accounted"]))
                # each kept input (article or duplicate) is reported as stored, near-duplicate
                # or duplicate by exactly one process; more reports = decided twice
                reports = sum(o["ingest"][k] for o in outs
                              for k in ("stored", "near_duplicates", "duplicates"))
                twice = reports - got["kept"]
                print(f"| {n} | {mode} | {once} | {got['accounted'] == ref['accounted']} "
                      f"| {twice} | {got['partition'] == ref['partition']} "
                      f"| {got['ids'] == ref['ids']} | {secs:.1f} |")


if __name__ == "__main__":
    main()
