"""Intents at IDENTIFY: 4013 for an intent Discord does not document, 4014 for a privileged one
the application is not allowed, the application's flags as a test sets them, and the switch
that makes the gateway refuse an intent the flags still claim."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import discord
import pytest

from standins.discord import DiscordEmulator
from standins.discord.intents import (
    GATEWAY_MESSAGE_CONTENT,
    GATEWAY_MESSAGE_CONTENT_LIMITED,
    GUILD_MEMBERS,
    GUILD_PRESENCES,
    MESSAGE_CONTENT,
)
from tests.discord_emulator.emu_helpers import ClientRunner, World, raw_request

GUILDS_AND_MESSAGES = (1 << 0) | (1 << 9)


async def _identify(emulator: DiscordEmulator, token: str, intents: Any) -> int | None:
    """A raw IDENTIFY: the close code, or None when READY came."""
    url = emulator.gateway_url + "?encoding=json&v=10"
    payload: dict[str, Any] = {"token": token, "properties": {}}
    if intents is not None:
        payload["intents"] = intents
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_str()
        await ws.send_str(json.dumps({"op": 2, "d": payload}))
        message = await ws.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            assert json.loads(message.data)["t"] == "READY"
            return None
        return ws.close_code


@pytest.mark.parametrize("intents", [1 << 17, 1 << 30, -1, "513", 1.5, None])
async def test_undocumented_or_malformed_intents_close_with_4013(
    emulator: DiscordEmulator, world: World, intents: Any
) -> None:
    assert await _identify(emulator, world.bot.token, intents) == 4013


async def test_every_intent_discord_py_knows_is_documented(
    emulator: DiscordEmulator, world: World
) -> None:
    emulator.set_application_flags(world.bot.user_id, (1 << 12) | (1 << 14) | (1 << 18))
    assert await _identify(emulator, world.bot.token, discord.Intents.all().value) is None


@pytest.mark.parametrize("privileged", [MESSAGE_CONTENT, GUILD_MEMBERS, GUILD_PRESENCES])
async def test_a_privileged_intent_the_application_lacks_closes_with_4014(
    emulator: DiscordEmulator, world: World, privileged: int
) -> None:
    emulator.set_application_flags(world.bot.user_id, 0)
    token = world.bot.token
    assert await _identify(emulator, token, GUILDS_AND_MESSAGES | privileged) == 4014
    assert await _identify(emulator, token, GUILDS_AND_MESSAGES) is None


@pytest.mark.parametrize("flag", [GATEWAY_MESSAGE_CONTENT, GATEWAY_MESSAGE_CONTENT_LIMITED])
async def test_either_message_content_flag_allows_the_intent(
    emulator: DiscordEmulator, world: World, flag: int
) -> None:
    emulator.set_application_flags(world.bot.user_id, flag)
    assert await _identify(emulator, world.bot.token, GUILDS_AND_MESSAGES | MESSAGE_CONTENT) is None
    assert await _identify(emulator, world.bot.token, GUILDS_AND_MESSAGES | GUILD_MEMBERS) == 4014


async def test_flags_set_over_the_control_api_are_what_rest_answers(
    emulator: DiscordEmulator, world: World
) -> None:
    control = f"{emulator.base_url}/_control/set_application_flags"
    body = {"bot_user_id": world.bot.user_id, "flags": GATEWAY_MESSAGE_CONTENT}
    assert (await raw_request("POST", control, json_body=body)).status == 200
    url = f"{emulator.api_base}/oauth2/applications/@me"
    app = await raw_request("GET", url, token=world.bot.token)
    assert app.body["flags"] == GATEWAY_MESSAGE_CONTENT


async def test_the_gateway_may_refuse_an_intent_the_flags_still_claim(
    emulator: DiscordEmulator, world: World
) -> None:
    emulator.set_application_flags(world.bot.user_id, GATEWAY_MESSAGE_CONTENT_LIMITED)
    emulator.refuse_intents(world.bot.user_id, MESSAGE_CONTENT)
    token = world.bot.token
    assert await _identify(emulator, token, GUILDS_AND_MESSAGES | MESSAGE_CONTENT) == 4014
    emulator.refuse_intents(world.bot.user_id, 0)
    assert await _identify(emulator, token, GUILDS_AND_MESSAGES | MESSAGE_CONTENT) is None


async def test_discord_py_raises_privileged_intents_required(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    emulator.set_application_flags(world.bot.user_id, 0)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await runner.start(runner.make_bot(members=False), world.bot.token)
    # Without the intent the same application connects.
    await runner.start(runner.make_bot(message_content=False, members=False), world.bot.token)
