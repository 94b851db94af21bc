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
]

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
]
