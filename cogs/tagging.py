"""/tag and /chatsight status|history|help|follows: parse the interaction, call ChannelTagging
(cogs/discovery.py for help, follows and the choices of status), render."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.channel_access import require_posting_here
from bot.app.chatsight_bot import ChatsightBot
from bot.domain.convo_ids import Trigger
from bot.domain.records import Origin
from bot.language.catalogue import words_for
from bot.rendering.history import TAG_MAX_LENGTH
from bot.rendering.results import history_embed, started_embed, status_embed
from cogs.discovery import follows_answer, help_answer, recent_session_choices
from cogs.history import history_page
from cogs.subscriptions import (
    subscribe_answer,
    subscribe_choices,
    subscriptions_answer,
    unsubscribe_answer,
    unsubscribe_choices,
)


def origin_of(interaction: discord.Interaction) -> Origin:
    assert interaction.channel_id is not None
    return Origin(interaction.guild_id, interaction.channel_id, interaction.user.id)


class TaggingCog(commands.Cog):
    chatsight = app_commands.Group(
        name="chatsight", description="Chatsight stream tagging", guild_only=True
    )

    def __init__(self, bot: ChatsightBot) -> None:
        self.bot = bot

    @app_commands.command(name="tag", description="Tag a live stream with Chatsight")
    @app_commands.describe(
        url="The stream's URL (http, https, rtmp or rtmps)",
        seed="A sentence about the stream that helps Chatsight",
        follow="Sample the stream again every few minutes until it ends",
    )
    @app_commands.guild_only()
    async def tag(
        self,
        interaction: discord.Interaction,
        url: str,
        seed: str | None = None,
        follow: bool = False,
    ) -> None:
        tagging = self.bot.tagging
        tagging.check_request(url, seed)
        require_posting_here(interaction)
        admitted = await tagging.admit(
            origin_of(interaction), Trigger(interaction.id), url, seed, follow=follow
        )
        # The "thinking" message is the one the answer edits and the result replies to.
        deferred = await interaction.response.defer(thinking=True)
        session = await tagging.begin(admitted, deferred.message_id if deferred else None)
        # Public, like the result replying under it: in the server's language.
        started = started_embed(session, words=words_for(interaction.guild_locale))
        answer = await interaction.edit_original_response(embed=started)
        await tagging.answered(session, answer.id)

    @chatsight.command(name="status", description="Show a tagging session of this channel")
    @app_commands.describe(session="Type to pick one of this channel's (default: the latest)")
    async def status(self, interaction: discord.Interaction, session: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.channel_id is not None
        record = await self.bot.tagging.status(interaction.channel_id, session)
        embed = status_embed(record, words=words_for(interaction.locale))
        await interaction.followup.send(embed=embed, ephemeral=True)

    @status.autocomplete("session")
    async def status_sessions(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        return await recent_session_choices(interaction, typed)

    @chatsight.command(name="help", description="What you can use here")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=help_answer(interaction), ephemeral=True)

    @chatsight.command(name="follows", description="The streams followed in this channel")
    async def follows(self, interaction: discord.Interaction) -> None:
        embed, view = await follows_answer(interaction)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @chatsight.command(
        name="history", description="This channel's last sessions, or a tag's across the server"
    )
    @app_commands.describe(
        tag="Streams heard with this tag in every channel you can read, newest first"
    )
    async def history(
        self,
        interaction: discord.Interaction,
        tag: app_commands.Range[str, 1, TAG_MAX_LENGTH] | None = None,
    ) -> None:
        if tag is not None:
            embed, view = await history_page(interaction, tag, 0)
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
            return
        assert interaction.channel_id is not None
        sessions = await self.bot.tagging.history(interaction.channel_id)
        embed = history_embed(sessions, words=words_for(interaction.locale))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @chatsight.command(name="unfollow", description="Stop following the streams in this channel")
    @app_commands.checks.has_permissions(manage_messages=True)
    async def unfollow(self, interaction: discord.Interaction) -> None:
        assert interaction.channel_id is not None
        stopped = await self.bot.following.stop_in_channel(
            interaction.channel_id, interaction.user.id
        )
        words = words_for(interaction.locale)
        text = (
            words("cogs.tagging.unfollowed", count=len(stopped))
            if stopped
            else words("cogs.tagging.nothing_followed")
        )
        await interaction.response.send_message(text, ephemeral=True)

    @chatsight.command(name="subscribe", description="Be pinged when a stream here has a tag")
    @app_commands.describe(tag="A Chatsight tag; case does not matter")
    async def subscribe(self, interaction: discord.Interaction, tag: str) -> None:
        text = await subscribe_answer(interaction, tag)
        await interaction.response.send_message(text, ephemeral=True)

    @subscribe.autocomplete("tag")
    async def subscribe_tags(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        return await subscribe_choices(interaction, typed)

    @chatsight.command(name="unsubscribe", description="No longer be pinged for a tag")
    @app_commands.describe(tag="A tag you subscribed to")
    async def unsubscribe(self, interaction: discord.Interaction, tag: str) -> None:
        text = await unsubscribe_answer(interaction, tag)
        await interaction.response.send_message(text, ephemeral=True)

    @unsubscribe.autocomplete("tag")
    async def unsubscribe_tags(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        return await unsubscribe_choices(interaction, typed)

    @chatsight.command(name="subscriptions", description="The tags you are pinged for here")
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        text = await subscriptions_answer(interaction)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ChatsightBot) -> None:
    await bot.add_cog(TaggingCog(bot))
