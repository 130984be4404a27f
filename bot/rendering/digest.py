"""The weekly digest's message and how ``/chatsight-config`` shows and confirms its schedule.

Every sentence comes from the ``[digest]`` catalogue section. The footer names the digest (server
and due time); a resend looks for it in every language, since the server's may have changed.
"""

from __future__ import annotations

from datetime import date

import discord

from bot.domain.digest_figures import DigestFigures
from bot.domain.digests import DigestSchedule
from bot.domain.server_records import GuildSettings
from bot.language.catalogue import Words
from bot.rendering.digest_chart import CHART_FILENAME
from bot.rendering.results import (
    FIELD_VALUE_LIMIT,
    clip,
    fit,
    in_every_language,
    read_back,
    safe,
)

# Shown for a week with no acknowledged alert: a dash reads the same in every language.
_NO_MEDIAN = "—"
# Catalogue keys by ``date.month`` (1 to 12) and by ``DigestSchedule.weekday`` (0 is Monday).
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def digest_key(guild_id: int, due_ms: int) -> str:
    return f"{guild_id}-{due_ms}"


def digest_embed(
    figures: DigestFigures, schedule: DigestSchedule, *, words: Words
) -> discord.Embed:
    first, last = figures.days[0], figures.days[-1]
    embed = discord.Embed(
        title=words("digest.title"),
        description=words("digest.description", first=_date(first, words), last=_date(last, words)),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name=words("digest.streams_tagged"), value=str(figures.streams))
    embed.add_field(name=words("digest.sessions_heard"), value=str(figures.sessions))
    top = words("digest.list_separator").join(
        words("digest.top_tag", tag=safe(tag), count=count) for tag, count in figures.top_tags
    )
    embed.add_field(
        name=words("digest.top_tags"),
        value=clip(top or words("digest.no_top_tags"), FIELD_VALUE_LIMIT),
        inline=False,
    )
    embed.add_field(name=words("digest.alerts_raised"), value=str(figures.alerts_raised))
    embed.add_field(
        name=words("digest.alerts_acknowledged"), value=str(figures.alerts_acknowledged)
    )
    waited = (
        _NO_MEDIAN if figures.median_ack_ms is None else _duration(figures.median_ack_ms, words)
    )
    embed.add_field(name=words("digest.median_acknowledge"), value=waited)
    embed.set_image(url=f"attachment://{CHART_FILENAME}")
    digest_id = digest_key(schedule.guild_id, schedule.due_at_ms)
    embed.set_footer(text=words("digest.footer", digest_id=digest_id, timezone=schedule.timezone))
    return fit(embed)


def shown_digest(embed: discord.Embed) -> str | None:
    """The digest an embed of the bot's shows (``digest_key``), if it is one, in any language."""
    if embed.title not in in_every_language("digest.title") or not embed.footer.text:
        return None
    found = read_back(embed.footer.text, "digest.footer")
    return None if found is None else found["digest_id"]


def _date(day: date, words: Words) -> str:
    month = words(f"digest.month.short.{_MONTHS[day.month - 1]}")
    return words("digest.date", day=day.day, month=month)


def _duration(ms: int, words: Words) -> str:
    minutes = round(ms / 60_000)
    if minutes < 1:
        return words("digest.duration.seconds", seconds=max(1, round(ms / 1000)))
    if minutes < 120:
        return words("digest.duration.minutes", minutes=minutes)
    hours = f"{minutes / 60:.1f}".replace(".", words("digest.decimal_separator"))
    return words("digest.duration.hours", hours=hours)


def schedule_text(schedule: DigestSchedule, *, words: Words) -> str:
    return words(
        "digest.schedule",
        weekdays=words(f"digest.weekdays.{_WEEKDAYS[schedule.weekday]}"),
        time=f"{schedule.hour:02d}:00",
        timezone=schedule.timezone,
    )


def with_digest(
    embed: discord.Embed, schedule: DigestSchedule, settings: GuildSettings, *, words: Words
) -> discord.Embed:
    """The configuration embed with the digest's line added."""
    embed.add_field(
        name=words("digest.setting.name"),
        value=digest_setting(schedule, settings, words=words),
        inline=False,
    )
    return fit(embed)


def digest_setting(schedule: DigestSchedule, settings: GuildSettings, *, words: Words) -> str:
    """The digest as ``config show`` states it: when and where, or why there is none."""
    if not schedule.enabled:
        return words("digest.setting.off")
    where = settings.results_channel_id or settings.alert_channel_id
    if where is None:
        return words("digest.setting.no_channel")
    text = words(
        "digest.setting.on",
        schedule=schedule_text(schedule, words=words),
        channel=f"<#{where}>",
        next=f"<t:{schedule.due_at_ms // 1000}:R>",
    )
    if schedule.last_error is not None:
        text = words(
            "digest.setting.last_failed", setting=text, error=clip(safe(schedule.last_error), 300)
        )
    return text
