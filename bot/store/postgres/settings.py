"""Server settings and watched channels in PostgreSQL; an edit locks the server's row, so two
concurrent edits (from any processes) both land, and every process hears of it (changes.py)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from bot.domain.server_records import GuildSettings
from bot.store import statements
from bot.store.interface import ChangeTopic
from bot.store.postgres.changes import announce
from bot.store.postgres.tables import Tables, changed, numbered
from bot.store.rows import settings_from_row, settings_values

SELECT_SETTINGS = numbered(statements.SELECT_SETTINGS)
SELECT_CHANNELS = numbered(statements.SELECT_CHANNELS)
SAVE_SETTINGS = numbered(statements.SAVE_SETTINGS)
WATCH_CHANNEL = numbered(statements.WATCH_CHANNEL)
UNWATCH_CHANNEL = numbered(statements.UNWATCH_CHANNEL)
IS_WATCHED = numbered(statements.IS_WATCHED)
WATCHED_SINCE = numbered(statements.WATCHED_SINCE)
# The row must exist to be locked: a server's first edit creates it with the defaults.
ENSURE_SETTINGS = (
    "INSERT INTO guild_settings (guild_id, updated_at) VALUES ($1, $2)"
    " ON CONFLICT (guild_id) DO NOTHING"
)


async def _channels(db: asyncpg.Connection, guild_id: int) -> tuple[int, ...]:
    return tuple(int(row[0]) for row in await db.fetch(SELECT_CHANNELS, guild_id))


class SettingsTables(Tables):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        async with self._connection() as db:
            row = await db.fetchrow(SELECT_SETTINGS, guild_id)
            return settings_from_row(guild_id, row, await _channels(db, guild_id))

    async def update_guild_settings(
        self,
        guild_id: int,
        change: Callable[[GuildSettings], GuildSettings],
        now_ms: int,
    ) -> GuildSettings:
        # Whatever ``change`` raises leaves the block, which rolls the transaction back.
        async with self._transaction() as db:
            await db.execute(ENSURE_SETTINGS, guild_id, now_ms)
            row = await db.fetchrow(f"{SELECT_SETTINGS} FOR UPDATE", guild_id)
            channels = await _channels(db, guild_id)
            updated = change(settings_from_row(guild_id, row, channels))
            if (updated.guild_id, updated.autotag_channel_ids) != (guild_id, channels):
                raise ValueError("an edit may not change the guild or its channels")
            await db.execute(SAVE_SETTINGS, guild_id, *settings_values(updated), now_ms)
            await announce(db, ChangeTopic.SETTINGS)
        return updated

    async def autotag_channels(self, guild_id: int) -> tuple[int, ...]:
        async with self._connection() as db:
            return await _channels(db, guild_id)

    async def watched_since(self, guild_id: int) -> dict[int, int]:
        return {int(c): int(at) for c, at in await self._fetch(WATCHED_SINCE, guild_id)}

    async def set_autotag_channel(
        self, guild_id: int, channel_id: int, watched: bool, now_ms: int
    ) -> bool:
        async with self._transaction() as db:
            if watched:
                status = await db.execute(WATCH_CHANNEL, guild_id, channel_id, now_ms)
            else:
                status = await db.execute(UNWATCH_CHANNEL, guild_id, channel_id)
            if changed(status) != 1:
                return False
            await announce(db, ChangeTopic.SETTINGS)
        return True

    async def is_autotag_channel(self, guild_id: int, channel_id: int) -> bool:
        return await self._fetch_one(IS_WATCHED, guild_id, channel_id) is not None
