"""Storage: every stage reads and writes through a ``Store`` (SQLite file or PostgreSQL).

``open_store`` is the one place a backend is chosen, from the ``--db`` value: a file path
(or ``sqlite:///path``) opens SQLite, ``postgresql://...`` opens PostgreSQL.
"""

from __future__ import annotations

import os
import re

from storyline.errors import ConfigError
from storyline.store.base import Store
from storyline.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "open_store", "is_url"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_url(db: str | os.PathLike[str]) -> bool:
    """True when ``db`` names a database by URL rather than by file path."""
    return bool(_SCHEME.match(str(db)))


def open_store(db: str | os.PathLike[str], create: bool = True) -> Store:
    """Open (and migrate) the store named by a path or URL; unknown schemes are refused.

    ``create=False`` requires an SQLite file to exist already (a PostgreSQL database is
    always created by its administrator; its tables are created on first use).
    """
    text = str(db)
    m = _SCHEME.match(text)
    if m is None:
        return SQLiteStore(text, create=create)
    scheme = m.group(1).lower()
    if scheme == "sqlite" and text.startswith("sqlite:///"):  # as SQLAlchemy: 4 slashes = /abs
        return SQLiteStore(text[len("sqlite:///"):], create=create)
    if scheme in POSTGRES_SCHEMES:
        from storyline.store.postgres import PostgresStore  # psycopg is an optional extra

        return PostgresStore(text)
    raise ConfigError(f"unknown database scheme {scheme!r} in {text!r}; use a file path, "
                      f"sqlite:///path or postgresql://user@host/dbname")
