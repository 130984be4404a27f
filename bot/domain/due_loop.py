"""DueLoop: the one way a process waits for work kept in the store as due times.

Outbox rows, follow samples, alert re-pings and weekly digests are rows with a due time, so any
process may take them and a restart loses none. Each process runs what is due, asks the store
for the next due time and sleeps until then, until something it did itself moved a due time
earlier (``wake``), or at most ``max_idle_s``, which bounds how late it sees a due time another
process wrote. It does no I/O of its own: the caller passes what runs the work and what reads
the next due time, or (the delivery worker, whose rounds are its own) calls ``begin_round`` and
``sleep_until`` itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from bot.domain.clock import Clock


class DueLoop:
    def __init__(self, clock: Clock, max_idle_s: float) -> None:
        self._clock = clock
        self._max_idle_s = max_idle_s
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """A due time changed here: it may come before the one being waited for."""
        self._wakeup.set()

    async def run(
        self,
        run_due: Callable[[], Awaitable[object]],
        next_due_ms: Callable[[], Awaitable[int | None]],
    ) -> None:
        """Until cancelled."""
        while True:
            self.begin_round()
            await run_due()
            await self.sleep_until(await next_due_ms())

    def begin_round(self) -> None:
        """Before the round's work: a wake from here on ends the sleep that follows it."""
        self._wakeup.clear()

    async def sleep_until(self, due_ms: int | None) -> None:
        """Until ``due_ms`` (None: nothing known to be due), a wake since the round began, or
        ``max_idle_s``, whichever comes first."""
        wait = self._max_idle_s
        if due_ms is not None:
            wait = min(wait, max(0.0, (due_ms - self._clock()) / 1000))
        # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives with a
        # wake-up, and shutdown would then wait for this loop forever.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._wakeup.wait()
