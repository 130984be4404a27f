"""IDENTIFY concurrency: one identify per ``max_concurrency`` bucket per window, op 9 for one
that comes too soon, and the count of such violations a multi-process bot's tests assert on.

The window is cut from Discord's 5 s to ``WINDOW`` so the tests stay fast; the clients scale
discord.py's 5 s wait before a re-identify down to the same window.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from standins.discord import DiscordEmulator, EmulatorConfig
from tests.discord_emulator.emu_helpers import ClientRunner, ShardClient, World, fast_config

WINDOW = 0.3


@pytest.fixture
def config() -> EmulatorConfig:
    return fast_config(max_concurrency=1, identify_window=WINDOW)


async def test_same_bucket_identifying_at_once_is_refused_and_counted(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    # Two processes of one bot start together; under max_concurrency 1 both shards are
    # bucket 0, so the second IDENTIFY is too soon.
    clients = [ShardClient(n, 2, identify_delay=WINDOW) for n in (0, 1)]
    await asyncio.gather(*(runner.start(c, world.bot.token) for c in clients))
    assert emulator.identify_violations() == 1
    sessions = emulator.gateway_sessions(world.bot.user_id)
    assert sorted(s["shard"] for s in sessions if s["ready"]) == [[0, 2], [1, 2]]


async def test_spaced_identifies_are_no_violation(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    await runner.start(ShardClient(0, 2), world.bot.token)
    await asyncio.sleep(WINDOW)  # what a shared identify queue makes the next process wait
    await runner.start(ShardClient(1, 2), world.bot.token)
    assert emulator.identify_violations() == 0
    assert len(emulator.gateway_sessions(world.bot.user_id)) == 2


async def test_too_soon_identify_gets_op_9_and_does_not_start_a_session(
    emulator: DiscordEmulator, world: World
) -> None:
    url = emulator.gateway_url + "?encoding=json&v=10"
    identify = {"token": world.bot.token, "intents": 513, "properties": {}, "shard": [0, 1]}
    frames = []
    async with aiohttp.ClientSession() as session:
        for _ in range(2):
            async with session.ws_connect(url) as ws:
                await ws.receive_str()
                await ws.send_str(json.dumps({"op": 2, "d": identify}))
                frames.append(json.loads(await ws.receive_str()))
    assert frames[0]["t"] == "READY"
    assert frames[1] == {"op": 9, "d": False}
    assert emulator.identify_violations() == 1
    assert len(emulator.gateway_sessions()) == 1
    limit = emulator.gateway.identifies.session_start_limit(world.bot.user_id)
    assert limit["remaining"] == 999  # a refused IDENTIFY starts no session
    control = f"{emulator.base_url}/_control/identify_violations"
    async with aiohttp.ClientSession() as session, session.post(control) as response:
        assert await response.json() == {"result": 1}
