"""Members' tag subscriptions end to end: who is pinged, how often, in how many messages."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bot.domain.records import DeliveryKind, DeliveryState
from standins.discord import StoredMessage
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    EPHEMERAL,
    FAST,
    configure,
    convo_ids,
    embed_titled,
    final_answer,
    follow_announced,
    replies_to,
    run_command,
)
from tests.bot_e2e.tag_steps import eventually, tag

PING = "Subscribed tags heard"
AUTOCOMPLETE_RESULT = 8
VIOLENT = "https://streams.example/live?tags=Violence,Fun"
CALM = "https://streams.example/calm?tags=Fun,Relaxed"


def pings(world: World, channel: int | None = None) -> list[StoredMessage]:
    return [m for m in world.bot_messages(channel) if embed_titled(PING)(m)]


def pinged(message: StoredMessage) -> list[int]:
    return [int(user["id"]) for user in message.data["mentions"]]


async def chatsight(world: World, command: str, user: int, tag: str | None = None) -> str:
    """Run ``/chatsight <command>`` as ``user``; the private answer's text."""
    options = {"tag": tag} if tag is not None else {}
    answer = await final_answer(
        world, await run_command(world, f"chatsight {command}", options, user=user)
    )
    assert answer["flags"] & EPHEMERAL
    return str(answer["content"])


async def member(world: World, name: str) -> int:
    user = world.emu.create_user(name)
    await world.emu.add_member(world.guild, user)
    return user


async def subscriptions_settled(world: World, sessions: list[str]) -> None:
    """Each session's subscription row is done with: posted or found to ping nobody."""

    async def settled() -> bool | None:
        for convo_id in sessions:
            rows = await world.running.core.store.deliveries_for(convo_id)
            kinds = {r.kind: r.state for r in rows}
            if kinds.get(DeliveryKind.SUBSCRIPTION) is not DeliveryState.DELIVERED:
                return None
        return True

    await eventually(settled, within_s=10)


