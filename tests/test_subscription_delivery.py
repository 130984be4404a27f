"""Subscription pings exactly once when the process posting them dies: the outbox worker and the
subscription sink against the real store and the Discord emulator, through unmodified
discord.py. The crash is an aiohttp trace raising past the bot the moment Discord took a post."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from bot.config import Settings
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
from bot.store import Store, open_store
from standins.discord import DiscordEmulator, StoredMessage
from standins.discord.discordpy import point_discord_py
from tests.backends import BACKENDS, throwaway_database
from tests.discord_emulator.emu_helpers import fast_config

PING = "Subscribed tags heard"
FANS = 180  # three messages: 87 mentions fill 2,000 characters


@dataclass
class Discord:
    emu: DiscordEmulator
    token: str
    guild: int
    channel: int
    fans: list[int]

    def pings(self) -> list[StoredMessage]:
        return [
            m
            for m in self.emu.messages(self.channel)
            if any(e.get("title") == PING for e in m.data["embeds"])
        ]


@pytest.fixture
async def discord_side() -> AsyncIterator[Discord]:
    async with DiscordEmulator(fast_config()) as emu:
        restore = point_discord_py(emu.api_base, emu.gateway_url)
        try:
            app = emu.create_bot("Chatsight")
            guild = emu.create_guild("Streamers")
            channel = await emu.create_channel(guild, "streams")
            await emu.add_member(guild, app.user_id)
            fans = [emu.create_user(f"fan{n}") for n in range(FANS)]
            for fan in fans:
                await emu.add_member(guild, fan)
            yield Discord(emu, app.token, guild, channel, fans)
        finally:
            restore()


@contextlib.asynccontextmanager
async def logged_in(
    token: str, trace: aiohttp.TraceConfig | None = None
) -> AsyncIterator[discord.Client]:
    """A discord.py client with its REST session only: delivery needs no gateway."""
    traced: dict[str, Any] = {} if trace is None else {"http_trace": trace}
    client = discord.Client(intents=discord.Intents.none(), **traced)
    await client.login(token)
    try:
        yield client
    finally:
        await client.close()


class Killed(BaseException):
    """The process ends here: nothing of the bot's catches it, as nothing survives a kill."""


def killed_after_post(number: int) -> aiohttp.TraceConfig:
    """Kills the bot the moment Discord has taken its ``number``-th post, before it reads the
    answer: the message is in the channel, and the bot does not know it."""
    trace, posts = aiohttp.TraceConfig(), []

    async def on_request_end(_: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.method == "POST" and params.url.path.endswith("/messages"):
            posts.append(params.url)
            if len(posts) == number:
                raise Killed()

    trace.on_request_end.append(on_request_end)
    return trace


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


@pytest.mark.parametrize("backend", BACKENDS)
async def test_pings_posted_by_a_process_that_died_are_not_posted_again(
    backend: str, discord_side: Discord, tmp_path: Path
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        store = open_store(Settings(database_url=url))
        await store.open()
        try:
            convo_id = await heard_with_fun(store, discord_side)
            # The first message is posted and recorded, the second posted only: then the kill.
            async with logged_in(discord_side.token, killed_after_post(2)) as client:
                with pytest.raises(Killed):
                    await worker(store, client, now_ms).run_once()
            assert len(discord_side.pings()) == 2
            discord_side.emu.config.nonce_window = 0.0  # Discord no longer recalls the nonces

            # Another process, once the dead one's lease ran out and past Discord's memory of
            # nonces: it skips the recorded message, finds the unrecorded one, posts the third.
            def later() -> int:
                return now_ms() + 120_000

            async with logged_in(discord_side.token) as client:
                assert await worker(store, client, later).run_once() == 1
            pings = discord_side.pings()
            assert len(pings) == 3
            pinged = [int(user["id"]) for m in pings for user in m.data["mentions"]]
            assert sorted(pinged) == sorted(discord_side.fans)
            [row] = await store.deliveries_for(convo_id)
            assert (row.state, row.message_id) == (DeliveryState.DELIVERED, pings[0].id)
        finally:
            await store.close()
