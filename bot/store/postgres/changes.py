"""The change feed over PostgreSQL's LISTEN/NOTIFY: what other processes changed, as it commits.

A write that changes a topic calls ``announce`` inside its own transaction; PostgreSQL delivers
the notification to every listener when (and only if) that transaction commits. The listener
keeps a connection of its own, outside the pool: a pooled connection is reset, LISTEN and all,
whenever it is handed back.

Notifications sent while a listener is disconnected are lost, so after every (re)connection the
listener reports every topic once, and its process re-reads what it caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from bot.store.interface import ChangeTopic
from bot.store.postgres.tables import UNAVAILABLE

log = logging.getLogger(__name__)

CHANNEL = "chatsight_changes"
# Reconnection waits double from the first to the last: a restarted server is heard again soon,
# and a missing one costs a connection attempt every two seconds.
FIRST_RETRY_S = 0.05
LAST_RETRY_S = 2.0
# A connection dropped by the network (not closed by the server) gives no sign until it is used:
# the listener asks it something this often.
PROBE_EVERY_S = 10.0


async def announce(db: asyncpg.Connection, topic: ChangeTopic) -> None:
    """Inside the writing transaction: listeners hear of ``topic`` once it commits."""
    await db.execute("SELECT pg_notify($1, $2)", CHANNEL, topic.value)


class ChangeFeedTables:
    _dsn: str
    _statement_timeout_s: float

    async def listen(self, on_change: Callable[[str], None]) -> None:
        retry_s = FIRST_RETRY_S
        while True:
            try:
                db = await asyncpg.connect(
                    self._dsn,
                    timeout=self._statement_timeout_s,
                    command_timeout=self._statement_timeout_s,
                    server_settings={"application_name": "chatsight-bot changes"},
                )
            except UNAVAILABLE as error:
                log.warning("change feed: no connection (%r); retrying in %.2f s", error, retry_s)
                await asyncio.sleep(retry_s)
                retry_s = min(retry_s * 2, LAST_RETRY_S)
                continue
            try:
                await self._follow(db, on_change)
                retry_s = FIRST_RETRY_S
                log.warning("change feed: connection lost; reconnecting")
            except UNAVAILABLE as error:
                log.warning("change feed: connection failed (%r); reconnecting", error)
                await asyncio.sleep(retry_s)
                retry_s = min(retry_s * 2, LAST_RETRY_S)
            finally:
                db.terminate()

    async def _follow(self, db: asyncpg.Connection, on_change: Callable[[str], None]) -> None:
        """Listen on ``db`` until it is lost; every topic is reported once it listens."""
        lost = asyncio.Event()
        db.add_termination_listener(lambda _db: lost.set())

        def notified(_db: object, _pid: int, _channel: str, payload: str) -> None:
            on_change(payload)

        await db.add_listener(CHANNEL, notified)
        for topic in ChangeTopic:
            on_change(topic)
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PROBE_EVERY_S):
                    await lost.wait()
            if not lost.is_set():
                await db.fetchval("SELECT 1")
