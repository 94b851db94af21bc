"""kill -9 during `storyline run`, and two runs at once, on 300 real pages with the real model.

Pages: the first ``--pages`` text-cleaning dev pages (../shared/bench/textclean/dev.jsonl)
written out as .txt files in a temporary folder (never in the repository).

1. Reference: one uninterrupted `storyline run` on a fresh database.
2. ``--kills`` trials: start `storyline run`, SIGKILL it at a uniformly random moment, run
   the same command again to completion, then check: every input recorded exactly once
   (article, duplicate or rejection), final stories (as sets of inputs, and their ids)
   equal to the reference. The first ``--fresh`` trials start from an empty database (kill
   anywhere in ingest, embedding or clustering). To stay affordable on a shared 2-core
   machine the others start from a copy of the reference database with its stories and a
   random share (``--strip``: 6-60 % by default) of its articles and of the remaining
   vectors removed: a state a crash can
   leave, since each article and each vector batch commits on its own; the kill then lands
   in a run that re-ingests, re-embeds and re-clusters that share (embedding cache reused).
``--hashing`` runs the same pipeline with the tests' model-free embedder (tests/workers.py):
the transactions under test are the same, the runs affordable.
3. ``--concurrent``: two `storyline run` processes at once on one fresh database, inputs
   1-200 and 101-300: every input recorded exactly once, stories equal to the reference.

    OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/bench_crash.py [--pages 300]
        [--kills 20] [--fresh 3] [--strip 0.6] [--concurrent] [--seed 0]
        [--reuse FOLDER --window SECONDS] [--hashing]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "bench" / "textclean" / "dev.jsonl"
EXE = Path(sys.executable).with_name("storyline")


def write_pages(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    with open(DEV, encoding="utf-8") as f:
        for k, line in zip(range(n), f):
            page = json.loads(line)
            path = folder / f"{k:03d}-{page['id']}.txt"
            path.write_text(page["text"], encoding="utf-8")
            paths.append(path)
    return paths


HASHING = False  # --hashing: tests/workers.py run (same pipeline, model-free embedder)


def run(db: Path, *paths: Path) -> subprocess.Popen:
    if HASHING:
        cmd = [sys.executable, str(REPO / "tests" / "workers.py"), "run", str(db),
               *map(str, paths)]
    else:
        cmd = [str(EXE), "run", *map(str, paths), "--db", str(db), "--quiet", "--json"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"storyline run failed ({proc.returncode}): {err.decode()[-2000:]}")


def state(db: Path) -> dict:
    """What the database holds: each input's record count, stories by input, stage counts."""
    conn = sqlite3.connect(db)
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
        conn.close()  # killed before the schema was created
        return {"origins": Counter(), "stories": {}, "originals": 0,
                "counts": dict.fromkeys(("articles", "embeddings", "stories", "memberships"), 0)}
    try:
        origins = Counter(o for (o,) in conn.execute("SELECT origin FROM articles"))
        origins.update(o for (o,) in conn.execute("SELECT origin FROM duplicates"))
        origins.update(o for (o,) in conn.execute("SELECT origin FROM rejections"))
        stories: dict[str, set[str]] = {}
        for sid, origin in conn.execute("SELECT m.story_id, a.origin FROM memberships m "
                                        "JOIN articles a ON a.id = m.article_id"):
            stories.setdefault(sid, set()).add(origin)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("articles", "embeddings", "stories", "memberships")}
        originals = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NULL"
                                 ).fetchone()[0]
    finally:
        conn.close()
    return {"origins": origins, "stories": {k: frozenset(v) for k, v in stories.items()},
            "counts": counts, "originals": originals}


def stage_at_kill(st: dict, n_inputs: int, ref: dict) -> str:
    c = st["counts"]
    if sum(st["origins"].values()) < n_inputs:
        return "ingest"
    if c["embeddings"] < ref["counts"]["embeddings"]:
        return "embed"
    return "cluster or after"


def strip(db: Path, rng: random.Random, most: float) -> tuple[float, float]:
    """Remove the stories, a random share (up to ``most``) of the articles and vectors."""
    fa, fe = rng.uniform(most / 10, most), rng.uniform(most / 10, most)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")
    with conn:
        conn.execute("DELETE FROM memberships")
        conn.execute("DELETE FROM stories")
        conn.execute("DELETE FROM story_merges")
        ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
        gone = rng.sample(ids, int(fa * len(ids)))
        conn.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in gone])
        keys = list(conn.execute("SELECT article_id, model FROM embeddings"))
        conn.executemany("DELETE FROM embeddings WHERE article_id = ? AND model = ?",
                         rng.sample(keys, int(fe * len(keys))))
    conn.close()
    return fa, fe


