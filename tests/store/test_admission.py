"""Admission: the dedupe window, the member cooldown and the per-server cap, each decided in
one store transaction, so concurrent requests (on one process or several) cannot both pass."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import cast

import pytest

from bot.domain.convo_ids import ConvoIds, Trigger
from bot.domain.records import Completion, Origin, SessionRecord, SessionState, TagRequest
from bot.domain.refusals import ServerBusy, TooSoon
from bot.domain.tags import TagResult
from bot.server.admission import AutomaticSlots, TagGate
from bot.server.announcement import Announcement
from bot.server.autotag import AutoTagger
from bot.server.channel_tagging import ChannelTagging
from bot.server.following import Following
from bot.sessions.service import TaggingService
from bot.store import Store
from tests.store.tag_requests import request

T = 1_700_000_000_000
HOLD_MS = 60_000
URL = "https://s.test/a"


class Clock:
    def __init__(self) -> None:
        self.now = T

    def __call__(self) -> int:
        return self.now


def gate(store: Store, clock: Clock, *, cap: int = 5, cooldown_s: float = 30.0) -> TagGate:
    return TagGate(store, cooldown_s=cooldown_s, guild_cap=cap, hold_s=HOLD_MS / 1000, clock=clock)


async def outcomes(admissions: Iterable[Awaitable[None]]) -> list[BaseException | None]:
    """Each admission's refusal, or None where it was admitted; all run at once."""
    return list(await asyncio.gather(*admissions, return_exceptions=True))


# -- the dedupe window ------------------------------------------------------------------------


async def test_stream_claims_hold_for_the_window(store: Store) -> None:
    assert await store.claim_stream(1, URL, 1_000, 60_000, claimed_by=100) == 1
    assert await store.claim_stream(1, URL, 30_000, 60_000, claimed_by=100) is None
    assert await store.claim_stream(2, URL, 30_000, 60_000, claimed_by=100) == 1
    # A re-tag after the window is the claim's second round: its convoId differs from the first.
    assert await store.claim_stream(1, URL, 61_000, 60_000, claimed_by=100) == 2


async def test_concurrent_claims_of_one_stream_give_one_round(store: Store) -> None:
    first = await asyncio.gather(
        *(store.claim_stream(1, URL, 1_000, 60_000, claimed_by=100) for _ in range(10))
    )
    assert sorted(first, key=lambda r: r is None) == [1] + [None] * 9
    later = await asyncio.gather(
        *(store.claim_stream(1, URL, 70_000, 60_000, claimed_by=100) for _ in range(10))
    )
    assert sorted(later, key=lambda r: r is None) == [2] + [None] * 9


async def test_a_claim_is_found_again_by_its_holder_alone(store: Store) -> None:
    """A retry whose claim committed unseen finds its own round; another message, or the holder
    of an older round, finds nothing."""
    assert await store.held_claim(1, URL, 100) is None
    assert await store.claim_stream(1, URL, 1_000, 60_000, claimed_by=100) == 1
    assert await store.held_claim(1, URL, 100) == 1
    assert await store.held_claim(1, URL, 101) is None
    assert await store.held_claim(2, URL, 100) is None
    assert await store.claim_stream(1, URL, 30_000, 60_000, claimed_by=101) is None
    assert await store.held_claim(1, URL, 101) is None  # a refused claim holds nothing
    assert await store.claim_stream(1, URL, 61_000, 60_000, claimed_by=102) == 2
    assert await store.held_claim(1, URL, 102) == 2
    assert await store.held_claim(1, URL, 100) is None


# -- the member cooldown ----------------------------------------------------------------------


async def test_a_member_waits_out_the_cooldown_and_no_one_else_does(store: Store) -> None:
    clock = Clock()
    tags = gate(store, clock)
    await tags.admit(7, 1, "h1")
    clock.now += 10_000
    with pytest.raises(TooSoon) as refused:
        await tags.admit(7, 1, "h2")
    assert refused.value.retry_in_s == 20.0
    await tags.admit(8, 1, "h3")  # another member is not slowed down
    clock.now += 20_000
    await tags.admit(7, 2, "h4")  # the cooldown is the member's, in every server


