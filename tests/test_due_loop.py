"""DueLoop: what is due runs at once, the next due time is kept, a local change is seen at once,
another process's within ``max_idle_s``, and shutdown is never lost to a wake-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.domain.clock import now_ms
from bot.domain.due_loop import DueLoop

LONG_S = 30.0


class Schedule:
    """Due times as the store keeps them; ``runs`` counts the rounds of due work."""

    def __init__(self, next_due: int | None = None) -> None:
        self.next_due = next_due
        self.runs = 0
        self.ran = asyncio.Event()

    async def run_due(self) -> int:
        self.runs += 1
        self.ran.set()
        return 0

    async def next_due_ms(self) -> int | None:
        return self.next_due

    async def next_round(self, within_s: float = 5.0) -> None:
        self.ran.clear()
        await asyncio.wait_for(self.ran.wait(), within_s)


@asynccontextmanager
async def running(due: DueLoop, schedule: Schedule) -> AsyncIterator[asyncio.Task[None]]:
    loop = asyncio.create_task(due.run(schedule.run_due, schedule.next_due_ms))
    try:
        yield loop
    finally:
        loop.cancel()


async def test_work_runs_at_once_and_again_when_the_next_due_time_comes() -> None:
    schedule = Schedule(next_due=now_ms() + 50)
    async with running(DueLoop(now_ms, LONG_S), schedule):
        await schedule.next_round()
        schedule.next_due = None
        # Within 5 s: by the due time, 50 ms on, not by the 30 s idle bound.
        await schedule.next_round(within_s=5.0)


async def test_a_wake_cuts_the_wait_short() -> None:
    schedule = Schedule()
    due = DueLoop(now_ms, LONG_S)
    async with running(due, schedule):
        await schedule.next_round()
        schedule.ran.clear()
        due.wake()
        await asyncio.wait_for(schedule.ran.wait(), 5.0)
        assert schedule.runs == 2


async def test_with_nothing_due_it_looks_again_after_the_idle_bound() -> None:
    """A due time written by another process is seen this late at most."""
    schedule = Schedule()
    async with running(DueLoop(now_ms, 0.02), schedule):
        for _ in range(3):
            await schedule.next_round(within_s=5.0)


async def test_a_cancel_that_arrives_with_a_wake_ends_the_loop() -> None:
    schedule = Schedule()
    due = DueLoop(now_ms, LONG_S)
    async with running(due, schedule) as loop:
        await schedule.next_round()
        await asyncio.sleep(0)  # waiting now
        due.wake()
        loop.cancel()
        done, _ = await asyncio.wait([loop], timeout=5.0)
        assert loop in done and loop.cancelled()
