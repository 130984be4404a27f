"""A bot removed from a guild, as Discord tells it (docs/discord-notes.md, GUILD_DELETE): a
GUILD_DELETE without ``unavailable``, which discord.py reads as a removal, and the guild's
channels closed to the bot from then on."""

from __future__ import annotations

import asyncio

import discord
import pytest

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World, raw_request


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


async def test_a_deleted_role_leaves_its_guild_members_and_overwrites(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    """As on Discord: GUILD_ROLE_DELETE, and the role gone from everywhere it was named."""
    await emulator.set_overwrite(world.general, world.mods, allow=discord.Permissions.none().value)
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    deleted = asyncio.ensure_future(bot.wait_for("guild_role_delete", timeout=5))
    await emulator.delete_role(world.mods)
    assert (await deleted).id == world.mods
    guild = bot.get_guild(world.guild)
    assert guild is not None and guild.get_role(world.mods) is None
    shown = await raw_request(
        "GET", f"{emulator.api_base}/guilds/{world.guild}", token=world.bot.token
    )
    assert str(world.mods) not in {role["id"] for role in shown.body["roles"]}
    member = await raw_request(
        "GET",
        f"{emulator.api_base}/guilds/{world.guild}/members/{world.bob}",
        token=world.bot.token,
    )
    assert member.body["roles"] == []
    channel = await raw_request(
        "GET", f"{emulator.api_base}/channels/{world.general}", token=world.bot.token
    )
    assert str(world.mods) not in {o["id"] for o in channel.body["permission_overwrites"]}
    with pytest.raises(ValueError, match="@everyone"):
        await emulator.delete_role(world.guild)
