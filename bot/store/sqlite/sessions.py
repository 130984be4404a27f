"""Sessions in SQLite: created before Chatsight is called, completed once, in group commit."""

from __future__ import annotations

import asyncio
import functools
import hmac
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from bot.domain.clock import now_ms
from bot.domain.records import (
    Completion,
    CompletionOutcome,
    DeliveryState,
    SessionRecord,
    SessionState,
    TagRequest,
)
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.store.rows import (
    completion_values,
    new_session_values,
    session_from_row,
    stream_values,
)
from bot.store.sqlite.tables import Tables, marks
from bot.store.statements import (
    AWAITING_IN_GUILD,
    CHANNEL_SESSIONS,
    CREATE_SESSION,
    DROP_HOLD,
    MARK_RUNNING,
    OVERDUE_SESSIONS,
    QUEUE_DELIVERY,
    SELECT_SESSION,
    SET_DELIVERIES_REPLY_TO,
    SET_SESSION_ORIGIN,
)

_AWAITING_VALUES = frozenset(s.value for s in SessionState if s.awaiting)
_PENDING = DeliveryState.PENDING.value
_ROW = "(?, ?, ?, ?, ?, ?, ?)"
# COMPLETE_SESSION for many sessions in one statement, its values in completion_values' order.
_COMPLETE_FROM = (
    "WITH v (state, tags, undocumented, error, completed_at, updated_at, convo_id) AS"
    " (VALUES {rows}) UPDATE sessions SET state = v.state, tags = v.tags,"
    " undocumented = v.undocumented, error = v.error, completed_at = v.completed_at,"
    " updated_at = v.updated_at FROM v WHERE sessions.convo_id = v.convo_id"
)


# Rows per statement: 128 rows of 7 values stay under 999, the oldest builds' variable limit.
_CHUNK = 128


@functools.lru_cache(maxsize=_CHUNK)
def _complete_many(count: int) -> str:
    return _COMPLETE_FROM.format(rows=", ".join([_ROW] * count))


@functools.lru_cache(maxsize=_CHUNK)
def _queue_many(count: int) -> str:
    head, tail = QUEUE_DELIVERY.split(_ROW)
    return head + ", ".join([_ROW] * count) + tail


class SessionTables(Tables):
    def complete(self, completion: Completion) -> asyncio.Future[CompletionOutcome]:
        return self._writer.complete(completion)

    async def create_session(self, request: TagRequest, token_hash: str | None) -> bool:
        now = now_ms()

        def write(db: sqlite3.Connection) -> bool:
            created = db.execute(CREATE_SESSION, new_session_values(request, token_hash, now))
            db.execute(DROP_HOLD, (request.convo_id,))
            return created.rowcount == 1

        return await self._write(write)

    async def mark_running(self, convo_id: str, stream: StreamDetails = NO_DETAILS) -> None:
        await self._run(MARK_RUNNING, (now_ms(), *stream_values(stream), convo_id))

    async def set_origin_message(self, convo_id: str, message_id: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(SET_SESSION_ORIGIN, (message_id, convo_id))
            db.execute(SET_DELIVERIES_REPLY_TO, (message_id, convo_id))

        await self._write(write)

    async def get_session(self, convo_id: str) -> SessionRecord | None:
        row = await self._fetch_one(SELECT_SESSION, (convo_id,))
        return None if row is None else session_from_row(row)

    async def channel_sessions(self, channel_id: int, limit: int) -> list[SessionRecord]:
        rows = await self._fetch(CHANNEL_SESSIONS, (channel_id, limit))
        return [session_from_row(row) for row in rows]

    async def claim_overdue_sessions(
        self, created_before_ms: int, now_ms: int, lease_ms: int, limit: int
    ) -> list[SessionRecord]:
        def write(db: sqlite3.Connection) -> list[SessionRecord]:
            rows = db.execute(OVERDUE_SESSIONS, (created_before_ms, now_ms, limit))
            claimed = [session_from_row(row) for row in rows]
            db.executemany(
                "UPDATE sessions SET poll_lease_until = ? WHERE convo_id = ?",
                [(now_ms + lease_ms, session.convo_id) for session in claimed],
            )
            return claimed

        return await self._write(write)

    async def count_awaiting(self, guild_id: int) -> int:
        return await self._fetch_int(AWAITING_IN_GUILD, (guild_id,)) or 0


def apply_completions(
    db: sqlite3.Connection, completions: Sequence[Completion]
) -> list[CompletionOutcome]:
    """The group-commit writer's handler for a run of completions, in its transaction.

    The updates and the outbox rows go in one statement each, not executemany: stepping one
    statement over many rows costs ~2 µs less per webhook than binding, stepping and resetting
    it once per row (bench/webhook_ingest.py). ``UPDATE … FROM`` needs SQLite 3.33.
    """
    ids = [c.convo_id for c in completions]
    known = {
        row[0]: row
        for row in db.execute(
            "SELECT convo_id, state, webhook_token_hash, channel_id, origin_message_id,"
            f" deliveries FROM sessions WHERE convo_id IN ({marks(ids)})",
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
        updates.append(completion_values(completion, now))
        if completion.notify:
            for kind in kinds.split(","):
                if kind:
                    inserts.append((convo_id, kind, _PENDING, now, channel_id, reply_to, now))
    _in_chunks(db, _complete_many, updates)
    _in_chunks(db, _queue_many, inserts)
    return outcomes


def _in_chunks(
    db: sqlite3.Connection, statement: Callable[[int], str], rows: list[tuple[Any, ...]]
) -> None:
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        db.execute(statement(len(chunk)), [value for row in chunk for value in row])
