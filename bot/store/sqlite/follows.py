"""Followed streams in SQLite: the schedule of samples, which survives a restart."""

from __future__ import annotations

import sqlite3

from bot.domain.convo_ids import Trigger
from bot.domain.records import SessionRecord
from bot.domain.server_records import Follow, FollowState
from bot.store.rows import follow_from_row, follow_trigger, follow_values, session_from_row
from bot.store.sqlite.tables import Tables
from bot.store.statements import (
    CHANNEL_FOLLOWS,
    DUE_FOLLOWS,
    END_FOLLOW,
    FOLLOW_OF_TRIGGER,
    FOLLOW_SESSIONS,
    INSERT_FOLLOW,
    NEXT_FOLLOW_DUE,
    POSTPONE_FOLLOW,
    RECORD_SAMPLE,
    SELECT_FOLLOW,
    SET_FOLLOW_ORIGIN,
    SET_TIMELINE,
)


class FollowTables(Tables):
    async def create_follow(self, follow: Follow) -> int:
        def write(db: sqlite3.Connection) -> int:
            row = db.execute(INSERT_FOLLOW, follow_values(follow)).fetchone()
            if row is None:
                key = follow_trigger(follow.origin.channel_id, follow.trigger)
                row = db.execute(FOLLOW_OF_TRIGGER, key).fetchone()
            return int(row[0])

        return await self._write(write)

    async def follow_of_trigger(self, channel_id: int | None, trigger: Trigger) -> int | None:
        return await self._fetch_int(FOLLOW_OF_TRIGGER, follow_trigger(channel_id, trigger))

    async def get_follow(self, follow_id: int) -> Follow | None:
        row = await self._fetch_one(SELECT_FOLLOW, (follow_id,))
        return None if row is None else follow_from_row(row)

    async def claim_due_follows(self, now_ms: int, lease_ms: int, limit: int) -> list[Follow]:
        def write(db: sqlite3.Connection) -> list[Follow]:
            claimed = [follow_from_row(row) for row in db.execute(DUE_FOLLOWS, (now_ms, limit))]
            db.executemany(POSTPONE_FOLLOW, [(now_ms + lease_ms, f.id) for f in claimed])
            return claimed

        return await self._write(write)

    async def next_follow_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_FOLLOW_DUE, ())

    async def channel_follows(self, channel_id: int) -> list[Follow]:
        rows = await self._fetch(CHANNEL_FOLLOWS, (channel_id,))
        return [follow_from_row(row) for row in rows]

    async def record_sample(
        self, follow_id: int, next_sample_at_ms: int, now_ms: int, *, taken: int
    ) -> bool:
        values = (next_sample_at_ms, now_ms, follow_id, taken)
        return await self._run(RECORD_SAMPLE, values) == 1

    async def postpone_follow(self, follow_id: int, next_sample_at_ms: int) -> None:
        await self._run(POSTPONE_FOLLOW, (next_sample_at_ms, follow_id))

    async def end_follow(
        self, follow_id: int, state: FollowState, reason: str, now_ms: int
    ) -> bool:
        return await self._run(END_FOLLOW, (state.value, reason, now_ms, follow_id)) == 1

    async def set_timeline_message(self, follow_id: int, channel_id: int, message_id: int) -> None:
        await self._run(SET_TIMELINE, (channel_id, message_id, follow_id))

    async def set_follow_origin(self, follow_id: int, message_id: int) -> None:
        await self._run(SET_FOLLOW_ORIGIN, (message_id, follow_id))

    async def follow_sessions(self, follow_id: int) -> list[SessionRecord]:
        rows = await self._fetch(FOLLOW_SESSIONS, (follow_id,))
        return [session_from_row(row) for row in rows]