async def test_a_subscriber_is_pinged_once_per_follow_and_a_non_subscriber_never(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        alice, carol = world.member, await member(world, "carol")
        answer = await chatsight(world, "subscribe", alice, "violence")
        assert answer == (
            "You will be pinged when a stream in this server is heard with **violence**."
        )
        await chatsight(world, "subscribe", carol, "Gambling")
        assert await chatsight(world, "subscribe", alice, "VIOLENCE") == (
            "You are already subscribed to **VIOLENCE**."
        )
        assert await chatsight(world, "subscriptions", alice) == (
            "You are subscribed to **violence**."
        )

        timeline = await follow_announced(world, VIOLENT)
        await world.emu.wait_for(lambda: len(convo_ids(world)) >= 3 or None, timeout=10)
        await subscriptions_settled(world, convo_ids(world)[:3])

        (ping,) = pings(world)
        assert ping.content == f"<@{alice}>"
        assert pinged(ping) == [alice]
        assert ping.allowed_mentions == {"parse": [], "users": [alice]}  # nor the replied author
        assert replies_to(timeline.id)(ping)
        assert "**Violence**" in ping.data["embeds"][0]["description"]
        for message in world.bot_messages():
            if message.id != ping.id:
                assert message.data["mentions"] == []
                assert message.data["mention_roles"] == []

        # A one-off /tag is a session of its own: one more ping, to her alone.
        await tag(world, VIOLENT, user=world.moderator)
        second = await world.emu.wait_for(lambda: pings(world)[1:] or None, timeout=10)
        assert [pinged(m) for m in second] == [[alice]]

        # Unsubscribed, she is pinged no more.
        assert await chatsight(world, "unsubscribe", alice, "Violence") == (
            "You will no longer be pinged for **Violence**."
        )
        await tag(world, VIOLENT, user=world.moderator)
        await world.emu.wait_for(lambda: len(convo_ids(world)) >= 5 or None, timeout=10)
        await subscriptions_settled(world, convo_ids(world)[-1:])
        assert len(pings(world)) == 2


async def offered(world: World, command: str, typed: str) -> list[str]:
    """What the member is offered while typing the tag of ``/chatsight <command>``."""
    interaction = await world.emu.send_autocomplete(
        world.guild, world.channel, world.member, f"chatsight {command}", {"tag": typed}, "tag"
    )
    answer = await interaction.wait_response(timeout=3)
    assert answer.type == AUTOCOMPLETE_RESULT
    choices: list[dict[str, Any]] = answer.data["choices"]
    return [choice["value"] for choice in choices]


async def test_typing_a_tag_offers_chatsights_tags_to_subscribe_and_ones_own_to_drop(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        await chatsight(world, "subscribe", world.member, "Fun")
        # The simulator's published list: Chatting, Food, Fun, Gaming, Music, Outdoors, ...
        assert await offered(world, "subscribe", "u") == ["Music", "Outdoors"]
        assert await offered(world, "unsubscribe", "") == ["Fun"]


async def test_a_server_can_switch_subscriptions_off(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        alice = world.member
        await chatsight(world, "subscribe", alice, "Violence")
        assert await configure(world, "subscriptions", {"state": "off"}) == (
            "Pings for members' tag subscriptions: off."
        )
        refused = await chatsight(world, "subscribe", alice, "Fun")
        assert refused == "This server has switched tag subscriptions off."
        listed = await chatsight(world, "subscriptions", alice)
        assert listed == (
            "You are subscribed to **Violence**.\nThis server has switched subscriptions off,"
            " so nobody is pinged for now."
        )
        await tag(world, VIOLENT)
        await world.wait_for_embed("Stream tags")
        await subscriptions_settled(world, convo_ids(world))
        assert pings(world) == []

        await configure(world, "subscriptions", {"state": "on"})
        await tag(world, VIOLENT)
        (ping,) = await world.emu.wait_for(lambda: pings(world) or None, timeout=10)
        assert pinged(ping) == [alice]


async def test_many_subscribers_are_pinged_once_in_as_few_messages_as_discord_allows(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        # Off while the crowd subscribes, so that one sample finds them all.
        await configure(world, "subscriptions", {"state": "off"})
        timeline = await follow_announced(world, VIOLENT)
        store = world.running.core.store
        crowd = [await member(world, f"fan{n}") for n in range(180)]
        for user in crowd:
            await store.subscribe(world.guild, user, "Fun", 1, limit=25)
        # The first ping fails: the row is retried, the same members in the same messages.
        route = f"POST /channels/{world.channel}/messages"
        world.emu.inject_server_error(route, status=503)
        await configure(world, "subscriptions", {"state": "on"})

        # Each mention is "<@id>" and a space: a message holds as many as fit in 2,000
        # characters, and at most 100.
        per_message = min(100, 2001 // (len(f"<@{crowd[0]}>") + 1))
        expected = math.ceil(len(crowd) / per_message)
        assert expected == 3  # fewer than 100 a message: the 2,000 characters decide here
        messages = await world.emu.wait_for(
            lambda: pings(world) if len(pings(world)) >= expected else None, timeout=10
        )
        settled = len(convo_ids(world)) + 2  # and two more samples of the follow
        await world.emu.wait_for(lambda: len(convo_ids(world)) >= settled or None, timeout=10)
        await subscriptions_settled(world, convo_ids(world)[:settled])

        assert pings(world) == messages
        everyone = [user for m in messages for user in pinged(m)]
        assert sorted(everyone) == sorted(crowd)
        for message in messages:
            assert replies_to(timeline.id)(message)
            assert len(message.content) <= 2000
            assert message.allowed_mentions is not None
            assert sorted(message.allowed_mentions["users"]) == sorted(pinged(message))
        statuses = [entry.status for entry in world.emu.requests(route)]
        assert statuses.count(503) == 1
        assert statuses[-expected - 1 :] == [503] + [200] * expected
