"""Durable state: sessions, the outbox, secrets, server settings, follows, alerts, admission.

Owns every table and the one interface to them (``interface.py``); ``open_store`` picks the
backend. Knows no HTTP and no Discord.

May import: ``bot.domain``, ``bot.errors``, ``bot.config``, the database drivers.
"""

from __future__ import annotations

from bot.config import Settings
from bot.store.interface import Store
from bot.store.sqlite import SQLiteStore


def open_store(settings: Settings) -> Store:
    """The backend named by ``DATABASE_URL`` (only SQLite in this version); call ``open()`` next.

    The one place that picks a backend: everything else is typed against ``Store`` or one of
    its protocols (``bot/store/interface.py``).
    """
    return SQLiteStore(settings.sqlite_path)


__all__ = ["Store", "open_store"]
