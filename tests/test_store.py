"""The store suite: every behaviour runs against SQLite and a real PostgreSQL server."""

import sqlite3

import numpy as np
import pytest

from storyline.dedup import NearDuplicateIndex
from storyline.errors import ConfigError, NotFoundError, StoreError
from storyline.store import SQLiteStore, Store, open_store
from storyline.store.migrations import MIGRATIONS, POSTGRES_MIGRATIONS, SCHEMA_VERSION
from storyline.types import Article


def art(i: int, **kw) -> Article:
    base = dict(id=f"id{i}", origin=f"f{i}.txt", title=f"T{i}", text="body", lang="en",
                content_hash=f"h{i}", date=f"2026-03-0{i}", source="src")
    base.update(kw)
    return Article(**base)


def tables(store) -> set[str]:
    if isinstance(store, SQLiteStore):
        sql = "SELECT name FROM sqlite_master WHERE type='table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return {r[0] for r in store.conn.execute(sql)}


# -- both backends -------------------------------------------------------------------------
def test_fresh_store_is_migrated(any_store):
    assert isinstance(any_store, Store)
    assert any_store.schema_version == SCHEMA_VERSION
    assert {"articles", "rejections", "duplicates", "embeddings", "stories",
            "memberships", "story_merges"} <= tables(any_store)


def test_reopening_keeps_data_and_version(db_url):
    with_data = open_store(db_url)
    with_data.add_article(art(1), b"\x01" * 8)
    with_data.close()
    again = open_store(db_url)
    assert again.schema_version == SCHEMA_VERSION and again.article("id1").title == "T1"
    again.close()


def test_articles_roundtrip_and_lookup(any_store):
    any_store.add_article(art(1, url="http://x/1", text="Ünïcode ✓ body"), b"\x00" * 8)
    got = any_store.article("id1")
    assert got == art(1, url="http://x/1", text="Ünïcode ✓ body")
    assert any_store.article_by_origin("f1.txt").id == "id1"
    assert any_store.article_by_hash("h1").id == "id1"
    assert any_store.article_by_origin("nope") is None and any_store.article_by_hash("x") is None
    with pytest.raises(NotFoundError):
        any_store.article("nope")


def test_articles_listed_in_origin_order_bytewise(any_store):
    # bytewise order on both backends ('B' < 'a' < 'é'), whatever the server's locale
    for k, origin in enumerate(["é.txt", "a.txt", "B.txt"], start=1):
        any_store.add_article(art(k, origin=origin), None)
    assert [a.origin for a in any_store.articles()] == ["B.txt", "a.txt", "é.txt"]
    assert [a.id for a in any_store.articles(["id3", "nope", "id1"])] == ["id3", "id1"]
    assert any_store.count_articles() == 3 and any_store.count_articles_in("en") == 3


def test_unique_origin_and_id_are_enforced(any_store):
    any_store.add_article(art(1), None)
    with pytest.raises(Exception):
        any_store.add_article(art(2, origin="f1.txt"), None)
    with pytest.raises(Exception):
        any_store.add_article(art(1, origin="other.txt"), None)
    assert any_store.count_articles() == 1  # the failed transactions left nothing behind


def test_rejections_are_idempotent_and_cleared_when_stored(any_store):
    assert any_store.add_rejection("f1.txt", "empty file")
    assert not any_store.add_rejection("f1.txt", "empty file")
    assert any_store.add_rejection("f1.txt", "binary")
    assert any_store.rejections() == [("f1.txt", "binary")]
    any_store.add_article(art(1), None)
    assert any_store.rejections() == []


def test_duplicates_recorded_once(any_store):
    any_store.add_article(art(1), None)
    any_store.add_rejection("copy.txt", "was empty once")
    assert any_store.add_duplicate("copy.txt", "id1")
    assert not any_store.add_duplicate("copy.txt", "id1")
    assert any_store.duplicates() == [("copy.txt", "id1")]
    assert any_store.rejections() == []


