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
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.store import statements
from bot.store.interface import ChangeTopic
from bot.store.postgres.changes import CHANNEL
from bot.store.postgres.tables import Tables, changed, numbered
from bot.store.rows import (
    SESSION_COLUMNS,
    completion_values,
    new_session_values,
    session_from_row,
    stream_values,
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
# One statement, so one round trip and no explicit transaction (it commits by itself): only an
# awaiting session whose token hash matches completes, its outbox rows are queued, and listeners
# hear of them once it commits. The row lock makes a concurrent second completion wait, then see
# the new state and match nothing. As five round trips (BEGIN, UPDATE, INSERT, NOTIFY, COMMIT)
# it cost a receiver several times the CPU per webhook (bench/webhook_ingest.py).
# The database compares the hashes, not in constant time: a timing could reveal at most a prefix
# of the token's SHA-256, from which no token can be had.
COMPLETE_SESSION = (
    "WITH done AS ("
    + numbered(statements.COMPLETE_SESSION)
    + f" AND {AWAITING} AND ($8::text IS NULL OR webhook_token_hash = $8)"
    " RETURNING convo_id, channel_id, origin_message_id, deliveries),"
    " queued AS (INSERT INTO deliveries (convo_id, kind, state, next_attempt_at, channel_id,"
    " reply_to_message_id, created_at) SELECT done.convo_id, kind,"
    f" '{DeliveryState.PENDING.value}', $6, done.channel_id, done.origin_message_id, $6"
    " FROM done, unnest(string_to_array(done.deliveries, ',')) AS kind WHERE $9 AND kind <> ''"
    " ON CONFLICT (convo_id, kind) DO NOTHING RETURNING 1),"
    " notified AS (SELECT pg_notify($10, $11) FROM (SELECT 1 FROM queued LIMIT 1) AS any_row)"
    " SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM notified)"
)
SELECT_WEBHOOK_HASH = "SELECT webhook_token_hash FROM sessions WHERE convo_id = $1"
# Concurrent monitors skip each other's locked rows rather than wait for them.
CLAIM_OVERDUE = (
    "UPDATE sessions SET poll_lease_until = $3 WHERE convo_id IN (SELECT convo_id FROM sessions"
    f" WHERE {AWAITING} AND created_at <= $1 AND poll_lease_until <= $2"
    " ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {SESSION_COLUMNS}"
)


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

    async def mark_running(self, convo_id: str, stream: StreamDetails = NO_DETAILS) -> None:
        await self._run(MARK_RUNNING, now_ms(), *stream_values(stream), convo_id)

    async def set_origin_message(self, convo_id: str, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(SET_SESSION_ORIGIN, message_id, convo_id)
            await db.execute(SET_DELIVERIES_REPLY_TO, message_id, convo_id)

    async def complete(self, completion: Completion) -> CompletionOutcome:
        values = completion_values(completion, now_ms())
        topic = (CHANNEL, ChangeTopic.OUTBOX.value)
        async with self._connection() as db:
            completed, _ = await db.fetchrow(
                COMPLETE_SESSION, *values, completion.token_hash, completion.notify, *topic
            )
            if completed:
                return CompletionOutcome.COMPLETED
            stored = await db.fetchrow(SELECT_WEBHOOK_HASH, completion.convo_id)
        if stored is None or not _token_matches(stored[0], completion.token_hash):
            return CompletionOutcome.UNKNOWN
        return CompletionOutcome.DUPLICATE

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
