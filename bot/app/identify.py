"""IdentifySchedule: gateway IDENTIFYs spaced per bucket across every process of one bot.

Discord allows ``max_concurrency`` IDENTIFYs per 5 seconds, one per bucket ``shard_id %
max_concurrency`` (docs/discord-notes.md). discord.py spaces only its own process's shards; with
several processes sharing a bot's shards, the slots are taken from the store, so the processes
together never identify too fast. The spacing (``identify_spacing_seconds``) is Discord's 5 s and
a margin for clocks a little apart between hosts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.domain.clock import now_ms
from bot.store.interface import GatewayStore


class IdentifySchedule:
    def __init__(
        self,
        store: GatewayStore,
        max_concurrency: int,
        *,
        spacing_ms: int,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._buckets = max(1, max_concurrency)
        self._spacing_ms = spacing_ms
        self._clock = clock

    def bucket(self, shard_id: int) -> int:
        return shard_id % self._buckets

    async def wait_turn(self, shard_id: int) -> None:
        """Returns when this shard may IDENTIFY: its bucket's next free slot has come."""
        now = self._clock()
        slot = await self._store.reserve_identify(self.bucket(shard_id), now, self._spacing_ms)
        if slot > now:
            await asyncio.sleep((slot - now) / 1000)
