"""The embedded SQLite store: WAL, durable commits, and one writer doing group commit.

Every write goes through a single writer task. It takes whatever is queued, applies it in one
transaction and commits once, and only then resolves each caller's future. A webhook therefore
still gets its 200 only after its own row is durable, but a burst of webhooks shares one fsync
instead of paying one each (docs/perf-notes.md: per-request commits reach ~0.15x of a bare
handler, group commit ~0.6x). Reads use a second connection and never wait for the writer.

The tables are grouped by concern, one module each, as the protocols of bot/store/interface/ are.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from bot.domain.request_slots import SlotSchedule
from bot.store.migrations import migrate
from bot.store.sqlite.admission import AdmissionTables
from bot.store.sqlite.alerts import AlertTables
from bot.store.sqlite.changes import ChangeFeedTables
from bot.store.sqlite.deployment import DeploymentTables
from bot.store.sqlite.digests import DigestTables
from bot.store.sqlite.follows import FollowTables
from bot.store.sqlite.gateway import GatewayTables
from bot.store.sqlite.lock import ProcessLock
from bot.store.sqlite.operator import OperatorTables
from bot.store.sqlite.outbox import OutboxTables
from bot.store.sqlite.packs import PackTables
from bot.store.sqlite.radar import RadarTables
from bot.store.sqlite.request_slots import RequestSlotTables
from bot.store.sqlite.sessions import SessionTables, apply_completions
from bot.store.sqlite.settings import SettingsTables
from bot.store.sqlite.shared_secrets import SecretTables
from bot.store.sqlite.subscriptions import SubscriptionTables
from bot.store.sqlite.upkeep import UpkeepTables
from bot.store.writer import GroupCommitWriter

PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000", "foreign_keys = ON")


class SQLiteStore(
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
    def __init__(self, path: str | Path, *, max_batch: int = 256, exclusive: bool = True) -> None:
        """``exclusive=False`` for a one-off command (``rotate-secret``, ``tag``, ``status``):
        it writes a few rows beside the running bot and leaves, as SQLite allows, and the bot
        re-reads its secrets when a signature does not match (bot/webhook/receiver.py)."""
        self._path = str(path)
        self._writer = GroupCommitWriter(apply_completions, max_batch=max_batch)
        self._reader_db: aiosqlite.Connection | None = None
        self._request_slots = SlotSchedule()
        locked = exclusive and self._path != ":memory:"
        self._lock = ProcessLock(self._path) if locked else None

    async def open(self) -> None:
        """Raises ``DatabaseInUse`` (lock.py) while another process has the database open."""
        if self._lock is not None:
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        try:
            await self._writer.start(self._connect_writer)
            self._reader_db = await aiosqlite.connect(self._path, isolation_level=None)
            for pragma in PRAGMAS:
                await self._reader_db.execute(f"PRAGMA {pragma}")
        except BaseException:
            await self.close()
            raise

    def _connect_writer(self) -> sqlite3.Connection:
        # The writer hands this connection between its thread and the loop's (writer.py).
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        for pragma in PRAGMAS:
            db.execute(f"PRAGMA {pragma}")
        migrate(db)
        return db

    async def close(self) -> None:
        """Finish every queued write before closing, so shutdown never loses an accepted row."""
        await self._writer.stop()
        if self._reader_db is not None:
            await self._reader_db.close()
            self._reader_db = None
        if self._lock is not None:
            self._lock.release()

    async def healthy(self) -> bool:
        if not self._writer.running or self._reader_db is None:
            return False
        try:
            await self._reader_db.execute_fetchall("SELECT 1")
        except aiosqlite.Error:
            return False
        return True
