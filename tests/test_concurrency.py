"""Several processes ingesting into one PostgreSQL database at once: nothing twice, nothing lost.

Real processes (spawned), real server, the model-free embedder; the benchmark
(benchmarks/bench_concurrent.py) does the same with the real model through the CLI.
"""

import multiprocessing as mp
import random

import pytest
from conftest import SAMPLE, HashingEmbedder

from storyline import Storyline


def ingest_and_cluster(url: str, files: list[str], start) -> dict:
    start.wait()  # every process begins together
    with Storyline(url, embedder=HashingEmbedder()) as sl:
        report = sl.add_paths(files)
        sl.cluster()
    return {"stored": report.stored, "near": [o for o, _ in report.near_duplicates],
            "dup": [o for o, _ in report.duplicates], "unchanged": report.unchanged,
            "rejected": [r.origin for r in report.rejected]}


def partition(sl) -> set[frozenset[str]]:
    return {frozenset(s.article_ids) for s in sl.stories()}


def accounted(sl) -> list[str]:
    """Every origin the store knows, once per way it knows it (article, duplicate, rejection)."""
    return sorted([a.origin for a in sl.articles()] + [o for o, _ in sl.store.duplicates()]
                  + [o for o, _ in sl.store.rejections()])


@pytest.fixture(scope="module")
def files():
    return sorted(str(p) for p in SAMPLE.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def reference(tmp_path_factory, files):
    """One process on SQLite: the stories every concurrent run must reproduce."""
    with Storyline(tmp_path_factory.mktemp("ref") / "one.db", embedder=HashingEmbedder()) as sl:
        sl.add_paths(files)
        sl.cluster()
        return partition(sl), accounted(sl)


@pytest.mark.parametrize("overlap", [False, True], ids=["disjoint", "overlapping"])
def test_three_processes_into_one_postgres(pg_server, files, reference, overlap):
    url = pg_server.new_database()
    with Storyline(url, embedder=HashingEmbedder()):
        pass  # schema made once before the race (the race itself is tested below)
    rng = random.Random(7)
    if overlap:  # every process gets every file, each in its own order
        parts = [rng.sample(files, len(files)) for _ in range(3)]
    else:
        shuffled = rng.sample(files, len(files))
        parts = [shuffled[k::3] for k in range(3)]
    ctx = mp.get_context("spawn")
    start = ctx.Manager().Barrier(3)
    with ctx.Pool(3) as pool:
        results = pool.starmap(ingest_and_cluster, [(url, p, start) for p in parts])
    with Storyline(url, embedder=HashingEmbedder()) as sl:
        got_partition, got_accounted = partition(sl), accounted(sl)
    want_partition, want_accounted = reference
    assert got_accounted == want_accounted  # every input once: stored, a duplicate or rejected
    assert got_partition == want_partition  # the stories of one process
    # each stored (or duplicate) input was decided by exactly one process; the others, when
    # they had it too, found it unchanged
    kept = sorted(o for r in results for k in ("stored", "near", "dup") for o in r[k])
    with Storyline(url, embedder=HashingEmbedder()) as sl:
        assert kept == sorted([a.origin for a in sl.articles()]
                              + [o for o, _ in sl.store.duplicates()])
        rejected = sorted(o for o, _ in sl.store.rejections())
    if not overlap:
        assert sorted(o for r in results for o in r["rejected"]) == rejected
        assert not any(r["unchanged"] for r in results)
    else:
        assert sum(len(r["unchanged"]) for r in results) == 2 * len(kept)


def test_processes_racing_to_create_the_schema(pg_server):
    url = pg_server.new_database()
    ctx = mp.get_context("spawn")
    start = ctx.Manager().Barrier(3)
    with ctx.Pool(3) as pool:
        pool.starmap(ingest_and_cluster, [(url, [], start)] * 3)
    with Storyline(url, embedder=HashingEmbedder()) as sl:
        assert sl.store.conn.execute("SELECT version FROM storyline_schema").fetchall() == [
            (sl.store.schema_version,)]
