"""Automatic work under the per-server cap: an announcement over it waits for a free slot (and
``/chatsight-config show`` says so), for at most its dedupe window, then is dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import FAST, MINUTE_S, configure, posted_urls, watch
from tests.bot_e2e.test_server_config import shown

FIRST = "https://streams.example/first?tags=Fun"
SECOND = "https://streams.example/second?tags=Fun"


async def until(condition: Callable[[], bool], within_s: float = 10.0) -> None:
    """Chatsight's side changes outside the emulator, so this looks every few milliseconds."""
    async with asyncio.timeout(within_s):
        while not condition():
            await asyncio.sleep(0.02)


async def one_busy_slot(world: World) -> None:
    """The server's only slot taken by a first announced stream whose session never ends."""
    await watch(world, world.channel)
    await configure(world, "autotag interval", {"minutes": 1})
    world.sim.faults.stick_next_session("running")
    await world.emu.post_message(world.channel, world.member, f"live: {FIRST}")
    await until(lambda: posted_urls(world) == [FIRST])


async def test_an_announcement_over_the_cap_waits_for_a_free_slot(tmp_path: Path) -> None:
    async with running_world(tmp_path, guild_session_cap=1, **FAST) as world:
        await one_busy_slot(world)
        await world.emu.post_message(world.channel, world.member, f"live: {SECOND}")
        await asyncio.sleep(3 * MINUTE_S)
        assert SECOND not in posted_urls(world)
        assert (await shown(world))["Waiting for a free slot"] == "1 stream"

        (busy,) = [r.json()["convoId"] for r in world.sim.requests_to("/stream/tag", "POST")]
        await world.sim.finish(busy)
        await until(lambda: SECOND in posted_urls(world))
        assert "Waiting for a free slot" not in await shown(world)


async def test_an_announcement_waits_no_longer_than_its_dedupe_window(tmp_path: Path) -> None:
    window_s = 3 * MINUTE_S
    async with running_world(
        tmp_path, guild_session_cap=1, autotag_window_seconds=window_s, **FAST
    ) as world:
        await one_busy_slot(world)
        await world.emu.post_message(world.channel, world.member, f"live: {SECOND}")
        await asyncio.sleep(window_s + 3 * MINUTE_S)
        assert "Waiting for a free slot" not in await shown(world)  # dropped

        (busy,) = [r.json()["convoId"] for r in world.sim.requests_to("/stream/tag", "POST")]
        await world.sim.finish(busy)
        await asyncio.sleep(3 * MINUTE_S)
        assert SECOND not in posted_urls(world)
