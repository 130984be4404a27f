"""/chatsight-config: per-server settings, for members with Manage Server only.

Discord nests commands at most group → subgroup → command, and default member permissions apply
to a top-level command as a whole; so configuration is its own top-level group instead of
``/chatsight config …`` (which would also hide /chatsight status from everyone else).
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.channel_access import require_posting_in
from bot.app.chatsight_bot import ChatsightBot
from bot.app.config_health import config_problems, role_mentionable
from bot.domain.digests import DEFAULT_TIMEZONE, WEEKDAYS, time_zones
from bot.domain.refusals import RoleNotMentionable
from bot.domain.server_records import GuildSettings
from bot.errors import ChatsightBotError
from bot.rendering.digest import schedule_text, with_digest
from bot.rendering.radar import radar_embed, radar_view
from bot.rendering.server import alert_window_text, config_embed, expectations_text
from cogs.discovery import alert_tag_choices

Channel = discord.TextChannel
# Results may go to a thread; announcements are read in a channel's threads and a forum's posts.
ResultsChannel = discord.TextChannel | discord.Thread
WatchedChannel = discord.TextChannel | discord.ForumChannel | discord.Thread
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class NotAServerManager(app_commands.CheckFailure, ChatsightBotError):
    """A check failure (so the tree's error handler answers it) that names the permission as
    Discord's server settings do, "Manage Server", rather than the API's ``manage_guild``."""

    def __init__(self) -> None:
        ChatsightBotError.__init__(
            self, "You need the Manage Server permission to configure Chatsight."
        )


def guild_of(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class ConfigCog(
    commands.GroupCog,
    group_name="chatsight-config",
    group_description="Configure Chatsight for this server",
):
    """Group-level default permissions hide it; ``interaction_check`` enforces it server-side."""

    autotag = app_commands.Group(name="autotag", description="Auto-tagging of announced streams")
    seed = app_commands.Group(name="seed", description="The default seed sentence")
    alerts = app_commands.Group(name="alerts", description="Moderator alerts")
    digest = app_commands.Group(name="digest", description="The weekly digest")

    def __init__(self, bot: ChatsightBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not interaction.permissions.manage_guild:
            raise NotAServerManager()
        return True

    async def _answer(
        self,
        interaction: discord.Interaction,
        text: str,
        settings: GuildSettings | None = None,
        *,
        changed: bool = True,
    ) -> None:
        """``changed``: a breakage found later is told in the channel of the last change."""
        if changed and interaction.channel_id is not None:
            await self.bot.upkeep.changed_in(guild_of(interaction), interaction.channel_id)
        if settings is None:
            await interaction.response.send_message(text, ephemeral=True)
            return
        embed = config_embed(settings, content_intent=self.bot.content_intent)
        await interaction.response.send_message(text or None, embed=embed, ephemeral=True)

    @app_commands.command(name="show", description="Show this server's configuration")
    async def show(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        assert guild is not None
        settings = await self.bot.guild_config.get(guild.id)
        digest = await self.bot.digest_config.get(guild.id)
        embed = config_embed(
            settings,
            content_intent=self.bot.content_intent,
            problems=config_problems(guild, settings),
            waiting=await self.bot.upkeep.waiting(guild.id),
        )
        await interaction.response.send_message(
            embed=with_digest(embed, digest, settings), ephemeral=True
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
        where = channel.mention if channel else "a reply under each announcement"
        await self._answer(interaction, f"Auto-tag results now go to {where}.")

    @app_commands.command(name="subscriptions", description="Members' pings for their tags")
    @app_commands.describe(state="on: members subscribed to a tag are pinged; off: nobody is")
    async def subscriptions(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        await self.bot.subscriptions.switch(guild_of(interaction), state == "on")
        await self._answer(interaction, f"Pings for members' tag subscriptions: {state}.")

    @autotag.command(name="add", description="Tag streams announced in a channel")
    @app_commands.describe(channel="A channel, forum or thread where streams are announced")
    async def autotag_add(self, interaction: discord.Interaction, channel: WatchedChannel) -> None:
        require_posting_in(channel)  # results reply under the announcements by default
        settings = await self.bot.guild_config.watch_channel(
            guild_of(interaction), channel.id, True
        )
        text = f"Streams announced in {channel.mention} are now tagged automatically."
        if not self.bot.content_intent:
            text += (
                "\n**Warning:** this bot runs without the Message Content intent, so it cannot"
                " read announcements yet. Ask the bot's operator to enable it."
            )
        await self._answer(interaction, text, settings)

    @autotag.command(name="remove", description="Stop tagging a channel's announcements")
    @app_commands.describe(channel="A watched channel")
    async def autotag_remove(
        self, interaction: discord.Interaction, channel: WatchedChannel
    ) -> None:
        settings = await self.bot.guild_config.watch_channel(
            guild_of(interaction), channel.id, False
        )
        await self._answer(interaction, f"{channel.mention} is no longer watched.", settings)

    @autotag.command(name="list", description="The channels watched for announcements")
    async def autotag_list(self, interaction: discord.Interaction) -> None:
        settings = await self.bot.guild_config.get(guild_of(interaction))
        watched = ", ".join(f"<#{c}>" for c in settings.autotag_channel_ids) or "none"
        await self._answer(interaction, f"Watched channels: {watched}", changed=False)

    @autotag.command(name="interval", description="Minutes between samples of a followed stream")
    @app_commands.describe(minutes="1 to 240; the default is 10")
    async def autotag_interval(
        self, interaction: discord.Interaction, minutes: app_commands.Range[int, 1, 240]
    ) -> None:
        await self.bot.guild_config.set_interval(guild_of(interaction), minutes)
        await self._answer(interaction, f"Followed streams are now sampled every {minutes} min.")

    @seed.command(name="set", description="A default seed sentence for this server's sessions")
    @app_commands.describe(sentence="A sentence about this server's streams that helps Chatsight")
    async def seed_set(self, interaction: discord.Interaction, sentence: str) -> None:
        settings = await self.bot.guild_config.set_seed(guild_of(interaction), sentence)
        await self._answer(interaction, f"Seed sentence set to: {settings.seed}")

    @seed.command(name="clear", description="Remove the default seed sentence")
    async def seed_clear(self, interaction: discord.Interaction) -> None:
        await self.bot.guild_config.set_seed(guild_of(interaction), None)
        await self._answer(interaction, "Seed sentence cleared.")

    @alerts.command(name="channel", description="Where moderator alerts are posted")
    @app_commands.describe(channel="A channel your moderators read")
    async def alerts_channel(self, interaction: discord.Interaction, channel: Channel) -> None:
        require_posting_in(channel)
        await self.bot.guild_config.set_alert_channel(guild_of(interaction), channel.id)
        await self._answer(interaction, f"Moderator alerts now go to {channel.mention}.")

    @alerts.command(name="off", description="Stop posting moderator alerts")
    async def alerts_off(self, interaction: discord.Interaction) -> None:
        await self.bot.guild_config.set_alert_channel(guild_of(interaction), None)
        await self._answer(
            interaction, "Moderator alerts are off; their role and tags are kept for later."
        )

    @alerts.command(name="role", description="The role an alert mentions (empty: none)")
    @app_commands.describe(role="The only role an alert pings; leave empty for none")
    async def alerts_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        guild = interaction.guild
        if role is not None and guild is not None and not role_mentionable(guild, role):
            raise RoleNotMentionable(role.id)
        await self.bot.guild_config.set_alert_role(guild_of(interaction), role.id if role else None)
        text = f"Alerts now mention {role.mention}." if role else "Alerts mention no role now."
        await self._answer(interaction, text)

    @alerts.command(name="tags-add", description="Tags that raise an alert (comma-separated)")
    @app_commands.describe(tags="Chatsight tags, separated by commas; case does not matter")
    async def alerts_tags_add(self, interaction: discord.Interaction, tags: str) -> None:
        settings = await self.bot.guild_config.change_alert_tags(
            guild_of(interaction), tags, add=True
        )
        await self._answer(interaction, "Alert tags: " + ", ".join(settings.alert_tags))

    @alerts.command(name="tags-remove", description="Tags that no longer raise an alert")
    @app_commands.describe(tags="Alert tags to drop, separated by commas")
    async def alerts_tags_remove(self, interaction: discord.Interaction, tags: str) -> None:
        settings = await self.bot.guild_config.change_alert_tags(
            guild_of(interaction), tags, add=False
        )
        await self._answer(interaction, "Alert tags: " + (", ".join(settings.alert_tags) or "none"))

    @alerts_tags_add.autocomplete("tags")
    async def published_tags(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        return await alert_tag_choices(interaction, typed, adding=True)

    @alerts_tags_remove.autocomplete("tags")
    async def alerted_tags(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        return await alert_tag_choices(interaction, typed, adding=False)

    @alerts.command(name="radar", description="Tags heard here outside Chatsight's list")
    async def alerts_radar(self, interaction: discord.Interaction) -> None:
        entries = await self.bot.radar.heard(guild_of(interaction))
        await interaction.response.send_message(
            embed=radar_embed(entries), view=radar_view(entries), ephemeral=True
        )

    @alerts.command(name="undocumented", description="Alert on tags outside Chatsight's list")
    @app_commands.describe(state="on or off")
    async def alerts_undocumented(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        await self.bot.guild_config.set_alert_switch(
            guild_of(interaction), "alert_undocumented", state == "on"
        )
        await self._answer(interaction, f"Alerts on undocumented tags: {state}.")

    @alerts.command(name="errors", description="Alert when a session fails")
    @app_commands.describe(state="on or off")
    async def alerts_errors(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        await self.bot.guild_config.set_alert_switch(
            guild_of(interaction), "alert_errors", state == "on"
        )
        await self._answer(interaction, f"Alerts on session errors: {state}.")

    @alerts.command(name="window", description="How often a followed stream must be flagged")
    @app_commands.describe(
        hits="Samples heard flagged (default 2)", samples="Of the last this many (default 3)"
    )
    async def alerts_window(
        self,
        interaction: discord.Interaction,
        hits: app_commands.Range[int, 1, 10],
        samples: app_commands.Range[int, 1, 10],
    ) -> None:
        settings = await self.bot.guild_config.set_alert_window(
            guild_of(interaction), hits, samples
        )
        await self._answer(interaction, f"Followed streams alert {alert_window_text(settings)}.")

    @alerts.command(name="reping", description="Minutes before an unacknowledged alert pings again")
    @app_commands.describe(minutes="1 to 240; the default is 10; it pings again once")
    async def alerts_reping(
        self, interaction: discord.Interaction, minutes: app_commands.Range[int, 1, 240]
    ) -> None:
        settings = await self.bot.guild_config.set_reping_minutes(guild_of(interaction), minutes)
        await self._answer(
            interaction,
            f"An alert nobody acknowledges pings again once, after"
            f" {settings.alert_reping_minutes} min.",
        )

    @alerts.command(name="announced", description="Tags a category an announcement names")
    @app_commands.describe(
        category="A game or category as announcements name it, such as Chess",
        tags="Tags a stream of it is heard with, comma-separated; empty: no longer checked",
    )
    async def alerts_announced(
        self, interaction: discord.Interaction, category: str, tags: str = ""
    ) -> None:
        settings = await self.bot.guild_config.expect_tags(guild_of(interaction), category, tags)
        await self._answer(
            interaction, "Announced categories: " + (expectations_text(settings) or "none")
        )

    @digest.command(name="time", description="When the weekly digest is posted")
    @app_commands.describe(
        weekday="The day of the week",
        hour="The hour, 0 to 23",
        timezone="An IANA time zone such as Europe/Berlin; UTC by default",
    )
    async def digest_time(
        self,
        interaction: discord.Interaction,
        weekday: Weekday,
        hour: app_commands.Range[int, 0, 23],
        timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        schedule = await self.bot.digest_config.set_time(
            guild_of(interaction), WEEKDAYS.index(weekday), hour, timezone.strip()
        )
        await self._answer(interaction, f"The weekly digest goes out {schedule_text(schedule)}.")

    @digest_time.autocomplete("timezone")
    async def digest_timezone(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in time_zones(current)]

    @digest.command(name="off", description="Stop the weekly digest")
    async def digest_off(self, interaction: discord.Interaction) -> None:
        await self.bot.digest_config.set_enabled(guild_of(interaction), False)
        await self._answer(interaction, "The weekly digest is off.")

    @digest.command(name="on", description="Post the weekly digest again")
    async def digest_on(self, interaction: discord.Interaction) -> None:
        schedule = await self.bot.digest_config.set_enabled(guild_of(interaction), True)
        await self._answer(interaction, f"The weekly digest goes out {schedule_text(schedule)}.")


async def setup(bot: ChatsightBot) -> None:
    await bot.add_cog(ConfigCog(bot))
