"""Announcements in watched channels (their threads and forum posts too), as posted or edited,
and the "Tag stream" message menu: both start follows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.channel_access import require_posting_for_results
from bot.app.chatsight_bot import ChatsightBot
from bot.domain.convo_ids import Trigger
from bot.domain.stream_details import StreamDetails
from bot.errors import ChatsightBotError
from bot.language.catalogue import words_for
from bot.rendering.tag_stream import tag_stream_text
from bot.server.announcement import Announcement
from bot.server.autotag import CATCH_UP_MESSAGES, HELD_RETRY_S
from bot.store.base import StoreUnavailable

log = logging.getLogger(__name__)

TAGGING_REACTION = "🏷️"
CATEGORY_FIELDS = ("game", "category", "playing")


def announcement_of(message: discord.Message) -> Announcement:
    """A thread's parent comes from discord.py's cache, which holds every active thread the bot
    can see (GUILD_CREATE, THREAD_CREATE, THREAD_UPDATE), and messages come only in those."""
    assert message.guild is not None
    embed_urls = [url for embed in message.embeds for url in (embed.url, embed.video.url) if url]
    previews = [
        (
            embed.url,
            StreamDetails.of(embed.author.name, embed.title, _picture(embed), _category(embed)),
        )
        for embed in message.embeds
        if embed.url
    ]
    channel = message.channel
    parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
    return Announcement(
        message.guild.id,
        message.channel.id,
        message.id,
        message.author.id,
        message.content,
        embed_urls,
        parent_id,
        previews,
    )


def _picture(embed: discord.Embed) -> str | None:
    """A notifier's preview is its image or thumbnail; Discord's link preview, a thumbnail."""
    return embed.thumbnail.url or embed.image.url


def _category(embed: discord.Embed) -> str | None:
    """The game a notifier names, in a field it calls Game, Category or Playing."""
    for item in embed.fields:
        if (item.name or "").strip().casefold() in CATEGORY_FIELDS:
            return item.value
    return None


def _announced_in(
    guild: discord.Guild, channel_id: int
) -> list[discord.TextChannel | discord.Thread]:
    """Where a watched channel's announcements are posted: the channel itself (a text or news
    channel, or a thread watched by itself) and its active threads, a forum's posts among them
    (discord.py's cache holds every active thread the bot can see, from GUILD_CREATE on)."""
    channel = guild.get_channel_or_thread(channel_id)
    places: list[discord.TextChannel | discord.Thread] = []
    if isinstance(channel, discord.TextChannel | discord.Thread):  # a thread watched itself too
        places.append(channel)
    places.extend(thread for thread in guild.threads if thread.parent_id == channel_id)
    return places


async def _react(message: discord.Message) -> None:
    try:
        await message.add_reaction(TAGGING_REACTION)
    except discord.HTTPException as error:
        log.info("could not react to announcement %s: %s", message.id, error.text)


class AutoTagCog(commands.Cog):
    def __init__(self, bot: ChatsightBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Tag stream", callback=self.tag_message)
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._scan(message)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A (re)connection (a start, a deploy, a new gateway session): announcements posted
        while the bot was away come to nobody, so each watched channel's recent messages are
        scanned again (bot/server/autotag.py says how far back)."""
        try:
            since = await self.bot.autotagger.catch_up_since(guild.id)
        except StoreUnavailable as error:
            log.warning(
                "no catch-up of server %s: the database is unavailable (%s)", guild.id, error
            )
            return
        for channel_id, since_ms in since.items():
            after = datetime.fromtimestamp(since_ms / 1000, tz=UTC)
            for place in _announced_in(guild, channel_id):
                # Discord's last_message_id says whether anything came since: a quiet channel
                # or thread costs no request.
                last = place.last_message_id
                if last is None or discord.utils.snowflake_time(last) < after:
                    continue
                try:
                    # The newest, whose streams are likeliest still live, scanned in the order
                    # they came.
                    recent = [
                        message
                        async for message in place.history(
                            limit=CATCH_UP_MESSAGES, after=after, oldest_first=False
                        )
                    ]
                except discord.HTTPException as error:
                    log.info("no catch-up of channel %s: %s", place.id, error.text)
                    continue
                for message in reversed(recent):
                    await self._scan(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Edits count as announcements too (a notifier editing "LIVE" in, a link preview
        arriving late); the raw event, so that messages not in discord.py's cache count."""
        await self._scan(payload.message)

    async def _scan(self, message: discord.Message) -> None:
        if message.guild is None or message.author == self.bot.user:
            return
        try:
            started = await self.bot.autotagger.on_announcement(
                announcement_of(message), started_late=lambda: _react(message)
            )
        except ChatsightBotError as error:
            log.warning("auto-tagging message %s failed: %s", message.id, error.user_message)
            return
        except StoreUnavailable as error:
            # Held and tried again (bot/server/autotag.py): one line, not a traceback.
            log.warning(
                "message %s not auto-tagged yet, the database is unavailable (%s); tried again"
                " every %g s",
                message.id,
                error,
                HELD_RETRY_S,
            )
            return
        if started:
            await _react(message)

    async def tag_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        assert interaction.guild_id is not None
        settings = await self.bot.guild_config.get(interaction.guild_id)
        # Its results reply to that message, or go to the results channel, like an announcement's.
        require_posting_for_results(interaction, settings.results_channel_id)
        announcement = announcement_of(message)
        words = words_for(interaction.locale)
        if not announcement.stream_urls():
            # Nothing to start, so nothing of the member's cooldown is spent.
            await interaction.response.send_message(
                tag_stream_text(0, 0, 0, words=words), ephemeral=True
            )
            return
        # The origin and trigger on_demand derives its first session's convoId from.
        await self.bot.tagging.admit_member(
            announcement.origin(interaction.user.id, None), Trigger(interaction.id)
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.autotagger.on_demand(
            announcement, interaction.user.id, interaction.id
        )
        text = tag_stream_text(len(outcome.started), outcome.waiting, outcome.recent, words=words)
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: ChatsightBot) -> None:
    await bot.add_cog(AutoTagCog(bot))
