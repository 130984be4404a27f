"""Discord's side of the delivery tests: the bot in one channel of the emulator, a REST-only
discord.py client, and the moment a post is interrupted.

The interruption is an aiohttp trace that raises the moment Discord has answered a post, before
the bot reads the answer: the message is in the channel, and the bot does not know it. What it
raises says what happened then: a lost answer (``aiohttp.ServerDisconnectedError``), a graceful
stop (``asyncio.CancelledError``), or a kill (``Killed``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from standins.discord import DiscordEmulator
from standins.discord.discordpy import point_discord_py
from tests.discord_emulator.emu_helpers import fast_config


@dataclass
class BotChannel:
    emu: DiscordEmulator
    token: str
    bot_user: int
    guild: int
    channel: int


@contextlib.asynccontextmanager
async def bot_in_a_channel(name: str) -> AsyncIterator[BotChannel]:
    """The bot, a member of one server with one channel; discord.py pointed at the emulator."""
    async with DiscordEmulator(fast_config()) as emu:
        restore = point_discord_py(emu.api_base, emu.gateway_url)
        try:
            app = emu.create_bot("Chatsight")
            guild = emu.create_guild("Streamers")
            channel = await emu.create_channel(guild, name)
            await emu.add_member(guild, app.user_id)
            yield BotChannel(emu, app.token, app.user_id, guild, channel)
        finally:
            restore()


class Killed(BaseException):
    """The process ends here: nothing of the bot's catches it, as nothing survives a kill."""


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


def interrupted_after_post(
    failure: Callable[[], BaseException], number: int = 1
) -> aiohttp.TraceConfig:
    """Raises ``failure()`` the moment Discord has answered the ``number``-th post."""
    trace, posts = aiohttp.TraceConfig(), []

    async def on_request_end(_: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.method == "POST" and params.url.path.endswith("/messages"):
            posts.append(params.url)
            if len(posts) == number:
                raise failure()

    trace.on_request_end.append(on_request_end)
    return trace
