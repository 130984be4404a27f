"""PackDelivery: results posted in packs, several rows of one channel in one message.

A result waits in its channel's lane (lanes.py) for the channel's next turn; the results waiting
then are recorded as one pack (its rows, and through its id its nonce) before it is sent, so a
crash before, during or after the send leaves a pack that is sent again as it was, with the same
nonce, and whose rows are settled together. A pack that failed is retried as a whole, with the
same backoff as a row (retries.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.delivery.channel_buckets import MessageBucket
from bot.delivery.lanes import LaneKey, Lanes, Waiting
from bot.delivery.leases import HeldLeases
from bot.delivery.pacing import Pacer
from bot.delivery.retries import DeliveryFailed, RetryPolicy
from bot.domain.records import Delivery, DeliveryPack, SessionRecord
from bot.observability import metrics
from bot.store.interface import OutboxStore, SessionStore

log = logging.getLogger(__name__)


class PackStore(OutboxStore, SessionStore, Protocol):
    """The outbox's packs, and each row's session."""


class PackSink(Protocol):
    """Posts results in packs (result_sink.py)."""

    async def lane_of(self, delivery: Delivery, session: SessionRecord) -> LaneKey:
        """Where the row's result goes; DeliveryFailed when it can go nowhere."""
        ...

    def choose(self, waiting: Sequence[Waiting]) -> Sequence[Waiting]:
        """Which of a lane's waiting rows go out together next, the first among them."""
        ...

    async def deliver_pack(self, pack: DeliveryPack, sessions: Sequence[SessionRecord]) -> int:
        """Post the pack (or find it posted already); the message id."""
        ...


class PackDelivery:
    def __init__(
        self,
        store: PackStore,
        sink: PackSink,
        pacer: Pacer,
        retries: RetryPolicy,
        leases: HeldLeases,
        *,
        lease_ms: int,
        clock: Callable[[], int],
    ) -> None:
        self._store = store
        self._sink = sink
        self._pacer = pacer
        self._retries = retries
        self._leases = leases
        self._lease_ms = lease_ms
        self._clock = clock
        self._lanes = Lanes(pacer, sink.choose, self._send_new)

    async def post(self, row: Delivery, session: SessionRecord) -> None:
        """Until the row's pack is settled; DeliveryFailed when the row can go nowhere."""
        key = await self._sink.lane_of(row, session)
        await self._lanes.post(key, row, session)

    async def _send_new(self, key: LaneKey, chosen: Sequence[Waiting]) -> None:
        """A lane's turn came: record its chosen rows as a pack, then send it. A row whose lease
        passed to another worker meanwhile stays out (the store checks), and is that worker's."""
        rows = [waiting.delivery for waiting in chosen]
        pack = await self._store.record_pack(key.channel_id, rows, self._clock(), self._lease_ms)
        if pack is not None:
            sessions = {waiting.delivery.id: waiting.session for waiting in chosen}
            with self._leases.held(packs=[pack]):
                await self._deliver(pack, [sessions[row.id] for row in pack.rows])

    async def claim(self, room: int) -> list[DeliveryPack]:
        return await self._store.claim_due_packs(self._clock(), self._lease_ms, room)

    async def next_due_ms(self) -> int | None:
        return await self._store.next_pack_due_ms()

    async def resend(self, pack: DeliveryPack) -> None:
        """A pack claimed again (failed, or its worker died): the same pack, the same nonce."""
        sessions = [await self._store.get_session(row.convo_id) for row in pack.rows]
        known = [session for session in sessions if session is not None]
        if len(known) < len(sessions):
            await self._store.mark_pack_undeliverable(pack.id, "a session is gone")
            return
        async with self._pacer.turn(pack.channel_id, MessageBucket.CREATE):
            await self._deliver(pack, known)

    async def _deliver(self, pack: DeliveryPack, sessions: Sequence[SessionRecord]) -> None:
        try:
            message_id = await self._sink.deliver_pack(pack, sessions)
            now = self._clock()
            await self._store.mark_pack_delivered(pack.id, message_id, now)
            metrics.delivered(pack.rows, now)
        except asyncio.CancelledError:
            # Stopping: handed back at once. Posted already or not, the resend finds it (nonce).
            await asyncio.shield(self._store.release_packs([pack.id]))
            raise
        except DeliveryFailed as failure:
            await self._failed(pack, failure)
        except Exception as error:
            log.exception("pack %s crashed", pack.id)
            await self._failed(pack, DeliveryFailed(type(error).__name__, permanent=False))

    async def _failed(self, pack: DeliveryPack, failure: DeliveryFailed) -> None:
        retry_at = self._retries.retry_at(pack.attempts + 1, failure)
        if retry_at is None:
            log.warning("pack %s undeliverable: %s", pack.id, failure.reason)
            await self._store.mark_pack_undeliverable(pack.id, failure.reason)
            return
        log.info("pack %s retried at %d: %s", pack.id, retry_at, failure.reason)
        await self._store.mark_pack_retry(pack.id, retry_at, failure.reason)

    async def stop(self) -> None:
        await self._lanes.stop()
