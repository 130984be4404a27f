"""WeeklyDigests against the real store and the Discord emulator, through unmodified discord.py:
one digest per server per week when two processes share the database, and when the process that
posted it dies before recording it, whether Discord still recalls the nonce or not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import discord
import pytest

from bot.config import Settings
from bot.delivery.digests import DIGEST_LEASE_MS, WeeklyDigests
from bot.delivery.poster import DiscordPoster
from bot.domain.clock import now_ms
from bot.domain.digests import DigestSchedule
from bot.store import Store, open_store
from standins.discord import StoredMessage
from tests.backends import throwaway_database
from tests.delivery_side import (
    BotChannel,
    Killed,
    bot_in_a_channel,
    interrupted_after_post,
    logged_in,
)

DIGEST = "Weekly digest"


@dataclass
class Discord(BotChannel):
    def digests(self) -> list[StoredMessage]:
        return [
            m
            for m in self.emu.messages(self.channel)
            if any(e.get("title") == DIGEST for e in m.data["embeds"])
        ]


@pytest.fixture
async def discord_side() -> AsyncIterator[Discord]:
    async with bot_in_a_channel("results") as side:
        yield Discord(**vars(side))


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


async def test_a_lost_answer_is_retried_with_the_same_nonce_and_posts_nothing_new(
    backend_store: Store, discord_side: Discord
) -> None:
    await due_now(backend_store, discord_side)
    lost = interrupted_after_post(aiohttp.ServerDisconnectedError)
    async with logged_in(discord_side.token, lost) as client:
        await digests_of(backend_store, client, now_ms).run_due()
        [posted] = discord_side.digests()
        schedule = await backend_store.digest_schedule(discord_side.guild)
        assert schedule is not None and schedule.message_id is None  # to be retried
        # The retry, seconds later: Discord still recalls the nonce, the bot trusts it.
        assert await digests_of(backend_store, client, clock_ahead(10_000)).run_due() == 1
    assert [m.id for m in discord_side.digests()] == [posted.id]
    finished = await backend_store.digest_schedule(discord_side.guild)
    assert finished is not None and finished.message_id == posted.id


async def test_a_digest_posted_by_a_process_that_died_is_not_posted_again(
    backend_store: Store, discord_side: Discord
) -> None:
    await due_now(backend_store, discord_side)
    async with logged_in(discord_side.token, interrupted_after_post(Killed)) as client:
        with pytest.raises(Killed):
            await digests_of(backend_store, client, now_ms).run_due()
    [posted] = discord_side.digests()
    discord_side.emu.config.nonce_window = 0.0  # Discord no longer recalls the nonce

    # Another process, once the dead one's lease ran out: it looks before posting.
    later = clock_ahead(DIGEST_LEASE_MS + 1_000)
    async with logged_in(discord_side.token) as client:
        assert await digests_of(backend_store, client, later).run_due() == 1
    assert [m.id for m in discord_side.digests()] == [posted.id]
    finished = await backend_store.digest_schedule(discord_side.guild)
    assert finished is not None and finished.message_id == posted.id


async def test_a_stop_just_after_the_post_hands_the_digest_back_at_once(
    backend_store: Store, discord_side: Discord
) -> None:
    """A graceful stop (a restart) at the moment Discord has the post and the bot has not
    recorded it: the restarted process, well inside the stopped one's lease, takes the digest
    at once, finds the post by its nonce and records it, so the schedule moves on."""
    await due_now(backend_store, discord_side)
    stopped = interrupted_after_post(asyncio.CancelledError)
    async with logged_in(discord_side.token, stopped) as client:
        with pytest.raises(asyncio.CancelledError):
            await digests_of(backend_store, client, now_ms).run_due()
    [posted] = discord_side.digests()

    async with logged_in(discord_side.token) as client:
        assert await digests_of(backend_store, client, now_ms).run_due() == 1
    assert [m.id for m in discord_side.digests()] == [posted.id]
    finished = await backend_store.digest_schedule(discord_side.guild)
    assert finished is not None and finished.message_id == posted.id
