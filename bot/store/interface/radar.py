"""The undocumented-tag radar: which tags outside Chatsight's published list each server heard.

Recorded by the radar's outbox row (bot/delivery/radar_sink.py), once per tag and session, so a
row delivered again after a crash counts nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain.radar import RadarEntry


class RadarStore(Protocol):
    async def record_unlisted_tags(
        self, guild_id: int, convo_id: str, tags: Sequence[str], now_ms: int
    ) -> None:
        """Each tag heard in this session (matched by ``tag_key``), once however often it is
        recorded: ``INSERT … ON CONFLICT (guild_id, tag_key, convo_id) DO NOTHING``, atomic on
        PostgreSQL as it is."""
        ...

    async def radar(self, guild_id: int, limit: int) -> list[RadarEntry]:
        """The server's unlisted tags, most sessions first, then the latest heard."""
        ...
