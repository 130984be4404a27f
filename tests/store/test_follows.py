"""Followed streams: a schedule that survives restarts, ended once."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from typing import Any

from bot.domain.convo_ids import Trigger
from bot.domain.records import Origin, SessionSource
from bot.domain.server_records import Follow, FollowState
from bot.store import Store
from tests.store.tag_requests import request

FOLLOW = Follow(
    id=0,
    stream_url="https://streams.test/live",
    source=SessionSource.AUTOTAG,
    state=FollowState.ACTIVE,
    samples=0,
    interval_ms=60_000,
    next_sample_at_ms=1_000,
    ends_at_ms=100_000,
    created_at_ms=500,
    origin=Origin(1, 10, 7, None, "seed"),
    trigger=Trigger(900, 2, 1),
)
_triggers = itertools.count(901)


def another(**changes: Any) -> Follow:
    """FOLLOW with ``changes``, started by a trigger of its own: a trigger has one follow."""
    return replace(FOLLOW, trigger=Trigger(next(_triggers), 2, 1), **changes)


async def test_a_follow_round_trip(store: Store) -> None:
    follow_id = await store.create_follow(FOLLOW)
    assert await store.get_follow(follow_id) == replace(FOLLOW, id=follow_id)
    assert await store.get_follow(follow_id + 1) is None


async def test_due_follows_and_the_next_due_time(store: Store) -> None:
    assert await store.next_follow_due_ms() is None
    early = await store.create_follow(another())
    late = await store.create_follow(another(next_sample_at_ms=5_000))
    assert await store.next_follow_due_ms() == 1_000
    assert [f.id for f in await store.claim_due_follows(1_000, 60_000, 10)] == [early]
    assert await store.next_follow_due_ms() == 5_000  # the claimed one waits out its lease
    assert [f.id for f in await store.claim_due_follows(5_000, 60_000, 10)] == [late]


async def test_a_sample_is_counted_once_and_the_next_scheduled(store: Store) -> None:
    """Of callers taking the same sample at once, one counts it; an ended follow counts none."""
    follow_id = await store.create_follow(another())
    counted = await asyncio.gather(
        *(store.record_sample(follow_id, 61_000 + i, 1_000, taken=0) for i in range(5))
    )
    assert counted.count(True) == 1
    follow = await store.get_follow(follow_id)
    assert follow is not None
    assert (follow.samples, follow.next_sample_at_ms) == (1, 61_000 + counted.index(True))
    assert await store.record_sample(follow_id, 121_000, 61_000, taken=1)
    await store.postpone_follow(follow_id, 126_000)
    assert await store.next_follow_due_ms() == 126_000
    await store.end_follow(follow_id, FollowState.STOPPED, "stopped", 2_000)
    assert not await store.record_sample(follow_id, 181_000, 121_000, taken=2)


async def test_a_follow_ends_once_and_is_no_longer_due(store: Store) -> None:
    follow_id = await store.create_follow(another())
    ended = await asyncio.gather(
        *(store.end_follow(follow_id, FollowState.STOPPED, f"by {i}", 2_000) for i in range(10))
    )
    assert ended.count(True) == 1
    follow = await store.get_follow(follow_id)
    assert follow is not None and follow.state is FollowState.STOPPED
    assert follow.stop_reason == f"by {ended.index(True)}"
    assert await store.claim_due_follows(10**9, 60_000, 10) == []
    assert await store.next_follow_due_ms() is None
    assert await store.channel_follows(10) == []


async def test_a_channel_lists_its_active_follows(store: Store) -> None:
    here = await store.create_follow(another())
    await store.create_follow(another(origin=Origin(1, 11, 7)))
    ended = await store.create_follow(another())
    await store.end_follow(ended, FollowState.ENDED, "gone", 1)
    assert [f.id for f in await store.channel_follows(10)] == [here]


async def test_the_origin_is_bound_once_and_the_timeline_kept(store: Store) -> None:
    follow_id = await store.create_follow(another())
    await store.set_follow_origin(follow_id, 111)
    await store.set_follow_origin(follow_id, 222)
    await store.set_timeline_message(follow_id, 12, 333)
    follow = await store.get_follow(follow_id)
    assert follow is not None
    assert follow.origin.message_id == 111
    assert (follow.timeline_channel_id, follow.timeline_message_id) == (12, 333)


async def test_a_follow_lists_its_samples_in_order(store: Store) -> None:
    follow_id = await store.create_follow(another())
    for sample in ("s1", "s2"):
        await store.create_session(replace(request(sample), follow_id=follow_id), None)
        await asyncio.sleep(0.002)  # created_at orders them
    await store.create_session(request("alone"), None)
    assert [s.convo_id for s in await store.follow_sessions(follow_id)] == ["s1", "s2"]


async def test_claimed_follows_are_leased_until_settled_or_the_lease_ends(store: Store) -> None:
    early = await store.create_follow(another())
    late = await store.create_follow(another(next_sample_at_ms=5_000))
    claimed = await store.claim_due_follows(5_000, 30_000, 10)
    # Each comes back as it was before the claim: its due time, not the lease.
    assert [(f.id, f.next_sample_at_ms) for f in claimed] == [(early, 1_000), (late, 5_000)]
    assert await store.claim_due_follows(5_000, 30_000, 10) == []
    assert await store.next_follow_due_ms() == 35_000
    await store.record_sample(early, 65_000, 6_000, taken=0)  # settled: the next is scheduled
    assert [f.id for f in await store.claim_due_follows(35_000, 30_000, 10)] == [late]
    await store.postpone_follow(late, 100_000)
    assert [f.id for f in await store.claim_due_follows(65_000, 30_000, 10)] == [early]


async def test_claims_take_the_earliest_due_and_skip_ended_follows(store: Store) -> None:
    ended = await store.create_follow(another(next_sample_at_ms=500))
    await store.end_follow(ended, FollowState.STOPPED, "stopped", 600)
    later = await store.create_follow(another(next_sample_at_ms=2_000))
    first = await store.create_follow(another())
    assert [f.id for f in await store.claim_due_follows(1_500, 60_000, 10)] == [first]
    assert [f.id for f in await store.claim_due_follows(10_000, 60_000, 1)] == [later]
    assert await store.claim_due_follows(10_000, 60_000, 10) == []


async def test_concurrent_claims_never_hand_out_a_follow_twice(store: Store) -> None:
    for index in range(20):
        await store.create_follow(another(next_sample_at_ms=1_000 + index))
    batches = await asyncio.gather(*(store.claim_due_follows(10_000, 60_000, 3) for _ in range(10)))
    claimed = [follow.id for batch in batches for follow in batch]
    assert len(claimed) == len(set(claimed)) == 20


async def test_a_trigger_has_one_follow_however_often_it_is_stored(store: Store) -> None:
    """A retry whose first try committed unseen gets that follow back, nothing new: a second
    would sample under the first one's convoIds."""
    first = await store.create_follow(FOLLOW)
    again = await asyncio.gather(
        *(store.create_follow(replace(FOLLOW, created_at_ms=900 + i)) for i in range(5))
    )
    assert again == [first] * 5
    assert [f.id for f in await store.channel_follows(10)] == [first]
    follow = await store.get_follow(first)
    assert follow is not None and follow.created_at_ms == FOLLOW.created_at_ms
    # The same message's next round, or the same trigger in another channel, is another follow.
    next_round = await store.create_follow(replace(FOLLOW, trigger=Trigger(900, 2, 2)))
    elsewhere = await store.create_follow(replace(FOLLOW, origin=Origin(1, 11, 7)))
    assert len({first, next_round, elsewhere}) == 3
