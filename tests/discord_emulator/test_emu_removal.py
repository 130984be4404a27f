"""A bot removed from a guild, as Discord tells it (docs/discord-notes.md, GUILD_DELETE): a
GUILD_DELETE without ``unavailable``, which discord.py reads as a removal, and the guild's
channels closed to the bot from then on."""

from __future__ import annotations

import asyncio

import discord
import pytest

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World


async def test_a_removed_bot_gets_guild_delete_and_no_more_access(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    removed = asyncio.ensure_future(bot.wait_for("guild_remove", timeout=5))
    unavailable = asyncio.ensure_future(bot.wait_for("guild_unavailable", timeout=1))
    await emulator.remove_member(world.guild, world.bot.user_id)
    assert (await removed).id == world.guild
    assert bot.get_guild(world.guild) is None
    await asyncio.wait([unavailable])
    assert isinstance(unavailable.exception(), TimeoutError)  # a removal, not an outage
    with pytest.raises(discord.Forbidden) as refused:
        await bot.get_partial_messageable(world.general).send("still here?")
    assert refused.value.code == 50001  # Missing Access
