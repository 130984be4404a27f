"""/chatsight-config: per-server settings, for members with Manage Server only.

Discord nests commands at most group → subgroup → command, and default member permissions apply
to a top-level command as a whole; so configuration is its own top-level group instead of
``/chatsight config …`` (which would also hide /chatsight status from everyone else).

This cog holds the group's own commands; each subgroup is a module of its own
(cogs/config_channels.py, config_alerts.py, config_digest.py, sharing cogs/config_base.py).
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.channel_access import require_posting_in
from bot.app.chatsight_bot import ChatsightBot
from bot.app.config_health import config_problems
from bot.rendering.digest import with_digest
from bot.rendering.server import config_embed
from cogs.config_alerts import AlertsGroup
from cogs.config_base import (
    ResultsChannel,
    answer,
    guild_of,
    member_words,
    require_server_manager,
)
from cogs.config_channels import AutotagGroup, SeedGroup
from cogs.config_digest import DigestGroup


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class ConfigCog(
    commands.GroupCog,
    group_name="chatsight-config",
    group_description="Configure Chatsight for this server",
):
    """Group-level default permissions hide it; ``interaction_check`` enforces it server-side
    (each subgroup's too: cogs/config_base.py)."""

    autotag = AutotagGroup()
    seed = SeedGroup()
    alerts = AlertsGroup()
    digest = DigestGroup()

    def __init__(self, bot: ChatsightBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_server_manager(interaction)

    @app_commands.command(name="show", description="Show this server's configuration")
    async def show(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        assert guild is not None
        settings = await self.bot.guild_config.get(guild.id)
        digest = await self.bot.digest_config.get(guild.id)
        words = member_words(interaction)
        embed = config_embed(
            settings,
            content_intent=self.bot.content_intent,
            words=words,
            problems=config_problems(guild, settings),
            waiting=await self.bot.upkeep.waiting(guild.id),
        )
        await interaction.response.send_message(
            embed=with_digest(embed, digest, settings, words=words), ephemeral=True
        )

    @app_commands.command(name="results", description="Where auto-tag results go")
    @app_commands.describe(channel="A channel for results; leave empty to reply to announcements")
    async def results(
        self, interaction: discord.Interaction, channel: ResultsChannel | None = None
    ) -> None:
        if channel is not None:
            require_posting_in(channel)
        config = self.bot.guild_config
        await config.set_results_channel(guild_of(interaction), channel.id if channel else None)
        words = member_words(interaction)
        text = (
            words("cogs.config.results_channel", channel=channel.mention)
            if channel
            else words("cogs.config.results_replies")
        )
        await answer(interaction, text)

    @app_commands.command(name="subscriptions", description="Members' pings for their tags")
    @app_commands.describe(state="on: members subscribed to a tag are pinged; off: nobody is")
    async def subscriptions(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        await self.bot.subscriptions.switch(guild_of(interaction), state == "on")
        await answer(interaction, member_words(interaction)(f"cogs.config.subscriptions_{state}"))


async def setup(bot: ChatsightBot) -> None:
    await bot.add_cog(ConfigCog(bot))
