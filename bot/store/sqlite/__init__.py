"""The SQLite backend: one module per group of tables, composed into SQLiteStore."""

from __future__ import annotations

from bot.store.sqlite.lock import DatabaseInUse
from bot.store.sqlite.store import PRAGMAS, SQLiteStore
from bot.store.statements import AWAITING_IN_GUILD, OVERDUE_SESSIONS

__all__ = ["AWAITING_IN_GUILD", "OVERDUE_SESSIONS", "PRAGMAS", "DatabaseInUse", "SQLiteStore"]
