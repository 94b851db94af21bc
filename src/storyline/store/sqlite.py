"""SQLite store: one file, schema versioned by ``PRAGMA user_version`` and ``MIGRATIONS``.

The SQL lives in ``SQLStore`` (``base.py``); this class adds what is SQLite's own: opening
the file, migrating it, transactions that nest, and keyword search with FTS5.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from storyline.errors import StoreError
from storyline.store import fts
from storyline.store.base import SQLStore
from storyline.store.migrations import BACKFILLS, MIGRATIONS, SCHEMA_VERSION

# Seconds a writer waits for another process's write transaction before giving up. Writes
# are short (one article, one embedding batch, one clustering result), so a minute is a
# deadlock, not a busy database.
BUSY_TIMEOUT_S = 60.0


class SQLiteStore(SQLStore):
    """Articles, rejections, duplicates, embeddings, stories and memberships in one file.

    Several processes may write it: each write transaction takes the file's single write
    lock up front (BEGIN IMMEDIATE); for writers on several hosts use ``PostgresStore``.
    """

    SEQ = "rowid"

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        if not create and not self.path.exists():
            raise StoreError(f"no database at {self.path}; run 'storyline run PATH' first "
                             f"or pass --db")
        if not self.path.parent.exists():
            raise StoreError(f"cannot create database {self.path}: folder "
                             f"{self.path.parent} does not exist")
        try:
            # Autocommit mode: every write goes through ``transaction()``, which takes the
            # write lock up front (BEGIN IMMEDIATE), so concurrent processes queue on
            # busy_timeout instead of failing on a read-to-write upgrade.
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._set_wal()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from None

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of the block or none of it, even under ``kill -9``.

        BEGIN IMMEDIATE takes the database's single write lock before the first read, so what
        the block checks (is this origin stored? this hash?) still holds when it writes, with
        other processes writing to the same file. Nested blocks join the outer transaction.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.transaction()  # SQLite has one kind of write transaction

    def _set_wal(self) -> None:
        """WAL: readers never block the writer. Switching needs a moment with no other
        connection writing; a new database opened by two processes at once retries."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        if self.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self.transaction():  # one process migrates; the others wait, then see it done
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} has schema version {version}, newer than this "
                                 f"Storyline ({SCHEMA_VERSION}); upgrade Storyline")
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")
                if number + 1 in BACKFILLS:
                    getattr(self, BACKFILLS[number + 1])()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- full-text search (FTS5) ------------------------------------------------------------------
    def _index_search(self, article_id: str, title: str, text: str, lang: str) -> None:
        cur = self.conn.execute("INSERT INTO search_rows (article_id) VALUES (?)", (article_id,))
        self.conn.execute(
            "INSERT INTO article_search (rowid, title, body, lang) VALUES (?, ?, ?, ?)",
            (cur.lastrowid, fts.index_form(title), fts.index_form(text), lang))

    def _unindex_search(self, article_id: str) -> None:
        row = self.conn.execute("SELECT rowid FROM search_rows WHERE article_id = ?",
                                (article_id,)).fetchone()
        if row:
            self.conn.execute("DELETE FROM article_search WHERE rowid = ?", row)
            self.conn.execute("DELETE FROM search_rows WHERE rowid = ?", row)

    _SEARCH_TABLES = ("article_search", "search_rows")  # the FTS5 table and its rowid map

    def search_text(self, query: str, *, lang: str | None = None, source: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    limit: int = 100) -> list[tuple[str, float]]:
        """Keyword search: (article id, score) of articles holding any word of ``query``,
        best first (score: higher is better; here -bm25, title words weigh 3x).

        Words are matched as ``fts.query_terms`` folds them (case, diacritics, Arabic
        variants; CJK as bigrams). Filters: exact language and source, ISO dates inclusive
        (an article without a date passes no date filter). A backend implements this with
        its own full-text engine; only the ranking's scale may differ.
        """
        terms = self._informative(fts.query_terms(query))
        if not terms:
            return []
        expr = fts.match_expression(terms, columns=("title", "body"))
        if lang is not None:
            expr = f'({expr}) AND lang : "{_quote(lang)}"'
        where, args = ["article_search MATCH ?"], [expr]
        for column, op, value in (("a.source", "=", source),
                                  ("a.date", ">=", date_from), ("a.date", "<=", date_to)):
            if value is not None:
                where.append(f"{column} {op} ?")
                args.append(value)
        rows = self.conn.execute(
            "SELECT a.id, -bm25(article_search, 3.0, 1.0, 0.0) AS score FROM article_search "
            "JOIN search_rows r ON r.rowid = article_search.rowid "
            "JOIN articles a ON a.id = r.article_id "
            f"WHERE {' AND '.join(where)} ORDER BY bm25(article_search, 3.0, 1.0, 0.0) LIMIT ?",
            (*args, limit))
        return [(aid, float(score)) for aid, score in rows]

    def _informative(self, terms: list[str]) -> list[str]:
        """The query's terms without those in more than ``fts.COMMON_FRACTION`` of a large
        index (function words: they rank nothing and make bm25 score most of the corpus);
        the rarest term stays when all are common."""
        if len(terms) < 2:
            return terms
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_search_vocab "
                          "USING fts5vocab(main, article_search, row)")
        marks = ",".join("?" * len(terms))
        df = dict(self.conn.execute(
            f"SELECT term, doc FROM temp.article_search_vocab WHERE term IN ({marks})", terms))
        cap = max(fts.COMMON_MIN_DOCS, fts.COMMON_FRACTION * self._indexed_count())
        kept = [t for t in terms if df.get(t, 0) <= cap]
        return kept or [min(terms, key=lambda t: df.get(t, 0))]

    def _indexed_count(self) -> int:
        return int(self.conn.execute("SELECT max(rowid) FROM search_rows").fetchone()[0] or 0)

    def document_frequencies(self, terms: Sequence[str], lang: str) -> dict[str, int]:
        """For each index token in ``terms`` (as ``fts.index_form`` writes them): how many
        articles in language ``lang`` contain it. Key terms weigh a story's words by it."""
        out = {}
        for term in terms:
            expr = f'{fts.match_expression([term], columns=("title", "body"))} AND lang : "{_quote(lang)}"'
            out[term] = int(self.conn.execute(
                "SELECT count(*) FROM article_search WHERE article_search MATCH ?",
                (expr,)).fetchone()[0])
        return out

    def change_marker(self) -> tuple[int, int]:
        """Cheap token that differs after any write, by this connection or another."""
        return (int(self.conn.execute("PRAGMA data_version").fetchone()[0]),
                self.conn.total_changes)


def _quote(value: str) -> str:
    return value.replace('"', '""')


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a migration script, one by one (executescript would commit)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
