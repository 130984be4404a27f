"""Server upkeep: a breakage told once however many notice it, where the configuration was last
changed, the follows waiting for a slot, and a server's follows."""

from __future__ import annotations

import asyncio

from bot.domain.records import Origin
from bot.domain.server_records import FollowState
from bot.store import Store
from tests.store.test_follows import another


async def test_the_config_channel_is_the_last_one_noted(store: Store) -> None:
    assert await store.config_channel(1) is None
    await store.note_config_channel(1, 10, 1_000)
    await store.note_config_channel(1, 11, 2_000)
    await store.note_config_channel(2, 20, 2_000)
    assert (await store.config_channel(1), await store.config_channel(2)) == (11, 20)


async def test_a_breakage_is_claimed_once_and_again_only_after_it_changed(store: Store) -> None:
    await store.note_config_channel(1, 10, 1_000)
    claims = await asyncio.gather(
        *(store.claim_config_notice(1, "results:30:gone", 2_000) for _ in range(10))
    )
    assert claims.count(True) == 1
    assert not await store.claim_config_notice(1, "results:30:gone", 3_000)
    assert await store.claim_config_notice(1, "results:30:gone|role:5:gone", 4_000)
    assert await store.claim_config_notice(1, "", 5_000)  # healed
    assert await store.claim_config_notice(1, "results:30:gone", 6_000)  # broken again: told
    assert await store.config_channel(1) == 10  # a claim keeps where to tell


async def test_waiting_follows_are_counted_per_server_while_active(store: Store) -> None:
    first = await store.create_follow(another())
    second = await store.create_follow(another())
    elsewhere = await store.create_follow(another(origin=Origin(2, 20, 7, None, None)))
    for follow_id, guild_id in ((first, 1), (second, 1), (second, 1), (elsewhere, 2)):
        await store.wait_for_slot(follow_id, guild_id, 1_000)
    assert await store.waiting_for_slot(1) == 2
    assert await store.first_waiting_for_slot(1) == first
    await store.slot_taken(first)
    assert await store.waiting_for_slot(1) == 1
    assert await store.first_waiting_for_slot(1) == second
    await store.wait_for_slot(first, 1, 3_000)  # behind the one that waits already
    assert await store.first_waiting_for_slot(1) == second
    await store.end_follow(second, FollowState.STOPPED, "stopped", 2_000)
    assert await store.first_waiting_for_slot(1) == first
    await store.slot_taken(first)
    assert await store.waiting_for_slot(1) == 0
    assert await store.first_waiting_for_slot(1) is None
    assert await store.waiting_for_slot(2) == 1


async def test_a_servers_active_follows(store: Store) -> None:
    first = await store.create_follow(another())
    ended = await store.create_follow(another())
    await store.create_follow(another(origin=Origin(2, 20, 7, None, None)))
    third = await store.create_follow(another())
    await store.end_follow(ended, FollowState.ENDED, "gone", 2_000)
    assert [f.id for f in await store.guild_follows(1)] == [first, third]
    assert await store.guild_follows(3) == []
