"""What a member looks up rather than asks for: a channel's recent sessions (to pick one by
typing), its followed streams (to stop one), and the tags an alert may name.

Autocomplete calls these on every keystroke and must be answered within Discord's 3 s
(docs/discord-notes.md), so each is one or two indexed reads, and the tag list is the cached one
(``bot/chatsight/tag_list.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.chatsight.tag_list import PublishedTags
from bot.domain.records import SessionRecord
from bot.domain.server_records import Follow
from bot.store.interface import FollowStore, ServerSettingsStore, SessionStore

# Discord offers at most 25 choices, and a message holds at most 25 buttons.
SHOWN_AT_MOST = 25


class DiscoveryStore(SessionStore, FollowStore, ServerSettingsStore, Protocol):
    """A channel's sessions and follows, and the server's alert tags."""


@dataclass(frozen=True, slots=True)
class AlertTags:
    """Chatsight's published tags, and those the server already alerts on."""

    published: tuple[str, ...]
    configured: tuple[str, ...]


class Discovery:
    def __init__(self, store: DiscoveryStore, published: PublishedTags) -> None:
        self._store = store
        self._published = published

    async def recent_sessions(self, channel_id: int) -> list[SessionRecord]:
        return await self._store.channel_sessions(channel_id, SHOWN_AT_MOST)

    async def followed_here(self, channel_id: int) -> list[tuple[Follow, list[SessionRecord]]]:
        """The channel's active follows with their samples so far, oldest first, at most as
        many as one message can give a button each."""
        follows = (await self._store.channel_follows(channel_id))[:SHOWN_AT_MOST]
        return [(f, await self._store.follow_sessions(f.id)) for f in follows]

    async def alert_tags(self, guild_id: int) -> AlertTags:
        settings = await self._store.guild_settings(guild_id)
        return AlertTags(await self._published.tags(), settings.alert_tags)
