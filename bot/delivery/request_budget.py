"""The bot's global request budget (50 per second per bot token), one for every process.

Shared through the store as a schedule of slots (bot/domain/request_slots.py), not split into a
fixed share per process. The outbox is shared, so whichever process is free posts whatever falls
due: a fixed share (configured, or the limit divided by the processes alive) would hold a busy
process to its part while the others idle, and a count of live processes lags behind every start
and every death, spending too much meanwhile. The schedule in the database is exact at every
moment and costs one single-row upsert per request, far below 50 a second for PostgreSQL; SQLite
serves one process, whose store keeps the schedule in memory.

Spent at 95% of the limit, since a slot is taken when a request is about to go and Discord counts
it when it arrives: the margin absorbs the difference. A lower share only slows a burst down:
the delivery benchmark's (1,000 results in 50 channels) took 1.3-1.8 s at 90% against 1.3-1.6 s
at 95%, and once 6.5 s at 90%, a run that did not recur.

Interaction routes (callbacks, follow-ups, edits of the original answer, by the interaction's
token) are outside the bot's global limit on Discord (docs/discord-notes.md) and spend nothing
here; everything else the bot asks with its token, slash commands' work included, takes a slot
(http_trace.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from bot.domain.request_slots import SlotSchedule
from bot.store.base import StoreUnavailable
from bot.store.interface import RequestBudgetStore

log = logging.getLogger(__name__)

HEADROOM = 0.95
# A store slower than this to hand out a slot (a database failing over) is not waited for: the
# request goes on this process's own schedule instead.
STORE_WAIT_S = 0.5
# A slot taken ahead (a turn, pacing.py) still stands this long after its time: the pack it was
# taken for is recorded in between. Later than that it is given up and a fresh one taken, so no
# request goes out far behind its slot, closer to the next one than the spacing allows.
STALE_AFTER_S = 0.03


@dataclass(eq=False, slots=True)
class Slot:
    at: float  # by the budget's clock
    used: bool = False


_TAKEN_AHEAD: ContextVar[Slot | None] = ContextVar("taken_ahead", default=None)


class RequestBudget:
    def __init__(
        self, per_second: float | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """``per_second`` None: no budget (Discord's limits switched off, or pacing is)."""
        self._interval_ms = 0 if per_second is None else round(1000 / (per_second * HEADROOM))
        self._clock = clock
        self._store: RequestBudgetStore | None = None
        self._local = SlotSchedule()
        self._store_failing = False

    @property
    def paced(self) -> bool:
        return self._interval_ms > 0

    def share_through(self, store: RequestBudgetStore) -> None:
        """From now on, slots come from the store every process shares; until then (logging in,
        before the store is open) from this process's own schedule."""
        self._store = store

    async def reserve(self, hold_s: float = 0.0) -> Slot:
        hold_ms = round(hold_s * 1000)
        slot = None
        if self._store is not None:
            try:
                async with asyncio.timeout(STORE_WAIT_S):
                    slot = await self._store.reserve_request_slot(self._interval_ms, hold_ms)
                self._store_failing = False
            except (StoreUnavailable, TimeoutError) as error:
                # Not the shared schedule, but still this process's own, rather than no pacing.
                if not self._store_failing:
                    log.warning("request budget: store unavailable (%r), pacing alone", error)
                self._store_failing = True
        if slot is None:
            slot = self._local.reserve(round(self._clock() * 1000), self._interval_ms, hold_ms)
        return Slot(self._clock() + slot.wait_ms / 1000)

    @contextlib.contextmanager
    def taken_ahead(self, slot: Slot | None) -> Iterator[None]:
        """The next request made in this context goes in ``slot`` instead of taking one."""
        token = _TAKEN_AHEAD.set(slot)
        try:
            yield
        finally:
            _TAKEN_AHEAD.reset(token)

    async def spend(self) -> None:
        """Wait for this request's slot: the one taken ahead for it, else the next free one."""
        if not self.paced:
            return
        slot = _TAKEN_AHEAD.get()
        if slot is None or slot.used or self._clock() - slot.at > STALE_AFTER_S:
            slot = await self.reserve()
        slot.used = True
        await self.until(slot)

    async def until(self, slot: Slot, lead_s: float = 0.0) -> None:
        wait = slot.at - lead_s - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)

    async def hold(self, seconds: float) -> None:
        """Discord answered a global 429: no slot before ``seconds`` from now, in any process."""
        if self.paced:
            await self.reserve(hold_s=seconds)
