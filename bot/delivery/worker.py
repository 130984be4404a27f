"""ResultDelivery: hands outbox rows to the sink for their kind, with retries, never twice.

The outbox row is written in the same transaction as the result, so a result is never lost; a row
is marked delivered only after its sink succeeded. Sinks receive the row id to use as an
idempotency key (the Discord sink sends it as the message nonce), which closes the window
"posted, then crashed before recording it". Results go out in packs when a pack sink is given
(packs.py): recorded before they are sent, resent as they were, settled together.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery.leases import HeldLeases
from bot.delivery.pacing import Pacer
from bot.delivery.packs import PackDelivery, PackSink
from bot.delivery.retries import DeliveryFailed, RetryPolicy
from bot.delivery.stalls import StalledPosts
from bot.domain.clock import now_ms
from bot.domain.due_loop import DueLoop
from bot.domain.records import (
    SERVER_DELIVERIES,
    Delivery,
    DeliveryKind,
    DeliveryPack,
    SessionRecord,
)
from bot.observability import metrics
from bot.rendering.results import EMBEDS_PER_MESSAGE
from bot.store.interface import OutboxStore, SessionStore

log = logging.getLogger(__name__)

# A claim takes at most this many rows of one channel, and none of a channel whose rows in hand
# reach it: two full packs of results with each one's other rows (alert, pings, radar), so one
# busy channel cannot fill the worker while others wait.
PER_CHANNEL = 2 * EMBEDS_PER_MESSAGE * len(SERVER_DELIVERIES)


class DeliveryStore(OutboxStore, SessionStore, Protocol):
    """The outbox, and each row's session."""


class ResultSink(Protocol):
    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        """Post the row; return the id of what was posted (a message id), if any."""
        ...


@dataclass(frozen=True, slots=True)
class _Job:
    """Claimed rows (a session's, or a pack's) and what posts them."""

    rows: Sequence[Delivery]
    start: Callable[[], Coroutine[Any, Any, None]]
    pack: DeliveryPack | None = None


