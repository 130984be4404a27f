"""Server settings and watched channels in SQLite; an edit is read, changed and saved in one
call of the writer, so two concurrent edits both land."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.server_records import GuildSettings
from bot.store.rows import settings_from_row, settings_values
from bot.store.sqlite.tables import Tables
from bot.store.statements import (
    IS_WATCHED,
    SAVE_SETTINGS,
    SELECT_CHANNELS,
    SELECT_SETTINGS,
    UNWATCH_CHANNEL,
    WATCH_CHANNEL,
    WATCHED_SINCE,
)


@dataclass(frozen=True, slots=True)
class _Refused:
    """What an edit's ``change`` raised, carried out of the writer as a result: raised there,
    it would fail the whole batch and make the writer redo every neighbour on its own."""

    error: Exception


class SettingsTables(Tables):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._fetch_one(SELECT_SETTINGS, (guild_id,))
        return settings_from_row(guild_id, row, await self.autotag_channels(guild_id))

    async def update_guild_settings(
        self,
        guild_id: int,
        change: Callable[[GuildSettings], GuildSettings],
        now_ms: int,
    ) -> GuildSettings:
        def write(db: sqlite3.Connection) -> GuildSettings | _Refused:
            # Read through the writer's connection, inside its transaction: no write between
            # this read and the save below, from this process or another.
            row = db.execute(SELECT_SETTINGS, (guild_id,)).fetchone()
            channels = tuple(int(r[0]) for r in db.execute(SELECT_CHANNELS, (guild_id,)))
            current = settings_from_row(guild_id, row, channels)
            try:
                updated = change(current)
            except Exception as error:  # nothing is written yet, so only this edit is refused
                return _Refused(error)
            if (updated.guild_id, updated.autotag_channel_ids) != (guild_id, channels):
                return _Refused(ValueError("an edit may not change the guild or its channels"))
            db.execute(SAVE_SETTINGS, (guild_id, *settings_values(updated), now_ms))
            return updated

        result = await self._write(write)
        if isinstance(result, _Refused):
            raise result.error
        return result

    async def autotag_channels(self, guild_id: int) -> tuple[int, ...]:
        rows = await self._fetch(SELECT_CHANNELS, (guild_id,))
        return tuple(int(row[0]) for row in rows)

    async def watched_since(self, guild_id: int) -> dict[int, int]:
        return {int(c): int(at) for c, at in await self._fetch(WATCHED_SINCE, (guild_id,))}

    async def set_autotag_channel(
        self, guild_id: int, channel_id: int, watched: bool, now_ms: int
    ) -> bool:
        if watched:
            return await self._run(WATCH_CHANNEL, (guild_id, channel_id, now_ms)) == 1
        return await self._run(UNWATCH_CHANNEL, (guild_id, channel_id)) == 1

    async def is_autotag_channel(self, guild_id: int, channel_id: int) -> bool:
        return await self._fetch_one(IS_WATCHED, (guild_id, channel_id)) is not None
