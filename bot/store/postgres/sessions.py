"""Sessions in PostgreSQL: created before Chatsight is called, completed once under a row lock."""

from __future__ import annotations

import hmac

from bot.domain.clock import now_ms
from bot.domain.records import (
    Completion,
    CompletionOutcome,
    DeliveryState,
    SessionRecord,
    TagRequest,
)
from bot.store import statements
from bot.store.interface import ChangeTopic
from bot.store.postgres.changes import announce
from bot.store.postgres.tables import Tables, changed, numbered
from bot.store.rows import (
    SESSION_COLUMNS,
    completion_values,
    new_session_values,
    session_from_row,
)
from bot.store.statements import AWAITING

CREATE_SESSION = numbered(statements.CREATE_SESSION)
DROP_HOLD = numbered(statements.DROP_HOLD)
MARK_RUNNING = numbered(statements.MARK_RUNNING)
SET_SESSION_ORIGIN = numbered(statements.SET_SESSION_ORIGIN)
SET_DELIVERIES_REPLY_TO = numbered(statements.SET_DELIVERIES_REPLY_TO)
SELECT_SESSION = numbered(statements.SELECT_SESSION)
CHANNEL_SESSIONS = numbered(statements.CHANNEL_SESSIONS)
AWAITING_IN_GUILD = numbered(statements.AWAITING_IN_GUILD)
# Only an awaiting session completes: the row lock makes a concurrent second completion wait,
# then see the new state and match nothing.
COMPLETE_SESSION = numbered(statements.COMPLETE_SESSION) + (
    f" AND {AWAITING} RETURNING webhook_token_hash, channel_id, origin_message_id, deliveries"
)
SELECT_WEBHOOK_HASH = "SELECT webhook_token_hash FROM sessions WHERE convo_id = $1"
QUEUE_DELIVERIES = (
    "INSERT INTO deliveries (convo_id, kind, state, next_attempt_at, channel_id,"
    f" reply_to_message_id, created_at) SELECT $1, kind, '{DeliveryState.PENDING.value}', $2,"
    " $3, $4, $2 FROM unnest($5::text[]) AS kind ON CONFLICT (convo_id, kind) DO NOTHING"
)
# Concurrent monitors skip each other's locked rows rather than wait for them.
CLAIM_OVERDUE = (
    "UPDATE sessions SET poll_lease_until = $3 WHERE convo_id IN (SELECT convo_id FROM sessions"
    f" WHERE {AWAITING} AND created_at <= $1 AND poll_lease_until <= $2"
    " ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {SESSION_COLUMNS}"
)


class _WrongToken(Exception):
    """Raised inside ``complete``'s transaction to roll its update back."""


def _token_matches(stored: str | None, given: str | None) -> bool:
    """No token (a poll, the CLI) needs no match; compared in constant time."""
    return given is None or hmac.compare_digest(stored or "", given)


class SessionTables(Tables):
    async def create_session(self, request: TagRequest, token_hash: str | None) -> bool:
        async with self._transaction() as db:
            created = await db.execute(
                CREATE_SESSION, *new_session_values(request, token_hash, now_ms())
            )
            await db.execute(DROP_HOLD, request.convo_id)
        return changed(created) == 1

    async def mark_running(self, convo_id: str) -> None:
        await self._run(MARK_RUNNING, now_ms(), convo_id)

    async def set_origin_message(self, convo_id: str, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(SET_SESSION_ORIGIN, message_id, convo_id)
            await db.execute(SET_DELIVERIES_REPLY_TO, message_id, convo_id)

    async def complete(self, completion: Completion) -> CompletionOutcome:
        now = now_ms()
        try:
            async with self._transaction() as db:
                row = await db.fetchrow(COMPLETE_SESSION, *completion_values(completion, now))
                if row is None:
                    stored = await db.fetchrow(SELECT_WEBHOOK_HASH, completion.convo_id)
                    if stored is None or not _token_matches(stored[0], completion.token_hash):
                        return CompletionOutcome.UNKNOWN
                    return CompletionOutcome.DUPLICATE
                # The update holds the row lock, so this is the hash in force (a retried
                # create_session cannot swap it now); a wrong token rolls the update back.
                token_hash, channel_id, reply_to, deliveries = row
                if not _token_matches(token_hash, completion.token_hash):
                    raise _WrongToken
                kinds = (
                    [kind for kind in deliveries.split(",") if kind] if completion.notify else []
                )
                if kinds:
                    queued = await db.execute(
                        QUEUE_DELIVERIES, completion.convo_id, now, channel_id, reply_to, kinds
                    )
                    if changed(queued):
                        await announce(db, ChangeTopic.OUTBOX)
        except _WrongToken:
            return CompletionOutcome.UNKNOWN
        return CompletionOutcome.COMPLETED

    async def get_session(self, convo_id: str) -> SessionRecord | None:
        row = await self._fetch_one(SELECT_SESSION, convo_id)
        return None if row is None else session_from_row(row)

    async def channel_sessions(self, channel_id: int, limit: int) -> list[SessionRecord]:
        rows = await self._fetch(CHANNEL_SESSIONS, channel_id, limit)
        return [session_from_row(row) for row in rows]

    async def claim_overdue_sessions(
        self, created_before_ms: int, now_ms: int, lease_ms: int, limit: int
    ) -> list[SessionRecord]:
        rows = await self._fetch(CLAIM_OVERDUE, created_before_ms, now_ms, now_ms + lease_ms, limit)
        claimed = [session_from_row(row) for row in rows]
        return sorted(claimed, key=lambda session: session.created_at_ms)

    async def count_awaiting(self, guild_id: int) -> int:
        return await self._fetch_int(AWAITING_IN_GUILD, guild_id) or 0
