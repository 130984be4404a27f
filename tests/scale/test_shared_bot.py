"""Two ``run`` processes of one bot, each with its own shard, on one PostgreSQL database.

Every process runs the alert re-pings, whether or not its shard holds the alert's server: the
re-ping is a due time on the alert's row, claimed under a lease, so two processes waiting for the
same due time post it once between them (bot/delivery/alert_repings.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import ALERT, FAST, MINUTE_S, configure
from tests.bot_e2e.tag_steps import tag
from tests.bot_e2e.test_server_alerts import FLAGGED, set_up_alerts
from tests.bot_e2e.test_server_sustained_alerts import REPING, pings
from tests.postgres import throwaway_database

SHARDS = 2
# Long enough for the second process to start and read the due time before it comes.
REPING_MINUTES = 5


def shard_of(guild_id: int) -> int:
    """Discord's rule: (guild_id >> 22) % shard_count."""
    return (guild_id >> 22) % SHARDS


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """The bot on the shard that holds the test's server; its peer is started by the test."""
    async with (
        throwaway_database() as url,
        running_world(tmp_path, start=False, database_url=url, **FAST) as world,
    ):
        world.settings = replace(
            world.settings, shard_count=SHARDS, shard_ids=(shard_of(world.guild),)
        )
        await world.start_bot()
        yield world


async def test_a_reping_due_in_two_processes_is_posted_once(world: World) -> None:
    setup = await set_up_alerts(world)
    await configure(world, "alerts reping", {"minutes": REPING_MINUTES})
    await tag(world, FLAGGED)
    alert = await world.wait_for_embed(ALERT, setup.alerts)
    other = 1 - shard_of(world.guild)
    peer = await world.start_peer(shard_ids=(other,))
    assert world.running.get_guild(world.guild) is not None
    assert peer.get_guild(world.guild) is None  # it may post the re-ping all the same

    period_s = REPING_MINUTES * MINUTE_S
    reping = await world.wait_for_embed(REPING, setup.alerts, within_s=2 * period_s)
    await asyncio.sleep(2 * period_s)  # a second post would have come by now
    assert [m.id for m in pings(world, setup.alerts)] == [alert.id, reping.id]
    # One request, not a second one that Discord's nonce check turned into the same message.
    posted = world.emu.requests(f"POST /channels/{setup.alerts}/messages")
    assert [entry.status for entry in posted] == [200, 200]
