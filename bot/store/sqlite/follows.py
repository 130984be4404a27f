"""Followed streams in SQLite: the schedule of samples, which survives a restart."""

from __future__ import annotations

import sqlite3

from bot.domain.records import SessionRecord
from bot.domain.server_records import Follow, FollowState
from bot.store.rows import (
    FOLLOW_COLUMNS,
    SESSION_COLUMNS,
    follow_from_row,
    origin_values,
    session_from_row,
)
from bot.store.sqlite.tables import Tables


class FollowTables(Tables):
    async def create_follow(self, follow: Follow) -> int:
        def write(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO follows (stream_url, source, state, samples, interval_ms,"
                " next_sample_at, ends_at, created_at, guild_id, channel_id, requester_id,"
                " origin_message_id, seed, trigger_id, trigger_position, trigger_round,"
                " timeline_channel_id, timeline_message_id, stop_reason, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    follow.stream_url,
                    follow.source.value,
                    follow.state.value,
                    follow.samples,
                    follow.interval_ms,
                    follow.next_sample_at_ms,
                    follow.ends_at_ms,
                    follow.created_at_ms,
                    *origin_values(follow.origin),
                    follow.trigger.snowflake,
                    follow.trigger.position,
                    follow.trigger.round,
                    follow.timeline_channel_id,
                    follow.timeline_message_id,
                    follow.stop_reason,
                    follow.created_at_ms,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return await self._write(write)

    async def get_follow(self, follow_id: int) -> Follow | None:
        row = await self._fetch_one(
            f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE id = ?", (follow_id,)
        )
        return None if row is None else follow_from_row(row)

    async def due_follows(self, now_ms: int, limit: int) -> list[Follow]:
        rows = await self._fetch(
            f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE state = ? AND next_sample_at <= ?"
            " ORDER BY next_sample_at LIMIT ?",
            (FollowState.ACTIVE.value, now_ms, limit),
        )
        return [follow_from_row(row) for row in rows]

    async def next_follow_due_ms(self) -> int | None:
        return await self._fetch_int(
            "SELECT MIN(next_sample_at) FROM follows WHERE state = ?", (FollowState.ACTIVE.value,)
        )

    async def channel_follows(self, channel_id: int) -> list[Follow]:
        rows = await self._fetch(
            f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE channel_id = ? AND state = ? ORDER BY id",
            (channel_id, FollowState.ACTIVE.value),
        )
        return [follow_from_row(row) for row in rows]

    async def record_sample(self, follow_id: int, next_sample_at_ms: int, now_ms: int) -> None:
        await self._run(
            "UPDATE follows SET samples = samples + 1, next_sample_at = ?, updated_at = ?"
            " WHERE id = ?",
            (next_sample_at_ms, now_ms, follow_id),
        )

    async def postpone_follow(self, follow_id: int, next_sample_at_ms: int) -> None:
        await self._run(
            "UPDATE follows SET next_sample_at = ? WHERE id = ?", (next_sample_at_ms, follow_id)
        )

    async def end_follow(
        self, follow_id: int, state: FollowState, reason: str, now_ms: int
    ) -> bool:
        changed = await self._run(
            "UPDATE follows SET state = ?, stop_reason = ?, updated_at = ?"
            " WHERE id = ? AND state = ?",
            (state.value, reason, now_ms, follow_id, FollowState.ACTIVE.value),
        )
        return changed == 1

    async def set_timeline_message(self, follow_id: int, channel_id: int, message_id: int) -> None:
        await self._run(
            "UPDATE follows SET timeline_channel_id = ?, timeline_message_id = ? WHERE id = ?",
            (channel_id, message_id, follow_id),
        )

    async def set_follow_origin(self, follow_id: int, message_id: int) -> None:
        await self._run(
            "UPDATE follows SET origin_message_id = ? WHERE id = ? AND origin_message_id IS NULL",
            (message_id, follow_id),
        )

    async def follow_sessions(self, follow_id: int) -> list[SessionRecord]:
        rows = await self._fetch(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE follow_id = ? ORDER BY created_at",
            (follow_id,),
        )
        return [session_from_row(row) for row in rows]
