"""Durable state: sessions, the outbox, secrets, server settings, follows, alerts, admission.

Owns every table and the one interface to them (``interface/``); ``open_store`` picks the
backend. Knows no HTTP and no Discord.

May import: ``bot.domain``, ``bot.errors``, ``bot.config``, the database drivers.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.store.interface import Store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SQLiteStore
from bot.store.sqlite.backup import BackupRefused, backup_sqlite


def open_store(settings: Settings, *, exclusive: bool = True) -> Store:
    """The backend ``DATABASE_URL`` names: ``sqlite:///PATH`` (one process) or
    ``postgresql://…`` (several processes sharing the database); call ``open()`` next.

    A long-running process holds a SQLite database alone; a one-off command passes
    ``exclusive=False`` to run beside it (bot/store/sqlite/store.py).

    The one place that picks a backend: everything else is typed against ``Store`` or one of
    its protocols (``bot/store/interface/``).
    """
    if settings.backend == "postgresql":
        return PostgresStore(
            settings.database_url,
            pool_size=settings.database_pool_size,
            statement_timeout_s=settings.database_statement_timeout_seconds,
        )
    return SQLiteStore(settings.sqlite_path, exclusive=exclusive)


def backup_database(settings: Settings, target: Path) -> int:
    """A consistent copy of the SQLite database at ``target``, taken while the bot runs; the
    bytes written. PostgreSQL has its own tools for that, and the README shows them."""
    if settings.backend == "postgresql":
        raise BackupRefused(
            "backup: DATABASE_URL is PostgreSQL; take its backups with pg_dump (README, Backups)"
        )
    return backup_sqlite(settings.sqlite_path, target)


__all__ = ["BackupRefused", "Store", "backup_database", "open_store"]
