"""The invalid-request limit: which answers count, the Cloudflare ban past the limit, and how
the real discord.py sees the ban; and which answers carry rate-limit headers."""

from __future__ import annotations

import asyncio

import discord
import pytest

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World, raw_request

ROUTE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-After",
    "X-RateLimit-Bucket",
)


def _count(emulator: DiscordEmulator) -> int:
    count: int = emulator.invalid_requests()["count"]
    return count


async def test_only_401_403_and_unshared_429_count(emulator: DiscordEmulator, world: World) -> None:
    api, token = emulator.api_base, world.bot.token
    await raw_request("GET", f"{api}/channels/{world.general}/messages/1", token=token)  # 404
    await raw_request("GET", f"{api}/users/@me", token=token)  # 200
    assert _count(emulator) == 0
    assert (await raw_request("GET", f"{api}/users/@me", token="revoked")).status == 401
    hidden = await raw_request(
        "POST", f"{api}/channels/{world.hidden}/messages", token=token, json_body={"content": "x"}
    )
    assert hidden.status == 403
    emulator.inject_ratelimit("GET /users/@me", retry_after=0.1)
    limited = await raw_request("GET", f"{api}/users/@me", token=token)
    assert limited.status == 429 and limited.headers["Via"] == "1.1 google"
    assert _count(emulator) == 3
    emulator.inject_ratelimit("GET /users/@me", retry_after=0.1, shared=True)
    shared = await raw_request("GET", f"{api}/users/@me", token=token)
    assert shared.status == 429 and shared.headers["X-RateLimit-Scope"] == "shared"
    assert all(h in shared.headers for h in ROUTE_HEADERS)  # a shared 429 names its bucket
    assert _count(emulator) == 3


async def test_counts_roll_out_of_the_window(emulator: DiscordEmulator, world: World) -> None:
    emulator.set_invalid_request_limit(100, window=0.1)
    for _ in range(2):
        await raw_request("GET", f"{emulator.api_base}/users/@me", token="revoked")
    assert _count(emulator) == 2
    await asyncio.sleep(0.15)
    assert _count(emulator) == 0


async def test_misbehaving_client_gets_the_address_banned_and_discord_py_sees_cloudflare(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    control = f"{emulator.base_url}/_control"
    await raw_request("POST", f"{control}/set_invalid_request_limit", json_body={"limit": 5})

    # Another process on the same host keeps using a revoked token.
    me = f"{emulator.api_base}/users/@me"
    statuses = [(await raw_request("GET", me, token="revoked")).status for _ in range(6)]
    assert statuses == [401] * 6
    report = (await raw_request("POST", f"{control}/invalid_requests", json_body={})).body
    assert report["result"]["count"] == 0 and report["result"]["banned_for"] > 3000

    banned = await raw_request("GET", me, token=world.bot.token)
    assert banned.status == 429
    assert "Via" not in banned.headers
    assert not any(h in banned.headers for h in ROUTE_HEADERS)
    assert banned.headers["Content-Type"].startswith("text/html")
    assert "Error 1015" in banned.body

    # The whole address is banned, the well-behaved bot included; discord.py does not wait
    # a Cloudflare ban out but raises the plain HTTPException.
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("during the ban")
    assert type(raised.value) is discord.HTTPException
    assert raised.value.status == 429 and "Error 1015" in raised.value.text
    assert emulator.messages(world.general) == []
    assert [r.fault for r in emulator.requests("POST /channels/*/messages")] == ["cloudflare-ban"]

    emulator.lift_ban()
    await channel.send("after the ban")
    assert [m.content for m in emulator.messages(world.general)] == ["after the ban"]


async def test_rate_limit_headers_only_where_a_bucket_applies(
    emulator: DiscordEmulator, world: World
) -> None:
    api, token = emulator.api_base, world.bot.token
    known = await raw_request("GET", f"{api}/users/@me", token=token)
    assert all(h in known.headers for h in ROUTE_HEADERS)
    unknown = await raw_request("GET", f"{api}/no/such/route", token=token)
    assert unknown.status == 404 and unknown.headers["Via"] == "1.1 google"
    assert not any(h in unknown.headers for h in ROUTE_HEADERS)
    emulator.inject_ratelimit("GET /users/@me", retry_after=0.1, is_global=True)
    global_429 = await raw_request("GET", f"{api}/users/@me", token=token)
    assert global_429.status == 429 and global_429.headers["X-RateLimit-Global"] == "true"
    assert not any(h in global_429.headers for h in ROUTE_HEADERS)
    with pytest.raises(ValueError, match="either global or shared"):
        emulator.inject_ratelimit("GET /users/@me", is_global=True, shared=True)