def test_membership_queries(any_store):
    any_store.add_article(art(1), b"\x01" * 4)
    any_store.add_article(art(2, duplicate_of="id1"), b"\x02" * 4)
    any_store.add_article(art(3), b"\x03" * 4)
    assert any_store.has_article("id2") and not any_store.has_article("x")
    assert any_store.article_ids() == {"id1", "id2", "id3"}


def test_remove_article_unlinks_near_duplicates(any_store):
    any_store.add_article(art(1), None)
    any_store.add_article(art(2, duplicate_of="id1"), None)
    any_store.remove_article("id1")
    assert any_store.article("id2").duplicate_of is None
    assert [a.id for a in any_store.articles()] == ["id2"]


BODY = "Rescue teams worked through the night after the earthquake in the old town. " * 3


def test_near_duplicate_index_lives_in_the_store(any_store):
    ix = NearDuplicateIndex(bands=any_store)
    sig = ix.signature(BODY)
    any_store.add_article(art(1), ix.to_bytes(sig))
    ix.insert("id1", sig)
    edited = ix.signature(BODY + " Updated at 10:00.")
    assert ix.query(edited) == "id1"
    # a second index over the same store (another process) sees it at once
    assert NearDuplicateIndex(bands=any_store).query(edited) == "id1"
    assert ix.query(ix.signature("The central bank raised its key rate. " * 4)) is None
    # a near-duplicate of it is stored, not indexed; removing the original promotes it
    any_store.add_article(art(2, duplicate_of="id1"), ix.to_bytes(edited))
    assert [aid for aid, _ in any_store.near_candidates(ix.band_keys(edited))] == ["id1"]
    any_store.remove_article("id1")
    assert ix.query(sig) == "id2"
    any_store.remove_article("id2")
    assert ix.query(sig) is None
    assert any_store.conn.execute("SELECT count(*) FROM near_bands").fetchone()[0] == 0


def test_embeddings_cache(any_store):
    any_store.add_article(art(1), None)
    any_store.add_article(art(2), None)
    assert any_store.missing_embeddings("m") == ["id1", "id2"]
    vec = np.array([1.5, -2.0, 0.25, 3.0e-8], dtype=np.float32)
    any_store.add_embeddings("m", {"id1": vec})
    assert any_store.missing_embeddings("m") == ["id2"]
    assert any_store.missing_embeddings("other") == ["id1", "id2"]
    got = any_store.embeddings("m", ["id1", "id2"])
    assert list(got) == ["id1"] and got["id1"].dtype == np.float32
    assert np.array_equal(got["id1"], vec)  # stored bit for bit
    any_store.add_embeddings("m", {"id1": vec * 2})  # replaced, not duplicated
    assert np.array_equal(any_store.embeddings("m", ["id1"])["id1"], vec * 2)
    # a vector for an article removed meanwhile (by another process) is dropped, no error
    any_store.add_embeddings("m", {"gone": vec, "id2": vec})
    assert list(any_store.embeddings("m", ["gone", "id2"])) == ["id2"]


def test_stories_summary(any_store):
    any_store.add_article(art(1, lang="el", source="a"), None)
    any_store.add_article(art(2, lang="ar", source="b"), None)
    any_store.add_article(art(3), None)
    any_store.add_article(art(4, date=None), None)
    any_store.replace_stories({"s1": ("Head", {"el": "T1", "ar": "T2"}, ["id1", "id2", "id4"]),
                               "s2": ("Other", {"en": "T3"}, ["id3"])})
    first, second = any_store.stories()
    assert first.id == "s1" and first.size == 3 and first.languages == ("ar", "el", "en")
    assert first.article_ids == ("id4", "id1", "id2")  # undated first, then by date
    assert first.sources == ("a", "b", "src") and first.first_date == "2026-03-01"
    assert first.last_date == "2026-03-02" and first.headlines["el"] == "T1"
    assert any_store.memberships() == {"id1": "s1", "id2": "s1", "id3": "s2", "id4": "s1"}
    assert any_store.story_days() == {"s1": {"2026-03-01": 1, "2026-03-02": 1},
                                      "s2": {"2026-03-03": 1}}  # undated articles left out
    any_store.replace_stories({"s2": ("Other", {}, ["id3", "id1"])})
    assert [s.id for s in any_store.stories()] == ["s2"]
    with pytest.raises(NotFoundError):
        any_store.story("s1")


