"""Configuration notices and follows waiting for a slot, in SQLite
(bot/store/interface/upkeep.py)."""

from __future__ import annotations

import sqlite3

from bot.domain.server_records import Follow
from bot.store.rows import follow_from_row
from bot.store.sqlite.tables import Tables
from bot.store.upkeep_sql import (
    CLAIM_CONFIG_NOTICE,
    CONFIG_CHANNEL,
    FIRST_WAITING_FOR_SLOT,
    GUILD_FOLLOWS,
    NOTE_CONFIG_CHANNEL,
    SLOT_TAKEN,
    WAIT_FOR_SLOT,
    WAITING_FOR_SLOT,
)


class UpkeepTables(Tables):
    async def note_config_channel(self, guild_id: int, channel_id: int, now_ms: int) -> None:
        await self._run(NOTE_CONFIG_CHANNEL, (guild_id, channel_id, now_ms))

    async def config_channel(self, guild_id: int) -> int | None:
        return await self._fetch_int(CONFIG_CHANNEL, (guild_id,))

    async def claim_config_notice(self, guild_id: int, problems: str, now_ms: int) -> bool:
        def write(db: sqlite3.Connection) -> bool:
            return (
                db.execute(CLAIM_CONFIG_NOTICE, (guild_id, problems, now_ms)).fetchone() is not None
            )

        return await self._write(write)

    async def wait_for_slot(self, follow_id: int, guild_id: int, since_ms: int) -> None:
        await self._run(WAIT_FOR_SLOT, (follow_id, guild_id, since_ms))

    async def slot_taken(self, follow_id: int) -> None:
        await self._run(SLOT_TAKEN, (follow_id,))

    async def waiting_for_slot(self, guild_id: int) -> int:
        return await self._fetch_int(WAITING_FOR_SLOT, (guild_id,)) or 0

    async def first_waiting_for_slot(self, guild_id: int) -> int | None:
        return await self._fetch_int(FIRST_WAITING_FOR_SLOT, (guild_id,))

    async def guild_follows(self, guild_id: int) -> list[Follow]:
        return [follow_from_row(row) for row in await self._fetch(GUILD_FOLLOWS, (guild_id,))]
