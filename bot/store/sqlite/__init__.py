"""The SQLite backend: one module per group of tables, composed into SQLiteStore."""

from __future__ import annotations

from bot.store.sqlite.sessions import AWAITING_IN_GUILD, OVERDUE_SESSIONS
from bot.store.sqlite.store import PRAGMAS, SQLiteStore

__all__ = ["AWAITING_IN_GUILD", "OVERDUE_SESSIONS", "PRAGMAS", "SQLiteStore"]