class ResultDelivery:
    def __init__(
        self,
        store: DeliveryStore,
        sinks: Mapping[str, ResultSink],
        *,
        packs: PackSink | None = None,
        pacer: Pacer | None = None,
        batch: int = 1024,
        lease_ms: int = 30_000,
        backoff_base_ms: int = 1_000,
        backoff_cap_ms: int = 300_000,
        max_attempts: int = 12,
        max_idle_s: float = 30.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        """``packs``: the sink that posts results (kind ``result``) in packs, paced by ``pacer``;
        ``batch``: the rows held at once, waiting for their channel's turn or being posted."""
        self._store = store
        self._sinks = sinks
        self._retries = RetryPolicy(clock, backoff_base_ms, backoff_cap_ms, max_attempts)
        self._leases = HeldLeases(store, lease_ms, clock)
        self._packs = None
        if packs is not None:
            pacer = pacer or Pacer.unpaced()
            self._packs = PackDelivery(
                store, packs, pacer, self._retries, self._leases, lease_ms=lease_ms, clock=clock
            )
        self._kinds = [*sinks, *([DeliveryKind.RESULT] if packs is not None else [])]
        self._batch = batch
        self._lease_ms = lease_ms
        self._clock = clock
        self._due = DueLoop(clock, max_idle_s)
        self._held: Counter[int | None] = Counter()  # rows in hand, by the channel asked in
        self._stalls = StalledPosts(lease_ms / 1000, time.monotonic)

    def wake(self) -> None:
        """Called when a result is committed, so it goes out now rather than at the next tick."""
        self._due.wake()

    async def _claim(self, room: int) -> list[_Job]:
        """Due packs, then due rows, fairly across channels: the work for each."""
        jobs: list[_Job] = []
        if self._packs is not None:
            packs = await self._packs.claim(room)
            jobs += [
                _Job(pack.rows, functools.partial(self._packs.resend, pack), pack) for pack in packs
            ]
            room -= sum(len(pack.rows) for pack in packs)
        if room > 0:
            due = await self._store.claim_due_deliveries(
                self._kinds,
                self._clock(),
                self._lease_ms,
                room,
                per_channel=PER_CHANNEL,
                skip_channels=self._busy(),
            )
            jobs += [
                _Job(rows, functools.partial(self._deliver_in_order, rows))
                for rows in _by_session(due)
            ]
        return jobs

    def _busy(self) -> list[int]:
        """Channels whose rows in hand are enough for now: claims skip them."""
        return [c for c, held in self._held.items() if c is not None and held >= PER_CHANNEL]

    def _start(self, job: _Job) -> asyncio.Task[None]:
        channels = [row.channel_id for row in job.rows]
        self._held.update(channels)

        def finished(_task: asyncio.Task[None]) -> None:
            self._held.subtract(channels)
            for channel in channels:
                if self._held[channel] <= 0:
                    del self._held[channel]

        task = asyncio.create_task(self._holding(job), name="delivery")
        task.add_done_callback(finished)
        self._stalls.started(task, channels)
        return task

    async def _holding(self, job: _Job) -> None:
        """The job's leases are kept while it runs: its rows', or its pack's (which leases them)."""
        rows, packs = (job.rows, ()) if job.pack is None else ((), (job.pack,))
        with self._leases.held(rows, packs):
            await job.start()

    async def run_once(self) -> int:
        """Claim what is due now, post it all, and return the number of rows claimed."""
        jobs = await self._claim(self._batch)
        try:
            await asyncio.gather(*(self._start(job) for job in jobs))
        finally:
            if self._packs is not None:
                await self._packs.stop()
        return sum(len(job.rows) for job in jobs)

    async def _deliver_in_order(self, rows: list[Delivery]) -> None:
        """A session's rows go out one after the other, in the order they were written.

        The result goes first, so its alert can link to the posted message from the start;
        posted side by side, the alert would go out without the link and need an edit. A row
        this task did not reach because the process is stopping is handed back at once, not held
        by its lease for ``lease_ms`` after the restart.
        """
        for index, row in enumerate(rows):
            try:
                await self._deliver(row)
            except asyncio.CancelledError:
                await asyncio.shield(self._store.release_deliveries(rows[index:]))
                raise

    async def _deliver(self, row: Delivery) -> None:
        session = await self._store.get_session(row.convo_id)
        if session is None:
            await self._store.mark_undeliverable(row, "its session is gone")
            return
        try:
            if row.kind == DeliveryKind.RESULT and self._packs is not None:
                await self._packs.post(row, session)  # its pack settles it
                return
            message_id = await self._sinks[row.kind].deliver(row, session)
        except DeliveryFailed as failure:
            await self._failed(row, failure)
        except Exception as error:
            log.exception("delivery %s (%s) crashed", row.id, row.kind, extra=_context(row))
            await self._failed(row, DeliveryFailed(type(error).__name__, permanent=False))
        else:
            now = self._clock()
            await self._store.mark_delivered(row, message_id, now)
            metrics.delivered((row,), now)

    async def _failed(self, row: Delivery, failure: DeliveryFailed) -> None:
        retry_at = self._retries.retry_at(row.attempts + 1, failure)
        if retry_at is None:
            log.warning(
                "delivery %s undeliverable: %s", row.id, failure.reason, extra=_context(row)
            )
            await self._store.mark_undeliverable(row, failure.reason)
            return
        log.info(
            "delivery %s retried at %d: %s", row.id, retry_at, failure.reason, extra=_context(row)
        )
        await self._store.mark_retry(row, retry_at, failure.reason)

    async def run(self) -> None:
        """Claim rows as they fall due, each session's rows (or pack) posted by its own task, at
        most ``batch`` rows in hand at once.

        A post that waits (for its channel's turn, for discord.py retrying a 502) must not hold
        up the results behind it, so nothing here waits for a whole batch to finish.
        """
        in_flight: set[asyncio.Task[None]] = set()
        keeping = asyncio.create_task(self._leases.keep(), name="delivery-leases")

        def settled(task: asyncio.Task[None]) -> None:
            # Room is free, and a failed post may have set the next retry time.
            in_flight.discard(task)
            self._due.wake()

        try:
            while True:
                self._due.begin_round()
                room = self._batch - self._held.total()
                for job in await self._claim(room) if room > 0 else []:
                    task = self._start(job)
                    in_flight.add(task)
                    task.add_done_callback(settled)
                await self._idle(full=self._held.total() >= self._batch)
                self._stalls.report()
        finally:
            keeping.cancel()
            for task in in_flight:
                task.cancel()
            await asyncio.gather(keeping, *in_flight, return_exceptions=True)
            if self._packs is not None:
                await self._packs.stop()

    async def _idle(self, *, full: bool) -> None:
        """Until woken (a new result, a post finished) or the next claimable row or pack falls
        due; when the hands are full, only a finished post can make room, whatever is due."""
        if full:
            await self._due.sleep_until(None)
            return
        due = [await self._store.next_delivery_due_ms(self._kinds, self._busy())]
        if self._packs is not None:
            due.append(await self._packs.next_due_ms())
        await self._due.sleep_until(min((ms for ms in due if ms is not None), default=None))


def _by_session(rows: list[Delivery]) -> list[list[Delivery]]:
    grouped: dict[str, list[Delivery]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        grouped.setdefault(row.convo_id, []).append(row)
    return list(grouped.values())


def _context(row: Delivery) -> dict[str, object]:
    """The fields a JSON log line carries for a row (bot/app/logsetup.py)."""
    return {"session": row.convo_id, "channel": row.channel_id}
