"""Rate limits and server errors, and how the real discord.py copes with them."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest

from standins.discord import DiscordEmulator, EmulatorConfig
from tests.discord_emulator.emu_helpers import ClientRunner, World, fast_config, raw_request


async def _channel(runner: ClientRunner, world: World) -> discord.TextChannel:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_injected_429_is_waited_out(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    channel = await _channel(runner, world)
    emulator.inject_ratelimit("POST /channels/*/messages", retry_after=0.2)
    started = time.monotonic()
    await channel.send("after the wait")
    assert time.monotonic() - started >= 0.2
    assert [(r.status, r.fault) for r in emulator.requests("POST /channels/*/messages")] == [
        (429, "429"),
        (200, None),
    ]

    emulator.inject_ratelimit("POST /channels/*/messages", retry_after=0.1, is_global=True)
    await channel.send("after a global limit")
    assert [r.status for r in emulator.requests("POST /channels/*/messages")][-2:] == [429, 200]
    assert len(emulator.messages(world.general)) == 2


async def test_5xx_is_retried_by_discord_py(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    channel = await _channel(runner, world)
    emulator.inject_server_error("POST /channels/*/messages", status=502)
    await channel.send("eventually")
    statuses = [r.status for r in emulator.requests("POST /channels/*/messages")]
    assert statuses == [502, 200]
    # discord.py does not retry a 503: it raises DiscordServerError at once.
    emulator.inject_server_error("POST /channels/*/messages", status=503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("never")


async def test_a_stalled_answer_leaves_its_message_made(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    """The request takes effect at once; the client waits for an answer that comes late."""
    channel = await _channel(runner, world)
    emulator.inject_stall("POST /channels/*/messages", seconds=1.5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await channel.send("answered too late")
    assert [m.data["content"] for m in emulator.messages(world.general)] == ["answered too late"]
    await channel.send("answered at once")
    assert [(r.status, r.fault) for r in emulator.requests("POST /channels/*/messages")] == [
        (200, "stalled"),
        (200, None),
    ]


@pytest.fixture
def config() -> EmulatorConfig:
    buckets = fast_config().bucket_limits
    buckets["message_create"] = (2, 0.3)
    return fast_config(bucket_limits=buckets)


async def test_real_bucket_paces_discord_py_without_429(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    channel = await _channel(runner, world)
    started = time.monotonic()
    for index in range(3):
        await channel.send(f"m{index}")
    assert time.monotonic() - started >= 0.2  # the third send waited for the reset
    assert [r.status for r in emulator.requests("POST /channels/*/messages")] == [200] * 3

    url = f"{emulator.api_base}/channels/{world.news}/messages"
    answers = [
        await raw_request("POST", url, token=world.bot.token, json_body={"content": "x"})
        for _ in range(3)
    ]
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[1].headers["X-RateLimit-Remaining"] == "0"
    assert answers[2].body["global"] is False and 0 < answers[2].body["retry_after"] <= 0.3
    assert answers[2].headers["X-RateLimit-Scope"] == "user"
