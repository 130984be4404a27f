"""The weekly digest's message and how ``/chatsight-config`` shows and confirms its schedule."""

from __future__ import annotations

import re

import discord

from bot.domain.digest_figures import DigestFigures
from bot.domain.digests import WEEKDAYS, DigestSchedule
from bot.domain.server_records import GuildSettings
from bot.rendering.digest_chart import CHART_FILENAME
from bot.rendering.results import FIELD_VALUE_LIMIT, clip, fit, safe

DIGEST_TITLE = "Weekly digest"
# The footer names the server and the due time: the one digest a resend looks for.
_FOOTER = "Digest {guild_id}-{due_ms}"
_FOOTER_PATTERN = re.compile(r"Digest (\d+-\d+)")


def digest_key(guild_id: int, due_ms: int) -> str:
    return f"{guild_id}-{due_ms}"


def digest_embed(figures: DigestFigures, schedule: DigestSchedule) -> discord.Embed:
    first, last = figures.days[0], figures.days[-1]
    embed = discord.Embed(
        title=DIGEST_TITLE,
        description=f"What this server's streams were heard with, {first:%d %b} to {last:%d %b}.",
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="Streams tagged", value=str(figures.streams))
    embed.add_field(name="Sessions heard", value=str(figures.sessions))
    top = ", ".join(f"{safe(tag)} ({count})" for tag, count in figures.top_tags)
    embed.add_field(name="Top tags", value=clip(top or "none", FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Alerts raised", value=str(figures.alerts_raised))
    embed.add_field(name="Alerts acknowledged", value=str(figures.alerts_acknowledged))
    waited = "—" if figures.median_ack_ms is None else _duration(figures.median_ack_ms)
    embed.add_field(name="Time to acknowledge (median)", value=waited)
    embed.set_image(url=f"attachment://{CHART_FILENAME}")
    embed.set_footer(
        text=_FOOTER.format(guild_id=schedule.guild_id, due_ms=schedule.due_at_ms)
        + f" · {schedule.timezone}"
    )
    return fit(embed)


def shown_digest(embed: discord.Embed) -> str | None:
    """The digest an embed of the bot's shows (``digest_key``), if it is one."""
    match = _FOOTER_PATTERN.match(embed.footer.text or "") if embed.title == DIGEST_TITLE else None
    return match[1] if match else None


def _duration(ms: int) -> str:
    minutes = round(ms / 60_000)
    if minutes < 1:
        return f"{max(1, round(ms / 1000))} s"
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes / 60:.1f} h"


def schedule_text(schedule: DigestSchedule) -> str:
    return f"{WEEKDAYS[schedule.weekday]}s at {schedule.hour:02d}:00 ({schedule.timezone})"


def with_digest(
    embed: discord.Embed, schedule: DigestSchedule, settings: GuildSettings
) -> discord.Embed:
    """The configuration embed with the digest's line added."""
    embed.add_field(name="Weekly digest", value=digest_setting(schedule, settings), inline=False)
    return fit(embed)


def digest_setting(schedule: DigestSchedule, settings: GuildSettings) -> str:
    """The digest as ``config show`` states it: when and where, or why there is none."""
    if not schedule.enabled:
        return "off"
    where = settings.results_channel_id or settings.alert_channel_id
    if where is None:
        return "none: it goes to the results channel, else the alerts channel, and neither is set"
    text = f"{schedule_text(schedule)} in <#{where}>, next <t:{schedule.due_at_ms // 1000}:R>"
    if schedule.last_error is not None:
        text += f"; the last attempt failed: {clip(safe(schedule.last_error), 300)}"
    return text
