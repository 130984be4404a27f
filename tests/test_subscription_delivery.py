"""Subscription pings exactly once when the process posting them dies: the outbox worker and the
subscription sink against the real store and the Discord emulator, through unmodified
discord.py. The crash is an aiohttp trace raising past the bot the moment Discord took a post."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import discord
import pytest

from bot.delivery.poster import DiscordPoster
from bot.delivery.subscription_sink import DiscordSubscriptionSink
from bot.delivery.worker import ResultDelivery
from bot.domain.clock import now_ms
from bot.domain.records import (
    Completion,
    DeliveryKind,
    DeliveryState,
    Origin,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.tags import TagResult
from bot.store import Store
from standins.discord import StoredMessage
from tests.delivery_side import (
    BotChannel,
    Killed,
    bot_in_a_channel,
    interrupted_after_post,
    logged_in,
)

PING = "Subscribed tags heard"
FANS = 180  # three messages: 87 mentions fill 2,000 characters


@dataclass
class Discord(BotChannel):
    fans: list[int]

    def pings(self) -> list[StoredMessage]:
        return [
            m
            for m in self.emu.messages(self.channel)
            if any(e.get("title") == PING for e in m.data["embeds"])
        ]


@pytest.fixture
async def discord_side() -> AsyncIterator[Discord]:
    async with bot_in_a_channel("streams") as side:
        fans = [side.emu.create_user(f"fan{n}") for n in range(FANS)]
        for fan in fans:
            await side.emu.add_member(side.guild, fan)
        yield Discord(**vars(side), fans=fans)


async def heard_with_fun(store: Store, side: Discord) -> str:
    """A session in the server heard with "Fun", which every fan subscribed to."""
    for fan in side.fans:
        await store.subscribe(side.guild, fan, "Fun", 1, limit=25)
    origin = Origin(side.guild, side.channel, side.fans[0])
    request = TagRequest(
        "c1",
        "https://streams.example/live",
        SessionSource.SLASH,
        origin,
        deliveries=(DeliveryKind.SUBSCRIPTION,),
    )
    await store.create_session(request, None)
    await store.complete(Completion("c1", SessionState.COMPLETED, TagResult(("Fun", "Relaxed"))))
    return "c1"


def worker(store: Store, client: discord.Client, clock: Callable[[], int]) -> ResultDelivery:
    sink = DiscordSubscriptionSink(DiscordPoster(client, clock=clock), store)
    return ResultDelivery(store, {DeliveryKind.SUBSCRIPTION: sink}, clock=clock)


async def every_fan_pinged_once_after_a_restart(store: Store, side: Discord) -> list[StoredMessage]:
    """A new process, two minutes on (past the earlier one's lease), finishes the batch: the
    pings, each fan in exactly one of the three."""

    def later() -> int:
        return now_ms() + 120_000

    async with logged_in(side.token) as client:
        assert await worker(store, client, later).run_once() == 1
    pings = side.pings()
    assert len(pings) == 3
    pinged = [int(user["id"]) for m in pings for user in m.data["mentions"]]
    assert sorted(pinged) == sorted(side.fans)
    return pings


async def test_pings_posted_by_a_process_that_died_are_not_posted_again(
    backend_store: Store, discord_side: Discord
) -> None:
    convo_id = await heard_with_fun(backend_store, discord_side)
    # The first message is posted and recorded, the second posted only: then the kill.
    async with logged_in(discord_side.token, interrupted_after_post(Killed, 2)) as client:
        with pytest.raises(Killed):
            await worker(backend_store, client, now_ms).run_once()
    assert len(discord_side.pings()) == 2
    discord_side.emu.config.nonce_window = 0.0  # Discord no longer recalls the nonces

    # Another process, once the dead one's lease ran out and past Discord's memory of
    # nonces: it skips the recorded message, finds the unrecorded one, posts the third.
    pings = await every_fan_pinged_once_after_a_restart(backend_store, discord_side)
    [row] = await backend_store.deliveries_for(convo_id)
    assert (row.state, row.message_id) == (DeliveryState.DELIVERED, pings[0].id)


async def test_a_ping_in_flight_when_the_process_stopped_is_not_posted_again(
    backend_store: Store, discord_side: Discord
) -> None:
    """A graceful stop hands the rows back uncounted, the one whose send was in flight too: the
    restart past Discord's memory of nonces looks before it posts, as after a kill."""
    convo_id = await heard_with_fun(backend_store, discord_side)
    async with logged_in(
        discord_side.token, interrupted_after_post(asyncio.CancelledError, 1)
    ) as client:
        with pytest.raises(asyncio.CancelledError):
            await worker(backend_store, client, now_ms).run_once()
    assert len(discord_side.pings()) == 1
    [row] = await backend_store.deliveries_for(convo_id)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 0)  # handed back uncounted
    discord_side.emu.config.nonce_window = 0.0
    await every_fan_pinged_once_after_a_restart(backend_store, discord_side)
