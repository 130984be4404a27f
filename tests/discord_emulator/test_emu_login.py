from __future__ import annotations

import discord

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World


async def test_real_client_logs_in_and_sees_guild(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)
    await emulator.wait_until_ready(world.bot.user_id)
    assert bot.user is not None and bot.user.id == world.bot.user_id
    assert bot.application_id == world.bot.application_id
    guild = bot.get_guild(world.guild)
    assert guild is not None
    assert {c.name for c in guild.text_channels} >= {"general", "news", "staff", "rules"}
    assert isinstance(guild.get_channel(world.news), discord.TextChannel)
    assert guild.get_channel(world.news).is_news()  # type: ignore[union-attr]
    assert {r.name for r in guild.roles} == {"@everyone", "Mods"}
    assert guild.me is not None
    assert guild.get_member(world.bob) is not None
    mods = guild.get_role(world.mods)
    assert mods is not None and mods in guild.get_member(world.bob).roles  # type: ignore[union-attr]
    staff = guild.get_channel(world.hidden)
    assert staff is not None and not staff.permissions_for(guild.me).view_channel
