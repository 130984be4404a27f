"""WeeklyDigests against the real store and the Discord emulator, through unmodified discord.py:
one digest per server per week when two processes share the database, and when the process that
posted it dies before recording it, whether Discord still recalls the nonce or not."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from bot.config import Settings
from bot.delivery.digests import DIGEST_LEASE_MS, WeeklyDigests
from bot.delivery.poster import DiscordPoster
from bot.domain.clock import now_ms
from bot.domain.digests import DigestSchedule
from bot.store import Store, open_store
from standins.discord import DiscordEmulator, StoredMessage
from standins.discord.discordpy import point_discord_py
from tests.backends import BACKENDS, throwaway_database
from tests.discord_emulator.emu_helpers import fast_config

DIGEST = "Weekly digest"


@dataclass
class Discord:
    emu: DiscordEmulator
    token: str
    guild: int
    channel: int

    def digests(self) -> list[StoredMessage]:
        return [
            m
            for m in self.emu.messages(self.channel)
            if any(e.get("title") == DIGEST for e in m.data["embeds"])
        ]


@pytest.fixture
async def discord_side() -> AsyncIterator[Discord]:
    async with DiscordEmulator(fast_config()) as emu:
        restore = point_discord_py(emu.api_base, emu.gateway_url)
        try:
            app = emu.create_bot("Chatsight")
            guild = emu.create_guild("Streamers")
            channel = await emu.create_channel(guild, "results")
            await emu.add_member(guild, app.user_id)
            yield Discord(emu, app.token, guild, channel)
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


def clock_ahead(ms: int) -> Callable[[], int]:
    return lambda: now_ms() + ms


async def due_now(store: Store, side: Discord) -> None:
    """A server with a results channel and a digest due a minute ago."""
    await store.update_guild_settings(
        side.guild, lambda s: replace(s, results_channel_id=side.channel), 1
    )
    await store.save_digest_schedule(DigestSchedule(side.guild, due_at_ms=now_ms() - 60_000), 1)


def digests_of(store: Store, client: discord.Client, clock: Callable[[], int]) -> WeeklyDigests:
    return WeeklyDigests(store, DiscordPoster(client, clock=clock), clock=clock)


@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_processes_sharing_the_database_post_one_digest(
    backend: str, discord_side: Discord, tmp_path: Path
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        one, two = open_store(Settings(database_url=url)), open_store(Settings(database_url=url))
        await one.open()
        await two.open()
        try:
            await due_now(one, discord_side)
            async with logged_in(discord_side.token) as client:
                claimed = await asyncio.gather(
                    digests_of(one, client, now_ms).run_due(),
                    digests_of(two, client, now_ms).run_due(),
                )
            assert sorted(claimed) == [0, 1]
            assert len(discord_side.digests()) == 1
            schedule = await two.digest_schedule(discord_side.guild)
            assert schedule is not None and schedule.message_id == discord_side.digests()[0].id
        finally:
            await one.close()
            await two.close()


class Killed(BaseException):
    """The process ends here: nothing of the bot's catches it, as nothing survives a kill."""


def after_the_first_post(failure: Callable[[], BaseException]) -> aiohttp.TraceConfig:
    """Raises ``failure`` the moment Discord has answered the first post, before the bot reads
    the answer: the post is in the channel, and the bot does not know it."""
    trace, posts = aiohttp.TraceConfig(), []

    async def on_request_end(_: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.method == "POST" and params.url.path.endswith("/messages"):
            posts.append(params.url)
            if len(posts) == 1:
                raise failure()

    trace.on_request_end.append(on_request_end)
    return trace


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_lost_answer_is_retried_with_the_same_nonce_and_posts_nothing_new(
    backend: str, discord_side: Discord, tmp_path: Path
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        store = open_store(Settings(database_url=url))
        await store.open()
        try:
            await due_now(store, discord_side)
            lost = after_the_first_post(aiohttp.ServerDisconnectedError)
            async with logged_in(discord_side.token, lost) as client:
                await digests_of(store, client, now_ms).run_due()
                [posted] = discord_side.digests()
                schedule = await store.digest_schedule(discord_side.guild)
                assert schedule is not None and schedule.message_id is None  # to be retried
                # The retry, seconds later: Discord still recalls the nonce, the bot trusts it.
                assert await digests_of(store, client, clock_ahead(10_000)).run_due() == 1
            assert [m.id for m in discord_side.digests()] == [posted.id]
            finished = await store.digest_schedule(discord_side.guild)
            assert finished is not None and finished.message_id == posted.id
        finally:
            await store.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_digest_posted_by_a_process_that_died_is_not_posted_again(
    backend: str, discord_side: Discord, tmp_path: Path
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        store = open_store(Settings(database_url=url))
        await store.open()
        try:
            await due_now(store, discord_side)
            async with logged_in(discord_side.token, after_the_first_post(Killed)) as client:
                with pytest.raises(Killed):
                    await digests_of(store, client, now_ms).run_due()
            [posted] = discord_side.digests()
            discord_side.emu.config.nonce_window = 0.0  # Discord no longer recalls the nonce

            # Another process, once the dead one's lease ran out: it looks before posting.
            later = clock_ahead(DIGEST_LEASE_MS + 1_000)
            async with logged_in(discord_side.token) as client:
                assert await digests_of(store, client, later).run_due() == 1
            assert [m.id for m in discord_side.digests()] == [posted.id]
            finished = await store.digest_schedule(discord_side.guild)
            assert finished is not None and finished.message_id == posted.id
        finally:
            await store.close()
