"""The full-text index: search forms per script, sync with the articles, back-fill, filters.

The store tests run on both backends: SQLite's FTS5 and PostgreSQL's full-text search.
"""

import sqlite3

import pytest

from storyline.store import SQLiteStore, fts
from storyline.store.migrations import MIGRATIONS
from storyline.types import Article


def art(i, title, text, lang, **kw):
    return Article(id=f"a{i}", origin=f"{i}.txt", title=title, text=text, lang=lang,
                   content_hash=f"h{i}", **kw)


DOCS = [
    art(1, "Σεισμός στη Σμύρνη", "Ισχυρός σεισμός 6,1 Ρίχτερ έπληξε τη Σμύρνη.", "el",
        source="eidiseis", date="2026-03-14"),
    art(2, "زلزال قوي يضرب إزمير", "ضرب زلزال بقوة 6.1 درجات مدينة إزمير والأسد يعلق", "ar",
        source="akhbar", date="2026-03-15"),
    art(3, "苏伊士运河恢复通航", "一艘集装箱船在苏伊士运河搁浅十八小时后脱浅。", "zh",
        source="xinwen", date="2026-02-12"),
    art(4, "Séisme en Crète", "Un séisme de magnitude 5,8 a frappé la Crète.", "fr",
        source="presse", date="2026-05-02"),
]


@pytest.fixture
def store(any_store):
    return any_store


def ids(rows):
    return [aid for aid, _ in rows]


def test_fold_handles_accents_case_and_arabic_variants():
    assert fold_eq("ΣΕΙΣΜΌΣ", "σεισμος")
    assert fold_eq("Séisme", "seisme")
    assert fold_eq("إزمير", "ازمير")
    assert fold_eq("مَدِينَة", "مدينه")  # harakat dropped, teh marbuta unified


def fold_eq(a, b):
    return fts.fold(a) == fts.fold(b)


def test_cjk_runs_become_bigrams_and_arabic_words_their_bare_form():
    assert fts.index_form("苏伊士运河").split() == ["苏伊", "伊士", "士运", "运河"]
    assert "اسد" in fts.index_form("والأسد").split()
    assert fts.query_terms("الأسد") == ["اسد"]
    assert fts.query_terms("Crète 5,8") == ["crete", "5", "8"]


def test_keyword_search_in_greek_arabic_chinese_and_french(store):
    for d in DOCS:
        store.add_article(d, None)
    assert ids(store.search_text("σεισμός")) == ["a1"]
    assert ids(store.search_text("ΣΜΥΡΝΗ")) == ["a1"]
    assert ids(store.search_text("إزمير")) == ["a2"]
    assert ids(store.search_text("الأسد")) == ["a2"]  # written "والأسد" in the article
    assert ids(store.search_text("运河")) == ["a3"]  # a two-character word inside a run
    assert ids(store.search_text("集装箱船")) == ["a3"]
    assert ids(store.search_text("seisme crete")) == ["a4"]
    assert store.search_text("nothing-like-this") == []
    assert store.search_text("  ") == []
    # a query with FTS5 syntax in it is taken as words, not as an expression
    assert ids(store.search_text('séisme" OR "x')) == ["a4"]


def test_filters_language_source_and_dates(store):
    for d in DOCS:
        store.add_article(d, None)
    assert set(ids(store.search_text("6,1"))) == {"a1", "a2"}
    assert ids(store.search_text("6,1", lang="ar")) == ["a2"]
    assert ids(store.search_text("6,1", source="eidiseis")) == ["a1"]
    assert ids(store.search_text("6,1", date_from="2026-03-15")) == ["a2"]
    assert ids(store.search_text("6,1", date_to="2026-03-14")) == ["a1"]
    # the language filter matches the language, not words of the text
    assert store.search_text("el", lang="el") == []


def test_index_follows_removal_and_counts_per_language(store):
    for d in DOCS:
        store.add_article(d, None)
    assert store.document_frequencies(["6", "σεισμος"], "el") == {"6": 1, "σεισμος": 1}
    assert store.document_frequencies(["6"], "ar") == {"6": 1}
    store.remove_article("a1")
    assert store.search_text("σεισμός") == []
    assert store.document_frequencies(["σεισμος"], "el") == {"σεισμος": 0}
    table = "search_rows" if isinstance(store, SQLiteStore) else "article_search"
    assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 3


def test_existing_database_is_back_filled(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number in range(2):  # a database of schema version 2, before the index existed
        conn.executescript(MIGRATIONS[number])
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO articles (id, origin, title, text, lang, content_hash) "
                 "VALUES ('old1', 'o.txt', 'Σεισμός', 'Ισχυρός σεισμός στην Κρήτη', 'el', 'h')")
    conn.commit()
    conn.close()
    s = SQLiteStore(path)
    assert ids(s.search_text("κρητη")) == ["old1"]
    s.close()


def test_snippet_is_verbatim_around_the_match():
    text = "Intro words here. " * 20 + "The Séisme struck Crete at night."
    snip = fts.snippet(text, fts.query_terms("seisme"), 60)
    assert "Séisme" in snip and snip.startswith("…")
    assert snip.strip("…") in text


def test_words_in_most_articles_do_not_rank(store, monkeypatch):
    monkeypatch.setattr(fts, "COMMON_MIN_DOCS", 5)
    for i in range(40):
        store.add_article(art(100 + i, f"Report {i}", f"the council met about item {i}", "en"),
                          None)
    store.add_article(art(1, "Quake", "the quake hit the coast", "en"), None)
    # "the" is in every article: only "quake" decides (and "the" alone still works)
    assert ids(store.search_text("the quake")) == ["a1"]
    assert len(store.search_text("the", limit=100)) == 41


def test_postgres_existing_database_is_back_filled(pg_server):
    import psycopg

    from storyline.store import open_store
    from storyline.store.migrations import POSTGRES_MIGRATIONS

    url = pg_server.new_database()
    with psycopg.connect(url, autocommit=True) as conn:  # schema version 2, no index yet
        conn.execute("CREATE TABLE storyline_schema (version INTEGER NOT NULL)")
        for number in range(2):
            conn.execute(POSTGRES_MIGRATIONS[number])
        conn.execute("INSERT INTO storyline_schema VALUES (2)")
        conn.execute("INSERT INTO articles (id, origin, title, text, lang, content_hash) "
                     "VALUES ('old1', 'o.txt', 'Σεισμός', 'Ισχυρός σεισμός στην Κρήτη', 'el', 'h')")
    s = open_store(url)
    assert ids(s.search_text("κρητη")) == ["old1"]
    s.close()


def test_both_backends_find_the_same_articles(tmp_path, pg_server):
    from storyline.store import open_store

    lite, pg = open_store(str(tmp_path / "a.db")), open_store(pg_server.new_database())
    for s in (lite, pg):
        for d in DOCS:
            s.add_article(d, None)
    for q in ("σεισμός", "إزمير", "运河", "seisme crete", "6,1", "magnitude 5", "Crète Σμύρνη"):
        assert sorted(ids(lite.search_text(q))) == sorted(ids(pg.search_text(q))), q
    assert lite.document_frequencies(["6", "1", "σεισμος"], "el") == \
        pg.document_frequencies(["6", "1", "σεισμος"], "el")
    lite.close()
    pg.close()
