"""Packs: outbox rows recorded as one message before it is sent, then leased and settled as one;
claims fair across channels; and the request budget every process spends from."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.domain.records import Completion, DeliveryState, SessionState
from bot.domain.tags import TagResult
from bot.store import Store
from tests.store.tag_requests import request

NOW = 10**13
CHANNEL = 77


async def finished(store: Store, convo: str, channel: int = 10) -> None:
    await store.create_session(request(convo, channel), None)
    await store.complete(Completion(convo, SessionState.COMPLETED, TagResult(("Fun",))))


async def claimed_rows(store: Store, count: int, lease_ms: int = 60_000) -> list:  # type: ignore[type-arg]
    for index in range(count):
        await finished(store, f"c{index}")
    return await store.claim_due_deliveries(["result"], NOW, lease_ms, 100)


async def test_a_pack_holds_its_rows_and_they_are_claimed_only_through_it(store: Store) -> None:
    rows = await claimed_rows(store, 3)
    assert {row.claim for row in rows} == {1}
    pack = await store.record_pack(CHANNEL, rows, NOW, 30_000)
    assert pack is not None
    assert (pack.channel_id, pack.attempts, pack.created_at_ms) == (CHANNEL, 0, NOW)
    assert [row.convo_id for row in pack.rows] == ["c0", "c1", "c2"]
    # Neither the rows on their own, nor the pack while its send holds it.
    assert await store.claim_due_deliveries(["result"], NOW + 10**6, 1000, 10) == []
    assert await store.next_delivery_due_ms(["result"]) is None
    assert await store.claim_due_packs(NOW + 29_999, 1000, 10) == []
    assert await store.next_pack_due_ms() == NOW + 30_000
    [again] = await store.claim_due_packs(NOW + 30_000, 1000, 10)
    assert (again.id, again.attempts, again.created_at_ms) == (pack.id, 1, NOW)
    assert [row.id for row in again.rows] == [row.id for row in pack.rows]


async def test_a_row_whose_lease_passed_to_another_worker_stays_out_of_the_pack(
    store: Store,
) -> None:
    rows = await claimed_rows(store, 2, lease_ms=1000)
    [taken] = [row for row in rows if row.convo_id == "c1"]
    await store.renew_leases([row for row in rows if row is not taken], [], NOW + 60_000)
    [retaken] = await store.claim_due_deliveries(["result"], NOW + 1000, 60_000, 10)
    assert retaken.id == taken.id
    pack = await store.record_pack(CHANNEL, rows, NOW + 1010, 30_000)
    assert pack is not None
    assert [row.convo_id for row in pack.rows] == ["c0"]
    # The other worker's claim is intact: its row packs under its own lease only.
    assert await store.record_pack(CHANNEL, [taken], NOW + 1010, 30_000) is None
    assert await store.record_pack(CHANNEL, [retaken], NOW + 1010, 30_000) is not None


async def test_a_pack_that_no_row_joins_is_not_recorded(store: Store) -> None:
    rows = await claimed_rows(store, 1)
    stale = [replace(row, attempts=row.attempts + 1) for row in rows]
    assert await store.record_pack(CHANNEL, stale, NOW, 30_000) is None
    assert await store.next_pack_due_ms() is None
    assert await store.record_pack(CHANNEL, rows, NOW, 30_000) is not None
    assert await store.record_pack(CHANNEL, rows, NOW, 30_000) is None  # packed once only


async def test_a_delivered_pack_settles_every_row_at_once(store: Store) -> None:
    pack = await store.record_pack(CHANNEL, await claimed_rows(store, 2), NOW, 30_000)
    assert pack is not None
    await store.mark_pack_delivered(pack.id, 555, NOW + 1)
    for convo in ("c0", "c1"):
        [row] = await store.deliveries_for(convo)
        assert (row.state, row.message_id, row.delivered_at_ms) == (
            DeliveryState.DELIVERED,
            555,
            NOW + 1,
        )
    assert await store.next_pack_due_ms() is None
    assert await store.claim_due_packs(NOW + 10**6, 1000, 10) == []


async def test_a_retried_pack_comes_back_whole_and_a_released_one_at_once(store: Store) -> None:
    pack = await store.record_pack(CHANNEL, await claimed_rows(store, 2), NOW, 30_000)
    assert pack is not None
    await store.mark_pack_retry(pack.id, NOW + 5000, "503 " * 200)
    [row] = await store.deliveries_for("c0")
    assert row.state is DeliveryState.PENDING
    assert row.last_error is not None and len(row.last_error) == 500
    assert await store.claim_due_packs(NOW + 4999, 1000, 10) == []
    [again] = await store.claim_due_packs(NOW + 5000, 60_000, 10)
    assert (again.id, again.attempts, len(again.rows)) == (pack.id, 1, 2)
    await store.release_packs([pack.id])
    [released] = await store.claim_due_packs(NOW + 5000, 60_000, 10)
    assert released.attempts == 1  # the released claim is uncounted


async def test_an_undeliverable_pack_settles_every_row_and_never_returns(store: Store) -> None:
    pack = await store.record_pack(CHANNEL, await claimed_rows(store, 2), NOW, 1000)
    assert pack is not None
    await store.mark_pack_undeliverable(pack.id, "Missing Access")
    for convo in ("c0", "c1"):
        [row] = await store.deliveries_for(convo)
        assert (row.state, row.last_error) == (DeliveryState.UNDELIVERABLE, "Missing Access")
    assert await store.claim_due_packs(NOW + 10**6, 1000, 10) == []


async def test_concurrent_claims_never_hand_out_a_pack_twice(store: Store) -> None:
    rows = await claimed_rows(store, 12)
    for index in range(0, 12, 2):
        assert await store.record_pack(CHANNEL, rows[index : index + 2], NOW, 1000) is not None
    batches = await asyncio.gather(
        *(store.claim_due_packs(NOW + 1000, 60_000, 2) for _ in range(8))
    )
    claimed = [pack.id for batch in batches for pack in batch]
    assert len(claimed) == len(set(claimed)) == 6


async def test_a_claim_takes_a_few_rows_of_each_channel_and_skips_busy_ones(
    store: Store,
) -> None:
    for index in range(6):
        await finished(store, f"busy{index}", channel=1)
    await finished(store, "quiet", channel=2)
    await finished(store, "other", channel=3)
    claimed = await store.claim_due_deliveries(
        ["result"], NOW, 60_000, 10, per_channel=2, skip_channels=[3]
    )
    assert sorted(row.convo_id for row in claimed) == ["busy0", "busy1", "quiet"]
    rest = await store.claim_due_deliveries(["result"], NOW, 60_000, 10)
    assert sorted(row.convo_id for row in rest) == ["busy2", "busy3", "busy4", "busy5", "other"]


async def test_request_slots_are_spaced_and_held_back_for_every_caller(store: Store) -> None:
    interval = 60_000  # far longer than the test takes, so every reservation finds the last
    first, second, third = [await store.reserve_request_slot(interval) for _ in range(3)]
    assert first.wait_ms <= 1000
    assert second.at_ms - first.at_ms == third.at_ms - second.at_ms == interval
    held = await store.reserve_request_slot(interval, hold_ms=10 * interval)
    assert held.at_ms - held.now_ms >= 10 * interval
    assert held.at_ms >= third.at_ms + interval


async def test_a_renewed_pack_is_not_claimed_again_while_its_worker_holds_it(
    store: Store,
) -> None:
    pack = await store.record_pack(CHANNEL, await claimed_rows(store, 2), NOW, 30_000)
    assert pack is not None
    await store.renew_leases([], [pack], NOW + 90_000)
    assert await store.claim_due_packs(NOW + 89_999, 1000, 10) == []
    [again] = await store.claim_due_packs(NOW + 90_000, 1000, 10)
    await store.renew_leases([], [pack], NOW + 10**6)  # the earlier claim's: changes nothing
    assert await store.next_pack_due_ms() == NOW + 91_000
    assert again.claim == pack.claim + 1
