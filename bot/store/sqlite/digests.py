"""History by tag and weekly digests in SQLite: the schedule claimed in the single writer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection

from bot.domain.digests import DigestSchedule
from bot.domain.records import SessionRecord
from bot.domain.server_records import AlertRecord
from bot.store.digest_sql import (
    CLAIM_SET,
    CLAIMABLE,
    FINISH_DIGEST,
    GUILD_ALERTS_BETWEEN,
    GUILD_SESSIONS_BETWEEN,
    RELEASE_DIGEST,
    RETRY_DIGEST,
    SAVE_DIGEST,
    SEED_DIGESTS,
    SELECT_DIGEST,
    digest_from_row,
    schedule_values,
    tag_history_sql,
    tag_pattern,
)
from bot.store.rows import alert_from_row, session_from_row
from bot.store.sqlite.tables import Tables

DUE_DIGESTS = f"SELECT guild_id FROM digests WHERE {CLAIMABLE} ORDER BY due_at, guild_id LIMIT ?"
CLAIM_DIGEST = f"UPDATE digests SET {CLAIM_SET} WHERE guild_id = ?"
NEXT_DIGEST_DUE = "SELECT MIN(MAX(due_at, lease_until)) FROM digests WHERE enabled = 1"
# The channels come as one JSON array parameter.
TAG_HISTORY = tag_history_sql("channel_id IN (SELECT value FROM json_each(?))")


class DigestTables(Tables):
    async def digest_schedule(self, guild_id: int) -> DigestSchedule | None:
        row = await self._fetch_one(SELECT_DIGEST, (guild_id,))
        return None if row is None else digest_from_row(row)

    async def save_digest_schedule(self, schedule: DigestSchedule, now_ms: int) -> None:
        await self._run(SAVE_DIGEST, schedule_values(schedule, now_ms))

    async def seed_digests(self, due_at_ms: int, now_ms: int) -> int:
        return await self._run(SEED_DIGESTS, (due_at_ms, now_ms))

    async def claim_due_digests(
        self, now_ms: int, lease_ms: int, limit: int
    ) -> list[DigestSchedule]:
        def write(db: sqlite3.Connection) -> list[DigestSchedule]:
            due = [row[0] for row in db.execute(DUE_DIGESTS, (now_ms, now_ms, limit))]
            db.executemany(CLAIM_DIGEST, [(now_ms + lease_ms, now_ms, guild) for guild in due])
            rows = [db.execute(SELECT_DIGEST, (guild,)).fetchone() for guild in due]
            return [digest_from_row(row) for row in rows]

        return await self._write(write)

    async def next_digest_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_DIGEST_DUE, ())

    async def finish_digest(
        self,
        guild_id: int,
        due_at_ms: int,
        next_due_ms: int,
        message_id: int | None,
        error: str | None,
    ) -> bool:
        values = (next_due_ms, message_id, error, guild_id, due_at_ms)
        return await self._run(FINISH_DIGEST, values) == 1

    async def retry_digest(
        self, guild_id: int, due_at_ms: int, retry_at_ms: int, error: str
    ) -> None:
        await self._run(RETRY_DIGEST, (retry_at_ms, error, guild_id, due_at_ms))

    async def release_digest(self, guild_id: int, due_at_ms: int) -> None:
        await self._run(RELEASE_DIGEST, (guild_id, due_at_ms))

    async def tag_history(
        self, guild_id: int, tag: str, channel_ids: Collection[int], limit: int, offset: int
    ) -> list[SessionRecord]:
        channels = json.dumps(sorted(channel_ids))
        values = (guild_id, tag_pattern(tag), channels, limit, offset)
        return [session_from_row(row) for row in await self._fetch(TAG_HISTORY, values)]

    async def guild_sessions_between(
        self, guild_id: int, start_ms: int, end_ms: int
    ) -> list[SessionRecord]:
        rows = await self._fetch(GUILD_SESSIONS_BETWEEN, (guild_id, start_ms, end_ms))
        return [session_from_row(row) for row in rows]

    async def guild_alerts_between(
        self, guild_id: int, start_ms: int, end_ms: int
    ) -> list[AlertRecord]:
        rows = await self._fetch(GUILD_ALERTS_BETWEEN, (guild_id, start_ms, end_ms))
        return [alert_from_row(row) for row in rows]
