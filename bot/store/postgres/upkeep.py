"""Configuration notices and follows waiting for a slot, in PostgreSQL
(bot/store/interface/upkeep.py): each call is one statement."""

from __future__ import annotations

from bot.domain.server_records import Follow
from bot.store import upkeep_sql
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import follow_from_row

NOTE_CONFIG_CHANNEL = numbered(upkeep_sql.NOTE_CONFIG_CHANNEL)
CONFIG_CHANNEL = numbered(upkeep_sql.CONFIG_CHANNEL)
CLAIM_CONFIG_NOTICE = numbered(upkeep_sql.CLAIM_CONFIG_NOTICE)
WAIT_FOR_SLOT = numbered(upkeep_sql.WAIT_FOR_SLOT)
SLOT_TAKEN = numbered(upkeep_sql.SLOT_TAKEN)
WAITING_FOR_SLOT = numbered(upkeep_sql.WAITING_FOR_SLOT)
FIRST_WAITING_FOR_SLOT = numbered(upkeep_sql.FIRST_WAITING_FOR_SLOT)
GUILD_FOLLOWS = numbered(upkeep_sql.GUILD_FOLLOWS)


class UpkeepTables(Tables):
    async def note_config_channel(self, guild_id: int, channel_id: int, now_ms: int) -> None:
        await self._run(NOTE_CONFIG_CHANNEL, guild_id, channel_id, now_ms)

    async def config_channel(self, guild_id: int) -> int | None:
        return await self._fetch_int(CONFIG_CHANNEL, guild_id)

    async def claim_config_notice(self, guild_id: int, problems: str, now_ms: int) -> bool:
        return await self._fetch_one(CLAIM_CONFIG_NOTICE, guild_id, problems, now_ms) is not None

    async def wait_for_slot(self, follow_id: int, guild_id: int, since_ms: int) -> None:
        await self._run(WAIT_FOR_SLOT, follow_id, guild_id, since_ms)

    async def slot_taken(self, follow_id: int) -> None:
        await self._run(SLOT_TAKEN, follow_id)

    async def waiting_for_slot(self, guild_id: int) -> int:
        return await self._fetch_int(WAITING_FOR_SLOT, guild_id) or 0

    async def first_waiting_for_slot(self, guild_id: int) -> int | None:
        return await self._fetch_int(FIRST_WAITING_FOR_SLOT, guild_id)

    async def guild_follows(self, guild_id: int) -> list[Follow]:
        return [follow_from_row(row) for row in await self._fetch(GUILD_FOLLOWS, guild_id)]
