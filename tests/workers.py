"""Processes the crash and concurrency tests start, kill and run side by side.

``python tests/workers.py run DB PATH...``   ingest PATHs, then cluster (like ``storyline run``)
``python tests/workers.py recluster DB``     cluster again and again, alternating two settings
Both use the model-free HashingEmbedder so a test can afford many of them.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import HashingEmbedder  # noqa: E402

from storyline import Storyline  # noqa: E402
from storyline.cluster.graph import GraphClusterer  # noqa: E402


def accounting(db: Path) -> Counter:
    """How many times each input origin is recorded: stored, duplicate or rejected."""
    conn = sqlite3.connect(db)
    try:
        origins = Counter(o for (o,) in conn.execute("SELECT origin FROM articles"))
        origins.update(o for (o,) in conn.execute("SELECT origin FROM duplicates"))
        origins.update(o for (o,) in conn.execute("SELECT origin FROM rejections"))
    finally:
        conn.close()
    return origins


def partition(db: Path) -> set[frozenset[str]]:
    """The stories as sets of article origins (story ids aside)."""
    conn = sqlite3.connect(db)
    try:
        groups: dict[str, set[str]] = {}
        for sid, origin in conn.execute("SELECT m.story_id, a.origin FROM memberships m "
                                        "JOIN articles a ON a.id = m.article_id"):
            groups.setdefault(sid, set()).add(origin)
    finally:
        conn.close()
    return {frozenset(g) for g in groups.values()}


def stories(db: Path) -> dict[str, frozenset[str]]:
    conn = sqlite3.connect(db)
    try:
        groups: dict[str, set[str]] = {}
        for sid, origin in conn.execute("SELECT m.story_id, a.origin FROM memberships m "
                                        "JOIN articles a ON a.id = m.article_id"):
            groups.setdefault(sid, set()).add(origin)
    finally:
        conn.close()
    return {sid: frozenset(g) for sid, g in groups.items()}


def main(argv: list[str]) -> None:
    mode, db, *paths = argv
    with Storyline(db, embedder=HashingEmbedder()) as sl:
        if mode == "run":
            sl.add_paths(paths)
            sl.cluster()
        elif mode == "recluster":
            for n in range(10**6):
                sl.pipeline.clusterer = GraphClusterer(threshold=(0.25, 0.6)[n % 2], k=10)
                sl.cluster()
                print(n, flush=True)
        else:
            raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
