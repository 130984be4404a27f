"""History by tag and weekly digests in PostgreSQL: the schedule claimed by one process at a
time, under row locks that concurrent claimers skip."""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.digests import DigestSchedule
from bot.domain.records import SessionRecord
from bot.domain.server_records import AlertRecord
from bot.store import digest_sql
from bot.store.digest_sql import (
    CLAIM_SET,
    CLAIMABLE,
    DIGEST_COLUMNS,
    digest_from_row,
    schedule_values,
    tag_history_sql,
    tag_pattern,
)
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import alert_from_row, session_from_row

SELECT_DIGEST = numbered(digest_sql.SELECT_DIGEST)
SAVE_DIGEST = numbered(digest_sql.SAVE_DIGEST)
SEED_DIGESTS = numbered(digest_sql.SEED_DIGESTS)
FINISH_DIGEST = numbered(digest_sql.FINISH_DIGEST)
RETRY_DIGEST = numbered(digest_sql.RETRY_DIGEST)
RELEASE_DIGEST = numbered(digest_sql.RELEASE_DIGEST)
GUILD_SESSIONS_BETWEEN = numbered(digest_sql.GUILD_SESSIONS_BETWEEN)
GUILD_ALERTS_BETWEEN = numbered(digest_sql.GUILD_ALERTS_BETWEEN)
# $1 lease, $2 now (first attempt), $3 now, $4 now, $5 limit.
CLAIM_DUE = numbered(
    f"UPDATE digests SET {CLAIM_SET} FROM (SELECT guild_id AS due_id FROM digests"
    f" WHERE {CLAIMABLE} ORDER BY due_at, guild_id LIMIT ? FOR UPDATE SKIP LOCKED) AS due"
    f" WHERE guild_id = due.due_id RETURNING {DIGEST_COLUMNS}"
)
NEXT_DIGEST_DUE = "SELECT MIN(GREATEST(due_at, lease_until)) FROM digests WHERE enabled = 1"
TAG_HISTORY = numbered(tag_history_sql("channel_id = ANY(?::bigint[])"))


class DigestTables(Tables):
    async def digest_schedule(self, guild_id: int) -> DigestSchedule | None:
        row = await self._fetch_one(SELECT_DIGEST, guild_id)
        return None if row is None else digest_from_row(row)

    async def save_digest_schedule(self, schedule: DigestSchedule, now_ms: int) -> None:
        await self._run(SAVE_DIGEST, *schedule_values(schedule, now_ms))

    async def seed_digests(self, due_at_ms: int, now_ms: int) -> int:
        return await self._run(SEED_DIGESTS, due_at_ms, now_ms)

    async def claim_due_digests(
        self, now_ms: int, lease_ms: int, limit: int
    ) -> list[DigestSchedule]:
        rows = await self._fetch(CLAIM_DUE, now_ms + lease_ms, now_ms, now_ms, now_ms, limit)
        claimed = [digest_from_row(row) for row in rows]
        return sorted(claimed, key=lambda digest: (digest.due_at_ms, digest.guild_id))

    async def next_digest_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_DIGEST_DUE)

    async def finish_digest(
        self,
        guild_id: int,
        due_at_ms: int,
        next_due_ms: int,
        message_id: int | None,
        error: str | None,
    ) -> bool:
        values = (next_due_ms, message_id, error, guild_id, due_at_ms)
        return await self._run(FINISH_DIGEST, *values) == 1

    async def retry_digest(
        self, guild_id: int, due_at_ms: int, retry_at_ms: int, error: str
    ) -> None:
        await self._run(RETRY_DIGEST, retry_at_ms, error, guild_id, due_at_ms)

    async def release_digest(self, guild_id: int, due_at_ms: int) -> None:
        await self._run(RELEASE_DIGEST, guild_id, due_at_ms)

    async def tag_history(
        self, guild_id: int, tag: str, channel_ids: Collection[int], limit: int, offset: int
    ) -> list[SessionRecord]:
        values = (guild_id, tag_pattern(tag), sorted(channel_ids), limit, offset)
        return [session_from_row(row) for row in await self._fetch(TAG_HISTORY, *values)]

    async def guild_sessions_between(
        self, guild_id: int, start_ms: int, end_ms: int
    ) -> list[SessionRecord]:
        rows = await self._fetch(GUILD_SESSIONS_BETWEEN, guild_id, start_ms, end_ms)
        return [session_from_row(row) for row in rows]

    async def guild_alerts_between(
        self, guild_id: int, start_ms: int, end_ms: int
    ) -> list[AlertRecord]:
        rows = await self._fetch(GUILD_ALERTS_BETWEEN, guild_id, start_ms, end_ms)
        return [alert_from_row(row) for row in rows]
