"""kill -9 at random moments and two processes on one database: every input exactly once.

Real processes, a real SQLite file, the model-free HashingEmbedder (the real model's run is
benchmarks/bench_crash.py). Kept to a few kills so the suite stays quick.
"""

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workers import accounting, partition, stories

WORKER = Path(__file__).with_name("workers.py")
WORDS = ("earthquake flood election strike merger eclipse wildfire summit verdict launch "
         "drought transfer ceasefire outbreak heatwave").split()


def make_corpus(folder: Path, n: int = 120, seed: int = 7) -> set[str]:
    """``n`` article files about 15 events (+ copies, a bad file, a JSONL): their origins."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    origins = set()
    for i in range(n):
        event = WORDS[i % len(WORDS)]
        vocab = [f"{event}{k}" for k in range(12)] + ["city", "people", "officials", "said"]
        body = "\n".join(" ".join(rng.choice(vocab) for _ in range(25)).capitalize() + "."
                         for _ in range(3))
        path = folder / f"{i % 4}" / f"{event}-{i:03d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"News about the {event} number {i}\n{body}\n", encoding="utf-8")
        origins.add(str(path))
        if i % 20 == 0:  # an exact copy under another name
            copy = folder / "copies" / f"copy-{i:03d}.txt"
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
            origins.add(str(copy))
    (folder / "empty.txt").write_text("")
    origins.add(str(folder / "empty.txt"))
    records = [{"title": f"Record {k} on the {WORDS[k]}", "text": f"{WORDS[k]}1 {WORDS[k]}2 " * 12}
               for k in range(5)]
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n{bad\n")
    origins.update(f"{folder / 'feed.jsonl'}#{k}" for k in range(1, 7))
    return origins


def run_worker(*args: str, timeout: float = 300) -> None:
    subprocess.run([sys.executable, str(WORKER), *map(str, args)], check=True, timeout=timeout)


def start_worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_during_run_then_rerun_loses_and_repeats_nothing(tmp_path):
    origins = make_corpus(tmp_path / "in")
    reference = tmp_path / "reference.db"
    start = time.monotonic()
    run_worker("run", reference, tmp_path / "in")
    full = time.monotonic() - start
    assert set(accounting(reference)) == origins
    db = tmp_path / "killed.db"
    rng = random.Random(1)
    for _ in range(3):
        proc = start_worker("run", db, tmp_path / "in")
        time.sleep(rng.uniform(0.2, full))  # interpreter start-up is part of the window
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run_worker("run", db, tmp_path / "in")
    counts = accounting(db)
    assert set(counts) == origins and set(counts.values()) == {1}  # 0 lost, 0 twice
    assert partition(db) == partition(reference)
    assert stories(db) == stories(reference)  # the same story ids too


def test_two_concurrent_runs_on_overlapping_inputs_account_for_each_input_once(tmp_path):
    origins = make_corpus(tmp_path / "in")
    db = tmp_path / "shared.db"
    a = start_worker("run", db, tmp_path / "in" / "0", tmp_path / "in" / "1",
                     tmp_path / "in" / "2", tmp_path / "in" / "copies")
    b = start_worker("run", db, tmp_path / "in")  # all of A's inputs and more
    assert a.wait(timeout=300) == 0 and b.wait(timeout=300) == 0
    counts = accounting(db)
    assert set(counts) == origins and set(counts.values()) == {1}
    members = sqlite3.connect(db).execute(
        "SELECT count(*), count(DISTINCT article_id) FROM memberships").fetchone()
    n_articles = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert members == (n_articles, n_articles)  # every article in exactly one story
    sequential = tmp_path / "sequential.db"
    run_worker("run", sequential, tmp_path / "in")
    assert partition(db) == partition(sequential)


def test_kill_9_during_clustering_leaves_whole_stories(tmp_path):
    make_corpus(tmp_path / "in", n=60)
    db = tmp_path / "news.db"
    run_worker("run", db, tmp_path / "in")
    conn = sqlite3.connect(db)
    n_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    seen = set()
    rng = random.Random(3)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, str(WORKER), "recluster", str(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        proc.stdout.readline()  # one clustering done: the next one is under way
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        members = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM memberships "
                               "JOIN stories s ON s.id = story_id").fetchone()
        assert members == (n_articles, n_articles)
        seen.add(frozenset(partition(db)))
    assert 1 <= len(seen) <= 2  # always one of the two settings' complete results


def test_failed_replace_stories_rolls_back(store):
    from storyline.types import Article
    a = Article(id="a1", origin="x.txt", title="T", text="body text", lang="en", content_hash="h1")
    store.add_article(a, None)
    store.replace_stories({"s1": ("T", {}, ["a1"])})
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_stories({"s2": ("U", {}, ["a1"]), "s3": ("V", {}, ["no-such-article"])})
    assert [(s.id, s.article_ids) for s in store.stories()] == [("s1", ("a1",))]


def test_concurrent_openings_of_a_new_database_migrate_once(tmp_path):
    db = tmp_path / "fresh.db"
    code = ("import sys; from storyline.store import SQLiteStore; "
            "s = SQLiteStore(sys.argv[1]); print(s.schema_version); s.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert len({out for out, _ in outs}) == 1
