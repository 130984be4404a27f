"""TagRadar: what moderators see of the undocumented-tag radar, and adopting a tag from it.

Adopting a tag makes it one of the server's alert tags, through the same edit as
``/chatsight-config alerts tags-add`` (guild_config.py), so its limit and its atomicity hold.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.radar import SHOWN_AT_MOST, RadarEntry, not_adopted
from bot.domain.server_records import GuildSettings
from bot.server.guild_config import MAX_ALERT_TAGS, GuildConfig
from bot.store.interface import RadarStore, ServerSettingsStore


class RadarSettingsStore(RadarStore, ServerSettingsStore, Protocol):
    """The radar, and the alert tags it leaves out."""


class TagRadar:
    def __init__(self, store: RadarSettingsStore, config: GuildConfig) -> None:
        self._store = store
        self._config = config

    async def heard(self, guild_id: int) -> list[RadarEntry]:
        """The unlisted tags heard in the server that are not alert tags yet, most heard first."""
        settings = await self._store.guild_settings(guild_id)
        # Enough that the alert tags left out still leave a full list.
        entries = await self._store.radar(guild_id, SHOWN_AT_MOST + MAX_ALERT_TAGS)
        return not_adopted(entries, settings.alert_tags)

    async def adopt(self, guild_id: int, tag: str) -> GuildSettings:
        return await self._config.change_alert_tags(guild_id, tag, add=True)
