"""ServerUpkeep: what the bot does when a server changes under it.

A follow whose channel is deleted, or whose server the bot left, ends at once, so no further
Chatsight session is started for a result nobody can see; it ends quietly, since its timeline
cannot be edited there any more (a post Discord refuses for good ends its follow in
bot/delivery/result_sink.py). Where the configuration was last changed is kept, so that a
breakage found later (bot/app/config_health.py) is told to the admins there, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from bot.domain.clock import now_ms
from bot.domain.records import SessionSource
from bot.domain.server_records import Follow, FollowState
from bot.store.interface import (
    ConfigNoticeStore,
    FollowStore,
    ServerSettingsStore,
    SlotWaitStore,
)

log = logging.getLogger(__name__)

CHANNEL_GONE = "the channel was deleted"
LEFT_SERVER = "the bot was removed from the server"


class UpkeepStore(ConfigNoticeStore, SlotWaitStore, FollowStore, ServerSettingsStore, Protocol):
    """Notices, a server's follows and its results channel."""


class ServerUpkeep:
    def __init__(self, store: UpkeepStore, *, clock: Callable[[], int] = now_ms) -> None:
        self._store = store
        self._clock = clock

    async def channel_gone(self, guild_id: int, channel_id: int) -> list[int]:
        """End the follows posting in a deleted channel: asked there, their timeline there, or
        bound for it as the server's results channel. The ids of those ended."""
        settings = await self._store.guild_settings(guild_id)
        results_there = settings.results_channel_id == channel_id

        def posts_there(follow: Follow) -> bool:
            if channel_id in (follow.origin.channel_id, follow.timeline_channel_id):
                return True
            automatic = follow.source is SessionSource.AUTOTAG
            return results_there and automatic and follow.timeline_channel_id is None

        follows = [f for f in await self._store.guild_follows(guild_id) if posts_there(f)]
        return await self._end(follows, CHANNEL_GONE)

    async def guild_left(self, guild_id: int) -> list[int]:
        """End every follow of a server the bot was removed from."""
        return await self._end(await self._store.guild_follows(guild_id), LEFT_SERVER)

    async def _end(self, follows: list[Follow], reason: str) -> list[int]:
        ended = []
        for follow in follows:
            if await self._store.end_follow(follow.id, FollowState.ENDED, reason, self._clock()):
                log.info("follow %s ended: %s", follow.id, reason)
                ended.append(follow.id)
        return ended

    async def changed_in(self, guild_id: int, channel_id: int) -> None:
        """A configuration command changed something in this channel: tell breakages here."""
        await self._store.note_config_channel(guild_id, channel_id, self._clock())

    async def config_channel(self, guild_id: int) -> int | None:
        return await self._store.config_channel(guild_id)

    async def first_notice(self, guild_id: int, problems_key: str) -> bool:
        """Whether this breakage is news to be told (told once, across processes too)."""
        claimed = await self._store.claim_config_notice(guild_id, problems_key, self._clock())
        return claimed and problems_key != ""

    async def waiting(self, guild_id: int) -> int:
        return await self._store.waiting_for_slot(guild_id)
