"""The undocumented-tag radar in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.domain.radar import RadarEntry
from bot.domain.subscriptions import tag_key
from bot.store.radar_sql import RADAR, RECORD_SIGHTING, entry_from_row
from bot.store.sqlite.tables import Tables


class RadarTables(Tables):
    async def record_unlisted_tags(
        self, guild_id: int, convo_id: str, tags: Sequence[str], now_ms: int
    ) -> None:
        rows = [(guild_id, tag_key(tag), tag, convo_id, now_ms) for tag in tags]

        def write(db: sqlite3.Connection) -> None:
            db.executemany(RECORD_SIGHTING, rows)

        await self._write(write)

    async def radar(self, guild_id: int, limit: int) -> list[RadarEntry]:
        return [entry_from_row(row) for row in await self._fetch(RADAR, (guild_id, limit))]
