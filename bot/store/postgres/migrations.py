"""Numbered plain-SQL migrations for PostgreSQL, applied once however many processes start.

Every process runs this at start; a transaction-level advisory lock makes the others wait until
the first has migrated, after which they find nothing left to apply. The applied version is kept
in the database (``schema_version``), like SQLite's ``PRAGMA user_version``.
"""

from __future__ import annotations

import re
from importlib import resources

import asyncpg

# Any fixed 64-bit number, the same in every process of every version.
MIGRATION_LOCK = 0x63_68_61_74_73_69_67  # "chatsig"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("bot.store.postgres").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


async def migrate(connection: asyncpg.Connection) -> int:
    """Bring the schema up to date in one transaction and return the version now in force."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
        )
        current = await connection.fetchval("SELECT max(version) FROM schema_version") or 0
        for version, sql in available_migrations():
            if version <= current:
                continue
            await connection.execute(sql)
            await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
            current = version
    return int(current)