async def test_no_cooldown_is_none_even_beside_a_clock_that_runs_ahead(store: Store) -> None:
    """Two processes admit one member at once; the second's clock reads a little earlier."""
    ahead, behind = Clock(), Clock()
    behind.now -= 5
    await gate(store, ahead, cooldown_s=0).admit(7, 1, "h1")
    await gate(store, behind, cooldown_s=0).admit(7, 2, "h2")


async def test_concurrent_admissions_of_one_member_admit_one(store: Store) -> None:
    tags = gate(store, Clock(), cap=100)
    results = await outcomes(tags.admit(7, 1 + i % 2, f"h{i}") for i in range(10))
    assert results.count(None) == 1
    assert all(isinstance(r, TooSoon) for r in results if r is not None)


async def test_without_a_server_only_the_cooldown_applies(store: Store) -> None:
    tags = gate(store, Clock(), cap=1)
    for member in range(3):
        await tags.admit(member, None, f"dm{member}")
    with pytest.raises(TooSoon):
        await tags.admit(0, None, "dm-again")


# -- the per-server cap -----------------------------------------------------------------------


async def test_concurrent_admissions_of_many_members_fill_the_cap_exactly(store: Store) -> None:
    tags = gate(store, Clock(), cap=5)
    results = await outcomes(tags.admit(member, 1, f"h{member}") for member in range(20))
    assert results.count(None) == 5
    assert all(isinstance(r, ServerBusy) and r.cap == 5 for r in results if r is not None)
    await tags.admit(100, 2, "elsewhere")  # another server has its own cap


async def test_a_slot_is_held_until_its_session_finishes_or_the_hold_expires(
    store: Store,
) -> None:
    clock = Clock()
    tags = gate(store, clock, cap=2)
    await tags.admit(1, 1, "c1")
    await tags.admit(2, 1, "c2")
    # The hold becomes the session: the slot is still taken, counted once.
    assert await store.create_session(request("c1"), None)
    assert await store.count_awaiting(1) == 1
    with pytest.raises(ServerBusy):
        await tags.admit(3, 1, "c3")
    # The session finishing frees its slot.
    await store.complete(Completion("c1", SessionState.COMPLETED, TagResult(())))
    await tags.admit(3, 1, "c3")
    with pytest.raises(ServerBusy):
        await tags.admit(4, 1, "c4")
    # A hold whose session never came (the process died) frees its slot when it expires.
    clock.now += HOLD_MS
    await tags.admit(4, 1, "c4")
    await tags.admit(5, 1, "c5")
    with pytest.raises(ServerBusy):
        await tags.admit(6, 1, "c6")


async def test_sessions_started_without_admission_count_too(store: Store) -> None:
    for convo in ("s1", "s2"):
        await store.create_session(request(convo), None)
    with pytest.raises(ServerBusy):
        await gate(store, Clock(), cap=2).admit(1, 1, "c1")


async def test_a_hold_for_a_session_that_exists_is_not_counted_again(store: Store) -> None:
    await store.create_session(request("c1"), None)
    tags = gate(store, Clock(), cap=2)
    await tags.admit(1, 1, "c1")
    await tags.admit(2, 1, "c2")
    with pytest.raises(ServerBusy):
        await tags.admit(3, 1, "c3")


async def test_a_refusal_changes_nothing(store: Store) -> None:
    """No cooldown is stamped when the server is busy, and no hold is taken when too soon."""
    clock = Clock()
    tags = gate(store, clock, cap=1)
    await tags.admit(1, 1, "c1")
    with pytest.raises(ServerBusy):
        await tags.admit(2, 1, "c2")
    await tags.admit(2, 2, "c3")  # member 2 was not put on cooldown by the refusal
    with pytest.raises(TooSoon):
        await tags.admit(2, 3, "c4")
    await tags.admit(3, 3, "c5")  # server 3 holds no slot for the refused c4


