"""GuildConfig: each server's settings, validated here and stored per guild.

Every change returns the whole new configuration, so the command can answer with it. A change
is applied by the store to the settings it reads in the same transaction
(``update_guild_settings``), so two moderators editing at once both get their edit.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.domain.announced import with_expectation
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
from bot.store.interface import ServerSettingsStore

MAX_ALERT_TAGS = 50
INTERVAL_RANGE = (1, 240)
# The command's ranges (cogs/config.py); Discord refuses what lies outside them.
ALERT_SAMPLES_MAX = 10
REPING_MINUTES_RANGE = (1, 240)


class GuildConfig:
    def __init__(self, store: ServerSettingsStore) -> None:
        self._store = store

    async def get(self, guild_id: int) -> GuildSettings:
        return await self._store.guild_settings(guild_id)

    async def _change(self, guild_id: int, **changes: Any) -> GuildSettings:
        return await self._store.update_guild_settings(
            guild_id, lambda current: dataclasses.replace(current, **changes), now_ms()
        )

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

        def change(current: GuildSettings) -> GuildSettings:
            """Applied to the stored tags inside the store's transaction; a refusal raised
            here aborts the edit."""
            known = {tag.casefold(): tag for tag in current.alert_tags}
            for tag in given:
                if add:
                    known.setdefault(tag.casefold(), tag)
                else:
                    known.pop(tag.casefold(), None)
            if len(known) > MAX_ALERT_TAGS:
                raise TooManyAlertTags(MAX_ALERT_TAGS)
            return dataclasses.replace(current, alert_tags=tuple(known.values()))

        return await self._store.update_guild_settings(guild_id, change, now_ms())

    async def set_alert_switch(self, guild_id: int, name: str, on: bool) -> GuildSettings:
        if name not in ("alert_undocumented", "alert_errors"):
            raise ValueError(name)
        return await self._change(guild_id, **{name: on})

    async def set_interval(self, guild_id: int, minutes: int) -> GuildSettings:
        low, high = INTERVAL_RANGE
        if not low <= minutes <= high:
            raise IntervalOutOfRange(low, high)
        return await self._change(guild_id, autotag_interval_minutes=minutes)

    async def set_alert_window(self, guild_id: int, hits: int, samples: int) -> GuildSettings:
        """Followed streams alert when heard in ``hits`` of their last ``samples`` samples;
        more hits than samples asks for all of them, so it is stored as that."""
        samples = max(1, min(samples, ALERT_SAMPLES_MAX))
        hits = max(1, min(hits, samples))
        return await self._change(guild_id, alert_hits=hits, alert_samples=samples)

    async def set_reping_minutes(self, guild_id: int, minutes: int) -> GuildSettings:
        low, high = REPING_MINUTES_RANGE
        return await self._change(guild_id, alert_reping_minutes=max(low, min(minutes, high)))

    async def expect_tags(self, guild_id: int, category: str, raw_tags: str) -> GuildSettings:
        """Map an announced category to the tags expected of it; no tags unmaps it."""

        def change(current: GuildSettings) -> GuildSettings:
            expectations = with_expectation(current.announced_tags, category, raw_tags)
            return dataclasses.replace(current, announced_tags=expectations)

        return await self._store.update_guild_settings(guild_id, change, now_ms())
