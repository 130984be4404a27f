"""Members' tag subscriptions, the server's switch, and each session's pings recorded once."""

from __future__ import annotations

import asyncio

from bot.domain.subscriptions import PingedMember, SubscribeOutcome, Subscriber
from bot.store import Store

GUILD, OTHER_GUILD = 1, 2
ALICE, BOB = 100, 200


async def test_a_member_subscribes_once_per_tag_whatever_its_case(store: Store) -> None:
    assert await store.subscribe(GUILD, ALICE, "Violence", 1, limit=5) is SubscribeOutcome.ADDED
    again = await store.subscribe(GUILD, ALICE, " violence ", 2, limit=5)
    assert again is SubscribeOutcome.ALREADY
    assert await store.subscribe(GUILD, ALICE, "Fun", 3, limit=5) is SubscribeOutcome.ADDED
    assert await store.member_subscriptions(GUILD, ALICE) == ["Violence", "Fun"]
    assert await store.member_subscriptions(OTHER_GUILD, ALICE) == []

    assert await store.unsubscribe(GUILD, ALICE, "VIOLENCE")
    assert not await store.unsubscribe(GUILD, ALICE, "Violence")
    assert await store.member_subscriptions(GUILD, ALICE) == ["Fun"]


async def test_concurrent_subscribes_never_pass_the_limit(store: Store) -> None:
    outcomes = await asyncio.gather(
        *(store.subscribe(GUILD, ALICE, f"Tag{n}", n, limit=3) for n in range(10))
    )
    assert outcomes.count(SubscribeOutcome.ADDED) == 3
    assert outcomes.count(SubscribeOutcome.FULL) == 7
    assert len(await store.member_subscriptions(GUILD, ALICE)) == 3
    # Another member, and another server, have their own limit.
    assert await store.subscribe(GUILD, BOB, "Tag0", 20, limit=3) is SubscribeOutcome.ADDED
    assert await store.subscribe(OTHER_GUILD, ALICE, "x", 21, limit=3) is SubscribeOutcome.ADDED


async def test_subscribers_of_the_heard_tags_in_one_server(store: Store) -> None:
    await store.subscribe(GUILD, ALICE, "Violence", 1, limit=5)
    await store.subscribe(GUILD, BOB, "violence", 2, limit=5)
    await store.subscribe(GUILD, BOB, "Fun", 3, limit=5)
    await store.subscribe(OTHER_GUILD, ALICE, "Fun", 4, limit=5)
    found = await store.subscribers(GUILD, ["violence", "gambling"])
    assert sorted(found, key=lambda s: s.user_id) == [
        Subscriber(ALICE, "Violence"),
        Subscriber(BOB, "violence"),
    ]
    assert await store.subscribers(GUILD, []) == []


async def test_a_server_switches_subscriptions_off_and_on(store: Store) -> None:
    assert await store.subscriptions_enabled(GUILD)
    await store.set_subscriptions_enabled(GUILD, False, 1)
    assert not await store.subscriptions_enabled(GUILD)
    assert await store.subscriptions_enabled(OTHER_GUILD)
    await store.set_subscriptions_enabled(GUILD, True, 2)
    assert await store.subscriptions_enabled(GUILD)


async def test_a_batch_is_recorded_once_and_a_resend_gets_it_as_it_was(store: Store) -> None:
    first = await store.claim_ping_batch("c1", "session:c1", [BOB, ALICE], ["Violence"], 1_000)
    assert first.convo_id == "c1"
    assert (first.created_at_ms, first.tags) == (1_000, ("Violence",))
    assert first.members == (PingedMember(ALICE), PingedMember(BOB))

    await store.record_ping_message("c1", [ALICE], 555)
    # A resend, after new subscribers arrived: the same members, the message kept.
    again = await store.claim_ping_batch("c1", "session:c1", [ALICE, BOB, 300], ["Fun"], 9_000)
    assert again.created_at_ms == 1_000
    assert again.tags == ("Violence",)
    assert again.members == (PingedMember(ALICE, 555), PingedMember(BOB))
    assert again.posted([ALICE]) == 555
    assert again.posted([ALICE, BOB]) is None


async def test_a_follow_pings_each_member_once_across_its_samples(store: Store) -> None:
    scope = "follow:7"
    samples = await asyncio.gather(
        *(
            store.claim_ping_batch(f"s{n}", scope, [ALICE, BOB, 300 + n], ["Fun"], n)
            for n in range(6)
        )
    )
    pinged = [m.user_id for batch in samples for m in batch.members]
    assert sorted(pinged) == sorted({ALICE, BOB, *(300 + n for n in range(6))})
    # Another follow, or a one-off session, pings them again.
    other = await store.claim_ping_batch("s9", "follow:8", [ALICE], ["Fun"], 10)
    assert other.members == (PingedMember(ALICE),)


async def test_an_empty_batch_stays_empty(store: Store) -> None:
    empty = await store.claim_ping_batch("c1", "session:c1", [], ["Fun"], 1)
    assert empty.members == ()
    assert (await store.claim_ping_batch("c1", "session:c1", [ALICE], ["Fun"], 2)).members == ()
