"""SQLite store: one file, schema versioned by ``PRAGMA user_version`` and ``MIGRATIONS``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from storyline.errors import NotFoundError, StoreError
from storyline.store.migrations import MIGRATIONS, SCHEMA_VERSION
from storyline.types import Article, Story

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
            self.conn = sqlite3.connect(self.path)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from None

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
        with self.conn:
            self.conn.execute(
                f"INSERT INTO articles ({_ARTICLE_COLS}, minhash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (article.id, article.origin, article.title, article.text, article.lang,
                 article.content_hash, article.url, article.date, article.source,
                 article.duplicate_of, minhash),
            )
            self.conn.execute("DELETE FROM rejections WHERE origin = ?", (article.origin,))
            self.conn.execute("DELETE FROM duplicates WHERE origin = ?", (article.origin,))

    def remove_article(self, article_id: str) -> None:
        with self.conn:
            self.conn.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?",
                              (article_id,))
            self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        """Signatures of stored originals (near-duplicates are not indexed themselves)."""
        yield from self.conn.execute(
            "SELECT id, minhash FROM articles WHERE duplicate_of IS NULL AND minhash IS NOT NULL")

    def count_articles_in(self, lang: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles WHERE lang = ? AND "
                                     "duplicate_of IS NULL", (lang,)).fetchone()[0])

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- duplicates and rejections ------------------------------------------------------------
    def add_duplicate(self, origin: str, duplicate_of: str) -> bool:
        """Record an exact copy; returns False when it was already recorded."""
        with self.conn:
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
        with self.conn:
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
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (article_id, model, dim, vector) "
                "VALUES (?, ?, ?, ?)",
                [(aid, model, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                 for aid, v in vectors.items()])

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
        with self.conn:
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
        with self.conn:
            self.conn.execute("INSERT INTO stories (id, headline) VALUES (?, ?) "
                              "ON CONFLICT(id) DO NOTHING", (story_id, headline))
            self.conn.execute("INSERT OR REPLACE INTO memberships (article_id, story_id) "
                              "VALUES (?, ?)", (article_id, story_id))

    def merge_stories(self, absorbed: str, into: str) -> None:
        """Move every article of ``absorbed`` into ``into`` and record the merge."""
        with self.conn:
            self.conn.execute("UPDATE memberships SET story_id = ? WHERE story_id = ?",
                              (into, absorbed))
            self.conn.execute("DELETE FROM stories WHERE id = ?", (absorbed,))
            self.conn.execute("INSERT OR REPLACE INTO story_merges (absorbed, into_story) "
                              "VALUES (?, ?)", (absorbed, into))
            self.conn.execute("UPDATE story_merges SET into_story = ? WHERE into_story = ?",
                              (into, absorbed))

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

    def story_days(self) -> dict[str, dict[str, int]]:
        """Articles per publication day of every story: {story id: {YYYY-MM-DD: count}}."""
        out: dict[str, dict[str, int]] = {}
        for sid, day, n in self.conn.execute(
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
