"""SQLite store: one file, schema versioned by ``PRAGMA user_version`` and ``MIGRATIONS``."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from storyline.errors import NotFoundError, StoreError
from storyline.store import fts
from storyline.store.migrations import BACKFILLS, MIGRATIONS, SCHEMA_VERSION
from storyline.types import Article, Story

# Seconds a writer waits for another process's write transaction before giving up. Writes
# are short (one article, one embedding batch, one clustering result), so a minute is a
# deadlock, not a busy database.
BUSY_TIMEOUT_S = 60.0
_ARTICLE_COLS = "id, origin, title, text, lang, content_hash, url, date, source, duplicate_of"


def _article(row: Sequence[object]) -> Article:
    return Article(*row)  # type: ignore[arg-type]


class SQLiteStore:
    """Articles, rejections, duplicates, embeddings, stories and memberships in one file."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
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

    def close(self) -> None:
        self.conn.close()

    # -- articles ---------------------------------------------------------------------------
    def article_by_origin(self, origin: str) -> Article | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE origin = ?",
                                (origin,)).fetchone()
        return _article(row) if row else None

    def article_by_hash(self, content_hash: str) -> Article | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE content_hash = ? "
                                "ORDER BY added_at LIMIT 1", (content_hash,)).fetchone()
        return _article(row) if row else None

    def article(self, article_id: str) -> Article:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ?",
                                (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article {article_id!r}")
        return _article(row)

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        if ids is None:
            rows = self.conn.execute(f"SELECT {_ARTICLE_COLS} FROM articles ORDER BY origin")
            return [_article(r) for r in rows]
        wanted = list(ids)
        found = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                    f"SELECT {_ARTICLE_COLS} FROM articles WHERE id IN ({marks})", chunk):
                found[r[0]] = _article(r)
        return [found[i] for i in wanted if i in found]

    def add_article(self, article: Article, minhash: bytes | None) -> None:
        with self.transaction():
            self.conn.execute(
                f"INSERT INTO articles ({_ARTICLE_COLS}, minhash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (article.id, article.origin, article.title, article.text, article.lang,
                 article.content_hash, article.url, article.date, article.source,
                 article.duplicate_of, minhash),
            )
            self.conn.execute("DELETE FROM rejections WHERE origin = ?", (article.origin,))
            self.conn.execute("DELETE FROM duplicates WHERE origin = ?", (article.origin,))
            self._index_search(article.id, article.title, article.text, article.lang)

    def remove_article(self, article_id: str) -> None:
        with self.transaction():
            self._unindex_search(article_id)
            self.conn.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?",
                              (article_id,))
            self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        """Signatures of stored originals (near-duplicates are not indexed themselves)."""
        yield from self.conn.execute(
            "SELECT id, minhash FROM articles WHERE duplicate_of IS NULL AND minhash IS NOT NULL")

    def minhashes_since(self, rowid: int) -> list[tuple[int, str, bytes]]:
        """(rowid, id, signature) of originals stored after ``rowid``: what other processes
        (or this one) added since an in-memory index was last brought up to date."""
        return list(self.conn.execute(
            "SELECT rowid, id, minhash FROM articles WHERE rowid > ? AND duplicate_of IS NULL "
            "AND minhash IS NOT NULL ORDER BY rowid", (rowid,)))

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?",
                                 (article_id,)).fetchone() is not None

    def article_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM articles")}

    def count_articles_in(self, lang: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles WHERE lang = ? AND "
                                     "duplicate_of IS NULL", (lang,)).fetchone()[0])

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def article_facets(self) -> list[tuple[str, str, str | None, str | None, str | None]]:
        """(id, lang, source, date, duplicate_of) of every article: the filters' columns."""
        return list(self.conn.execute(
            "SELECT id, lang, source, date, duplicate_of FROM articles ORDER BY id"))

    # -- full-text search ----------------------------------------------------------------------
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

    def reindex_search(self) -> int:
        """Rebuild the full-text index from the articles (back-fill of migration 3)."""
        with self.transaction():
            self.conn.execute("DELETE FROM article_search")
            self.conn.execute("DELETE FROM search_rows")
            rows = self.conn.execute("SELECT id, title, text, lang FROM articles").fetchall()
            for aid, title, text, lang in rows:
                self._index_search(aid, title, text, lang)
        return len(rows)

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

    def count_articles_by_lang(self) -> dict[str, int]:
        """Articles (near-duplicates included, as the index holds them) per language."""
        return dict(self.conn.execute("SELECT lang, count(*) FROM articles GROUP BY lang"))

    # -- duplicates and rejections ------------------------------------------------------------
    def add_duplicate(self, origin: str, duplicate_of: str) -> bool:
        """Record an exact copy; returns False when it was already recorded."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO duplicates (origin, duplicate_of) VALUES (?, ?) "
                "ON CONFLICT(origin) DO UPDATE SET duplicate_of = excluded.duplicate_of "
                "WHERE duplicate_of != excluded.duplicate_of", (origin, duplicate_of))
            self.conn.execute("DELETE FROM rejections WHERE origin = ?", (origin,))
        return cur.rowcount > 0

    def duplicates(self) -> list[tuple[str, str]]:
        return list(self.conn.execute("SELECT origin, duplicate_of FROM duplicates ORDER BY origin"))

    def add_rejection(self, origin: str, reason: str) -> bool:
        """Record a rejection; returns False when the same one was already recorded."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO rejections (origin, reason) VALUES (?, ?) "
                "ON CONFLICT(origin) DO UPDATE SET reason = excluded.reason "
                "WHERE reason != excluded.reason", (origin, reason))
        return cur.rowcount > 0

    def rejections(self) -> list[tuple[str, str]]:
        return list(self.conn.execute("SELECT origin, reason FROM rejections ORDER BY origin"))

    # -- embeddings -------------------------------------------------------------------------
    def embeddings(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for aid, blob in self.conn.execute(
                    f"SELECT article_id, vector FROM embeddings WHERE model = ? "
                    f"AND article_id IN ({marks})", (model, *chunk)):
                out[aid] = np.frombuffer(blob, dtype=np.float32)
        return out

    def add_embeddings(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (article_id, model, dim, vector) "
                "VALUES (?, ?, ?, ?)",
                [(aid, model, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                 for aid, v in vectors.items()])

    def count_embeddings(self, model: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM embeddings WHERE model = ?",
                                     (model,)).fetchone()[0])

    def all_embeddings(self, model: str) -> tuple[list[str], np.ndarray]:
        """Every stored vector of ``model``: (article ids, matrix with one row each)."""
        ids, blobs = [], []
        for aid, blob in self.conn.execute(
                "SELECT article_id, vector FROM embeddings WHERE model = ? ORDER BY article_id",
                (model,)):
            ids.append(aid)
            blobs.append(blob)
        if not blobs:
            return [], np.zeros((0, 0), np.float32)
        return ids, np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)

    def sentence_vectors(self, model: str, ids: Sequence[str]
                         ) -> dict[str, tuple[list[tuple[int, int]], np.ndarray]]:
        """Cached sentence spans (start, end into the article text) and their vectors."""
        out = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for aid, spans, blob in self.conn.execute(
                    f"SELECT article_id, spans, vectors FROM sentence_embeddings "
                    f"WHERE model = ? AND article_id IN ({marks})", (model, *chunk)):
                pairs = [(int(a), int(b)) for a, b in json.loads(spans)]
                vecs = np.frombuffer(blob, dtype=np.float32).reshape(len(pairs), -1) \
                    if pairs else np.zeros((0, 0), np.float32)
                out[aid] = (pairs, vecs)
        return out

    def add_sentence_vectors(self, model: str, items: Mapping[
            str, tuple[Sequence[tuple[int, int]], np.ndarray]]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO sentence_embeddings (article_id, model, spans, vectors) "
                "VALUES (?, ?, ?, ?)",
                [(aid, model, json.dumps([list(s) for s in spans]),
                  np.asarray(v, dtype=np.float32).tobytes()) for aid, (spans, v) in items.items()])

    def missing_embeddings(self, model: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN embeddings e "
            "ON e.article_id = a.id AND e.model = ? WHERE e.article_id IS NULL ORDER BY a.id",
            (model,))
        return [r[0] for r in rows]

    # -- stories ----------------------------------------------------------------------------
    def memberships(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT article_id, story_id FROM memberships"))

    def replace_stories(
        self, stories: Mapping[str, tuple[str, Mapping[str, str], Sequence[str]]],
    ) -> None:
        """Write the clustering result: story id -> (headline, per-language headlines, members).

        Stories that keep their id keep their creation time; others are removed.
        """
        with self.transaction():
            old = {r[0] for r in self.conn.execute("SELECT id FROM stories")}
            self.conn.execute("DELETE FROM memberships")
            gone = old - set(stories)
            self.conn.executemany("DELETE FROM stories WHERE id = ?", [(s,) for s in gone])
            for sid, (headline, headlines, members) in stories.items():
                self.conn.execute(
                    "INSERT INTO stories (id, headline, headlines) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET headline = excluded.headline, "
                    "headlines = excluded.headlines", (sid, headline,
                                                       json.dumps(headlines, ensure_ascii=False,
                                                                  sort_keys=True)))
                self.conn.executemany("INSERT INTO memberships (article_id, story_id) VALUES (?,?)",
                                      [(a, sid) for a in members])

    def place(self, article_id: str, story_id: str, headline: str) -> None:
        """Streaming: put one article into a story (created with ``headline`` if new)."""
        with self.transaction():
            self.conn.execute("INSERT INTO stories (id, headline) VALUES (?, ?) "
                              "ON CONFLICT(id) DO NOTHING", (story_id, headline))
            self.conn.execute("INSERT OR REPLACE INTO memberships (article_id, story_id) "
                              "VALUES (?, ?)", (article_id, story_id))

    def merge_stories(self, absorbed: str, into: str) -> None:
        """Move every article of ``absorbed`` into ``into`` and record the merge."""
        with self.transaction():
            self.conn.execute("UPDATE memberships SET story_id = ? WHERE story_id = ?",
                              (into, absorbed))
            self.conn.execute("DELETE FROM stories WHERE id = ?", (absorbed,))
            self.conn.execute("INSERT OR REPLACE INTO story_merges (absorbed, into_story) "
                              "VALUES (?, ?)", (absorbed, into))
            self.conn.execute("UPDATE story_merges SET into_story = ? WHERE into_story = ?",
                              (into, absorbed))

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Article id -> story id, for the given articles that are in a story."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(article_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(f"SELECT article_id, story_id FROM memberships "
                                         f"WHERE article_id IN ({marks})", chunk))
        return out

    def story_of(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT story_id FROM memberships WHERE article_id = ?",
                                (article_id,)).fetchone()
        return row[0] if row else None

    def story_headlines(self, story_ids: Sequence[str] | None = None) -> dict[str, str]:
        """Story id -> headline (all stories, or those given), without reading members."""
        if story_ids is None:
            return dict(self.conn.execute("SELECT id, headline FROM stories"))
        out: dict[str, str] = {}
        for chunk in _chunks(list(story_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(f"SELECT id, headline FROM stories WHERE id IN ({marks})",
                                         chunk))
        return out

    def change_marker(self) -> tuple[int, int]:
        """Cheap token that differs after any write, by this connection or another."""
        return (int(self.conn.execute("PRAGMA data_version").fetchone()[0]),
                self.conn.total_changes)

    def merges(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT absorbed, into_story FROM story_merges"))

    def stories(self) -> list[Story]:
        rows = self.conn.execute(
            "SELECT s.id, s.headline, s.headlines, a.id, a.lang, a.source, a.date "
            "FROM stories s JOIN memberships m ON m.story_id = s.id "
            "JOIN articles a ON a.id = m.article_id ORDER BY s.id, a.date, a.origin")
        grouped: dict[str, list[tuple]] = {}
        heads: dict[str, tuple[str, str]] = {}
        for sid, headline, headlines, *rest in rows:
            grouped.setdefault(sid, []).append(tuple(rest))
            heads[sid] = (headline, headlines)
        stories = [_story(sid, *heads[sid], members) for sid, members in grouped.items()]
        stories.sort(key=lambda s: (-s.size, s.first_date or "", s.id))
        return stories

    def story(self, story_id: str) -> Story:
        for s in self.stories():
            if s.id == story_id:
                return s
        raise NotFoundError(f"no story {story_id!r}; list them with 'storyline stories'")


def _story(sid: str, headline: str, headlines: str, members: list[tuple]) -> Story:
    dates = sorted(d for _, _, _, d in members if d)
    return Story(id=sid, headline=headline, article_ids=tuple(m[0] for m in members),
                 languages=tuple(sorted({lang for _, lang, _, _ in members})),
                 sources=tuple(sorted({src for _, _, src, _ in members if src})),
                 first_date=dates[0] if dates else None, last_date=dates[-1] if dates else None,
                 headlines=json.loads(headlines))


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


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]
