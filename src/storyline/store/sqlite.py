"""SQLite store: one file, schema versioned by ``PRAGMA user_version`` and ``MIGRATIONS``.

The SQL lives in ``SQLStore`` (``base.py``); this class adds what is SQLite's own: opening
the file, migrating it, and transactions that nest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storyline.errors import StoreError
from storyline.store.base import SQLStore
from storyline.store.migrations import MIGRATIONS, SCHEMA_VERSION


class SQLiteStore(SQLStore):
    """Articles, rejections, duplicates, embeddings, stories and memberships in one file.

    One process writes at a time (SQLite's own file lock); for several writers use
    ``PostgresStore``.
    """

    SEQ = "rowid"

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        self._depth = 0
        if not create and not self.path.exists():
            raise StoreError(f"no database at {self.path}; run 'storyline run PATH' first "
                             f"or pass --db")
        if not self.path.parent.exists():
            raise StoreError(f"cannot create database {self.path}: folder "
                             f"{self.path.parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; an inner one joins the outer (committed once, at the end)."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self.conn:
                yield self.conn
        finally:
            self._depth = 0

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}, newer than this "
                             f"Storyline ({SCHEMA_VERSION}); upgrade Storyline")
        for number in range(version, SCHEMA_VERSION):
            with self.conn:
                self.conn.executescript(MIGRATIONS[number])
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])
