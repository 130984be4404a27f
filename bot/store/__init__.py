"""Durable state: sessions, the delivery outbox and rotated secrets."""

from __future__ import annotations

from bot.config import Settings
from bot.store.base import Store
from bot.store.sqlite import SQLiteStore


def open_store(settings: Settings) -> Store:
    """The backend named by ``DATABASE_URL`` (only SQLite in this version); call ``open()`` next."""
    return SQLiteStore(settings.sqlite_path)


__all__ = ["SQLiteStore", "Store", "open_store"]
