"""Followed streams in PostgreSQL: the schedule of samples, claimed by one process at a time."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.convo_ids import Trigger
from bot.domain.records import SessionRecord
from bot.domain.server_records import Follow, FollowState
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import (
    FOLLOW_COLUMNS,
    follow_from_row,
    follow_trigger,
    follow_values,
    session_from_row,
)
from bot.store.statements import ACTIVE

INSERT_FOLLOW = numbered(statements.INSERT_FOLLOW)
SELECT_FOLLOW = numbered(statements.SELECT_FOLLOW)
FOLLOW_OF_TRIGGER = numbered(statements.FOLLOW_OF_TRIGGER)
NEXT_FOLLOW_DUE = numbered(statements.NEXT_FOLLOW_DUE)
CHANNEL_FOLLOWS = numbered(statements.CHANNEL_FOLLOWS)
RECORD_SAMPLE = numbered(statements.RECORD_SAMPLE)
POSTPONE_FOLLOW = numbered(statements.POSTPONE_FOLLOW)
END_FOLLOW = numbered(statements.END_FOLLOW)
SET_TIMELINE = numbered(statements.SET_TIMELINE)
SET_FOLLOW_ORIGIN = numbered(statements.SET_FOLLOW_ORIGIN)
FOLLOW_SESSIONS = numbered(statements.FOLLOW_SESSIONS)
# Concurrent claimers skip each other's locked rows; the due time each had before this claim
# comes back beside the row (``was_due``), which already holds the lease.
CLAIM_DUE = (
    "UPDATE follows SET next_sample_at = $2 FROM (SELECT id AS due_id, next_sample_at AS was_due"
    f" FROM follows WHERE {ACTIVE} AND next_sample_at <= $1 ORDER BY next_sample_at, id"
    " LIMIT $3 FOR UPDATE SKIP LOCKED) AS due"
    f" WHERE id = due.due_id RETURNING {FOLLOW_COLUMNS}, due.was_due"
)


class FollowTables(Tables):
    async def create_follow(self, follow: Follow) -> int:
        follow_id = await self._fetch_int(INSERT_FOLLOW, *follow_values(follow))
        if follow_id is None:  # its trigger's follow exists (a retry): that one
            follow_id = await self.follow_of_trigger(follow.origin.channel_id, follow.trigger)
        assert follow_id is not None
        return follow_id

    async def follow_of_trigger(self, channel_id: int | None, trigger: Trigger) -> int | None:
        return await self._fetch_int(FOLLOW_OF_TRIGGER, *follow_trigger(channel_id, trigger))

    async def get_follow(self, follow_id: int) -> Follow | None:
        row = await self._fetch_one(SELECT_FOLLOW, follow_id)
        return None if row is None else follow_from_row(row)

    async def claim_due_follows(self, now_ms: int, lease_ms: int, limit: int) -> list[Follow]:
        rows = await self._fetch(CLAIM_DUE, now_ms, now_ms + lease_ms, limit)
        claimed = [replace(follow_from_row(row), next_sample_at_ms=row["was_due"]) for row in rows]
        return sorted(claimed, key=lambda follow: (follow.next_sample_at_ms, follow.id))

    async def next_follow_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_FOLLOW_DUE)

    async def channel_follows(self, channel_id: int) -> list[Follow]:
        return [follow_from_row(row) for row in await self._fetch(CHANNEL_FOLLOWS, channel_id)]

    async def record_sample(
        self, follow_id: int, next_sample_at_ms: int, now_ms: int, *, taken: int
    ) -> bool:
        return await self._run(RECORD_SAMPLE, next_sample_at_ms, now_ms, follow_id, taken) == 1

    async def postpone_follow(self, follow_id: int, next_sample_at_ms: int) -> None:
        await self._run(POSTPONE_FOLLOW, next_sample_at_ms, follow_id)

    async def end_follow(
        self, follow_id: int, state: FollowState, reason: str, now_ms: int
    ) -> bool:
        return await self._run(END_FOLLOW, state.value, reason, now_ms, follow_id) == 1

    async def set_timeline_message(self, follow_id: int, channel_id: int, message_id: int) -> None:
        await self._run(SET_TIMELINE, channel_id, message_id, follow_id)

    async def set_follow_origin(self, follow_id: int, message_id: int) -> None:
        await self._run(SET_FOLLOW_ORIGIN, message_id, follow_id)

    async def follow_sessions(self, follow_id: int) -> list[SessionRecord]:
        return [session_from_row(row) for row in await self._fetch(FOLLOW_SESSIONS, follow_id)]
