"""Pacing: the bot spends Discord's budgets itself, so a burst of results draws no 429.

Two budgets (docs/discord-notes.md, Rate limits): each channel's message buckets
(channel_buckets.py) and the bot's global 50 requests per second (request_budget.py). A post
takes a *turn*: it waits until its channel's bucket has room in its spread, then for a global
slot, and only then decides what it sends, so a pack formed in a turn carries every result that
arrived while it waited (result_sink.py). Turns of one channel and bucket are taken one at a
time, in order; turns of different channels wait side by side, so a busy channel takes one turn
per spread and cannot starve the others of global slots.

Why above discord.py rather than in a subclass of its ``HTTPClient``: the bot must choose what
to send when a turn comes (a pack is formed then), which only the delivery layer knows; and
discord.py builds its ``HTTPClient`` inside ``Client.__init__`` and keeps its buckets private, so
a subclass would be swapped in through private attributes and would read private state. Discord's
answers (their ``X-RateLimit-*`` headers) reach the buckets through discord.py's public
``http_trace`` hook instead, which also makes every other request the bot sends with its token
wait for a global slot (http_trace.py). discord.py's own 429 handling stays underneath, as the
last line rather than the plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from bot.delivery.channel_buckets import BucketKey, ChannelBuckets, MessageBucket
from bot.delivery.request_budget import RequestBudget

# A turn ends its wait this long before its global slot: what it sends is decided (and a pack
# recorded) in between, and the request itself waits out the rest (request_budget.py).
LEAD_S = 0.01

_HELD: ContextVar[frozenset[BucketKey]] = ContextVar("held_turns", default=frozenset())


class Pacer:
    def __init__(self, budget: RequestBudget, buckets: ChannelBuckets | None) -> None:
        """``buckets`` None: no pacing at all (a turn is granted at once)."""
        self.budget = budget
        self.buckets = buckets
        self._locks: dict[BucketKey, asyncio.Lock] = {}
        self._takers: dict[BucketKey, int] = {}

    @classmethod
    def unpaced(cls) -> Pacer:
        return cls(RequestBudget(None), None)

    @asynccontextmanager
    async def turn(self, channel_id: int, bucket: MessageBucket) -> AsyncIterator[None]:
        """One request to this channel's route, when both budgets allow it.

        Re-entrant: a post made inside a turn for the same channel and bucket (the poster takes
        one for every send and edit) is that turn's request, not another.
        """
        key = (channel_id, bucket)
        held = _HELD.get()
        if self.buckets is None or key in held:
            yield
            return
        async with self._lock(key):
            await self.buckets.wait_ready(key)
            self.buckets.spend(key)
            slot = await self.budget.reserve() if self.budget.paced else None
            if slot is not None:
                await self.budget.until(slot, LEAD_S)
            token = _HELD.set(held | {key})
            try:
                with self.budget.taken_ahead(slot):
                    yield
            finally:
                _HELD.reset(token)

    @asynccontextmanager
    async def _lock(self, key: BucketKey) -> AsyncIterator[None]:
        """The channel's lock, kept only while someone takes or waits for a turn there."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._takers[key] = self._takers.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._takers[key] -= 1
            if not self._takers[key]:
                del self._takers[key], self._locks[key]
