import sqlite3

import numpy as np
import pytest

from storyline.errors import NotFoundError, StoreError
from storyline.store import SQLiteStore
from storyline.store.migrations import SCHEMA_VERSION
from storyline.types import Article


def art(i: int, **kw) -> Article:
    base = dict(id=f"id{i}", origin=f"f{i}.txt", title=f"T{i}", text="body", lang="en",
                content_hash=f"h{i}", date=f"2026-03-0{i}", source="src")
    base.update(kw)
    return Article(**base)


def test_fresh_store_is_migrated(store):
    assert store.schema_version == SCHEMA_VERSION
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "rejections", "duplicates", "embeddings", "stories",
            "memberships"} <= tables


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path)


def test_missing_db_and_folder_are_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        SQLiteStore(tmp_path / "x.db", create=False)
    with pytest.raises(StoreError, match="does not exist"):
        SQLiteStore(tmp_path / "no" / "x.db")


def test_not_a_database(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(p)


def test_articles_roundtrip_and_lookup(store):
    store.add_article(art(1), b"\x00" * 8)
    assert store.article("id1").title == "T1"
    assert store.article_by_origin("f1.txt").id == "id1"
    assert store.article_by_hash("h1").id == "id1"
    with pytest.raises(NotFoundError):
        store.article("nope")


def test_rejections_are_idempotent_and_cleared_when_stored(store):
    assert store.add_rejection("f1.txt", "empty file")
    assert not store.add_rejection("f1.txt", "empty file")
    assert store.rejections() == [("f1.txt", "empty file")]
    store.add_article(art(1), None)
    assert store.rejections() == []


def test_embeddings_cache(store):
    store.add_article(art(1), None)
    store.add_article(art(2), None)
    assert store.missing_embeddings("m") == ["id1", "id2"]
    store.add_embeddings("m", {"id1": np.ones(4, dtype=np.float32)})
    assert store.missing_embeddings("m") == ["id2"]
    assert store.embeddings("m", ["id1"])["id1"].tolist() == [1, 1, 1, 1]


def test_stories_summary(store):
    store.add_article(art(1, lang="el", source="a"), None)
    store.add_article(art(2, lang="ar", source="b"), None)
    store.add_article(art(3), None)
    store.replace_stories({"s1": ("Head", {"el": "T1", "ar": "T2"}, ["id1", "id2"]),
                           "s2": ("Other", {"en": "T3"}, ["id3"])})
    first, second = store.stories()
    assert first.id == "s1" and first.size == 2 and first.languages == ("ar", "el")
    assert first.sources == ("a", "b") and first.first_date == "2026-03-01"
    assert first.last_date == "2026-03-02" and first.headlines["el"] == "T1"
    assert store.memberships() == {"id1": "s1", "id2": "s1", "id3": "s2"}
    store.replace_stories({"s2": ("Other", {}, ["id3", "id1"])})
    assert [s.id for s in store.stories()] == ["s2"]
    with pytest.raises(NotFoundError):
        store.story("s1")
