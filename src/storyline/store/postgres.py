"""PostgreSQL store: the shared SQL of ``SQLStore`` over psycopg 3, for several writers.

What differs from SQLite lives here: the connection (autocommit; explicit transactions nest
as savepoints), ``%s`` placeholders, the schema version in a table, and cross-process
advisory locks. Several ``storyline`` processes on several hosts may write one database at
once: every write transaction takes one advisory lock first, so writes queue exactly as
SQLite's BEGIN IMMEDIATE makes them queue (deciding whether an input is new and storing it,
replacing the stories), while readers never wait; unique keys and ``ON CONFLICT`` make every
write idempotent besides.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from storyline.errors import StoreError
from storyline.store import fts
from storyline.store.base import SQLStore
from storyline.store.migrations import BACKFILLS, POSTGRES_MIGRATIONS

SCHEMA_VERSION = len(POSTGRES_MIGRATIONS)
_MIGRATE_LOCK = "migrate"
_WRITE_LOCK = "write"
# ts_rank weights for {D, C, B, A}: a title word (A) weighs 3x a body word (B), as in SQLite's
# bm25 call; normalisation 1 divides by 1 + log(document length), bm25's length penalty.
_RANK = "ts_rank('{0, 0, 0.333, 1}', s.doc, q.query, 1)"
# PostgreSQL caps a tsvector at 1 MB: the body's search form is indexed up to this length.
MAX_INDEXED_CHARS = 200_000


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """``?`` placeholders (the shared SQL's) to psycopg's ``%s``; a literal ``%`` doubled."""
    return sql.replace("%", "%%").replace("?", "%s")


def _tokens(text: str) -> str:
    """The search form as space-separated ``\\w+`` tokens, so PostgreSQL's parser splits it
    exactly where SQLite's unicode61 tokenizer does."""
    return " ".join(fts.TOKEN.findall(fts.index_form(text)))


def _any_of(n: int) -> str:
    return " || ".join(["plainto_tsquery('simple', ?)"] * n)


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

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction at a time across processes (a transaction-scoped advisory
        lock, released at commit or rollback); nested blocks are savepoints."""
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(_WRITE_LOCK),))
            yield self.conn

    @contextmanager
    def _session_lock(self, name: str) -> Iterator[None]:
        key = lock_key(name)
        self.conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            self.conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._session_lock(_MIGRATE_LOCK):  # two processes starting at once migrate once
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
                if number + 1 in BACKFILLS:
                    getattr(self, BACKFILLS[number + 1])()

    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM storyline_schema").fetchone()
        return int(row[0] or 0)

    # -- full-text search: tsvector ('simple' configuration) over fts.index_form --------------
    def _index_search(self, article_id: str, title: str, text: str, lang: str) -> None:
        self._execute(
            "INSERT INTO article_search (article_id, lang, doc) VALUES (?, ?, "
            "setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'B')) "
            "ON CONFLICT (article_id) DO UPDATE SET lang = excluded.lang, doc = excluded.doc",
            (article_id, lang, _tokens(title), _tokens(text[:MAX_INDEXED_CHARS])))

    def _unindex_search(self, article_id: str) -> None:
        self._execute("DELETE FROM article_search WHERE article_id = ?", (article_id,))

    def search_text(self, query: str, *, lang: str | None = None, source: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    limit: int = 100) -> list[tuple[str, float]]:
        """Keyword search as ``SQLiteStore.search_text`` (same terms, filters and result),
        ranked by ``ts_rank`` instead of bm25: the scale differs, and so may close orders."""
        terms = self._informative(fts.query_terms(query))
        if not terms:
            return []
        where, args = ["s.doc @@ q.query"], []
        for column, op, value in (("s.lang", "=", lang), ("a.source", "=", source),
                                  ("a.date", ">=", date_from), ("a.date", "<=", date_to)):
            if value is not None:
                where.append(f"{column} {op} ?")
                args.append(value)
        rows = self._execute(
            f"SELECT a.id, {_RANK} AS score FROM article_search s "
            "JOIN articles a ON a.id = s.article_id "
            f"CROSS JOIN (SELECT ({_any_of(len(terms))}) AS query) q "
            f"WHERE {' AND '.join(where)} ORDER BY score DESC, a.id LIMIT ?",
            (*terms, *args, limit)).fetchall()
        return [(aid, float(score)) for aid, score in rows]

    def _informative(self, terms: list[str]) -> list[str]:
        """As SQLite's: drop terms found in more than ``fts.COMMON_FRACTION`` of a large index
        (each count stops past the cap, so a common word costs no full scan)."""
        if len(terms) < 2:
            return terms
        cap = int(max(fts.COMMON_MIN_DOCS, fts.COMMON_FRACTION * self._indexed_count()))
        df = {t: int(self._execute(
            "SELECT count(*) FROM (SELECT 1 FROM article_search "
            "WHERE doc @@ plainto_tsquery('simple', ?) LIMIT ?) hits", (t, cap + 1)).fetchone()[0])
            for t in terms}
        kept = [t for t in terms if df[t] <= cap]
        return kept or [min(terms, key=lambda t: df[t])]

    def _indexed_count(self) -> int:
        """Rows in the index: the planner's estimate when it has one (a large table), else
        an exact count."""
        est = self._execute("SELECT reltuples FROM pg_class WHERE relname = 'article_search'"
                            ).fetchone()
        if est and est[0] and est[0] > 0:
            return int(est[0])
        return int(self._execute("SELECT count(*) FROM article_search").fetchone()[0])

    def document_frequencies(self, terms: Sequence[str], lang: str) -> dict[str, int]:
        """For each index token in ``terms``: how many articles in language ``lang`` hold it
        (the token folded as the index was: FTS5 folds case itself, the 'simple' parser only
        lower-cases, so a final sigma would otherwise miss)."""
        return {t: int(self._execute(
            "SELECT count(*) FROM article_search WHERE lang = ? "
            "AND doc @@ plainto_tsquery('simple', ?)", (lang, fts.fold(t))).fetchone()[0])
            for t in terms}

    def change_marker(self) -> tuple[int, int]:
        """Differs after any write to the server: the next transaction id to be assigned."""
        row = self._execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()
        return (int(row[0]), 0)
