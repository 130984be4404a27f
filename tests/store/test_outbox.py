"""The outbox: a result's rows, leased to one worker at a time, retried, then settled."""

from __future__ import annotations

import asyncio

from bot.domain.records import (
    Completion,
    DeliveryKind,
    DeliveryState,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.tags import TagResult
from bot.store import Store
from tests.store.tag_requests import request

NOW = 10**13


async def finished(store: Store, convo: str) -> None:
    await store.create_session(request(convo), None)
    await store.complete(Completion(convo, SessionState.COMPLETED, TagResult(("Fun",))))


async def test_claims_are_leased_and_kind_filtered(store: Store) -> None:
    await store.create_session(
        TagRequest("c1", "https://s.test/x", SessionSource.CLI, deliveries=(DeliveryKind.CLI,)),
        None,
    )
    await store.create_session(request("c2"), None)
    for convo in ("c1", "c2"):
        await store.complete(Completion(convo, SessionState.COMPLETED, TagResult(("Fun",))))
    claimed = await store.claim_due_deliveries(["result"], now_ms=NOW, lease_ms=1000, limit=10)
    assert [d.convo_id for d in claimed] == ["c2"]
    again = await store.claim_due_deliveries(["result"], now_ms=NOW, lease_ms=1000, limit=10)
    assert again == []
    assert await store.next_delivery_due_ms(["result"]) == NOW + 1000
    later = await store.claim_due_deliveries(["result"], NOW + 1000, 1000, 10)
    assert [d.attempts for d in later] == [1]


async def test_concurrent_claims_never_hand_out_a_row_twice(store: Store) -> None:
    for index in range(20):
        await finished(store, f"c{index}")
    batches = await asyncio.gather(
        *(store.claim_due_deliveries(["result"], NOW, 60_000, 3) for _ in range(10))
    )
    claimed = [delivery.id for batch in batches for delivery in batch]
    assert len(claimed) == len(set(claimed)) == 20


async def test_delivered_rows_are_settled(store: Store) -> None:
    await finished(store, "c1")
    [row] = await store.claim_due_deliveries(["result"], NOW, 1000, 10)
    await store.mark_delivered(row, 77, NOW)
    [settled] = await store.deliveries_for("c1")
    assert (settled.state, settled.message_id, settled.delivered_at_ms) == (
        DeliveryState.DELIVERED,
        77,
        NOW,
    )
    assert await store.next_delivery_due_ms(["result"]) is None
    assert await store.claim_due_deliveries(["result"], NOW + 10**6, 1000, 10) == []


async def test_a_retry_waits_and_keeps_its_error(store: Store) -> None:
    await finished(store, "c1")
    [row] = await store.claim_due_deliveries(["result"], NOW, 1000, 10)
    await store.mark_retry(row, NOW + 5000, "boom " * 200)
    assert await store.claim_due_deliveries(["result"], NOW + 4999, 1000, 10) == []
    [again] = await store.claim_due_deliveries(["result"], NOW + 5000, 1000, 10)
    assert again.attempts == 1  # the claims before this one
    assert again.last_error is not None and len(again.last_error) == 500


async def test_released_rows_are_due_at_once_their_claim_uncounted(store: Store) -> None:
    await finished(store, "c1")
    [row] = await store.claim_due_deliveries(["result"], NOW, 60_000, 10)
    await store.release_deliveries([row])
    [again] = await store.claim_due_deliveries(["result"], NOW, 60_000, 10)
    assert again.attempts == 0


async def test_undeliverable_rows_are_never_claimed_again(store: Store) -> None:
    await finished(store, "c1")
    [row] = await store.claim_due_deliveries(["result"], NOW, 1000, 10)
    await store.mark_undeliverable(row, "channel gone")
    [gone] = await store.deliveries_for("c1")
    assert (gone.state, gone.last_error) == (DeliveryState.UNDELIVERABLE, "channel gone")
    assert await store.claim_due_deliveries(["result"], NOW + 10**6, 1000, 10) == []


async def test_a_renewed_lease_keeps_a_row_from_the_next_claim(store: Store) -> None:
    await finished(store, "c1")
    [row] = await store.claim_due_deliveries(["result"], NOW, 1000, 10)
    await store.renew_leases([row], [], NOW + 5000)
    assert await store.claim_due_deliveries(["result"], NOW + 4999, 1000, 10) == []
    assert await store.next_delivery_due_ms(["result"]) == NOW + 5000
    [again] = await store.claim_due_deliveries(["result"], NOW + 5000, 1000, 10)
    assert again.attempts == 1


async def test_a_claim_whose_row_another_claim_took_settles_nothing(store: Store) -> None:
    """A worker whose lease ran out answers late: the row is the later claim's."""
    await finished(store, "c1")
    [late] = await store.claim_due_deliveries(["result"], NOW, 1000, 10)
    [taken] = await store.claim_due_deliveries(["result"], NOW + 1000, 60_000, 10)
    await store.mark_undeliverable(late, "Discord 403")
    await store.mark_retry(late, NOW + 10**6, "Discord 502")
    await store.renew_leases([late], [], NOW + 10**7)
    await store.release_deliveries([late])
    [row] = await store.deliveries_for("c1")
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.PENDING, 2, None)
    assert await store.next_delivery_due_ms(["result"]) == NOW + 61_000  # the later lease
    await store.mark_delivered(taken, 77, NOW + 2000)
    await store.mark_undeliverable(taken, "too late")  # settled rows stay settled
    [row] = await store.deliveries_for("c1")
    assert (row.state, row.message_id) == (DeliveryState.DELIVERED, 77)


async def test_a_renewal_does_not_lease_a_row_given_back_for_a_retry(store: Store) -> None:
    await finished(store, "c1")
    [row] = await store.claim_due_deliveries(["result"], NOW, 60_000, 10)
    await store.mark_retry(row, NOW + 5000, "Discord 502")
    await store.renew_leases([row], [], NOW + 60_000)
    assert await store.next_delivery_due_ms(["result"]) == NOW + 5000
