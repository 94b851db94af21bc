"""Storage: every stage reads and writes through a Store (SQLite today)."""

from __future__ import annotations

from storyline.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "open_store"]


def open_store(path: str, create: bool = True) -> SQLiteStore:
    """Open (and migrate) the store at ``path``; ``create=False`` requires it to exist."""
    return SQLiteStore(path, create=create)
