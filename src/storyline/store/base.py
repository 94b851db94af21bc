"""The store seam: the ``Store`` protocol every backend implements, and the SQL they share.

Every stage reads and writes through a ``Store``. ``SQLStore`` holds the SQL once, written
for both SQLite and PostgreSQL (``?`` placeholders, ``INSERT ... ON CONFLICT``); a backend
subclass supplies only what differs: how to connect and migrate, transactions, placeholder
style, the sequence column and the locks several writers need (``SQLiteStore`` in
``sqlite.py``, ``PostgresStore`` in ``postgres.py``; ``open_store`` picks one by URL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

import numpy as np

from storyline.errors import NotFoundError
from storyline.types import Article, Story

ARTICLE_COLS = "id, origin, title, text, lang, content_hash, url, date, source, duplicate_of"

StoryRows = Mapping[str, tuple[str, Mapping[str, str], Sequence[str]]]


@runtime_checkable
class Store(Protocol):
    """What the pipeline, the API and the CLI may ask of a store (any backend)."""

    url: str

    @property
    def schema_version(self) -> int: ...
    def close(self) -> None: ...
    def transaction(self) -> AbstractContextManager[Any]: ...

    # articles
    def article_by_origin(self, origin: str) -> Article | None: ...
    def article_by_hash(self, content_hash: str) -> Article | None: ...
    def article(self, article_id: str) -> Article: ...
    def articles(self, ids: Iterable[str] | None = None, text: bool = True) -> list[Article]: ...
    def add_article(self, article: Article, minhash: bytes | None) -> None: ...
    def remove_article(self, article_id: str) -> None: ...
    # the near-duplicate index (dedup.BandStore): LSH band keys of each original
    def add_near_bands(self, key: str, bands: Sequence[int], signature: bytes) -> None: ...
    def near_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]: ...
    def remove_near_bands(self, key: str) -> None: ...
    def reindex_near_bands(self) -> int: ...
    def has_article(self, article_id: str) -> bool: ...
    def article_ids(self) -> set[str]: ...
    def count_articles_in(self, lang: str) -> int: ...
    def count_articles(self) -> int: ...

    def article_facets(self) -> list[tuple[str, str, str | None, str | None, str | None]]: ...
    def count_articles_by_lang(self) -> dict[str, int]: ...

    # keyword search (the backend's own full-text engine over ``fts.index_form``)
    def search_text(self, query: str, *, lang: str | None = None, source: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    limit: int = 100) -> list[tuple[str, float]]: ...
    def document_frequencies(self, terms: Sequence[str], lang: str) -> dict[str, int]: ...
    def reindex_search(self) -> int: ...
    def change_marker(self) -> tuple[int, int]: ...

    # duplicates and rejections
    def add_duplicate(self, origin: str, duplicate_of: str) -> bool: ...
    def duplicates(self) -> list[tuple[str, str]]: ...
    def add_rejection(self, origin: str, reason: str) -> bool: ...
    def rejections(self) -> list[tuple[str, str]]: ...

    # embeddings
    def embeddings(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]: ...
    def add_embeddings(self, model: str, vectors: Mapping[str, np.ndarray]) -> None: ...
    def missing_embeddings(self, model: str) -> list[str]: ...
    def count_embeddings(self, model: str) -> int: ...
    def all_embeddings(self, model: str) -> tuple[list[str], np.ndarray]: ...
    def sentence_vectors(self, model: str, ids: Sequence[str]
                         ) -> dict[str, tuple[list[tuple[int, int]], np.ndarray]]: ...
    def add_sentence_vectors(self, model: str, items: Mapping[
            str, tuple[Sequence[tuple[int, int]], np.ndarray]]) -> None: ...

    # stories
    def memberships(self) -> dict[str, str]: ...
    def replace_stories(self, stories: StoryRows) -> None: ...
    def place(self, article_id: str, story_id: str, headline: str) -> None: ...
    def merge_stories(self, absorbed: str, into: str) -> None: ...
    def merges(self) -> dict[str, str]: ...
    def stories(self) -> list[Story]: ...
    def story_days(self) -> dict[str, dict[str, int]]: ...
    def story(self, story_id: str) -> Story: ...
    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]: ...
    def story_of(self, article_id: str) -> str | None: ...
    def story_headlines(self, story_ids: Sequence[str] | None = None) -> dict[str, str]: ...


def _article(row: Sequence[object]) -> Article:
    return Article(*row)  # type: ignore[arg-type]


class SQLStore:
    """The SQL both backends share. Subclasses set ``conn`` and override the hooks below.

    Hooks: ``_execute``/``_executemany`` (placeholder style), ``transaction`` (one write
    at a time across processes, nestable), ``SEQ`` (a column that grows with each insert), and the
    full-text engine: ``_index_search``/``_unindex_search`` (called inside the article's
    transaction), ``search_text``, ``document_frequencies``, ``reindex_search``,
    ``change_marker``.
    """

    url: str
    conn: Any
    SEQ = "rowid"

    # -- hooks ------------------------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def transaction(self) -> AbstractContextManager[Any]:
        """One atomic write; other processes writing the same store wait for it, so what the
        block reads still holds when it writes. Nested blocks join the outer one."""
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[Any]:
        return self.transaction()

    @property
    def schema_version(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        self.conn.close()

    def _index_search(self, article_id: str, title: str, text: str, lang: str) -> None:
        raise NotImplementedError

    def _unindex_search(self, article_id: str) -> None:
        raise NotImplementedError

    _SEARCH_TABLES: tuple[str, ...] = ("article_search",)  # what ``reindex_search`` empties

    def reindex_search(self) -> int:
        """Rebuild the full-text index from the articles (back-fill of migration 3)."""
        with self._transaction():
            for table in self._SEARCH_TABLES:
                self._execute(f"DELETE FROM {table}")
            rows = self._execute("SELECT id, title, text, lang FROM articles").fetchall()
            for aid, title, text, lang in rows:
                self._index_search(aid, title, text, lang)
        return len(rows)

    # -- articles ---------------------------------------------------------------------------
    def _one_article(self, where: str, params: Sequence[Any]) -> Article | None:
        row = self._execute(f"SELECT {ARTICLE_COLS} FROM articles WHERE {where}", params).fetchone()
        return _article(row) if row else None

    def article_by_origin(self, origin: str) -> Article | None:
        return self._one_article("origin = ?", (origin,))

    def article_by_hash(self, content_hash: str) -> Article | None:
        return self._one_article(f"content_hash = ? ORDER BY {self.SEQ} LIMIT 1", (content_hash,))

    def article(self, article_id: str) -> Article:
        found = self._one_article("id = ?", (article_id,))
        if found is None:
            raise NotFoundError(f"no article {article_id!r}")
        return found

    def articles(self, ids: Iterable[str] | None = None, text: bool = True) -> list[Article]:
        """Stored articles (all, by origin, or ``ids`` in that order). ``text=False`` leaves
        each body empty (clustering needs titles, languages, dates and vectors; the bodies
        of a large corpus would be most of its memory)."""
        if ids is None:
            cols = ARTICLE_COLS if text else ARTICLE_COLS.replace(", text,", ", '' AS text,")
            rows = self._execute(f"SELECT {cols} FROM articles ORDER BY origin")
            return [_article(r) for r in rows]
        wanted = list(ids)
        found = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for r in self._execute(f"SELECT {ARTICLE_COLS} FROM articles WHERE id IN ({marks})",
                                   chunk):
                found[r[0]] = _article(r)
        return [found[i] for i in wanted if i in found]

    def add_article(self, article: Article, minhash: bytes | None) -> None:
        with self._transaction():
            self._execute(
                f"INSERT INTO articles ({ARTICLE_COLS}, minhash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (article.id, article.origin, article.title, article.text, article.lang,
                 article.content_hash, article.url, article.date, article.source,
                 article.duplicate_of, minhash),
            )
            self._execute("DELETE FROM rejections WHERE origin = ?", (article.origin,))
            self._execute("DELETE FROM duplicates WHERE origin = ?", (article.origin,))
            self._index_search(article.id, article.title, article.text, article.lang)

    def remove_article(self, article_id: str) -> None:
        with self._transaction():
            self._unindex_search(article_id)
            self.remove_near_bands(article_id)
            # its near-duplicates become originals, and join the near-duplicate index
            promoted = self._execute(
                "SELECT id, minhash FROM articles WHERE duplicate_of = ? AND minhash IS NOT "
                "NULL", (article_id,)).fetchall()
            self._execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?",
                          (article_id,))
            self._execute("DELETE FROM articles WHERE id = ?", (article_id,))
            self._index_near(promoted)

    # -- the near-duplicate index (dedup.BandStore) ---------------------------------------
    def add_near_bands(self, key: str, bands: Sequence[int], signature: bytes) -> None:
        """Index an original's LSH bands (its signature is the article row's ``minhash``)."""
        with self._transaction():
            self._executemany("INSERT INTO near_bands (band, article_id) VALUES (?, ?)",
                              [(int(b), key) for b in dict.fromkeys(bands)])

    def near_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]:
        """(id, signature) of the stored originals sharing a band, in insert order."""
        if not bands:
            return []
        # two lookups by index: in one query with a subquery, SQLite's planner walks every
        # original through ``articles_dup`` instead (17 ms a query at 10,000 articles)
        ids = [r[0] for r in self._execute(
            f"SELECT DISTINCT article_id FROM near_bands WHERE band IN "
            f"({','.join('?' * len(bands))})", [int(b) for b in bands])]
        if not ids:
            return []
        return [(aid, bytes(blob)) for aid, blob in self._execute(
            f"SELECT id, minhash FROM articles WHERE id IN ({','.join('?' * len(ids))}) "
            f"AND duplicate_of IS NULL AND minhash IS NOT NULL ORDER BY {self.SEQ}", ids)]

    def remove_near_bands(self, key: str) -> None:
        with self._transaction():
            self._execute("DELETE FROM near_bands WHERE article_id = ?", (key,))

    def _index_near(self, rows: Iterable[tuple[str, bytes]]) -> int:
        from storyline.dedup import NearDuplicateIndex

        index = NearDuplicateIndex(bands=self)
        count = 0
        for aid, blob in rows:
            values = np.frombuffer(bytes(blob), dtype=np.uint64)
            if len(values) == index.num_perm:
                self.add_near_bands(aid, index.band_keys_of(values), bytes(blob))
                count += 1
        return count

    def reindex_near_bands(self) -> int:
        """Rebuild the near-duplicate index from the originals' signatures (back-fill of
        migration 4)."""
        with self._transaction():
            self._execute("DELETE FROM near_bands")
            return self._index_near(self._execute(
                f"SELECT id, minhash FROM articles WHERE duplicate_of IS NULL AND minhash IS "
                f"NOT NULL ORDER BY {self.SEQ}").fetchall())

    def has_article(self, article_id: str) -> bool:
        return self._execute("SELECT 1 FROM articles WHERE id = ?",
                             (article_id,)).fetchone() is not None

    def article_ids(self) -> set[str]:
        return {r[0] for r in self._execute("SELECT id FROM articles")}

    def count_articles_in(self, lang: str) -> int:
        return int(self._execute("SELECT count(*) FROM articles WHERE lang = ? AND "
                                 "duplicate_of IS NULL", (lang,)).fetchone()[0])

    def count_articles(self) -> int:
        return int(self._execute("SELECT count(*) FROM articles").fetchone()[0])

    def article_facets(self) -> list[tuple[str, str, str | None, str | None, str | None]]:
        """(id, lang, source, date, duplicate_of) of every article: the filters' columns."""
        return [tuple(r) for r in self._execute(  # type: ignore[misc]
            "SELECT id, lang, source, date, duplicate_of FROM articles ORDER BY id")]

    def count_articles_by_lang(self) -> dict[str, int]:
        """Articles (near-duplicates included, as the index holds them) per language."""
        return {lang: int(n) for lang, n in self._execute(
            "SELECT lang, count(*) FROM articles GROUP BY lang")}

    # -- duplicates and rejections ------------------------------------------------------------
    def add_duplicate(self, origin: str, duplicate_of: str) -> bool:
        """Record an exact copy; returns False when it was already recorded."""
        with self._transaction():
            cur = self._execute(
                "INSERT INTO duplicates (origin, duplicate_of) VALUES (?, ?) "
                "ON CONFLICT(origin) DO UPDATE SET duplicate_of = excluded.duplicate_of "
                "WHERE duplicates.duplicate_of != excluded.duplicate_of", (origin, duplicate_of))
            changed = cur.rowcount > 0
            self._execute("DELETE FROM rejections WHERE origin = ?", (origin,))
        return changed

    def duplicates(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._execute(  # type: ignore[misc]
            "SELECT origin, duplicate_of FROM duplicates ORDER BY origin")]

    def add_rejection(self, origin: str, reason: str) -> bool:
        """Record a rejection; returns False when the same one was already recorded."""
        with self._transaction():
            cur = self._execute(
                "INSERT INTO rejections (origin, reason) VALUES (?, ?) "
                "ON CONFLICT(origin) DO UPDATE SET reason = excluded.reason "
                "WHERE rejections.reason != excluded.reason", (origin, reason))
            return cur.rowcount > 0

    def rejections(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._execute(  # type: ignore[misc]
            "SELECT origin, reason FROM rejections ORDER BY origin")]

    # -- embeddings (float32 vectors as bytes; the clusterer builds its index from them) -----
    def embeddings(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for aid, blob in self._execute(
                    f"SELECT article_id, vector FROM embeddings WHERE model = ? "
                    f"AND article_id IN ({marks})", (model, *chunk)):
                out[aid] = np.frombuffer(blob, dtype=np.float32)
        return out

    def add_embeddings(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        with self._transaction():
            self._executemany(
                # an article another process removed meanwhile (its file changed) has no row
                # left to hang a vector on: its vector is dropped, not an error
                "INSERT INTO embeddings (article_id, model, dim, vector) "
                "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?) "
                "ON CONFLICT(article_id, model) DO UPDATE SET dim = excluded.dim, "
                "vector = excluded.vector",
                [(aid, model, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes(), aid)
                 for aid, v in vectors.items()])

    def missing_embeddings(self, model: str) -> list[str]:
        rows = self._execute(
            "SELECT a.id FROM articles a LEFT JOIN embeddings e "
            "ON e.article_id = a.id AND e.model = ? WHERE e.article_id IS NULL ORDER BY a.id",
            (model,))
        return [r[0] for r in rows]

    def count_embeddings(self, model: str) -> int:
        return int(self._execute("SELECT count(*) FROM embeddings WHERE model = ?",
                                 (model,)).fetchone()[0])

    def all_embeddings(self, model: str) -> tuple[list[str], np.ndarray]:
        """Every stored vector of ``model``: (article ids, matrix with one row each)."""
        ids, blobs = [], []
        for aid, blob in self._execute(
                "SELECT article_id, vector FROM embeddings WHERE model = ? ORDER BY article_id",
                (model,)):
            ids.append(aid)
            blobs.append(bytes(blob))
        if not blobs:
            return [], np.zeros((0, 0), np.float32)
        return ids, np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)

    def sentence_vectors(self, model: str, ids: Sequence[str]
                         ) -> dict[str, tuple[list[tuple[int, int]], np.ndarray]]:
        """Cached sentence spans (start, end into the article text) and their vectors."""
        out = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for aid, spans, blob in self._execute(
                    f"SELECT article_id, spans, vectors FROM sentence_embeddings "
                    f"WHERE model = ? AND article_id IN ({marks})", (model, *chunk)):
                pairs = [(int(a), int(b)) for a, b in json.loads(spans)]
                vecs = np.frombuffer(blob, dtype=np.float32).reshape(len(pairs), -1) \
                    if pairs else np.zeros((0, 0), np.float32)
                out[aid] = (pairs, vecs)
        return out

    def add_sentence_vectors(self, model: str, items: Mapping[
            str, tuple[Sequence[tuple[int, int]], np.ndarray]]) -> None:
        with self._transaction():
            self._executemany(
                "INSERT INTO sentence_embeddings (article_id, model, spans, vectors) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(article_id, model) DO UPDATE SET "
                "spans = excluded.spans, vectors = excluded.vectors",
                [(aid, model, json.dumps([list(s) for s in spans]),
                  np.asarray(v, dtype=np.float32).tobytes()) for aid, (spans, v) in items.items()])

    # -- stories ----------------------------------------------------------------------------
    def memberships(self) -> dict[str, str]:
        return dict(self._execute("SELECT article_id, story_id FROM memberships").fetchall())

    def replace_stories(self, stories: StoryRows) -> None:
        """Write the clustering result: story id -> (headline, per-language headlines, members).

        Stories that keep their id keep their creation time; others are removed.
        """
        with self._transaction():
            old = {r[0] for r in self._execute("SELECT id FROM stories")}
            self._execute("DELETE FROM memberships")
            gone = old - set(stories)
            self._executemany("DELETE FROM stories WHERE id = ?", [(s,) for s in sorted(gone)])
            self._executemany(
                "INSERT INTO stories (id, headline, headlines) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET headline = excluded.headline, "
                "headlines = excluded.headlines",
                [(sid, headline, json.dumps(heads, ensure_ascii=False, sort_keys=True))
                 for sid, (headline, heads, _) in stories.items()])
            self._executemany("INSERT INTO memberships (article_id, story_id) VALUES (?, ?)",
                              [(a, sid) for sid, (_, _, members) in stories.items()
                               for a in members])

    def place(self, article_id: str, story_id: str, headline: str) -> None:
        """Streaming: put one article into a story (created with ``headline`` if new)."""
        with self._transaction():
            self._execute("INSERT INTO stories (id, headline) VALUES (?, ?) "
                          "ON CONFLICT(id) DO NOTHING", (story_id, headline))
            self._execute("INSERT INTO memberships (article_id, story_id) VALUES (?, ?) "
                          "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                          (article_id, story_id))

    def merge_stories(self, absorbed: str, into: str) -> None:
        """Move every article of ``absorbed`` into ``into`` and record the merge."""
        with self._transaction():
            self._execute("UPDATE memberships SET story_id = ? WHERE story_id = ?",
                          (into, absorbed))
            self._execute("DELETE FROM stories WHERE id = ?", (absorbed,))
            self._execute("INSERT INTO story_merges (absorbed, into_story) VALUES (?, ?) "
                          "ON CONFLICT(absorbed) DO UPDATE SET into_story = excluded.into_story",
                          (absorbed, into))
            self._execute("UPDATE story_merges SET into_story = ? WHERE into_story = ?",
                          (into, absorbed))

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Article id -> story id, for the given articles that are in a story."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(article_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self._execute(f"SELECT article_id, story_id FROM memberships "
                                     f"WHERE article_id IN ({marks})", chunk).fetchall())
        return out

    def story_of(self, article_id: str) -> str | None:
        row = self._execute("SELECT story_id FROM memberships WHERE article_id = ?",
                            (article_id,)).fetchone()
        return row[0] if row else None

    def story_headlines(self, story_ids: Sequence[str] | None = None) -> dict[str, str]:
        """Story id -> headline (all stories, or those given), without reading members."""
        if story_ids is None:
            return dict(self._execute("SELECT id, headline FROM stories").fetchall())
        out: dict[str, str] = {}
        for chunk in _chunks(list(story_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self._execute(f"SELECT id, headline FROM stories WHERE id IN ({marks})",
                                     chunk).fetchall())
        return out

    def merges(self) -> dict[str, str]:
        return dict(self._execute("SELECT absorbed, into_story FROM story_merges").fetchall())

    def stories(self) -> list[Story]:
        rows = self._execute(
            "SELECT s.id, s.headline, s.headlines, a.id, a.lang, a.source, a.date "
            "FROM stories s JOIN memberships m ON m.story_id = s.id "
            "JOIN articles a ON a.id = m.article_id ORDER BY s.id, a.date NULLS FIRST, a.origin")
        grouped: dict[str, list[tuple]] = {}
        heads: dict[str, tuple[str, str]] = {}
        for sid, headline, headlines, *rest in rows:
            grouped.setdefault(sid, []).append(tuple(rest))
            heads[sid] = (headline, headlines)
        stories = [_story(sid, *heads[sid], members) for sid, members in grouped.items()]
        stories.sort(key=lambda s: (-s.size, s.first_date or "", s.id))
        return stories

    def story_days(self) -> dict[str, dict[str, int]]:
        """Articles per publication day of every story: {story id: {YYYY-MM-DD: count}}."""
        out: dict[str, dict[str, int]] = {}
        for sid, day, n in self._execute(
                "SELECT m.story_id, a.date, count(*) FROM memberships m "
                "JOIN articles a ON a.id = m.article_id WHERE a.date IS NOT NULL "
                "GROUP BY m.story_id, a.date"):
            out.setdefault(sid, {})[day] = int(n)
        return out

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


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]
