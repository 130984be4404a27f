"""What every ``/chatsight-config`` subgroup shares: the Manage Server check, the answer to the
member who changed a setting, and the channel types a setting takes.

Each subgroup is an ``app_commands.Group`` subclass bound to itself, not to ``ConfigCog``, so
discord.py asks the group's own ``interaction_check``: it must enforce Manage Server as the
cog's does (default member permissions only hide the command; an admin can grant it to anyone).
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.chatsight_bot import ChatsightBot
from bot.app.tree import NotAServerManager
from bot.domain.server_records import GuildSettings
from bot.language.catalogue import Words, words_for
from bot.rendering.server import config_embed

Channel = discord.TextChannel
# Results may go to a thread; announcements are read in a channel's threads and a forum's posts.
ResultsChannel = discord.TextChannel | discord.Thread
WatchedChannel = discord.TextChannel | discord.ForumChannel | discord.Thread


def guild_of(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id


def bot_of(interaction: discord.Interaction) -> ChatsightBot:
    client = interaction.client
    assert isinstance(client, ChatsightBot)
    return client


def require_server_manager(interaction: discord.Interaction) -> bool:
    if not interaction.permissions.manage_guild:
        raise NotAServerManager()
    return True


def member_words(interaction: discord.Interaction) -> Words:
    """Every configuration answer is private: the member's language."""
    return words_for(interaction.locale)


async def answer(
    interaction: discord.Interaction,
    text: str,
    settings: GuildSettings | None = None,
    *,
    changed: bool = True,
) -> None:
    """The answer to a change, with the configuration it left when given. ``changed``: a
    breakage found later is told in the channel of the last change."""
    bot = bot_of(interaction)
    if changed and interaction.channel_id is not None:
        await bot.upkeep.changed_in(guild_of(interaction), interaction.channel_id)
    if settings is None:
        await interaction.response.send_message(text, ephemeral=True)
        return
    embed = config_embed(
        settings, content_intent=bot.content_intent, words=member_words(interaction)
    )
    await interaction.response.send_message(text or None, embed=embed, ephemeral=True)


class ConfigGroup(app_commands.Group):
    """A ``/chatsight-config`` subgroup: Manage Server only, like the cog."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_server_manager(interaction)
