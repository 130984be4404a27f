"""A server's configuration as ``/chatsight-config show`` shows it, and the rules in it that the
configuration commands repeat in their answers.

Worded in the words given (the member's, for an ephemeral answer). Channels, roles, the seed
sentence, tags and category names are shown as they are, never translated.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.config_health import ConfigProblem
from bot.domain.server_records import GuildSettings
from bot.language.catalogue import Words
from bot.rendering.config_health import degraded_value
from bot.rendering.results import FIELD_VALUE_LIMIT, clip, counted, fit, safe


def alert_window_text(settings: GuildSettings, *, words: Words) -> str:
    """The sustained-signal rule in force for followed streams."""
    hits = min(settings.alert_hits, settings.alert_samples)
    return words("server.alert_window", hits=hits, samples=settings.alert_samples)


def expectations_text(settings: GuildSettings) -> str:
    """Each announced category with the tags expected of it: names and tags only, as the
    server wrote them."""
    return "; ".join(
        f"{safe(name)}: {', '.join(safe(tag) for tag in tags)}"
        for name, tags in settings.announced_tags
    )


def config_embed(
    settings: GuildSettings,
    *,
    content_intent: bool,
    words: Words,
    problems: Sequence[ConfigProblem] = (),
    waiting: int = 0,
) -> discord.Embed:
    """``problems``: what of it broke since (shown as degraded, never dropped);
    ``waiting``: follows waiting for a free slot under the server's cap."""
    none = words("server.config.none")

    def channel(channel_id: int | None, default: str) -> str:
        return f"<#{channel_id}>" if channel_id else default

    def switch(on: bool) -> str:
        return words("server.config.on" if on else "server.config.off")

    def field(key: str, value: str, *, inline: bool = True) -> None:
        embed.add_field(name=words(f"server.config.field.{key}"), value=value, inline=inline)

    watched = ", ".join(f"<#{c}>" for c in settings.autotag_channel_ids) or none
    embed = discord.Embed(title=words("server.config.title"), colour=discord.Colour.blurple())
    field("autotag_channels", clip(watched, FIELD_VALUE_LIMIT), inline=False)
    field("interval", words("server.config.minutes", minutes=settings.autotag_interval_minutes))
    field(
        "results",
        channel(settings.results_channel_id, words("server.config.results_reply")),
    )
    seed = clip(safe(settings.seed), FIELD_VALUE_LIMIT) if settings.seed else none
    field("seed", seed, inline=False)
    field("alerts_channel", channel(settings.alert_channel_id, words("server.config.alerts_off")))
    field("alert_role", f"<@&{settings.alert_role_id}>" if settings.alert_role_id else none)
    flagged = ", ".join(safe(t) for t in settings.alert_tags) or none
    field("alert_tags", clip(flagged, FIELD_VALUE_LIMIT), inline=False)
    field("undocumented", switch(settings.alert_undocumented))
    field("errors", switch(settings.alert_errors))
    field("followed", alert_window_text(settings, words=words))
    field("reping", words("server.config.reping_after", minutes=settings.alert_reping_minutes))
    announced = expectations_text(settings) or none
    field("announced", clip(announced, FIELD_VALUE_LIMIT), inline=False)
    if waiting:
        field("waiting", counted("server.config.waiting", waiting, words))
    if problems:
        field(
            "degraded", clip(degraded_value(problems, words=words), FIELD_VALUE_LIMIT), inline=False
        )
        embed.colour = discord.Colour.orange()
    if not content_intent:
        field("note", words("server.config.no_content_intent"), inline=False)
    return fit(embed)