async def test_the_store_answers_with_the_refusal_rather_than_raising(store: Store) -> None:
    rules = {"now_ms": T, "cooldown_ms": 30_000, "guild_cap": 1, "hold_ms": HOLD_MS}
    assert await store.admit(1, 1, "c1", **rules) is None
    busy = await store.admit(2, 1, "c2", **rules)
    assert isinstance(busy, ServerBusy) and busy.cap == 1
    soon = await store.admit(1, 2, "c3", **{**rules, "now_ms": T + 12_500})
    assert isinstance(soon, TooSoon) and soon.retry_in_s == 17.5


class StoringService:
    """Stores each session as TaggingService does, and calls no Chatsight."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def start(self, request: TagRequest) -> SessionRecord:
        await self.store.create_session(request, None)
        session = await self.store.get_session(request.convo_id)
        assert session is not None
        return session


async def test_each_stream_of_the_tag_stream_menu_takes_a_slot_or_waits(store: Store) -> None:
    """Its streams count towards the server's cap like announcements (each sample's hold is
    swapped for its session); over the cap one waits, and the dedupe window holds for it too."""
    service = cast(TaggingService, StoringService(store))
    convo_ids = ConvoIds(4242)
    clock = Clock()
    tags = gate(store, clock, cap=2)
    slots = AutomaticSlots(store, tags, wait_limit_s=1800, clock=clock)
    following = Following(store, service, convo_ids, slots=slots, clock=clock)
    tagging = ChannelTagging(service, tags, following, convo_ids)
    links = " ".join(f"https://streams.test/{name}" for name in "abc")
    announcement = Announcement(1, 10, 555, 8, f"live: {links}")
    await tagging.admit_member(announcement.origin(7, None), Trigger(900))
    tagger = AutoTagger(store, following, clock=clock)
    outcome = await tagger.on_demand(announcement, 7, 900)
    assert (len(outcome.started), outcome.waiting, outcome.recent) == (2, 1, 0)
    assert await store.count_awaiting(1) == 2
    assert await store.waiting_for_slot(1) == 1
    with pytest.raises(ServerBusy):
        await tags.admit(3, 1, "a third")
    assert outcome.started[0].origin == Origin(1, 10, 7, 555)
    again = await tagger.on_demand(announcement, 7, 901)
    assert (len(again.started), again.waiting, again.recent) == (0, 0, 3)


async def test_a_freed_slot_goes_to_the_follow_that_waited_longest(store: Store) -> None:
    """A followed stream due for its next sample does not take the slot its own last sample
    freed from an announcement that has waited for one all along: it queues behind it."""
    service = cast(TaggingService, StoringService(store))
    clock = Clock()
    slots = AutomaticSlots(store, gate(store, clock, cap=1), wait_limit_s=1800, clock=clock)
    following = Following(store, service, ConvoIds(4242), slots=slots, clock=clock)
    tagger = AutoTagger(store, following, clock=clock)
    asked = await tagger.on_demand(Announcement(1, 10, 555, 8, "live: https://s.test/a"), 7, 900)
    [first] = asked.started
    asked = await tagger.on_demand(Announcement(1, 10, 556, 8, "live: https://s.test/b"), 7, 901)
    assert (asked.started, asked.waiting) == ([], 1)
    followed, waiting = await store.guild_follows(1)
    # The waiting one looks again every few seconds while the first sample runs...
    clock.now = followed.next_sample_at_ms - 1
    await following.run_due()
    # ...so the followed stream is due first once its sample ended.
    await store.complete(Completion(first.convo_id, SessionState.COMPLETED, TagResult(("Fun",))))
    clock.now = followed.next_sample_at_ms
    await following.run_due()
    assert (await store.count_awaiting(1), await store.waiting_for_slot(1)) == (0, 2)
    clock.now += 5_000
    await following.run_due()
    assert len(await store.follow_sessions(waiting.id)) == 1
    assert len(await store.follow_sessions(followed.id)) == 1
    assert await store.waiting_for_slot(1) == 1
