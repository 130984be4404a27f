"""Auto-tagging: stream URLs announced in watched channels start followed sessions.

Stream notifiers are usually bots or webhooks, so every author counts; the same URL in the same
server is tagged once per window (an atomic claim in the store, so two copies of one
announcement arriving together cannot both start a session).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.clock import now_ms
from bot.domain.records import SessionRecord
from bot.domain.server_records import GuildSettings
from bot.domain.stream_urls import find_stream_urls
from bot.server.following import Following, FollowRequest
from bot.store.sqlite import SQLiteStore

MAX_URLS_PER_MESSAGE = 5


@dataclass(frozen=True, slots=True)
class Announcement:
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    content: str
    embed_urls: Sequence[str] = ()

    def stream_urls(self) -> list[str]:
        return find_stream_urls("\n".join([self.content, *self.embed_urls]))[:MAX_URLS_PER_MESSAGE]


class AutoTagger:
    def __init__(
        self,
        store: SQLiteStore,
        following: Following,
        *,
        window_s: float = 1800.0,
        minute_s: float = 60.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._following = following
        self._window_ms = int(window_s * 1000)
        self._minute_s = minute_s
        self._clock = clock

    async def on_announcement(self, announcement: Announcement) -> list[SessionRecord]:
        """Sessions started for a message in a watched channel; none elsewhere."""
        if not await self._store.is_autotag_channel(announcement.guild_id, announcement.channel_id):
            return []
        settings = await self._store.guild_settings(announcement.guild_id)
        started = []
        for url in announcement.stream_urls():
            claimed = await self._store.claim_stream(
                announcement.guild_id, url, self._clock(), self._window_ms
            )
            if claimed:
                started.append(await self._follow(announcement, url, settings, "autotag"))
        return started

    async def on_demand(self, announcement: Announcement, user_id: int) -> list[SessionRecord]:
        """The "Tag stream" menu: any message, no window, asked for by ``user_id``."""
        settings = await self._store.guild_settings(announcement.guild_id)
        on_behalf = Announcement(
            announcement.guild_id,
            announcement.channel_id,
            announcement.message_id,
            user_id,
            announcement.content,
            announcement.embed_urls,
        )
        return [
            await self._follow(on_behalf, url, settings, "autotag")
            for url in announcement.stream_urls()
        ]

    async def _follow(
        self, announcement: Announcement, url: str, settings: GuildSettings, source: str
    ) -> SessionRecord:
        return await self._following.start(
            FollowRequest(
                channel_id=announcement.channel_id,
                stream_url=url,
                source=source,
                interval_s=settings.autotag_interval_minutes * self._minute_s,
                guild_id=announcement.guild_id,
                seed=settings.seed,
                requester_id=announcement.author_id,
                origin_message_id=announcement.message_id,
            )
        )