def test_streaming_place_and_merge(any_store):
    for k in (1, 2, 3):
        any_store.add_article(art(k), None)
    any_store.place("id1", "sA", "A")
    any_store.place("id2", "sB", "B")
    any_store.place("id3", "sB", "ignored: story exists")
    assert any_store.story("sB").headline == "B" and any_store.story("sB").size == 2
    any_store.merge_stories("sB", "sA")
    assert any_store.memberships() == {"id1": "sA", "id2": "sA", "id3": "sA"}
    any_store.place("id3", "sC", "C")  # moved, not duplicated
    any_store.merge_stories("sA", "sC")
    assert any_store.merges() == {"sA": "sC", "sB": "sC"}
    assert [s.id for s in any_store.stories()] == ["sC"]


def test_transactions_nest_and_roll_back_whole(any_store):
    with any_store.transaction(), any_store.transaction():
        any_store.add_rejection("x", "y")
    assert any_store.rejections() == [("x", "y")]
    with pytest.raises(RuntimeError):
        with any_store.transaction():
            any_store.add_rejection("z", "w")
            raise RuntimeError
    assert any_store.rejections() == [("x", "y")]


def test_a_failed_transaction_rolls_back(any_store):
    any_store.add_article(art(1), None)
    with pytest.raises(Exception):
        any_store.replace_stories({"s1": ("H", {}, ["id1", "no-such-article"])})
    assert any_store.stories() == [] and any_store.memberships() == {}
    any_store.replace_stories({"s1": ("H", {}, ["id1"])})  # the connection is usable again
    assert any_store.memberships() == {"id1": "s1"}


# -- the factory -----------------------------------------------------------------------------
def test_open_store_picks_the_backend_by_url(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/a.db")
    assert isinstance(s, SQLiteStore) and s.path == tmp_path / "a.db"
    s.close()
    with pytest.raises(ConfigError, match="unknown database scheme 'mysql'"):
        open_store("mysql://user@host/db")


def test_migrations_exist_in_both_dialects():
    assert len(POSTGRES_MIGRATIONS) == len(MIGRATIONS) == SCHEMA_VERSION


# -- SQLite only -----------------------------------------------------------------------------
def test_near_duplicate_index_is_back_filled_on_migration(tmp_path):
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path)
    for number in range(3):  # a database of schema version 3: the index was in memory
        conn.executescript(MIGRATIONS[number])
    conn.execute("PRAGMA user_version = 3")
    ix = NearDuplicateIndex()
    sig = ix.signature(BODY)
    conn.execute("INSERT INTO articles (id, origin, title, text, lang, content_hash, minhash) "
                 "VALUES ('old1', 'o.txt', 'T', ?, 'en', 'h', ?)", (BODY, ix.to_bytes(sig)))
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert NearDuplicateIndex(bands=store).query(ix.signature(BODY + " More.")) == "old1"
    store.close()


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


# -- PostgreSQL only -------------------------------------------------------------------------
def test_postgres_newer_schema_is_refused(pg_server):
    url = pg_server.new_database()
    open_store(url).close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE storyline_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer"):
        open_store(url)


def test_postgres_unreachable_is_one_clear_line(pg_server):
    url = pg_server.url("no_such_db").replace("storyline@", "storyline:secret@")
    with pytest.raises(StoreError, match="cannot connect to postgresql://storyline:\\*\\*\\*@") as e:
        open_store(url)
    assert "secret" not in str(e.value) and "\n" not in str(e.value)


def test_postgres_two_connections_migrate_once_and_share_data(pg_server):
    url = pg_server.new_database()
    a, b = open_store(url), open_store(url)
    a.add_article(art(1), None)
    assert b.article("id1").title == "T1"
    assert b.conn.execute("SELECT count(*) FROM storyline_schema").fetchone()[0] == 1
    a.close()
    b.close()
