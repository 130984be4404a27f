"""Sharding: one guild per shard, each shard a separate discord.py client, as a bot with several
processes runs; ``GET /gateway/bot`` figures; close codes 4010 and 4011."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest

from standins.discord import BotApp, DiscordEmulator, EmulatorConfig
from standins.discord.__main__ import build_parser, config_from_args
from tests.discord_emulator.emu_helpers import (
    ClientRunner,
    ShardClient,
    fast_config,
    raw_request,
    validate_response,
)


@pytest.fixture
def config() -> EmulatorConfig:
    # One guild per shard is all a shard may hold here, so a single unsharded session
    # holding both guilds is refused with 4011.
    return fast_config(shards=2, max_concurrency=2, guilds_per_shard=1)


@dataclass
class Sharded:
    bot: BotApp
    alice: int
    guilds: list[int]  # guilds[n] lands on shard n of 2
    channels: list[int]


@pytest.fixture
async def sharded(emulator: DiscordEmulator) -> Sharded:
    bot = emulator.create_bot("Chatsight")
    alice = emulator.create_user("alice")
    guilds, channels = [], []
    for shard_id in (0, 1):
        guild = emulator.create_guild(f"Shard {shard_id}", shard=(shard_id, 2))
        channels.append(await emulator.create_channel(guild, "general"))
        await emulator.add_member(guild, alice)
        await emulator.add_member(guild, bot.user_id)
        guilds.append(guild)
    return Sharded(bot, alice, guilds, channels)


async def _identify(emulator: DiscordEmulator, token: str, shard: Any) -> tuple[int | None, Any]:
    """A raw IDENTIFY: the close code (or None) and the first frame after HELLO."""
    url = emulator.gateway_url + "?encoding=json&v=10"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_str()
        payload = {"token": token, "intents": 513, "properties": {}, "shard": shard}
        await ws.send_str(json.dumps({"op": 2, "d": payload}))
        message = await ws.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            return None, json.loads(message.data)
        return ws.close_code, None


async def test_created_guilds_land_on_the_chosen_shard(emulator: DiscordEmulator) -> None:
    ids = [emulator.create_guild(f"g{n}", shard=(n % 3, 3)) for n in range(6)]
    assert [(g >> 22) % 3 for g in ids] == [0, 1, 2, 0, 1, 2]
    assert ids == sorted(set(ids))
    control = f"{emulator.base_url}/_control/create_guild"
    made = await raw_request("POST", control, json_body={"name": "far", "shard": [3, 4]})
    assert (made.body["result"] >> 22) % 4 == 3
    bad = await raw_request("POST", control, json_body={"name": "bad", "shard": [4, 4]})
    assert bad.status == 400


async def test_gateway_bot_reports_the_configured_sharding(
    emulator: DiscordEmulator, sharded: Sharded
) -> None:
    url = f"{emulator.api_base}/gateway/bot"
    before = await raw_request("GET", url, token=sharded.bot.token)
    validate_response("GET", "/gateway/bot", 200, before.body)
    assert before.body == {
        "url": emulator.gateway_url,
        "shards": 2,
        "session_start_limit": {
            "total": 1000,
            "remaining": 1000,
            "reset_after": 86_400_000,
            "max_concurrency": 2,
        },
    }
    assert "X-RateLimit-Bucket" in before.headers
    code, ready = await _identify(emulator, sharded.bot.token, [1, 2])
    assert code is None and ready["t"] == "READY"
    limit = (await raw_request("GET", url, token=sharded.bot.token)).body["session_start_limit"]
    assert limit["remaining"] == 999
    assert 86_390_000 < limit["reset_after"] <= 86_400_000


def test_cli_flags_configure_sharding_and_limits() -> None:
    flags = "--shards 4 --max-concurrency 2 --identify-window 0.5 --guilds-per-shard 10"
    args = build_parser().parse_args([*flags.split(), "--invalid-request-limit", "50"])
    config = config_from_args(args)
    assert (config.shards, config.max_concurrency, config.identify_window) == (4, 2, 0.5)
    assert (config.guilds_per_shard, config.invalid_request_limit) == (10, 50)
    defaults = config_from_args(build_parser().parse_args([]))
    assert (defaults.shards, defaults.max_concurrency) == (1, 1)


async def test_each_shard_client_gets_only_its_guilds_events(
    emulator: DiscordEmulator, sharded: Sharded, runner: ClientRunner
) -> None:
    clients = [ShardClient(0, 2), ShardClient(1, 2)]
    # Shards 0 and 1 are different buckets under max_concurrency 2: both may identify at once.
    await asyncio.gather(*(runner.start(c, sharded.bot.token) for c in clients))
    assert emulator.identify_violations() == 0
    claims = sorted(s["shard"] for s in emulator.gateway_sessions(sharded.bot.user_id))
    assert claims == [[0, 2], [1, 2]]
    for shard_id, client in enumerate(clients):
        assert [g.id for g in client.guilds] == [sharded.guilds[shard_id]]

    # Events go out in order on each socket: were an event of the other guild routed to a
    # client, it would arrive before that client's own.
    first = [asyncio.ensure_future(c.wait_for("message", timeout=5)) for c in clients]
    await emulator.post_message(sharded.channels[1], sharded.alice, "one")
    await emulator.post_message(sharded.channels[0], sharded.alice, "zero")
    assert [(await f).content for f in first] == ["zero", "one"]

    commands = f"{emulator.api_base}/applications/{sharded.bot.application_id}/commands"
    body = [{"name": "ping", "description": "Ping", "type": 1}]
    assert (
        await raw_request("PUT", commands, token=sharded.bot.token, json_body=body)
    ).status == 200
    seen = [asyncio.ensure_future(c.wait_for("interaction", timeout=5)) for c in clients]
    for shard_id in (1, 0):
        await emulator.send_slash_command(
            sharded.guilds[shard_id], sharded.channels[shard_id], sharded.alice, "ping"
        )
    assert [(await f).guild_id for f in seen] == sharded.guilds


async def test_guild_joined_later_reaches_only_its_shard(
    emulator: DiscordEmulator, sharded: Sharded, runner: ClientRunner
) -> None:
    clients = [ShardClient(0, 2), ShardClient(1, 2)]
    await asyncio.gather(*(runner.start(c, sharded.bot.token) for c in clients))
    joined = [asyncio.ensure_future(c.wait_for("guild_join", timeout=5)) for c in clients]
    later = [emulator.create_guild(f"Later {n}", shard=(n, 2)) for n in (1, 0)]
    for guild in later:
        await emulator.add_member(guild, sharded.bot.user_id)
    assert [(await f).id for f in joined] == [later[1], later[0]]


async def test_invalid_shard_closes_with_4010(
    emulator: DiscordEmulator, sharded: Sharded, runner: ClientRunner
) -> None:
    with pytest.raises(discord.ConnectionClosed) as closed:
        await runner.start(ShardClient(2, 2), sharded.bot.token)
    assert closed.value.code == 4010
    for shard in ([0, 0], [-1, 2], ["0", 2], [0]):
        assert await _identify(emulator, sharded.bot.token, shard) == (4010, None)
    assert emulator.gateway_sessions() == []


async def test_too_many_guilds_for_one_shard_closes_with_4011(
    emulator: DiscordEmulator, sharded: Sharded
) -> None:
    assert await _identify(emulator, sharded.bot.token, None) == (4011, None)
    assert await _identify(emulator, sharded.bot.token, [0, 1]) == (4011, None)
    code, ready = await _identify(emulator, sharded.bot.token, [0, 2])
    assert code is None
    assert ready["d"]["shard"] == [0, 2]
    assert ready["d"]["guilds"] == [{"id": str(sharded.guilds[0]), "unavailable": True}]
