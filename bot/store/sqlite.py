"""The embedded SQLite store: WAL, durable commits, and one writer doing group commit.

Every write goes through a single writer task. It takes whatever is queued, applies it in one
transaction and commits once, and only then resolves each caller's future. A webhook therefore
still gets its 200 only after its own row is durable, but a burst of webhooks shares one fsync
instead of paying one each (docs/perf-notes.md: per-request commits reach ~0.15x of a bare
handler, group commit ~0.6x). Reads use a second connection and never wait for the writer.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.clock import now_ms
from bot.domain.records import (
    Completion,
    CompletionOutcome,
    Delivery,
    DeliveryState,
    SessionRecord,
    SessionState,
    TagRequest,
)
from bot.store.base import StoreUnavailable
from bot.store.migrations import migrate
from bot.store.rows import (
    DELIVERY_COLUMNS,
    SESSION_COLUMNS,
    delivery_from_row,
    origin_values,
    session_from_row,
)
from bot.store.sqlite_server import GuildTables
from bot.store.writer import GroupCommitWriter

log = logging.getLogger(__name__)

# Literal, so SQLite can prove a query matches the partial indexes of migration 0003.
AWAITING = f"state IN ('{SessionState.STARTING.value}', '{SessionState.RUNNING.value}')"
PENDING = f"state = '{DeliveryState.PENDING.value}'"
# The two questions asked of awaiting sessions; migration 0004's one index serves both.
OVERDUE_SESSIONS = (
    f"SELECT {SESSION_COLUMNS} FROM sessions WHERE {AWAITING}"
    " AND created_at <= ? ORDER BY created_at LIMIT ?"
)
AWAITING_IN_GUILD = f"SELECT COUNT(*) FROM sessions WHERE guild_id = ? AND {AWAITING}"
_AWAITING_VALUES = frozenset(s.value for s in SessionState if s.awaiting)
_PENDING = DeliveryState.PENDING.value
PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000", "foreign_keys = ON")


class SQLiteStore(GuildTables):
    def __init__(self, path: str | Path, *, max_batch: int = 256) -> None:
        self._path = str(path)
        self._writer = GroupCommitWriter(self._apply_completions, max_batch=max_batch)
        self._reader_db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        await self._writer.start(self._connect_writer)
        self._reader_db = await aiosqlite.connect(self._path, isolation_level=None)
        for pragma in PRAGMAS:
            await self._reader_db.execute(f"PRAGMA {pragma}")

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

    async def healthy(self) -> bool:
        if not self._writer.running or self._reader_db is None:
            return False
        try:
            await self._reader_db.execute_fetchall("SELECT 1")
        except aiosqlite.Error:
            return False
        return True

    def _apply_completions(
        self, db: sqlite3.Connection, completions: Sequence[Completion]
    ) -> list[CompletionOutcome]:
        ids = [c.convo_id for c in completions]
        known = {
            row[0]: row
            for row in db.execute(
                "SELECT convo_id, state, webhook_token_hash, channel_id, origin_message_id,"
                f" deliveries FROM sessions WHERE convo_id IN ({_marks(ids)})",
                ids,
            )
        }
        now = now_ms()
        finished: set[str] = set()
        updates: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        outcomes = []
        for completion in completions:
            convo_id = completion.convo_id
            row = known.get(convo_id)
            if row is None:
                outcomes.append(CompletionOutcome.UNKNOWN)
                continue
            _, state, stored_hash, channel_id, reply_to, kinds = row
            if completion.token_hash is not None and not hmac.compare_digest(
                stored_hash or "", completion.token_hash
            ):
                outcomes.append(CompletionOutcome.UNKNOWN)
                continue
            # ``finished``: the same session twice in one batch gets one result, like in two.
            if state not in _AWAITING_VALUES or convo_id in finished:
                outcomes.append(CompletionOutcome.DUPLICATE)
                continue
            finished.add(convo_id)
            outcomes.append(CompletionOutcome.COMPLETED)
            updates.append(_completion_update(completion, now))
            if completion.notify:
                for kind in kinds.split(","):
                    if kind:
                        inserts.append((convo_id, kind, _PENDING, now, channel_id, reply_to, now))
        if updates:
            db.executemany(
                "UPDATE sessions SET state = ?, tags = ?, undocumented = ?, error = ?,"
                " completed_at = ?, updated_at = ? WHERE convo_id = ?",
                updates,
            )
        if inserts:
            db.executemany(
                "INSERT INTO deliveries (convo_id, kind, state, next_attempt_at, channel_id,"
                " reply_to_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (convo_id, kind) DO NOTHING",
                inserts,
            )
        return outcomes

    # -- writes -----------------------------------------------------------------------------

    def complete(self, completion: Completion) -> asyncio.Future[CompletionOutcome]:
        return self._writer.complete(completion)

    async def create_session(self, request: TagRequest, token_hash: str | None) -> bool:
        now = now_ms()

        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "INSERT INTO sessions (convo_id, stream_url, source, guild_id, channel_id,"
                " requester_id, origin_message_id, seed, deliveries, state, webhook_token_hash,"
                " created_at, updated_at, follow_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (convo_id) DO UPDATE SET webhook_token_hash ="
                " excluded.webhook_token_hash, updated_at = excluded.updated_at"
                " WHERE sessions.state = 'starting'",
                (
                    request.convo_id,
                    request.stream_url,
                    request.source.value,
                    *origin_values(request.origin),
                    ",".join(request.deliveries),
                    SessionState.STARTING.value,
                    token_hash,
                    now,
                    now,
                    request.follow_id,
                ),
            )
            return cursor.rowcount == 1

        created: bool = await self._writer.write(write)
        return created

    async def mark_running(self, convo_id: str) -> None:
        await self._execute(
            "UPDATE sessions SET state = ?, updated_at = ? WHERE convo_id = ? AND state = ?",
            (SessionState.RUNNING.value, now_ms(), convo_id, SessionState.STARTING.value),
        )

    async def set_origin_message(self, convo_id: str, message_id: int) -> None:
        await self._execute(
            "UPDATE sessions SET origin_message_id = ? WHERE convo_id = ?", (message_id, convo_id)
        )
        await self._execute(
            "UPDATE deliveries SET reply_to_message_id = ? WHERE convo_id = ?"
            " AND reply_to_message_id IS NULL",
            (message_id, convo_id),
        )

    async def claim_due_deliveries(
        self, kinds: Collection[str], now_ms: int, lease_ms: int, limit: int
    ) -> list[Delivery]:
        def write(db: sqlite3.Connection) -> list[Delivery]:
            rows = db.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE {PENDING}"
                f" AND kind IN ({_marks(kinds)}) AND next_attempt_at <= ? AND lease_until <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (*kinds, now_ms, now_ms, limit),
            )
            claimed = [delivery_from_row(row) for row in rows]
            db.executemany(
                "UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(now_ms + lease_ms, d.id) for d in claimed],
            )
            return claimed

        claimed: list[Delivery] = await self._writer.write(write)
        return claimed

    async def mark_delivered(self, delivery_id: int, message_id: int | None, now_ms: int) -> None:
        await self._execute(
            "UPDATE deliveries SET state = ?, message_id = ?, delivered_at = ?, last_error = NULL,"
            " lease_until = 0 WHERE id = ?",
            (DeliveryState.DELIVERED.value, message_id, now_ms, delivery_id),
        )

    async def mark_retry(self, delivery_id: int, next_attempt_ms: int, error: str) -> None:
        await self._execute(
            "UPDATE deliveries SET next_attempt_at = ?, last_error = ?, lease_until = 0"
            " WHERE id = ?",
            (next_attempt_ms, error[:500], delivery_id),
        )

    async def release_deliveries(self, delivery_ids: Collection[int]) -> None:
        await self._execute(
            "UPDATE deliveries SET lease_until = 0, attempts = attempts - 1"
            f" WHERE id IN ({_marks(delivery_ids)})",
            tuple(delivery_ids),
        )

    async def mark_undeliverable(self, delivery_id: int, reason: str) -> None:
        await self._execute(
            "UPDATE deliveries SET state = ?, last_error = ?, lease_until = 0 WHERE id = ?",
            (DeliveryState.UNDELIVERABLE.value, reason[:500], delivery_id),
        )

    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None:
        await self._execute(
            "INSERT INTO shared_secrets (secret, created_at) VALUES (?, ?)", (secret, created_at_ms)
        )

    async def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(sql, params)

        await self._writer.write(write)

    # -- reads ------------------------------------------------------------------------------

    async def _fetch(self, sql: str, params: tuple[Any, ...]) -> Iterable[aiosqlite.Row]:
        if self._reader_db is None:
            raise StoreUnavailable("the store is not open")
        return await self._reader_db.execute_fetchall(sql, params)

    async def get_session(self, convo_id: str) -> SessionRecord | None:
        rows = list(
            await self._fetch(
                f"SELECT {SESSION_COLUMNS} FROM sessions WHERE convo_id = ?",
                (convo_id,),
            )
        )
        return session_from_row(rows[0]) if rows else None

    async def channel_sessions(self, channel_id: int, limit: int) -> list[SessionRecord]:
        rows = await self._fetch(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE channel_id = ?"
            " ORDER BY created_at DESC, convo_id LIMIT ?",
            (channel_id, limit),
        )
        return [session_from_row(row) for row in rows]

    async def awaiting_sessions(self, created_before_ms: int, limit: int) -> list[SessionRecord]:
        rows = await self._fetch(OVERDUE_SESSIONS, (created_before_ms, limit))
        return [session_from_row(row) for row in rows]

    async def count_awaiting(self, guild_id: int) -> int:
        rows = list(await self._fetch(AWAITING_IN_GUILD, (guild_id,)))
        return int(rows[0][0])

    async def next_delivery_due_ms(self, kinds: Collection[str]) -> int | None:
        rows = list(
            await self._fetch(
                "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM deliveries"
                f" WHERE {PENDING} AND kind IN ({_marks(kinds)})",
                tuple(kinds),
            )
        )
        return None if rows[0][0] is None else int(rows[0][0])

    async def deliveries_for(self, convo_id: str) -> list[Delivery]:
        rows = await self._fetch(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE convo_id = ? ORDER BY id",
            (convo_id,),
        )
        return [delivery_from_row(row) for row in rows]

    async def shared_secrets(self) -> list[tuple[str, int]]:
        rows = await self._fetch(
            "SELECT secret, created_at FROM shared_secrets ORDER BY created_at, id", ()
        )
        return [(str(row[0]), int(row[1])) for row in rows]


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" for _ in values)


def _completion_update(completion: Completion, now: int) -> tuple[Any, ...]:
    result = completion.result
    return (
        completion.state.value,
        ",".join(result.tags) if result else None,
        int(bool(result and result.undocumented)),
        completion.error,
        now,
        now,
        completion.convo_id,
    )
