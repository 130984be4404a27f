"""The PostgreSQL backend (asyncpg): one module per group of tables, composed into PostgresStore.

Several bot processes may share its database; every read-modify-write is one statement or one
transaction under the database's row locks, as bot/store/interface/ describes method by method.
"""

from __future__ import annotations

from bot.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
