"""GuildConfig: each server's settings, validated here and stored per guild.

Every change returns the whole new configuration, so the command can answer with it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.domain.clock import now_ms
from bot.domain.records import MAX_SEED_LENGTH
from bot.domain.refusals import (
    IntervalOutOfRange,
    NoTagsGiven,
    SeedTooLong,
    TooManyAlertTags,
)
from bot.domain.server_records import GuildSettings
from bot.domain.tags import parse_tags
from bot.store.sqlite import SQLiteStore

MAX_ALERT_TAGS = 50
INTERVAL_RANGE = (1, 240)


class GuildConfig:
    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    async def get(self, guild_id: int) -> GuildSettings:
        return await self._store.guild_settings(guild_id)

    async def _change(self, guild_id: int, **changes: Any) -> GuildSettings:
        current = await self._store.guild_settings(guild_id)
        updated = dataclasses.replace(current, **changes)
        await self._store.save_guild_settings(updated, now_ms())
        return updated

    async def watch_channel(self, guild_id: int, channel_id: int, watched: bool) -> GuildSettings:
        await self._store.set_autotag_channel(guild_id, channel_id, watched, now_ms())
        return await self._store.guild_settings(guild_id)

    async def set_results_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        return await self._change(guild_id, results_channel_id=channel_id)

    async def set_seed(self, guild_id: int, seed: str | None) -> GuildSettings:
        if seed is not None:
            seed = seed.strip()
            if not seed:
                seed = None
            elif len(seed) > MAX_SEED_LENGTH:
                raise SeedTooLong(MAX_SEED_LENGTH)
        return await self._change(guild_id, seed=seed)

    async def set_alert_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        return await self._change(guild_id, alert_channel_id=channel_id)

    async def set_alert_role(self, guild_id: int, role_id: int | None) -> GuildSettings:
        return await self._change(guild_id, alert_role_id=role_id)

    async def change_alert_tags(self, guild_id: int, raw: str, *, add: bool) -> GuildSettings:
        given = parse_tags(raw)
        if not given:
            raise NoTagsGiven()
        current = await self._store.guild_settings(guild_id)
        known = {tag.casefold(): tag for tag in current.alert_tags}
        for tag in given:
            if add:
                known.setdefault(tag.casefold(), tag)
            else:
                known.pop(tag.casefold(), None)
        if len(known) > MAX_ALERT_TAGS:
            raise TooManyAlertTags(MAX_ALERT_TAGS)
        return await self._change(guild_id, alert_tags=tuple(known.values()))

    async def set_alert_switch(self, guild_id: int, name: str, on: bool) -> GuildSettings:
        if name not in ("alert_undocumented", "alert_errors"):
            raise ValueError(name)
        return await self._change(guild_id, **{name: on})

    async def set_interval(self, guild_id: int, minutes: int) -> GuildSettings:
        low, high = INTERVAL_RANGE
        if not low <= minutes <= high:
            raise IntervalOutOfRange(low, high)
        return await self._change(guild_id, autotag_interval_minutes=minutes)
