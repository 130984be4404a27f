"""``/chatsight-config autotag …`` and ``seed …``: which announcements are tagged, how often a
followed stream is sampled, and the sentence that helps Chatsight."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.channel_access import require_posting_in
from cogs.config_base import ConfigGroup, WatchedChannel, answer, bot_of, guild_of, member_words


class AutotagGroup(ConfigGroup, name="autotag", description="Auto-tagging of announced streams"):
    @app_commands.command(name="add", description="Tag streams announced in a channel")
    @app_commands.describe(channel="A channel, forum or thread where streams are announced")
    async def autotag_add(self, interaction: discord.Interaction, channel: WatchedChannel) -> None:
        require_posting_in(channel)  # results reply under the announcements by default
        bot, words = bot_of(interaction), member_words(interaction)
        settings = await bot.guild_config.watch_channel(guild_of(interaction), channel.id, True)
        text = words("cogs.config.autotag_added", channel=channel.mention)
        if not bot.content_intent:
            text += "\n" + words("cogs.config.autotag_no_content_intent")
        await answer(interaction, text, settings)

    @app_commands.command(name="remove", description="Stop tagging a channel's announcements")
    @app_commands.describe(channel="A watched channel")
    async def autotag_remove(
        self, interaction: discord.Interaction, channel: WatchedChannel
    ) -> None:
        settings = await bot_of(interaction).guild_config.watch_channel(
            guild_of(interaction), channel.id, False
        )
        text = member_words(interaction)("cogs.config.autotag_removed", channel=channel.mention)
        await answer(interaction, text, settings)

    @app_commands.command(name="list", description="The channels watched for announcements")
    async def autotag_list(self, interaction: discord.Interaction) -> None:
        settings = await bot_of(interaction).guild_config.get(guild_of(interaction))
        words = member_words(interaction)
        watched = ", ".join(f"<#{c}>" for c in settings.autotag_channel_ids)
        text = words("cogs.config.autotag_watched", channels=watched or words("cogs.config.none"))
        await answer(interaction, text, changed=False)

    @app_commands.command(
        name="interval", description="Minutes between samples of a followed stream"
    )
    @app_commands.describe(minutes="1 to 240; the default is 10")
    async def autotag_interval(
        self, interaction: discord.Interaction, minutes: app_commands.Range[int, 1, 240]
    ) -> None:
        await bot_of(interaction).guild_config.set_interval(guild_of(interaction), minutes)
        text = member_words(interaction)("cogs.config.autotag_interval", minutes=minutes)
        await answer(interaction, text)


class SeedGroup(ConfigGroup, name="seed", description="The default seed sentence"):
    @app_commands.command(
        name="set", description="A default seed sentence for this server's sessions"
    )
    @app_commands.describe(sentence="A sentence about this server's streams that helps Chatsight")
    async def seed_set(self, interaction: discord.Interaction, sentence: str) -> None:
        settings = await bot_of(interaction).guild_config.set_seed(guild_of(interaction), sentence)
        text = member_words(interaction)("cogs.config.seed_set", seed=settings.seed)
        await answer(interaction, text)

    @app_commands.command(name="clear", description="Remove the default seed sentence")
    async def seed_clear(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).guild_config.set_seed(guild_of(interaction), None)
        await answer(interaction, member_words(interaction)("cogs.config.seed_cleared"))
