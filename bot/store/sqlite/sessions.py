"""Sessions in SQLite: created before Chatsight is called, completed once, in group commit."""

from __future__ import annotations

import asyncio
import hmac
import sqlite3
from collections.abc import Sequence
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
from bot.store.rows import SESSION_COLUMNS, origin_values, session_from_row
from bot.store.sqlite.tables import Tables, marks

# Literal, so SQLite can prove a query matches the partial indexes of migration 0003.
AWAITING = f"state IN ('{SessionState.STARTING.value}', '{SessionState.RUNNING.value}')"
# The two questions asked of awaiting sessions; migration 0004's one index serves both.
OVERDUE_SESSIONS = (
    f"SELECT {SESSION_COLUMNS} FROM sessions WHERE {AWAITING}"
    " AND created_at <= ? ORDER BY created_at LIMIT ?"
)
AWAITING_IN_GUILD = f"SELECT COUNT(*) FROM sessions WHERE guild_id = ? AND {AWAITING}"
_AWAITING_VALUES = frozenset(s.value for s in SessionState if s.awaiting)
_PENDING = DeliveryState.PENDING.value


class SessionTables(Tables):
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
            created = cursor.rowcount == 1
            # The session row now counts against the server's cap: its admission hold no longer.
            db.execute("DELETE FROM admission_holds WHERE convo_id = ?", (request.convo_id,))
            return created

        return await self._write(write)

    async def mark_running(self, convo_id: str) -> None:
        await self._run(
            "UPDATE sessions SET state = ?, updated_at = ? WHERE convo_id = ? AND state = ?",
            (SessionState.RUNNING.value, now_ms(), convo_id, SessionState.STARTING.value),
        )

    async def set_origin_message(self, convo_id: str, message_id: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE sessions SET origin_message_id = ? WHERE convo_id = ?",
                (message_id, convo_id),
            )
            db.execute(
                "UPDATE deliveries SET reply_to_message_id = ? WHERE convo_id = ?"
                " AND reply_to_message_id IS NULL",
                (message_id, convo_id),
            )

        await self._write(write)

    async def get_session(self, convo_id: str) -> SessionRecord | None:
        row = await self._fetch_one(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE convo_id = ?", (convo_id,)
        )
        return None if row is None else session_from_row(row)

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
        return await self._fetch_int(AWAITING_IN_GUILD, (guild_id,)) or 0


def apply_completions(
    db: sqlite3.Connection, completions: Sequence[Completion]
) -> list[CompletionOutcome]:
    """The group-commit writer's handler for a run of completions, in its transaction."""
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
