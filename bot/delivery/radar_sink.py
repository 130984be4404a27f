"""The radar sink: which of a session's tags Chatsight's published list lacks, counted for its
server (the undocumented-tag radar, ``/chatsight-config alerts radar``).

A result says only that it holds undocumented tags; the published list tells which. The list is
fetched and cached by the caller's ``TagList`` (bot/chatsight/tag_list.py), which delivery does
not import. A row whose list cannot be read yet is retried with the outbox's backoff rather than
counted against an empty list; a row delivered twice counts nothing twice (the store keeps one
sighting per tag and session). It posts nothing.
"""

from __future__ import annotations

from typing import Protocol

from bot.delivery.retries import DeliveryFailed
from bot.domain.clock import now_ms
from bot.domain.radar import unlisted
from bot.domain.records import Delivery, SessionRecord
from bot.store.interface import RadarStore


class TagList(Protocol):
    async def tags(self) -> tuple[str, ...]:
        """Chatsight's published tags; empty while they cannot be read."""
        ...


class RadarSink:
    def __init__(self, store: RadarStore, published: TagList) -> None:
        self._store = store
        self._published = published

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        guild_id = session.origin.guild_id
        result = session.result
        if guild_id is None or result is None or not result.undocumented:
            return None
        published = await self._published.tags()
        if not published:
            raise DeliveryFailed("Chatsight's tag list cannot be read yet", permanent=False)
        tags = unlisted(result.tags, published)
        if tags:
            await self._store.record_unlisted_tags(guild_id, session.convo_id, tags, now_ms())
        return None