def check(st: dict, ref: dict, expected: set[str]) -> dict:
    lost = expected - set(st["origins"])
    twice = [o for o, n in st["origins"].items() if n > 1]
    same_partition = set(st["stories"].values()) == set(ref["stories"].values())
    return {"lost": len(lost), "twice": len(twice), "same_stories": same_partition,
            "same_story_ids": st["stories"] == ref["stories"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--fresh", type=int, default=3, help="trials from an empty database")
    ap.add_argument("--strip", type=float, default=0.6,
                    help="most of the articles (and of the vectors) a copied trial removes")
    ap.add_argument("--concurrent", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reuse", type=Path, help="folder of an earlier run: its in/ and "
                    "reference.db (kept); skips the reference run")
    ap.add_argument("--window", type=float, default=60.0,
                    help="with --reuse: seconds the kill moment is drawn from")
    ap.add_argument("--hashing", action="store_true",
                    help="the model-free HashingEmbedder of the tests instead of e5-small")
    args = ap.parse_args()
    global HASHING
    HASHING = args.hashing
    if not DEV.exists():
        raise SystemExit(f"{DEV} not found")
    rng = random.Random(args.seed)
    tmp = args.reuse or Path(tempfile.mkdtemp(prefix="bench-crash-"))
    try:
        ref_db = tmp / "reference.db"
        if args.reuse:  # the pages and reference database of an earlier (stopped) run
            pages = sorted((tmp / "in").glob("*.txt"))
            t_ref = args.window
        else:
            pages = write_pages(tmp / "in", args.pages)
            t0 = time.perf_counter()
            finish(run(ref_db, tmp / "in"))
            t_ref = time.perf_counter() - t0
        ref = state(ref_db)
        expected = set(ref["origins"])
        assert {str(p) for p in pages} <= expected | {o.split("#")[0] for o in expected}
        print(f"reference run: {t_ref:.1f} s, {ref['counts']}, {len(ref['stories'])} stories",
              flush=True)
        concurrent = None
        if args.concurrent:
            db = tmp / "concurrent.db"
            half = args.pages * 2 // 3
            t0 = time.perf_counter()
            a, b = run(db, *pages[:half]), run(db, *pages[args.pages - half:])
            finish(a)
            finish(b)
            st = state(db)
            concurrent = {"inputs_a": half, "inputs_b": half, "overlap": 2 * half - args.pages,
                          "seconds": round(time.perf_counter() - t0, 1),
                          "in_a_story": st["counts"]["memberships"],
                          "articles": st["counts"]["articles"], **check(st, ref, expected)}
            print(json.dumps({"concurrent": concurrent}), flush=True)
        trials = []
        for i in range(args.kills):
            db = tmp / f"trial{i}.db"
            fractions = None
            window = None
            while True:
                if i >= args.fresh:
                    shutil.copy(ref_db, db)
                    fractions = strip(db, rng, args.strip)
                if window is None:
                    window = (t_ref if fractions is None else args.window if args.reuse
                              else t_ref * max(fractions) + 5)
                t_start = time.perf_counter()
                proc = run(db, tmp / "in")
                time.sleep(rng.uniform(0.0, window))
                running = proc.poll() is None
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                if running:
                    break
                # the run ended before the kill: a kill that hits nothing is no trial; start
                # again from the same kind of database, with a window as long as that run
                db.unlink()
                window = time.perf_counter() - t_start
                print(f"trial {i}: run ended before the kill; window now {window:.0f} s",
                      flush=True)
            killed_after = time.perf_counter() - t_start
            at_kill = state(db)
            stage = stage_at_kill(at_kill, len(expected), ref) if running else "had finished"
            finish(run(db, tmp / "in"))
            result = {"trial": i, "start": "empty" if fractions is None else
                      f"reference minus {fractions[0]:.0%} articles, {fractions[1]:.0%} vectors",
                      "killed_after_s": round(killed_after, 1), "stage_at_kill": stage,
                      **check(state(db), ref, expected)}
            trials.append(result)
            print(json.dumps(result), flush=True)
            db.unlink()
        summary = {"pages": args.pages, "reference_s": round(t_ref, 1),
                   "kills": len(trials),
                   "killed_while_running": sum(t["stage_at_kill"] != "had finished"
                                               for t in trials),
                   "stages": Counter(t["stage_at_kill"] for t in trials),
                   "lost": sum(t["lost"] for t in trials),
                   "stored_twice": sum(t["twice"] for t in trials),
                   "stories_equal_reference": sum(t["same_stories"] for t in trials),
                   "story_ids_equal_reference": sum(t["same_story_ids"] for t in trials),
                   "concurrent": concurrent}
        print(json.dumps(summary, indent=1))
    finally:
        if not args.reuse:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
