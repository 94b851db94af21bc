"""Schema migrations: each entry upgrades the database by one version (PRAGMA user_version)."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the foundation schema
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,             -- content-hash prefix, stable across runs
        origin TEXT NOT NULL UNIQUE,     -- file path (+ '#N' for a record) it came from
        url TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        lang TEXT NOT NULL,
        date TEXT,
        source TEXT,
        content_hash TEXT NOT NULL,
        duplicate_of TEXT REFERENCES articles(id) ON DELETE SET NULL,
        minhash BLOB,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_dup ON articles(duplicate_of);

    -- exact copies of a stored article found under another origin
    CREATE TABLE duplicates (
        origin TEXT PRIMARY KEY,
        duplicate_of TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    CREATE TABLE rejections (
        origin TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    CREATE TABLE embeddings (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (article_id, model)
    );

    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        headline TEXT NOT NULL,
        headlines TEXT NOT NULL DEFAULT '{}',  -- JSON: language -> headline
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    CREATE TABLE memberships (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE
    );
    CREATE INDEX memberships_story ON memberships(story_id);
    """,
    # 2: streaming — a merge of two stories records which id was absorbed into which
    """
    CREATE TABLE story_merges (
        absorbed TEXT PRIMARY KEY,
        into_story TEXT NOT NULL,
        merged_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    """,
    # 3: full-text search and the summary's sentence vectors. ``article_search`` holds each
    # article's search form (store/fts.py: folded, CJK as bigrams); its rowid is the
    # INTEGER PRIMARY KEY of ``search_rows`` (stable under VACUUM, unlike articles' rowid);
    # ``lang`` holds the language code so per-language counts stay inside the index.
    # Rows are written by the store with the article; existing articles are back-filled
    # by SQLiteStore after this migration (BACKFILLS).
    """
    CREATE VIRTUAL TABLE article_search USING fts5(
        title, body, lang, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE search_rows (
        rowid INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE
    );
    -- the filter columns without reading the article rows (their text comes first)
    CREATE INDEX articles_facets ON articles(id, lang, source, date, duplicate_of);
    -- per article and model: the sentence spans (JSON [[start, end], ...] into the text)
    -- and their vectors (float32, one row per span)
    CREATE TABLE sentence_embeddings (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        spans TEXT NOT NULL,
        vectors BLOB NOT NULL,
        PRIMARY KEY (article_id, model)
    );
    """,
    # 4: the near-duplicate index in the store (dedup.py): one row per LSH band key of each
    # original's MinHash signature, so no process holds the index in memory; back-filled
    # from the signatures by ``reindex_near_bands``
    """
    CREATE TABLE near_bands (
        band INTEGER NOT NULL,           -- signed 64-bit key of one band of the signature
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX near_bands_band ON near_bands(band);
    CREATE INDEX near_bands_article ON near_bands(article_id);
    """,
]

# Migrations whose data is filled in Python after their SQL ran: version -> store method.
BACKFILLS: dict[int, str] = {3: "reindex_search", 4: "reindex_near_bands"}

SCHEMA_VERSION = len(MIGRATIONS)

# The same migrations for PostgreSQL (``PostgresStore``), version for version: entry N here
# makes the schema that MIGRATIONS[N] makes in SQLite. Differences are dialect only: BYTEA for
# BLOB, a ``seq`` column (SQLite's rowid) that orders inserts, keys compared bytewise
# (COLLATE "C", as SQLite does) so both backends list rows in the same order.
_NOW = """(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))"""
POSTGRES_MIGRATIONS: list[str] = [
    # 1: the foundation schema
    f"""
    CREATE TABLE articles (
        seq BIGSERIAL UNIQUE,            -- insert order (SQLite: rowid)
        id TEXT COLLATE "C" PRIMARY KEY,
        origin TEXT COLLATE "C" NOT NULL UNIQUE,
        url TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        lang TEXT COLLATE "C" NOT NULL,
        date TEXT COLLATE "C",
        source TEXT COLLATE "C",
        content_hash TEXT COLLATE "C" NOT NULL,
        duplicate_of TEXT COLLATE "C" REFERENCES articles(id) ON DELETE SET NULL,
        minhash BYTEA,
        added_at TEXT NOT NULL DEFAULT {_NOW}
    );
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_dup ON articles(duplicate_of);

    CREATE TABLE duplicates (
        origin TEXT COLLATE "C" PRIMARY KEY,
        duplicate_of TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        added_at TEXT NOT NULL DEFAULT {_NOW}
    );

    CREATE TABLE rejections (
        origin TEXT COLLATE "C" PRIMARY KEY,
        reason TEXT NOT NULL,
        added_at TEXT NOT NULL DEFAULT {_NOW}
    );

    CREATE TABLE embeddings (
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        model TEXT COLLATE "C" NOT NULL,
        dim INTEGER NOT NULL,
        vector BYTEA NOT NULL,           -- float32, little-endian (numpy's tobytes)
        PRIMARY KEY (article_id, model)
    );

    CREATE TABLE stories (
        id TEXT COLLATE "C" PRIMARY KEY,
        headline TEXT NOT NULL,
        headlines TEXT NOT NULL DEFAULT '{{}}',
        created_at TEXT NOT NULL DEFAULT {_NOW},
        updated_at TEXT NOT NULL DEFAULT {_NOW}
    );

    CREATE TABLE memberships (
        article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id TEXT COLLATE "C" NOT NULL REFERENCES stories(id) ON DELETE CASCADE
    );
    CREATE INDEX memberships_story ON memberships(story_id);
    """,
    # 2: streaming — a merge of two stories records which id was absorbed into which
    f"""
    CREATE TABLE story_merges (
        absorbed TEXT COLLATE "C" PRIMARY KEY,
        into_story TEXT COLLATE "C" NOT NULL,
        merged_at TEXT NOT NULL DEFAULT {_NOW}
    );
    """,
    # 3: full-text search (PostgreSQL's own: a tsvector of the same search form, 'simple'
    # configuration, title weighted A and body B, GIN-indexed) and the sentence vectors;
    # back-filled by ``reindex_search`` like SQLite's (BACKFILLS)
    """
    CREATE TABLE article_search (
        article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        lang TEXT COLLATE "C" NOT NULL,
        doc TSVECTOR NOT NULL
    );
    CREATE INDEX article_search_doc ON article_search USING GIN (doc);
    CREATE INDEX article_search_lang ON article_search(lang);
    CREATE INDEX articles_facets ON articles(id, lang, source, date, duplicate_of);
    CREATE TABLE sentence_embeddings (
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        model TEXT COLLATE "C" NOT NULL,
        spans TEXT NOT NULL,
        vectors BYTEA NOT NULL,
        PRIMARY KEY (article_id, model)
    );
    """,
    # 4: the near-duplicate index (as SQLite's)
    """
    CREATE TABLE near_bands (
        band BIGINT NOT NULL,
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX near_bands_band ON near_bands(band);
    CREATE INDEX near_bands_article ON near_bands(article_id);
    """,
]
