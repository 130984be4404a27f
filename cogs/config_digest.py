"""``/chatsight-config digest …``: when the weekly digest is posted, or that it is not."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.domain.digests import DEFAULT_TIMEZONE, WEEKDAYS, DigestSchedule, time_zones
from bot.rendering.digest import schedule_text
from cogs.config_base import ConfigGroup, answer, bot_of, guild_of, member_words

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


async def _answer_schedule(interaction: discord.Interaction, schedule: DigestSchedule) -> None:
    words = member_words(interaction)
    when = schedule_text(schedule, words=words)
    await answer(interaction, words("cogs.config.digest_time", when=when))


class DigestGroup(ConfigGroup, name="digest", description="The weekly digest"):
    @app_commands.command(name="time", description="When the weekly digest is posted")
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
        schedule = await bot_of(interaction).digest_config.set_time(
            guild_of(interaction), WEEKDAYS.index(weekday), hour, timezone.strip()
        )
        await _answer_schedule(interaction, schedule)

    @digest_time.autocomplete("timezone")
    async def digest_timezone(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in time_zones(current)]

    @app_commands.command(name="off", description="Stop the weekly digest")
    async def digest_off(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).digest_config.set_enabled(guild_of(interaction), False)
        await answer(interaction, member_words(interaction)("cogs.config.digest_off"))

    @app_commands.command(name="on", description="Post the weekly digest again")
    async def digest_on(self, interaction: discord.Interaction) -> None:
        schedule = await bot_of(interaction).digest_config.set_enabled(guild_of(interaction), True)
        await _answer_schedule(interaction, schedule)
