"""Gateway behaviour seen by a real discord.py client: resume, re-identify, intents."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from discord.ext import commands

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World


class NoWaitBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before every re-identify; tests need not."""


async def test_dropped_connection_resumes_and_replays_missed_events(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    (session,) = emulator.gateway.sessions_of(world.bot.user_id)
    resumed = asyncio.ensure_future(bot.wait_for("resumed", timeout=5))
    received = asyncio.ensure_future(
        bot.wait_for("message", check=lambda m: m.content == "while away", timeout=5)
    )
    await emulator.drop_gateway(world.bot.user_id)
    await emulator.post_message(world.general, world.alice, "while away")
    assert session.ws is None  # the event was buffered, not sent
    await resumed
    assert (await received).author.id == world.alice
    assert emulator.gateway.sessions_of(world.bot.user_id) == [session]
    assert session.ws is not None


async def test_invalid_session_makes_the_client_identify_again(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = NoWaitBot(command_prefix="!", intents=runner.make_bot().intents, guild_ready_timeout=0.05)
    await runner.start(bot, world.bot.token)
    (old,) = emulator.gateway.sessions_of(world.bot.user_id)
    await emulator.invalidate_session(world.bot.user_id)
    await emulator.wait_for(
        lambda: [
            s for s in emulator.gateway.sessions_of(world.bot.user_id) if s.id != old.id and s.ready
        ]
    )
    seen = asyncio.ensure_future(bot.wait_for("message", timeout=5))
    await emulator.post_message(world.general, world.alice, "after re-identify")
    assert (await seen).content == "after re-identify"


async def test_message_content_intent_rule(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot(message_content=False)
    await runner.start(bot, world.bot.token)
    contents: asyncio.Queue[str] = asyncio.Queue()

    async def on_message(message: object) -> None:
        contents.put_nowait(getattr(message, "content", "?"))

    bot.add_listener(on_message)
    await emulator.post_message(world.general, world.alice, "secret", embeds=[{"title": "hidden"}])
    await emulator.post_message(world.general, world.alice, f"<@{world.bot.user_id}> visible")
    await bot.get_channel(world.general).send("own message")  # type: ignore[union-attr]
    seen = [await asyncio.wait_for(contents.get(), 5) for _ in range(3)]
    assert seen == ["", f"<@{world.bot.user_id}> visible", "own message"]
    # Discord stores the full message; only the gateway view is stripped.
    assert emulator.messages(world.general)[0].content == "secret"


async def test_raw_gateway_handshake_heartbeat_and_bad_resume(
    emulator: DiscordEmulator, world: World
) -> None:
    url = emulator.gateway_url + "?encoding=json&v=10&compress=zlib-stream"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = json.loads(await ws.receive_str())
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 2000
        await ws.send_str(json.dumps({"op": 1, "d": None}))
        assert json.loads(await ws.receive_str())["op"] == 11
        await ws.send_str(
            json.dumps(
                {
                    "op": 2,
                    "d": {
                        "token": world.bot.token,
                        "intents": 513,
                        "shard": [0, 1],
                        "properties": {},
                    },
                }
            )
        )
        ready = json.loads(await ws.receive_str())
        assert ready["t"] == "READY" and ready["s"] == 1
        assert ready["d"]["application"]["id"] == str(world.bot.application_id)
        assert ready["d"]["resume_gateway_url"] == emulator.gateway_url
        guild = json.loads(await ws.receive_str())
        assert guild["t"] == "GUILD_CREATE" and guild["s"] == 2
        assert guild["d"]["member_count"] == 4 and len(guild["d"]["members"]) == 1
        overwrites = {c["name"]: c["permission_overwrites"] for c in guild["d"]["channels"]}
        assert overwrites["staff"][0]["deny"] == str(1 << 10)
        await emulator.request_heartbeat(world.bot.user_id)
        assert json.loads(await ws.receive_str())["op"] == 1

    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_str()
        await ws.send_str(
            json.dumps({"op": 6, "d": {"token": world.bot.token, "session_id": "nope", "seq": 1}})
        )
        assert json.loads(await ws.receive_str()) == {"op": 9, "d": False}

    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_str()
        await ws.send_str(json.dumps({"op": 2, "d": {"token": "wrong", "intents": 1}}))
        await ws.receive()
        assert ws.close_code == 4004
