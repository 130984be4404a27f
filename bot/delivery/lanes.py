"""Lanes: results waiting for their channel's next turn, packed into one message when it comes.

One lane per channel and bucket (a first post, or an edit of a followed stream's timeline). A
lane takes a turn (pacing.py), then asks the sink which of its waiting results go out together
(``choose``), and hands those to the worker to record and send as one pack. Whatever arrives
while a lane waits for its turn joins the next pack, so the busier a channel, the fuller its
messages; and since each lane waits for its own channel, one busy channel delays no other.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.delivery.channel_buckets import MessageBucket
from bot.delivery.pacing import Pacer
from bot.domain.records import Delivery, SessionRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LaneKey:
    channel_id: int
    bucket: MessageBucket


@dataclass(eq=False, slots=True)
class Waiting:
    """A claimed row in its lane; ``settled`` is done once its pack was sent or given back."""

    delivery: Delivery
    session: SessionRecord
    settled: asyncio.Future[None]


Choose = Callable[[Sequence[Waiting]], Sequence[Waiting]]
Send = Callable[[LaneKey, Sequence[Waiting]], Awaitable[None]]


class Lanes:
    def __init__(self, pacer: Pacer, choose: Choose, send: Send) -> None:
        self._pacer = pacer
        self._choose = choose
        self._send = send
        self._waiting: dict[LaneKey, deque[Waiting]] = {}
        self._running: dict[LaneKey, asyncio.Task[None]] = {}

    async def post(self, key: LaneKey, delivery: Delivery, session: SessionRecord) -> None:
        """Until the row's pack has been sent (or failed, or the row went to another worker)."""
        waiting = Waiting(delivery, session, asyncio.get_running_loop().create_future())
        self._waiting.setdefault(key, deque()).append(waiting)
        if key not in self._running:
            self._running[key] = asyncio.create_task(self._run(key), name=f"lane-{key}")
        try:
            await asyncio.shield(waiting.settled)
        except asyncio.CancelledError:
            # Not sent yet: it leaves the lane (its caller hands the row back). Already in a
            # pack: the pack is the worker's now, sent or handed back by it.
            queue = self._waiting.get(key)
            if queue is not None and waiting in queue:
                queue.remove(waiting)
            raise

    async def _run(self, key: LaneKey) -> None:
        queue = self._waiting[key]
        try:
            while queue:
                async with self._pacer.turn(key.channel_id, key.bucket):
                    chosen = list(self._choose(list(queue))) if queue else []
                    for waiting in chosen:
                        queue.remove(waiting)
                    try:
                        if chosen:
                            await self._send(key, chosen)
                    except Exception:
                        # Not recorded, or not settled: the rows' leases run out and they come
                        # back to a claim then.
                        log.exception("a pack for channel %s could not be sent", key.channel_id)
                    finally:
                        for waiting in chosen:
                            if not waiting.settled.done():
                                waiting.settled.set_result(None)
        finally:
            # No await since the queue was last found empty (or the lane was stopped).
            del self._running[key]
            if not queue:
                del self._waiting[key]

    async def stop(self) -> None:
        running = list(self._running.values())
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
