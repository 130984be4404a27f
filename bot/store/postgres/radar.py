"""The undocumented-tag radar in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.radar import RadarEntry
from bot.domain.subscriptions import tag_key
from bot.store import radar_sql
from bot.store.postgres.tables import Tables, numbered
from bot.store.radar_sql import entry_from_row

RECORD_SIGHTING = numbered(radar_sql.RECORD_SIGHTING)
RADAR = numbered(radar_sql.RADAR)


class RadarTables(Tables):
    async def record_unlisted_tags(
        self, guild_id: int, convo_id: str, tags: Sequence[str], now_ms: int
    ) -> None:
        rows = [(guild_id, tag_key(tag), tag, convo_id, now_ms) for tag in tags]
        async with self._connection() as db:
            await db.executemany(RECORD_SIGHTING, rows)

    async def radar(self, guild_id: int, limit: int) -> list[RadarEntry]:
        return [entry_from_row(row) for row in await self._fetch(RADAR, guild_id, limit)]
