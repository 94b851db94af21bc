"""Shared fixtures: a fresh SQLite store per test, corpus paths, a small deterministic embedder."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from storyline.store import SQLiteStore, open_store

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample"
LABELS = REPO / "examples" / "labels.json"
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
BENCH = SHARED / "bench"


class HashingEmbedder:
    """Bag-of-words hashing vectors: no model, deterministic, same-words-similar.

    Unit tests of the pipeline's bookkeeping use it; the real model runs in test_e2e.py.
    """

    name = "hashing-test"
    dim = 256

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


# -- PostgreSQL: one private server per test session (tests/pgserver.py) ---------------------
@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server started for this session; a clear failure when it cannot be
    (set STORYLINE_SKIP_PG=1 to skip the PostgreSQL tests instead)."""
    from pgserver import SKIP_ENV, PostgresServer, PostgresUnavailable

    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: PostgreSQL tests skipped")
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"cannot start PostgreSQL for the tests: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """A fresh empty database of each backend: an SQLite file path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    return request.getfixturevalue("pg_server").new_database()


@pytest.fixture
def any_store(db_url: str):
    """A fresh store of each backend (the store suite runs against both)."""
    s = open_store(db_url)
    yield s
    s.close()


BACKENDS = ["sqlite", "postgresql"]


def new_db(backend: str, folder: Path, request, name: str = "news.db") -> str:
    """A fresh empty database of ``backend``: a file in ``folder`` or a new PostgreSQL one."""
    if backend == "sqlite":
        return str(folder / name)
    return request.getfixturevalue("pg_server").new_database()


def copy_db(db: str, folder: Path, request, name: str = "copy.db") -> str:
    """A copy of database ``db`` (a file copied, or a PostgreSQL database from a template)."""
    if db.startswith("postgresql://"):
        return request.getfixturevalue("pg_server").copy_database(db)
    shutil.copy(db, folder / name)
    return str(folder / name)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The sample corpus run through the real model once per session (read-only: copy it
    before writing: ``copy_database``)."""
    import os

    from storyline import Storyline

    db = tmp_path_factory.mktemp("sample") / "sample.db"
    prebuilt = os.environ.get("STORYLINE_TEST_SAMPLE_DB")  # a developer's shortcut: reuse one
    if prebuilt and Path(prebuilt).is_file():
        return copy_database(Path(prebuilt), db)
    with Storyline(db) as sl:
        sl.add_paths([SAMPLE])
        sl.cluster()
    return db


def copy_database(source: Path, target: Path) -> Path:
    """A private, writable copy of a database (SQLite's online backup)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def database_fingerprint(db: Path) -> tuple[dict[str, int], str]:
    """Row counts per table and a hash of the whole dump: equal before and after means the
    database did not change."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        digest = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    return counts, digest
