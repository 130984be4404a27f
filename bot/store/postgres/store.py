"""The PostgreSQL store: a bounded asyncpg pool, bounded statements, migrations at open.

Every statement is bounded twice: by the server (``statement_timeout``, set for each pooled
connection when it connects, so it also ends a statement whose client went away) and by the
client (asyncpg's ``command_timeout``, which also ends a wait on a server that stopped
answering). Either way the caller gets ``StoreUnavailable`` (tables.py). The pool never holds
more than ``pool_size`` connections; a call that finds none free within the statement timeout is
``StoreUnavailable`` too, rather than a queue that grows without end.

The tables are grouped by concern, one module each, as the protocols of bot/store/interface/ are.
"""

from __future__ import annotations

import asyncpg

from bot.store.base import StoreUnavailable
from bot.store.postgres.admission import AdmissionTables
from bot.store.postgres.alerts import AlertTables
from bot.store.postgres.changes import ChangeFeedTables
from bot.store.postgres.deployment import DeploymentTables
from bot.store.postgres.digests import DigestTables
from bot.store.postgres.follows import FollowTables
from bot.store.postgres.gateway import GatewayTables
from bot.store.postgres.migrations import migrate
from bot.store.postgres.operator import OperatorTables
from bot.store.postgres.outbox import OutboxTables
from bot.store.postgres.packs import PackTables
from bot.store.postgres.radar import RadarTables
from bot.store.postgres.request_slots import RequestSlotTables
from bot.store.postgres.sessions import SessionTables
from bot.store.postgres.settings import SettingsTables
from bot.store.postgres.shared_secrets import SecretTables
from bot.store.postgres.subscriptions import SubscriptionTables
from bot.store.postgres.tables import UNAVAILABLE
from bot.store.postgres.upkeep import UpkeepTables

APPLICATION_NAME = "chatsight-bot"


class PostgresStore(
    SessionTables,
    OutboxTables,
    PackTables,
    RequestSlotTables,
    SecretTables,
    SettingsTables,
    FollowTables,
    AlertTables,
    AdmissionTables,
    GatewayTables,
    ChangeFeedTables,
    OperatorTables,
    DeploymentTables,
    DigestTables,
    SubscriptionTables,
    RadarTables,
    UpkeepTables,
):
    def __init__(self, dsn: str, *, pool_size: int = 10, statement_timeout_s: float = 10.0) -> None:
        if pool_size < 1 or statement_timeout_s <= 0:
            raise ValueError("pool_size must be at least 1 and statement_timeout_s positive")
        self._dsn = dsn
        self._pool_size = pool_size
        self._statement_timeout_s = statement_timeout_s
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Connect and migrate; every process does, and the first migrates (migrations.py)."""
        timeout_ms = max(1, round(self._statement_timeout_s * 1000))
        try:
            pool = await asyncpg.create_pool(
                self._dsn,
                min_size=1,
                max_size=self._pool_size,
                timeout=self._statement_timeout_s,
                command_timeout=self._statement_timeout_s,
                server_settings={
                    "statement_timeout": str(timeout_ms),
                    "application_name": APPLICATION_NAME,
                },
            )
        except UNAVAILABLE as error:
            raise StoreUnavailable(f"database: {error!r}") from error
        try:
            async with pool.acquire() as db:
                await migrate(db)
        except BaseException as error:
            await pool.close()
            if isinstance(error, UNAVAILABLE):  # read-only, say: the database's state
                raise StoreUnavailable(f"database: {error!r}") from error
            raise
        self._pool = pool

    async def close(self) -> None:
        """Waits for the calls under way (each bounded by the statement timeout) to finish."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def healthy(self) -> bool:
        """False, never an error, when the database does not answer or answers with one."""
        try:
            return await self._fetch_int("SELECT 1") == 1
        except (StoreUnavailable, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
