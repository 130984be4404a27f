"""The bot's database taking no writes for a while, on either backend, as a failure would.

SQLite: another connection holds the write lock, and the writer waits 100 ms for it instead of
5 s. PostgreSQL: the database turns read-only and its connections are ended, as when the address
moves to a standby; the bot's pools connect again to the read-only database. Either way reads
still work and every write fails as ``StoreUnavailable``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.store import writer
from tests import postgres
from tests.bot_e2e.harness import World


@contextlib.asynccontextmanager
async def writes_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    url = world.settings.database_url
    if url.startswith("sqlite:///"):
        monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as other:
            other.isolation_level = None
            other.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                other.execute("ROLLBACK")
        return
    database = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(postgres.server_url())
    try:
        await _reconnect(admin, database, "SET default_transaction_read_only = on")
        try:
            yield
        finally:
            await _reconnect(admin, database, "RESET default_transaction_read_only")
            # The call that meets a connection just ended fails (tests/store/test_postgres.py);
            # the test goes on once the bot's store writes again.
            async with asyncio.timeout(5):
                while not await world.running.core.store.writable():
                    await asyncio.sleep(0.05)
    finally:
        await admin.close()


async def _reconnect(admin: asyncpg.Connection, database: str, setting: str) -> None:
    await admin.execute(f'ALTER DATABASE "{database}" {setting}')
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = $1 AND pid <> pg_backend_pid()",
        database,
    )
