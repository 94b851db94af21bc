"""PostgreSQL store: the shared SQL of ``SQLStore`` over psycopg 3, for several writers.

What differs from SQLite lives here: the connection (autocommit; explicit transactions nest
as savepoints), ``%s`` placeholders, the schema version in a table, and cross-process
advisory locks. Several ``storyline`` processes on several hosts may write one database at
once: deciding whether an input is new and storing it happens under ``INGEST_LOCK``, and
rewriting stories (clustering, streaming placement, merges) under ``STORIES_LOCK``; unique
keys and ``ON CONFLICT`` make every write idempotent besides.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from storyline.errors import StoreError
from storyline.store.base import STORIES_LOCK, SQLStore, StoryRows
from storyline.store.migrations import POSTGRES_MIGRATIONS

SCHEMA_VERSION = len(POSTGRES_MIGRATIONS)
_MIGRATE_LOCK = "migrate"


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """``?`` placeholders (the shared SQL's) to psycopg's ``%s``; a literal ``%`` doubled."""
    return sql.replace("%", "%%").replace("?", "%s")


def lock_key(name: str) -> int:
    """A stable 32-bit advisory-lock key for a lock name (same in every process)."""
    return zlib.crc32(f"storyline:{name}".encode())


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


class PostgresStore(SQLStore):
    """The store in a PostgreSQL database (tables created and migrated on first use)."""

    SEQ = "seq"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:  # pragma: no cover - depends on the install
            raise StoreError("PostgreSQL needs psycopg: pip install 'storyline[postgres]'") from None
        self.url = url
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot connect to {redact(url)}: {first}") from None
        self._migrate()

    # -- dialect hooks ----------------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_pg_sql(sql), tuple(params))

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_pg_sql(sql), rows)

    def _transaction(self) -> Any:
        return self.conn.transaction()

    @contextmanager
    def writer_lock(self, name: str) -> Iterator[None]:
        """A session advisory lock: other processes wait; this session may take it again."""
        key = lock_key(name)
        self.conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            self.conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.writer_lock(_MIGRATE_LOCK):  # two processes starting at once migrate once
            self.conn.execute("CREATE TABLE IF NOT EXISTS storyline_schema (version INTEGER NOT NULL)")
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise StoreError(f"{redact(self.url)} has schema version {version}, newer than "
                                 f"this Storyline ({SCHEMA_VERSION}); upgrade Storyline")
            for number in range(version, SCHEMA_VERSION):
                with self.conn.transaction():
                    self.conn.execute(POSTGRES_MIGRATIONS[number])
                    self.conn.execute("DELETE FROM storyline_schema")
                    self.conn.execute("INSERT INTO storyline_schema (version) VALUES (%s)",
                                      (number + 1,))

    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM storyline_schema").fetchone()
        return int(row[0] or 0)

    # -- stories: one writer at a time, also against another host's clustering -------------
    def replace_stories(self, stories: StoryRows) -> None:
        with self.writer_lock(STORIES_LOCK):
            super().replace_stories(stories)

    def place(self, article_id: str, story_id: str, headline: str) -> None:
        with self.writer_lock(STORIES_LOCK):
            super().place(article_id, story_id, headline)

    def merge_stories(self, absorbed: str, into: str) -> None:
        with self.writer_lock(STORIES_LOCK):
            super().merge_stories(absorbed, into)
