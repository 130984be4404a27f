"""ResultDelivery: hands outbox rows to the sink for their kind, with retries, never twice.

The outbox row is written in the same transaction as the result, so a result is never lost; a row
is marked delivered only after its sink succeeded. Sinks receive the row id to use as an
idempotency key (the Discord sink sends it as the message nonce), which closes the window
"posted, then crashed before recording it".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.domain.clock import now_ms
from bot.domain.records import Delivery, SessionRecord
from bot.store.interface import OutboxStore, SessionStore

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """Raised by a sink. Permanent failures (channel gone, access lost) are never retried."""

    def __init__(self, reason: str, *, permanent: bool, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after_s = retry_after_s


class DeliveryStore(OutboxStore, SessionStore, Protocol):
    """The outbox, and each row's session."""


class ResultSink(Protocol):
    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        """Post the row; return the id of what was posted (a message id), if any."""
        ...


class ResultDelivery:
    def __init__(
        self,
        store: DeliveryStore,
        sinks: Mapping[str, ResultSink],
        *,
        batch: int = 64,
        lease_ms: int = 30_000,
        backoff_base_ms: int = 1_000,
        backoff_cap_ms: int = 300_000,
        max_attempts: int = 12,
        max_idle_s: float = 30.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._sinks = sinks
        self._batch = batch
        self._lease_ms = lease_ms
        self._backoff_base_ms = backoff_base_ms
        self._backoff_cap_ms = backoff_cap_ms
        self._max_attempts = max_attempts
        self._max_idle_s = max_idle_s
        self._clock = clock
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """Called when a result is committed, so it goes out now rather than at the next tick."""
        self._wakeup.set()

    async def run_once(self) -> int:
        due = await self._store.claim_due_deliveries(
            list(self._sinks), self._clock(), self._lease_ms, self._batch
        )
        await asyncio.gather(*(self._deliver_in_order(rows) for rows in _by_session(due)))
        return len(due)

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
                await asyncio.shield(self._store.release_deliveries([r.id for r in rows[index:]]))
                raise

    async def _deliver(self, row: Delivery) -> None:
        sink = self._sinks[row.kind]
        session = await self._store.get_session(row.convo_id)
        if session is None:
            await self._store.mark_undeliverable(row.id, "its session is gone")
            return
        try:
            message_id = await sink.deliver(row, session)
        except DeliveryFailed as failure:
            await self._failed(row, failure)
        except Exception as error:
            log.exception("delivery %s (%s) crashed", row.id, row.kind)
            await self._failed(row, DeliveryFailed(type(error).__name__, permanent=False))
        else:
            await self._store.mark_delivered(row.id, message_id, self._clock())

    async def _failed(self, row: Delivery, failure: DeliveryFailed) -> None:
        attempts = row.attempts + 1
        if failure.permanent or attempts >= self._max_attempts:
            log.warning("delivery %s undeliverable: %s", row.id, failure.reason)
            await self._store.mark_undeliverable(row.id, failure.reason)
            return
        delay_ms = min(self._backoff_cap_ms, self._backoff_base_ms * 2 ** (attempts - 1))
        delay_ms = int(delay_ms * random.uniform(0.5, 1.0))
        if failure.retry_after_s is not None:
            delay_ms = max(delay_ms, int(failure.retry_after_s * 1000))
        log.info("delivery %s retried in %d ms: %s", row.id, delay_ms, failure.reason)
        await self._store.mark_retry(row.id, self._clock() + delay_ms, failure.reason)

    async def run(self) -> None:
        """Claim rows as they fall due, each posted by its own task, at most ``batch`` at once.

        A post that discord.py holds (waiting out a 429, retrying a 502) must not hold up the
        results behind it, so nothing here waits for a whole batch to finish.
        """
        in_flight: set[asyncio.Task[None]] = set()

        def settled(task: asyncio.Task[None]) -> None:
            # A slot is free, and a failed post may have set the next retry time.
            in_flight.discard(task)
            self._wakeup.set()

        try:
            while True:
                self._wakeup.clear()
                room = self._batch - len(in_flight)
                due: list[Delivery] = []
                if room > 0:
                    due = await self._store.claim_due_deliveries(
                        list(self._sinks), self._clock(), self._lease_ms, room
                    )
                for rows in _by_session(due):
                    task = asyncio.create_task(
                        self._deliver_in_order(rows), name=f"delivery-{rows[0].convo_id}"
                    )
                    in_flight.add(task)
                    task.add_done_callback(settled)
                if due and len(due) == room:
                    continue
                await self._idle(full=room <= 0)
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _idle(self, *, full: bool) -> None:
        """Until woken (a new result, a post finished) or the next retry falls due; when every
        slot is taken, only a finished post can make room, whatever is due meanwhile."""
        wait = self._max_idle_s
        due_ms = None if full else await self._store.next_delivery_due_ms(list(self._sinks))
        if due_ms is not None:
            wait = min(wait, max(0.0, (due_ms - self._clock()) / 1000))
        # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives with a
        # wake-up, and shutdown would then wait for this loop forever.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._wakeup.wait()


def _by_session(rows: list[Delivery]) -> list[list[Delivery]]:
    grouped: dict[str, list[Delivery]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        grouped.setdefault(row.convo_id, []).append(row)
    return list(grouped.values())
