"""``/chatsight-config alerts …``: where moderator alerts go, whom they ping, which tags and
signals raise them, and the radar of tags heard outside Chatsight's list."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.app.channel_access import require_posting_in
from bot.app.config_health import role_mentionable
from bot.domain.refusals import RoleNotMentionable
from bot.domain.server_records import GuildSettings
from bot.language.catalogue import Words
from bot.rendering.radar import radar_embed, radar_view
from bot.rendering.server import alert_window_text, expectations_text
from cogs.config_base import Channel, ConfigGroup, answer, bot_of, guild_of, member_words
from cogs.discovery import alert_tag_choices

Switch = Literal["on", "off"]


def _alert_tags(settings: GuildSettings, words: Words) -> str:
    tags = ", ".join(settings.alert_tags) or words("cogs.config.none")
    return words("cogs.config.alert_tags", tags=tags)


class AlertsGroup(ConfigGroup, name="alerts", description="Moderator alerts"):
    @app_commands.command(name="channel", description="Where moderator alerts are posted")
    @app_commands.describe(channel="A channel your moderators read")
    async def alerts_channel(self, interaction: discord.Interaction, channel: Channel) -> None:
        require_posting_in(channel)
        await bot_of(interaction).guild_config.set_alert_channel(guild_of(interaction), channel.id)
        words = member_words(interaction)
        await answer(interaction, words("cogs.config.alerts_channel", channel=channel.mention))

    @app_commands.command(name="off", description="Stop posting moderator alerts")
    async def alerts_off(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).guild_config.set_alert_channel(guild_of(interaction), None)
        await answer(interaction, member_words(interaction)("cogs.config.alerts_off"))

    @app_commands.command(name="role", description="The role an alert mentions (empty: none)")
    @app_commands.describe(role="The only role an alert pings; leave empty for none")
    async def alerts_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        guild = interaction.guild
        if role is not None and guild is not None and not role_mentionable(guild, role):
            raise RoleNotMentionable(role.id)
        await bot_of(interaction).guild_config.set_alert_role(
            guild_of(interaction), role.id if role else None
        )
        words = member_words(interaction)
        text = (
            words("cogs.config.alerts_role", role=role.mention)
            if role
            else words("cogs.config.alerts_no_role")
        )
        await answer(interaction, text)

    @app_commands.command(name="tags-add", description="Tags that raise an alert (comma-separated)")
    @app_commands.describe(tags="Chatsight tags, separated by commas; case does not matter")
    async def alerts_tags_add(self, interaction: discord.Interaction, tags: str) -> None:
        await _change_tags(interaction, tags, add=True)

    @app_commands.command(name="tags-remove", description="Tags that no longer raise an alert")
    @app_commands.describe(tags="Alert tags to drop, separated by commas")
    async def alerts_tags_remove(self, interaction: discord.Interaction, tags: str) -> None:
        await _change_tags(interaction, tags, add=False)

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

    @app_commands.command(name="radar", description="Tags heard here outside Chatsight's list")
    async def alerts_radar(self, interaction: discord.Interaction) -> None:
        entries = await bot_of(interaction).radar.heard(guild_of(interaction))
        words = member_words(interaction)
        await interaction.response.send_message(
            embed=radar_embed(entries, words=words),
            view=radar_view(entries, words=words),
            ephemeral=True,
        )

    @app_commands.command(name="undocumented", description="Alert on tags outside Chatsight's list")
    @app_commands.describe(state="on or off")
    async def alerts_undocumented(self, interaction: discord.Interaction, state: Switch) -> None:
        await _switch(interaction, "undocumented", state)

    @app_commands.command(name="errors", description="Alert when a session fails")
    @app_commands.describe(state="on or off")
    async def alerts_errors(self, interaction: discord.Interaction, state: Switch) -> None:
        await _switch(interaction, "errors", state)

    @app_commands.command(name="window", description="How often a followed stream must be flagged")
    @app_commands.describe(
        hits="Samples heard flagged (default 2)",
        samples="How many of the latest samples count (default 3)",
    )
    async def alerts_window(
        self,
        interaction: discord.Interaction,
        hits: app_commands.Range[int, 1, 10],
        samples: app_commands.Range[int, 1, 10],
    ) -> None:
        settings = await bot_of(interaction).guild_config.set_alert_window(
            guild_of(interaction), hits, samples
        )
        words = member_words(interaction)
        rule = alert_window_text(settings, words=words)
        await answer(interaction, words("cogs.config.alert_window", window=rule))

    @app_commands.command(
        name="reping", description="Minutes before an unacknowledged alert pings again"
    )
    @app_commands.describe(minutes="1 to 240; the default is 10; it pings again once")
    async def alerts_reping(
        self, interaction: discord.Interaction, minutes: app_commands.Range[int, 1, 240]
    ) -> None:
        settings = await bot_of(interaction).guild_config.set_reping_minutes(
            guild_of(interaction), minutes
        )
        words = member_words(interaction)
        await answer(
            interaction, words("cogs.config.reping", minutes=settings.alert_reping_minutes)
        )

    @app_commands.command(
        name="announced", description="The tags expected of a stream announced in a category"
    )
    @app_commands.describe(
        category="A game or category as announcements name it, such as Chess",
        tags="Tags a stream of it is heard with, comma-separated; empty: no longer checked",
    )
    async def alerts_announced(
        self, interaction: discord.Interaction, category: str, tags: str = ""
    ) -> None:
        settings = await bot_of(interaction).guild_config.expect_tags(
            guild_of(interaction), category, tags
        )
        words = member_words(interaction)
        categories = expectations_text(settings) or words("cogs.config.none")
        await answer(interaction, words("cogs.config.announced", categories=categories))


async def _switch(interaction: discord.Interaction, alert_on: str, state: Switch) -> None:
    """An on/off alert setting (``alert_<alert_on>``) and its answer."""
    await bot_of(interaction).guild_config.set_alert_switch(
        guild_of(interaction), f"alert_{alert_on}", state == "on"
    )
    await answer(interaction, member_words(interaction)(f"cogs.config.{alert_on}_{state}"))


async def _change_tags(interaction: discord.Interaction, tags: str, *, add: bool) -> None:
    """Alert tags added or dropped, answered with the whole list as it now stands."""
    settings = await bot_of(interaction).guild_config.change_alert_tags(
        guild_of(interaction), tags, add=add
    )
    await answer(interaction, _alert_tags(settings, member_words(interaction)))
