"""Gateway IDENTIFY slots: spaced per bucket, however many callers reserve them at once."""

from __future__ import annotations

import asyncio

from bot.store import Store

SPACING = 5_000


async def test_slots_are_spaced_after_the_last_one_or_start_now(store: Store) -> None:
    assert await store.reserve_identify(0, 1_000, SPACING) == 1_000
    assert await store.reserve_identify(0, 1_000, SPACING) == 6_000
    assert await store.reserve_identify(0, 2_000, SPACING) == 11_000
    # Once the last slot has passed, the next caller may identify at once.
    assert await store.reserve_identify(0, 60_000, SPACING) == 60_000
    # Each bucket keeps its own spacing.
    assert await store.reserve_identify(1, 60_000, SPACING) == 60_000


async def test_concurrent_reservations_each_get_a_slot_of_their_own(store: Store) -> None:
    slots = await asyncio.gather(*(store.reserve_identify(3, 1_000, SPACING) for _ in range(10)))
    assert sorted(slots) == [1_000 + index * SPACING for index in range(10)]
